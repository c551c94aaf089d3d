"""`screening_rules_changed`: staff changed what screening reads for some procedures.

Sent once per committed transaction (after the commit, never for a rolled-back
one) with `procedure_slugs`, a frozenset of the procedures whose booked
appointments must be screened again (`rules-v2.md` section 6: "staff edit a
procedure's rules, washouts or prerequisites"). The sender is the `Procedure`
model. What counts:

- a procedure's rule rows or prerequisites: that procedure;
- a procedure's own numbers screening reads (intervals, session limit,
  repeatable, indicated scar types, washout group): that procedure, and for a
  new washout group every procedure whose washouts can meet it (the members of
  the groups its old and new group share a row with, either way);
- a washout row: the members of its earlier and later group (or its later
  procedure), before and after the edit, since a row is read both ways.

Changes made by data migrations (historical models) send nothing: they are
seeds, applied before any appointment is re-screened. The receivers here only
collect slugs; what to do with them (a background re-screening) is the
receiver's business in `patients`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.dispatch import Signal

from .models import Prerequisite, Procedure, ProcedureRule, WashoutRule

__all__ = ["announce_rules_change", "screening_rules_changed"]

screening_rules_changed = Signal()

# Procedure fields that change a screening (the slug never changes once set).
SCREENING_FIELDS = (
    "interval_min_days",
    "interval_max_days",
    "sessions_max",
    "repeatable",
    "indicated_scar_types",
    "washout_group_id",
)


class _Pending:
    """The slugs changed in one transaction, sent once when it commits."""

    def __init__(self) -> None:
        self.slugs: set[str] = set()
        self.sent = False

    def __call__(self) -> None:
        self.sent = True
        slugs, self.slugs = frozenset(self.slugs), set()
        if slugs:
            screening_rules_changed.send(sender=Procedure, procedure_slugs=slugs)


_local = threading.local()


def announce_rules_change(slugs: Iterable[str], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Send `screening_rules_changed` for `slugs` after the current transaction commits.

    Several changes in one transaction (an admin page saving a procedure with its
    rule rows) make one signal with every slug.
    """
    slugs = {slug for slug in slugs if slug}
    if not slugs:
        return
    connection = transaction.get_connection(using)
    pending: _Pending | None = getattr(_local, "pending", None)
    # Still waiting for this transaction's commit? (A rollback drops the callbacks.)
    registered = (
        pending is not None
        and not pending.sent
        and any(callback is pending for _ids, callback, *_rest in connection.run_on_commit)
    )
    if pending is None or not registered or not connection.in_atomic_block:
        pending = _Pending()
        _local.pending = pending
        pending.slugs |= slugs
        transaction.on_commit(pending, using=using)
        return
    pending.slugs |= slugs


# --- who is concerned ---------------------------------------------------------------------


def _members(group_ids: Iterable[int | None]) -> set[str]:
    ids = {group_id for group_id in group_ids if group_id is not None}
    if not ids:
        return set()
    return set(Procedure.objects.filter(washout_group_id__in=ids).values_list("slug", flat=True))


def _groups_meeting(group_ids: set[int]) -> set[int | None]:
    """The groups that share a washout row with any of `group_ids`, either way."""
    met: set[int | None] = set(group_ids)
    for earlier, later in WashoutRule.objects.values_list("earlier_group_id", "later_group_id"):
        if earlier in group_ids:
            met.add(later)
        if later in group_ids:
            met.add(earlier)
    return met


def _washout_slugs(row: WashoutRule | dict[str, Any]) -> set[str]:
    values = row if isinstance(row, dict) else _washout_values(row)
    slugs = _members((values["earlier_group_id"], values["later_group_id"]))
    if values["later_procedure_id"] is not None:
        slugs |= set(
            Procedure.objects.filter(pk=values["later_procedure_id"]).values_list("slug", flat=True)
        )
    return slugs


def _washout_values(row: WashoutRule) -> dict[str, Any]:
    return {
        "earlier_group_id": row.earlier_group_id,
        "later_group_id": row.later_group_id,
        "later_procedure_id": row.later_procedure_id,
    }


# --- receivers (connected in apps.py) -------------------------------------------------------


def remember_before_save(sender: type, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """Keep what a procedure or washout row held before this save, to compare after it."""
    if raw or instance.pk is None:
        return
    if sender is Procedure:
        instance._screening_before = (
            Procedure.objects.filter(pk=instance.pk).values(*SCREENING_FIELDS).first()
        )
    elif sender is WashoutRule:
        instance._screening_before = (
            WashoutRule.objects.filter(pk=instance.pk)
            .values("earlier_group_id", "later_group_id", "later_procedure_id")
            .first()
        )


def procedure_saved(
    sender: type, instance: Procedure, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    before = getattr(instance, "_screening_before", None)
    after = {name: getattr(instance, name) for name in SCREENING_FIELDS}
    if not created and before == after:
        return
    slugs = {instance.slug}
    old_group = before["washout_group_id"] if before else None
    if created or old_group != instance.washout_group_id:
        groups = {g for g in (old_group, instance.washout_group_id) if g is not None}
        if groups:
            slugs |= _members(_groups_meeting(groups))
    announce_rules_change(slugs)


def rule_row_changed(sender: type, instance: ProcedureRule | Prerequisite, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    slug = Procedure.objects.filter(pk=instance.procedure_id).values_list("slug", flat=True).first()
    announce_rules_change({slug} if slug else set())


def washout_changed(sender: type, instance: WashoutRule, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    slugs = _washout_slugs(instance)
    before = getattr(instance, "_screening_before", None)
    if before:
        slugs |= _washout_slugs(before)
    announce_rules_change(slugs)
