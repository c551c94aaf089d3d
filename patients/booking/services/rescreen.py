"""Screening that lives: booked appointments are screened again when an input changes.

Domain rules (`rules-v2.md` section 6):
- Every appointment of the patient that holds time from today on (confirmed or
  pending review) is screened again, with the inputs of that moment, in the
  transaction of the change, whenever an input changes: a new intake version
  (submitted, renewed, corrected by a practitioner); a session of the patient
  booked, moved, cancelled, declined, completed or marked no-show (the session
  that changed was screened at its own door and is left out); staff editing a
  procedure's rules, washouts or prerequisites (every future appointment of
  the procedures concerned, in a background job: `patients.booking.rescreen_jobs`).
- Codes a practitioner already approved are those of the approvals recorded
  (`ReviewDecision`) and, for a confirmed appointment, the flags it was
  confirmed with. An absolute code is never approved.
- Still `ok`, or `review` with no code beyond the approved ones: nothing
  changes for a confirmed appointment.
- `review` with a new code, or `blocked`: a confirmed appointment goes back to
  `pending_review` (the lifecycle's system edge, a history row without a user
  naming the cause and the new codes), the codes are kept for the review queue
  (the new ones highlighted, the absolute ones block the approval, the earliest
  safe date offered on a decline), and the patient is told through the outbox,
  the subject line naming no health reason.
- A pending review keeps its place and status; what it shows is brought up to
  date (the codes it did not show before marked new), so one whose codes all
  cleared reads "no flags now" in the queue.
- Without a current intake there is nothing to screen with: the appointment is
  left as it is (the intake's own renewal notice asks for one).
"""

from __future__ import annotations

import datetime as dt

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import patients.messaging as messaging
from clinic.availability import clinic_zone, local_date, local_day_bounds
from patients.booking.errors import IntakeRequired
from patients.booking.locking import lock_appointment
from patients.booking.screening import screen_at
from patients.booking.services.history import transition
from patients.models import Appointment, PatientProfile, ReviewDecision
from patients.models.lifecycle import AppointmentStatus
from procedures.errors import lazy_interpolate
from procedures.screening import ScreeningResult

__all__ = [
    "RESCREENED_STATUSES",
    "Cause",
    "approved_codes",
    "new_codes",
    "rescreen_appointment",
    "rescreen_patient",
    "sent_to_review_by_cancelling",
]

S = AppointmentStatus
RESCREENED_STATUSES = (S.PENDING_REVIEW, S.CONFIRMED)
APPROVALS = (ReviewDecision.Kind.APPROVED, ReviewDecision.Kind.APPROVED_WITH_NOTE)


class Cause(models.TextChoices):
    """Why an appointment was screened again (named in the status history)."""

    INTAKE = "intake", _("the health questionnaire changed")
    BOOKED = "booked", _("another session was booked")
    MOVED = "moved", _("another session was moved")
    CANCELLED = "cancelled", _("another session was cancelled")
    DECLINED = "declined", _("another session was declined")
    COMPLETED = "completed", _("another session was completed")
    NO_SHOW = "no_show", _("another session was missed")
    RULES = "rules", _("the procedure's screening rules changed")
    CHECK_IN = "check_in", _("screened again at check-in")


def approved_codes(appointment: Appointment) -> set[str]:
    """The codes a practitioner approved for this appointment (or it was confirmed with)."""
    approved: set[str] = set()
    for flags in appointment.review_decisions.filter(kind__in=APPROVALS).values_list(
        "flags", flat=True
    ):
        approved |= set(flags or ())
    if appointment.status in (S.CONFIRMED, S.CHECKED_IN):
        approved |= set(appointment.screening_flags or ())
    return approved


def new_codes(result: ScreeningResult, approved: set[str]) -> list[str]:
    """The fired codes beyond the approved ones; an absolute code is always new."""
    blocking = list(result.blocking)
    return blocking + [code for code in result.flags if code not in approved]


def _record(
    appointment: Appointment, result: ScreeningResult, new: list[str], now: dt.datetime
) -> None:
    appointment.screening_outcome = result.outcome
    appointment.screening_flags = list(result.flags)
    appointment.screening_blocking = list(result.blocking)
    appointment.screening_new_flags = new
    appointment.screening_earliest_on = result.earliest_date
    appointment.screened_at = now


