"""The manager's gallery pages (namespace `gallery`, under /admin/gallery/), inside the admin."""

from clinic.admin import staff_path

from . import views

app_name = "gallery"

urlpatterns = [
    staff_path("", views.gallery_index, "index"),
    staff_path("patients/<int:patient_id>/new/", views.gallery_new_pair, "new-pair"),
    staff_path("pairs/<int:pair_id>/delete/", views.gallery_delete_pair, "delete-pair"),
]
