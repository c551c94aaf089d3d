"""The patient's own pages (`/me/...`) and the photo files.

Who sees what, decided first in every view: a patient sees only their own data
(another patient's object is a 404); a photo file is also shown to practitioners
and managers, and each time they open one an audit row is written. Every page
with personal or health data is marked not to be stored (`clinic.http.no_store`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.http import SignedInRequest, client_address, no_store
from clinic.roles import can_see_health_data, is_staff_member
from patients.messaging.selectors import messages_of
from patients.models import (
    PHOTO_PUBLICATION,
    AuditEntry,
    ConsentSignature,
    PatientProfile,
    Photo,
)
from patients.records import selectors, services
from patients.records.forms import (
    ConsentSignForm,
    ErasureRequestForm,
    IntakeForm,
    PhotoUploadForm,
    ProfileForm,
    add_domain_error,
)
from patients.records.message_forms import MessagePreferencesForm
from patients.records.outcomes.gallery.selectors import with_publication
from procedures.errors import AnswerError, DomainError


def _user_agent(request: SignedInRequest) -> str:
    return request.headers.get("user-agent", "")


def current_patient(request: SignedInRequest) -> PatientProfile:
    """The logged-in patient's profile; staff without one get 404 here."""
    profile = selectors.profile_of(request.user)
    if profile is not None:
        return profile
    if is_staff_member(request.user) or request.user.is_staff:
        raise Http404
    # A patient login made in the admin has no profile yet.
    return services.ensure_profile(user=request.user)


def _safe_next(request: SignedInRequest, default: str) -> str:
    """The `next` page asked for (GET or POST), if it is one of ours; else `default`.

    Booking sends patients to the questionnaire with `?next=` and expects them back.
    """
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse(default)


# --- the patient's pages ----------------------------------------------------------------------


@login_required
@no_store
@require_GET
def dashboard(request: SignedInRequest) -> HttpResponse:
    """Everything a patient can do, and what needs their attention first."""
    if is_staff_member(request.user) and selectors.profile_of(request.user) is None:
        return redirect("patients:staff-patients")  # "My account" in the layout, for staff
    patient = current_patient(request)
    latest = selectors.latest_intake(patient)
    context = {
        "patient": patient,
        "intake": latest,
        "intake_status": selectors.intake_status(patient),
        "intake_expires_on": selectors.intake_expires_on(latest) if latest else None,
        "consents": selectors.consent_overview(patient),
        "erasure": selectors.open_erasure_request(patient),
    }
    return render(request, "patients/dashboard.html", context)


@login_required
@require_POST
def resend_verification(request: SignedInRequest) -> HttpResponse:
    patient = current_patient(request)
    if not patient.is_verified:
        services.send_verification_email(
            user=patient.user, base_url=request.build_absolute_uri("/")
        )
    messages.info(request, _("We have sent you a new confirmation link."))
    return redirect("patients:dashboard")


