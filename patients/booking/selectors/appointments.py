"""Reads for booking: free slots, a patient's appointments, course history.

Domain rules:
- Free slots come from the pure engine (`clinic.availability`): the clinic's
  side in five queries (`clinic.selectors.availability_inputs`) plus one query
  for everything that holds time in the range, whatever its length: the active
  appointments (pending review, confirmed, checked in) and the open waitlist
  offers (a slot offered to a waiting patient is held for them).
- A booking reads the clinic's side only for practitioners qualified for the
  procedure; asking for one who is not is refused (`practitioner_not_qualified`).
  Next free times are looked for `NEARBY_DAYS` (14) ahead.
- A closure hits the active appointments inside its period (whole local days
  without times), for its practitioner, its room, or everyone.
- A patient's history with a procedure, as screening reads it, is their
  latest treatment course of it (sessions done, last session date) plus the
  active appointments of that procedure booked before the date being screened
  and after the course's last session: a second peel booked ten days after a
  booked (not yet done) one is as much "too soon" as after a completed one.
- A refusal whose way out is another procedure first (a consultation: rules-v2.md
  section 3) offers that procedure's next free times (`remedy_slots`): at most
  `REMEDY_SLOTS`, within `NEARBY_DAYS` from today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.availability import (
    AvailabilityInputs,
    Booking,
    Busy,
    Needs,
    Slot,
    clinic_zone,
    free_slots,
    local_date,
    local_day_bounds,
)
from clinic.models import Closure, Practitioner
from clinic.selectors import availability_inputs
from patients.booking.errors import BookingError
from patients.models import (
    Appointment,
    PatientProfile,
    TreatmentCourse,
    WaitlistEntry,
    WaitlistOffer,
)
from patients.models.lifecycle import HOLDING_STATUSES, AppointmentStatus
from procedures.models import Procedure
from procedures.verdicts import ScreeningResult

__all__ = [
    "NEARBY_DAYS",
    "affected_by_closure",
    "appointment_of_patient",
    "appointments_for_staff",
    "booking_inputs",
    "busy_for",
    "course_history",
    "current_course",
    "free_slots_for",
    "later_sessions_of",
    "patient_appointments",
    "pending_reviews",
    "remedy_slots",
    "waitlist_of",
]

NEARBY_DAYS = 14
REMEDY_SLOTS = 6


def booking_inputs(
    procedure: Procedure,
    day: dt.date,
    days: int,
    *,
    practitioner: Practitioner | None,
    needs: Needs | None = None,
) -> AvailabilityInputs:
    """The clinic's side for booking `procedure` on `days` local dates from `day`.

    `needs` replaces what one booking of the procedure holds (a moved appointment keeps
    its own copies). Raises `practitioner_not_qualified` for a practitioner who does not
    perform the procedure.
    """
    inputs = availability_inputs(procedure, day, days, practitioner=practitioner)
    if practitioner is not None and not inputs.practitioners:
        raise BookingError(
            _("This practitioner does not perform this procedure."),
            code="practitioner_not_qualified",
            field="practitioner",
        )
    return replace(inputs, needs=needs) if needs is not None else inputs


def busy_for(
    inputs: AvailabilityInputs,
    *,
    now: dt.datetime | None = None,
    ignore_appointment: int | None = None,
    ignore_offer: int | None = None,
) -> Busy:
    """Everything that holds time for the inputs' practitioners and rooms: one query.

    Active appointments and open waitlist offers (their hold), read together with
    a UNION. `ignore_appointment` leaves out the appointment being moved, and
    `ignore_offer` the offer being accepted, so neither blocks its own time.
    """
    now = now or timezone.now()
    resources = Q(practitioner_id__in=inputs.practitioner_ids) | Q(room_id__in=inputs.room_ids)
    in_range = Q(start__lt=inputs.busy_until, room_free_at__gt=inputs.busy_from)
    columns = ("start", "end", "practitioner_id", "room_id", "room_free_at")
    appointments = Appointment.objects.filter(resources, in_range, status__in=HOLDING_STATUSES)
    if ignore_appointment is not None:
        appointments = appointments.exclude(pk=ignore_appointment)
    offers = WaitlistOffer.objects.filter(
        resources, in_range, status=WaitlistOffer.Status.OPEN, expires_at__gt=now
    )
    if ignore_offer is not None:
        offers = offers.exclude(pk=ignore_offer)
    rows = (
        appointments.order_by()
        .values_list(*columns)
        .union(offers.order_by().values_list(*columns), all=True)
    )
    return Busy.from_bookings(_bookings(rows))


def _bookings(
    rows: Iterable[tuple[dt.datetime, dt.datetime, int, int, dt.datetime]],
) -> list[Booking]:
    return [
        Booking(
            start=start,
            end=end,
            practitioner_id=practitioner_id,
            room_id=room_id,
            buffer_minutes=int((room_free_at - end).total_seconds() // 60),
        )
        for start, end, practitioner_id, room_id, room_free_at in rows
    ]


def free_slots_for(
    procedure: Procedure,
    *,
    start_date: dt.date,
    days: int,
    practitioner: Practitioner | int | None = None,
    now: dt.datetime | None = None,
) -> list[Slot]:
    """Every free slot of the procedure on `days` local dates from `start_date`.

    Six queries at most, whatever the range: five for the clinic's side, one for
    what holds time.
    """
    now = now or timezone.now()
    inputs = availability_inputs(procedure, start_date, days, practitioner=practitioner)
    if not inputs.practitioners or not inputs.room_ids:
        return []
    return free_slots(inputs, busy=busy_for(inputs, now=now), now=now)


def remedy_slots(
    result: ScreeningResult | None, *, now: dt.datetime | None = None
) -> tuple[Procedure | None, list[Slot]]:
    """The procedure a refusal names as its way out (a consultation) and its next free slots.

    (None, []) unless `result` is blocked and names one that can be booked.
    """
    if result is None or not result.blocked or not result.remedy_procedure:
        return None, []
    procedure = Procedure.objects.filter(slug=result.remedy_procedure, is_active=True).first()
    if procedure is None:
        return None, []
    now = now or timezone.now()
    slots = free_slots_for(procedure, start_date=local_date(now), days=NEARBY_DAYS, now=now)
    return procedure, slots[:REMEDY_SLOTS]


def patient_appointments(patient: PatientProfile) -> QuerySet[Appointment]:
    """The patient's appointments, newest start first, with what a list shows."""
    return (
        Appointment.objects.filter(patient=patient)
        .select_related("procedure", "practitioner__user", "room")
        .order_by("-start", "-pk")
    )


