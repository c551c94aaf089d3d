"""The reception desk's booking pages (namespace `desk`), under /admin/desk/.

Included by the project's URLs before the admin's own, and wrapped in the admin's
`admin_view`, so they share its login, its look and its CSRF and cache handling.
"""

from clinic.admin import staff_path
from patients.booking.views import desk

app_name = "desk"
urlpatterns = [
    staff_path("", desk.desk_index, "index"),
    staff_path("patients/new/", desk.desk_new_patient, "new-patient"),
    staff_path("patients/<int:patient_id>/", desk.desk_patient, "patient"),
    staff_path("patients/<int:patient_id>/invite/", desk.desk_invite, "invite"),
    staff_path("patients/<int:patient_id>/tablet/", desk.desk_tablet, "tablet"),
    staff_path("patients/<int:patient_id>/book/", desk.desk_book, "book"),
    staff_path("patients/<int:patient_id>/book/<slug:slug>/", desk.desk_confirm, "confirm"),
    staff_path("patients/<int:patient_id>/course/<slug:slug>/", desk.desk_course, "course"),
    staff_path("appointments/<int:appointment_id>/move/", desk.desk_move, "move"),
    staff_path("appointments/<int:appointment_id>/cancel/", desk.desk_cancel, "cancel"),
]
