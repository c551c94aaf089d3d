"""Writes to the catalogue.

Domain rules implemented here:

- The catalogue's seed (`procedures.catalogue_data`) only ever fills gaps: a
  procedure missing from the database is created with its rules, in its
  washout group (`procedures.washouts_data`, when that group exists); one that
  exists is never touched, so staff edits (prices, texts, a rule a clinician
  removed or changed) survive any number of reloads.
- Every write goes through `full_clean()` (the price floor, the bounds, the
  rule constraints) inside one transaction, and leaves a history row naming
  who made it and why.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from .catalogue_data import CATALOGUE, CatalogueEntry
from .models import Procedure, ProcedureRule, WashoutGroup
from .washouts_data import WASHOUT_GROUP_OF

__all__ = ["create_procedure_from_catalogue", "load_catalogue"]

TRANSLATED_FIELDS = ("name", "description", "downtime", "precare", "aftercare")
CATALOGUE_REASON = "Loaded from the catalogue"


def _save(
    instance: Procedure | ProcedureRule, *, user: AbstractBaseUser | None, reason: str
) -> None:
    instance.full_clean()
    # simple-history reads these when it writes the historical row.
    instance._history_user = user
    instance._change_reason = reason
    instance.save()


@transaction.atomic
def create_procedure_from_catalogue(
    *, entry: CatalogueEntry, display_order: int, user: AbstractBaseUser | None = None
) -> Procedure:
    """Create one procedure and its rules from a catalogue entry."""
    procedure = Procedure(
        slug=entry.slug,
        category=entry.category,
        indicated_scar_types=list(entry.indicated_scar_types),
        sessions_min=entry.sessions_min,
        sessions_max=entry.sessions_max,
        interval_min_days=entry.interval_min_days,
        interval_max_days=entry.interval_max_days,
        booked_minutes=entry.booked_minutes,
        buffer_minutes=entry.buffer_minutes,
        room_kind=entry.room_kind,
        roles=list(entry.roles),
        price_from=entry.price_from,
        repeatable=entry.repeatable,
        recall_after_days=entry.recall_after_days,
        is_active=True,
        display_order=display_order,
        washout_group=WashoutGroup.objects.filter(code=WASHOUT_GROUP_OF.get(entry.slug)).first(),
    )
    for name in TRANSLATED_FIELDS:
        english = getattr(entry, f"{name}_en")
        # The untranslated column mirrors the default language (modeltranslation's convention).
        setattr(procedure, name, english)
        setattr(procedure, f"{name}_en", english)
        setattr(procedure, f"{name}_ru", getattr(entry, f"{name}_ru"))
    _save(procedure, user=user, reason=CATALOGUE_REASON)
    for severity, codes in (
        (ProcedureRule.Severity.ABSOLUTE, entry.absolute_rules),
        (ProcedureRule.Severity.RELATIVE, entry.relative_rules),
    ):
        for code in codes:
            rule = ProcedureRule(
                procedure=procedure,
                code=code,
                severity=severity,
                window_days=(
                    entry.retinoid_window_days if code == "PRECARE_TOPICAL_RETINOID" else None
                ),
            )
            _save(rule, user=user, reason=CATALOGUE_REASON)
    return procedure


@transaction.atomic
def load_catalogue(
    *, entries: Iterable[CatalogueEntry] = CATALOGUE, user: AbstractBaseUser | None = None
) -> list[Procedure]:
    """Create every catalogue procedure missing from the database; return those created."""
    existing = set(Procedure.objects.values_list("slug", flat=True))
    created = []
    for order, entry in enumerate(entries, start=1):
        if entry.slug not in existing:
            created.append(
                create_procedure_from_catalogue(entry=entry, display_order=order * 10, user=user)
            )
    return created
