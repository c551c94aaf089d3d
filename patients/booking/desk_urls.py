"""The reception desk's booking pages (namespace `desk`), under /admin/desk/.

Included by the project's URLs before the admin's own, and wrapped in the admin's
`admin_view`, so they share its login, its look and its CSRF and cache handling.
"""

from django.contrib import admin
from django.urls import path

from patients.booking.views import desk as desk_views

app_name = "desk"
urlpatterns = [
    path("", admin.site.admin_view(desk_views.desk_index), name="index"),
    path(
        "patients/<int:patient_id>/",
        admin.site.admin_view(desk_views.desk_patient),
        name="patient",
    ),
    path(
        "patients/<int:patient_id>/book/",
        admin.site.admin_view(desk_views.desk_book),
        name="book",
    ),
    path(
        "patients/<int:patient_id>/book/<slug:slug>/",
        admin.site.admin_view(desk_views.desk_confirm),
        name="confirm",
    ),
    path(
        "appointments/<int:appointment_id>/move/",
        admin.site.admin_view(desk_views.desk_move),
        name="move",
    ),
    path(
        "appointments/<int:appointment_id>/cancel/",
        admin.site.admin_view(desk_views.desk_cancel),
        name="cancel",
    ),
]
