"""The race guard: the many losers of a race for one slot hear their "no" quickly.

Booking calls it in two places (`patients.booking.services.booking`):

1. `guarded_transaction(...)` wraps the booking's transaction. Before it opens,
   one indexed question: does an active appointment of the patient, or of the
   practitioner asked for, already overlap the requested minutes? If so the
   answer is `patient_busy` / `slot_taken` at once, before screening and before
   the schedule is read. Only a start that is plainly bookable (on the grid,
   after the lead time, inside the horizon) is answered this way, so those
   answers keep their own code; who may book for whom is decided before. The
   precedence moves for these requests only: they hear "taken" (or "busy")
   before they would have heard `screening_blocked`, `intake_required` or
   `consent_required`. That hides nothing dangerous, because nothing is booked
   on that path: whichever slot the patient tries next goes through every check.
   On PostgreSQL the first booking of a practitioner's start takes the start's
   advisory lock (`patients.booking.locking`) inside the transaction; a parallel
   booking of the same start finds it held and hears `slot_taken` at once (one
   practitioner, one start: it would conflict anyway) instead of waiting for the
   winner's commit. Should the first one then be refused, the time is free again
   for the next try. After taking the lock the question is asked once more (a
   booking may have committed meanwhile). Every other check, and the exclusion
   constraints, stay the guard.
   The API enters it before it reads the procedure and practitioner at all
   (through the booking service, with their slug and id): a start refused seconds
   ago (its next free slots are cached with the procedure's booked minutes and id)
   gets the same quick question and the same answers
   (`refusal_of_a_recently_refused_start`); anything else takes the whole way.
2. `alternatives(...)`: the next free slots of a "just taken" answer, on the days
   the patient may book (screened as `screening.allowed_slots` screens). The free
   slots are advice (re-checked when booked), so they are kept unscreened in the
   shared cache for `BOOKING_ALTERNATIVES_CACHE_SECONDS` per procedure,
   practitioner (or any) and start: a booking or cancellation shows in them within
   those seconds. Of many parallel refusals of one start with nothing cached, one
   computes them and the others wait up to `ALTERNATIVES_WAIT_SECONDS` for its
   answer. They never include the refused start itself: a parallel booking may
   hold it without having committed it yet. Each patient's screening of them is
   read for that patient, in three written-out queries, and never cached.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Field, Model
from django.utils import timezone

from clinic.availability import (
    AvailabilityInputs,
    Busy,
    Needs,
    Policy,
    Slot,
    local_date,
    next_free_slots,
)
from clinic.models import Practitioner, User
from patients.booking.errors import BookingError, PatientBusy, SlotTaken
from patients.booking.locking import start_lock_keys, take_start_lock
from patients.booking.screening import ScreeningInputs, own_history_with, slots_allowed_with
from patients.booking.selectors import NEARBY_DAYS, booking_inputs, busy_for
from patients.models import Appointment, IntakeVersion, PatientProfile, TreatmentCourse
from patients.models.lifecycle import HOLDING_STATUSES, AppointmentStatus
from patients.records.selectors import COUNTED_STATUSES, OtherSession
from procedures.models import Procedure

__all__ = [
    "alternatives",
    "clear_alternatives_cache",
    "guarded_transaction",
    "refusal_of_a_recently_refused_start",
]

ALTERNATIVES = 5
# A refusal waits this long at most for a parallel one's next free slots, polling the cache.
ALTERNATIVES_WAIT_SECONDS = 1.0
ALTERNATIVES_POLL_SECONDS = 0.005
Verdict = type[PatientBusy] | type[SlotTaken]
# A start in the first or last year a datetime holds was never refused with alternatives.
_NEVER_BOOKABLE_YEARS = (dt.MINYEAR, dt.MAXYEAR)


# --- 1. the quick "no" before the transaction ---------------------------------------------


@contextmanager
def guarded_transaction(
    *,
    patient: PatientProfile,
    booked_by: User,
    start: dt.datetime,
    procedure: Procedure | str,
    practitioner: Practitioner | int | None,
    now: dt.datetime,
) -> Iterator[None]:
    """The booking's transaction, opened only when the quick "no" does not refuse first.

    A refusal is raised after the transaction ends, with the next free slots: the
    queue of parallel bookings is not held while they are computed.

    Given the procedure's slug and the practitioner's id instead (the API, before it
    reads either), only a start refused seconds ago is refused
    (`refusal_of_a_recently_refused_start`), and no transaction is opened: the block
    books nothing, and the booking takes its whole way next.
    """
    if isinstance(procedure, str):
        refusal = None
        if isinstance(practitioner, int):
            refusal = refusal_of_a_recently_refused_start(
                patient=patient,
                booked_by=booked_by,
                procedure_slug=procedure,
                start=start,
                practitioner_id=practitioner,
            )
        if refusal is not None:
            raise refusal
        yield
        return
    if isinstance(practitioner, int):
        raise TypeError("A procedure read from the catalogue comes with its practitioner read.")
    verdict = _overlap_verdict(
        patient=patient, procedure=procedure, start=start, practitioner=practitioner, now=now
    )
    if verdict is None:
        with transaction.atomic():
            if practitioner is not None:
                if not take_start_lock(practitioner.pk, start):
                    verdict = SlotTaken  # another booking of this start is under way
                else:
                    verdict = _overlap_verdict(
                        patient=patient,
                        procedure=procedure,
                        start=start,
                        practitioner=practitioner,
                        now=now,
                    )
            if verdict is None:
                yield
                return
    if verdict is PatientBusy:
        raise PatientBusy()
    raise SlotTaken(
        alternatives(procedure, patient=patient, start=start, practitioner=practitioner, now=now)
    )


def refusal_of_a_recently_refused_start(
    *,
    patient: PatientProfile,
    booked_by: User,
    procedure_slug: str,
    start: dt.datetime,
    practitioner_id: int,
) -> BookingError | None:
    """The quick "no" for a hot slot, before the procedure and practitioner are even read.

    When a booking of this procedure, practitioner and start was refused seconds ago,
    its next free slots are cached with the procedure's booked minutes: these values
    were valid then, so asking the catalogue again adds nothing to a "no". The one
    overlap question says whether the time is still held right now (a cancellation
    frees it at once): held by this patient is `patient_busy`, by the practitioner
    `slot_taken` with the cached slots; so is a start another booking is under way
    for (PostgreSQL: its advisory lock is held). Anything else returns None and the
    booking takes its whole way, every check included: an unverified or erased
    patient, someone booking for another, values never refused, a time free now.
    """
    if booked_by.pk != patient.user_id or patient.erased_at is not None:
        return None
    if not patient.is_verified or timezone.is_naive(start) or start.year in _NEVER_BOOKABLE_YEARS:
        return None
    cached = _cached_refusal(procedure_slug, practitioner_id, start)
    if cached is None:
        return None
    slots, booked_minutes, procedure_id = cached
    verdict = _overlap_verdict_for(
        patient=patient,
        start=start,
        booked_minutes=booked_minutes,
        practitioner_id=practitioner_id,
        now=timezone.now(),
    )
    if verdict is None and _start_seen_being_booked(practitioner_id, start):
        verdict = SlotTaken  # as a booking under way is answered inside the transaction
    if verdict is PatientBusy:
        return PatientBusy()
    if verdict is SlotTaken:
        screened = _screened(
            slots, patient=patient, procedure_id=procedure_id, procedure_slug=procedure_slug
        )
        return SlotTaken(screened)
    return None


def _overlap_verdict(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    start: dt.datetime,
    practitioner: Practitioner | None,
    now: dt.datetime,
) -> Verdict | None:
    return _overlap_verdict_for(
        patient=patient,
        start=start,
        booked_minutes=procedure.booked_minutes,
        practitioner_id=practitioner.pk if practitioner is not None else None,
        now=now,
    )


def _overlap_verdict_for(
    *,
    patient: PatientProfile,
    start: dt.datetime,
    booked_minutes: int,
    practitioner_id: int | None,
    now: dt.datetime,
) -> Verdict | None:
    """The quick "no" from one indexed query; None decides nothing."""
    if Policy.from_settings().why_not_bookable(start, now) is not None:
        return None
    end = start + dt.timedelta(minutes=booked_minutes)
    with_practitioner = practitioner_id is not None
    holders = [patient.pk, practitioner_id] if with_practitioner else [patient.pk]
    params = [
        *holders,
        *HOLDING_STATUSES,
        connection.ops.adapt_datetimefield_value(end),
        connection.ops.adapt_datetimefield_value(start),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_overlap_sql(connection.vendor, with_practitioner=with_practitioner), params)
        overlapping = {row[0] for row in cursor.fetchall()}
    if not overlapping:
        return None
    return PatientBusy if patient.pk in overlapping else SlotTaken


# The quick "no" runs for every loser of a race, so its one query is written out once
# rather than built by the ORM each time (docs/benchmarks.md). It asks what
# Appointment.objects.filter(Q(patient=...) | Q(practitioner_id=...),
# status__in=HOLDING_STATUSES, start__lt=end, end__gt=start).values_list("patient_id")[:2]
# asks (a test holds the two to the same answers).
_OVERLAP_SQL = (
    "SELECT {patient} FROM {table} WHERE ({holders}) AND {status} IN ({statuses}) "
    "AND {start} < %s AND {end} > %s LIMIT 2"
)


@functools.cache
def _overlap_sql(vendor: str, *, with_practitioner: bool) -> str:
    """The overlap query for this database (`vendor`: its identifiers quoted its way)."""
    quote = connection.ops.quote_name
    # Concrete fields, so each has its column (the stubs allow None for any field).
    concrete = {field.name: field for field in Appointment._meta.concrete_fields}
    column = {
        name: quote(cast(str, concrete[name].column))
        for name in ("patient", "practitioner", "status", "start", "end")
    }
    holders = f"{column['patient']} = %s"
    if with_practitioner:
        holders += f" OR {column['practitioner']} = %s"
    return _OVERLAP_SQL.format(
        table=quote(Appointment._meta.db_table),
        holders=holders,
        statuses=", ".join(["%s"] * len(HOLDING_STATUSES)),
        **column,
    )


# Whether another session holds a start's advisory lock (two keys: objsubid 2) in this
# database: read, never taken (the quick "no" outside any booking transaction).
_LOCK_HELD_SQL = """
SELECT EXISTS (
    SELECT 1 FROM pg_locks
    WHERE locktype = 'advisory' AND objsubid = 2 AND granted AND pid <> pg_backend_pid()
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND classid = %s::bigint::oid AND objid = %s::bigint::oid
)
"""


def _start_seen_being_booked(practitioner_id: int, start: dt.datetime) -> bool:
    """PostgreSQL: whether a booking of this start holds its advisory lock now (only looks)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_HELD_SQL, start_lock_keys(practitioner_id, start))
        (held,) = cursor.fetchone()
    return bool(held)


