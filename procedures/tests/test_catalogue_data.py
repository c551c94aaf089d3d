"""The catalogue data against catalogue.md, row by row (expected table in expected_catalogue)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from procedures.catalogue_data import (
    CATALOGUE,
    CATALOGUE_BY_SLUG,
    CATEGORIES,
    PRICE_CURRENCY,
    ROLES,
    ROOM_KINDS,
    SCAR_TYPE_INFO,
    CatalogueEntry,
)
from procedures.intake import SCAR_TYPES
from procedures.rules import RULES
from procedures.screening import ProcedureRules

from .expected_catalogue import EXPECTED, EXPECTED_BY_SLUG, Expected

SLUGS = [e.slug for e in EXPECTED]
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
TEXT_FIELDS = ("name", "description", "downtime", "precare", "aftercare")


def by_slug(slug: str) -> tuple[CatalogueEntry, Expected]:
    return CATALOGUE_BY_SLUG[slug], EXPECTED_BY_SLUG[slug]


def test_26_procedures_in_the_tables_order() -> None:
    assert len(CATALOGUE) == 26
    assert [entry.slug for entry in CATALOGUE] == SLUGS


@pytest.mark.parametrize("slug", SLUGS)
def test_booking_data(slug: str) -> None:
    entry, expected = by_slug(slug)
    assert entry.category == expected.category
    assert entry.room_kind == expected.room_kind
    assert entry.roles == expected.roles
    assert (entry.booked_minutes, entry.buffer_minutes) == (expected.minutes, expected.buffer)
    assert isinstance(entry.price_from, Decimal)
    assert entry.price_from == expected.price
    assert PRICE_CURRENCY == "RUB"


@pytest.mark.parametrize("slug", SLUGS)
def test_course_data(slug: str) -> None:
    entry, expected = by_slug(slug)
    assert frozenset(entry.indicated_scar_types) == expected.scars
    assert (entry.sessions_min, entry.sessions_max) == expected.sessions
    assert (entry.interval_min_days, entry.interval_max_days) == expected.interval
    assert entry.repeatable is expected.repeatable
    assert entry.recall_after_days == expected.recall
    assert entry.retinoid_window_days == expected.window


@pytest.mark.parametrize("slug", SLUGS)
def test_rules_fully_expanded(slug: str) -> None:
    entry, expected = by_slug(slug)
    assert frozenset(entry.absolute_rules) == expected.absolute
    assert frozenset(entry.relative_rules) == expected.relative
    # No duplicates, and the stored order is rules.md's.
    order = list(RULES)
    for codes in (entry.absolute_rules, entry.relative_rules):
        assert list(codes) == sorted(set(codes), key=order.index)


@pytest.mark.parametrize("entry", CATALOGUE, ids=SLUGS)
def test_rule_invariants(entry: CatalogueEntry) -> None:
    absolute, relative = set(entry.absolute_rules), set(entry.relative_rules)
    assert not absolute & relative
    assert (absolute | relative) <= RULES.keys()
    assert "PREGNANCY_POSSIBLE" not in absolute
    assert ("PREGNANCY_POSSIBLE" in relative) == ("PREGNANCY" in absolute | relative)
    has_limit = entry.sessions_max is not None and not entry.repeatable
    assert ("COURSE_LIMIT_REACHED" in absolute | relative) == has_limit
    if "COURSE_GAP_EXCEEDED" in absolute | relative:
        assert entry.interval_max_days is not None
    if "REPEAT_TOO_SOON" in absolute | relative:
        assert entry.interval_min_days is not None
    assert ("PRECARE_TOPICAL_RETINOID" in absolute) == (entry.retinoid_window_days is not None)


def test_consultation_has_no_rules() -> None:
    entry = CATALOGUE_BY_SLUG["consultation"]
    assert entry.absolute_rules == ()
    assert entry.relative_rules == ()


def test_repeatable_treatments() -> None:
    assert {e.slug for e in CATALOGUE if e.repeatable} == {
        "hyaluronic-filler",
        "hyaluronic-filler-touch-up",
        "collagen-injection",
        "fat-transfer",
    }
    assert {e.slug: e.recall_after_days for e in CATALOGUE if e.recall_after_days} == {
        "hyaluronic-filler": 182,
        "fat-transfer": 547,
    }


def test_every_rule_code_is_used_by_some_procedure() -> None:
    used = {code for e in CATALOGUE for code in (*e.absolute_rules, *e.relative_rules)}
    assert used == RULES.keys()


def test_treatments_cost_at_least_3500_roubles() -> None:
    for entry in CATALOGUE:
        if entry.slug != "consultation":
            assert entry.price_from >= Decimal(3500), entry.slug


def test_reference_values_are_known() -> None:
    assert {e.room_kind for e in CATALOGUE} <= set(ROOM_KINDS)
    assert {role for e in CATALOGUE for role in e.roles} <= set(ROLES)
    assert {e.category for e in CATALOGUE} == {c.slug for c in CATEGORIES}
    assert all(set(e.indicated_scar_types) <= set(SCAR_TYPES) for e in CATALOGUE)


@pytest.mark.parametrize("entry", CATALOGUE, ids=SLUGS)
def test_texts_in_english_and_russian(entry: CatalogueEntry) -> None:
    for name in TEXT_FIELDS:
        english, russian = getattr(entry, f"{name}_en"), getattr(entry, f"{name}_ru")
        assert english.strip()
        assert russian.strip()
        assert not CYRILLIC.search(english), (entry.slug, name)
        assert CYRILLIC.search(russian), (entry.slug, name)
        assert english.strip() == english
        assert russian.strip() == russian
    sentences = entry.description_en.count(". ") + 1
    assert 2 <= sentences <= 4, entry.slug


@pytest.mark.parametrize(
    "entry", [e for e in CATALOGUE if e.retinoid_window_days], ids=lambda e: e.slug
)
def test_precare_states_the_retinoid_window(entry: CatalogueEntry) -> None:
    days = entry.retinoid_window_days
    assert (
        f"Stop retinoid and acid products (tretinoin, adapalene, glycolic or salicylic acid) "
        f"{days} days before." in entry.precare_en
    )
    assert f"За {days} д" in entry.precare_ru  # noqa: RUF001 - Russian text


@pytest.mark.parametrize(
    "slug",
    [
        "laser-resurfacing",
        "fractional-laser",
        "glycolic-peel",
        "salicylic-peel",
        "tca-peel",
        "phenol-peel",
        "tca-cross",
    ],
)
def test_spf_30_after_laser_and_peels(slug: str) -> None:
    entry = CATALOGUE_BY_SLUG[slug]
    assert "SPF 30+" in entry.aftercare_en
    assert "SPF 30+" in entry.aftercare_ru


def test_specific_aftercare() -> None:
    microneedling = CATALOGUE_BY_SLUG["microneedling"]
    assert "SPF 50+" in microneedling.aftercare_en
    assert "7-10 days" in microneedling.aftercare_en
    ozone = CATALOGUE_BY_SLUG["ozone-therapy"].aftercare_en
    assert all(word in ozone for word in ("sauna", "steam room", "solarium", "course"))


def test_russian_day_counts_agree() -> None:
    assert "За 2 дня" in CATALOGUE_BY_SLUG["glycolic-peel"].precare_ru  # noqa: RUF001
    assert "За 7 дней" in CATALOGUE_BY_SLUG["tca-cross"].precare_ru  # noqa: RUF001
    assert "За 14 дней" in CATALOGUE_BY_SLUG["microdermabrasion"].precare_ru  # noqa: RUF001


def test_categories_and_scar_types_have_both_languages() -> None:
    assert [info.value for info in SCAR_TYPE_INFO] == list(SCAR_TYPES)
    for item in (*CATEGORIES, *SCAR_TYPE_INFO):
        assert item.name_en
        assert CYRILLIC.search(item.name_ru)
    for info in SCAR_TYPE_INFO:
        assert info.description_en
        assert CYRILLIC.search(info.description_ru)


@pytest.mark.parametrize("entry", CATALOGUE, ids=SLUGS)
def test_screening_rules_from_every_entry(entry: CatalogueEntry) -> None:
    rules = ProcedureRules.from_catalogue(entry)
    expected = EXPECTED_BY_SLUG[entry.slug]
    assert rules.slug == entry.slug
    assert rules.absolute == expected.absolute
    assert rules.relative == expected.relative
    assert rules.sessions_max == expected.session_limit
    assert rules.indicated_scar_types == expected.scars
    assert rules.retinoid_window_days == expected.window
