"""The staff pages of the treatment record (namespace `treatment`, under /admin/treatment/).

Who sees what, decided first in every view: charts, events and the lots a patient
received are health data, for practitioners and managers (403 for anyone else);
the lot search, the recall and the events report are managers' too. Every page
that shows a patient's record writes an audit row. A refusal of a service
(`DomainError`) becomes a form error or a message, never a 500. The pages are
thin: parse, call one service, show the result.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.http import SignedInRequest, admin_page
from clinic.roles import Role, role_required
from patients.models import (
    AdverseEvent,
    Appointment,
    AuditEntry,
    ProductLot,
    ProductUsage,
    TreatmentVisit,
)
from procedures.errors import DomainError

from . import adapters, forms, reports, selectors, services
from .services import signing

CLINICIANS = Role.PRACTITIONER  # practitioners and managers: `role_required` lets managers in


def _page(
    request: SignedInRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return admin_page(request, f"patients/treatment/{template}", context, status, sidebar=False)


def _audit(request: SignedInRequest, patient: Any, action: str, detail: str) -> None:
    adapters.record_access(
        actor=request.user, patient=patient, action=action, detail=detail, request=request
    )


def _appointment(appointment_id: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("patient__user", "procedure", "practitioner__user"),
        pk=appointment_id,
    )


def _message(request: SignedInRequest, error: DomainError) -> None:
    messages.error(request, str(error.message))


def _form_error(form: Any, error: DomainError) -> None:
    name = error.field if error.field in form.fields else None
    form.add_error(name, str(error.message))


# --- the chart -------------------------------------------------------------------------------


def _chart_context(
    request: SignedInRequest,
    appointment: Appointment,
    visit: Any,
    *,
    data: Any = None,
    errors: Any = None,
    **forms_given: Any,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "appointment": appointment,
        "visit": visit,
        "title": _("Treatment chart"),
    }
    if visit is None:
        return context
    problems = [] if visit.is_signed else signing.signing_problems(visit)
    context.update(
        treatments=[
            forms.treatment_view(t, data=data, errors=errors) for t in visit.procedures.all()
        ],
        precare=forms.precare_view(visit, data),
        posted=data,
        choices=forms.VISIT_CHOICES,
        usages=list(visit.product_usages.all()),
        addenda=list(visit.addenda.all()),
        events=list(appointment.adverse_events.all()),
        problems=problems,
        can_sign=not problems and not visit.is_signed,
        lot_form=forms_given.get("lot_form") or forms.LotUseForm(visit=visit),
        procedure_form=forms_given.get("procedure_form") or forms.AddProcedureForm(visit=visit),
        addendum_form=forms_given.get("addendum_form") or forms.AddendumForm(),
        event_form=forms_given.get("event_form") or forms.EventForm(),
        has_errors=bool(errors),
    )
    return context


@require_http_methods(["GET", "POST"])
@role_required(CLINICIANS)
def chart(request: SignedInRequest, appointment_id: int) -> HttpResponse:
    """The chart of an appointment: shown, saved (and signed) in one form."""
    appointment = _appointment(appointment_id)
    visit = selectors.chart_for_appointment(appointment)
    if visit is not None:
        _audit(request, appointment.patient, AuditEntry.Action.VIEW_CHART, f"chart #{visit.pk}")
    if request.method == "POST":
        if visit is None:
            raise PermissionDenied
        details, entries = forms.parse_chart(visit, request.POST)
        try:
            services.save_chart(visit=visit, by=request.user, details=details, entries=entries)
            if "sign" in request.POST:
                visit = _visit_or_404(appointment)
                services.sign_chart(visit=visit, by=request.user)
                messages.success(request, _("The chart is signed."))
            else:
                messages.success(request, _("The chart is saved."))
        except services.ChartErrors as error:
            context = _chart_context(
                request, appointment, visit, data=request.POST, errors=error.errors
            )
            return _page(request, "chart.html", context, status=400)
        except DomainError as error:
            _message(request, error)
            context = _chart_context(request, appointment, visit, data=request.POST)
            return _page(request, "chart.html", context, status=400)
        return redirect("treatment:chart", appointment_id=appointment.pk)
    return _page(request, "chart.html", _chart_context(request, appointment, visit))


@require_POST
@role_required(CLINICIANS)
def chart_open(request: SignedInRequest, appointment_id: int) -> HttpResponse:
    appointment = _appointment(appointment_id)
    try:
        services.open_chart(appointment=appointment, by=request.user)
    except DomainError as error:
        _message(request, error)
    return redirect("treatment:chart", appointment_id=appointment.pk)


def _visit_or_404(appointment: Appointment) -> TreatmentVisit:
    visit = selectors.chart_for_appointment(appointment)
    if visit is None:
        raise PermissionDenied
    return visit


def _chart_form_post(
    request: SignedInRequest, appointment_id: int, form_name: str, form: Any, act: Any
) -> HttpResponse:
    appointment = _appointment(appointment_id)
    visit = _visit_or_404(appointment)
    bound = (
        form(request.POST, visit=visit)
        if form_name in ("lot_form", "procedure_form")
        else form(request.POST)
    )
    if bound.is_valid():
        try:
            act(visit, bound.cleaned_data)
        except DomainError as error:
            _form_error(bound, error)
        else:
            return redirect("treatment:chart", appointment_id=appointment.pk)
    _audit(request, appointment.patient, AuditEntry.Action.VIEW_CHART, f"chart #{visit.pk}")
    context = _chart_context(request, appointment, visit, **{form_name: bound})
    return _page(request, "chart.html", context, status=400)


@require_POST
@role_required(CLINICIANS)
def chart_add_procedure(request: SignedInRequest, appointment_id: int) -> HttpResponse:
    return _chart_form_post(
        request,
        appointment_id,
        "procedure_form",
        forms.AddProcedureForm,
        lambda visit, data: services.add_procedure(
            visit=visit, procedure=data["procedure"], by=request.user
        ),
    )


def _use_lot(request: SignedInRequest, visit: Any, data: dict[str, Any]) -> None:
    lot = data.get("lot") or services.find_lot(lot_number=data.get("lot_number", ""))
    treatment = next((t for t in visit.procedures.all() if t.pk == data.get("treatment")), None)
    services.use_lot(
        visit=visit,
        lot=lot,
        amount=data["amount"],
        by=request.user,
        purpose=data["purpose"],
        zone=data.get("zone") or "",
        treatment=treatment,
    )


@require_POST
@role_required(CLINICIANS)
def chart_use_lot(request: SignedInRequest, appointment_id: int) -> HttpResponse:
    return _chart_form_post(
        request,
        appointment_id,
        "lot_form",
        forms.LotUseForm,
        lambda visit, data: _use_lot(request, visit, data),
    )


@require_POST
@role_required(CLINICIANS)
def chart_remove_lot(request: SignedInRequest, appointment_id: int, usage_id: int) -> HttpResponse:
    usage = get_object_or_404(ProductUsage, pk=usage_id, visit__appointment_id=appointment_id)
    try:
        services.remove_lot_usage(usage=usage, by=request.user)
    except DomainError as error:
        _message(request, error)
    return redirect("treatment:chart", appointment_id=appointment_id)


@require_POST
@role_required(CLINICIANS)
def chart_addendum(request: SignedInRequest, appointment_id: int) -> HttpResponse:
    return _chart_form_post(
        request,
        appointment_id,
        "addendum_form",
        forms.AddendumForm,
        lambda visit, data: services.add_addendum(visit=visit, by=request.user, **data),
    )


@require_POST
@role_required(CLINICIANS)
def chart_event(request: SignedInRequest, appointment_id: int) -> HttpResponse:
    return _chart_form_post(
        request,
        appointment_id,
        "event_form",
        forms.EventForm,
        lambda visit, data: services.record_adverse_event(
            appointment=visit.appointment, by=request.user, **data
        ),
    )


# --- adverse events --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(CLINICIANS)
def event_detail(request: SignedInRequest, event_id: int) -> HttpResponse:
    """One event: triage a patient's report, then follow it up to its outcome."""
    event = get_object_or_404(
        AdverseEvent.objects.select_related(
            "patient__user", "appointment", "assigned_to", "triaged_by"
        ),
        pk=event_id,
    )
    _audit(request, event.patient, AuditEntry.Action.VIEW_ADVERSE_EVENT, f"event #{event.pk}")
    is_new = event.status == AdverseEvent.Status.NEW
    form_class = forms.TriageForm if is_new else forms.FollowUpForm
    form = form_class(
        request.POST or None,
        initial={"treatment_given": event.treatment_given, "outcome": event.outcome},
    )
    if request.method == "POST" and form.is_valid():
        try:
            if is_new:
                services.triage_event(event=event, by=request.user, **form.cleaned_data)
            else:
                services.update_event(event=event, by=request.user, **form.cleaned_data)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The event is updated."))
            return redirect("treatment:event", event_id=event.pk)
    context = {
        "event": event,
        "form": form,
        "photos": [link.photo for link in event.photo_links.select_related("photo")],
        "visit": selectors.chart_for_appointment(event.appointment_id),
        "title": _("Adverse event"),
    }
    return _page(request, "event.html", context, status=400 if form.errors else 200)