# --- 2. the next free slots after a refusal -----------------------------------------------


def alternatives(
    procedure: Procedure,
    *,
    patient: PatientProfile,
    start: dt.datetime,
    practitioner: Practitioner | None,
    now: dt.datetime,
    inputs: AvailabilityInputs | None = None,
    busy: Busy | None = None,
    needs: Needs | None = None,
    ignore_appointment: int | None = None,
    ignore_offer: int | None = None,
) -> list[Slot]:
    """The next free slots from the refused `start` (two weeks ahead at most) on the days
    `patient` may book `procedure` (`screening.slots_allowed_with`).

    `inputs` and `busy` are the schedule the refusal already read, when it read one;
    without `busy` the time held is read again (after a refused insert the winner's
    row is visible now). A booking still under way (its lock held, its row not
    committed) is not: so with a practitioner asked for, the refused start itself is
    left out. The free slots of a plain booking (no `needs` of a moved appointment,
    nothing ignored) are shared through the cache, and parallel refusals of one start
    with nothing cached and no schedule read yet wait for the first one's answer; each
    patient's screening of them is their own (`ignore_appointment`, the appointment
    being moved, is left out of it).
    """
    slots = _next_free_slots(
        procedure,
        start=start,
        practitioner=practitioner,
        now=now,
        inputs=inputs,
        busy=busy,
        needs=needs,
        ignore_appointment=ignore_appointment,
        ignore_offer=ignore_offer,
    )
    return _screened(
        slots,
        patient=patient,
        procedure_id=procedure.pk,
        procedure_slug=procedure.slug,
        excluding=ignore_appointment,
    )


