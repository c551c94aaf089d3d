"""The session photos' staff pages (namespace `session-photos`, under /admin/session-photos/).

`staff_path` pages, like the chart's: the admin's login, second factor, idle timeout and CSRF.
"""

from clinic.admin import staff_path

from . import views

app_name = "session-photos"

urlpatterns = [
    staff_path("sessions/<int:appointment_id>/", views.capture, "capture"),
    staff_path("patients/<int:patient_id>/compare/", views.compare, "compare"),
]
