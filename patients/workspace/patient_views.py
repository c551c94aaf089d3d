"""The staff pages about one patient (`/staff/patients/...`).

Who sees what, decided first in every view: these pages are for staff only
(anyone else gets a 404, so patients never learn they exist); receptionists see
the list, contact details and the screening outcome (ok / review / blocked,
never the reasons, which reveal answers), and the intake and photos pages answer
them 403; practitioners and managers see answers, photos and flags, and every
time they open a patient's intake or photos an audit row is written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import patients.messaging as messaging
from clinic.http import SignedInRequest, client_address, no_store
from clinic.roles import can_see_health_data, is_staff_member
from patients.messaging.selectors import messages_of
from patients.models import AuditEntry, PatientProfile, Photo
from patients.records import selectors, services
from patients.records.forms import ClinicalReviewForm, PhotoUploadForm, add_domain_error
from patients.records.message_forms import MessagePreferencesForm
from procedures.errors import DomainError
from procedures.intake import GROUPS, QUESTIONS, Kind


def _staff_patient(request: SignedInRequest, patient_id: int, *, health: bool) -> PatientProfile:
    """The patient for a staff page; non-staff get 404, receptionists 403 on health data."""
    if not is_staff_member(request.user):
        raise Http404
    if health and not can_see_health_data(request.user):
        raise PermissionDenied
    return get_object_or_404(PatientProfile.objects.select_related("user"), pk=patient_id)


@login_required
@no_store
@require_GET
def staff_patient_list(request: SignedInRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        raise Http404
    query = request.GET.get("q", "").strip()[:100]
    patients = selectors.patients_for_staff(query=query)[:100]
    context = {"patients": patients, "query": query}
    return render(request, "patients/staff/patient_list.html", context)


@login_required
@no_store
@require_GET
def staff_patient(request: SignedInRequest, patient_id: int) -> HttpResponse:
    """Contact details and screening outcome: every staff role."""
    patient = _staff_patient(request, patient_id, health=False)
    health = can_see_health_data(request.user)
    if health:
        # Clinicians see the screening flags here, which come from the answers.
        services.record_access(
            actor=request.user,
            patient=patient,
            action=AuditEntry.Action.VIEW_INTAKE,
            detail="overview: screening flags",
            ip_address=client_address(request),
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
    return render(request, "patients/staff/patient.html", context)


@login_required
@no_store
@require_http_methods(["GET", "POST"])
def staff_message_preferences(request: SignedInRequest, patient_id: int) -> HttpResponse:
    """The desk sets how a patient's messages go (e-mail, SMS), as the patient would."""
    patient = _staff_patient(request, patient_id, health=False)
    form = MessagePreferencesForm(
        request.POST or None, initial=services.current_message_preferences(patient)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_message_preferences(patient=patient, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The patient's message settings are saved."))
            return redirect("patients:staff-patient", patient_id=patient.pk)
    context = {"form": form, "patient": patient, "health": can_see_health_data(request.user)}
    return render(request, "patients/staff/message_preferences.html", context)


@login_required
@no_store
@require_GET
def staff_messages(request: SignedInRequest, patient_id: int) -> HttpResponse:
    """The patient's messages as the patient sees them, cancelled ones too: every staff role.

    No health detail here (the kinds and times only), so receptionists see it as well.
    """
    patient = _staff_patient(request, patient_id, health=False)
    context = {
        "patient": patient,
        "outbox": messages_of(patient, include_cancelled=True)[:200],
        "health": can_see_health_data(request.user),
    }
    return render(request, "patients/staff/messages.html", context)


@login_required
@require_POST
def staff_email_works(request: SignedInRequest, patient_id: int) -> HttpResponse:
    """The desk confirms the patient's address works again (it bounced before)."""
    patient = _staff_patient(request, patient_id, health=False)
    messaging.email_works_again(patient=patient)
    messages.success(request, _("The e-mail address is marked as working again."))
    return redirect("patients:staff-patient", patient_id=patient.pk)


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
@no_store
@require_GET
def staff_intake(request: SignedInRequest, patient_id: int) -> HttpResponse:
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
        actor=request.user,
        patient=patient,
        action=AuditEntry.Action.VIEW_INTAKE,
        detail=f"v{version.number}" if version else "no intake",
        ip_address=client_address(request),
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
    return render(request, "patients/staff/intake.html", context)


@login_required
@no_store
@require_POST
def staff_intake_review(request: SignedInRequest, patient_id: int) -> HttpResponse:
    patient = _staff_patient(request, patient_id, health=True)
    form = ClinicalReviewForm(request.POST)
    if form.is_valid():
        try:
            version = services.review_clinical_answers(
                patient=patient,
                practitioner=request.user,
                fitzpatrick=form.cleaned_data["fitzpatrick"],
                scar_types=form.cleaned_data["scar_types"],
                reason=form.cleaned_data["reason"],
                ip_address=client_address(request),
            )
        except DomainError as error:
            add_domain_error(form, error)
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
@no_store
@require_http_methods(["GET", "POST"])
def staff_photos(request: SignedInRequest, patient_id: int) -> HttpResponse:
    """The patient's photos; practitioners add before/after photos and compare two."""
    patient = _staff_patient(request, patient_id, health=True)
    form = PhotoUploadForm(request.POST or None, request.FILES or None, staff=True)
    retry_after = None
    if request.method == "POST" and form.is_valid():
        try:
            services.upload_photo(
                patient=patient,
                upload=form.cleaned_data["image"],
                kind=form.cleaned_data["kind"],
                uploaded_by=request.user,
                note=form.cleaned_data["note"],
                ip_address=client_address(request),
            )
        except services.TooManyUploads as error:
            add_domain_error(form, error)
            retry_after = error.retry_after
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The photo is added. It shows here once it is processed."))
            return redirect("patients:staff-photos", patient_id=patient.pk)
    all_photos = list(selectors.photos_of(patient))
    # Only pictures the worker has finished can be compared.
    by_uuid = {str(photo.uuid): photo for photo in all_photos if photo.is_ready}
    left = by_uuid.get(request.GET.get("left", ""))
    right = by_uuid.get(request.GET.get("right", ""))
    services.record_access(
        actor=request.user,
        patient=patient,
        action=AuditEntry.Action.COMPARE_PHOTOS
        if left and right
        else AuditEntry.Action.VIEW_PHOTOS,
        detail=f"{left.uuid} / {right.uuid}" if left and right else f"{len(all_photos)} photos",
        ip_address=client_address(request),
    )
    if left is None and right is None:
        # Default comparison: the latest "before" against the latest "after".
        left = next((p for p in by_uuid.values() if p.kind == Photo.Kind.BEFORE), None)
        right = next((p for p in by_uuid.values() if p.kind == Photo.Kind.AFTER), None)
    context = {
        "patient": patient,
        "photos": all_photos,
        "form": form,
        "left": left,
        "right": right,
    }
    status = 429 if retry_after else 400 if form.errors else 200
    response = render(request, "patients/staff/photos.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
