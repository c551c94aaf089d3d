"""The grading page of a visit (namespace `grading`, under /admin/outcomes/grading/).

Who sees what, decided first: a grading is health data, for practitioners and
managers (403 for a receptionist; the admin's login keeps patients out). The page
belongs to an appointment's chart, the consultation's as much as a session's; an
appointment without a chart has no grading page (404) - the chart page opens the
chart. Every read writes an audit row. A refusal of the service becomes a form error
on the field it names (400), never a 500. After a save the page shows the computed
score and its worked sum.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinic.http import SignedInRequest, admin_page
from clinic.roles import Role, role_required
from patients.models import Appointment, AuditEntry, ScarGrade, TreatmentVisit
from patients.records.treatment import adapters
from procedures.errors import DomainError

from . import selectors, services
from .goodman_baron import GRADE_DESCRIPTIONS, MAXIMUM_SCORE
from .grading_forms import GradingForm

CLINICIANS = Role.PRACTITIONER  # practitioners and managers: `role_required` lets managers in
TEMPLATE = "patients/outcomes/grading.html"


def _visit(appointment_id: int) -> TreatmentVisit:
    appointment = get_object_or_404(
        Appointment.objects.select_related("patient__user", "procedure"), pk=appointment_id
    )
    visit = (
        TreatmentVisit.objects.select_related("patient__user")
        .filter(appointment=appointment)
        .first()
    )
    if visit is None:
        raise Http404
    visit.appointment = appointment
    return visit


def _context(visit: TreatmentVisit, form: GradingForm, grading: Any) -> dict[str, Any]:
    return {
        "title": _("Scar grading"),
        "visit": visit,
        "appointment": visit.appointment,
        "grading": grading,
        "score": selectors.worked_sum(grading) if grading is not None else None,
        "maximum_score": MAXIMUM_SCORE,
        "form": form,
        "grades": [(grade, GRADE_DESCRIPTIONS[grade]) for grade in ScarGrade.values],
        "readonly": visit.is_signed,
    }


@require_http_methods(["GET", "POST"])
@role_required(CLINICIANS)
def grading(request: SignedInRequest, appointment_id: int) -> HttpResponse:
    """The grading form of the appointment's chart, with the stored score and its sum."""
    visit = _visit(appointment_id)
    adapters.record_access(
        actor=request.user,
        patient=visit.patient,
        action=AuditEntry.Action.VIEW_CHART,
        detail=f"grading of chart #{visit.pk}",
        request=request,
    )
    scar_types = services.scar_types_seen(visit)
    has_intake = scar_types is not None
    if request.method == "POST":
        form = GradingForm(request.POST, has_intake=has_intake)
        if form.is_valid():
            try:
                services.grade_visit(
                    visit=visit,
                    by=request.user,
                    overall_grade=form.cleaned_data["overall_grade"],
                    zone_grades=form.zone_grades(),
                    counts=form.counts(),
                    keloidal_area_cm2=form.cleaned_data.get("keloidal_area_cm2") or 0,
                    scar_types=form.cleaned_data.get("scar_types") if has_intake else None,
                    scar_types_reason=form.cleaned_data.get("scar_types_reason", ""),
                )
            except DomainError as error:
                field = error.field if error.field in form.fields else None
                form.add_error(field, str(error.message))
            else:
                messages.success(request, _("The grading is saved."))
                return redirect("grading:visit", appointment_id=appointment_id)
        context = _context(visit, form, selectors.grading_of_visit(visit))
        return admin_page(request, TEMPLATE, context, status=400, sidebar=False)
    stored = selectors.grading_of_visit(visit)
    form = GradingForm(initial=GradingForm.initial_for(stored, scar_types), has_intake=has_intake)
    return admin_page(request, TEMPLATE, _context(visit, form, stored), sidebar=False)
