"""The grading page (namespace `grading`, under /admin/outcomes/grading/).

A `staff_path`, like the chart's pages, so it shares the admin's login, second factor,
idle timeout and CSRF handling.
"""

from clinic.admin import staff_path

from . import grading_views

app_name = "grading"

urlpatterns = [
    staff_path("<int:appointment_id>/", grading_views.grading, "visit"),
]