def rescreen_appointment(
    appointment: Appointment, *, cause: str, now: dt.datetime | None = None
) -> bool:
    """Screen one held appointment again inside the caller's transaction.

    Returns True when a confirmed appointment went back to review. The caller holds
    a transaction; the appointment is locked and re-read here.
    """
    now = now or timezone.now()
    appointment = lock_appointment(appointment)
    if appointment.status not in RESCREENED_STATUSES:
        return False
    try:
        result, version = screen_at(
            patient=appointment.patient,
            procedure=appointment.procedure,
            start=appointment.start,
            ignore_appointment=appointment.pk,
        )
    except IntakeRequired:
        return False
    new = new_codes(result, approved_codes(appointment))
    if appointment.status == S.CONFIRMED:
        if not new:
            return False  # nothing beyond what was approved: the confirmation stands
        _record(appointment, result, new, now)
        appointment.intake_version = version
        reason = lazy_interpolate(
            _("Screened again (%(cause)s): %(codes)s."),
            {"cause": Cause(cause).label, "codes": ", ".join(new)},
        )
        transition(
            appointment,
            to_status=S.PENDING_REVIEW,
            by=None,
            reason=str(reason),
            now=now,
            system=True,
        )
        messaging.appointment_back_to_review(appointment)
        return True
    # A pending review: brought up to date, it keeps its place in the queue. "New" are
    # the codes the queue did not show yet, and those already new that still fire.
    shown = set(appointment.screening_flags or ()) | set(appointment.screening_blocking or ())
    still_new = set(appointment.screening_new_flags or ())
    new = [code for code in new if code not in shown or code in still_new]
    previous = (
        appointment.screening_outcome,
        appointment.screening_flags,
        appointment.screening_blocking,
        appointment.screening_new_flags,
        appointment.screening_earliest_on,
    )
    _record(appointment, result, new, now)
    appointment.intake_version = version
    current = (
        appointment.screening_outcome,
        appointment.screening_flags,
        appointment.screening_blocking,
        appointment.screening_new_flags,
        appointment.screening_earliest_on,
    )
    if current != previous:
        appointment.full_clean()
        appointment.save()
    return False


def rescreen_patient(
    *,
    patient: PatientProfile | int,
    cause: str,
    exclude: int | None = None,
    now: dt.datetime | None = None,
) -> list[int]:
    """Screen every appointment of the patient holding time from today on again.

    Runs inside the transaction of the change that caused it; `exclude` is the
    appointment that changed (screened at its own door). Returns the ids of the
    confirmed appointments that went back to review.
    """
    now = now or timezone.now()
    since = local_day_bounds(local_date(now), zone=clinic_zone())[0]
    patient_id = patient if isinstance(patient, int) else patient.pk
    held = Appointment.objects.filter(
        patient_id=patient_id, status__in=RESCREENED_STATUSES, start__gte=since
    ).order_by("start", "pk")
    if exclude is not None:
        held = held.exclude(pk=exclude)
    return [
        appointment.pk
        for appointment in held
        if rescreen_appointment(appointment, cause=cause, now=now)
    ]


class _DryRun(Exception):
    """Rolls a preview's savepoint back."""


def sent_to_review_by_cancelling(appointment: Appointment) -> list[Appointment]:
    """The patient's other appointments that cancelling `appointment` would send back to review.

    A dry run, for the cancel page to say so before the patient confirms: the
    cancellation and its re-screening happen in a savepoint that is rolled back
    (messages and status rows included), so the answer is the real one and
    nothing is kept. Each appointment returned carries the codes it would show.
    """
    if appointment.status not in (*RESCREENED_STATUSES, S.CHECKED_IN):
        return []
    found: list[Appointment] = []
    try:
        with transaction.atomic():
            locked = lock_appointment(appointment)
            locked.status = S.CANCELLED
            locked.save(update_fields=["status"])
            ids = rescreen_patient(
                patient=locked.patient_id, cause=Cause.CANCELLED, exclude=locked.pk
            )
            found = list(Appointment.objects.filter(pk__in=ids).order_by("start", "pk"))
            raise _DryRun
    except _DryRun:
        pass
    return found