def _next_free_slots(
    procedure: Procedure,
    *,
    start: dt.datetime,
    practitioner: Practitioner | None,
    now: dt.datetime,
    inputs: AvailabilityInputs | None,
    busy: Busy | None,
    needs: Needs | None,
    ignore_appointment: int | None,
    ignore_offer: int | None,
) -> list[Slot]:
    """The next free slots from `start` as the clinic's schedule has them (unscreened)."""
    cacheable = needs is None and ignore_appointment is None and ignore_offer is None
    single_flight = cacheable and inputs is None
    if cacheable:
        cached = _cached_alternatives(procedure, practitioner, start)
        if cached is None and single_flight:
            cached = _alternatives_computed_elsewhere(procedure, practitioner, start)
        if cached is not None:
            return cached
    try:
        policy = Policy.from_settings()
        if inputs is None:
            day = max(start, now).astimezone(policy.zone).date()
            inputs = booking_inputs(
                procedure, day, NEARBY_DAYS, practitioner=practitioner, needs=needs
            )
        if busy is None:
            busy = busy_for(
                inputs, now=now, ignore_appointment=ignore_appointment, ignore_offer=ignore_offer
            )
        slots = next_free_slots(
            inputs, busy=busy, now=now, after=start, limit=ALTERNATIVES + 1, policy=policy
        )
        if practitioner is not None:
            slots = [slot for slot in slots if slot.start != start]
        slots = slots[:ALTERNATIVES]
        if cacheable:
            _cache_alternatives(procedure, practitioner, start, slots)
        return slots
    finally:
        if single_flight:
            cache.delete(_computing_key(procedure, practitioner, start))


