"""What the patient is told, and when: the one place the portal's messages are scheduled.

Every function here runs inside the transaction of the event that causes it
and writes outbox rows (`patients.messaging.outbox`), never e-mails: a booking
that rolls back leaves no message, and a committed one can never lose its
message (the dispatcher sends due rows, see `patients.messaging.tasks`).
Messages that are due at once are also handed to a worker right after the commit.

What is scheduled (due times in `patients.messaging.reminders`):
- booked: the confirmation (with an .ics file) now; the reminder
  `APPOINTMENT_REMINDER_HOURS` before; the pre-care notice for procedures with
  a long stop window; the after-care note the day after; the procedure's care
  instructions (`patients.messaging.care`): those of the notice's or the note's
  day ride on it, the others go as a pre-care notice or an after-care note of
  their own day (a day already gone is skipped).
- a course booked in one go: one confirmation listing every session, with one
  .ics file holding them all (on the first session's appointment, its
  `sessions` in the context), not one per session; each session's reminders
  as for any booking.
- moved: the appointment's pending rows are cancelled and scheduled again for
  the new time (keys carry the version); "moved" (with the .ics) now.
- cancelled or declined: pending rows cancelled; "cancelled" or the decision now.
- completed: the course's pending rows are replaced: window opens, window
  closing (sent only when nothing is booked by then), overdue, and the recall
  for repeatable treatments with a recall interval. A treatment session (not a
  consultation) also asks the patient to rate their result
  `SELF_ASSESSMENT_AFTER_DAYS` (7) days later; the session that completes its
  course asks about the whole course instead.
- intake submitted: the renewal notice before it expires; a newer version
  cancels the old notice.
- waitlist offer: now.
- back to review (a re-screening found a code no practitioner approved): now,
  naming no health reason in the subject; the reminders wait for the decision.
- a patient created at the desk: the invitation (set a password, fill in the
  questionnaire) now; the desk may send it again (one row per sending).

Each row carries `send_by`, the moment it becomes pointless (the appointment's
start for what comes before it, the offer's end, the window's close); the
outbox expires a row found due after it instead of sending it late.

What a row says is decided at send time (`patients.messaging.render`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.utils import timezone

import patients.messaging.care as care
import patients.messaging.links as links
import patients.messaging.reminders as reminders
from clinic.availability import clinic_zone
from patients.messaging.outbox import cancel_pending, schedule_message
from patients.models import (
    Appointment,
    IntakeVersion,
    OutboxMessage,
    PatientProfile,
    ReviewDecision,
    SelfAssessment,
    TreatmentCourse,
    WaitlistOffer,
)
from patients.models.intake import intake_expires_on
from patients.models.lifecycle import AppointmentStatus
from procedures.models import Procedure
from procedures.screening import rules_for
from procedures.selectors import washout_group_of

__all__ = [
    "appointment_back_to_review",
    "appointment_booked",
    "appointment_cancelled",
    "appointment_completed",
    "appointment_moved",
    "course_booked",
    "intake_submitted",
    "intake_update_requested",
    "patient_invited",
    "review_decided",
    "waitlist_offer_made",
]

Kind = OutboxMessage.Kind
S = AppointmentStatus
# Kinds tied to the appointment's time: cancelled or re-dated when it moves or ends.
TIMED_KINDS = (
    Kind.APPOINTMENT_REMINDER,
    Kind.PRECARE_NOTICE,
    Kind.AFTERCARE,
    Kind.SKIN_CHECK,
)
# "How is your skin?" follows the sessions of the deep, fractional and focal washout
# groups (rules-v2.md section 2; issue #17): the wounds that can go wrong in the days after.
SKIN_CHECK_GROUPS = frozenset({"deep", "fractional", "focal"})
COURSE_KINDS = (Kind.COURSE_WINDOW_OPEN, Kind.COURSE_WINDOW_CLOSING, Kind.COURSE_OVERDUE)


def _now() -> dt.datetime:
    return timezone.now()


# Kinds about what happens after the visit: the visit's start does not make them late.
AFTER_VISIT_KINDS = (Kind.AFTERCARE, Kind.SKIN_CHECK, Kind.SELF_ASSESSMENT)


def _appointment_row(
    appointment: Appointment,
    kind: str,
    *,
    due_at: dt.datetime,
    key: str,
    context: dict[str, Any] | None = None,
    after_visit_until: dt.datetime | None = None,
) -> OutboxMessage | None:
    """A message about `appointment`: pointless once it starts, or, for a message after
    the visit, at `after_visit_until` (None: it never goes stale)."""
    return schedule_message(
        kind=kind,
        patient_id=appointment.patient_id,
        appointment=appointment,
        subject_version=appointment.version,
        due_at=due_at,
        send_by=after_visit_until if kind in AFTER_VISIT_KINDS else appointment.start,
        dedupe_key=key,
        context=context or {},
    )


def _schedule_timed(appointment: Appointment) -> None:
    """The reminder, pre-care and after-care of the appointment at its current version."""
    zone = clinic_zone()
    version = appointment.version
    _appointment_row(
        appointment,
        Kind.APPOINTMENT_REMINDER,
        due_at=reminders.reminder_due(appointment.start, hours=settings.APPOINTMENT_REMINDER_HOURS),
        key=f"{Kind.APPOINTMENT_REMINDER}:appointment:{appointment.pk}:v{version}",
    )
    instructions = care.grouped_instructions(appointment)
    window = rules_for(appointment.procedure.slug).retinoid_window_days
    precare = reminders.precare_due(appointment.start, window_days=window, zone=zone)
    if precare is not None:
        # The stop window's notice carries the instructions of its day.
        on_day = instructions.pop((Kind.PRECARE_NOTICE, -(window or 0)), [])
        _appointment_row(
            appointment,
            Kind.PRECARE_NOTICE,
            # A booking made inside the stop window gets the notice at once.
            due_at=max(precare, _now()),
            key=f"{Kind.PRECARE_NOTICE}:appointment:{appointment.pk}:v{version}",
            context={"window_days": window, **({"instructions": on_day} if on_day else {})},
        )
    on_day = instructions.pop((Kind.AFTERCARE, 1), [])
    _appointment_row(
        appointment,
        Kind.AFTERCARE,
        due_at=reminders.aftercare_due(appointment.start, zone=zone),
        key=f"{Kind.AFTERCARE}:appointment:{appointment.pk}:v{version}",
        context={"instructions": on_day} if on_day else None,
    )
    _schedule_care(appointment, instructions, zone=zone)
    if washout_group_of(appointment.procedure.slug) in SKIN_CHECK_GROUPS:
        _appointment_row(
            appointment,
            Kind.SKIN_CHECK,
            due_at=reminders.days_after_due(
                appointment.start, days=settings.SKIN_CHECK_AFTER_DAYS, zone=zone
            ),
            key=f"{Kind.SKIN_CHECK}:appointment:{appointment.pk}:v{version}",
        )


def _schedule_care(
    appointment: Appointment, instructions: dict[tuple[str, int], list[int]], *, zone: dt.tzinfo
) -> None:
    """The care instructions of the other days: one message per kind and day, none in the past."""
    now = _now()
    for (kind, offset), ids in sorted(instructions.items()):
        due_at = care.care_due(appointment, kind, offset, zone=zone)
        if due_at <= now:
            continue
        _appointment_row(
            appointment,
            kind,
            due_at=due_at,
            key=f"{kind}:appointment:{appointment.pk}:v{appointment.version}:day{offset:+d}",
            context={"instructions": ids, "offset_days": offset},
        )


def appointment_booked(appointment: Appointment, *, confirmation: bool = True) -> None:
    """Confirmation (or "requested, a practitioner will review") now; the reminders later.

    `confirmation=False` for the sessions of a course booked in one go: its one
    confirmation (`course_booked`) follows once every session is booked.
    """
    if confirmation:
        _appointment_row(
            appointment,
            Kind.BOOKING_CONFIRMATION,
            due_at=_now(),
            key=f"{Kind.BOOKING_CONFIRMATION}:appointment:{appointment.pk}",
        )
    _schedule_timed(appointment)


def course_booked(appointments: Sequence[Appointment]) -> None:
    """One confirmation for a course booked in one go: every session, one calendar file."""
    if not appointments:
        return
    first = min(appointments, key=lambda a: a.start)
    _appointment_row(
        first,
        Kind.BOOKING_CONFIRMATION,
        due_at=_now(),
        key=f"{Kind.BOOKING_CONFIRMATION}:appointment:{first.pk}",
        context={"sessions": [a.pk for a in sorted(appointments, key=lambda a: a.start)]},
    )


def appointment_moved(appointment: Appointment, previous_start: dt.datetime) -> None:
    """The new time now (.ics with a higher SEQUENCE); the reminders follow the new time."""
    cancel_pending(appointment=appointment, kinds=TIMED_KINDS)
    _appointment_row(
        appointment,
        Kind.APPOINTMENT_MOVED,
        due_at=_now(),
        key=f"{Kind.APPOINTMENT_MOVED}:appointment:{appointment.pk}:v{appointment.version}",
        context={"previous_start": previous_start.isoformat()},
    )
    _schedule_timed(appointment)


def appointment_cancelled(appointment: Appointment) -> None:
    """The cancellation now, with an .ics CANCEL; nothing else about it is sent."""
    cancel_pending(appointment=appointment, kinds=TIMED_KINDS)
    _appointment_row(
        appointment,
        Kind.APPOINTMENT_CANCELLED,
        due_at=_now(),
        key=f"{Kind.APPOINTMENT_CANCELLED}:appointment:{appointment.pk}",
    )


def review_decided(appointment: Appointment) -> None:
    """A practitioner approved (confirmed, with the .ics file) or declined the request."""
    if appointment.status == S.DECLINED:
        cancel_pending(appointment=appointment, kinds=TIMED_KINDS)
    _appointment_row(
        appointment,
        Kind.REVIEW_DECISION,
        due_at=_now(),
        key=f"{Kind.REVIEW_DECISION}:appointment:{appointment.pk}",
    )


def appointment_back_to_review(appointment: Appointment) -> None:
    """A confirmed appointment screened again needs a practitioner's review (one per time)."""
    at = appointment.screened_at or _now()
    _appointment_row(
        appointment,
        Kind.SCREENING_REVIEW,
        due_at=_now(),
        key=f"{Kind.SCREENING_REVIEW}:appointment:{appointment.pk}:{at.isoformat()}",
    )


