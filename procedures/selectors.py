"""Reads of the catalogue: public lists, one procedure, and screening against the database.

Domain rules implemented here:

- The public catalogue shows active procedures in their display order; an
  inactive one is hidden from the pages and the API but can still be screened
  (a patient in the middle of a course keeps being checked against its rules).
- Screening reads a procedure's rules from the database through a per-process
  cache (`DatabaseRulesLoader`, registered with `screening.set_rules_loader`
  at startup). Once a procedure's rules are loaded, `screen` touches no
  database. An edit in this process clears the cache at once (signals in
  `apps.py`); other processes (web workers, Celery) see it within
  `settings.SCREENING_RULES_TTL_SECONDS`.
- The tables relating procedures (washout groups and rows, prerequisites,
  names: `SessionRules`) are read once per process and TTL too, and cleared
  with the rules.
- A patient's screened catalogue (`screen_catalogue`) costs the same, small
  number of queries whatever the size of the catalogue, and reads the
  patient's other sessions like a single screening does.
- `washout_group_of(slug)` is the group code of a procedure (deep, fractional,
  focal, superficial, filler, light) or None: what follow-up messages and care
  instructions go by.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, QuerySet

from .intake import SCAR_TYPES
from .models import Procedure, ProcedureRule, session_rules_cache
from .screening import ProcedureRules, ScreeningResult, screen
from .sessions import SessionRules

__all__ = [
    "DatabaseRulesLoader",
    "active_procedures",
    "catalogue_page",
    "clear_rules_cache",
    "procedures_by_scar_type",
    "public_procedure",
    "rules_loader",
    "screen_catalogue",
    "session_rules",
    "washout_group_of",
]

History = Mapping[str, tuple[dt.date | None, int]]


def _with_rules(queryset: QuerySet[Procedure]) -> QuerySet[Procedure]:
    return queryset.prefetch_related(
        Prefetch("rules", queryset=ProcedureRule.objects.order_by("severity", "code"))
    )


def active_procedures(*, with_rules: bool = False) -> QuerySet[Procedure]:
    """Return the active procedures in display order, their rules prefetched if asked."""
    queryset = Procedure.objects.filter(is_active=True).order_by("display_order", "slug")
    return _with_rules(queryset) if with_rules else queryset


def catalogue_page(*, category: str | None = None, scar_type: str | None = None) -> list[Procedure]:
    """Return the active procedures for the public list, filtered; one query whatever the size.

    The scar-type filter runs in Python over the fetched rows: the indications
    are a JSON list, and SQLite (the default database) has no JSON containment
    lookup; the catalogue is a few dozen rows.
    """
    queryset = active_procedures()
    if category:
        queryset = queryset.filter(category=category)
    procedures = list(queryset)
    if scar_type:
        procedures = [p for p in procedures if scar_type in p.indicated_scar_types]
    return procedures


def public_procedure(*, slug: str) -> Procedure:
    """Return one active procedure with its rules; raise Procedure.DoesNotExist if none."""
    return _with_rules(active_procedures()).get(slug=slug)


def procedures_by_scar_type() -> dict[str, list[Procedure]]:
    """Return the active procedures indicated for each scar type, in display order."""
    by_type: dict[str, list[Procedure]] = {value: [] for value in SCAR_TYPES}
    for procedure in active_procedures():
        for value in procedure.indicated_scar_types:
            if value in by_type:
                by_type[value].append(procedure)
    return by_type


# --- screening against the database ---------------------------------------------------------


class DatabaseRulesLoader:
    """Resolve a slug to its ProcedureRules from the database, cached per process.

    A hit younger than the TTL answers from memory; an unknown slug is not
    cached, so arbitrary slugs sent to the public API cannot grow the cache.
    """

    def __init__(self) -> None:
        self._cache: dict[str, tuple[float, ProcedureRules]] = {}
        self._lock = threading.Lock()

    def __call__(self, slug: str) -> ProcedureRules | None:
        hit = self._cache.get(slug)
        if hit is not None and time.monotonic() - hit[0] < settings.SCREENING_RULES_TTL_SECONDS:
            return hit[1]
        procedure = _with_rules(Procedure.objects.filter(slug=slug)).first()
        if procedure is None:
            return None
        return self.remember(procedure.screening_rules())

    def remember(self, rules: ProcedureRules) -> ProcedureRules:
        """Cache `rules` (fresh from the database) for their slug, and return them."""
        with self._lock:
            self._cache[rules.slug] = (time.monotonic(), rules)
        return rules

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
        session_rules_cache.clear()

    def cached_slugs(self) -> frozenset[str]:
        return frozenset(self._cache)


rules_loader = DatabaseRulesLoader()


def session_rules() -> SessionRules:
    """Return the washout groups and rows, prerequisites and names, cached per process."""
    return session_rules_cache.get()


def washout_group_of(slug: str) -> str | None:
    """Return the washout group code of the procedure `slug` (e.g. "deep"), or None."""
    return session_rules().group_of(slug)


def clear_rules_cache(**_kwargs: Any) -> None:
    """Forget every cached procedure's rules, now and again when the transaction commits.

    Clearing at once keeps this process from screening with stale rules; the
    second clear, after the commit, drops anything another thread loaded from
    the database between the change and its commit. (A signal receiver, hence
    the keyword arguments.)
    """
    rules_loader.clear()
    transaction.on_commit(rules_loader.clear)


def screen_catalogue(
    answers: Mapping[str, Any],
    *,
    on: dt.date,
    history: History | None = None,
    other_sessions: Iterable[tuple[str, dt.date, bool]] = (),
) -> list[tuple[Procedure, ScreeningResult]]:
    """Screen one patient's answers against every active procedure, in display order.

    `history` maps a procedure slug to `(last_session_on, sessions_done)` for
    the procedures the patient has had; `other_sessions` are all the patient's
    sessions as `(slug, date, done)` (each procedure's screening ignores its
    own). Two queries (procedures, their rules) whatever the catalogue's size,
    plus the cached tables of washouts and prerequisites; invalid answers raise
    AnswerError naming the key.
    """
    history = history or {}
    other_sessions = tuple(other_sessions)
    sessions = session_rules()
    procedures = list(active_procedures())
    # Plain tuples, not model instances: building ~500 rule objects would cost
    # more than screening every procedure.
    rows: dict[int, list[tuple[str, str, int | None]]] = {p.pk: [] for p in procedures}
    # By id, not by a join on is_active: a procedure hidden between the two
    # queries must still be screened with its rules, never with none.
    for procedure_id, code, severity, window_days in ProcedureRule.objects.filter(
        procedure_id__in=list(rows)
    ).values_list("procedure_id", "code", "severity", "window_days"):
        rows[procedure_id].append((code, severity, window_days))
    screened: list[tuple[Procedure, ScreeningResult]] = []
    for procedure in procedures:
        rules = rules_loader.remember(
            procedure.screening_rules_from(rows[procedure.pk], sessions=sessions)
        )
        last_session_on, sessions_done = history.get(procedure.slug, (None, 0))
        result = screen(
            rules,
            answers,
            on=on,
            last_session_on=last_session_on,
            sessions_done=sessions_done,
            other_sessions=other_sessions,
        )
        screened.append((procedure, result))
    return screened
