"""The staff workspace inside the admin (namespace `workspace`, under /admin/workspace/).

Who sees what, decided first in every view (the admin's login keeps everybody
who is not staff out; a role that may not use a page gets 403):
- the schedule and its actions (book from a free cell, open, move, cancel):
  receptionists and managers;
- the review queue and its decisions, the day sheet: practitioners and managers;
- the dashboard and the outcomes report (`patients.workspace.outcomes`): managers.
Every action calls a booking or review service, so screening, windows and the
no-overlap rule hold; a refusal (`DomainError`: slot taken, screening blocked...)
is shown as a message, never a 500. Opening a review shows intake answers and
photos: both are written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import ModelChoiceField
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.availability import clinic_zone, local_date
from clinic.edges import LATEST_DAY
from clinic.http import SignedInRequest, admin_page, client_address
from clinic.models import Practitioner
from clinic.roles import Role, can_see_health_data, has_role, role_required
from patients.booking.selectors import procedures_on_day
from patients.booking.services import (
    MOVABLE,
    approve_booking_review,
    ask_intake_update,
    book_appointment,
    cancel_appointment,
    check_in,
    complete_appointment,
    decline_booking_review,
    move_appointment,
)
from patients.models import Appointment, AuditEntry, PatientProfile
from patients.records import selectors, services
from patients.records.outcomes.progress import Progress, progress_for_patients, progress_of
from patients.records.treatment.selectors import (
    chart_states,
    events_to_triage,
    lots_needing_attention,
    signed_appointment_ids,
)
from patients.workspace.forms import (
    CalendarBookForm,
    CalendarForm,
    CancelWithReasonForm,
    DaySheetForm,
    MoveForm,
    ReviewDecisionForm,
    combine,
)
from patients.workspace.selectors import (
    BY_PRACTITIONER,
    answers_read,
    calendar_grid,
    course_history_of,
    current_findings,
    dashboard,
    day_sheet,
    findings,
    is_overdue_for_review,
    latest_photos,
    recorded_findings,
    review_queue,
)
from procedures.errors import DomainError
from procedures.models import Procedure

# Appointments still to come: screened again whenever a page shows them.
TO_COME = (Appointment.Status.CONFIRMED, Appointment.Status.PENDING_REVIEW)

PATIENTS_SHOWN = 20


def _page(
    request: SignedInRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """A workspace page: the admin's look, and the links this user may follow."""
    context = {"workspace_nav": workspace_nav(request), **context}
    return admin_page(request, f"patients/workspace/{template}", context, status)


def workspace_nav(request: SignedInRequest) -> list[tuple[str, str]]:
    """The workspace pages this user may open: (url, label)."""
    user = request.user
    links = []
    if has_role(user, Role.RECEPTIONIST):
        links.append((reverse("workspace:calendar"), _("Schedule")))
        links.append((reverse("admin:patients_appointment_changelist"), _("Appointments")))
        links.append((reverse("workspace:unconfirmed"), _("Tomorrow, not confirmed")))
    if has_role(user, Role.PRACTITIONER):
        links.append((reverse("workspace:reviews"), _("Review queue")))
        links.append((reverse("workspace:day-sheet"), _("Day sheet")))
    if has_role(user, Role.MANAGER):
        links.append((reverse("workspace:dashboard"), _("Dashboard")))
        links.append((reverse("gallery:index"), _("Before/after gallery")))
        links.append((reverse("workspace:outcomes"), _("Outcomes")))
    return links


def _appointment(appointment_id: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related(
            "patient__user", "procedure", "practitioner__user", "room"
        ),
        pk=appointment_id,
    )


def _calendar_url(day: dt.date, **extra: Any) -> str:
    return f"{reverse('workspace:calendar')}?{urlencode({'date': day.isoformat(), **extra})}"


