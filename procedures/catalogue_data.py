# ruff: noqa: RUF001 - the Russian texts are Cyrillic (and use en dashes) on purpose.
"""The clinic's 26 procedures, the categories and the scar types, as plain data.

Domain rules implemented here (from the domain reference, `catalogue.md`):

- Entries keep the catalogue table's order and its slugs. Prices are demo
  values in roubles (RUB); every treatment costs at least 3,500 RUB, the
  consultation 2,000. Minutes are the booked chair time, `buffer_minutes` the
  room's clean-up after it.
- A course runs from `sessions_min` to `sessions_max` sessions,
  `interval_min_days` to `interval_max_days` apart; `None` is "no limit" (or
  "not a course" for the consultation). "single" is a course of one.
- Hyaluronic filler (and its touch-up), collagen injection and fat transfer
  are *repeatable* treatments: a course is one session (the filler and the
  touch-up each no more often than every 182 days) and there is no limit on
  how many are done over time.
- Second edition (`rules-v2.md`): `rf-microneedling` and
  `hyaluronic-filler-touch-up` are new, `microneedling` is the mechanical one,
  and three rows are corrected (subcision and microdermabrasion: isotretinoin
  relative; salicylic peel: pregnancy absolute, breastfeeding relative).
  `recall_after_days` says when to invite the patient back (filler 182 days,
  fat transfer 547 days: the effect lasts about a year and a half).
- Rules are stored fully expanded: the generic groups G-ABS and G-REL are
  spelled out, every "X is absolute here" exception applied, `PREGNANCY_POSSIBLE`
  is relative wherever `PREGNANCY` appears, and a code absolute for a
  procedure is never also relative for it. The consultation has no rules.
- Codes that can never fire for a procedure are left out (`rules.can_fire`),
  so the review screen and the admin show only rules that matter:
  `COURSE_LIMIT_REACHED` needs a session limit (none for the repeatable
  treatments, nor for `punch-excision` "1+"), `COURSE_GAP_EXCEEDED` a maximum
  interval, `REPEAT_TOO_SOON` a minimum interval (none for `dermabrasion`,
  `phenol-peel`, `collagen-injection`, `fat-transfer`).
- `retinoid_window_days` is N in `PRECARE_TOPICAL_RETINOID(N)`: retinoid and
  acid products must have been stopped at least N days before.

Texts are written in English and Russian here as data (names, descriptions,
downtime, preparation, aftercare); they are not gettext strings, because staff
edit them per language in the admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from .intake import SCAR_TYPES
from .rules import RULES, can_fire

__all__ = [
    "CATALOGUE",
    "CATALOGUE_BY_SLUG",
    "CATEGORIES",
    "G_ABS",
    "G_REL",
    "PRICE_CURRENCY",
    "ROLES",
    "ROOM_KINDS",
    "SCAR_TYPE_INFO",
    "CatalogueEntry",
    "Category",
    "ScarTypeInfo",
]

PRICE_CURRENCY: Final = "RUB"

G_ABS: Final = (
    "INFLAMMATION_ACTIVE",
    "HERPES_ACTIVE",
    "SKIN_DISEASE_ACTIVE",
    "WOUND",
    "BURN_FROSTBITE",
    "REPEAT_TOO_SOON",
)
G_REL: Final = (
    "DIABETES",
    "ONCOLOGY",
    "AGE_UNDER_18",
    "SCAR_TYPE_NOT_INDICATED",
    "COURSE_GAP_EXCEEDED",
    "COURSE_LIMIT_REACHED",
)

ROOM_KINDS: Final = ("consult", "treatment", "laser", "surgery")
ROLES: Final = ("derm", "cosm", "surg")

_RULE_ORDER: Final = {code: index for index, code in enumerate(RULES)}


@dataclass(frozen=True, kw_only=True)
class CatalogueEntry:
    """One procedure of the catalogue, as seed data for the Procedure model."""

    slug: str
    category: str
    room_kind: str
    roles: tuple[str, ...]
    booked_minutes: int
    buffer_minutes: int
    price_from: Decimal
    indicated_scar_types: tuple[str, ...]
    sessions_min: int | None
    sessions_max: int | None
    interval_min_days: int | None
    interval_max_days: int | None
    repeatable: bool
    recall_after_days: int | None
    absolute_rules: tuple[str, ...]
    relative_rules: tuple[str, ...]
    retinoid_window_days: int | None
    name_en: str
    name_ru: str
    description_en: str
    description_ru: str
    downtime_en: str
    downtime_ru: str
    precare_en: str
    precare_ru: str
    aftercare_en: str
    aftercare_ru: str


@dataclass(frozen=True, kw_only=True)
class Category:
    slug: str
    name_en: str
    name_ru: str


@dataclass(frozen=True, kw_only=True)
class ScarTypeInfo:
    """A scar type for the scar-type guide page; `value` is the `scar_types` answer value."""

    value: str
    name_en: str
    name_ru: str
    description_en: str
    description_ru: str


def _expand(
    absolute: str,
    relative: str,
    *,
    interval_min_days: int | None,
    interval_max_days: int | None,
    sessions_max: int | None,
    retinoid_window_days: int | None,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return (absolute, relative) codes from a catalogue row written with G-ABS / G-REL."""
    groups = {"G-ABS": G_ABS, "G-REL": G_REL}
    abs_codes = {code for word in absolute.split() for code in groups.get(word, (word,))}
    rel_codes = {code for word in relative.split() for code in groups.get(word, (word,))}
    unknown = (abs_codes | rel_codes) - _RULE_ORDER.keys()
    if unknown:
        raise ValueError(f"unknown rule codes in the catalogue: {sorted(unknown)}")
    if "PREGNANCY" in abs_codes | rel_codes:
        rel_codes.add("PREGNANCY_POSSIBLE")
    rel_codes -= abs_codes

    def keep(code: str) -> bool:
        return can_fire(
            code,
            interval_min_days=interval_min_days,
            interval_max_days=interval_max_days,
            sessions_max=sessions_max,
            retinoid_window_days=retinoid_window_days,
        )

    return (
        tuple(sorted(filter(keep, abs_codes), key=_RULE_ORDER.__getitem__)),
        tuple(sorted(filter(keep, rel_codes), key=_RULE_ORDER.__getitem__)),
    )


def _procedure(
    *,
    absolute: str,
    relative: str,
    sessions: tuple[int | None, int | None],
    interval: tuple[int | None, int | None],
    price_from: str,
    indicated: str,
    roles: str,
    repeatable: bool = False,
    recall_after_days: int | None = None,
    retinoid_window_days: int | None = None,
    **fields: Any,
) -> CatalogueEntry:
    absolute_rules, relative_rules = _expand(
        absolute,
        relative,
        interval_min_days=interval[0],
        interval_max_days=interval[1],
        # A repeatable treatment's one-session course is not a limit on repeats.
        sessions_max=None if repeatable else sessions[1],
        retinoid_window_days=retinoid_window_days,
    )
    indicated_set = set(SCAR_TYPES) if indicated == "all" else set(indicated.split())
    return CatalogueEntry(
        absolute_rules=absolute_rules,
        relative_rules=relative_rules,
        sessions_min=sessions[0],
        sessions_max=sessions[1],
        interval_min_days=interval[0],
        interval_max_days=interval[1],
        price_from=Decimal(price_from),
        indicated_scar_types=tuple(t for t in SCAR_TYPES if t in indicated_set),
        roles=tuple(roles.split()),
        repeatable=repeatable,
        recall_after_days=recall_after_days,
        retinoid_window_days=retinoid_window_days,
        **fields,
    )


_RETINOID_EN = (
    "Stop retinoid and acid products (tretinoin, adapalene, glycolic or salicylic acid) "
    "{n} days before."
)
_RETINOID_RU = (
    "За {n} до процедуры прекратите пользоваться средствами с ретиноидами и кислотами "
    "(третиноин, адапален, гликолевая или салициловая кислота)."
)
_NO_TAN_EN = "Avoid sun and solarium for 4 weeks before."
_NO_TAN_RU = "За 4 недели до процедуры не загорайте и не посещайте солярий."
_COLD_SORES_EN = "If you get cold sores, tell the doctor: you may need antiviral tablets."
_COLD_SORES_RU = (
    "Если у вас бывает герпес на губах, сообщите врачу: может понадобиться противовирусный "
    "препарат."
)
_THINNERS_EN = "do not stop prescribed medicines on your own."
_THINNERS_RU = "не отменяйте назначенные лекарства самостоятельно."
_WOUND_CARE_EN = (
    "Follow the doctor's wound-care instructions and do not pick the crusts. Avoid sun, sauna "
    "and solarium until the skin has healed, then use SPF 30+ sunscreen every day for at "
    "least 3 months."
)
_WOUND_CARE_RU = (
    "Ухаживайте за кожей по рекомендациям врача и не срывайте корочки. До заживления "
    "избегайте солнца, сауны и солярия, а затем не менее 3 месяцев ежедневно наносите "
    "солнцезащитное средство SPF 30+."
)
_PEEL_CARE_EN = (
    "Do not peel off flaking skin. Use SPF 30+ sunscreen every day during the course and for "
    "4 weeks after it."
)
_PEEL_CARE_RU = (
    "Не снимайте шелушащуюся кожу. Ежедневно наносите солнцезащитное средство SPF 30+ во "
    "время курса и в течение 4 недель после него."
)