# --- lots -------------------------------------------------------------------------------------


@require_GET
@role_required(Role.MANAGER)
def lot_search(request: SignedInRequest) -> HttpResponse:
    """Find a lot by its number or product, to see who received it."""
    query = request.GET.get("q", "")[:60]
    return _page(
        request,
        "lots.html",
        {"query": query, "lots": selectors.find_lots(query)[:50], "title": _("Lot search")},
    )


def _lot(lot_id: int) -> ProductLot:
    return get_object_or_404(ProductLot.objects.select_related("product"), pk=lot_id)


def _audit_recipients(
    request: SignedInRequest, lot: ProductLot, recipients: list[Any], action: str
) -> None:
    """One audit row per patient whose record the lot page shows (one insert)."""
    adapters.record_access(
        actor=request.user,
        patient_ids=[recipient.patient_id for recipient in recipients],
        action=action,
        detail=f"lot #{lot.pk} {lot.lot_number}",
        request=request,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def lot_detail(request: SignedInRequest, lot_id: int) -> HttpResponse:
    """Every session, patient and amount of one lot, with the recall action."""
    lot = _lot(lot_id)
    form = forms.RecallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _recall, recipients = services.recall_lot(
                lot=lot, by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The lot is recalled; its patients are being told."))
            return redirect("treatment:lot", lot_id=lot.pk)
    recipients = selectors.lot_recipients(lot)
    _audit_recipients(request, lot, recipients, AuditEntry.Action.VIEW_LOT_RECIPIENTS)
    recall = getattr(lot, "recall", None)
    context = {
        "lot": lot,
        "recipients": recipients,
        "form": form,
        "recall": recall,
        "title": _("Who received this lot"),
    }
    return _page(request, "lot.html", context, status=400 if form.errors else 200)


@require_GET
@role_required(Role.MANAGER)
def lot_csv(request: SignedInRequest, lot_id: int) -> HttpResponse:
    lot = _lot(lot_id)
    _audit_recipients(
        request, lot, selectors.lot_recipients(lot), AuditEntry.Action.EXPORT_LOT_RECIPIENTS
    )
    response = HttpResponse(
        selectors.lot_recipients_csv(lot), content_type="text/csv; charset=utf-8"
    )
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in lot.lot_number)
    response["Content-Disposition"] = f'attachment; filename="lot-{safe}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- the manager's report --------------------------------------------------------------------


@require_GET
@role_required(Role.MANAGER)
def events_report(request: SignedInRequest) -> HttpResponse:
    """Adverse events by procedure, device, lot and practitioner, per 100 sessions."""
    form = forms.PeriodForm(request.GET or None)
    start, end = form.period()
    report = reports.events_report(start=start, end=end)
    sections = [
        (_("By procedure"), report.by_procedure),
        (_("By device"), report.by_device),
        (_("By product lot"), report.by_lot),
        (_("By practitioner"), report.by_practitioner),
    ]
    context = {
        "form": form,
        "start": start,
        "end": end,
        "report": report,
        "sections": sections,
        "title": _("Adverse events"),
    }
    return _page(request, "report.html", context)
