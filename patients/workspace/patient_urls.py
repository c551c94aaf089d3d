"""The staff pages about one patient (included in the `patients` namespace)."""

from django.urls import path

from patients.workspace import patient_views as views

urlpatterns = [
    path("staff/patients/", views.staff_patient_list, name="staff-patients"),
    path("staff/patients/<int:patient_id>/", views.staff_patient, name="staff-patient"),
    path("staff/patients/<int:patient_id>/intake/", views.staff_intake, name="staff-intake"),
    path(
        "staff/patients/<int:patient_id>/intake/review/",
        views.staff_intake_review,
        name="staff-intake-review",
    ),
    path("staff/patients/<int:patient_id>/photos/", views.staff_photos, name="staff-photos"),
    path("staff/patients/<int:patient_id>/messages/", views.staff_messages, name="staff-messages"),
    path(
        "staff/patients/<int:patient_id>/email-works/",
        views.staff_email_works,
        name="staff-email-works",
    ),
    path(
        "staff/patients/<int:patient_id>/messages/settings/",
        views.staff_message_preferences,
        name="staff-message-preferences",
    ),
]
