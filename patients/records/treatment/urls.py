"""The treatment record's staff pages (namespace `treatment`, under /admin/treatment/).

Each page is a `staff_path`, like the workspace's, so they share the admin's login, second
factor, idle timeout and CSRF handling.
"""

from clinic.admin import staff_path

from . import views

app_name = "treatment"

urlpatterns = [
    staff_path("charts/<int:appointment_id>/", views.chart, "chart"),
    staff_path("charts/<int:appointment_id>/open/", views.chart_open, "chart-open"),
    staff_path(
        "charts/<int:appointment_id>/procedures/", views.chart_add_procedure, "chart-add-procedure"
    ),
    staff_path("charts/<int:appointment_id>/products/", views.chart_use_lot, "chart-use-lot"),
    staff_path(
        "charts/<int:appointment_id>/products/<int:usage_id>/remove/",
        views.chart_remove_lot,
        "chart-remove-lot",
    ),
    staff_path("charts/<int:appointment_id>/addenda/", views.chart_addendum, "chart-addendum"),
    staff_path("charts/<int:appointment_id>/events/", views.chart_event, "chart-event"),
    staff_path("events/<int:event_id>/", views.event_detail, "event"),
    staff_path("lots/", views.lot_search, "lots"),
    staff_path("lots/<int:lot_id>/", views.lot_detail, "lot"),
    staff_path("lots/<int:lot_id>/recipients.csv", views.lot_csv, "lot-csv"),
    staff_path("reports/events/", views.events_report, "events-report"),
]
