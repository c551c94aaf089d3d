"""What the patient is told about their appointments: the one place booking's messages leave.

The booking services call these functions through `transaction.on_commit`, so
nothing is sent for a booking that was rolled back. For now each one sends its
e-mail at once, in the patient's language, with an .ics file for the calendar
where the time matters (booked, moved, cancelled); a later issue turns them
into outbox rows. Keep every call here, so that change is made in one module.

Templates: `patients/email/<name>_subject.txt`, `<name>.txt` and `<name>.html`
with the names below. Every context has `appointment`, `patient` (the
PatientProfile), `procedure_name` (the copy taken at booking, in the patient's
language), `start`/`end` (aware, in the clinic's zone), `practitioner`,
`room`, `clinic_name`; `appointment_moved` adds `previous_start`, and
`waitlist_offer_made` has `offer`, `entry`, `start`, `end` and `expires_at`.
"""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from patients.booking_selectors import clinic_zone
from patients.calendar import appointment_ics
from patients.models import Appointment, WaitlistOffer
from patients.services.mail import send_templated_email

__all__ = [
    "appointment_booked",
    "appointment_calendar_file",
    "appointment_cancelled",
    "appointment_moved",
    "intake_update_requested",
    "review_decided",
    "waitlist_offer_made",
]


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


def _context(appointment: Appointment) -> dict[str, Any]:
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


def _send(
    appointment: Appointment, template: str, *, ics: bool, cancelled: bool = False, **extra: Any
) -> None:
    attachments = []
    if ics:
        attachments.append(
            (
                "appointment.ics",
                appointment_calendar_file(appointment, cancelled=cancelled),
                "text/calendar",
            )
        )
    send_templated_email(
        user=appointment.patient.user,
        template=template,
        context={**_context(appointment), **extra},
        attachments=attachments,
    )


def appointment_booked(appointment: Appointment) -> None:
    """Confirmation (or "requested, a practitioner will review") with the .ics file."""
    _send(appointment, "appointment_booked", ics=True)


def appointment_moved(appointment: Appointment, previous_start: dt.datetime) -> None:
    """The new time, with the .ics file of the same UID and a higher SEQUENCE."""
    _send(
        appointment,
        "appointment_moved",
        ics=True,
        previous_start=previous_start.astimezone(clinic_zone()),
    )


def appointment_cancelled(appointment: Appointment) -> None:
    """The cancellation, with an .ics CANCEL so calendars drop the event."""
    _send(appointment, "appointment_cancelled", ics=True, cancelled=True)


def review_decided(appointment: Appointment) -> None:
    """A practitioner approved (confirmed, with the .ics file) or declined the request."""
    approved = appointment.status != Appointment.Status.DECLINED
    _send(appointment, "review_decided", ics=approved, approved=approved)


def intake_update_requested(appointment: Appointment, note: str) -> None:
    """A practitioner asks the patient to update the intake before deciding (staff workspace)."""
    _send(appointment, "intake_update_requested", ics=False, note=note)


def waitlist_offer_made(offer: WaitlistOffer) -> None:
    """A freed slot is held for the waiting patient until `expires_at`."""
    zone = clinic_zone()
    entry = offer.entry
    user = entry.patient.user
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        procedure_name = entry.procedure.name
    send_templated_email(
        user=user,
        template="waitlist_offer_made",
        context={
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