def intake_update_requested(appointment: Appointment, decision: ReviewDecision) -> None:
    """A practitioner asks the patient to update the intake before deciding (one per request)."""
    _appointment_row(
        appointment,
        Kind.INTAKE_UPDATE_REQUESTED,
        due_at=_now(),
        key=f"{Kind.INTAKE_UPDATE_REQUESTED}:appointment:{appointment.pk}:decision:{decision.pk}",
        context={"note": decision.reason},  # never the clinical note
    )


def appointment_completed(appointment: Appointment, course: TreatmentCourse) -> None:
    """Replace the course's pending messages with those after this session."""
    cancel_pending(course=course, kinds=(*COURSE_KINDS, Kind.RECALL))
    _ask_self_assessment(appointment, course)
    last = course.last_session_on
    if last is None:  # pragma: no cover - a completed session always sets it
        return
    zone = clinic_zone()
    procedure = appointment.procedure
    rules = rules_for(procedure.slug)
    common: dict[str, Any] = {"patient_id": course.patient_id, "course": course}
    session = course.sessions_done + 1
    if course.status == TreatmentCourse.Status.ACTIVE and not procedure.repeatable:
        context = {"session_number": session, "sessions_done": course.sessions_done}
        # "The window is open" and "it is closing" are pointless once it has closed.
        window_closed = (
            reminders.at_wall_clock(
                last + dt.timedelta(days=rules.interval_max_days + 1), zone=zone, time=dt.time(0)
            )
            if rules.interval_max_days is not None
            else None
        )
        schedule_message(
            kind=Kind.COURSE_WINDOW_OPEN,
            send_by=window_closed,
            due_at=reminders.window_open_due(
                last, interval_min_days=rules.interval_min_days, zone=zone
            ),
            dedupe_key=f"{Kind.COURSE_WINDOW_OPEN}:course:{course.pk}:{session}",
            context=context,
            **common,
        )
        if rules.interval_max_days is not None:
            schedule_message(
                kind=Kind.COURSE_WINDOW_CLOSING,
                send_by=window_closed,
                due_at=reminders.window_closing_due(
                    last,
                    interval_max_days=rules.interval_max_days,
                    notice_days=settings.CLOSING_NOTICE_DAYS,
                    zone=zone,
                ),
                dedupe_key=f"{Kind.COURSE_WINDOW_CLOSING}:course:{course.pk}:{session}",
                context=context,
                **common,
            )
            schedule_message(
                kind=Kind.COURSE_OVERDUE,
                due_at=reminders.overdue_due(
                    last, interval_max_days=rules.interval_max_days, zone=zone
                ),
                dedupe_key=f"{Kind.COURSE_OVERDUE}:course:{course.pk}:{session}",
                context=context,
                **common,
            )
    if procedure.recall_after_days:
        schedule_message(
            kind=Kind.RECALL,
            due_at=reminders.recall_due(
                last, recall_after_days=procedure.recall_after_days, zone=zone
            ),
            dedupe_key=f"{Kind.RECALL}:course:{course.pk}:{course.sessions_done}",
            context={"sessions_done": course.sessions_done},
            **common,
        )


