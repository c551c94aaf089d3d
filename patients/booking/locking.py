"""What booking locks while it decides: rows, and a practitioner's start.

Every lock here lives until the end of the caller's transaction; nothing is
ever unlocked by hand.
- An appointment that changes (moved, cancelled, decided, checked in) is read
  again inside the transaction and locked (`SELECT ... FOR UPDATE` of its own
  row), so two changes of one appointment queue up.
- A patient who books has their profile row locked: their own parallel bookings
  queue up behind it (on SQLite the IMMEDIATE transactions are serialised anyway).
- A waitlist offer being accepted or expired, and the active course a completed
  session advances, are locked the same way.
- A practitioner's start (PostgreSQL only) is an advisory lock of two keys: the
  practitioner and the start in epoch minutes. The first booking of a start takes
  it; the race guard (`patients.booking.race_guard`) only ever looks at it.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from patients.models import Appointment, PatientProfile, TreatmentCourse, WaitlistOffer

__all__ = [
    "lock_active_course",
    "lock_appointment",
    "lock_offer",
    "lock_patient",
    "start_lock_keys",
    "take_start_lock",
]


def lock_appointment(appointment: Appointment) -> Appointment:
    """The appointment re-read inside the transaction, locked against parallel changes."""
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("patient__user", "procedure")
        .get(pk=appointment.pk)
    )


def lock_patient(patient: PatientProfile) -> None:
    """Queue the patient's own parallel bookings behind this transaction."""
    PatientProfile.objects.select_for_update().filter(pk=patient.pk).values_list("pk").first()


def lock_offer(offer_id: int, *related: str) -> WaitlistOffer:
    """A waitlist offer re-read inside the transaction (with `related`), locked."""
    return (
        WaitlistOffer.objects.select_for_update(of=("self",))
        .select_related(*related)
        .get(pk=offer_id)
    )


def lock_active_course(appointment: Appointment) -> TreatmentCourse | None:
    """The patient's active course of the appointment's procedure, locked for update."""
    return (
        TreatmentCourse.objects.select_for_update()
        .filter(
            patient_id=appointment.patient_id,
            procedure_id=appointment.procedure_id,
            status=TreatmentCourse.Status.ACTIVE,
        )
        .first()
    )


def start_lock_keys(practitioner_id: int, start: dt.datetime) -> tuple[int, int]:
    """The advisory lock of a practitioner's start: two int4 keys, the practitioner and the
    start in epoch minutes (fits until 6053)."""
    return practitioner_id, int(start.timestamp()) // 60


def take_start_lock(practitioner_id: int, start: dt.datetime) -> bool:
    """Take the start's advisory lock for this transaction; False when another booking holds it.

    PostgreSQL only (True elsewhere: SQLite's IMMEDIATE transactions serialise bookings).
    """
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)", start_lock_keys(practitioner_id, start)
        )
        (acquired,) = cursor.fetchone()
    return bool(acquired)
