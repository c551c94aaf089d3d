"""The patient's pages (`/me/...`), the photo files, and the staff pages about a patient
(`/staff/patients/...`).

Who sees what, decided first in every view:
- a patient sees only their own data; another patient's object is a 404;
- receptionists see the staff list, contact details and the screening
  outcome (ok / review / blocked, never the reasons, which reveal answers);
  the intake and photos pages answer them 403;
- practitioners and managers see answers, photos and flags; every time they
  open a patient's intake or photos (pages and files) an audit row is written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.roles import can_see_health_data, is_staff_member
from procedures.errors import AnswerError, DomainError
from procedures.intake import GROUPS, QUESTIONS, Kind

from . import selectors, services
from .forms import (
    ClinicalReviewForm,
    ConsentSignForm,
    ErasureRequestForm,
    IntakeForm,
    PhotoUploadForm,
    ProfileForm,
)
from .models import AuditEntry, ConsentSignature, PatientProfile, Photo


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, as django-axes sees it (REMOTE_ADDR by default)."""
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR") or None


def _user_agent(request: HttpRequest) -> str:
    return request.headers.get("user-agent", "")


def _current_patient(request: HttpRequest) -> PatientProfile:
    """The logged-in patient's profile; staff without one get 404 here."""
    profile = selectors.profile_of(request.user)  # type: ignore[arg-type]
    if profile is not None:
        return profile
    if is_staff_member(request.user) or request.user.is_staff:  # type: ignore[union-attr]
        raise Http404
    # A patient login made in the admin has no profile yet.
    return services.ensure_profile(user=request.user)  # type: ignore[arg-type]


def _private(response: HttpResponseBase) -> HttpResponseBase:
    """Health data must not be kept by shared caches or the browser's back button."""
    response["Cache-Control"] = "private, no-store"
    return response


def _safe_next(request: HttpRequest, default: str) -> str:
    """The `next` page asked for (GET or POST), if it is one of ours; else `default`.

    Booking sends patients to the questionnaire with `?next=` and expects them back.
    """
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse(default)


def _form_error(form: Any, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


# --- the patient's pages ----------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Everything a patient can do, and what needs their attention first."""
    if is_staff_member(request.user) and selectors.profile_of(request.user) is None:  # type: ignore[arg-type]
        return redirect("patients:staff-patients")  # "My account" in the layout, for staff
    patient = _current_patient(request)
    latest = selectors.latest_intake(patient)
    context = {
        "patient": patient,
        "intake": latest,
        "intake_status": selectors.intake_status(patient),
        "intake_expires_on": selectors.intake_expires_on(latest) if latest else None,
        "consents": selectors.consent_overview(patient),
        "erasure": selectors.open_erasure_request(patient),
    }
    return _private(render(request, "patients/dashboard.html", context))  # type: ignore[return-value]


@login_required
@require_POST
def resend_verification(request: HttpRequest) -> HttpResponse:
    patient = _current_patient(request)
    if not patient.is_verified:
        services.send_verification_email(
            user=patient.user, base_url=request.build_absolute_uri("/")
        )
    messages.info(request, _("We have sent you a new confirmation link."))
    return redirect("patients:dashboard")


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    patient = _current_patient(request)
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
    if request.method == "POST" and form.is_valid():
        try:
            services.update_profile(user=user, **form.cleaned_data)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("patients:profile")
    return _private(render(request, "patients/profile.html", {"form": form, "patient": patient}))  # type: ignore[return-value]


@login_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    """The health questionnaire; every submission is a new version."""
    patient = _current_patient(request)
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
            )  # type: ignore[arg-type]
        except AnswerError as error:
            _form_error(form, error)
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
    return _private(render(request, "patients/intake.html", context))  # type: ignore[return-value]


@login_required
@require_POST
def intake_renew(request: HttpRequest) -> HttpResponse:
    """ "Nothing changed": one click makes a new version with the same answers."""
    patient = _current_patient(request)
    try:
        services.renew_intake(patient=patient, submitted_by=request.user)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("patients:intake")
    messages.success(request, _("Thank you: your answers are confirmed for another year."))
    return redirect(_safe_next(request, "patients:screening"))