@require_GET
def workspace_home(request: SignedInRequest) -> HttpResponse:
    """The first workspace page this staff member may open."""
    links = workspace_nav(request)
    if not links:
        raise PermissionDenied
    return redirect(links[0][0])


# --- the schedule -------------------------------------------------------------------------


@require_GET
@role_required(Role.RECEPTIONIST)
def calendar(request: SignedInRequest) -> HttpResponse:
    """Day (every practitioner or room) or week (one of them) on the booking grid."""
    form = CalendarForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    # A bad date (say 0001-01-01) shows today with the error on the field, as a 400.
    status = 400 if form.is_bound and form.errors else 200
    day = data.get("date") or timezone.localdate()
    view = data.get("view") or "day"
    by = data.get("by") or BY_PRACTITIONER
    days = 7 if view == "week" else 1
    if view == "week":
        day = day - dt.timedelta(days=day.weekday())
    grid = calendar_grid(day=day, days=days, by=by, resource_id=data.get("resource"))
    step = dt.timedelta(days=days)
    base = {"view": view, "by": by}
    if data.get("resource"):
        base["resource"] = data["resource"]
    context = {
        "title": _("Schedule"),
        "form": form,
        "grid": grid,
        "day": day,
        "view": view,
        "by": by,
        "previous_url": _calendar_url(day - step, **base),
        "next_url": _calendar_url(day + step, **base),
        "today_url": _calendar_url(timezone.localdate(), **base),
        "statuses": Appointment.Status,
    }
    return _page(request, "calendar.html", context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.RECEPTIONIST)
def calendar_book(request: SignedInRequest) -> HttpResponse:
    """Book from a free cell: find the patient, choose the procedure, book through the service."""
    query = (request.GET.get("q") or "").strip()
    shown = list(selectors.patients_for_staff(query=query)[:PATIENTS_SHOWN]) if query else []
    cell = {key: request.GET.get(key, "") for key in ("date", "time", "practitioner", "room")}
    status = 200
    form = CalendarBookForm(request.POST or None, initial=cell)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            start = combine(data["date"], data["time"], clinic_zone())
            try:
                appointment = book_appointment(
                    patient=data["patient"],
                    procedure=data["procedure"],
                    start=start,
                    practitioner=data["practitioner"],
                    booked_by=request.user,
                    channel=Appointment.Channel.DESK,
                )
            except DomainError as error:
                messages.error(request, str(error.message))
                status = error.http_status
            else:
                messages.success(
                    request,
                    _("Booked: %(appointment)s for %(patient)s.")
                    % {"appointment": appointment, "patient": appointment.patient},
                )
                return redirect(_calendar_url(data["date"]))
            shown = [data["patient"]]
        else:
            status = 400
    # The patient first: only what screening allows them on the cell's day is offered
    # (a post of anything else is still screened by the booking service).
    chosen = _chosen_patient(request, shown)
    day = _cell_day(request.POST.get("date") or cell["date"])
    on_day = procedures_on_day(chosen, day) if chosen is not None and day else None
    if on_day is not None:
        allowed = [procedure.pk for procedure in on_day.allowed]
        procedure_field = cast(ModelChoiceField, form.fields["procedure"])
        procedure_field.queryset = Procedure.objects.filter(pk__in=allowed)
    context = {
        "title": _("Book from the schedule"),
        "form": form,
        "query": query,
        "patients": shown,
        "cell": cell,
        "chosen_patient": str(form["patient"].value() or (chosen.pk if chosen else "")),
        "chosen": chosen,
        "on_day": on_day,
    }
    return _page(request, "calendar_book.html", context, status=status)


