"""Reads of the clinic's resources: who may perform a procedure, and what availability needs.

`availability_inputs` turns the database's practitioners, hours, rooms and closures into
the plain data of `clinic.availability`, in five queries whatever the date range; the
booking code adds the appointments that hold time (one more query) and calls the pure
engine. The exact calling sequence is in `clinic.availability`'s module docstring.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q

from procedures.models import Procedure

from .availability import (
    AvailabilityInputs,
    ClosedPeriod,
    Needs,
    PractitionerHours,
    WeeklyHours,
)
from .models import Closure, OpeningHours, Practitioner, Room, WorkingHours, qualifies

__all__ = ["availability_inputs", "qualified_practitioners"]


def _through(model: Any) -> models.Manager[models.Model]:
    """The rows of a many-to-many table that Django made (which the stubs type as Never)."""
    return model._default_manager


def qualified_practitioners(
    procedure: Procedure, *, practitioner: Practitioner | int | None = None
) -> list[Practitioner]:
    """Active practitioners who may perform the procedure, with their users; one query.

    `practitioner` narrows the answer to that one (empty when they may not perform it).
    """
    extra = _through(Practitioner.extra_procedures.through).filter(
        practitioner=OuterRef("pk"), procedure=procedure
    )
    excluded = _through(Practitioner.excluded_procedures.through).filter(
        practitioner=OuterRef("pk"), procedure=procedure
    )
    queryset = (
        Practitioner.objects.filter(is_active=True, user__is_active=True)
        .select_related("user")
        .annotate(is_extra=Exists(extra), is_excluded=Exists(excluded))
    )
    if practitioner is not None:
        queryset = queryset.filter(pk=getattr(practitioner, "pk", practitioner))
    # Roles are a JSON list, and SQLite has no JSON containment lookup: decide in Python,
    # on the rows of one query (a clinic has a handful of practitioners).
    return [
        p
        for p in queryset
        if qualifies(
            roles=p.roles,
            procedure_roles=procedure.roles,
            is_extra=p.is_extra,
            is_excluded=p.is_excluded,
        )
    ]


def availability_inputs(
    procedure: Procedure,
    start_local_date: date,
    days: int,
    *,
    practitioner: Practitioner | int | None = None,
) -> AvailabilityInputs:
    """The clinic's side of availability for `days` local dates from `start_local_date`.

    Five queries at most (practitioners, their hours, rooms, opening hours, closures),
    however long the range. `practitioner` limits the answer to that practitioner.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    end_date = start_local_date + timedelta(days=days - 1)
    practitioners = qualified_practitioners(procedure, practitioner=practitioner)
    practitioner_ids = [p.pk for p in practitioners]

    hours_by_practitioner: dict[int, list[WeeklyHours]] = defaultdict(list)
    if practitioner_ids:
        for row in WorkingHours.objects.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=end_date),
            Q(valid_until__isnull=True) | Q(valid_until__gte=start_local_date),
            practitioner_id__in=practitioner_ids,
        ).values_list("practitioner_id", "weekday", "start", "end", "valid_from", "valid_until"):
            practitioner_id, weekday, start, end, valid_from, valid_until = row
            hours_by_practitioner[practitioner_id].append(
                WeeklyHours(
                    weekday=weekday,
                    start=start,
                    end=end,
                    valid_from=valid_from,
                    valid_until=valid_until,
                )
            )

    room_ids = tuple(
        Room.objects.filter(kind=procedure.room_kind, is_active=True)
        .order_by("name", "pk")
        .values_list("pk", flat=True)
    )
    opening = tuple(
        WeeklyHours(weekday=weekday, start=opens, end=closes)
        for weekday, opens, closes in OpeningHours.objects.values_list("weekday", "opens", "closes")
    )
    # A day's margin on both sides: a closure's wall-clock edges are resolved in the
    # engine's zone, and a closure ending just before midnight still touches the range.
    closures = tuple(
        ClosedPeriod(
            starts_on=starts_on,
            ends_on=ends_on,
            start_time=start_time,
            end_time=end_time,
            practitioner_id=closure_practitioner,
            room_id=closure_room,
        )
        for starts_on, ends_on, start_time, end_time, closure_practitioner, closure_room in (
            Closure.objects.filter(
                Q(practitioner__isnull=True, room__isnull=True)
                | Q(practitioner_id__in=practitioner_ids)
                | Q(room_id__in=room_ids),
                starts_on__lte=end_date + timedelta(days=1),
                ends_on__gte=start_local_date - timedelta(days=1),
            ).values_list(
                "starts_on", "ends_on", "start_time", "end_time", "practitioner_id", "room_id"
            )
        )
    )
    return AvailabilityInputs(
        needs=Needs(
            booked_minutes=procedure.booked_minutes,
            buffer_minutes=procedure.buffer_minutes,
            room_kind=procedure.room_kind,
        ),
        start_date=start_local_date,
        days=days,
        practitioners=tuple(
            PractitionerHours(
                practitioner_id=p.pk, hours=tuple(hours_by_practitioner.get(p.pk, ()))
            )
            for p in practitioners
        ),
        room_ids=room_ids,
        opening=opening,
        closures=closures,
    )