_FILLER_PRECARE_EN = (
    "Tell the doctor about any allergy to hyaluronic acid or local anaesthetics and about "
    "blood thinners; " + _THINNERS_EN + " Avoid alcohol for 24 hours before."
)
_FILLER_PRECARE_RU = (
    "Сообщите врачу об аллергии на гиалуроновую кислоту или местные анестетики и о приёме "
    "препаратов, разжижающих кровь; " + _THINNERS_RU + " За 24 часа до процедуры откажитесь "
    "от алкоголя."
)
_FILLER_AFTERCARE_EN = (
    "Do not touch or massage the treated areas for 24 hours; avoid sauna, steam room, "
    "solarium and hard exercise for 2 weeks."
)
_FILLER_AFTERCARE_RU = (
    "В течение 24 часов не трогайте и не массируйте обработанные участки; 2 недели не "
    "посещайте сауну, баню и солярий и избегайте интенсивных физических нагрузок."
)
_NEEDLING_AFTERCARE_EN = (
    "Do not wear make-up for 24 hours, use gentle skin care, and apply SPF 50+ sunscreen "
    "every day for 7-10 days after each session."
)
_NEEDLING_AFTERCARE_RU = (
    "В течение 24 часов не пользуйтесь декоративной косметикой, применяйте мягкие средства "
    "ухода и 7–10 дней после каждой процедуры ежедневно наносите солнцезащитное средство "
    "SPF 50+."
)


def _retinoid_en(days: int) -> str:
    return _RETINOID_EN.format(n=days)


def _retinoid_ru(days: int) -> str:
    # Russian counts: 1 день, 2-4 дня, 5-20 дней (and so on by the last digits).
    last_two, last = days % 100, days % 10
    if last == 1 and last_two != 11:
        word = "день"
    elif 2 <= last <= 4 and not 12 <= last_two <= 14:
        word = "дня"
    else:
        word = "дней"
    return _RETINOID_RU.format(n=f"{days} {word}")


