"""The project's URLs."""

from anymail.urls import urlpatterns as anymail_urls
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

# Under /api/ every error is the API's JSON body, whoever answers it (clinic/api.py).
handler400 = "clinic.api.bad_request"
handler403 = "clinic.api.permission_denied"
handler404 = "clinic.api.not_found"
handler500 = "clinic.api.server_error"

# The e-mail provider's delivery reports (EMAIL_URL=anymail://<esp>), behind
# ANYMAIL_WEBHOOK_SECRET; no other provider's webhooks, and no inbound mail.
anymail_tracking = [
    p
    for p in anymail_urls
    if settings.ANYMAIL.get("WEBHOOK_SECRET")
    and p.name == f"{settings.ANYMAIL_ESP}_tracking_webhook"
]

api_v1: list[URLPattern | URLResolver] = [
    path("", include("procedures.api_urls")),
    path("", include("patients.booking.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, which the CSP allows.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health_view, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    # E-mail providers' tracking webhooks (delivered, bounced, complained), ANYMAIL_WEBHOOK_SECRET.
    path("anymail/", include(anymail_tracking)),
    # The reception desk's booking pages live in the staff workspace (before the admin's
    # catch-all, which would otherwise answer for them).
    path("admin/desk/", include("patients.booking.desk_urls")),
    # The staff workspace (schedule, reviews, day sheet, dashboard) and the second factor.
    path("admin/workspace/", include("patients.workspace.urls")),
    path("admin/otp/", include("clinic.otp_urls")),
    # The treatment record's staff pages (charts, events, lots, report), inside the admin.
    path("admin/treatment/", include("patients.records.treatment.urls")),
    # The session photos (capture with the ghost overlay, comparisons), inside the admin.
    path("admin/session-photos/", include("patients.records.outcomes.photos.urls")),
    # The scar grading of a visit's chart (outcomes, #18), inside the admin too.
    path("admin/outcomes/grading/", include("patients.records.outcomes.grading_urls")),
    # The manager's before/after gallery of the procedure pages.
    path("admin/gallery/", include("patients.records.outcomes.gallery.staff_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("procedures/", include("procedures.urls")),
    path("accounts/", include("patients.records.account_urls")),
    path("", include("patients.records.treatment.patient_urls")),
    path("", include("patients.records.outcomes.photos.patient_urls")),
    path("", include("patients.urls")),
]
