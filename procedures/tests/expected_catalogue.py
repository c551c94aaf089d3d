"""The catalogue of `catalogue.md` and `rules-v2.md`, expanded by hand for the tests.

Written from the domain documents, not imported from `catalogue_data`, so a
data mistake there shows up as a test failure. G-ABS / G-REL are expanded here
independently; codes that can never fire for a procedure are left out as the
catalogue module documents (REPEAT_TOO_SOON without a minimum interval,
COURSE_GAP_EXCEEDED without a maximum interval, COURSE_LIMIT_REACHED without a
session limit: repeatable treatments and "1+" have none).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ALL_SCARS = frozenset(
    {"icepick", "rolling", "boxcar_shallow", "boxcar_deep", "hypertrophic", "keloid", "macular"}
)
SKIN_NOW = frozenset(
    {"INFLAMMATION_ACTIVE", "HERPES_ACTIVE", "SKIN_DISEASE_ACTIVE", "WOUND", "BURN_FROSTBITE"}
)
GABS = SKIN_NOW | {"REPEAT_TOO_SOON"}
GREL_NO_HISTORY = frozenset({"DIABETES", "ONCOLOGY", "AGE_UNDER_18", "SCAR_TYPE_NOT_INDICATED"})
GREL = GREL_NO_HISTORY | {"COURSE_GAP_EXCEEDED", "COURSE_LIMIT_REACHED"}
GREL_LIMIT_ONLY = GREL_NO_HISTORY | {"COURSE_LIMIT_REACHED"}


@dataclass(frozen=True)
class Expected:
    slug: str
    category: str
    room_kind: str
    roles: tuple[str, ...]
    minutes: int
    buffer: int
    price: Decimal
    scars: frozenset[str]
    sessions: tuple[int | None, int | None]
    interval: tuple[int | None, int | None]
    repeatable: bool
    recall: int | None
    window: int | None
    absolute: frozenset[str]
    relative: frozenset[str]

    @property
    def session_limit(self) -> int | None:
        return None if self.repeatable else self.sessions[1]


def _e(
    slug: str,
    category: str,
    room: str,
    roles: str,
    minutes: int,
    buffer: int,
    price: int,
    scars: str,
    sessions: tuple[int | None, int | None],
    interval: tuple[int | None, int | None],
    absolute: frozenset[str] | set[str],
    relative: frozenset[str] | set[str],
    *,
    window: int | None = None,
    repeatable: bool = False,
    recall: int | None = None,
) -> Expected:
    return Expected(
        slug=slug,
        category=category,
        room_kind=room,
        roles=tuple(roles.split()),
        minutes=minutes,
        buffer=buffer,
        price=Decimal(price),
        scars=ALL_SCARS if scars == "all" else frozenset(scars.split()),
        sessions=sessions,
        interval=interval,
        repeatable=repeatable,
        recall=recall,
        window=window,
        absolute=frozenset(absolute),
        relative=frozenset(relative),
    )


P = "PREGNANCY"
PP = "PREGNANCY_POSSIBLE"

# fmt: off
EXPECTED: tuple[Expected, ...] = (
    _e("consultation", "consultation", "consult", "derm cosm", 30, 0, 2000, "all",
       (None, None), (None, None), set(), set()),
    _e("laser-resurfacing", "laser", "laser", "derm", 90, 15, 25000,
       "rolling boxcar_shallow boxcar_deep hypertrophic", (1, 5), (90, None),
       GABS | {"ROSACEA", "ISOTRETINOIN_LT6M", P, "PRECARE_TOPICAL_RETINOID"},
       GREL_LIMIT_ONLY | {"KELOID_TENDENCY", "FITZ_IV_VI", "PIH_HISTORY", "RECENT_TAN",
                          "PHOTOSENSITISING_DRUGS", "HERPES_HISTORY", "ANTICOAGULANTS",
                          "AUTOIMMUNE_ACTIVE", PP},
       window=14),
    _e("fractional-laser", "laser", "laser", "derm", 60, 15, 15000,
       "rolling boxcar_shallow boxcar_deep", (3, 5), (28, 90),
       GABS | {"ROSACEA", P, "PRECARE_TOPICAL_RETINOID"},
       GREL | {"ISOTRETINOIN_LT6M", "KELOID_TENDENCY", "FITZ_IV_VI", "PIH_HISTORY", "RECENT_TAN",
               "PHOTOSENSITISING_DRUGS", "HERPES_HISTORY", "ANTICOAGULANTS", PP},
       window=14),
    _e("dermabrasion", "resurfacing", "surgery", "derm surg", 90, 15, 20000,
       "rolling boxcar_shallow", (1, 1), (None, None),
       SKIN_NOW | {"ROSACEA", "ISOTRETINOIN_LT6M", "KELOID_TENDENCY", "PRECARE_TOPICAL_RETINOID"},
       GREL_LIMIT_ONLY | {"ISOTRETINOIN_6_12M", "FITZ_V_VI", "PIH_HISTORY", "HERPES_HISTORY",
                          "ANTICOAGULANTS", "ALLERGY_LIDOCAINE", "RECENT_FACIAL_SURGERY", P, PP},
       window=7),
    # rules-v2.md section 5: isotretinoin < 6 months is relative.
    _e("microdermabrasion", "resurfacing", "treatment", "derm cosm", 40, 10, 4500,
       "rolling boxcar_shallow macular", (7, 10), (14, 21),
       GABS | {"ROSACEA", "PRECARE_TOPICAL_RETINOID"},
       GREL | {"ISOTRETINOIN_LT6M", "HERPES_HISTORY", "ANTICOAGULANTS", "AUTOIMMUNE_ACTIVE",
               "RECENT_TAN", P, PP},
       window=14),
    _e("glycolic-peel", "peel", "treatment", "derm cosm", 45, 10, 3500,
       "rolling boxcar_shallow macular", (2, 8), (14, 21),
       GABS | {"ROSACEA", "PRECARE_TOPICAL_RETINOID"},
       GREL | {"ISOTRETINOIN_LT6M", "FITZ_V_VI", "HERPES_HISTORY", "PHOTOSENSITISING_DRUGS",
               "RECENT_TAN", "KELOID_TENDENCY", "PIH_HISTORY", P, PP},
       window=2),
    # rules-v2.md section 5: pregnancy absolute, breastfeeding relative (glycolic unchanged).
    _e("salicylic-peel", "peel", "treatment", "derm cosm", 45, 10, 3500,
       "rolling boxcar_shallow macular", (2, 8), (14, 21),
       GABS | {"ROSACEA", "PRECARE_TOPICAL_RETINOID", P},
       GREL | {"ISOTRETINOIN_LT6M", "FITZ_V_VI", "HERPES_HISTORY", "PHOTOSENSITISING_DRUGS",
               "RECENT_TAN", "KELOID_TENDENCY", "PIH_HISTORY", "LACTATION", PP},
       window=2),
    _e("tca-peel", "peel", "treatment", "derm", 60, 10, 9000,
       "rolling boxcar_shallow macular", (1, 3), (90, None),
       GABS | {"ROSACEA", "ISOTRETINOIN_LT6M", "PRECARE_TOPICAL_RETINOID"},
       GREL_LIMIT_ONLY | {"ISOTRETINOIN_6_12M", "FITZ_IV_VI", "PIH_HISTORY", "HERPES_HISTORY",
                          "KELOID_TENDENCY", "PHOTOSENSITISING_DRUGS", "RECENT_TAN", P, PP},
       window=7),
    _e("phenol-peel", "peel", "surgery", "derm", 120, 15, 45000,
       "rolling boxcar_shallow boxcar_deep", (1, 1), (None, None),
       SKIN_NOW | {"ROSACEA", "CARDIOVASCULAR", "HEPATIC_RENAL", "FITZ_IV_VI",
                   "ISOTRETINOIN_LT6M", "ISOTRETINOIN_6_12M", "KELOID_TENDENCY", P,
                   "LACTATION", "PRECARE_TOPICAL_RETINOID"},
       GREL_LIMIT_ONLY | {"HERPES_HISTORY", "RECENT_FACIAL_SURGERY", "MENTAL_ILLNESS",
                          "PHOTOSENSITISING_DRUGS", PP},
       window=7),
    _e("tca-cross", "peel", "treatment", "derm", 30, 10, 6000,
       "icepick boxcar_shallow boxcar_deep", (3, 6), (14, 56),
       GABS | {"ROSACEA", "PRECARE_TOPICAL_RETINOID"},
       GREL | {"ISOTRETINOIN_LT6M", "PIH_HISTORY", "HERPES_HISTORY", "KELOID_TENDENCY", P, PP},
       window=7),
    _e("collagen-injection", "filler", "treatment", "derm", 45, 10, 18000,
       "rolling boxcar_shallow", (None, None), (None, None),
       SKIN_NOW | {"ALLERGY_BOVINE_COLLAGEN", "ALLERGY_LIDOCAINE", "AUTOIMMUNE_ACTIVE",
                   "AUTOIMMUNE_STABLE", "BLEEDING_DISORDER", P, "LACTATION",
                   "PRECARE_COLLAGEN_SKIN_TEST"},
       GREL_NO_HISTORY | {"ANTICOAGULANTS", "ROSACEA", "KELOID_TENDENCY", PP},
       repeatable=True),
    _e("hyaluronic-filler", "filler", "treatment", "derm", 45, 10, 22000,
       "rolling boxcar_shallow", (1, 1), (182, None),
       GABS | {"AGE_UNDER_18", P, "LACTATION", "ALLERGY_HYALURONIC", "ALLERGY_LIDOCAINE",
               "AUTOIMMUNE_ACTIVE", "BLEEDING_DISORDER"},
       {"DIABETES", "ONCOLOGY", "SCAR_TYPE_NOT_INDICATED", "ANTICOAGULANTS",
        "AUTOIMMUNE_STABLE", "KELOID_TENDENCY", "HERPES_HISTORY", "ROSACEA", PP},
       repeatable=True, recall=182),
    # rules-v2.md section 4: as the filler, its own 182 days, no session limit.
    _e("hyaluronic-filler-touch-up", "filler", "treatment", "derm", 30, 10, 3500,
       "rolling boxcar_shallow", (1, 1), (182, None),
       GABS | {"AGE_UNDER_18", P, "LACTATION", "ALLERGY_HYALURONIC", "ALLERGY_LIDOCAINE",
               "AUTOIMMUNE_ACTIVE", "BLEEDING_DISORDER"},
       {"DIABETES", "ONCOLOGY", "SCAR_TYPE_NOT_INDICATED", "ANTICOAGULANTS",
        "AUTOIMMUNE_STABLE", "KELOID_TENDENCY", "HERPES_HISTORY", "ROSACEA", PP},
       repeatable=True),
    _e("fat-transfer", "filler", "surgery", "surg", 150, 15, 60000,
       "rolling boxcar_shallow", (1, 1), (None, None),
       SKIN_NOW | {P, "BLEEDING_DISORDER"},
       GREL_NO_HISTORY | {"ANTICOAGULANTS", "ALLERGY_LIDOCAINE", "AUTOIMMUNE_ACTIVE",
                          "AUTOIMMUNE_STABLE", "KELOID_TENDENCY", "ROSACEA", PP},
       repeatable=True, recall=547),
    _e("punch-excision", "surgery", "surgery", "surg derm", 60, 15, 8000,
       "icepick boxcar_deep", (1, None), (28, None),
       GABS | {"BLEEDING_DISORDER"},
       GREL_NO_HISTORY | {"ANTICOAGULANTS", "ALLERGY_LIDOCAINE", "KELOID_TENDENCY",
                          "ISOTRETINOIN_LT6M", P, "ROSACEA", PP}),
    # rules-v2.md section 5: isotretinoin < 6 months relative, 6 to 12 months dropped.
    _e("subcision", "surgery", "surgery", "surg derm", 45, 15, 12000,
       "rolling", (3, 6), (28, 42),
       GABS | {"KELOID_TENDENCY", "BLEEDING_DISORDER"},
       GREL | {"ANTICOAGULANTS", "ALLERGY_LIDOCAINE", "ISOTRETINOIN_LT6M", P, "ROSACEA", PP}),
    _e("microneedling", "collagen_induction", "treatment", "derm cosm", 60, 10, 9000,
       "rolling boxcar_shallow boxcar_deep", (3, 6), (28, 42),
       GABS | {"ROSACEA", "KELOID_TENDENCY", "BLEEDING_DISORDER", P, "LACTATION",
               "PRECARE_TOPICAL_RETINOID"},
       GREL | {"ANTICOAGULANTS", "ISOTRETINOIN_LT6M", "ALLERGY_LIDOCAINE", "HERPES_HISTORY", PP},
       window=7),
    # rules-v2.md section 4: as microneedling, plus PACEMAKER and METAL_IMPLANTS_FACE.
    _e("rf-microneedling", "collagen_induction", "treatment", "derm", 60, 10, 14000,
       "rolling boxcar_shallow boxcar_deep", (3, 4), (28, 42),
       GABS | {"ROSACEA", "KELOID_TENDENCY", "BLEEDING_DISORDER", P, "LACTATION",
               "PRECARE_TOPICAL_RETINOID", "PACEMAKER", "METAL_IMPLANTS_FACE"},
       GREL | {"ANTICOAGULANTS", "ISOTRETINOIN_LT6M", "ALLERGY_LIDOCAINE", "HERPES_HISTORY", PP},
       window=7),
    _e("mesotherapy", "injection", "treatment", "derm cosm", 45, 10, 6000,
       "rolling boxcar_shallow macular", (2, 8), (14, 21),
       GABS | {P, "BLEEDING_DISORDER"},
       GREL | {"ANTICOAGULANTS", "ROSACEA", "AUTOIMMUNE_ACTIVE", PP}),
    _e("ozone-therapy", "injection", "treatment", "derm", 30, 10, 3500,
       "rolling boxcar_shallow macular", (2, 8), (14, 21),
       {"HERPES_ACTIVE", "SKIN_DISEASE_ACTIVE", "WOUND", "BURN_FROSTBITE", "REPEAT_TOO_SOON",
        "DIABETES", "ENDOCRINE_OTHER", "CARDIOVASCULAR", "ONCOLOGY", "MENTAL_ILLNESS",
        "MENSTRUATION", "G6PD_DEFICIENCY", P, "BLEEDING_DISORDER"},
       {"INFLAMMATION_ACTIVE", "AGE_UNDER_18", "SCAR_TYPE_NOT_INDICATED", "COURSE_GAP_EXCEEDED",
        "COURSE_LIMIT_REACHED", "ANTICOAGULANTS", "LACTATION", "ROSACEA", PP}),
    _e("phototherapy", "light", "laser", "derm cosm", 30, 10, 4000, "all", (2, 8), (14, 21),
       {"HERPES_ACTIVE", "SKIN_DISEASE_ACTIVE", "WOUND", "BURN_FROSTBITE", "REPEAT_TOO_SOON",
        "PHOTOSENSITISING_DRUGS"},
       {"DIABETES", "ONCOLOGY", "AGE_UNDER_18", "COURSE_GAP_EXCEEDED", "COURSE_LIMIT_REACHED",
        "FITZ_IV_VI", "RECENT_TAN", P, "ROSACEA", PP}),
    _e("vacuum-cleaning", "hardware", "treatment", "cosm derm", 45, 10, 3500,
       "rolling boxcar_shallow", (2, 8), (14, 21),
       GABS | {"ROSACEA"}, GREL),
    _e("microcurrent", "hardware", "treatment", "cosm derm", 45, 10, 4000,
       "rolling boxcar_shallow", (2, 8), (14, 21),
       GABS | {"PACEMAKER", P, "EPILEPSY", "ONCOLOGY"},
       (GREL - {"ONCOLOGY"}) | {"CARDIOVASCULAR", "METAL_IMPLANTS_FACE", "ROSACEA", PP}),
    _e("ultrasonic-peeling", "hardware", "treatment", "cosm derm", 45, 10, 3500,
       "rolling boxcar_shallow macular", (2, 8), (14, 21),
       GABS | {"ROSACEA"}, GREL | {"PACEMAKER", P, PP}),
    _e("oxygen-injections", "injection", "treatment", "derm", 30, 10, 5000,
       "rolling boxcar_shallow icepick macular", (2, 8), (14, 21),
       GABS | {P, "BLEEDING_DISORDER"}, GREL | {"ANTICOAGULANTS", "ROSACEA", PP}),
    _e("cryo-massage", "cryo", "treatment", "cosm derm", 30, 10, 3500,
       "rolling boxcar_shallow macular", (2, 8), (14, 21),
       GABS | {"ROSACEA", "DRY_SKIN", "COLD_INTOLERANCE"},
       GREL | {"COMBINATION_SKIN", "FITZ_IV_VI"}),
)
# fmt: on

EXPECTED_BY_SLUG = {e.slug: e for e in EXPECTED}
