"""The Goodman & Baron quantitative score (J Cosmet Dermatol 2006;5:48-52) on worked examples."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from patients.models import ScarGrade, ScarGrading
from patients.models.outcome import MAXIMUM_SCORE as STORED_MAXIMUM
from patients.records.outcomes.goodman_baron import (
    CATEGORIES,
    CATEGORY_KEYS,
    MAXIMUM_SCORE,
    area_multiplier,
    count_multiplier,
    quantitative_score,
)


@pytest.mark.parametrize(
    ("count", "multiplier"),
    [(0, 0), (1, 1), (10, 1), (11, 2), (20, 2), (21, 3), (500, 3)],
)
def test_the_number_bands_edges(count: int, multiplier: int) -> None:
    assert count_multiplier(count) == multiplier


@pytest.mark.parametrize(
    ("area", "multiplier"),
    [
        ("0", 0),
        ("0.1", 1),
        ("4.9", 1),
        ("5", 2),
        ("12.5", 2),
        ("20", 2),
        ("20.1", 3),
        ("100", 3),
    ],
)
def test_the_keloidal_area_bands_edges(area: str, multiplier: int) -> None:
    assert area_multiplier(Decimal(area)) == multiplier


@pytest.mark.parametrize(
    ("key", "points_each"),
    [
        ("macular", 1),
        ("mild_dish", 1),
        ("moderate_dish", 2),
        ("punched_shallow", 2),
        ("shallow_broad", 2),
        ("punched_deep_normal", 3),
        ("punched_deep_abnormal", 3),
        ("linear_troughed", 3),
        ("deep_broad", 3),
        ("papular", 2),
    ],
)
@pytest.mark.parametrize(("count", "band"), [(1, 1), (10, 1), (11, 2), (20, 2), (21, 3)])
def test_each_type_scores_its_points_times_the_band(
    key: str, points_each: int, count: int, band: int
) -> None:
    score = quantitative_score({key: count})
    assert score.total == points_each * band
    (line,) = score.lines
    assert (line.key, line.count, line.points_each, line.multiplier, line.points) == (
        key,
        count,
        points_each,
        band,
        points_each * band,
    )


@pytest.mark.parametrize(
    ("area", "points"), [("4.9", 6), ("5", 12), ("20", 12), ("20.1", 18), ("0", 0)]
)
def test_keloidal_scars_score_by_area(area: str, points: int) -> None:
    score = quantitative_score({}, keloidal_area_cm2=Decimal(area))
    assert score.total == points
    if points:
        (line,) = score.lines
        assert line.key == "keloidal"
        assert line.count is None
        assert line.area_cm2 == Decimal(area)
        assert line.points == points


def test_a_worked_example_sums_every_line() -> None:
    # 12 macular marks (1 x 2), 8 shallow boxcars (2 x 1), 25 icepicks with deep
    # abnormal bases (3 x 3), 3 papular scars (2 x 1), a 6 cm2 keloid (6 x 2).
    score = quantitative_score(
        {"macular": 12, "punched_shallow": 8, "punched_deep_abnormal": 25, "papular": 3},
        keloidal_area_cm2=Decimal("6"),
    )
    assert [(line.key, line.multiplier, line.points) for line in score.lines] == [
        ("macular", 2, 2),
        ("punched_shallow", 1, 2),
        ("punched_deep_abnormal", 3, 9),
        ("papular", 1, 2),
        ("keloidal", 2, 12),
    ]
    assert score.total == 2 + 2 + 9 + 2 + 12 == 27


def test_no_scars_score_nothing() -> None:
    score = quantitative_score({key: 0 for key in CATEGORY_KEYS})
    assert score.total == 0
    assert score.lines == ()


def test_the_maximum_is_the_papers_84_and_the_database_keeps_it() -> None:
    every = quantitative_score({key: 21 for key in CATEGORY_KEYS}, keloidal_area_cm2=Decimal(21))
    assert every.total == MAXIMUM_SCORE == STORED_MAXIMUM == 84
    assert len(every.lines) == len(CATEGORIES) + 1


def test_grades_give_the_points_of_the_table() -> None:
    assert {c.grade: c.points for c in CATEGORIES if c.key != "papular"} == {
        "A": 1,
        "B": 2,
        "C": 3,
    }


@pytest.mark.parametrize(
    ("counts", "area"),
    [({"icepick": 3}, None), ({"macular": -1}, None), ({}, Decimal("-0.5"))],
)
def test_bad_input_is_refused(counts: dict[str, int], area: Decimal | None) -> None:
    with pytest.raises(ValueError, match=r"negative|Unknown"):
        quantitative_score(counts, keloidal_area_cm2=area)


def test_the_model_has_a_count_for_every_type_of_the_table() -> None:
    fields = {f.name for f in ScarGrading._meta.fields if f.name.endswith("_count")}
    assert fields == {f"{key}_count" for key in CATEGORY_KEYS}


def test_the_table_speaks_russian() -> None:
    with translation.override("ru"):
        assert str(CATEGORIES[0].label) == "Пятнистые эритематозные или пигментные рубцы"
        assert str(ScarGrade.MODERATE.label) == "3 — умеренные"
    with translation.override("en"):
        assert str(ScarGrade.MODERATE.label) == "3 — moderate"