def clear_alternatives_cache() -> None:
    """Forget every cached "next free slots" answer (tests: the cache outlives a test's data)."""
    cache.set(_GENERATION_KEY, uuid.uuid4().hex, timeout=None)


# A cached answer carries the generation kept in the cache itself, and counts only
# while that generation is current, so clear_alternatives_cache() forgets every
# answer in every process sharing the cache. Both are read in one round trip.
_GENERATION_KEY = "booking:alternatives:generation"


def _alternatives_key(procedure_slug: str, practitioner_id: int | None, start: dt.datetime) -> str:
    who = practitioner_id if practitioner_id is not None else "any"
    when = start.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S")
    # ":2": the entry's shape (with the procedure's id), apart from the entries of before.
    return f"booking:alternatives:2:{procedure_slug}:{who}:{when}"


def _current_generation() -> str:
    generation = cache.get(_GENERATION_KEY)
    if generation is None:
        generation = uuid.uuid4().hex
        # add(): of two processes starting a generation at once, one wins for both.
        if not cache.add(_GENERATION_KEY, generation, timeout=None):
            generation = cache.get(_GENERATION_KEY, generation)
    return generation


def _cached_refusal(
    procedure_slug: str, practitioner_id: int | None, start: dt.datetime
) -> tuple[list[Slot], int, int] | None:
    """The cached next free slots after a refused `start` (unscreened), with the procedure's
    booked minutes and id."""
    if settings.BOOKING_ALTERNATIVES_CACHE_SECONDS <= 0:
        return None
    key = _alternatives_key(procedure_slug, practitioner_id, start)
    found = cache.get_many([_GENERATION_KEY, key])
    cached = found.get(key)
    if cached is None or _GENERATION_KEY not in found:
        return None
    generation, computed_at, slots, booked_minutes, procedure_id = cached
    if generation != found[_GENERATION_KEY]:
        return None
    # The age is checked here, not only by the cache's own expiry, so the few
    # seconds hold whatever the backend's expiry granularity (and under a pinned clock).
    age = timezone.now().timestamp() - computed_at
    if 0 <= age <= settings.BOOKING_ALTERNATIVES_CACHE_SECONDS:
        return slots, booked_minutes, procedure_id
    return None


def _cached_alternatives(
    procedure: Procedure, practitioner: Practitioner | None, start: dt.datetime
) -> list[Slot] | None:
    cached = _cached_refusal(procedure.slug, practitioner.pk if practitioner else None, start)
    return cached[0] if cached is not None else None