CATALOGUE: Final[tuple[CatalogueEntry, ...]] = (
    _procedure(
        slug="consultation",
        category="consultation",
        room_kind="consult",
        roles="derm cosm",
        booked_minutes=30,
        buffer_minutes=0,
        price_from="2000",
        indicated="all",
        sessions=(None, None),
        interval=(None, None),
        absolute="",
        relative="",
        name_en="Consultation and skin assessment",
        name_ru="Консультация и оценка состояния кожи",
        description_en=(
            "A dermatologist or cosmetologist examines your skin, identifies your types of scar "
            "and how marked they are, and draws up a treatment plan with you. Laser treatment "
            "always starts with such a full examination. Suitable for every type of scar."
        ),
        description_ru=(
            "Дерматолог или косметолог осматривает кожу, определяет типы рубцов и степень их "
            "выраженности и вместе с вами составляет план лечения. Лазерное лечение всегда "
            "начинается с такого полного осмотра. Подходит при рубцах любого типа."
        ),
        downtime_en="None.",
        downtime_ru="Нет.",
        precare_en=(
            "Come without make-up if you can, and bring a list of the medicines and skin "
            "products you use."
        ),
        precare_ru=(
            "По возможности приходите без макияжа и возьмите с собой список лекарств и "
            "косметических средств, которыми пользуетесь."
        ),
        aftercare_en="No special care is needed.",
        aftercare_ru="Особого ухода не требуется.",
    ),
    _procedure(
        slug="laser-resurfacing",
        category="laser",
        room_kind="laser",
        roles="derm",
        booked_minutes=90,
        buffer_minutes=15,
        price_from="25000",
        indicated="rolling boxcar_shallow boxcar_deep hypertrophic",
        sessions=(1, 5),
        interval=(90, None),
        absolute="G-ABS ROSACEA ISOTRETINOIN_LT6M PREGNANCY PRECARE_TOPICAL_RETINOID",
        relative=(
            "G-REL KELOID_TENDENCY FITZ_IV_VI PIH_HISTORY RECENT_TAN PHOTOSENSITISING_DRUGS "
            "HERPES_HISTORY ANTICOAGULANTS AUTOIMMUNE_ACTIVE"
        ),
        retinoid_window_days=14,
        name_en="Laser resurfacing, full ablative (CO2 / Er:YAG)",
        name_ru="Абляционная лазерная шлифовка (CO2 / Er:YAG)",
        description_en=(
            "A CO2 or erbium laser removes the top layers of the skin, and new, smoother skin "
            "grows in their place, so pits become noticeably shallower. It treats rolling and "
            "boxcar scars, shallow and deep, and raised (hypertrophic) scars. One session is "
            "sometimes enough; a full course is up to 5 sessions 3 months apart."
        ),
        description_ru=(
            "CO2- или эрбиевый лазер удаляет верхние слои кожи, на их месте нарастает новая, "
            "более гладкая кожа, и ямки становятся заметно мельче. Метод подходит для округлых "
            "и прямоугольных рубцов, как неглубоких, так и глубоких, а также для "
            "гипертрофических рубцов. Иногда достаточно одной процедуры; полный курс — до 5 "
            "процедур с интервалом 3 месяца."
        ),
        downtime_en="At least 2 weeks: redness, swelling and crusts while the skin heals.",
        downtime_ru=(
            "Не менее 2 недель: пока кожа заживает, сохраняются покраснение, отёк и корочки."
        ),
        precare_en=f"{_retinoid_en(14)} {_NO_TAN_EN} {_COLD_SORES_EN}",
        precare_ru=f"{_retinoid_ru(14)} {_NO_TAN_RU} {_COLD_SORES_RU}",
        aftercare_en=_WOUND_CARE_EN,
        aftercare_ru=_WOUND_CARE_RU,
    ),
    _procedure(
        slug="fractional-laser",
        category="laser",
        room_kind="laser",
        roles="derm",
        booked_minutes=60,
        buffer_minutes=15,
        price_from="15000",
        indicated="rolling boxcar_shallow boxcar_deep",
        sessions=(3, 5),
        interval=(28, 90),
        absolute="G-ABS ROSACEA PREGNANCY PRECARE_TOPICAL_RETINOID",
        relative=(
            "G-REL ISOTRETINOIN_LT6M KELOID_TENDENCY FITZ_IV_VI PIH_HISTORY RECENT_TAN "
            "PHOTOSENSITISING_DRUGS HERPES_HISTORY ANTICOAGULANTS"
        ),
        retinoid_window_days=14,
        name_en="Fractional laser resurfacing",
        name_ru="Фракционная лазерная шлифовка",
        description_en=(
            "The laser treats the skin in thousands of microscopic columns and leaves the skin "
            "between them intact, so it heals much faster than after full resurfacing. New "
            "collagen gradually lifts rolling and boxcar scars, shallow and deep. A course is "
            "usually 3 to 5 sessions 4 to 12 weeks apart."
        ),
        description_ru=(
            "Лазер воздействует на кожу тысячами микроскопических столбиков, оставляя кожу "
            "между ними нетронутой, поэтому она заживает гораздо быстрее, чем после полной "
            "шлифовки. Новый коллаген постепенно выравнивает округлые и прямоугольные рубцы, "
            "как неглубокие, так и глубокие. Курс обычно включает 3–5 процедур с интервалом "
            "4–12 недель."
        ),
        downtime_en="Several days of redness and slight swelling.",
        downtime_ru="Несколько дней покраснения и небольшого отёка.",
        precare_en=f"{_retinoid_en(14)} {_NO_TAN_EN} {_COLD_SORES_EN}",
        precare_ru=f"{_retinoid_ru(14)} {_NO_TAN_RU} {_COLD_SORES_RU}",
        aftercare_en=(
            "Use a gentle moisturiser and SPF 30+ sunscreen every day; avoid sun and solarium "
            "for at least 4 weeks after each session."
        ),
        aftercare_ru=(
            "Пользуйтесь мягким увлажняющим кремом и ежедневно наносите солнцезащитное "
            "средство SPF 30+; не загорайте и не посещайте солярий не менее 4 недель после "
            "каждой процедуры."
        ),
    ),
    _procedure(
        slug="dermabrasion",
        category="resurfacing",
        room_kind="surgery",
        roles="derm surg",
        booked_minutes=90,
        buffer_minutes=15,
        price_from="20000",
        indicated="rolling boxcar_shallow",
        sessions=(1, 1),
        interval=(None, None),
        absolute="G-ABS ROSACEA ISOTRETINOIN_LT6M KELOID_TENDENCY PRECARE_TOPICAL_RETINOID",
        relative=(
            "G-REL ISOTRETINOIN_6_12M FITZ_V_VI PIH_HISTORY HERPES_HISTORY ANTICOAGULANTS "
            "ALLERGY_LIDOCAINE RECENT_FACIAL_SURGERY PREGNANCY"
        ),
        retinoid_window_days=7,
        name_en="Dermabrasion (mechanical, local anaesthesia)",
        name_ru="Дермабразия (механическая, под местной анестезией)",
        description_en=(
            "The doctor removes the top layer of the skin with special rotating brushes and "
            "burrs; it is done under local anaesthesia because it is painful. The skin heals "
            "smoother, and rolling and shallow boxcar scars become less visible. It is done "
            "once; a repeat needs the doctor's review."
        ),
        description_ru=(
            "Врач снимает верхний слой кожи специальными вращающимися щётками и фрезами; "
            "процедура болезненна, поэтому её проводят под местной анестезией. Кожа заживает "
            "более ровной, а округлые и неглубокие прямоугольные рубцы становятся менее "
            "заметными. Выполняется однократно; повторная процедура — только после оценки "
            "врача."
        ),
        downtime_en="About 10 days until new skin forms; pinkness can last several weeks.",
        downtime_ru=(
            "Около 10 дней до образования новой кожи; розовый оттенок может сохраняться "
            "несколько недель."
        ),
        precare_en=(
            f"{_retinoid_en(7)} Tell the doctor about any allergy to local anaesthetics and "
            "about cold sores. Arrange for someone to take you home."
        ),
        precare_ru=(
            f"{_retinoid_ru(7)} Сообщите врачу об аллергии на местные анестетики и о герпесе "
            "на губах, если он у вас бывает. Договоритесь, чтобы после процедуры вас "
            "проводили домой."
        ),
        aftercare_en=_WOUND_CARE_EN,
        aftercare_ru=_WOUND_CARE_RU,
    ),
    _procedure(
        slug="microdermabrasion",
        category="resurfacing",
        room_kind="treatment",
        roles="derm cosm",
        booked_minutes=40,
        buffer_minutes=10,
        price_from="4500",
        indicated="rolling boxcar_shallow macular",
        sessions=(7, 10),
        interval=(14, 21),
        absolute="G-ABS ROSACEA PRECARE_TOPICAL_RETINOID",
        # rules-v2.md: isotretinoin relative (superficial dermabrasion judged safe).
        relative=(
            "G-REL ISOTRETINOIN_LT6M HERPES_HISTORY ANTICOAGULANTS AUTOIMMUNE_ACTIVE RECENT_TAN "
            "PREGNANCY"
        ),
        retinoid_window_days=14,
        name_en="Microdermabrasion (crystal / diamond)",
        name_ru="Микродермабразия (кристаллическая / алмазная)",
        description_en=(
            "Fine crystals or a diamond tip polish away the top layer of dead skin cells, which "
            "stimulates the skin to renew itself. It softens rolling and shallow boxcar scars "
            "and evens out post-acne marks; the lips and the skin around the eyes are not "
            "treated. A course is about 10 sessions of 25-40 minutes, and the result is usually "
            "visible after the seventh."
        ),
        description_ru=(
            "Мелкие кристаллы или алмазная насадка сошлифовывают верхний слой отмерших клеток, "
            "и кожа начинает активнее обновляться. Процедура смягчает округлые и неглубокие "
            "прямоугольные рубцы и выравнивает пятна постакне; губы и кожу вокруг глаз не "
            "обрабатывают. Курс — около 10 сеансов по 25–40 минут, результат обычно заметен "
            "после седьмого."
        ),
        downtime_en="Minimal: slight redness for a few hours.",
        downtime_ru="Практически нет: лёгкое покраснение в течение нескольких часов.",
        precare_en=_retinoid_en(14),
        precare_ru=_retinoid_ru(14),
        aftercare_en=(
            "Use a moisturiser and SPF 30+ sunscreen during the course; avoid sun and solarium "
            "for a few days after each session."
        ),
        aftercare_ru=(
            "Во время курса пользуйтесь увлажняющим кремом и солнцезащитным средством SPF 30+; "
            "несколько дней после каждого сеанса не загорайте и не посещайте солярий."
        ),
    ),
    _procedure(
        slug="glycolic-peel",
        category="peel",
        room_kind="treatment",
        roles="derm cosm",
        booked_minutes=45,
        buffer_minutes=10,
        price_from="3500",
        indicated="rolling boxcar_shallow macular",
        sessions=(2, 8),
        interval=(14, 21),
        absolute="G-ABS ROSACEA PRECARE_TOPICAL_RETINOID",
        relative=(
            "G-REL ISOTRETINOIN_LT6M FITZ_V_VI HERPES_HISTORY PHOTOSENSITISING_DRUGS RECENT_TAN "
            "KELOID_TENDENCY PIH_HISTORY PREGNANCY"
        ),
        retinoid_window_days=2,
        name_en="Glycolic acid peel (superficial)",
        name_ru="Гликолевый пилинг (поверхностный)",
        description_en=(
            "A glycolic acid solution dissolves the top layer of dead skin cells and stimulates "
            "renewal. It smooths rolling and shallow boxcar scars and fades post-acne marks. A "
            "course is usually 2 to 8 peels every 2 to 3 weeks."
        ),
        description_ru=(
            "Раствор гликолевой кислоты растворяет верхний слой отмерших клеток и стимулирует "
            "обновление кожи. Пилинг сглаживает округлые и неглубокие прямоугольные рубцы и "
            "осветляет пятна постакне. Курс обычно составляет 2–8 процедур с интервалом 2–3 "
            "недели."
        ),
        downtime_en="Redness and flaking for a day or more.",
        downtime_ru="Покраснение и шелушение в течение суток и дольше.",
        precare_en=f"{_retinoid_en(2)} {_NO_TAN_EN}",
        precare_ru=f"{_retinoid_ru(2)} {_NO_TAN_RU}",
        aftercare_en=_PEEL_CARE_EN,
        aftercare_ru=_PEEL_CARE_RU,
    ),
    _procedure(
        slug="salicylic-peel",
        category="peel",
        room_kind="treatment",
        roles="derm cosm",
        booked_minutes=45,
        buffer_minutes=10,
        price_from="3500",
        indicated="rolling boxcar_shallow macular",
        sessions=(2, 8),
        interval=(14, 21),
        # rules-v2.md: salicylic acid is absorbed and crosses the placenta.
        absolute="G-ABS ROSACEA PRECARE_TOPICAL_RETINOID PREGNANCY",
        relative=(
            "G-REL ISOTRETINOIN_LT6M FITZ_V_VI HERPES_HISTORY PHOTOSENSITISING_DRUGS RECENT_TAN "
            "KELOID_TENDENCY PIH_HISTORY LACTATION"
        ),
        retinoid_window_days=2,
        name_en="Salicylic acid peel (superficial)",
        name_ru="Салициловый пилинг (поверхностный)",
        description_en=(
            "Salicylic acid exfoliates the top layer of the skin and also clears the pores, "
            "which suits oily skin prone to spots. It smooths rolling and shallow boxcar scars "
            "and fades post-acne marks. A course is usually 2 to 8 peels every 2 to 3 weeks."
        ),
        description_ru=(
            "Салициловая кислота отшелушивает верхний слой кожи и очищает поры, поэтому пилинг "
            "особенно подходит для жирной кожи, склонной к высыпаниям. Он сглаживает округлые "
            "и неглубокие прямоугольные рубцы и осветляет пятна постакне. Курс обычно "
            "составляет 2–8 процедур с интервалом 2–3 недели."
        ),
        downtime_en="Redness and flaking for a day or more.",
        downtime_ru="Покраснение и шелушение в течение суток и дольше.",
        precare_en=f"{_retinoid_en(2)} {_NO_TAN_EN} Tell us if you are allergic to aspirin.",
        precare_ru=(
            f"{_retinoid_ru(2)} {_NO_TAN_RU} Сообщите нам, если у вас аллергия на аспирин."
        ),
        aftercare_en=_PEEL_CARE_EN,
        aftercare_ru=_PEEL_CARE_RU,
    ),
    _procedure(
        slug="tca-peel",
        category="peel",
        room_kind="treatment",
        roles="derm",
        booked_minutes=60,
        buffer_minutes=10,
        price_from="9000",
        indicated="rolling boxcar_shallow macular",
        sessions=(1, 3),
        interval=(90, None),
        absolute="G-ABS ROSACEA ISOTRETINOIN_LT6M PRECARE_TOPICAL_RETINOID",
        relative=(
            "G-REL ISOTRETINOIN_6_12M FITZ_IV_VI PIH_HISTORY HERPES_HISTORY KELOID_TENDENCY "
            "PHOTOSENSITISING_DRUGS RECENT_TAN PREGNANCY"
        ),
        retinoid_window_days=7,
        name_en="TCA peel (medium depth)",
        name_ru="Срединный ТСА-пилинг (трихлоруксусная кислота)",
        description_en=(
            "Trichloroacetic acid (TCA) removes the outer layer of the skin and the top of the "
            "layer beneath, so the skin renews more deeply than after a superficial peel. It "
            "evens out rolling and shallow boxcar scars and post-acne marks. A course is 1 to 3 "
            "peels at least 3 months apart."
        ),
        description_ru=(
            "Трихлоруксусная кислота (ТСА) удаляет эпидермис и верхнюю часть дермы, поэтому "
            "кожа обновляется глубже, чем после поверхностного пилинга. Пилинг выравнивает "
            "округлые и неглубокие прямоугольные рубцы и пятна постакне. Курс — 1–3 процедуры "
            "с интервалом не менее 3 месяцев."
        ),
        downtime_en="About a week: the skin darkens, tightens and peels off.",
        downtime_ru="Около недели: кожа темнеет, стягивается и отшелушивается.",
        precare_en=f"{_retinoid_en(7)} {_NO_TAN_EN} {_COLD_SORES_EN}",
        precare_ru=f"{_retinoid_ru(7)} {_NO_TAN_RU} {_COLD_SORES_RU}",
        aftercare_en=(
            "Do not peel off the flaking skin. Avoid the sun while the skin heals, then use "
            "SPF 30+ sunscreen every day for at least 3 months."
        ),
        aftercare_ru=(
            "Не снимайте отшелушивающуюся кожу. Пока кожа заживает, избегайте солнца, а затем "
            "не менее 3 месяцев ежедневно наносите солнцезащитное средство SPF 30+."
        ),
    ),
    _procedure(
        slug="phenol-peel",
        category="peel",
        room_kind="surgery",
        roles="derm",
        booked_minutes=120,
        buffer_minutes=15,
        price_from="45000",
        indicated="rolling boxcar_shallow boxcar_deep",
        sessions=(1, 1),
        interval=(None, None),
        absolute=(
            "G-ABS ROSACEA CARDIOVASCULAR HEPATIC_RENAL FITZ_IV_VI ISOTRETINOIN_LT6M "
            "ISOTRETINOIN_6_12M KELOID_TENDENCY PREGNANCY LACTATION PRECARE_TOPICAL_RETINOID"
        ),
        relative="G-REL HERPES_HISTORY RECENT_FACIAL_SURGERY MENTAL_ILLNESS PHOTOSENSITISING_DRUGS",
        retinoid_window_days=7,
        name_en="Phenol peel (deep, cardiac monitoring)",
        name_ru="Феноловый пилинг (глубокий, с мониторингом сердечной деятельности)",
        description_en=(
            "The deepest chemical peel: a phenol solution removes damaged skin down to the deep "
            "dermis, and the effect is visible after one session. It treats rolling and boxcar "
            "scars, shallow and deep. Because phenol can affect the heart, liver and kidneys, "
            "it is done in the surgery room with heart monitoring."
        ),
        description_ru=(
            "Самый глубокий химический пилинг: раствор фенола удаляет повреждённую кожу вплоть "
            "до глубоких слоёв дермы, и эффект виден уже после одной процедуры. Метод подходит "
            "для округлых и прямоугольных рубцов, в том числе глубоких. Фенол может влиять на "
            "сердце, печень и почки, поэтому процедуру проводят в операционной под "
            "кардиомониторингом."
        ),
        downtime_en=(
            "Long: several weeks of healing, the first hours under monitoring in the clinic; "
            "redness can last for months."
        ),
        downtime_ru=(
            "Длительный: заживление занимает несколько недель, первые часы — под наблюдением в "
            "клинике; покраснение может сохраняться месяцами."
        ),
        precare_en=(
            f"{_retinoid_en(7)} Have the blood tests and ECG the doctor asks for, and arrange "
            "for someone to take you home."
        ),
        precare_ru=(
            f"{_retinoid_ru(7)} Сдайте анализы крови и сделайте ЭКГ по назначению врача; "
            "договоритесь, чтобы после процедуры вас проводили домой."
        ),
        aftercare_en=(
            "Follow the doctor's wound-care instructions exactly. Stay out of the sun "
            "completely while the skin heals, then use SPF 30+ sunscreen every day: the treated "
            "skin stays more sensitive to the sun for good."
        ),
        aftercare_ru=(
            "Точно выполняйте рекомендации врача по уходу за кожей. Пока кожа заживает, "
            "полностью избегайте солнца, а затем ежедневно наносите солнцезащитное средство "
            "SPF 30+: обработанная кожа навсегда остаётся более чувствительной к солнцу."
        ),
    ),
    _procedure(
        slug="tca-cross",
        category="peel",
        room_kind="treatment",
        roles="derm",
        booked_minutes=30,
        buffer_minutes=10,
        price_from="6000",
        indicated="icepick boxcar_shallow boxcar_deep",
        sessions=(3, 6),
        interval=(14, 56),
        absolute="G-ABS ROSACEA PRECARE_TOPICAL_RETINOID",
        relative="G-REL ISOTRETINOIN_LT6M PIH_HISTORY HERPES_HISTORY KELOID_TENDENCY PREGNANCY",
        retinoid_window_days=7,
        name_en="TCA CROSS (focal trichloroacetic acid)",
        name_ru="TCA CROSS (точечное нанесение трихлоруксусной кислоты)",
        description_en=(
            "With a fine applicator, the doctor places highly concentrated trichloroacetic "
            "acid on the bottom of each scar. This stimulates new collagen, which fills the "
            "scar gradually from below. It works best on narrow, deep icepick scars and on "
            "boxcar scars; a course is 3 to 6 sessions 2 to 8 weeks apart."
        ),
        description_ru=(
            "Тонким аппликатором врач наносит высококонцентрированную трихлоруксусную кислоту "
            "на дно каждого рубца. Это стимулирует выработку нового коллагена, который "
            "постепенно заполняет рубец снизу. Метод особенно эффективен при узких глубоких "
            "(выколотых) и прямоугольных рубцах; курс — 3–6 процедур с интервалом 2–8 недель."
        ),
        downtime_en="Small scabs on the treated scars for 5-7 days.",
        downtime_ru="Мелкие корочки на обработанных рубцах в течение 5–7 дней.",
        precare_en=_retinoid_en(7),
        precare_ru=_retinoid_ru(7),
        aftercare_en=(
            "Do not pick the scabs; let them fall off by themselves. Use SPF 30+ sunscreen "
            "every day during the course."
        ),
        aftercare_ru=(
            "Не срывайте корочки — дайте им отпасть самостоятельно. Во время курса ежедневно "
            "наносите солнцезащитное средство SPF 30+."
        ),
    ),
    _procedure(
        slug="collagen-injection",
        category="filler",
        room_kind="treatment",
        roles="derm",
        booked_minutes=45,
        buffer_minutes=10,
        price_from="18000",
        indicated="rolling boxcar_shallow",
        sessions=(None, None),
        interval=(None, None),
        repeatable=True,
        absolute=(
            "G-ABS ALLERGY_BOVINE_COLLAGEN ALLERGY_LIDOCAINE AUTOIMMUNE_ACTIVE AUTOIMMUNE_STABLE "
            "BLEEDING_DISORDER PREGNANCY LACTATION PRECARE_COLLAGEN_SKIN_TEST"
        ),
        relative="G-REL ANTICOAGULANTS ROSACEA KELOID_TENDENCY",
        name_en="Collagen injection",
        name_ru="Инъекции коллагена",
        description_en=(
            "Collagen is injected under the scar and lifts its floor to the level of the "
            "surrounding skin, so the pit becomes invisible. It suits soft rolling and shallow "
            "boxcar scars. The result is temporary, though it can last a long time, and the "
            "treatment can be repeated."
        ),
        description_ru=(
            "Коллаген вводят под рубец, он приподнимает его дно до уровня окружающей кожи, и "
            "ямка становится незаметной. Метод подходит для мягких округлых и неглубоких "
            "прямоугольных рубцов. Результат временный, хотя может сохраняться долго; "
            "процедуру можно повторять."
        ),
        downtime_en="Swelling and redness at the injection sites for a few days.",
        downtime_ru="Отёк и покраснение в местах инъекций в течение нескольких дней.",
        precare_en=(
            "A skin test on the forearm comes first: it must be read, with no reaction, at "
            "least 28 days before the treatment. Tell the doctor about any allergy to bovine "
            "collagen or local anaesthetics and about blood thinners; " + _THINNERS_EN
        ),
        precare_ru=(
            "Сначала проводится кожная проба на предплечье: её результат должен быть оценён "
            "не позднее чем за 28 дней до процедуры и оказаться отрицательным. Сообщите врачу "
            "об аллергии на бычий коллаген или местные анестетики, а также о приёме "
            "препаратов, разжижающих кровь; " + _THINNERS_RU
        ),
        aftercare_en=(
            "Do not touch, massage or put make-up on the treated areas for 12 hours; avoid "
            "sauna, steam room and hard exercise for 2 days."
        ),
        aftercare_ru=(
            "В течение 12 часов не трогайте и не массируйте обработанные участки и не наносите "
            "на них макияж; 2 дня не посещайте сауну и баню и избегайте интенсивных "
            "физических нагрузок."
        ),
    ),
    _procedure(
        slug="hyaluronic-filler",
        category="filler",
        room_kind="treatment",
        roles="derm",
        booked_minutes=45,
        buffer_minutes=10,
        price_from="22000",
        indicated="rolling boxcar_shallow",
        sessions=(1, 1),
        interval=(182, None),
        repeatable=True,
        recall_after_days=182,
        absolute=(
            "G-ABS AGE_UNDER_18 PREGNANCY LACTATION ALLERGY_HYALURONIC ALLERGY_LIDOCAINE "
            "AUTOIMMUNE_ACTIVE BLEEDING_DISORDER"
        ),
        relative=("G-REL ANTICOAGULANTS AUTOIMMUNE_STABLE KELOID_TENDENCY HERPES_HISTORY ROSACEA"),
        name_en="Hyaluronic acid filler",
        name_ru="Филлер на основе гиалуроновой кислоты",
        description_en=(
            "A hyaluronic acid gel is injected under rolling and shallow boxcar scars to fill "
            "them and soften their edges. Hyaluronic acid also helps the skin renew itself, so "
            "the surface becomes smoother. The result comes after one session; it can be "
            "repeated, but not more often than every 6 months."
        ),
        description_ru=(
            "Гель на основе гиалуроновой кислоты вводят под округлые и неглубокие "
            "прямоугольные рубцы, чтобы заполнить их и сгладить края. Гиалуроновая кислота "
            "также помогает коже обновляться, и её поверхность становится ровнее. Результат "
            "достигается за одну процедуру; повторять её можно не чаще одного раза в 6 "
            "месяцев."
        ),
        downtime_en="Swelling and possible bruising for 3-7 days.",
        downtime_ru="Отёк и возможные синяки в течение 3–7 дней.",
        precare_en=_FILLER_PRECARE_EN,
        precare_ru=_FILLER_PRECARE_RU,
        aftercare_en=_FILLER_AFTERCARE_EN,
        aftercare_ru=_FILLER_AFTERCARE_RU,
    ),
    _procedure(
        slug="hyaluronic-filler-touch-up",
        category="filler",
        room_kind="treatment",
        roles="derm",
        booked_minutes=30,
        buffer_minutes=10,
        price_from="3500",
        indicated="rolling boxcar_shallow",
        sessions=(1, 1),
        interval=(182, None),
        repeatable=True,
        absolute=(
            "G-ABS AGE_UNDER_18 PREGNANCY LACTATION ALLERGY_HYALURONIC ALLERGY_LIDOCAINE "
            "AUTOIMMUNE_ACTIVE BLEEDING_DISORDER"
        ),
        relative=("G-REL ANTICOAGULANTS AUTOIMMUNE_STABLE KELOID_TENDENCY HERPES_HISTORY ROSACEA"),
        name_en="Hyaluronic filler touch-up",
        name_ru="Коррекция после филлера на основе гиалуроновой кислоты",
        description_en=(
            "Two to four weeks after a hyaluronic acid filler, the doctor checks the result and "
            "adds a little gel where a scar is not yet fully filled. The swelling has gone by "
            "then, so the correction is precise. It is booked 14 to 30 days after the filler "
            "session, once per filler cycle."
        ),
        description_ru=(
            "Через 2–4 недели после введения филлера на основе гиалуроновой кислоты врач "
            "оценивает результат и добавляет немного геля туда, где рубец заполнен не "
            "полностью. К этому времени отёк проходит, поэтому коррекция получается точной. "
            "Процедуру записывают через 14–30 дней после введения филлера, один раз за цикл."
        ),
        downtime_en="Slight swelling for 1-3 days.",
        downtime_ru="Небольшой отёк в течение 1–3 дней.",
        precare_en=_FILLER_PRECARE_EN,
        precare_ru=_FILLER_PRECARE_RU,
        aftercare_en=_FILLER_AFTERCARE_EN,
        aftercare_ru=_FILLER_AFTERCARE_RU,
    ),
    _procedure(
        slug="fat-transfer",
        category="filler",
        room_kind="surgery",
        roles="surg",
        booked_minutes=150,
        buffer_minutes=15,
        price_from="60000",
        indicated="rolling boxcar_shallow",
        sessions=(1, 1),
        interval=(None, None),
        repeatable=True,
        recall_after_days=547,
        absolute="G-ABS PREGNANCY BLEEDING_DISORDER",
        relative=(
            "G-REL ANTICOAGULANTS ALLERGY_LIDOCAINE AUTOIMMUNE_ACTIVE AUTOIMMUNE_STABLE "
            "KELOID_TENDENCY ROSACEA"
        ),
        name_en="Autologous fat transfer (lipofilling)",
        name_ru="Аутологичная пересадка жировой ткани (липофилинг)",
        description_en=(
            "The surgeon takes a little of your own fat, usually from the abdomen or thighs, "
            "purifies it and injects it under depressed scars to fill them. It suits rolling "
            "and shallow boxcar scars. The effect lasts up to about 1.5 years, after which the "
            "procedure is repeated."
        ),
        description_ru=(
            "Хирург забирает небольшое количество вашей собственной жировой ткани, обычно с "
            "живота или бёдер, очищает её и вводит под запавшие рубцы, заполняя их. Метод "
            "подходит для округлых и неглубоких прямоугольных рубцов. Эффект сохраняется "
            "примерно до 1,5 лет, после чего процедуру повторяют."
        ),
        downtime_en="Swelling and bruising; about 2 weeks before you look your usual self.",
        downtime_ru="Отёк и синяки; примерно через 2 недели внешний вид возвращается к обычному.",
        precare_en=(
            "Tell the surgeon about blood thinners and any allergy to local anaesthetics; "
            + _THINNERS_EN
            + " Follow the surgeon's instructions on eating before the procedure and arrange "
            "for someone to take you home."
        ),
        precare_ru=(
            "Сообщите хирургу о приёме препаратов, разжижающих кровь, и об аллергии на "
            "местные анестетики; " + _THINNERS_RU + " Соблюдайте указания хирурга о приёме "
            "пищи перед процедурой и договоритесь, чтобы после неё вас проводили домой."
        ),
        aftercare_en=(
            "Do not massage the face or sleep face down for a week; avoid sauna, steam room "
            "and sport for 2 weeks, and wear the compression garment on the donor site as "
            "instructed."
        ),
        aftercare_ru=(
            "Неделю не массируйте лицо и не спите лицом вниз; 2 недели не посещайте сауну и "
            "баню и не занимайтесь спортом; носите компрессионное бельё на донорской зоне, "
            "как рекомендовал хирург."
        ),
    ),
    _procedure(
        slug="punch-excision",
        category="surgery",
        room_kind="surgery",
        roles="surg derm",
        booked_minutes=60,
        buffer_minutes=15,
        price_from="8000",
        indicated="icepick boxcar_deep",
        sessions=(1, None),
        interval=(28, None),
        absolute="G-ABS BLEEDING_DISORDER",
        relative=(
            "G-REL ANTICOAGULANTS ALLERGY_LIDOCAINE KELOID_TENDENCY ISOTRETINOIN_LT6M "
            "PREGNANCY ROSACEA"
        ),
        name_en="Surgical / punch excision",
        name_ru="Хирургическое (панч-) иссечение рубцов",
        description_en=(
            "The surgeon cuts out a deep scar with a small round punch or a scalpel and closes "
            "the wound with a fine stitch, leaving a thin flat line that is much less visible "
            "than the pit. It is for deep icepick and boxcar scars when other methods have not "
            "helped. Several scars can be treated at one visit, and more sessions can follow."
        ),
        description_ru=(
            "Хирург иссекает глубокий рубец небольшим круглым панчем или скальпелем и "
            "закрывает рану тонким швом; остаётся тонкая плоская линия, гораздо менее "
            "заметная, чем ямка. Метод применяют при глубоких выколотых и прямоугольных "
            "рубцах, когда другие способы не помогли. За один визит можно обработать "
            "несколько рубцов, при необходимости процедуру повторяют."
        ),
        downtime_en="Stitches come out after about 7 days.",
        downtime_ru="Швы снимают примерно через 7 дней.",
        precare_en=(
            "Tell the doctor about blood thinners and any allergy to local anaesthetics; "
            + _THINNERS_EN
        ),
        precare_ru=(
            "Сообщите врачу о приёме препаратов, разжижающих кровь, и об аллергии на местные "
            "анестетики; " + _THINNERS_RU
        ),
        aftercare_en=(
            "Keep the stitches clean and dry as instructed until they are removed, and do not "
            "pick the scabs. Use SPF 30+ sunscreen on the healed areas for 3 months."
        ),
        aftercare_ru=(
            "До снятия швов содержите их в чистоте и сухости, как рекомендовал врач, и не "
            "срывайте корочки. После заживления 3 месяца наносите на эти участки "
            "солнцезащитное средство SPF 30+."
        ),
    ),
    _procedure(
        slug="subcision",
        category="surgery",
        room_kind="surgery",
        roles="surg derm",
        booked_minutes=45,
        buffer_minutes=15,
        price_from="12000",
        indicated="rolling",
        sessions=(3, 6),
        interval=(28, 42),
        # rules-v2.md: cutaneous surgery need not be delayed after isotretinoin.
        absolute="G-ABS KELOID_TENDENCY BLEEDING_DISORDER",
        relative="G-REL ANTICOAGULANTS ALLERGY_LIDOCAINE ISOTRETINOIN_LT6M PREGNANCY ROSACEA",
        name_en="Subcision",
        name_ru="Субцизия",
        description_en=(
            "Under local anaesthesia, the doctor slides a special needle under the scar and "
            "cuts the fibrous bands that pull the skin down. The freed skin rises, and new "
            "collagen forms beneath it. It is the method of choice for rolling scars; a course "
            "is 3 to 6 sessions 4 to 6 weeks apart."
        ),
        description_ru=(
            "Под местной анестезией врач вводит под рубец специальную иглу и рассекает "
            "фиброзные тяжи, которые стягивают кожу вниз. Освобождённая кожа приподнимается, "
            "а под ней образуется новый коллаген. Это метод выбора при округлых рубцах; курс — "
            "3–6 процедур с интервалом 4–6 недель."
        ),
        downtime_en="Bruising and swelling for about a week.",
        downtime_ru="Синяки и отёк в течение примерно недели.",
        precare_en=(
            "Tell the doctor about blood thinners and any allergy to local anaesthetics; "
            + _THINNERS_EN
        ),
        precare_ru=(
            "Сообщите врачу о приёме препаратов, разжижающих кровь, и об аллергии на местные "
            "анестетики; " + _THINNERS_RU
        ),
        aftercare_en=(
            "Cold compresses ease the swelling in the first days; massage the area only if the "
            "doctor tells you to, and avoid sauna and hard exercise for a few days."
        ),
        aftercare_ru=(
            "В первые дни уменьшить отёк помогут холодные компрессы; массируйте обработанную "
            "зону, только если это рекомендовал врач, и несколько дней не посещайте сауну и "
            "избегайте интенсивных нагрузок."
        ),
    ),
    _procedure(
        slug="microneedling",
        category="collagen_induction",
        room_kind="treatment",
        roles="derm cosm",
        booked_minutes=60,
        buffer_minutes=10,
        price_from="9000",
        indicated="rolling boxcar_shallow boxcar_deep",
        sessions=(3, 6),
        interval=(28, 42),
        absolute=(
            "G-ABS ROSACEA KELOID_TENDENCY BLEEDING_DISORDER PREGNANCY LACTATION "
            "PRECARE_TOPICAL_RETINOID"
        ),
        relative="G-REL ANTICOAGULANTS ISOTRETINOIN_LT6M ALLERGY_LIDOCAINE HERPES_HISTORY",
        retinoid_window_days=7,
        name_en="Microneedling (mechanical)",
        name_ru="Микронидлинг (механический)",
        description_en=(
            "A device with very fine needles makes thousands of tiny punctures in the skin. The "
            "skin answers by producing new collagen and elastin, which gradually lifts rolling "
            "and boxcar scars, shallow and deep. A course is 3 to 6 sessions 4 to 6 weeks apart."
        ),
        description_ru=(
            "Аппарат с тончайшими иглами делает в коже тысячи микропроколов. В ответ кожа "
            "вырабатывает новый коллаген и эластин, которые постепенно выравнивают округлые и "
            "прямоугольные рубцы, как неглубокие, так и глубокие. Курс — 3–6 процедур с "
            "интервалом 4–6 недель."
        ),
        downtime_en="Redness for 2-3 days.",
        downtime_ru="Покраснение в течение 2–3 дней.",
        precare_en=f"{_retinoid_en(7)} {_COLD_SORES_EN}",
        precare_ru=f"{_retinoid_ru(7)} {_COLD_SORES_RU}",
        aftercare_en=_NEEDLING_AFTERCARE_EN,
        aftercare_ru=_NEEDLING_AFTERCARE_RU,
    ),
    _procedure(
        slug="rf-microneedling",
        category="collagen_induction",
        room_kind="treatment",
        roles="derm",
        booked_minutes=60,
        buffer_minutes=10,
        price_from="14000",
        indicated="rolling boxcar_shallow boxcar_deep",
        sessions=(3, 4),
        interval=(28, 42),
        absolute=(
            "G-ABS ROSACEA KELOID_TENDENCY BLEEDING_DISORDER PREGNANCY LACTATION "
            "PRECARE_TOPICAL_RETINOID PACEMAKER METAL_IMPLANTS_FACE"
        ),
        relative="G-REL ANTICOAGULANTS ISOTRETINOIN_LT6M ALLERGY_LIDOCAINE HERPES_HISTORY",
        retinoid_window_days=7,
        name_en="Radio-frequency microneedling",
        name_ru="Радиочастотный (RF) микронидлинг",
        description_en=(
            "Fine insulated needles enter the skin and release radio-frequency heat at their "
            "tips, deep in the dermis. The heat tightens the tissue and starts a strong "
            "production of new collagen, which lifts rolling and boxcar scars, shallow and "
            "deep, with little damage to the surface. A course is 3 to 4 sessions 4 to 6 weeks "
            "apart."
        ),
        description_ru=(
            "Тонкие изолированные иглы проникают в кожу и через кончики передают "
            "радиочастотную энергию глубоко в дерму. Нагрев уплотняет ткани и запускает "
            "активную выработку нового коллагена, который приподнимает округлые и "
            "прямоугольные рубцы, как неглубокие, так и глубокие, почти не повреждая "
            "поверхность кожи. Курс — 3–4 процедуры с интервалом 4–6 недель."
        ),
        downtime_en="Redness and slight swelling for 2-3 days.",
        downtime_ru="Покраснение и небольшой отёк в течение 2–3 дней.",
        precare_en=(
            f"{_retinoid_en(7)} {_COLD_SORES_EN} Tell us about a pacemaker or any electronic "
            "or metal implant: the device is not used with them."
        ),
        precare_ru=(
            f"{_retinoid_ru(7)} {_COLD_SORES_RU} Сообщите нам о кардиостимуляторе и любых "
            "электронных или металлических имплантатах: с ними аппарат не применяют."
        ),
        aftercare_en=_NEEDLING_AFTERCARE_EN,
        aftercare_ru=_NEEDLING_AFTERCARE_RU,
    ),
    _procedure(
        slug="mesotherapy",
        category="injection",
        room_kind="treatment",
        roles="derm cosm",
        booked_minutes=45,
        buffer_minutes=10,
        price_from="6000",
        indicated="rolling boxcar_shallow macular",
        sessions=(2, 8),
        interval=(14, 21),
        absolute="G-ABS PREGNANCY BLEEDING_DISORDER",
        relative="G-REL ANTICOAGULANTS ROSACEA AUTOIMMUNE_ACTIVE",
        name_en="Mesotherapy",
        name_ru="Мезотерапия",
        description_en=(
            "Small amounts of active substances, such as hyaluronic acid, vitamins and amino "
            "acids, are injected into the skin with fine needles, or delivered without "
            "injections by ultrasound. This nourishes the skin, improves its blood supply and "
            "evens out rolling and shallow boxcar scars and post-acne marks. The doctor asks "
            "about your health in detail first."
        ),
        description_ru=(
            "Небольшие количества активных веществ — гиалуроновой кислоты, витаминов, "
            "аминокислот — вводят в кожу тонкими иглами или доставляют без инъекций с помощью "
            "ультразвука. Это питает кожу, улучшает её кровоснабжение и выравнивает округлые и "
            "неглубокие прямоугольные рубцы и пятна постакне. Перед процедурой врач подробно "
            "расспрашивает о состоянии здоровья."
        ),
        downtime_en=(
            "Swelling and small bumps at the injection sites; sometimes the swelling or "
            "irritation lasts longer."
        ),
        downtime_ru=(
            "Отёк и небольшие папулы в местах инъекций; иногда отёк или раздражение "
            "сохраняются дольше."
        ),
        precare_en=(
            "Tell the doctor about blood thinners and every medicine you take, and come "
            "without make-up."
        ),
        precare_ru=(
            "Сообщите врачу о приёме препаратов, разжижающих кровь, и обо всех лекарствах, "
            "которые принимаете; приходите без макияжа."
        ),
        aftercare_en=(
            "Do not wear make-up for 12 hours; avoid sauna, steam room, solarium and hard "
            "exercise for 2 days."
        ),
        aftercare_ru=(
            "12 часов не наносите макияж; 2 дня не посещайте сауну, баню и солярий и избегайте "
            "интенсивных физических нагрузок."
        ),
    ),
    _procedure(
        slug="ozone-therapy",
        category="injection",
        room_kind="treatment",
        roles="derm",
        booked_minutes=30,
        buffer_minutes=10,
        price_from="3500",
        indicated="rolling boxcar_shallow macular",
        sessions=(2, 8),
        interval=(14, 21),
        absolute=(
            "HERPES_ACTIVE SKIN_DISEASE_ACTIVE WOUND BURN_FROSTBITE REPEAT_TOO_SOON DIABETES "
            "ENDOCRINE_OTHER CARDIOVASCULAR ONCOLOGY MENTAL_ILLNESS MENSTRUATION G6PD_DEFICIENCY "
            "PREGNANCY BLEEDING_DISORDER"
        ),
        relative=(
            "INFLAMMATION_ACTIVE AGE_UNDER_18 SCAR_TYPE_NOT_INDICATED COURSE_GAP_EXCEEDED "
            "COURSE_LIMIT_REACHED ANTICOAGULANTS LACTATION ROSACEA"
        ),
        name_en="Ozone therapy",
        name_ru="Озонотерапия",
        description_en=(
            "An oxygen-ozone mixture is injected into the skin with fine needles. Ozone "
            "improves the blood and oxygen supply, calms inflammation and speeds up healing, "
            "so it is also used to finish treating acne before scar work. It softens rolling "
            "and shallow boxcar scars and post-acne marks; a course is 2 to 8 sessions every 2 "
            "to 3 weeks."
        ),
        description_ru=(
            "Кислородно-озоновую смесь вводят в кожу тонкими иглами. Озон улучшает "
            "кровоснабжение и насыщение тканей кислородом, снимает воспаление и ускоряет "
            "заживление, поэтому его применяют и для завершения лечения акне перед коррекцией "
            "рубцов. Процедура смягчает округлые и неглубокие прямоугольные рубцы и пятна "
            "постакне; курс — 2–8 процедур с интервалом 2–3 недели."
        ),
        downtime_en="None; small marks at the injection points fade within hours.",
        downtime_ru="Нет; небольшие следы в местах уколов проходят в течение нескольких часов.",
        precare_en=(
            "Tell us if you expect your period on the procedure day: ozone therapy is not done "
            "during menstruation, so we will choose another day."
        ),
        precare_ru=(
            "Сообщите нам, если на день процедуры приходятся месячные: во время менструации "
            "озонотерапию не проводят, и мы подберём другой день."
        ),
        aftercare_en="Do not visit the sauna, steam room or solarium during the whole course.",
        aftercare_ru="На протяжении всего курса не посещайте сауну, баню (парную) и солярий.",
    ),
    _procedure(
        slug="phototherapy",
        category="light",
        room_kind="laser",
        roles="derm cosm",
        booked_minutes=30,
        buffer_minutes=10,
        price_from="4000",
        indicated="all",
        sessions=(2, 8),
        interval=(14, 21),
        absolute=(
            "HERPES_ACTIVE SKIN_DISEASE_ACTIVE WOUND BURN_FROSTBITE REPEAT_TOO_SOON "
            "PHOTOSENSITISING_DRUGS"
        ),
        relative=(
            "DIABETES ONCOLOGY AGE_UNDER_18 COURSE_GAP_EXCEEDED COURSE_LIMIT_REACHED FITZ_IV_VI "
            "RECENT_TAN PREGNANCY ROSACEA"
        ),
        name_en="Phototherapy (light / IPL)",
        name_ru="Фототерапия (светотерапия / IPL)",
        description_en=(
            "Light of selected wavelengths, including intense pulsed light (IPL), is directed "
            "at the skin. It clears infected inflammation and calms active acne, so it is "
            "often done before laser or mechanical scar treatment; it also fades red and brown "
            "post-acne marks. It suits every scar type."
        ),
        description_ru=(
            "На кожу воздействуют светом определённой длины волны, в том числе интенсивным "
            "импульсным светом (IPL). Свет устраняет инфицированное воспаление и успокаивает "
            "активное акне, поэтому фототерапию часто проводят перед лазерной или механической "
            "коррекцией рубцов; кроме того, она осветляет красные и коричневые пятна постакне. "
            "Подходит при рубцах любого типа."
        ),
        downtime_en="None; slight redness for a few hours.",
        downtime_ru="Нет; лёгкое покраснение в течение нескольких часов.",
        precare_en=(
            f"{_NO_TAN_EN} Tell the doctor about medicines that make skin sensitive to light "
            "(doxycycline, tetracyclines, St John's wort)."
        ),
        precare_ru=(
            f"{_NO_TAN_RU} Сообщите врачу о приёме препаратов, повышающих чувствительность "
            "кожи к свету (доксициклин, тетрациклины, зверобой)."
        ),
        aftercare_en="Use SPF 30+ sunscreen and avoid sun and solarium during the course.",
        aftercare_ru=(
            "Во время курса пользуйтесь солнцезащитным средством SPF 30+, не загорайте и не "
            "посещайте солярий."
        ),
    ),
    _procedure(
        slug="vacuum-cleaning",
        category="hardware",
        room_kind="treatment",
        roles="cosm derm",
        booked_minutes=45,
        buffer_minutes=10,
        price_from="3500",
        indicated="rolling boxcar_shallow",
        sessions=(2, 8),
        interval=(14, 21),
        absolute="G-ABS ROSACEA",
        relative="G-REL",
        name_en="Vacuum cleaning",
        name_ru="Вакуумная чистка лица",
        description_en=(
            "A device with gentle suction draws dirt and excess sebum out of the pores and "
            "small pits. It boosts blood and lymph flow, evens out skin colour and texture and "
            "helps prevent new spots. It suits small rolling and shallow boxcar scars."
        ),
        description_ru=(
            "Аппарат с мягким вакуумным воздействием извлекает загрязнения и излишки кожного "
            "сала из пор и мелких ямок. Процедура усиливает крово- и лимфообращение, "
            "выравнивает цвет и рельеф кожи и помогает предотвратить новые высыпания. "
            "Подходит при небольших округлых и неглубоких прямоугольных рубцах."
        ),
        downtime_en="None; slight redness for an hour or two.",
        downtime_ru="Нет; лёгкое покраснение в течение 1–2 часов.",
        precare_en="Come without make-up.",
        precare_ru="Приходите без макияжа.",
        aftercare_en="Do not wear make-up or touch your face for 12 hours.",
        aftercare_ru="12 часов не наносите макияж и не трогайте лицо руками.",
    ),
    _procedure(
        slug="microcurrent",
        category="hardware",
        room_kind="treatment",
        roles="cosm derm",
        booked_minutes=45,
        buffer_minutes=10,
        price_from="4000",
        indicated="rolling boxcar_shallow",
        sessions=(2, 8),
        interval=(14, 21),
        absolute="G-ABS PACEMAKER PREGNANCY EPILEPSY ONCOLOGY",
        relative="G-REL CARDIOVASCULAR METAL_IMPLANTS_FACE ROSACEA",
        name_en="Microcurrent therapy",
        name_ru="Микротоковая терапия",
        description_en=(
            "A weak pulsed electric current is applied to the skin through electrodes. It acts "
            "on cell membranes, speeds up renewal and metabolism and makes the skin more "
            "elastic, which softens rolling and shallow boxcar scars. The procedure is "
            "painless."
        ),
        description_ru=(
            "На кожу через электроды подают слабый импульсный электрический ток. Он "
            "воздействует на клеточные мембраны, ускоряет обновление клеток и обмен веществ и "
            "делает кожу более упругой, благодаря чему округлые и неглубокие прямоугольные "
            "рубцы смягчаются. Процедура безболезненна."
        ),
        downtime_en="None.",
        downtime_ru="Нет.",
        precare_en=(
            "Tell us about a pacemaker, other implanted devices or metal implants in the face: "
            "the current can affect them."
        ),
        precare_ru=(
            "Сообщите нам о кардиостимуляторе, других имплантированных устройствах или "
            "металлических имплантатах в области лица: ток может на них воздействовать."
        ),
        aftercare_en="No special care is needed; keep to your usual skin care.",
        aftercare_ru="Особого ухода не требуется; продолжайте привычный уход за кожей.",
    ),
    _procedure(
        slug="ultrasonic-peeling",
        category="hardware",
        room_kind="treatment",
        roles="cosm derm",
        booked_minutes=45,
        buffer_minutes=10,
        price_from="3500",
        indicated="rolling boxcar_shallow macular",
        sessions=(2, 8),
        interval=(14, 21),
        absolute="G-ABS ROSACEA",
        relative="G-REL PACEMAKER PREGNANCY",
        name_en="Ultrasonic peeling",
        name_ru="Ультразвуковой пилинг",
        description_en=(
            "Ultrasound vibrations gently lift dead cells and impurities from the surface of "
            "the skin. The procedure is painless and smooths rolling and shallow boxcar scars "
            "and post-acne marks. Any redness or swelling lasts no more than 2 hours."
        ),
        description_ru=(
            "Ультразвуковые колебания бережно отделяют отмершие клетки и загрязнения с "
            "поверхности кожи. Процедура безболезненна, она сглаживает округлые и неглубокие "
            "прямоугольные рубцы и пятна постакне. Покраснение или отёк, если появляются, "
            "проходят не более чем за 2 часа."
        ),
        downtime_en="Up to 2 hours of slight redness.",
        downtime_ru="До 2 часов лёгкого покраснения.",
        precare_en=(
            "Come without make-up, and tell us about a pacemaker or other implanted device."
        ),
        precare_ru=(
            "Приходите без макияжа и сообщите нам о кардиостимуляторе или другом "
            "имплантированном устройстве."
        ),
        aftercare_en="Use a moisturiser and SPF 30+ sunscreen for a few days.",
        aftercare_ru=(
            "Несколько дней пользуйтесь увлажняющим кремом и солнцезащитным средством SPF 30+."
        ),
    ),
    _procedure(
        slug="oxygen-injections",
        category="injection",
        room_kind="treatment",
        roles="derm",
        booked_minutes=30,
        buffer_minutes=10,
        price_from="5000",
        indicated="rolling boxcar_shallow icepick macular",
        sessions=(2, 8),
        interval=(14, 21),
        absolute="G-ABS PREGNANCY BLEEDING_DISORDER",
        relative="G-REL ANTICOAGULANTS ROSACEA",
        name_en="Oxygen injections",
        name_ru="Кислородные инъекции",
        description_en=(
            "Medical oxygen is introduced under the upper layers of the skin with a fine "
            "needle. Oxygen speeds up the skin's natural healing and renewal. It is used for "
            "small pits, small icepick scars included, and for pigment marks."
        ),
        description_ru=(
            "Медицинский кислород вводят под верхние слои кожи тонкой иглой. Кислород "
            "ускоряет естественное заживление и обновление кожи. Метод применяют при мелких "
            "ямках, в том числе небольших выколотых рубцах, и при пигментных пятнах."
        ),
        downtime_en="None; slight swelling at the injection points for a few hours.",
        downtime_ru="Нет; небольшой отёк в местах уколов в течение нескольких часов.",
        precare_en="Tell the doctor about blood thinners; " + _THINNERS_EN,
        precare_ru="Сообщите врачу о приёме препаратов, разжижающих кровь; " + _THINNERS_RU,
        aftercare_en="Avoid sauna, steam room and make-up for 24 hours.",
        aftercare_ru="В течение 24 часов не посещайте сауну и баню и не наносите макияж.",
    ),
    _procedure(
        slug="cryo-massage",
        category="cryo",
        room_kind="treatment",
        roles="cosm derm",
        booked_minutes=30,
        buffer_minutes=10,
        price_from="3500",
        indicated="rolling boxcar_shallow macular",
        sessions=(2, 8),
        interval=(14, 21),
        absolute="G-ABS ROSACEA DRY_SKIN COLD_INTOLERANCE",
        relative="G-REL COMBINATION_SKIN FITZ_IV_VI",
        name_en="Cryo-massage with liquid nitrogen",
        name_ru="Криомассаж жидким азотом",
        description_en=(
            "The specialist massages the face with a cotton applicator dipped in liquid "
            "nitrogen. The cold first narrows and then widens the blood vessels, which improves "
            "circulation and evens out skin texture and marks. It is not done on dry skin, "
            "needs an examination first and must never be done at home."
        ),
        description_ru=(
            "Специалист массирует лицо ватным аппликатором, смоченным в жидком азоте. Холод "
            "сначала сужает, а затем расширяет сосуды, что улучшает кровообращение и "
            "выравнивает рельеф кожи и пятна. Процедуру не проводят при сухой коже, перед ней "
            "обязателен осмотр, а выполнять её в домашних условиях нельзя."
        ),
        downtime_en="None; the skin stays pink for an hour or so.",
        downtime_ru="Нет; кожа остаётся розовой около часа.",
        precare_en=(
            "The specialist examines your skin first: tell us about cold intolerance (cold "
            "urticaria, Raynaud's) and about dry skin."
        ),
        precare_ru=(
            "Сначала специалист осматривает кожу: сообщите нам о непереносимости холода "
            "(холодовая крапивница, синдром Рейно) и о сухости кожи."
        ),
        aftercare_en="Stay out of frost and wind for 2 hours after and use a moisturiser.",
        aftercare_ru=(
            "В течение 2 часов после процедуры не выходите на мороз и ветер; пользуйтесь "
            "увлажняющим кремом."
        ),
    ),
)

