"""The staff workspace (namespace `workspace`), under /admin/workspace/.

Included by the project's URLs before the admin's own and wrapped in
`admin_view`, so the pages share the admin's login, look and CSRF handling.
"""

from django.contrib import admin
from django.urls import path

from patients.workspace import views

app_name = "workspace"
urlpatterns = [
    path("", admin.site.admin_view(views.workspace_home), name="home"),
    path("schedule/", admin.site.admin_view(views.calendar), name="calendar"),
    path("schedule/book/", admin.site.admin_view(views.calendar_book), name="calendar-book"),
    path(
        "appointments/<int:appointment_id>/",
        admin.site.admin_view(views.appointment_detail),
        name="appointment",
    ),
    path(
        "appointments/<int:appointment_id>/move/",
        admin.site.admin_view(views.appointment_move),
        name="appointment-move",
    ),
    path(
        "appointments/<int:appointment_id>/cancel/",
        admin.site.admin_view(views.appointment_cancel),
        name="appointment-cancel",
    ),
    path("reviews/", admin.site.admin_view(views.review_list), name="reviews"),
    path(
        "reviews/<int:appointment_id>/",
        admin.site.admin_view(views.review_detail),
        name="review",
    ),
    path("day-sheet/", admin.site.admin_view(views.day_sheet_view), name="day-sheet"),
    path("dashboard/", admin.site.admin_view(views.dashboard_view), name="dashboard"),
]
