"""The second edition's tables as plain data: washout groups, washouts, prerequisites.

Domain rules implemented here (`rules-v2.md` sections 2 and 3), the defaults the
data migrations load and staff then edit in the admin:

- Procedures fall into washout groups by the wound they leave; the consultation
  and the gentler injections and hardware have none.
- A washout row says that a session of the earlier group followed by a session of
  a *different procedure* of the later group (or of one named procedure) needs at
  least `days` whole days between their dates; absolute rows block, relative
  rows ask for a practitioner's review. Two rows may cover one pair and each
  fires on its own (filler -> rf-microneedling: 14 absolute, 182 relative).
- A prerequisite says a procedure needs a *done* session of another one between
  `min_days` and `max_days` days before (both included: "0 <= days < 365" is 0
  to 364). `offer_slots` marks a prerequisite the patient can book at once (the
  consultation): a refusal for it offers that procedure's slots.
- Values marked *policy* in the domain reference are clinic policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "PREREQUISITES",
    "WASHOUTS",
    "WASHOUT_GROUPS",
    "WASHOUT_GROUP_OF",
    "PrerequisiteEntry",
    "WashoutEntry",
    "WashoutGroupEntry",
]


@dataclass(frozen=True, kw_only=True)
class WashoutGroupEntry:
    code: str
    name_en: str
    name_ru: str
    procedures: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class WashoutEntry:
    """One washout row: `later_group` or `later_procedure`, never both."""

    earlier_group: str
    later_group: str | None = None
    later_procedure: str | None = None
    days: int
    absolute: bool
    source: str


@dataclass(frozen=True, kw_only=True)
class PrerequisiteEntry:
    procedure: str
    requires: str
    min_days: int
    max_days: int
    offer_slots: bool
    source: str


WASHOUT_GROUPS: Final[tuple[WashoutGroupEntry, ...]] = (
    WashoutGroupEntry(
        code="deep",
        name_en="Deep resurfacing",
        name_ru="Глубокая шлифовка",
        procedures=("laser-resurfacing", "dermabrasion", "phenol-peel", "tca-peel"),
    ),
    WashoutGroupEntry(
        code="fractional",
        name_en="Fractional treatments",
        name_ru="Фракционные методы",
        procedures=("fractional-laser", "rf-microneedling", "microneedling"),
    ),
    WashoutGroupEntry(
        code="focal",
        name_en="Focal wounds",
        name_ru="Точечные раны",
        procedures=("tca-cross", "subcision", "punch-excision"),
    ),
    WashoutGroupEntry(
        code="superficial",
        name_en="Superficial treatments",
        name_ru="Поверхностные методы",
        procedures=(
            "glycolic-peel",
            "salicylic-peel",
            "microdermabrasion",
            "ultrasonic-peeling",
            "vacuum-cleaning",
            "cryo-massage",
        ),
    ),
    WashoutGroupEntry(
        code="filler",
        name_en="Fillers",
        name_ru="Филлеры",
        procedures=(
            "hyaluronic-filler",
            "hyaluronic-filler-touch-up",
            "collagen-injection",
            "fat-transfer",
        ),
    ),
    WashoutGroupEntry(
        code="light",
        name_en="Light therapy",
        name_ru="Светотерапия",
        procedures=("phototherapy",),
    ),
)

WASHOUT_GROUP_OF: Final[dict[str, str]] = {
    slug: group.code for group in WASHOUT_GROUPS for slug in group.procedures
}

_DEEP = "3 months after dermabrasion, resurfacing or a deep peel (InMode device manual; policy)"
_FRACTIONAL = (
    "2-3 weeks after non-ablative light/RF, longer after ablative fractional (InMode; policy)"
)
_FOCAL = "focal wounds: scabs 5-7 days, sutures out at about 7 days (policy)"


def _rows(
    earlier: str, later: tuple[str, ...], days: int, *, absolute: bool, source: str
) -> tuple[WashoutEntry, ...]:
    return tuple(
        WashoutEntry(
            earlier_group=earlier, later_group=group, days=days, absolute=absolute, source=source
        )
        for group in later
    )


WASHOUTS: Final[tuple[WashoutEntry, ...]] = (
    *_rows(
        "deep",
        ("deep", "fractional", "focal", "superficial", "light", "filler"),
        90,
        absolute=True,
        source=_DEEP,
    ),
    *_rows(
        "fractional",
        ("deep", "fractional", "focal", "superficial", "light", "filler"),
        28,
        absolute=True,
        source=_FRACTIONAL,
    ),
    *_rows(
        "focal", ("deep", "fractional", "superficial", "light"), 14, absolute=True, source=_FOCAL
    ),
    *_rows("superficial", ("deep", "fractional", "focal"), 14, absolute=False, source="policy"),
    *_rows("filler", ("deep", "fractional", "light"), 14, absolute=True, source="policy"),
    WashoutEntry(
        earlier_group="filler",
        later_procedure="rf-microneedling",
        days=182,
        absolute=False,
        source="“biological fillers in the last 6 months” (RF-microneedling consents)",
    ),
)

_CONSULTATION_FIRST = (
    "policy; seed: “laser needs a full examination first”, cryo “examination first”"
)

PREREQUISITES: Final[tuple[PrerequisiteEntry, ...]] = (
    *(
        PrerequisiteEntry(
            procedure=slug,
            requires="consultation",
            min_days=0,
            max_days=364,
            offer_slots=True,
            source=_CONSULTATION_FIRST,
        )
        for slug in (
            "laser-resurfacing",
            "fractional-laser",
            "dermabrasion",
            "tca-peel",
            "phenol-peel",
            "tca-cross",
            "collagen-injection",
            "hyaluronic-filler",
            "fat-transfer",
            "punch-excision",
            "subcision",
            "rf-microneedling",
            "cryo-massage",
        )
    ),
    PrerequisiteEntry(
        procedure="hyaluronic-filler-touch-up",
        requires="hyaluronic-filler",
        min_days=14,
        max_days=30,
        offer_slots=False,
        source="policy: filler protocols plan a touch-up after 2-4 weeks",
    ),
)