CATALOGUE_BY_SLUG: Final[dict[str, CatalogueEntry]] = {entry.slug: entry for entry in CATALOGUE}

CATEGORIES: Final[tuple[Category, ...]] = (
    Category(slug="consultation", name_en="Consultation", name_ru="Консультация"),
    Category(slug="laser", name_en="Laser treatments", name_ru="Лазерные процедуры"),
    Category(slug="resurfacing", name_en="Skin resurfacing", name_ru="Шлифовка кожи"),
    Category(slug="peel", name_en="Chemical peels", name_ru="Химические пилинги"),
    Category(slug="filler", name_en="Fillers", name_ru="Заполнение рубцов (филлеры)"),
    Category(slug="surgery", name_en="Surgical methods", name_ru="Хирургические методы"),
    Category(
        slug="collagen_induction",
        name_en="Collagen induction",
        name_ru="Стимуляция выработки коллагена",
    ),
    Category(slug="injection", name_en="Injection therapies", name_ru="Инъекционные методики"),
    Category(slug="light", name_en="Light therapy", name_ru="Светотерапия"),
    Category(slug="hardware", name_en="Hardware cosmetology", name_ru="Аппаратная косметология"),
    Category(slug="cryo", name_en="Cryotherapy", name_ru="Криотерапия"),
)