def _computing_key(
    procedure: Procedure, practitioner: Practitioner | None, start: dt.datetime
) -> str:
    practitioner_id = practitioner.pk if practitioner else None
    return f"{_alternatives_key(procedure.slug, practitioner_id, start)}:computing"


def _alternatives_computed_elsewhere(
    procedure: Procedure, practitioner: Practitioner | None, start: dt.datetime
) -> list[Slot] | None:
    """The next free slots a parallel refusal of `start` is computing now, waited for.

    The first refusal of a start with nothing cached marks it (`cache.add`: one of
    many wins) and computes them (None: ours to compute); the others poll the cache
    for its answer instead of computing the same. They stop waiting when the mark
    goes without an answer (that refusal failed) or after `ALTERNATIVES_WAIT_SECONDS`
    (it died), and compute their own.
    """
    if settings.BOOKING_ALTERNATIVES_CACHE_SECONDS <= 0:
        return None
    key = _computing_key(procedure, practitioner, start)
    if cache.add(key, True, timeout=max(1, math.ceil(ALTERNATIVES_WAIT_SECONDS))):
        return None
    for _poll in range(math.ceil(ALTERNATIVES_WAIT_SECONDS / ALTERNATIVES_POLL_SECONDS)):
        time.sleep(ALTERNATIVES_POLL_SECONDS)
        if (cached := _cached_alternatives(procedure, practitioner, start)) is not None:
            return cached
        if cache.get(key) is None:
            return None
    return None


def _cache_alternatives(
    procedure: Procedure, practitioner: Practitioner | None, start: dt.datetime, slots: list[Slot]
) -> None:
    seconds = settings.BOOKING_ALTERNATIVES_CACHE_SECONDS
    if seconds <= 0:
        return
    cache.set(
        _alternatives_key(procedure.slug, practitioner.pk if practitioner else None, start),
        (
            _current_generation(),
            timezone.now().timestamp(),
            list(slots),
            procedure.booked_minutes,
            procedure.pk,
        ),
        timeout=seconds + 1,
    )


# --- 3. each patient's screening of the next free slots -----------------------------------


def _screened(
    slots: list[Slot],
    *,
    patient: PatientProfile,
    procedure_id: int,
    procedure_slug: str,
    excluding: int | None = None,
) -> list[Slot]:
    """The slots on the days the patient may book the procedure, as
    `screening.allowed_slots` screens them, the patient read in three written-out queries.

    The same reads as `screening_inputs` (the latest intake, the sessions screening
    counts, `excluding` left out) and `own_history` (the latest course not lapsed); a
    test holds the two to the same answers.
    """
    if not slots:
        return slots
    inputs = ScreeningInputs(_latest_intake(patient.pk), _sessions(patient.pk, excluding))
    last_on, done = _course(patient.pk, procedure_id)
    own = own_history_with(procedure_slug, inputs, course_last_on=last_on, course_done=done)
    return slots_allowed_with(slots, procedure_slug=procedure_slug, inputs=inputs, own=own)


# Every loser of a race screens its alternatives, so its three reads are written out once
# rather than built by the ORM each time (docs/benchmarks.md), like the overlap query.
_INTAKE_FIELDS = ("id", "patient", "number", "answers", "patient_reviewed_at")
_INTAKE_SQL = "SELECT {columns} FROM {table} WHERE {patient} = %s ORDER BY {number} DESC LIMIT 1"
_SESSIONS_SQL = (
    "SELECT {slug}, {start}, {status} FROM {table} INNER JOIN {procedures} "
    "ON {procedure} = {procedure_id} WHERE {patient} = %s AND {status} IN ({statuses})"
    "{excluding} ORDER BY {start} ASC, {id} ASC"
)
_COURSE_SQL = (
    "SELECT {last_session_on}, {sessions_done} FROM {table} "
    "WHERE {patient} = %s AND {procedure} = %s AND NOT ({status} = %s) "
    "ORDER BY {started_on} DESC, {id} DESC LIMIT 1"
)