def _ask_self_assessment(appointment: Appointment, course: TreatmentCourse) -> None:
    """ "How do you rate your result?" a week after a treatment session (or its course)."""
    if appointment.procedure.category == Procedure.Category.CONSULTATION:
        return  # nothing treated yet: the consultation's grade is the baseline
    Occasion = SelfAssessment.Occasion
    ends_course = course.status == TreatmentCourse.Status.COMPLETED
    occasion = Occasion.COURSE_END if ends_course else Occasion.SESSION
    _appointment_row(
        appointment,
        Kind.SELF_ASSESSMENT,
        due_at=reminders.days_after_due(
            appointment.start, days=settings.SELF_ASSESSMENT_AFTER_DAYS, zone=clinic_zone()
        ),
        key=f"{Kind.SELF_ASSESSMENT}:appointment:{appointment.pk}",
        context={"occasion": occasion},
        after_visit_until=links.self_assessment_ends_at(appointment),
    )


def intake_submitted(version: IntakeVersion) -> None:
    """The renewal notice before this version expires; older versions' notices are cancelled."""
    cancel_pending(patient_id=version.patient_id, kinds=(Kind.INTAKE_RENEWAL,))
    expires_on = intake_expires_on(version)
    schedule_message(
        kind=Kind.INTAKE_RENEWAL,
        patient_id=version.patient_id,
        intake_version=version,
        due_at=reminders.intake_renewal_due(
            expires_on, notice_days=settings.INTAKE_RENEWAL_NOTICE_DAYS, zone=clinic_zone()
        ),
        dedupe_key=f"{Kind.INTAKE_RENEWAL}:intake:{version.pk}",
        context={"expires_on": expires_on.isoformat()},
    )