SCAR_TYPE_INFO: Final[tuple[ScarTypeInfo, ...]] = (
    ScarTypeInfo(
        value="icepick",
        name_en="Icepick scars",
        name_ru="Выколотые (V-образные) рубцы",
        description_en=(
            "Narrow (under 2 mm), deep, cone-shaped pits whose walls meet at the bottom. "
            "The hardest type to treat."
        ),
        description_ru=(
            "Узкие (менее 2 мм) глубокие конусообразные углубления, стенки которых сходятся ко "
            "дну. Хуже всего поддаются лечению."
        ),
    ),
    ScarTypeInfo(
        value="rolling",
        name_en="Rolling scars",
        name_ru="Округлые (волнообразные) рубцы",
        description_en=(
            "Wide (over 4-5 mm), wave-like dips with smooth edges: bands of tissue under the "
            "skin tether it down."
        ),
        description_ru=(
            "Широкие (более 4–5 мм) волнообразные углубления с плавными краями: кожу стягивают "
            "вниз фиброзные тяжи под ней."
        ),
    ),
    ScarTypeInfo(
        value="boxcar_shallow",
        name_en="Shallow boxcar scars",
        name_ru="Неглубокие прямоугольные рубцы",
        description_en="Pits with straight, steep edges, 1.5-4 mm across and 0.1-0.5 mm deep.",
        description_ru=(
            "Углубления с ровными отвесными краями диаметром 1,5–4 мм и глубиной 0,1–0,5 мм."
        ),
    ),
    ScarTypeInfo(
        value="boxcar_deep",
        name_en="Deep boxcar scars",
        name_ru="Глубокие прямоугольные рубцы",
        description_en=(
            "Pits with straight, steep edges like shallow boxcar scars, but 0.5 mm deep or more."
        ),
        description_ru=(
            "Углубления с ровными отвесными краями, как неглубокие прямоугольные рубцы, но "
            "глубиной 0,5 мм и более."
        ),
    ),
    ScarTypeInfo(
        value="hypertrophic",
        name_en="Hypertrophic scars",
        name_ru="Гипертрофические рубцы",
        description_en=(
            "Raised, dense nodules of excess connective tissue that stay within the original spot."
        ),
        description_ru=(
            "Выпуклые плотные узелки из избыточной соединительной ткани, не выходящие за "
            "границы бывшего воспаления."
        ),
    ),
    ScarTypeInfo(
        value="keloid",
        name_en="Keloid scars",
        name_ru="Келоидные рубцы",
        description_en=(
            "Raised scars that keep growing beyond the original wound; plastic surgeons treat them."
        ),
        description_ru=(
            "Выпуклые рубцы, которые разрастаются за пределы исходной раны; их лечат "
            "пластические хирурги."
        ),
    ),
    ScarTypeInfo(
        value="macular",
        name_en="Post-acne marks",
        name_ru="Пигментные пятна постакне",
        description_en=(
            "Flat red, white or brown marks: a change of colour, not of contour. They often "
            "fade by themselves over time."
        ),
        description_ru=(
            "Плоские красные, белые или коричневые пятна: меняется цвет кожи, а не её рельеф. "
            "Со временем они часто светлеют сами."
        ),
    ),
)