def appointment_of_patient(patient: PatientProfile, pk: int) -> Appointment | None:
    """One of the patient's own appointments, or None (another patient's is "not found")."""
    return patient_appointments(patient).filter(pk=pk).first()


def appointments_for_staff(
    *, day: dt.date | None = None, practitioner: Practitioner | None = None
) -> QuerySet[Appointment]:
    """Appointments for the desk and practitioners' lists; one local date when given."""
    appointments = Appointment.objects.select_related(
        "patient__user", "procedure", "practitioner__user", "room"
    ).order_by("start", "pk")
    if day is not None:
        start, end = local_day_bounds(day, zone=clinic_zone())
        appointments = appointments.filter(start__gte=start, start__lt=end)
    if practitioner is not None:
        appointments = appointments.filter(practitioner=practitioner)
    return appointments


def pending_reviews() -> QuerySet[Appointment]:
    """Appointments waiting for a practitioner's decision, soonest first."""
    return appointments_for_staff().filter(status=AppointmentStatus.PENDING_REVIEW)


def current_course(patient: PatientProfile, procedure: Procedure) -> TreatmentCourse | None:
    """The patient's latest course of the procedure (active or completed), or None."""
    return (
        TreatmentCourse.objects.filter(patient=patient, procedure=procedure)
        .exclude(status=TreatmentCourse.Status.LAPSED)
        .order_by("-started_on", "-pk")
        .first()
    )


def course_history(
    patient: PatientProfile,
    procedure: Procedure,
    *,
    before: dt.datetime,
    ignore_appointment: int | None = None,
) -> tuple[dt.date | None, int]:
    """(last session date, sessions done) as screening reads them for a session at `before`.

    The latest course's completed sessions, plus the patient's active
    appointments of the procedure that start before `before` and after the
    course's last session (booked sessions count as if done: see the module doc).
    """
    course = current_course(patient, procedure)
    last = course.last_session_on if course else None
    done = course.sessions_done if course else 0
    booked = Appointment.objects.filter(
        patient=patient, procedure=procedure, status__in=HOLDING_STATUSES, start__lt=before
    )
    if ignore_appointment is not None:
        booked = booked.exclude(pk=ignore_appointment)
    counted_until = course.last_session_on if course else None
    for start in booked.values_list("start", flat=True):
        day = local_date(start)
        if counted_until is not None and day <= counted_until:
            continue  # on or before the course's last completed session: already counted
        done += 1
        last = day if last is None or day > last else last
    return last, done


def later_sessions_of(appointment: Appointment) -> int:
    """How many sessions of the same procedure the patient holds after `appointment`."""
    return Appointment.objects.filter(
        patient_id=appointment.patient_id,
        procedure_id=appointment.procedure_id,
        status__in=(AppointmentStatus.PENDING_REVIEW, AppointmentStatus.CONFIRMED),
        start__gt=appointment.start,
    ).count()


def next_held_session_on(
    patient: PatientProfile,
    procedure: Procedure,
    *,
    after: dt.datetime,
    ignore_appointment: int | None = None,
) -> dt.date | None:
    """The local date of the patient's next appointment of `procedure` after `after`, if any."""
    later = Appointment.objects.filter(
        patient=patient, procedure=procedure, status__in=HOLDING_STATUSES, start__gt=after
    )
    if ignore_appointment is not None:
        later = later.exclude(pk=ignore_appointment)
    start = later.order_by("start").values_list("start", flat=True).first()
    return local_date(start) if start is not None else None


def waitlist_of(patient: PatientProfile) -> QuerySet[WaitlistEntry]:
    """The patient's waitlist entries with their open offers' data."""
    return (
        WaitlistEntry.objects.filter(patient=patient)
        .select_related("procedure", "practitioner__user")
        .prefetch_related("offers")
        .order_by("-created_at", "-pk")
    )


def affected_by_closure(closure: Closure) -> list[Appointment]:
    """The active appointments inside a closure's period, for its practitioner, room or all."""
    zone = clinic_zone()
    start = dt.datetime.combine(closure.starts_on, closure.start_time or dt.time(0), tzinfo=zone)
    if closure.end_time is not None:
        end = dt.datetime.combine(closure.ends_on, closure.end_time, tzinfo=zone)
    else:
        end = local_day_bounds(closure.ends_on, zone=zone)[1]
    appointments = Appointment.objects.filter(
        status__in=HOLDING_STATUSES, start__lt=end, end__gt=start
    ).select_related("patient__user", "practitioner__user", "room")
    if closure.practitioner_id is not None:
        appointments = appointments.filter(practitioner_id=closure.practitioner_id)
    if closure.room_id is not None:
        appointments = appointments.filter(room_id=closure.room_id)
    return list(appointments.order_by("start", "pk"))