def waitlist_offer_made(offer: WaitlistOffer) -> None:
    """A freed slot is held for the waiting patient until `expires_at`: now."""
    schedule_message(
        kind=Kind.WAITLIST_OFFER,
        patient_id=offer.entry.patient_id,
        waitlist_offer=offer,
        due_at=_now(),
        send_by=offer.expires_at,
        dedupe_key=f"{Kind.WAITLIST_OFFER}:offer:{offer.pk}",
    )


def lot_recalled(*, patient_id: int, lot_id: int, context: dict[str, Any]) -> OutboxMessage:
    """Tell a patient that a lot used on them is recalled (once per patient and lot)."""
    message = schedule_message(
        kind=Kind.LOT_RECALL,
        patient_id=patient_id,
        due_at=_now(),
        dedupe_key=f"{Kind.LOT_RECALL}:lot:{lot_id}:patient:{patient_id}",
        context=context,
    )
    if message is None:  # pragma: no cover - a lot recall always goes by e-mail
        raise ValueError("a lot recall without its e-mail")
    return message


def patient_invited(patient: PatientProfile) -> OutboxMessage | None:
    """Invite a patient created at the desk to set a password and fill in the questionnaire."""
    invitations = OutboxMessage.objects.filter(patient=patient, kind=Kind.INVITATION)
    sent_before = invitations.values("dedupe_key").distinct().count()
    return schedule_message(
        kind=Kind.INVITATION,
        patient_id=patient.pk,
        due_at=_now(),
        dedupe_key=f"{Kind.INVITATION}:patient:{patient.pk}:{sent_before + 1}",
    )
