"""The staff workspace (namespace `workspace`), under /admin/workspace/.

Included by the project's URLs before the admin's own and wrapped in
`admin_view`, so the pages share the admin's login, look and CSRF handling.
"""

from clinic.admin import staff_path
from patients.workspace import outcomes, unconfirmed, views

app_name = "workspace"
urlpatterns = [
    staff_path("", views.workspace_home, "home"),
    staff_path("schedule/", views.calendar, "calendar"),
    staff_path("schedule/book/", views.calendar_book, "calendar-book"),
    staff_path("unconfirmed/", unconfirmed.unconfirmed_tomorrow, "unconfirmed"),
    staff_path("appointments/<int:appointment_id>/", views.appointment_detail, "appointment"),
    staff_path(
        "appointments/<int:appointment_id>/move/", views.appointment_move, "appointment-move"
    ),
    staff_path(
        "appointments/<int:appointment_id>/cancel/", views.appointment_cancel, "appointment-cancel"
    ),
    staff_path("reviews/", views.review_list, "reviews"),
    staff_path("reviews/<int:appointment_id>/", views.review_detail, "review"),
    staff_path("day-sheet/", views.day_sheet_view, "day-sheet"),
    staff_path(
        "appointments/<int:appointment_id>/check-in/",
        views.appointment_check_in,
        "appointment-check-in",
    ),
    staff_path(
        "appointments/<int:appointment_id>/complete/",
        views.appointment_complete,
        "appointment-complete",
    ),
    staff_path("dashboard/", views.dashboard_view, "dashboard"),
    staff_path("outcomes/", outcomes.outcomes_report_page, "outcomes"),
    staff_path("outcomes.csv", outcomes.outcomes_report_csv, "outcomes-csv"),
]
