"""What an outbox row says, decided when it is sent.

`render(message)` re-reads the message's subject and returns None when the
message no longer applies (the appointment was cancelled or moved, the course
moved on, something is booked, the patient turned recalls off, a newer intake
came in, the offer ended); the row is then cancelled, not sent.

Templates: `patients/email/<template>_subject.txt`, `.txt` and `.html`. Every
appointment context has `appointment`, `patient`, `procedure_name` (the copy
taken at booking, in the patient's language), `start`/`end` (aware, clinic
zone), `when` (day, date and times as one text, in the patient's language),
`practitioner`, `room`; `appointment_moved` adds `previous_start`;
`course_booked` (a course booked in one go) adds `sessions`, a list of
{`appointment`, `number`, `start`, `end`} in time order (the sessions still
booked), and attaches one .ics file holding them all;
`self_assessment` adds `assessment_url` and `course_end` (the session ended its course);
`invitation` has `patient`, `set_password_url`, `intake_url` and `valid_days`;
`waitlist_offer_made` has `offer`, `entry`, `start`, `end` and `expires_at`;
the course messages have `course`, `procedure_name`, `opens_on`, `closes_on`
and `book_url`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.formats import date_format
from django.utils.http import urlsafe_base64_encode

import patients.messaging.care as care
import patients.messaging.channels as channels
import patients.messaging.links as links
import patients.messaging.reminders as reminders
from clinic.availability import clinic_zone
from patients.messaging.calendar import appointment_calendar_file, course_calendar_file
from patients.messaging.mail import language_of
from patients.models import (
    Appointment,
    IntakeVersion,
    OutboxMessage,
    SelfAssessment,
    TreatmentCourse,
    WaitlistOffer,
)
from patients.models.intake import intake_expires_on
from patients.models.lifecycle import HOLDING_STATUSES, AppointmentStatus
from procedures.courses import next_session_window
from procedures.screening import rules_for

__all__ = ["Rendered", "next_window", "render", "sms_text"]

Kind = OutboxMessage.Kind
S = AppointmentStatus
_T = TypeVar("_T")


@dataclass
class Rendered:
    """What to send: the template, its context and any attachments."""

    template: str
    context: dict[str, Any]
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


def _when(start: dt.datetime, end: dt.datetime) -> str:
    """Day, date and times as one text ("Tuesday, 8 December 2026, 12:57-13:42", an en dash
    between the times) in the active language: written once for the text and the HTML part
    (a date filter in a template costs as much as this whole)."""
    day = f"{date_format(start, 'l')}, {date_format(start, 'DATE_FORMAT')}"
    return f"{day}, {start:%H:%M}\u2013{end:%H:%M}"  # 24-hour clock in every language


def _appointment_context(appointment: Appointment) -> dict[str, Any]:
    zone = clinic_zone()
    start, end = appointment.start.astimezone(zone), appointment.end.astimezone(zone)
    with translation.override(language_of(appointment.patient.user)):
        name = appointment.procedure_name
        when = _when(start, end)
    return {
        "appointment": appointment,
        "patient": appointment.patient,
        "procedure_name": name,
        "start": start,
        "end": end,
        "when": when,
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
    if kind == Kind.BOOKING_CONFIRMATION and "sessions" in message.context:
        return _render_course_booked(message, context)
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
    if kind == Kind.SCREENING_REVIEW:
        if appointment.status != S.PENDING_REVIEW:
            return None  # decided since: the decision's own message says what happened
        return Rendered("screening_review", context)
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
        # One-tap answers, for this channel (the confirmation records which one).
        context.update(links.reply_urls(appointment, channel=message.channel))
        return Rendered("appointment_reminder", context)
    if kind in (Kind.PRECARE_NOTICE, Kind.AFTERCARE):
        return _render_care(message, appointment, context)
    if kind == Kind.SKIN_CHECK:
        if appointment.status not in (S.CHECKED_IN, S.COMPLETED):
            return None  # the session did not happen (no-show, cancelled)
        report = reverse("my-treatment:report-problem", args=[appointment.pk])
        return Rendered(
            "skin_check",
            {
                **context,
                "report_url": settings.PORTAL_URL.rstrip("/") + report,
                "clinic_phone": settings.CLINIC_PHONE,
            },
        )
    if kind == Kind.SELF_ASSESSMENT:
        return _render_self_assessment(message, appointment, context)
    raise ValueError(f"not an appointment message: {kind}")  # pragma: no cover


def _render_self_assessment(
    message: OutboxMessage, appointment: Appointment, context: dict[str, Any]
) -> Rendered | None:
    """ "How do you rate your result?", with the one-time link; not for a session that did
    not happen, nor once answered (from an earlier message's link)."""
    occasion = message.context["occasion"]
    if appointment.status != S.COMPLETED:
        return None
    if SelfAssessment.objects.filter(appointment=appointment, occasion=occasion).exists():
        return None
    url = links.self_assessment_url(appointment, occasion=occasion)
    course_end = occasion == SelfAssessment.Occasion.COURSE_END
    return Rendered("self_assessment", {**context, "assessment_url": url, "course_end": course_end})


def _render_care(
    message: OutboxMessage, appointment: Appointment, context: dict[str, Any]
) -> Rendered | None:
    """A pre-care notice or an after-care note, with the care instructions of its day."""
    ids = message.context.get("instructions", [])
    context = {
        **context,
        "window_days": message.context.get("window_days"),
        "offset_days": message.context.get("offset_days"),
        "instructions": care.instruction_texts(ids, language=language_of(appointment.patient.user)),
    }
    if ids and not context["instructions"]:
        return None  # a message of the instructions alone, all turned off since
    if message.kind == Kind.PRECARE_NOTICE:
        if not appointment.is_active:
            return None
        if appointment.precare_acknowledged_at is None:
            context["acknowledge_url"] = links.care_url(appointment)
        return Rendered("precare_notice", context)
    if appointment.status not in (S.CHECKED_IN, S.COMPLETED):
        return None
    return Rendered("aftercare", context)


def _render_course_booked(message: OutboxMessage, context: dict[str, Any]) -> Rendered | None:
    """One confirmation for the sessions of a course booked in one go, still booked now."""
    ids = message.context["sessions"]
    found = Appointment.objects.select_related("procedure", "practitioner__user", "room").in_bulk(
        ids
    )
    booked = [found[pk] for pk in ids if pk in found and found[pk].is_active]
    if not booked:
        return None  # every session cancelled before it went out: the cancellations say it
    zone = clinic_zone()
    first = booked[0]
    for appointment in booked:
        appointment.patient = message.patient
    sessions = [
        {
            "appointment": appointment,
            "number": appointment.session_number,
            "start": appointment.start.astimezone(zone),
            "end": appointment.end.astimezone(zone),
        }
        for appointment in booked
    ]
    context = {**context, **_appointment_context(first), "sessions": sessions}
    attachments = [("course.ics", course_calendar_file(booked), "text/calendar")]
    return Rendered("course_booked", context, attachments)


def _render_course(message: OutboxMessage) -> Rendered | None:
    course = _subject(message.course)
    patient = course.patient
    with translation.override(language_of(patient.user)):
        procedure_name = course.procedure.name
    kind = message.kind
    if kind == Kind.RECALL:
        if not _nothing_booked(course):
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
    window = next_session_window(
        rules_for(course.procedure.slug),
        last_session_on=course.last_session_on,
        sessions_done=course.sessions_done,
    )
    return window.opens_on, window.closes_on


def _render_invitation(message: OutboxMessage) -> Rendered | None:
    """The one-time set-password link (a password reset token: it stops working once a
    password is set) and the questionnaire; nothing once the patient has a password."""
    user = message.patient.user
    if user.has_usable_password():
        return None
    root = settings.PORTAL_URL.rstrip("/")
    path = reverse(
        "invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return Rendered(
        "invitation",
        {
            "patient": message.patient,
            "set_password_url": root + path,
            "intake_url": root + reverse("patients:intake"),
            "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        },
    )


def render(message: OutboxMessage) -> Rendered | None:
    """What to send for `message` now, or None when it no longer applies."""
    if message.patient.erased_at is not None:
        return None
    if not channels.wants(message.patient, message.kind, message.channel):
        return None  # the patient turned this kind off on this channel since
    if message.kind == Kind.INVITATION:
        return _render_invitation(message)
    if message.kind == Kind.LOT_RECALL:
        # No health detail in the subject line; the body names the product and the lot.
        context = {**message.context, "patient": message.patient}
        return Rendered("lot_recall", {**context, "clinic_phone": settings.CLINIC_PHONE})
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
        with translation.override(language_of(entry.patient.user)):
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


def sms_text(message: OutboxMessage, rendered: Rendered) -> str:
    """The text for a rendered row: `patients/sms/<template>.txt`, in the patient's language.

    A text lands on a lock screen: it names the clinic, the day and time and a
    link, never the procedure or anything about health (the templates get no
    procedure name to show).
    """
    allowed = (
        "appointment",
        "start",
        "end",
        "offer",
        "expires_at",
        "opens_on",
        "closes_on",
        "set_password_url",
        "sessions",
        "confirm_url",
        "cancel_url",
        "assessment_url",
    )
    context = {key: rendered.context[key] for key in allowed if key in rendered.context}
    user = message.patient.user
    with translation.override(language_of(user)):
        text = render_to_string(
            f"patients/sms/{rendered.template}.txt",
            {**context, "clinic_name": settings.CLINIC_NAME, "kind": message.kind},
        )
    return " ".join(text.split())
