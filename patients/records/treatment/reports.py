"""The manager's report: adverse events by procedure, device, product lot and practitioner.

A session counts in the period when its chart's date falls in it; an event counts
with its session (whenever it was reported; a patient's report once a practitioner
triaged it). For each procedure, device, lot and
practitioner the report gives the sessions that involved it, the events of those
sessions, and the rate per 100 sessions, so a busy device is compared fairly with a
rare one. The device is the session value `device` of a procedure's schema (lasers,
needling, light); a lot counts when the chart used it. Five queries, however long
the period.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch

from patients.models import AdverseEvent, ProductUsage, TreatmentProcedure, TreatmentVisit

from .parameters import format_value, parameters_of

DEVICE_KEY = "device"


@dataclass(frozen=True)
class Row:
    label: str
    sessions: int
    events: int

    @property
    def rate(self) -> Decimal:
        """Events per 100 sessions, to one decimal place."""
        if not self.sessions:
            return Decimal(0)
        return (Decimal(self.events) * 100 / self.sessions).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class EventsReport:
    start: dt.date
    end: dt.date
    sessions: int
    events: int
    by_procedure: list[Row]
    by_device: list[Row]
    by_lot: list[Row]
    by_practitioner: list[Row]
    by_kind: list[tuple[str, int]]

    @property
    def rate(self) -> Decimal:
        return Row("", self.sessions, self.events).rate


def _device(treatment: TreatmentProcedure) -> str | None:
    value = treatment.values.get(DEVICE_KEY)
    if not value:
        return None
    for parameter in parameters_of(treatment.schema):
        if parameter.key == DEVICE_KEY:
            return f"{treatment.procedure_name}: {format_value(parameter, value)}"
    return f"{treatment.procedure_name}: {value}"


def _rows(sessions: dict[str, set[int]], events_of: dict[int, int]) -> list[Row]:
    rows = [
        Row(label, len(ids), sum(events_of.get(visit_id, 0) for visit_id in ids))
        for label, ids in sessions.items()
    ]
    return sorted(rows, key=lambda row: (-row.rate, -row.events, row.label))


def events_report(*, start: dt.date, end: dt.date) -> EventsReport:
    """Sessions and events between `start` and `end` (both included), grouped four ways."""
    visits = list(
        TreatmentVisit.objects.filter(session_on__gte=start, session_on__lte=end)
        .select_related("practitioner__user")
        .prefetch_related(
            Prefetch("procedures", queryset=TreatmentProcedure.objects.all()),
            Prefetch(
                "product_usages", queryset=ProductUsage.objects.select_related("lot__product")
            ),
        )
    )
    by_appointment = {visit.appointment_id: visit.pk for visit in visits}
    events = list(
        AdverseEvent.objects.filter(appointment_id__in=list(by_appointment)).exclude(
            status=AdverseEvent.Status.NEW, kind=""
        )
    )
    events_of: dict[int, int] = defaultdict(int)
    kinds: dict[str, int] = defaultdict(int)
    for event in events:
        events_of[by_appointment[event.appointment_id]] += 1
        kinds[event.get_kind_display()] += 1
    procedures: dict[str, set[int]] = defaultdict(set)
    devices: dict[str, set[int]] = defaultdict(set)
    lots: dict[str, set[int]] = defaultdict(set)
    practitioners: dict[str, set[int]] = defaultdict(set)
    for visit in visits:
        practitioners[visit.practitioner.user.get_full_name() or str(visit.practitioner)].add(
            visit.pk
        )
        for treatment in visit.procedures.all():
            procedures[treatment.procedure_name].add(visit.pk)
            device = _device(treatment)
            if device:
                devices[device].add(visit.pk)
        for usage in visit.product_usages.all():
            lots[f"{usage.lot.product.name} — {usage.lot.lot_number}"].add(visit.pk)
    return EventsReport(
        start=start,
        end=end,
        sessions=len(visits),
        events=sum(events_of.values()),
        by_procedure=_rows(procedures, events_of),
        by_device=_rows(devices, events_of),
        by_lot=_rows(lots, events_of),
        by_practitioner=_rows(practitioners, events_of),
        by_kind=sorted(kinds.items(), key=lambda item: (-item[1], item[0])),
    )