def _columns(model: type[Model], names: tuple[str, ...]) -> dict[str, str]:
    """Each field's column, quoted and named with its table (no ambiguity in a join)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    concrete = {field.name: field for field in model._meta.concrete_fields}
    return {name: f"{table}.{quote(cast(str, concrete[name].column))}" for name in names}


def _fetch(sql: str, params: list[Any], fields: list[Field]) -> list[list[Any]]:
    """The rows of `sql`, each value turned into Python as the ORM turns that field's."""
    converters = []
    for field in fields:
        column = field.get_col(field.model._meta.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        converters.append((column, found))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converted = []
    for row in rows:
        values = []
        for value, (column, found) in zip(row, converters, strict=True):
            for convert in found:
                value = convert(value, column, connection)
            values.append(value)
        converted.append(values)
    return converted


@functools.cache
def _intake_read(vendor: str) -> tuple[str, list[Field]]:
    """The latest intake's query for this database (`vendor`), and its fields, in the model's
    order (`IntakeVersion.from_db` takes them so; the others load when asked for)."""
    fields = [f for f in IntakeVersion._meta.concrete_fields if f.name in _INTAKE_FIELDS]
    column = _columns(IntakeVersion, _INTAKE_FIELDS)
    sql = _INTAKE_SQL.format(
        columns=", ".join(column[f.name] for f in fields),
        table=connection.ops.quote_name(IntakeVersion._meta.db_table),
        **column,
    )
    return sql, fields


def _latest_intake(patient_id: int) -> IntakeVersion | None:
    sql, fields = _intake_read(connection.vendor)
    rows = _fetch(sql, [patient_id], fields)
    if not rows:
        return None
    return IntakeVersion.from_db(connection.alias, [f.attname for f in fields], rows[0])


@functools.cache
def _sessions_read(vendor: str, *, excluding: bool) -> tuple[str, list[Field]]:
    """The query of the sessions screening counts for this database (`vendor`), and its fields."""
    quote = connection.ops.quote_name
    column = _columns(Appointment, ("id", "patient", "procedure", "start", "status"))
    procedure_column = _columns(Procedure, ("id", "slug"))
    sql = _SESSIONS_SQL.format(
        table=quote(Appointment._meta.db_table),
        procedures=quote(Procedure._meta.db_table),
        procedure_id=procedure_column["id"],
        slug=procedure_column["slug"],
        statuses=", ".join(["%s"] * len(COUNTED_STATUSES)),
        excluding=f" AND NOT ({column['id']} = %s)" if excluding else "",
        **column,
    )
    fields = [
        Procedure._meta.get_field("slug"),
        Appointment._meta.get_field("start"),
        Appointment._meta.get_field("status"),
    ]
    return sql, cast(list[Field], fields)


def _sessions(patient_id: int, excluding: int | None) -> tuple[OtherSession, ...]:
    sql, fields = _sessions_read(connection.vendor, excluding=excluding is not None)
    params: list[Any] = [patient_id, *sorted(COUNTED_STATUSES)]
    if excluding is not None:
        params.append(excluding)
    return tuple(
        (slug, local_date(start), status == AppointmentStatus.COMPLETED)
        for slug, start, status in _fetch(sql, params, fields)
    )


@functools.cache
def _course_read(vendor: str) -> tuple[str, list[Field]]:
    """The latest course's query for this database (`vendor`), and its fields."""
    names = ("id", "patient", "procedure", "status", "started_on", "last_session_on")
    column = _columns(TreatmentCourse, (*names, "sessions_done"))
    sql = _COURSE_SQL.format(
        table=connection.ops.quote_name(TreatmentCourse._meta.db_table), **column
    )
    fields = [
        TreatmentCourse._meta.get_field("last_session_on"),
        TreatmentCourse._meta.get_field("sessions_done"),
    ]
    return sql, cast(list[Field], fields)


def _course(patient_id: int, procedure_id: int) -> tuple[dt.date | None, int]:
    """(last session date, sessions done) of the latest course not lapsed; (None, 0) without."""
    sql, fields = _course_read(connection.vendor)
    params = [patient_id, procedure_id, TreatmentCourse.Status.LAPSED.value]
    rows = _fetch(sql, params, fields)
    if not rows:
        return None, 0
    last_on, done = rows[0]
    return last_on, done
