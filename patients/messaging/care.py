"""Which care instructions an appointment gets, and on which day (issue #19).

Domain rules (the instructions themselves: `procedures.models.CareInstruction`):
- An appointment gets its procedure's active instructions; one marked
  `only_with_herpes_history` only when the patient's newest questionnaire
  answers `herpes_history` yes.
- Instructions of one kind falling on one day go out as one message: pre-care
  ones as a pre-care notice, after-care ones as an after-care note (so the
  patient's channel choices for care messages apply, and a move or a
  cancellation re-dates or cancels them with the appointment's other timed
  messages, `patients.messaging.schedule`).
- The day is the appointment's local day plus the offset, at the usual hour
  (`reminders.SEND_AT`); an after-care instruction of the day itself waits for
  the end of the appointment. A day already gone is skipped.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import translation

import patients.messaging.reminders as reminders
from patients.models import Appointment, IntakeVersion, OutboxMessage
from procedures.models import CareInstruction

__all__ = ["care_due", "grouped_instructions", "instruction_texts", "precare_texts"]

Kind = OutboxMessage.Kind
KIND_OF = {
    CareInstruction.Kind.PRE: Kind.PRECARE_NOTICE,
    CareInstruction.Kind.AFTER: Kind.AFTERCARE,
}


def _herpes_history(patient_id: int) -> bool:
    newest = IntakeVersion.objects.filter(patient_id=patient_id).order_by("-number").first()
    return bool(newest and newest.answers.get("herpes_history"))


def grouped_instructions(appointment: Appointment) -> dict[tuple[str, int], list[int]]:
    """{(outbox kind, day offset): [instruction ids]} for this appointment."""
    instructions = CareInstruction.objects.filter(
        procedure_id=appointment.procedure_id, active=True
    ).order_by("offset_days", "pk")
    herpes: bool | None = None
    grouped: dict[tuple[str, int], list[int]] = defaultdict(list)
    for instruction in instructions:
        if instruction.only_with_herpes_history:
            if herpes is None:
                herpes = _herpes_history(appointment.patient_id)
            if not herpes:
                continue
        kind = KIND_OF[CareInstruction.Kind(instruction.kind)]
        grouped[(kind, instruction.offset_days)].append(instruction.pk)
    return dict(grouped)


def care_due(appointment: Appointment, kind: str, offset: int, *, zone: dt.tzinfo) -> dt.datetime:
    """When the instructions of `kind` on day `offset` go out."""
    if kind == Kind.AFTERCARE and offset == 0:
        return appointment.end.astimezone(dt.UTC)
    day = reminders.local_day(appointment.start, zone=zone) + dt.timedelta(days=offset)
    return reminders.at_wall_clock(day, zone=zone)


def instruction_texts(ids: list[int], *, language: str) -> list[str]:
    """The texts of the still-active instructions `ids`, in `language`, in their order."""
    with translation.override(language):
        found = CareInstruction.objects.filter(pk__in=ids, active=True).in_bulk()
        return [found[pk].text for pk in ids if pk in found]


def precare_texts(appointment: Appointment, *, language: str) -> list[str]:
    """The pre-care instructions this appointment's patient gets, in `language`, by day."""
    ids = [
        pk
        for (kind, _offset), group in sorted(
            grouped_instructions(appointment).items(), key=lambda item: item[0][1]
        )
        if kind == Kind.PRECARE_NOTICE
        for pk in group
    ]
    return instruction_texts(ids, language=language)
