"""What the patient is told, and when: the one place booking's messages are decided.

Every function here runs inside the transaction of the event that causes it
and writes outbox rows (`patients.services.outbox`), never e-mails: a booking
that rolls back leaves no message, and a committed one can never lose its
message (the dispatcher sends due rows, see `patients.tasks`). Messages that
are due at once are also handed to a worker right after the commit.

What is scheduled (due times in `patients.reminders`):
- booked: the confirmation (with an .ics file) now; the reminder
  `APPOINTMENT_REMINDER_HOURS` before; the pre-care notice for procedures with
  a long stop window; the after-care note the day after.
- moved: the appointment's pending rows are cancelled and scheduled again for
  the new time (keys carry the version); "moved" (with the .ics) now.
- cancelled or declined: pending rows cancelled; "cancelled" or the decision now.
- completed: the course's pending rows are replaced: window opens, window
  closing (sent only when nothing is booked by then), overdue, and the recall
  for repeatable treatments with a recall interval.
- intake submitted: the renewal notice before it expires; a newer version
  cancels the old notice.
- waitlist offer: now.

At send time `render(message)` re-reads the subject and returns None when the
message no longer applies (the appointment was cancelled or moved, the course
moved on, something is booked, the patient turned recalls off); the row is then
cancelled, not sent.

Templates: `patients/email/<template>_subject.txt`, `.txt` and `.html`. Every
appointment context has `appointment`, `patient`, `procedure_name` (the copy
taken at booking, in the patient's language), `start`/`end` (aware, clinic
zone), `practitioner`, `room`; `appointment_moved` adds `previous_start`;
`waitlist_offer_made` has `offer`, `entry`, `start`, `end` and `expires_at`;
the course messages have `course`, `procedure_name`, `opens_on`, `closes_on`
and `book_url`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from clinic.availability import clinic_zone
from patients.messaging import outbox, reminders
from patients.messaging.calendar import appointment_ics
from patients.models import (
    Appointment,
    IntakeVersion,
    OutboxMessage,
    TreatmentCourse,
    WaitlistOffer,
)
from patients.models.intake import intake_expires_on
from patients.models.lifecycle import HOLDING_STATUSES, AppointmentStatus
from procedures.screening import rules_for

__all__ = [
    "Rendered",
    "appointment_booked",
    "appointment_calendar_file",
    "appointment_cancelled",
    "appointment_completed",
    "appointment_moved",
    "intake_submitted",
    "intake_update_requested",
    "render",
    "review_decided",
    "waitlist_offer_made",
]

Kind = OutboxMessage.Kind
_T = TypeVar("_T")
S = AppointmentStatus
# Kinds tied to the appointment's time: cancelled or re-dated when it moves or ends.
TIMED_KINDS = (Kind.APPOINTMENT_REMINDER, Kind.PRECARE_NOTICE, Kind.AFTERCARE)
COURSE_KINDS = (Kind.COURSE_WINDOW_OPEN, Kind.COURSE_WINDOW_CLOSING, Kind.COURSE_OVERDUE)


def _language(appointment: Appointment) -> str:
    return appointment.patient.user.preferred_language or settings.LANGUAGE_CODE


def appointment_calendar_file(appointment: Appointment, *, cancelled: bool = False) -> bytes:
    """The appointment as an .ics file: one UID for ever, SEQUENCE = the appointment's version."""
    with translation.override(_language(appointment)):
        summary = f"{appointment.procedure_name} — {settings.CLINIC_NAME}"
        description = str(appointment.note_to_patient or "")
    return appointment_ics(
        uid=f"appointment-{appointment.pk}@{parseaddr(settings.DEFAULT_FROM_EMAIL)[1].split('@')[-1]}",
        start=appointment.start,
        end=appointment.end,
        summary=summary,
        description=description,
        location=settings.CLINIC_NAME,
        organizer_email=parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
        sequence=appointment.version,
        cancelled=cancelled,
        stamp=timezone.now(),
    )


# --- scheduling (inside the event's transaction) -------------------------------------------


def _now() -> dt.datetime:
    return timezone.now()