@login_required
@require_GET
def screening(request: HttpRequest) -> HttpResponse:
    """The catalogue screened for this patient: ok / needs review / not possible."""
    patient = _current_patient(request)
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
    return _private(render(request, "patients/screening.html", context))  # type: ignore[return-value]


@login_required
@require_GET
def consents(request: HttpRequest) -> HttpResponse:
    patient = _current_patient(request)
    context = {
        "overview": selectors.consent_overview(patient),
        "signatures": selectors.signatures_of(patient),
    }
    return _private(render(request, "patients/consents.html", context))  # type: ignore[return-value]


@login_required
@require_http_methods(["GET", "POST"])
def consent_sign(request: HttpRequest, kind: str) -> HttpResponse:
    """Read the current text of one kind and sign it."""
    patient = _current_patient(request)
    text = selectors.current_consent_text(kind)
    if text is None:
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
                    ip_address=client_ip(request),
                    user_agent=_user_agent(request),
                    language=translation.get_language() or "",
                )
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Thank you: your consent is signed."))
                # Booking sends patients here with ?next=; only our own pages are followed.
                next_url = request.GET.get("next", "")
                if not url_has_allowed_host_and_scheme(
                    next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
                ):
                    next_url = reverse("patients:consents")
                return redirect(next_url)
    context = {"text": text, "form": form, "signature": signature}
    return _private(render(request, "patients/consent_sign.html", context))  # type: ignore[return-value]


@login_required
@require_GET
def consent_download(request: HttpRequest, pk: int) -> HttpResponse:
    """What the patient signed, as a plain-text document (another patient's: 404)."""
    patient = _current_patient(request)
    signature = get_object_or_404(
        ConsentSignature.objects.select_related("text"), pk=pk, patient=patient
    )
    response = HttpResponse(
        services.signed_text(signature), content_type="text/plain; charset=utf-8"
    )
    name = f"consent-{signature.kind}-v{signature.text_version}-{signature.signed_at:%Y%m%d}.txt"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _private(response)  # type: ignore[return-value]


