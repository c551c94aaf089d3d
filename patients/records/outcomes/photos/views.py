"""The staff pages of the session photos (namespace `session-photos`, under /admin/session-photos/).

Who sees what, decided first: session photos are health data, for practitioners and
managers (the chart's people; 403 for anyone else). Opening a page writes an audit
row, and every photo file it shows is audited again by the photo view. A refusal
(`DomainError`) is a form error, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clinic.http import SignedInRequest, admin_page, client_address
from clinic.roles import Role, role_required
from patients.models import Appointment, AuditEntry, PatientProfile
from patients.records.forms import add_domain_error
from patients.records.services.audit import record_access
from procedures.errors import DomainError

from .forms import SessionPhotoForm
from .pages import comparison_context
from .selectors import capture_slots, session_views
from .services import take_session_photo

CLINICIANS = Role.PRACTITIONER  # practitioners and managers: `role_required` lets managers in


def _page(
    request: SignedInRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return admin_page(request, f"patients/outcomes/{template}", context, status, sidebar=False)


def _audit(request: SignedInRequest, patient: PatientProfile, detail: str) -> None:
    record_access(
        actor=request.user,
        patient=patient,
        action=AuditEntry.Action.VIEW_PHOTOS,
        detail=detail,
        ip_address=client_address(request),
    )


@require_http_methods(["GET", "POST"])
@role_required(CLINICIANS)
def capture(request: SignedInRequest, appointment_id: int) -> HttpResponse:
    """The session's views, each with its camera input and the previous session's ghost."""
    appointment = get_object_or_404(
        Appointment.objects.select_related("patient__user", "procedure", "practitioner__user"),
        pk=appointment_id,
    )
    views, _required = session_views(appointment)
    form = SessionPhotoForm(request.POST or None, request.FILES or None, views=views)
    if request.method == "POST" and form.is_valid():
        try:
            take_session_photo(
                appointment=appointment,
                view=form.cleaned_data["view"],
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["image"],
                by=request.user,
                ip_address=client_address(request),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("The photo is uploaded. It shows here once it is processed.")
            )
            return redirect("session-photos:capture", appointment_id=appointment.pk)
    _audit(request, appointment.patient, f"session photos #{appointment.pk}")
    context = {
        "appointment": appointment,
        "slots": capture_slots(appointment),
        "form": form,
        "title": _("Session photos"),
    }
    return _page(request, "capture.html", context, status=400 if form.errors else 200)


@require_GET
@role_required(CLINICIANS)
def compare(request: SignedInRequest, patient_id: int) -> HttpResponse:
    """Two sessions of the patient, view by view (the first and the latest by default)."""
    patient = get_object_or_404(PatientProfile.objects.select_related("user"), pk=patient_id)
    context: dict[str, Any] = {"patient": patient, "title": _("Compare sessions"), "error": None}
    try:
        context.update(comparison_context(patient, request.GET))
    except DomainError as error:
        context["error"] = error
        return _page(request, "compare.html", context, status=400)
    _audit(request, patient, "comparison")
    return _page(request, "compare.html", context)