def _appointment_row(
    appointment: Appointment,
    kind: str,
    *,
    due_at: dt.datetime,
    key: str,
    context: dict[str, Any] | None = None,
) -> OutboxMessage:
    return outbox.schedule_message(
        kind=kind,
        patient_id=appointment.patient_id,
        appointment=appointment,
        subject_version=appointment.version,
        due_at=due_at,
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
    window = rules_for(appointment.procedure.slug).retinoid_window_days
    precare = reminders.precare_due(appointment.start, window_days=window, zone=zone)
    if precare is not None:
        _appointment_row(
            appointment,
            Kind.PRECARE_NOTICE,
            # A booking made inside the stop window gets the notice at once.
            due_at=max(precare, _now()),
            key=f"{Kind.PRECARE_NOTICE}:appointment:{appointment.pk}:v{version}",
            context={"window_days": window},
        )
    _appointment_row(
        appointment,
        Kind.AFTERCARE,
        due_at=reminders.aftercare_due(appointment.start, zone=zone),
        key=f"{Kind.AFTERCARE}:appointment:{appointment.pk}:v{version}",
    )


def appointment_booked(appointment: Appointment) -> None:
    """Confirmation (or "requested, a practitioner will review") now; the reminders later."""
    _appointment_row(
        appointment,
        Kind.BOOKING_CONFIRMATION,
        due_at=_now(),
        key=f"{Kind.BOOKING_CONFIRMATION}:appointment:{appointment.pk}",
    )
    _schedule_timed(appointment)


def appointment_moved(appointment: Appointment, previous_start: dt.datetime) -> None:
    """The new time now (.ics with a higher SEQUENCE); the reminders follow the new time."""
    outbox.cancel_pending(appointment=appointment, kinds=TIMED_KINDS)
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
    outbox.cancel_pending(appointment=appointment, kinds=TIMED_KINDS)
    _appointment_row(
        appointment,
        Kind.APPOINTMENT_CANCELLED,
        due_at=_now(),
        key=f"{Kind.APPOINTMENT_CANCELLED}:appointment:{appointment.pk}",
    )


def review_decided(appointment: Appointment) -> None:
    """A practitioner approved (confirmed, with the .ics file) or declined the request."""
    if appointment.status == S.DECLINED:
        outbox.cancel_pending(appointment=appointment, kinds=TIMED_KINDS)
    _appointment_row(
        appointment,
        Kind.REVIEW_DECISION,
        due_at=_now(),
        key=f"{Kind.REVIEW_DECISION}:appointment:{appointment.pk}",
    )


def intake_update_requested(appointment: Appointment, decision: Any) -> None:
    """A practitioner asks the patient to update the intake before deciding (one per request)."""
    _appointment_row(
        appointment,
        Kind.INTAKE_UPDATE_REQUESTED,
        due_at=_now(),
        key=f"{Kind.INTAKE_UPDATE_REQUESTED}:appointment:{appointment.pk}:decision:{decision.pk}",
        context={"note": decision.note},
    )


def appointment_completed(appointment: Appointment, course: TreatmentCourse) -> None:
    """Replace the course's pending messages with those after this session."""
    outbox.cancel_pending(course=course, kinds=(*COURSE_KINDS, Kind.RECALL))
    last = course.last_session_on
    if last is None:  # pragma: no cover - a completed session always sets it
        return
    zone = clinic_zone()
    procedure = appointment.procedure
    rules = rules_for(procedure.slug)
    common = {"patient_id": course.patient_id, "course": course}
    session = course.sessions_done + 1
    if course.status == TreatmentCourse.Status.ACTIVE and not procedure.repeatable:
        context = {"session_number": session, "sessions_done": course.sessions_done}
        outbox.schedule_message(
            kind=Kind.COURSE_WINDOW_OPEN,
            due_at=reminders.window_open_due(
                last, interval_min_days=rules.interval_min_days, zone=zone
            ),
            dedupe_key=f"{Kind.COURSE_WINDOW_OPEN}:course:{course.pk}:{session}",
            context=context,
            **common,
        )
        if rules.interval_max_days is not None:
            outbox.schedule_message(
                kind=Kind.COURSE_WINDOW_CLOSING,
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
            outbox.schedule_message(
                kind=Kind.COURSE_OVERDUE,
                due_at=reminders.overdue_due(
                    last, interval_max_days=rules.interval_max_days, zone=zone
                ),
                dedupe_key=f"{Kind.COURSE_OVERDUE}:course:{course.pk}:{session}",
                context=context,
                **common,
            )
    if procedure.recall_after_days:
        outbox.schedule_message(
            kind=Kind.RECALL,
            due_at=reminders.recall_due(
                last, recall_after_days=procedure.recall_after_days, zone=zone
            ),
            dedupe_key=f"{Kind.RECALL}:course:{course.pk}:{course.sessions_done}",
            context={"sessions_done": course.sessions_done},
            **common,
        )


def intake_submitted(version: IntakeVersion) -> None:
    """The renewal notice before this version expires; older versions' notices are cancelled."""
    outbox.cancel_pending(patient_id=version.patient_id, kinds=(Kind.INTAKE_RENEWAL,))
    expires_on = intake_expires_on(version)
    outbox.schedule_message(
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
    outbox.schedule_message(
        kind=Kind.WAITLIST_OFFER,
        patient_id=offer.entry.patient_id,
        waitlist_offer=offer,
        due_at=_now(),
        dedupe_key=f"{Kind.WAITLIST_OFFER}:offer:{offer.pk}",
    )


# --- rendering (at send time) --------------------------------------------------------------


@dataclass
class Rendered:
    """What to send: the template, its context and any attachments."""

    template: str
    context: dict[str, Any]
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


def _appointment_context(appointment: Appointment) -> dict[str, Any]:
    zone = clinic_zone()
    with translation.override(_language(appointment)):
        name = appointment.procedure_name
    return {
        "appointment": appointment,
        "patient": appointment.patient,
        "procedure_name": name,
        "start": appointment.start.astimezone(zone),
        "end": appointment.end.astimezone(zone),
        "practitioner": appointment.practitioner,
        "room": appointment.room,
    }


def _ics(appointment: Appointment, *, cancelled: bool = False) -> list[tuple[str, bytes, str]]:
    content = appointment_calendar_file(appointment, cancelled=cancelled)
    return [("appointment.ics", content, "text/calendar")]


def _book_url(course: TreatmentCourse, day: dt.date | None) -> str:
    url = settings.PORTAL_URL.rstrip("/") + reverse(
        "patients:book-procedure", args=[course.procedure.slug]
    )
    return f"{url}?{urlencode({'date': day.isoformat()})}" if day else url


def _nothing_booked(course: TreatmentCourse) -> bool:
    """No active appointment of the course's procedure after its last session."""
    after = timezone.now()
    if course.last_session_on is not None:
        after = reminders.at_wall_clock(
            course.last_session_on + dt.timedelta(days=1), zone=clinic_zone(), time=dt.time(0)
        )
    return not Appointment.objects.filter(
        patient_id=course.patient_id,
        procedure_id=course.procedure_id,
        status__in=HOLDING_STATUSES,
        start__gte=after,
    ).exists()


def _subject(value: _T | None) -> _T:
    if value is None:  # pragma: no cover - every kind has its subject
        raise ValueError("an outbox message without its subject")
    return value


def _render_appointment(message: OutboxMessage) -> Rendered | None:
    appointment = _subject(message.appointment)
    context = _appointment_context(appointment)
    kind = message.kind
    if kind == Kind.BOOKING_CONFIRMATION:
        if not appointment.is_active:
            return None  # cancelled before it went out: the cancellation says it all
        return Rendered("appointment_booked", context, _ics(appointment))
    if kind == Kind.APPOINTMENT_MOVED:
        if appointment.version != message.subject_version or not appointment.is_active:
            return None  # moved again (its own message says so) or cancelled since
        previous = dt.datetime.fromisoformat(message.context["previous_start"])
        context["previous_start"] = previous.astimezone(clinic_zone())
        return Rendered("appointment_moved", context, _ics(appointment))
    if kind == Kind.APPOINTMENT_CANCELLED:
        return Rendered("appointment_cancelled", context, _ics(appointment, cancelled=True))
    if kind == Kind.REVIEW_DECISION:
        approved = appointment.status != S.DECLINED
        attachments = _ics(appointment) if approved else []
        return Rendered("review_decided", {**context, "approved": approved}, attachments)
    if kind == Kind.INTAKE_UPDATE_REQUESTED:
        if appointment.status != S.PENDING_REVIEW:
            return None  # decided since: the decision's own message says what happened
        return Rendered("intake_update_requested", {**context, "note": message.context["note"]})
    # Time-bound messages: only for the time they were scheduled for.
    if appointment.version != message.subject_version:
        return None
    if kind == Kind.APPOINTMENT_REMINDER:
        if appointment.status not in (S.CONFIRMED, S.CHECKED_IN):
            return None
        return Rendered("appointment_reminder", context)
    if kind == Kind.PRECARE_NOTICE:
        if not appointment.is_active:
            return None
        return Rendered(
            "precare_notice", {**context, "window_days": message.context.get("window_days")}
        )
    if kind == Kind.AFTERCARE:
        if appointment.status not in (S.CHECKED_IN, S.COMPLETED):
            return None
        return Rendered("aftercare", context)
    raise ValueError(f"not an appointment message: {kind}")  # pragma: no cover


def _render_course(message: OutboxMessage) -> Rendered | None:
    course = _subject(message.course)
    patient = course.patient
    with translation.override(patient.user.preferred_language or settings.LANGUAGE_CODE):
        procedure_name = course.procedure.name
    kind = message.kind
    if kind == Kind.RECALL:
        if patient.recalls_opt_out or not _nothing_booked(course):
            return None
        return Rendered(
            "recall",
            {
                "course": course,
                "patient": patient,
                "procedure_name": procedure_name,
                "last_session_on": course.last_session_on,
                "book_url": _book_url(course, None),
            },
        )
    # The course moved on (another session done, or it ended) since this was scheduled.
    if (
        course.status != TreatmentCourse.Status.ACTIVE
        or course.sessions_done != message.context.get("sessions_done")
        or not _nothing_booked(course)
    ):
        return None
    window = next_window(course)
    context = {
        "course": course,
        "patient": patient,
        "procedure_name": procedure_name,
        "session_number": message.context.get("session_number"),
        "opens_on": window[0],
        "closes_on": window[1],
        "book_url": _book_url(course, window[0]),
    }
    template = {
        Kind.COURSE_WINDOW_OPEN: "course_window_open",
        Kind.COURSE_WINDOW_CLOSING: "course_window_closing",
        Kind.COURSE_OVERDUE: "course_overdue",
    }[Kind(kind)]
    return Rendered(template, context)


def next_window(course: TreatmentCourse) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day of the course's next session window."""
    from procedures.courses import next_session_window

    window = next_session_window(
        rules_for(course.procedure.slug),
        last_session_on=course.last_session_on,
        sessions_done=course.sessions_done,
    )
    return window.opens_on, window.closes_on


def render(message: OutboxMessage) -> Rendered | None:
    """What to send for `message` now, or None when it no longer applies."""
    if message.patient.erased_at is not None:
        return None
    if message.appointment_id is not None:
        return _render_appointment(message)
    if message.course_id is not None:
        return _render_course(message)
    if message.kind == Kind.INTAKE_RENEWAL:
        version = _subject(message.intake_version)
        newest = IntakeVersion.objects.filter(patient_id=version.patient_id).order_by("-number")
        if newest.values_list("pk", flat=True).first() != version.pk:
            return None
        return Rendered(
            "intake_renewal",
            {
                "patient": message.patient,
                "expires_on": intake_expires_on(version),
                "renew_url": settings.PORTAL_URL.rstrip("/") + reverse("patients:intake-renew"),
            },
        )
    if message.kind == Kind.WAITLIST_OFFER:
        offer = _subject(message.waitlist_offer)
        if offer.status != WaitlistOffer.Status.OPEN:
            return None
        zone = clinic_zone()
        entry = offer.entry
        with translation.override(entry.patient.user.preferred_language or settings.LANGUAGE_CODE):
            procedure_name = entry.procedure.name
        return Rendered(
            "waitlist_offer_made",
            {
                "offer": offer,
                "entry": entry,
                "patient": entry.patient,
                "procedure_name": procedure_name,
                "start": offer.start.astimezone(zone),
                "end": offer.end.astimezone(zone),
                "expires_at": offer.expires_at.astimezone(zone),
                "practitioner": offer.practitioner,
                "room": offer.room,
            },
        )
    raise ValueError(f"a message without a subject: {message.pk}")  # pragma: no cover
