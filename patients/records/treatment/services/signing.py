"""Signing a chart, and the addenda that change a signed one.

Domain rules:
- "Can this chart be signed?" is one question, `signing_problems(visit)`: the list of
  what is still missing, empty when it can be signed. The record's own conditions:
  every procedure has its required session values; a procedure with per-zone
  parameters has at least one zone and each zone its required values; every
  pre-care check is answered; the immediate skin response (erythema) is noted; the
  after-care given is written down; anaesthesia other than none names the product
  lot used. Other features add their own condition with `signing_condition` (the
  outcome photos of #18: "photos required before a chart can be signed").
- A practitioner or a manager signs (their login, the time); a signed chart is
  read-only. Signing twice is refused (`chart_signed`).
- An addendum is the only change to a signed chart: who, when, why and what, written
  once and shown beneath the chart. A chart not yet signed is edited, not amended.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clinic.models import User
from patients.models import ChartAddendum, ProductUsage, TreatmentVisit
from patients.models.treatment import Anaesthesia, ParameterScope, PrecareCheck
from procedures.errors import lazy_interpolate

from ..access import require_clinician
from ..errors import ChartSigned, RecordError, RecordLocked
from ..parameters import missing_required, parameters_of
from .charts import lock_visit, record_is_locked

__all__ = [
    "SigningCondition",
    "add_addendum",
    "can_sign",
    "sign_chart",
    "signing_condition",
    "signing_problems",
]

Problem = str | Promise
SigningCondition = Callable[[TreatmentVisit], Iterable[Problem]]
_conditions: list[SigningCondition] = []


def signing_condition(condition: SigningCondition) -> SigningCondition:
    """Register `condition` (a function of the chart giving its problems); usable as a decorator.

    Registering the same function twice keeps one copy, so a module imported again
    does not double its problems.
    """
    if condition not in _conditions:
        _conditions.append(condition)
    return condition


def _labels(keys: Iterable[str], schema: list[dict[str, Any]]) -> str:
    by_key = {p.key: p.label for p in parameters_of(schema)}
    return ", ".join(by_key.get(key, key) for key in keys)


@signing_condition
def _procedures_complete(visit: TreatmentVisit) -> Iterable[Problem]:
    for treatment in visit.procedures.all():
        name = treatment.procedure_name
        session = parameters_of(treatment.schema, ParameterScope.PER_SESSION)
        missing = missing_required(session, treatment.values)
        if missing:
            yield lazy_interpolate(
                _("%(procedure)s: give %(values)s."),
                {"procedure": name, "values": _labels(missing, treatment.schema)},
            )
        per_zone = parameters_of(treatment.schema, ParameterScope.PER_ZONE)
        if not per_zone:
            continue
        zones = list(treatment.zones.all())
        if not zones:
            yield lazy_interpolate(
                _("%(procedure)s: mark the treated zones on the face map."), {"procedure": name}
            )
        for zone in zones:
            missing = missing_required(per_zone, zone.values)
            if missing:
                yield lazy_interpolate(
                    _("%(procedure)s, %(zone)s: give %(values)s."),
                    {
                        "procedure": name,
                        "zone": zone.get_zone_display(),
                        "values": _labels(missing, treatment.schema),
                    },
                )


@signing_condition
def _visit_complete(visit: TreatmentVisit) -> Iterable[Problem]:
    unanswered = [check for check in PrecareCheck if not visit.precare.get(check.value)]
    if unanswered:
        yield lazy_interpolate(
            _("Answer the pre-care checks: %(checks)s."),
            {"checks": ", ".join(str(check.label) for check in unanswered)},
        )
    if not visit.erythema:
        yield _("Note the immediate skin response.")
    if not visit.aftercare_given.strip():
        yield _("Write down the after-care given.")
    if visit.anaesthesia != Anaesthesia.NONE and not any(
        usage.purpose == ProductUsage.Purpose.ANAESTHESIA for usage in visit.product_usages.all()
    ):
        yield _("Record the anaesthetic's lot and amount.")


def signing_problems(visit: TreatmentVisit) -> list[Problem]:
    """What still stands between the chart and a signature (empty: it can be signed)."""
    problems: list[Problem] = []
    for condition in _conditions:
        problems.extend(condition(visit))
    return problems


def can_sign(visit: TreatmentVisit) -> bool:
    """Is the chart unsigned, unlocked, and complete?"""
    return (
        not visit.is_signed
        and not record_is_locked(visit.patient_id)
        and not signing_problems(visit)
    )


def sign_chart(*, visit: TreatmentVisit, by: User) -> TreatmentVisit:
    """Sign the chart as `by` (now): from then on it is read-only."""
    require_clinician(by)
    with transaction.atomic():
        visit = lock_visit(visit)
        if visit.is_signed:
            raise ChartSigned()
        if record_is_locked(visit.patient_id):
            raise RecordLocked()
        problems = signing_problems(visit)
        if problems:
            raise RecordError(
                lazy_interpolate(
                    _("The chart cannot be signed yet: %(problems)s"),
                    {"problems": " ".join(str(problem) for problem in problems)},
                ),
                code="chart_incomplete",
            )
        visit.signed_at = timezone.now()
        visit.signed_by = by
        visit.full_clean()
        visit.save(update_fields=["signed_at", "signed_by"])
    return visit


def add_addendum(*, visit: TreatmentVisit, by: User, reason: str, text: str) -> ChartAddendum:
    """Amend a signed chart: who (`by`), when (now), why (`reason`) and what (`text`)."""
    require_clinician(by)
    reason, text = reason.strip(), text.strip()
    if not reason:
        raise RecordError(
            _("Say why the chart is amended."), code="reason_required", field="reason"
        )
    if not text:
        raise RecordError(_("Write the addendum."), code="text_required", field="text")
    with transaction.atomic():
        visit = lock_visit(visit)
        if not visit.is_signed:
            raise RecordError(
                _("A chart not yet signed is edited directly."), code="chart_not_signed"
            )
        if record_is_locked(visit.patient_id):
            raise RecordLocked()
        addendum = ChartAddendum(visit=visit, written_by=by, reason=reason, text=text)
        addendum.full_clean()
        addendum.save()
    return addendum
