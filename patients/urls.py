"""The patient's pages (namespace `patients`): `/me/...`, photo files, and `/staff/patients/...`."""

from django.urls import path

from . import booking_views, views

app_name = "patients"
urlpatterns = [
    path("me/", views.dashboard, name="dashboard"),
    path("me/verify/resend/", views.resend_verification, name="resend-verification"),
    path("me/profile/", views.profile, name="profile"),
    path("me/intake/", views.intake, name="intake"),
    path("me/intake/renew/", views.intake_renew, name="intake-renew"),
    path("me/screening/", views.screening, name="screening"),
    path("me/consents/", views.consents, name="consents"),
    path("me/consents/sign/<slug:kind>/", views.consent_sign, name="consent-sign"),
    path(
        "me/consents/signatures/<int:pk>/download/",
        views.consent_download,
        name="consent-download",
    ),
    path("me/photos/", views.photos, name="photos"),
    path("me/photos/<uuid:photo_uuid>/delete/", views.photo_delete, name="photo-delete"),
    path("me/privacy/", views.privacy, name="privacy"),
    path("me/privacy/export/", views.privacy_export, name="privacy-export"),
    path("me/privacy/erase/", views.privacy_erase, name="privacy-erase"),
    path(
        "photos/<uuid:photo_uuid>/<str:variant>/",
        views.photo_file,
        name="photo-file",
    ),
    path("staff/patients/", views.staff_patient_list, name="staff-patients"),
    path("staff/patients/<int:patient_id>/", views.staff_patient, name="staff-patient"),
    path("staff/patients/<int:patient_id>/intake/", views.staff_intake, name="staff-intake"),
    path(
        "staff/patients/<int:patient_id>/intake/review/",
        views.staff_intake_review,
        name="staff-intake-review",
    ),
    path("staff/patients/<int:patient_id>/photos/", views.staff_photos, name="staff-photos"),
    # Booking (patients/booking_views.py): `book` is where the journey starts.
    path("book/", booking_views.book, name="book"),
    path("book/<slug:slug>/", booking_views.book_procedure, name="book-procedure"),
    path("book/<slug:slug>/confirm/", booking_views.book_confirm, name="book-confirm"),
    path("book/<slug:slug>/course/", booking_views.book_course, name="book-course"),
    path("book/<slug:slug>/waitlist/", booking_views.waitlist_join, name="waitlist-join"),
    path("me/appointments/", booking_views.appointments, name="appointments"),
    path("me/appointments/<int:pk>/", booking_views.appointment_detail, name="appointment"),
    path(
        "me/appointments/<int:pk>/calendar.ics",
        booking_views.appointment_ics,
        name="appointment-ics",
    ),
    path("me/appointments/<int:pk>/move/", booking_views.appointment_move, name="appointment-move"),
    path(
        "me/appointments/<int:pk>/cancel/",
        booking_views.appointment_cancel,
        name="appointment-cancel",
    ),
    path("me/waitlist/<int:pk>/leave/", booking_views.waitlist_leave, name="waitlist-leave"),
    path("me/waitlist/offers/<int:pk>/", booking_views.waitlist_offer, name="waitlist-offer"),
]