def _cell_day(value: str) -> dt.date | None:
    """The cell's day when it is one a booking could take (today or later), else None."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if timezone.localdate() <= day <= LATEST_DAY else None


def _chosen_patient(request: SignedInRequest, shown: list[PatientProfile]) -> PatientProfile | None:
    """The patient the schedule books for: chosen from the search, or the only match."""
    wanted = request.POST.get("patient") or request.GET.get("patient")
    if wanted and wanted.isdigit():
        return selectors.patients_for_staff(query="").filter(pk=int(wanted)).first()
    return shown[0] if len(shown) == 1 else None


@require_GET
@role_required(Role.RECEPTIONIST, Role.PRACTITIONER)
def appointment_detail(request: SignedInRequest, appointment_id: int) -> HttpResponse:
    """One appointment: its details, history and (for the desk) the move and cancel forms.

    Practitioners open it from the day sheet too (issue #20); moving and cancelling
    stay the desk's.
    """
    appointment = _appointment(appointment_id)
    local = appointment.start.astimezone(clinic_zone())
    if can_see_health_data(request.user):  # the desk is shown no rule codes, so no row
        services.record_screening_seen(
            actor=request.user,
            appointments=[appointment],
            where="appointment page",
            ip_address=client_address(request),
        )
    desk = has_role(request.user, Role.RECEPTIONIST)
    context = {
        "title": str(appointment),
        "appointment": appointment,
        "changes": appointment.status_changes.select_related("by").order_by("at", "pk"),
        "move_form": MoveForm(
            initial={
                "date": local.date(),
                "time": local.time(),
                "practitioner": appointment.practitioner_id,
            }
        ),
        "cancel_form": CancelWithReasonForm(),
        "movable": desk and appointment.status in MOVABLE,
        "active": desk and appointment.is_active,
        "chart_signed": appointment.pk in signed_appointment_ids([appointment.pk]),
        # Managers (clinicians too) open the chart from the schedule; receptionists never.
        "can_chart": can_see_health_data(request.user)
        and appointment.status in (Appointment.Status.CHECKED_IN, Appointment.Status.COMPLETED),
    }
    return _page(request, "appointment.html", context)


@require_POST
@role_required(Role.RECEPTIONIST)
def appointment_move(request: SignedInRequest, appointment_id: int) -> HttpResponse:
    """Move through `move_appointment` (re-screened, same slot checks)."""
    appointment = _appointment(appointment_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("workspace:appointment", appointment_id=appointment.pk)
    data = form.cleaned_data
    start = combine(data["date"], data["time"], clinic_zone())
    try:
        appointment = move_appointment(
            appointment=appointment,
            start=start,
            practitioner=data["practitioner"],
            by=request.user,
        )
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("workspace:appointment", appointment_id=appointment.pk)
    messages.success(request, _("Moved: %(appointment)s.") % {"appointment": appointment})
    return redirect(_calendar_url(data["date"]))


@require_POST
@role_required(Role.RECEPTIONIST)
def appointment_cancel(request: SignedInRequest, appointment_id: int) -> HttpResponse:
    """Cancel through `cancel_appointment`, with the reason the patient is told."""
    appointment = _appointment(appointment_id)
    form = CancelWithReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the appointment is cancelled."))
        return redirect("workspace:appointment", appointment_id=appointment.pk)
    try:
        appointment = cancel_appointment(
            appointment=appointment,
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("workspace:appointment", appointment_id=appointment.pk)
    messages.success(request, _("Cancelled: %(appointment)s.") % {"appointment": appointment})
    return redirect(_calendar_url(local_date(appointment.start)))


# --- reviews ------------------------------------------------------------------------------


@require_GET
@role_required(Role.PRACTITIONER)
def review_list(request: SignedInRequest) -> HttpResponse:
    """Every pending review with the codes that fired; the long-waiting ones highlighted."""
    now = timezone.now()
    rows = [
        {
            "appointment": appointment,
            "findings": recorded_findings(appointment),
            "overdue": is_overdue_for_review(appointment, now=now),
            "waiting": now - appointment.created_at,
        }
        for appointment in review_queue()
    ]
    services.record_screening_seen(
        actor=request.user,
        appointments=[row["appointment"] for row in rows],
        where="review queue",
        ip_address=client_address(request),
    )
    # Patients' problem reports come first: the practitioner's own, or all for a manager.
    mine = None if has_role(request.user, Role.MANAGER) else request.user.pk
    reports = list(events_to_triage(assigned_to_id=mine))
    services.record_reports_seen(
        actor=request.user, events=reports, where="review queue", ip_address=client_address(request)
    )
    context = {"title": _("Review queue"), "rows": rows, "reports": reports}
    return _page(request, "reviews.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.PRACTITIONER)
def review_detail(request: SignedInRequest, appointment_id: int) -> HttpResponse:
    """The answers the fired rules read, the latest photos, the history; and the decision."""
    appointment = _appointment(appointment_id)
    # The current screening (the inputs of this moment), not the one at booking time.
    found, result = current_findings(appointment)
    approve_blocked = ""
    if result is not None and result.blocked:
        approve_blocked = _(
            "Approval is impossible while an absolute rule fires (%(codes)s): decline, "
            "or wait for the answers to change."
        ) % {"codes": ", ".join(result.blocking)}
    form = ReviewDecisionForm(request.POST or None, approve_blocked=approve_blocked)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            note = form.cleaned_data["note"]
            clinical = form.cleaned_data["clinical_note"]
            user = request.user
            try:
                if decision == form.APPROVE:
                    approve_booking_review(
                        appointment=appointment,
                        by=user,
                        note=note,
                        clinical_note=clinical,
                    )
                    messages.success(request, _("Approved; the patient is told."))
                elif decision == form.DECLINE:
                    decline_booking_review(
                        appointment=appointment,
                        by=user,
                        reason=note,
                        clinical_note=clinical,
                    )
                    messages.success(request, _("Declined; the patient is told why."))
                else:
                    ask_intake_update(
                        appointment=appointment,
                        by=user,
                        note=note,
                        clinical_note=clinical,
                    )
                    messages.success(
                        request, _("The patient is asked to update the questionnaire.")
                    )
            except DomainError as error:
                messages.error(request, str(error.message))
                status = error.http_status
            else:
                return redirect("workspace:reviews")
        else:
            status = 400
    keys = [key for finding in found for key in finding.keys]
    version = appointment.intake_version or selectors.latest_intake(appointment.patient)
    answers = answers_read(version.parsed_answers, keys) if version is not None else []
    photos = latest_photos(appointment)
    ip = client_address(request)
    # Health data on screen: the audit log says who saw which answers and photos.
    services.record_access(
        actor=request.user,
        patient=appointment.patient,
        action=AuditEntry.Action.VIEW_INTAKE,
        detail=f"review of appointment #{appointment.pk}: {', '.join(k for k, *_r in answers)}",
        ip_address=ip,
    )
    if photos:
        services.record_access(
            actor=request.user,
            patient=appointment.patient,
            action=AuditEntry.Action.VIEW_PHOTOS,
            detail=f"review of appointment #{appointment.pk}: {len(photos)} photos",
            ip_address=ip,
        )
    progress = progress_of(appointment.patient)
    if not progress.is_empty:
        services.record_progress_seen(
            actor=request.user,
            patient_ids=[appointment.patient_id],
            where=f"review of appointment #{appointment.pk}",
            ip_address=ip,
        )
    context = {
        "title": _("Review: %(appointment)s") % {"appointment": appointment},
        "appointment": appointment,
        "findings": found,
        "approve_blocked": approve_blocked,
        "earliest_on": result.earliest_date if result is not None and result.blocked else None,
        "answers": answers,
        "intake_version": version,
        "photos": photos,
        "decisions": appointment.review_decisions.select_related("by"),
        "pending": appointment.status == Appointment.Status.PENDING_REVIEW,
        "form": form,
        "progress": progress,
        **course_history_of(appointment),
    }
    return _page(request, "review.html", context, status=status)


# --- the day sheet ------------------------------------------------------------------------


@require_GET
@role_required(Role.PRACTITIONER)
def day_sheet_view(request: SignedInRequest) -> HttpResponse:
    """Today's patients of the logged-in practitioner (a manager picks one), printable."""
    form = DaySheetForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    status = 400 if form.is_bound and form.errors else 200
    day = data.get("date") or timezone.localdate()
    own = Practitioner.objects.select_related("user").filter(user=request.user).first()
    practitioner = own
    if has_role(request.user, Role.MANAGER) and data.get("practitioner"):
        practitioner = data["practitioner"]
    rows = []
    progress: dict[int, Progress] = {}
    if practitioner is not None:
        appointments = list(day_sheet(practitioner=practitioner, day=day))
        charts = chart_states([appointment.pk for appointment in appointments])
        progress = progress_for_patients(appointment.patient_id for appointment in appointments)
        for appointment in appointments:
            # Who is still to come is screened now: the day sheet shows today's verdict.
            if appointment.status in TO_COME:
                found, _result = current_findings(appointment)
            else:
                found = findings(appointment.screening_flags or ())
            rows.append(
                {
                    "appointment": appointment,
                    "findings": found,
                    "sessions_max": appointment.procedure.sessions_max,
                    "decisions": list(appointment.review_decisions.all()),
                    "chart": charts.get(appointment.pk),
                    "progress": progress[appointment.patient_id],
                }
            )
    services.record_screening_seen(
        actor=request.user,
        appointments=[row["appointment"] for row in rows],
        where=f"day sheet {day:%Y-%m-%d}",
        ip_address=client_address(request),
    )
    services.record_progress_seen(
        actor=request.user,
        patient_ids=[pk for pk, shown in progress.items() if not shown.is_empty],
        where=f"day sheet {day:%Y-%m-%d}",
        ip_address=client_address(request),
    )
    context = {
        "title": _("Day sheet"),
        "form": form,
        "day": day,
        "practitioner": practitioner,
        "rows": rows,
        "can_pick": has_role(request.user, Role.MANAGER),
    }
    return _page(request, "day_sheet.html", context, status=status)


def _back_to_day_sheet(request: SignedInRequest) -> HttpResponse:
    back = request.POST.get("next", "")
    if back.startswith(reverse("workspace:day-sheet")):
        return redirect(back)
    return redirect("workspace:day-sheet")


@require_POST
@role_required(Role.PRACTITIONER, Role.RECEPTIONIST)
def appointment_check_in(request: SignedInRequest, appointment_id: int) -> HttpResponse:
    """Check the patient in (the day sheet's button); then the chart can be opened.

    The patient confirms first that nothing in the questionnaire changed (the
    form's `nothing_changed` box); otherwise the answers are updated first.
    """
    appointment = _appointment(appointment_id)
    nothing_changed = request.POST.get("nothing_changed") == "1"
    try:
        check_in(
            appointment=appointment,
            by=request.user,
            nothing_changed=nothing_changed,
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("%(patient)s is checked in.") % {"patient": appointment.patient}
        )
    return _back_to_day_sheet(request)


@require_POST
@role_required(Role.PRACTITIONER, Role.RECEPTIONIST)
def appointment_complete(request: SignedInRequest, appointment_id: int) -> HttpResponse:
    """Complete the session (its chart signed first, see `complete_appointment`)."""
    appointment = _appointment(appointment_id)
    try:
        complete_appointment(appointment=appointment, by=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The session is completed."))
    return _back_to_day_sheet(request)


# --- the dashboard ------------------------------------------------------------------------


@require_GET
@role_required(Role.MANAGER)
def dashboard_view(request: SignedInRequest) -> HttpResponse:
    """The manager's figures, as bar charts with the numbers beside them."""
    now = timezone.now()
    today = timezone.localdate()
    context = {
        "title": _("Dashboard"),
        **dashboard(today=today, now=now),
        "lots": lots_needing_attention(on=today),
    }
    return _page(request, "dashboard.html", context)