def _save_form(
    request: SignedInRequest,
    form: Form,
    save: Callable[[dict[str, Any]], object],
    *,
    message: str,
    then: str,
) -> HttpResponse | None:
    """On a valid POST, `save` the form's data: done, say `message` and go to `then`;
    refused, the reason goes on the form (None: show the page)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        save(form.cleaned_data)
    except DomainError as error:
        add_domain_error(form, error)
        return None
    messages.success(request, message)
    return redirect(then)


@login_required
@no_store
@require_http_methods(["GET", "POST"])
def profile(request: SignedInRequest) -> HttpResponse:
    patient = current_patient(request)
    user = patient.user
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "date_of_birth": patient.date_of_birth,
        "preferred_language": user.preferred_language,
        "recalls_opt_out": patient.recalls_opt_out,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    saved = _save_form(
        request,
        form,
        lambda data: services.update_profile(user=user, **data),
        message=_("Your profile is saved."),
        then="patients:profile",
    )
    return saved or render(request, "patients/profile.html", {"form": form, "patient": patient})


@login_required
@no_store
@require_http_methods(["GET", "POST"])
def message_preferences(request: SignedInRequest) -> HttpResponse:
    """Which channels appointment messages, care instructions and recalls take."""
    patient = current_patient(request)
    form = MessagePreferencesForm(
        request.POST or None, initial=services.current_message_preferences(patient)
    )
    saved = _save_form(
        request,
        form,
        lambda data: services.set_message_preferences(patient=patient, **data),
        message=_("Your message settings are saved."),
        then="patients:message-preferences",
    )
    context = {"form": form, "patient": patient}
    return saved or render(request, "patients/message_preferences.html", context)


@login_required
@no_store
@require_GET
def my_messages(request: SignedInRequest) -> HttpResponse:
    """What the clinic sent the patient: what, when, by which channel, delivered or not."""
    patient = current_patient(request)
    context = {"patient": patient, "outbox": messages_of(patient)[:200]}
    return render(request, "patients/messages.html", context)


@login_required
@no_store
@require_http_methods(["GET", "POST"])
def intake(request: SignedInRequest) -> HttpResponse:
    """The health questionnaire; every submission is a new version."""
    patient = current_patient(request)
    latest = selectors.latest_intake(patient)
    if latest is not None:
        initial = IntakeForm.initial_from(latest.answers)
    else:
        initial = {"date_of_birth": patient.date_of_birth}
    form = IntakeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_intake(
                patient=patient, answers=form.answers(), submitted_by=request.user
            )
        except AnswerError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Thank you: your answers are saved."))
            return redirect(_safe_next(request, "patients:screening"))
    context = {
        "form": form,
        "intake": latest,
        "intake_status": selectors.intake_status(patient),
        "intake_expires_on": selectors.intake_expires_on(latest) if latest else None,
        "versions": selectors.intake_versions(patient),
    }
    return render(request, "patients/intake.html", context)


@login_required
@require_POST
def intake_renew(request: SignedInRequest) -> HttpResponse:
    """ "Nothing changed": one click makes a new version with the same answers."""
    patient = current_patient(request)
    try:
        services.renew_intake(patient=patient, submitted_by=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("patients:intake")
    messages.success(request, _("Thank you: your answers are confirmed for another year."))
    return redirect(_safe_next(request, "patients:screening"))


@login_required
@no_store
@require_GET
def screening(request: SignedInRequest) -> HttpResponse:
    """The catalogue screened for this patient: ok / needs review / not possible."""
    patient = current_patient(request)
    latest = selectors.latest_intake(patient)
    if latest is None:
        messages.info(request, _("Please fill in the health questionnaire first."))
        return redirect("patients:intake")
    today = timezone.localdate()
    context = {
        "results": selectors.screened_catalogue(patient, on=today),
        "on": today,
        "intake": latest,
        "intake_status": selectors.intake_status(patient, on=today),
    }
    return render(request, "patients/screening.html", context)


@login_required
@no_store
@require_GET
def consents(request: SignedInRequest) -> HttpResponse:
    patient = current_patient(request)
    context = {
        "overview": selectors.consent_overview(patient),
        "signatures": selectors.signatures_of(patient),
    }
    return render(request, "patients/consents.html", context)


@login_required
@no_store
@require_http_methods(["GET", "POST"])
def consent_sign(request: SignedInRequest, kind: str) -> HttpResponse:
    """Read the current text of one kind and sign it."""
    patient = current_patient(request)
    text = selectors.current_consent_text(kind)
    if text is None or kind == PHOTO_PUBLICATION:  # agreed to per photo, not signed here
        raise Http404
    signature = ConsentSignature.objects.filter(patient=patient, text=text).first()
    form = ConsentSignForm(
        request.POST or None, initial={"version": text.version, "full_name": patient.full_name}
    )
    if request.method == "POST" and signature is None and form.is_valid():
        if form.cleaned_data["version"] != text.version:
            form.add_error(
                None, _("The text has changed since you opened it. Please read it again.")
            )
        else:
            try:
                services.sign_consent(
                    patient=patient,
                    text=text,
                    full_name=form.cleaned_data["full_name"],
                    ticked=form.cleaned_data["ticked"],
                    ip_address=client_address(request),
                    user_agent=_user_agent(request),
                    language=translation.get_language() or "",
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Thank you: your consent is signed."))
                # Booking sends patients here with ?next=; only our own pages are followed.
                return redirect(_safe_next(request, "patients:consents"))
    context = {"text": text, "form": form, "signature": signature}
    return render(request, "patients/consent_sign.html", context)


@login_required
@no_store
@require_GET
def consent_download(request: SignedInRequest, pk: int) -> HttpResponse:
    """What the patient signed, as a plain-text document (another patient's: 404)."""
    patient = current_patient(request)
    signature = get_object_or_404(
        ConsentSignature.objects.select_related("text"), pk=pk, patient=patient
    )
    response = HttpResponse(
        services.signed_text(signature), content_type="text/plain; charset=utf-8"
    )
    name = f"consent-{signature.kind}-v{signature.text_version}-{signature.signed_at:%Y%m%d}.txt"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@no_store
@require_http_methods(["GET", "POST"])
def photos(request: SignedInRequest) -> HttpResponse:
    """The patient's photos of the areas to treat (and the clinic's before/after ones)."""
    patient = current_patient(request)
    form = PhotoUploadForm(request.POST or None, request.FILES or None)
    retry_after = None
    if request.method == "POST" and form.is_valid():
        try:
            services.upload_photo(
                patient=patient,
                upload=form.cleaned_data["image"],
                kind=Photo.Kind.AREA,
                uploaded_by=request.user,
                note=form.cleaned_data["note"],
            )
        except services.TooManyUploads as error:
            add_domain_error(form, error)
            retry_after = error.retry_after
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("Your photo is uploaded. It shows here once it is processed.")
            )
            return redirect("patients:photos")
    context = {"form": form, "photos": with_publication(selectors.photos_of(patient))}
    status = 429 if retry_after else 400 if form.errors else 200
    response = render(request, "patients/photos.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@login_required
@require_POST
def photo_delete(request: SignedInRequest, photo_uuid: str) -> HttpResponse:
    patient = current_patient(request)
    photo = get_object_or_404(Photo, uuid=photo_uuid, patient=patient)
    try:
        services.delete_photo(photo=photo, by=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The photo is deleted."))
    return redirect("patients:photos")


@login_required
@no_store
@require_GET
def photo_file(request: SignedInRequest, photo_uuid: str, variant: str) -> FileResponse:
    """A stored photo or its thumbnail, for its patient or clinicians (audited) only."""
    if variant not in ("full", "thumb"):
        raise Http404
    photo = get_object_or_404(Photo.objects.select_related("patient"), uuid=photo_uuid)
    user = request.user
    if photo.patient.user_id != user.pk:
        if not can_see_health_data(user):
            raise Http404  # receptionists and other patients never learn it exists
        services.record_access(
            actor=user,
            patient=photo.patient,
            action=AuditEntry.Action.VIEW_PHOTO_FILE,
            detail=f"{variant} {photo.uuid}",
            ip_address=client_address(request),
        )
    if not photo.is_ready:
        raise Http404  # still processing, or failed: there is no picture to show
    thumbnail = variant == "thumb"
    # Streamed from the storage (a folder or the private bucket), never redirected to it.
    response = FileResponse(
        services.open_photo_file(photo, thumbnail=thumbnail),
        content_type="image/jpeg" if thumbnail else photo.content_type,
    )
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@no_store
@require_GET
def privacy(request: SignedInRequest) -> HttpResponse:
    patient = current_patient(request)
    context = {"erasure": selectors.open_erasure_request(patient)}
    return render(request, "patients/privacy.html", context)


@login_required
@no_store
@require_GET
@never_cache
def privacy_export(request: SignedInRequest) -> HttpResponse:
    """All the patient's data: JSON, signed texts and photos in one zip archive."""
    patient = current_patient(request)
    response = HttpResponse(
        services.export_patient_data(patient=patient), content_type="application/zip"
    )
    name = f"my-data-{timezone.localdate():%Y%m%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@no_store
@require_http_methods(["GET", "POST"])
def privacy_erase(request: SignedInRequest) -> HttpResponse:
    """The confirmation page (what goes, what stays), then the request."""
    patient = current_patient(request)
    form = ErasureRequestForm(request.POST or None)
    if not form.is_valid():
        context = {
            "form": form,
            "erasure": selectors.open_erasure_request(patient),
            "outline": services.erasure_outline(),
        }
        status = 400 if form.is_bound else 200
        return render(request, "patients/privacy_erase.html", context, status=status)
    services.request_erasure(patient=patient, note=form.cleaned_data["note"])
    messages.success(
        request,
        _(
            "We have your request. The clinic will erase your data "
            "and write to you when it is done."
        ),
    )
    return redirect("patients:privacy")