@login_required
@require_http_methods(["GET", "POST"])
def photos(request: HttpRequest) -> HttpResponse:
    """The patient's photos of the areas to treat (and the clinic's before/after ones)."""
    patient = _current_patient(request)
    form = PhotoUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.upload_photo(
                patient=patient,
                upload=form.cleaned_data["image"],
                kind=Photo.Kind.AREA,
                uploaded_by=request.user,  # type: ignore[arg-type]
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Your photo is uploaded."))
            return redirect("patients:photos")
    context = {"form": form, "photos": selectors.photos_of(patient)}
    status = 400 if form.errors else 200
    return _private(render(request, "patients/photos.html", context, status=status))  # type: ignore[return-value]


@login_required
@require_POST
def photo_delete(request: HttpRequest, photo_uuid: str) -> HttpResponse:
    patient = _current_patient(request)
    photo = get_object_or_404(Photo, uuid=photo_uuid, patient=patient)
    try:
        services.delete_photo(photo=photo, by=request.user)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The photo is deleted."))
    return redirect("patients:photos")


@login_required
@require_GET
def photo_file(request: HttpRequest, photo_uuid: str, variant: str) -> HttpResponse:
    """A stored photo or its thumbnail, for its patient or clinicians (audited) only."""
    if variant not in ("full", "thumb"):
        raise Http404
    photo = get_object_or_404(Photo.objects.select_related("patient"), uuid=photo_uuid)
    user = request.user
    if photo.patient.user_id != user.pk:
        if not can_see_health_data(user):
            raise Http404  # receptionists and other patients never learn it exists
        services.record_access(
            actor=user,  # type: ignore[arg-type]
            patient=photo.patient,
            action=AuditEntry.Action.VIEW_PHOTO_FILE,
            detail=f"{variant} {photo.uuid}",
            ip_address=client_ip(request),
        )
    thumbnail = variant == "thumb"
    response = HttpResponse(
        services.read_photo_file(photo, thumbnail=thumbnail),
        content_type="image/jpeg" if thumbnail else photo.content_type,
    )
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return _private(response)  # type: ignore[return-value]


@login_required
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    patient = _current_patient(request)
    context = {"form": ErasureRequestForm(), "erasure": selectors.open_erasure_request(patient)}
    return _private(render(request, "patients/privacy.html", context))  # type: ignore[return-value]


@login_required
@require_GET
@never_cache
def privacy_export(request: HttpRequest) -> HttpResponse:
    """All the patient's data: JSON, signed texts and photos in one zip archive."""
    patient = _current_patient(request)
    response = HttpResponse(
        services.export_patient_data(patient=patient), content_type="application/zip"
    )
    name = f"my-data-{timezone.localdate():%Y%m%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _private(response)  # type: ignore[return-value]


@login_required
@require_POST
def privacy_erase(request: HttpRequest) -> HttpResponse:
    patient = _current_patient(request)
    form = ErasureRequestForm(request.POST)
    if not form.is_valid():
        context = {"form": form, "erasure": selectors.open_erasure_request(patient)}
        return render(request, "patients/privacy.html", context, status=400)
    services.request_erasure(patient=patient, note=form.cleaned_data["note"])
    messages.success(
        request,
        _(
            "We have your request. The clinic will erase your data "
            "and write to you when it is done."
        ),
    )
    return redirect("patients:privacy")


# --- staff pages -----------------------------------------------------------------------------


def _staff_patient(request: HttpRequest, patient_id: int, *, health: bool) -> PatientProfile:
    """The patient for a staff page; non-staff get 404, receptionists 403 on health data."""
    if not is_staff_member(request.user):
        raise Http404
    if health and not can_see_health_data(request.user):
        raise PermissionDenied
    return get_object_or_404(PatientProfile.objects.select_related("user"), pk=patient_id)


@login_required
@require_GET
def staff_patient_list(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        raise Http404
    query = request.GET.get("q", "").strip()[:100]
    patients = selectors.patients_for_staff(query=query)[:100]
    context = {"patients": patients, "query": query}
    return _private(render(request, "patients/staff/patient_list.html", context))  # type: ignore[return-value]


@login_required
@require_GET
def staff_patient(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Contact details and screening outcome: every staff role."""
    patient = _staff_patient(request, patient_id, health=False)
    health = can_see_health_data(request.user)
    if health:
        # Clinicians see the screening flags here, which come from the answers.
        services.record_access(
            actor=request.user,  # type: ignore[arg-type]
            patient=patient,
            action=AuditEntry.Action.VIEW_INTAKE,
            detail="overview: screening flags",
            ip_address=client_ip(request),
        )
    latest = selectors.latest_intake(patient)
    results = selectors.screened_catalogue(patient) if latest else None
    context = {
        "patient": patient,
        "intake_status": selectors.intake_status(patient),
        "results": results,
        "health": health,
        "consents": selectors.consent_overview(patient),
    }
    return _private(render(request, "patients/staff/patient.html", context))  # type: ignore[return-value]


def _answer_rows(answers: dict[str, Any]) -> list[tuple[Any, list[tuple[Any, str]]]]:
    """(section title, [(question, answer in words)]) for the staff intake page."""
    sections = []
    for group, title in GROUPS.items():
        rows = []
        for question in QUESTIONS.values():
            if question.group != group or question.key not in answers:
                continue
            rows.append((question, _answer_words(question, answers[question.key])))
        if rows:
            sections.append((title, rows))
    return sections


def _answer_words(question: Any, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if question.kind is Kind.BOOL:
        return _("Yes") if value else _("No")
    labels = dict(question.choices)
    if question.kind is Kind.MULTI_CHOICE:
        return ", ".join(str(labels.get(item, item)) for item in value)
    if question.kind is Kind.CHOICE:
        return str(labels.get(value, value))
    return str(value)


@login_required
@require_GET
def staff_intake(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's answers (latest or a chosen version) and the clinical review form."""
    patient = _staff_patient(request, patient_id, health=True)
    versions = list(selectors.intake_versions(patient))
    version = versions[0] if versions else None
    wanted = request.GET.get("version", "")
    if wanted.isdigit():
        version = next((v for v in versions if v.number == int(wanted)), None)
        if version is None:
            raise Http404
    services.record_access(
        actor=request.user,  # type: ignore[arg-type]
        patient=patient,
        action=AuditEntry.Action.VIEW_INTAKE,
        detail=f"v{version.number}" if version else "no intake",
        ip_address=client_ip(request),
    )
    form = None
    if versions:
        latest = versions[0]
        form = ClinicalReviewForm(
            initial={
                "fitzpatrick": latest.answers.get("fitzpatrick"),
                "scar_types": latest.answers.get("scar_types", []),
            }
        )
    context = {
        "patient": patient,
        "version": version,
        "versions": versions,
        "sections": _answer_rows(version.answers) if version else [],
        "form": form,
        "results": selectors.screened_catalogue(patient) if versions else None,
        "expires_on": selectors.intake_expires_on(versions[0]) if versions else None,
    }
    return _private(render(request, "patients/staff/intake.html", context))  # type: ignore[return-value]


@login_required
@require_POST
def staff_intake_review(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _staff_patient(request, patient_id, health=True)
    form = ClinicalReviewForm(request.POST)
    if form.is_valid():
        try:
            version = services.review_clinical_answers(
                patient=patient,
                practitioner=request.user,  # type: ignore[arg-type]
                fitzpatrick=form.cleaned_data["fitzpatrick"],
                scar_types=form.cleaned_data["scar_types"],
                reason=form.cleaned_data["reason"],
                ip_address=client_ip(request),
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                _("Saved as version %(number)s: %(source)s.")
                % {"number": version.number, "source": version.get_source_display()},
            )
            return redirect("patients:staff-intake", patient_id=patient.pk)
    versions = list(selectors.intake_versions(patient))
    context = {
        "patient": patient,
        "version": versions[0] if versions else None,
        "versions": versions,
        "sections": _answer_rows(versions[0].answers) if versions else [],
        "form": form,
        "results": None,
        "expires_on": selectors.intake_expires_on(versions[0]) if versions else None,
    }
    return render(request, "patients/staff/intake.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def staff_photos(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's photos; practitioners add before/after photos and compare two."""
    patient = _staff_patient(request, patient_id, health=True)
    form = PhotoUploadForm(request.POST or None, request.FILES or None, staff=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.upload_photo(
                patient=patient,
                upload=form.cleaned_data["image"],
                kind=form.cleaned_data["kind"],
                uploaded_by=request.user,  # type: ignore[arg-type]
                note=form.cleaned_data["note"],
                ip_address=client_ip(request),
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The photo is added."))
            return redirect("patients:staff-photos", patient_id=patient.pk)
    all_photos = list(selectors.photos_of(patient))
    by_uuid = {str(photo.uuid): photo for photo in all_photos}
    left = by_uuid.get(request.GET.get("left", ""))
    right = by_uuid.get(request.GET.get("right", ""))
    services.record_access(
        actor=request.user,  # type: ignore[arg-type]
        patient=patient,
        action=AuditEntry.Action.COMPARE_PHOTOS
        if left and right
        else AuditEntry.Action.VIEW_PHOTOS,
        detail=f"{left.uuid} / {right.uuid}" if left and right else f"{len(all_photos)} photos",
        ip_address=client_ip(request),
    )
    if left is None and right is None:
        # Default comparison: the latest "before" against the latest "after".
        left = next((p for p in all_photos if p.kind == Photo.Kind.BEFORE), None)
        right = next((p for p in all_photos if p.kind == Photo.Kind.AFTER), None)
    context = {
        "patient": patient,
        "photos": all_photos,
        "form": form,
        "left": left,
        "right": right,
    }
    status = 400 if form.errors else 200
    return _private(render(request, "patients/staff/photos.html", context, status=status))  # type: ignore[return-value]
