"""The patient's own pages and the photo files (included in the `patients` namespace)."""

from django.urls import path

from patients.records import tablet_views, views

urlpatterns = [
    path("me/", views.dashboard, name="dashboard"),
    path("me/verify/resend/", views.resend_verification, name="resend-verification"),
    path("me/profile/", views.profile, name="profile"),
    path("me/profile/messages/", views.message_preferences, name="message-preferences"),
    path("me/messages/", views.my_messages, name="messages"),
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
    path("photos/<uuid:photo_uuid>/<str:variant>/", views.photo_file, name="photo-file"),
    path("tablet/<str:token>/", tablet_views.tablet, name="tablet"),
    path("tablet/<str:token>/done/", tablet_views.tablet_done, name="tablet-done"),
]
