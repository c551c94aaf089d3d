"""Helpers for the staff workspace tests: appointments booked through the service, and a
direct row maker for the query-count tests (many rows, no slot search)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from clinic.models import Practitioner, User
from patients.booking.services import book_appointment
from patients.models import Appointment
from patients.tests.booking_fixtures import Clinic

PEEL = "glycolic-peel"


def book(
    patient: User,
    clinic: Clinic,
    start: dt.datetime,
    *,
    practitioner: Practitioner | None = None,
    slug: str = PEEL,
) -> Appointment:
    """Book at the desk through the service (the patient must be `ready`)."""
    return book_appointment(
        patient=patient.patient_profile,
        procedure=clinic.procedure(slug),
        start=start,
        practitioner=practitioner or clinic.derm,
        booked_by=patient,
        channel=Appointment.Channel.WEB,
    )


def appointment_row(
    patient: User,
    clinic: Clinic,
    start: dt.datetime,
    *,
    status: str = Appointment.Status.CONFIRMED,
    flags: list[str] | None = None,
) -> Appointment:
    """An appointment row written directly (only for list and query-count fixtures)."""
    procedure = clinic.procedure(PEEL)
    end = start + dt.timedelta(minutes=procedure.booked_minutes)
    return Appointment.objects.create(
        patient=patient.patient_profile,
        procedure=procedure,
        practitioner=clinic.derm,
        room=clinic.rooms[procedure.room_kind],
        start=start,
        end=end,
        room_free_at=end + dt.timedelta(minutes=procedure.buffer_minutes),
        buffer_minutes=procedure.buffer_minutes,
        status=status,
        procedure_name_en=procedure.name_en or procedure.name,
        price=Decimal("4000"),
        booked_minutes=procedure.booked_minutes,
        screening_outcome="review" if flags else "ok",
        screening_flags=flags or [],
        channel=Appointment.Channel.DESK,
        created_by=patient,
    )
