"""Screening against the database: the cached rules loader and a patient's screened catalogue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from procedures.errors import AnswerError, DomainError
from procedures.intake import baseline_answers
from procedures.models import Procedure, ProcedureRule
from procedures.screening import get_rules_loader, screen
from procedures.selectors import rules_loader, screen_catalogue, session_rules

from .factories import ProcedureFactory

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 3, 2)


# A consultation done a month before: the procedures that need one have it.
CONSULTED = (("consultation", ON - dt.timedelta(days=30), True),)


def answers(**changes: Any) -> dict[str, Any]:
    return {**baseline_answers(on=ON), **changes}


def test_the_project_screens_slugs_against_the_database() -> None:
    assert get_rules_loader() is rules_loader
    Procedure.objects.filter(slug="vacuum-cleaning").update(
        interval_min_days=30, interval_max_days=40
    )
    result = screen("vacuum-cleaning", answers(), on=ON, last_session_on=ON - dt.timedelta(days=20))
    assert result.blocking == ("REPEAT_TOO_SOON",)
    assert result.earliest_date == ON + dt.timedelta(days=10)


def test_once_loaded_screen_touches_no_database(django_assert_num_queries: Any) -> None:
    # The procedure, its rules; then (once per process and TTL) the procedures' groups and
    # names, the washout table and the prerequisites.
    with django_assert_num_queries(5):
        screen("tca-peel", answers(), on=ON)
    with django_assert_num_queries(0):
        for _ in range(3):
            result = screen("tca-peel", answers(rosacea=True), on=ON, other_sessions=CONSULTED)
    assert result.blocking == ("ROSACEA",)


def test_an_edit_in_this_process_is_seen_at_once() -> None:
    assert screen("vacuum-cleaning", answers(rosacea=True), on=ON).outcome == "blocked"
    rule = ProcedureRule.objects.get(procedure__slug="vacuum-cleaning", code="ROSACEA")
    rule.severity = ProcedureRule.Severity.RELATIVE
    rule.save()
    assert screen("vacuum-cleaning", answers(rosacea=True), on=ON).outcome == "review"
    rule.delete()
    assert screen("vacuum-cleaning", answers(rosacea=True), on=ON).outcome == "ok"


def test_a_change_made_elsewhere_is_seen_after_the_ttl(settings: Any) -> None:
    screen("vacuum-cleaning", answers(), on=ON)
    # Another process's edit sends no signal here: a bulk update stands in for it.
    ProcedureRule.objects.filter(procedure__slug="vacuum-cleaning", code="ROSACEA").update(
        severity="relative"
    )
    assert screen("vacuum-cleaning", answers(rosacea=True), on=ON).outcome == "blocked"
    settings.SCREENING_RULES_TTL_SECONDS = 0
    assert screen("vacuum-cleaning", answers(rosacea=True), on=ON).outcome == "review"


def test_a_committed_edit_clears_the_cache_again(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        procedure = Procedure.objects.get(slug="microcurrent")
        procedure.interval_min_days = 15
        procedure.save()
        screen("microcurrent", answers(), on=ON)  # loaded mid-transaction
        assert "microcurrent" in rules_loader.cached_slugs()
    assert "microcurrent" not in rules_loader.cached_slugs()


def test_an_unknown_slug_is_an_error_naming_the_procedure_and_is_not_cached() -> None:
    with pytest.raises(DomainError) as caught:
        screen("laser-tattoo", answers(), on=ON)
    assert caught.value.field == "procedure"
    assert "laser-tattoo" not in rules_loader.cached_slugs()


def test_an_inactive_procedure_can_still_be_screened() -> None:
    Procedure.objects.filter(slug="dermabrasion").update(is_active=False)
    assert screen("dermabrasion", answers(), on=ON, other_sessions=CONSULTED).outcome == "ok"


# --- a patient's screened catalogue ---------------------------------------------------------


def test_screen_catalogue_screens_every_active_procedure_in_order() -> None:
    Procedure.objects.filter(slug="phenol-peel").update(is_active=False)
    screened = screen_catalogue(answers(pregnant="yes"), on=ON, other_sessions=CONSULTED)
    slugs = [procedure.slug for procedure, _result in screened]
    assert len(slugs) == 25
    assert "phenol-peel" not in slugs
    assert slugs[0] == "consultation"
    outcome = {procedure.slug: result.outcome for procedure, result in screened}
    assert outcome["consultation"] == "ok"
    assert outcome["hyaluronic-filler"] == "blocked"
    assert outcome["vacuum-cleaning"] == "ok"  # pregnancy is none of its rules
    assert outcome["ultrasonic-peeling"] == "review"


def test_screen_catalogue_uses_the_patients_history() -> None:
    last = ON - dt.timedelta(days=120)
    screened = dict(
        (procedure.slug, result)
        for procedure, result in screen_catalogue(
            answers(),
            on=ON,
            history={"hyaluronic-filler": (last, 1), "glycolic-peel": (last, 2)},
            other_sessions=CONSULTED,
        )
    )
    assert screened["hyaluronic-filler"].blocking == ("REPEAT_TOO_SOON",)
    assert screened["hyaluronic-filler"].earliest_date == last + dt.timedelta(days=182)
    assert screened["glycolic-peel"].flags == ("COURSE_GAP_EXCEEDED",)
    assert screened["tca-peel"].outcome == "ok"


def test_screen_catalogue_costs_the_same_queries_for_26_and_76_procedures(
    django_assert_num_queries: Any,
) -> None:
    session_rules()  # the tables of washouts and prerequisites, read once per process
    with django_assert_num_queries(2):
        assert len(screen_catalogue(answers(), on=ON)) == 26
    ProcedureFactory.create_batch(50)
    session_rules()  # read again: creating procedures cleared it
    with django_assert_num_queries(2):
        assert len(screen_catalogue(answers(), on=ON)) == 76


def test_screen_catalogue_primes_the_cache_for_single_screenings(
    django_assert_num_queries: Any,
) -> None:
    screen_catalogue(answers(), on=ON)
    with django_assert_num_queries(0):
        screen("subcision", answers(), on=ON)


def test_screen_catalogue_refuses_invalid_answers_naming_the_key() -> None:
    with pytest.raises(AnswerError) as caught:
        screen_catalogue(answers(diabetes="no"), on=ON)
    assert caught.value.field == "diabetes"
