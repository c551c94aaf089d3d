"""The Goodman & Baron grading of acne scars: the qualitative grade and the quantitative score.

Pure: counts in, a score and its worked sum out; no database.

Sources:
- Qualitative grade (1-4): Goodman GJ, Baron JA. Postacne scarring: a qualitative global
  scarring grading system. Dermatol Surg 2006;32:1458-66. Definitions as kept in
  `shared/domain/README.md` ("Severity"): 1 macular, 2 mild (covered by make-up),
  3 moderate (obvious at 50 cm, flattens when stretched), 4 severe (does not flatten
  when stretched).
- Quantitative score: Goodman GJ, Baron JA. Postacne scarring - a quantitative global
  scarring grading system. J Cosmet Dermatol 2006;5:48-52 (doi:10.1111/
  j.1473-2165.2006.00222.x), Table 1. Each scar type has points by its grade
  (A milder 1, B moderate 2, C severe 3; D hyperplastic: papular 2); the points of a type
  are multiplied by the band of its number of lesions: 1-10 lesions x1, 11-20 x2, more
  than 20 x3 (no lesion, no points). Keloidal/hypertrophic scars are scored by area
  instead: under 5 cm2 6 points, 5-20 cm2 12, over 20 cm2 18 (6 points times the area
  band 1, 2, 3). The score is the sum over types; its largest value is 84
  (A 2x3 + B 3x6 + C 4x9 + papular 6 + keloidal 18).
  (The stored copy of the paper the search tool found holds its abstract only; the
  table is the paper's Table 1 as the literature reproduces it, and its sum of 84 is
  the scale's known ceiling. A clinician should check it against the paper, as the
  domain reference asks of every rule.)

Table 1 of the paper, as implemented here (`CATEGORIES`):

| grade | scar type | points each |
|---|---|---|
| A | macular erythematous or pigmented scars | 1 |
| A | mildly atrophic dish-like scars | 1 |
| B | moderately atrophic dish-like scars | 2 |
| B | punched-out scars with shallow bases, small (< 5 mm) | 2 |
| B | shallow but broad atrophic areas | 2 |
| C | punched-out scars with deep but normal-appearing bases, small (< 5 mm) | 3 |
| C | punched-out scars with deep abnormal bases, small (< 5 mm) | 3 |
| C | linear or troughed dermal scarring | 3 |
| C | deep, broad atrophic areas | 3 |
| D | papular scars | 2 |
| D | keloidal / hypertrophic scars, by area (< 5, 5-20, > 20 cm2) | 6, 12, 18 |

The area bands' edges: exactly 5 cm2 and exactly 20 cm2 fall in the middle band
("5-20 cm2"); the count bands' edges: 10 is x1, 11 is x2, 20 is x2, 21 is x3.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = [
    "CATEGORIES",
    "CATEGORY_KEYS",
    "GRADE_DESCRIPTIONS",
    "KELOIDAL",
    "MAXIMUM_SCORE",
    "QUALITATIVE_GRADES",
    "Category",
    "Score",
    "ScoreLine",
    "area_multiplier",
    "count_multiplier",
    "quantitative_score",
]


@dataclass(frozen=True)
class Category:
    """One scar type of the quantitative table: its key, grade letter and points each."""

    key: str
    grade: str  # A, B, C or D
    points: int
    label: str | Promise


CATEGORIES: tuple[Category, ...] = (
    Category("macular", "A", 1, _("Macular erythematous or pigmented scars")),
    Category("mild_dish", "A", 1, _("Mildly atrophic dish-like scars")),
    Category("moderate_dish", "B", 2, _("Moderately atrophic dish-like scars")),
    Category("punched_shallow", "B", 2, _("Punched-out scars with shallow bases (< 5 mm)")),
    Category("shallow_broad", "B", 2, _("Shallow but broad atrophic areas")),
    Category(
        "punched_deep_normal",
        "C",
        3,
        _("Punched-out scars with deep but normal-appearing bases (< 5 mm)"),
    ),
    Category(
        "punched_deep_abnormal", "C", 3, _("Punched-out scars with deep abnormal bases (< 5 mm)")
    ),
    Category("linear_troughed", "C", 3, _("Linear or troughed dermal scarring")),
    Category("deep_broad", "C", 3, _("Deep broad atrophic areas")),
    Category("papular", "D", 2, _("Papular scars")),
)
CATEGORY_KEYS: tuple[str, ...] = tuple(category.key for category in CATEGORIES)

# Keloidal/hypertrophic scars are scored by the area they cover, not by their number.
KELOIDAL = Category("keloidal", "D", 6, _("Keloidal or hypertrophic scars (by area)"))

MAXIMUM_SCORE = sum(category.points * 3 for category in CATEGORIES) + KELOIDAL.points * 3

QUALITATIVE_GRADES: tuple[int, ...] = (1, 2, 3, 4)
GRADE_DESCRIPTIONS: Mapping[int, str | Promise] = {
    1: _("Macular: flat red, white or brown marks; colour, not contour"),
    2: _("Mild: covered by make-up or the beard's shadow"),
    3: _("Moderate: obvious at 50 cm, flattens when the skin is stretched"),
    4: _("Severe: obvious at 50 cm, does not flatten when stretched"),
}


def count_multiplier(count: int) -> int:
    """The band of a number of lesions: 0 none, 1-10 x1, 11-20 x2, more than 20 x3."""
    if count < 0:
        raise ValueError("A number of lesions cannot be negative.")
    if count == 0:
        return 0
    if count <= 10:
        return 1
    if count <= 20:
        return 2
    return 3


def area_multiplier(area_cm2: Decimal) -> int:
    """The band of the keloidal area: none 0, under 5 cm2 x1, 5-20 cm2 x2, over 20 cm2 x3."""
    if area_cm2 < 0:
        raise ValueError("An area cannot be negative.")
    if area_cm2 == 0:
        return 0
    if area_cm2 < 5:
        return 1
    if area_cm2 <= 20:
        return 2
    return 3


@dataclass(frozen=True)
class ScoreLine:
    """One line of the worked sum: a scar type, what was counted, the band and the points."""

    key: str
    grade: str
    label: str | Promise
    count: int | None  # None for the keloidal line, which is scored by area
    area_cm2: Decimal | None
    points_each: int
    multiplier: int
    points: int


@dataclass(frozen=True)
class Score:
    """The quantitative score and the lines it is the sum of (types seen only)."""

    lines: tuple[ScoreLine, ...]
    total: int


def _line(
    category: Category, multiplier: int, *, count: int | None, area_cm2: Decimal | None
) -> ScoreLine:
    return ScoreLine(
        key=category.key,
        grade=category.grade,
        label=category.label,
        count=count,
        area_cm2=area_cm2,
        points_each=category.points,
        multiplier=multiplier,
        points=category.points * multiplier,
    )


def quantitative_score(
    counts: Mapping[str, int], *, keloidal_area_cm2: Decimal | None = None
) -> Score:
    """The Goodman & Baron quantitative score of the counts per scar type (keys of `CATEGORIES`).

    A missing key counts as none; an unknown key is refused (a typo would lose scars).
    """
    unknown = set(counts) - set(CATEGORY_KEYS)
    if unknown:
        raise ValueError(f"Unknown scar categories: {sorted(unknown)}")
    lines = []
    for category in CATEGORIES:
        count = counts.get(category.key) or 0
        multiplier = count_multiplier(count)
        if multiplier:
            lines.append(_line(category, multiplier, count=count, area_cm2=None))
    area = keloidal_area_cm2 or Decimal(0)
    multiplier = area_multiplier(area)
    if multiplier:
        lines.append(_line(KELOIDAL, multiplier, count=None, area_cm2=area))
    return Score(lines=tuple(lines), total=sum(line.points for line in lines))
