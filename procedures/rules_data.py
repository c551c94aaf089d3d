"""The rule table: every code of `rules.md` with its predicate and its three sentences.

Each rule has the intake keys it reads (the practitioner's review screen shows
exactly those), two patient sentences (one for when it blocks, one for when it
asks for review: the same code is absolute for one procedure and relative for
another) and a clinical sentence for the practitioner. Kept in `rules.md`'s order,
which is the order findings are reported in.
"""

from __future__ import annotations

from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .rule_logic import (
    Rule,
    allergy,
    bovine_collagen,
    collagen_skin_test,
    collagen_skin_test_clears,
    course_gap_exceeded,
    course_limit_reached,
    equals,
    flag,
    herpes_history,
    isotretinoin_6_12m,
    isotretinoin_6_12m_clears,
    isotretinoin_lt6m,
    isotretinoin_lt6m_clears,
    repeat_too_soon,
    repeat_too_soon_clears,
    scar_type_not_indicated,
    topical_retinoid,
    topical_retinoid_clears,
    under_18,
)


def _simple(
    code: str,
    key: str,
    patient: Promise,
    review: Promise,
    clinical: Promise,
) -> Rule:
    return Rule(code, (key,), flag(key), patient, review, clinical)


_RULES: tuple[Rule, ...] = (
    _simple(
        "INFLAMMATION_ACTIVE",
        "active_inflammation",
        _(
            "You told us you have inflamed spots on your face now: scar treatment has to "
            "wait until the inflammation has calmed down."
        ),
        _(
            "You told us you have inflamed spots on your face now: the practitioner will "
            "check your skin before confirming this procedure."
        ),
        _("Active inflammatory acne (papules, pustules) in the treatment area; treat it first."),
    ),
    _simple(
        "HERPES_ACTIVE",
        "herpes_active",
        _(
            "You told us you have a cold sore or herpes rash now: this procedure has to "
            "wait until it has fully healed."
        ),
        _(
            "You told us you have a cold sore or herpes rash now: the practitioner will "
            "decide whether this procedure can go ahead."
        ),
        _("Active herpes simplex lesion; risk of spreading the infection over the treated area."),
    ),
    Rule(
        "HERPES_HISTORY",
        ("herpes_history", "herpes_active"),
        herpes_history,
        _(
            "You told us you get cold sores: this procedure can set off an outbreak, so it "
            "is not done for you."
        ),
        _(
            "You told us you get cold sores: the practitioner will check whether you need "
            "antiviral tablets before this procedure."
        ),
        _("Recurrent herpes labialis; consider antiviral prophylaxis before the procedure."),
    ),
    _simple(
        "SKIN_DISEASE_ACTIVE",
        "skin_disease_active",
        _(
            "You told us you have an active skin disease where we would treat: it must be "
            "under control before this procedure."
        ),
        _(
            "You told us you have an active skin disease where we would treat: the "
            "practitioner will check your skin before confirming this procedure."
        ),
        _(
            "Active dermatosis (eczema, psoriasis, dermatitis or infection) in the treatment "
            "area; risk of a flare (Koebner phenomenon) and poor healing."
        ),
    ),
    _simple(
        "WOUND",
        "skin_wound",
        _(
            "You told us the skin of your face is cut or damaged: it must heal before this "
            "procedure."
        ),
        _(
            "You told us the skin of your face is cut or damaged: the practitioner will "
            "check it before confirming this procedure."
        ),
        _("Broken skin (cuts, abrasions) in the treatment area."),
    ),
    _simple(
        "BURN_FROSTBITE",
        "burn_or_frostbite",
        _(
            "You told us you have a burn or frostbite on your face: it must heal before "
            "this procedure."
        ),
        _(
            "You told us you have a burn or frostbite on your face: the practitioner will "
            "check your skin before confirming this procedure."
        ),
        _("Burn (sunburn included) or frostbite on the face."),
    ),
    _simple(
        "ROSACEA",
        "rosacea",
        _(
            "You told us you have rosacea: this procedure can make it worse, so it is not "
            "done for you."
        ),
        _(
            "You told us you have rosacea: the practitioner will decide whether this "
            "procedure is safe for your skin."
        ),
        _("Rosacea; the procedure can aggravate erythema and telangiectasia."),
    ),
    _simple(
        "DIABETES",
        "diabetes",
        _("You told us you have diabetes: this procedure is not done for people with diabetes."),
        _(
            "You told us you have diabetes: the practitioner will check that your skin will "
            "heal well before confirming this procedure."
        ),
        _("Diabetes mellitus; impaired wound healing and a higher risk of infection."),
    ),
    _simple(
        "ENDOCRINE_OTHER",
        "endocrine_other",
        _(
            "You told us you have a hormone (endocrine) disease: this procedure is not done "
            "in that case."
        ),
        _(
            "You told us you have a hormone (endocrine) disease: the practitioner will "
            "decide whether this procedure is safe for you."
        ),
        _("Endocrine disease other than diabetes (e.g. thyroid disease)."),
    ),
    _simple(
        "CARDIOVASCULAR",
        "cardiovascular",
        _(
            "You told us you have a heart or blood-vessel disease: this procedure is not "
            "done in that case."
        ),
        _(
            "You told us you have a heart or blood-vessel disease: the practitioner will "
            "decide whether this procedure is safe for you."
        ),
        _("Cardiovascular disease or arrhythmia."),
    ),
    _simple(
        "PACEMAKER",
        "pacemaker",
        _(
            "You told us you have a pacemaker or another implanted device: this procedure "
            "could interfere with it, so it is not done for you."
        ),
        _(
            "You told us you have a pacemaker or another implanted device: the practitioner "
            "will check that this procedure cannot interfere with it."
        ),
        _("Pacemaker or other implanted electronic device; electrical or ultrasound energy."),
    ),
    _simple(
        "ONCOLOGY",
        "cancer",
        _("You told us you have or recently had cancer: this procedure is not done in that case."),
        _(
            "You told us you have or recently had cancer: a doctor will decide whether this "
            "procedure is safe for you."
        ),
        _("Malignancy, current or treated within the last 12 months."),
    ),
    _simple(
        "MENTAL_ILLNESS",
        "mental_illness",
        _("You told us about a diagnosed mental illness: this procedure is not done in that case."),
        _(
            "You told us about a diagnosed mental illness: the practitioner will talk the "
            "procedure through with you before confirming it."
        ),
        _("Diagnosed mental illness, depression included; assess suitability and expectations."),
    ),
    _simple(
        "EPILEPSY",
        "epilepsy",
        _(
            "You told us you have epilepsy or seizures: this procedure can set off a "
            "seizure, so it is not done for you."
        ),
        _(
            "You told us you have epilepsy or seizures: the practitioner will decide whether "
            "this procedure is safe for you."
        ),
        _("Epilepsy or seizure disorder."),
    ),
    _simple(
        "HEPATIC_RENAL",
        "liver_kidney_disease",
        _(
            "You told us you have a liver or kidney disease: this procedure uses a substance "
            "these organs must clear, so it is not done for you."
        ),
        _(
            "You told us you have a liver or kidney disease: a doctor will decide whether "
            "this procedure is safe for you."
        ),
        _("Hepatic or renal disease; impaired clearance of systemically absorbed agents."),
    ),
    _simple(
        "G6PD_DEFICIENCY",
        "g6pd_deficiency",
        _(
            "You told us you have G6PD deficiency: this procedure can harm your red blood "
            "cells, so it is not done for you."
        ),
        _(
            "You told us you have G6PD deficiency: a doctor will decide whether this "
            "procedure is safe for you."
        ),
        _("G6PD deficiency; risk of oxidative haemolysis."),
    ),
    Rule(
        "PREGNANCY",
        ("pregnant",),
        equals("pregnant", "yes"),
        _("You told us you are pregnant: this procedure cannot be done during pregnancy."),
        _(
            "You told us you are pregnant: a doctor will decide whether this procedure can "
            "be done during your pregnancy."
        ),
        _("Pregnancy."),
    ),
    Rule(
        "PREGNANCY_POSSIBLE",
        ("pregnant",),
        equals("pregnant", "possibly"),
        _(
            "You told us you may be pregnant: this procedure cannot be done until pregnancy "
            "is ruled out."
        ),
        _(
            "You told us you may be pregnant: the practitioner will talk to you about it "
            "before confirming this procedure."
        ),
        _("Possible pregnancy; confirm the status before proceeding."),
    ),
    _simple(
        "LACTATION",
        "breastfeeding",
        _("You told us you are breastfeeding: this procedure is not done while breastfeeding."),
        _(
            "You told us you are breastfeeding: the practitioner will decide whether this "
            "procedure is safe while you breastfeed."
        ),
        _("Lactation."),
    ),
    _simple(
        "MENSTRUATION",
        "menstruating",
        _(
            "You told us you expect your period on the procedure day: this procedure is not "
            "done during a period, so please choose another day."
        ),
        _(
            "You told us you expect your period on the procedure day: the practitioner will "
            "decide whether the procedure can go ahead that day."
        ),
        _("Menstruation expected on the procedure day."),
    ),
    Rule(
        "AGE_UNDER_18",
        ("date_of_birth",),
        under_18,
        _("You will be under 18 on the procedure day: this procedure is only done for adults."),
        _(
            "You will be under 18 on the procedure day: a doctor must approve this procedure "
            "and a parent or guardian must consent."
        ),
        _("Patient under 18 on the procedure date."),
    ),
    Rule(
        "ISOTRETINOIN_LT6M",
        ("isotretinoin", "isotretinoin_stopped_on"),
        isotretinoin_lt6m,
        _(
            "You take isotretinoin or stopped it less than 6 months ago: the skin heals "
            "poorly during that time, so this procedure has to wait."
        ),
        _(
            "You take isotretinoin or stopped it less than 6 months ago: the practitioner "
            "will decide whether this procedure is safe for your skin now."
        ),
        _(
            "Oral isotretinoin, current or stopped less than 6 months ago; risk of delayed "
            "healing and atypical scarring."
        ),
        clears_on=isotretinoin_lt6m_clears,
    ),
    Rule(
        "ISOTRETINOIN_6_12M",
        ("isotretinoin", "isotretinoin_stopped_on"),
        isotretinoin_6_12m,
        _(
            "You stopped isotretinoin less than a year ago: for this procedure the skin "
            "needs a full year to recover."
        ),
        _(
            "You stopped isotretinoin less than a year ago: the practitioner will decide "
            "whether your skin has recovered enough for this procedure."
        ),
        _("Oral isotretinoin stopped 6 to 12 months ago."),
        clears_on=isotretinoin_6_12m_clears,
    ),
    Rule(
        "PRECARE_TOPICAL_RETINOID",
        ("topical_retinoid_last_used",),
        topical_retinoid,
        _(
            "You used retinoid or acid skin products too recently: they must be stopped for "
            "a while before this procedure."
        ),
        _(
            "You used retinoid or acid skin products recently: the practitioner will check "
            "your skin before confirming this procedure."
        ),
        _("Topical retinoid or acid product used within the procedure's stop window."),
        clears_on=topical_retinoid_clears,
    ),
    Rule(
        "PHOTOSENSITISING_DRUGS",
        ("photosensitising_drugs", "photosensitising_drugs_which"),
        flag("photosensitising_drugs"),
        _(
            "You take medicines that make skin sensitive to light: with them this procedure "
            "can burn or stain the skin, so it is not done for you."
        ),
        _(
            "You take medicines that make skin sensitive to light: the practitioner will "
            "check them before confirming this procedure."
        ),
        _("Photosensitising medication (e.g. doxycycline, tetracyclines, St John's wort)."),
    ),
    Rule(
        "ANTICOAGULANTS",
        ("blood_thinners", "blood_thinners_which"),
        flag("blood_thinners"),
        _(
            "You take blood thinners: with them this procedure can cause heavy bleeding or "
            "bruising. Never stop them on your own."
        ),
        _(
            "You take blood thinners: the practitioner will check them with you. Never stop "
            "them on your own."
        ),
        _("Anticoagulant or antiplatelet medicine or supplement; bleeding and bruising risk."),
    ),
    _simple(
        "BLEEDING_DISORDER",
        "bleeding_disorder",
        _(
            "You told us you have a bleeding or clotting disorder: the risk of bleeding with "
            "this procedure is too high for you."
        ),
        _(
            "You told us you have a bleeding or clotting disorder: a doctor will decide "
            "whether this procedure is safe for you."
        ),
        _("Bleeding or clotting disorder."),
    ),
    Rule(
        "AUTOIMMUNE_ACTIVE",
        ("autoimmune",),
        equals("autoimmune", "active"),
        _(
            "You told us you have an active autoimmune or connective-tissue disease: this "
            "procedure has to wait until it is under control."
        ),
        _(
            "You told us you have an active autoimmune or connective-tissue disease: a "
            "doctor will decide whether this procedure is safe for you now."
        ),
        _("Active autoimmune or connective-tissue disease."),
    ),
    Rule(
        "AUTOIMMUNE_STABLE",
        ("autoimmune",),
        equals("autoimmune", "stable"),
        _(
            "You told us you have an autoimmune or connective-tissue disease: this "
            "procedure is not done in that case, even when the disease is stable."
        ),
        _(
            "You told us you have a stable autoimmune or connective-tissue disease: a doctor "
            "will decide whether this procedure is safe for you."
        ),
        _("Autoimmune or connective-tissue disease, currently stable."),
    ),
    Rule(
        "ALLERGY_HYALURONIC",
        ("allergies",),
        allergy("hyaluronic_acid"),
        _(
            "You told us you are allergic to hyaluronic acid: this procedure uses it, so it "
            "is not done for you."
        ),
        _(
            "You told us you are allergic to hyaluronic acid: the practitioner will check "
            "the products before confirming this procedure."
        ),
        _("Allergy to hyaluronic acid."),
    ),
    Rule(
        "ALLERGY_LIDOCAINE",
        ("allergies",),
        allergy("lidocaine"),
        _(
            "You told us you are allergic to local anaesthetics: this procedure needs them, "
            "so it is not done for you."
        ),
        _(
            "You told us you are allergic to local anaesthetics: the practitioner will plan "
            "pain relief with you before confirming this procedure."
        ),
        _("Allergy to lidocaine or other local anaesthetics."),
    ),
    Rule(
        "ALLERGY_BOVINE_COLLAGEN",
        ("allergies", "collagen_skin_test"),
        bovine_collagen,
        _(
            "You are allergic to bovine collagen or reacted to the collagen skin test: "
            "collagen cannot be injected for you."
        ),
        _(
            "You are allergic to bovine collagen or reacted to the collagen skin test: the "
            "practitioner will decide whether this procedure is safe for you."
        ),
        _("Allergy to bovine collagen, or a positive collagen skin test."),
    ),
    Rule(
        "PRECARE_COLLAGEN_SKIN_TEST",
        ("collagen_skin_test", "collagen_skin_test_read_on"),
        collagen_skin_test,
        _(
            "A collagen skin test on the forearm must be done and read at least 28 days "
            "before this procedure."
        ),
        _(
            "A collagen skin test is normally read at least 28 days before this procedure: "
            "the practitioner will decide how to go ahead."
        ),
        _("Collagen skin test not done, or read fewer than 28 days before the procedure."),
        clears_on=collagen_skin_test_clears,
    ),
    _simple(
        "KELOID_TENDENCY",
        "keloid_tendency",
        _(
            "You told us you form keloid or raised scars: this procedure could cause new "
            "ones, so it is not done for you."
        ),
        _(
            "You told us you form keloid or raised scars: the practitioner will decide "
            "whether this procedure is safe for you."
        ),
        _("History of keloid or hypertrophic scarring."),
    ),
    Rule(
        "FITZ_IV_VI",
        ("fitzpatrick",),
        equals("fitzpatrick", "IV", "V", "VI"),
        _(
            "Your skin tans easily: this procedure can leave dark or light patches on it, "
            "so it is not done for you."
        ),
        _(
            "Your skin tans easily and can change colour after this procedure: the "
            "practitioner will check it and may adjust the treatment."
        ),
        _("Fitzpatrick phototype IV to VI; risk of post-inflammatory dyspigmentation."),
    ),
    Rule(
        "FITZ_V_VI",
        ("fitzpatrick",),
        equals("fitzpatrick", "V", "VI"),
        _(
            "Your skin is dark: this procedure can leave dark or light patches on it, so it "
            "is not done for you."
        ),
        _(
            "Your skin is dark and can change colour after this procedure: the practitioner "
            "will check it and may adjust the treatment."
        ),
        _("Fitzpatrick phototype V or VI; high risk of dyspigmentation."),
    ),
    _simple(
        "PIH_HISTORY",
        "pih_history",
        _(
            "You told us your skin darkens after spots or procedures: this procedure could "
            "leave dark marks, so it is not done for you."
        ),
        _(
            "You told us your skin darkens after spots or procedures: the practitioner will "
            "check your skin and may prepare it first."
        ),
        _("History of post-inflammatory hyperpigmentation."),
    ),
    _simple(
        "RECENT_TAN",
        "recent_tan",
        _(
            "You told us you tanned in the last 4 weeks: tanned skin can burn or stain, so "
            "this procedure has to wait."
        ),
        _(
            "You told us you tanned in the last 4 weeks: the practitioner will check your "
            "skin before confirming this procedure."
        ),
        _("Sun or solarium tan within the last 4 weeks."),
    ),
    Rule(
        "DRY_SKIN",
        ("skin_type",),
        equals("skin_type", "dry"),
        _(
            "You told us your skin is dry: this procedure can dry and irritate it further, "
            "so it is not done for you."
        ),
        _(
            "You told us your skin is dry: the practitioner will check it before confirming "
            "this procedure."
        ),
        _("Dry skin type."),
    ),
    Rule(
        "COMBINATION_SKIN",
        ("skin_type",),
        equals("skin_type", "combination"),
        _("You told us your skin is combination: this procedure is not done for that skin type."),
        _(
            "You told us your skin is combination: a specialist will decide whether this "
            "procedure suits your skin."
        ),
        _("Combination skin type; a specialist decides."),
    ),
    _simple(
        "COLD_INTOLERANCE",
        "cold_intolerance",
        _(
            "You told us you react to cold: this procedure uses intense cold, so it is not "
            "done for you."
        ),
        _(
            "You told us you react to cold: the practitioner will decide whether this "
            "procedure is safe for you."
        ),
        _("Cold urticaria, Raynaud's phenomenon or cryoglobulinaemia."),
    ),
    _simple(
        "METAL_IMPLANTS_FACE",
        "metal_implants_face",
        _(
            "You told us you have metal implants in your face: this procedure could affect "
            "them, so it is not done for you."
        ),
        _(
            "You told us you have metal implants in your face: the practitioner will check "
            "where they are before confirming this procedure."
        ),
        _("Metal implants in the face."),
    ),
    _simple(
        "RECENT_FACIAL_SURGERY",
        "recent_facial_surgery",
        _(
            "You told us you had facial surgery in the last 3 months: the skin needs more "
            "time to heal before this procedure."
        ),
        _(
            "You told us you had facial surgery in the last 3 months: the practitioner will "
            "check the healing before confirming this procedure."
        ),
        _("Facial surgery within the last 3 months."),
    ),
    Rule(
        "SCAR_TYPE_NOT_INDICATED",
        ("scar_types",),
        scar_type_not_indicated,
        _("This procedure does not treat the types of scar you told us about."),
        _(
            "This procedure is not usually chosen for the types of scar you told us about: "
            "the practitioner will confirm that it suits you."
        ),
        _("None of the recorded scar types is an indication for this procedure."),
    ),
    Rule(
        "REPEAT_TOO_SOON",
        (),
        repeat_too_soon,
        _(
            "Your last session of this procedure was too recent: the skin needs the full "
            "interval between sessions to recover."
        ),
        _(
            "Your last session of this procedure was recent: the practitioner will decide "
            "whether your skin has recovered enough."
        ),
        _("Less than the procedure's minimum interval since the last session."),
        clears_on=repeat_too_soon_clears,
        uses_history=True,
    ),
    Rule(
        "COURSE_GAP_EXCEEDED",
        (),
        course_gap_exceeded,
        _(
            "More time than planned has passed since your last session: the course must be "
            "reassessed before it continues."
        ),
        _(
            "More time than planned has passed since your last session: the practitioner "
            "will decide whether to continue the course or start again."
        ),
        _("The gap since the last session exceeds the course's maximum interval."),
        uses_history=True,
    ),
    Rule(
        "COURSE_LIMIT_REACHED",
        (),
        course_limit_reached,
        _("You have completed the full course of this procedure: another session is not planned."),
        _(
            "You have completed the full course of this procedure: the practitioner will "
            "decide whether another session is right for you."
        ),
        _("The current course has reached its maximum number of sessions."),
        uses_history=True,
    ),
)

RULES: Final[dict[str, Rule]] = {rule.code: rule for rule in _RULES}
