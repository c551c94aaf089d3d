"""The intake questionnaire as data: every question of `intake.md`, in its order.

QUESTIONS is ordered so that a question's condition (the sex for the pregnancy
group, the isotretinoin answer for its stop date, the skin test for its reading
date) is decided before the question itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from .intake_schema import WHICH_MAX_LENGTH, Condition, Kind, Question

GROUPS: Final[dict[str, str | Promise]] = {
    "about_you": _("About you"),
    "pregnancy": _("Pregnancy"),
    "medicines": _("Medicines and skin products"),
    "health": _("Your health"),
    "skin_now": _("Your skin today"),
    "allergies": _("Allergies and tests"),
    "skin_type": _("Your skin type"),
    "scars": _("Your scars"),
}

_YES_NO_POSSIBLY = (("no", _("No")), ("yes", _("Yes")), ("possibly", _("Possibly")))
_FEMALE = Condition("sex", frozenset({"female"}))


def _bool(key: str, group: str, label: StrOrPromise, help_text: StrOrPromise) -> Question:
    return Question(key, label, help_text, Kind.BOOL, group, baseline=False)


def _which(key: str, label: StrOrPromise, help_text: StrOrPromise) -> Question:
    return Question(
        key,
        label,
        help_text,
        Kind.TEXT,
        "medicines",
        baseline="",
        required=False,
        max_length=WHICH_MAX_LENGTH,
    )


_QUESTIONS: tuple[Question, ...] = (
    Question(
        "date_of_birth",
        _("Date of birth"),
        _("Some treatments are only for adults, so we need your age on the procedure day."),
        Kind.DATE,
        "about_you",
        baseline=None,  # computed from the procedure date by baseline_answers()
    ),
    Question(
        "sex",
        _("Sex"),
        _("We ask about pregnancy and periods only if you are female."),
        Kind.CHOICE,
        "about_you",
        baseline="female",
        choices=(("female", _("Female")), ("male", _("Male")), ("other", _("Other"))),
    ),
    Question(
        "pregnant",
        _("Are you pregnant?"),
        _("Many treatments are not done during pregnancy; answer “possibly” if you are not sure."),
        Kind.CHOICE,
        "pregnancy",
        baseline="no",
        choices=_YES_NO_POSSIBLY,
        applies_when=_FEMALE,
        if_not_applicable="baseline",
    ),
    Question(
        "breastfeeding",
        _("Are you breastfeeding?"),
        _("Some substances we inject or apply can pass into breast milk."),
        Kind.BOOL,
        "pregnancy",
        baseline=False,
        applies_when=_FEMALE,
        if_not_applicable="baseline",
    ),
    Question(
        "menstruating",
        _("Do you expect to be menstruating on the procedure day?"),
        _("Ozone therapy is not done during a period; we can choose another day."),
        Kind.BOOL,
        "pregnancy",
        baseline=False,
        applies_when=_FEMALE,
        if_not_applicable="baseline",
    ),
    Question(
        "isotretinoin",
        _("Oral isotretinoin (Roaccutane, Accutane, Sotret)"),
        _("These acne tablets make the skin heal slowly for months after the last dose."),
        Kind.CHOICE,
        "medicines",
        baseline="never",
        choices=(
            ("never", _("Never taken")),
            ("current", _("Taking it now")),
            ("stopped", _("Taken in the past")),
        ),
    ),
    Question(
        "isotretinoin_stopped_on",
        _("When did you take the last dose?"),
        _("An approximate date is fine; it tells us how long ago the course ended."),
        Kind.DATE,
        "medicines",
        baseline=None,
        applies_when=Condition("isotretinoin", frozenset({"stopped"})),
    ),
    Question(
        "topical_retinoid_last_used",
        _(
            "Last use of retinoid or acid skin products (tretinoin, adapalene, glycolic "
            "or salicylic acid)"
        ),
        _("Leave it empty if you have never used them; they thin the skin for a while."),
        Kind.OPTIONAL_DATE,
        "medicines",
        baseline=None,
    ),
    _bool(
        "photosensitising_drugs",
        "medicines",
        _(
            "Medicines that make skin sensitive to light (doxycycline, tetracyclines, "
            "St John's wort)"
        ),
        _("With these, light, laser and peels can burn or stain the skin."),
    ),
    _which(
        "photosensitising_drugs_which",
        _("Which medicines that make skin sensitive to light?"),
        _("Write the names as on the packet, if you know them."),
    ),
    _bool(
        "blood_thinners",
        "medicines",
        _("Blood thinners (warfarin, apixaban, aspirin, regular ibuprofen, fish oil, ginkgo)"),
        _("They make bruising and bleeding more likely; never stop them on your own."),
    ),
    _which(
        "blood_thinners_which",
        _("Which blood thinners?"),
        _("Write the names as on the packet, if you know them."),
    ),
    _bool(
        "bleeding_disorder",
        "health",
        _("A bleeding or clotting disorder"),
        _("For example haemophilia, or bleeding that is hard to stop."),
    ),
    _bool(
        "diabetes",
        "health",
        _("Diabetes"),
        _("Diabetes slows healing and raises the risk of infection."),
    ),
    _bool(
        "endocrine_other",
        "health",
        _("Another endocrine disease (e.g. thyroid)"),
        _("Hormone disorders change how the skin reacts to some treatments."),
    ),
    _bool(
        "cardiovascular",
        "health",
        _("Heart or blood-vessel disease, arrhythmia"),
        _("Some treatments strain the heart or affect the blood vessels."),
    ),
    _bool(
        "pacemaker",
        "health",
        _("A pacemaker or other implanted electronic device"),
        _("Electrical and ultrasound devices can interfere with implanted electronics."),
    ),
    _bool(
        "cancer",
        "health",
        _("Cancer, now or treated in the last 12 months"),
        _("Treatments that stimulate the skin need a doctor's decision after cancer."),
    ),
    _bool(
        "mental_illness",
        "health",
        _("A diagnosed mental illness, depression included"),
        _("This helps us plan the treatment with you; your answer stays confidential."),
    ),
    _bool(
        "epilepsy",
        "health",
        _("Epilepsy or seizures"),
        _("Electrical stimulation and flashing light can trigger seizures."),
    ),
    Question(
        "autoimmune",
        _("Autoimmune or connective-tissue disease"),
        _("For example lupus or scleroderma; “stable” means no flare-up for months."),
        Kind.CHOICE,
        "health",
        baseline="none",
        choices=(
            ("none", _("None")),
            ("stable", _("Yes, stable")),
            ("active", _("Yes, active now")),
        ),
    ),
    _bool(
        "liver_kidney_disease",
        "health",
        _("Liver or kidney disease"),
        _("The liver and kidneys clear some of the substances used in deep peels."),
    ),
    _bool(
        "g6pd_deficiency",
        "health",
        _("G6PD deficiency (favism)"),
        _("An inherited condition in which ozone can damage red blood cells."),
    ),
    _bool(
        "active_inflammation",
        "skin_now",
        _("Inflamed spots, pustules or other active inflammation on the face now"),
        _("Scar treatment usually waits until the acne itself has calmed down."),
    ),
    _bool(
        "herpes_active",
        "skin_now",
        _("A cold sore or herpes rash now"),
        _("Treating the face during a cold sore can spread the virus."),
    ),
    _bool(
        "herpes_history",
        "skin_now",
        _("Recurring cold sores in the past"),
        _("Some treatments can wake the virus up; tablets beforehand can prevent it."),
    ),
    _bool(
        "rosacea",
        "skin_now",
        _("Rosacea"),
        _("Redness and visible small vessels on the cheeks and nose that come and go."),
    ),
    _bool(
        "skin_disease_active",
        "skin_now",
        _(
            "Another active skin disease where we would treat (eczema, psoriasis, "
            "dermatitis, infection)"
        ),
        _("Treating inflamed or infected skin can make the disease worse."),
    ),
    _bool(
        "skin_wound",
        "skin_now",
        _("Cuts, abrasions or other damage to the facial skin"),
        _("Damaged skin has to heal before any treatment on it."),
    ),
    _bool(
        "burn_or_frostbite",
        "skin_now",
        _("A burn (sunburn included) or frostbite on the face"),
        _("Burnt or frostbitten skin has to heal before any treatment on it."),
    ),
    Question(
        "allergies",
        _("Allergies"),
        _("Tick every substance you have reacted to; leave all empty if none."),
        Kind.MULTI_CHOICE,
        "allergies",
        baseline=frozenset(),
        choices=(
            ("hyaluronic_acid", _("Hyaluronic acid")),
            ("lidocaine", _("Lidocaine or other local anaesthetics")),
            ("bovine_collagen", _("Bovine collagen")),
        ),
    ),
    Question(
        "collagen_skin_test",
        _("Collagen skin test"),
        _("A small test injection in the forearm, checked about four weeks later."),
        Kind.CHOICE,
        "allergies",
        baseline="not_done",
        choices=(
            ("not_done", _("Not done")),
            ("negative", _("Done, no reaction")),
            ("positive", _("Done, there was a reaction")),
        ),
    ),
    Question(
        "collagen_skin_test_read_on",
        _("When was it read?"),
        _("The day the clinic checked the test site on your forearm."),
        Kind.DATE,
        "allergies",
        baseline=None,
        applies_when=Condition("collagen_skin_test", frozenset({"negative", "positive"})),
    ),
    _bool(
        "keloid_tendency",
        "skin_type",
        _("Have you ever formed keloid or raised scars?"),
        _("Thick scars that grow above the skin after a cut, piercing or spot."),
    ),
    Question(
        "fitzpatrick",
        _("Skin phototype (a short guided question; the practitioner confirms)"),
        _("How your skin reacts to the sun; darker skin marks more easily after treatment."),
        Kind.CHOICE,
        "skin_type",
        baseline="II",
        choices=(
            ("I", _("I: very fair, always burns, never tans")),
            ("II", _("II: fair, burns easily, tans with difficulty")),
            ("III", _("III: medium, sometimes burns, tans gradually")),
            ("IV", _("IV: olive, rarely burns, tans easily")),
            ("V", _("V: brown, very rarely burns, tans darkly")),
            ("VI", _("VI: dark brown or black, never burns")),
        ),
    ),
    _bool(
        "pih_history",
        "skin_type",
        _("Dark marks left after spots or procedures"),
        _("Skin that darkens after irritation may darken after treatment too."),
    ),
    _bool(
        "recent_tan",
        "skin_type",
        _("Tanning or solarium in the last 4 weeks"),
        _("Tanned skin burns and stains more easily under light, laser and peels."),
    ),
    Question(
        "skin_type",
        _("Skin type"),
        _("How your face feels a few hours after washing, without any cream."),
        Kind.CHOICE,
        "skin_type",
        baseline="normal",
        choices=(
            ("dry", _("Dry")),
            ("normal", _("Normal")),
            ("oily", _("Oily")),
            ("combination", _("Combination")),
        ),
    ),
    _bool(
        "cold_intolerance",
        "health",
        _("Cold urticaria, Raynaud's, cryoglobulinaemia"),
        _("Conditions in which cold causes hives, white fingers or other reactions."),
    ),
    _bool(
        "metal_implants_face",
        "health",
        _("Metal implants in the face"),
        _("For example plates or screws after an injury; dental fillings do not count."),
    ),
    _bool(
        "recent_facial_surgery",
        "health",
        _("Facial surgery in the last 3 months"),
        _("Freshly operated skin needs time to heal before another treatment."),
    ),
    Question(
        "scar_types",
        _("Which scars do you have? (pictures help; the practitioner confirms)"),
        _("Pick every type you recognise; each treatment suits some types only."),
        Kind.MULTI_CHOICE,
        "scars",
        baseline=frozenset({"rolling"}),
        choices=(
            ("icepick", _("Icepick: narrow, deep pits")),
            ("rolling", _("Rolling: wide, wave-like dips with smooth edges")),
            ("boxcar_shallow", _("Boxcar, shallow: pits with straight edges")),
            ("boxcar_deep", _("Boxcar, deep: deep pits with straight edges")),
            ("hypertrophic", _("Hypertrophic: raised, firm scars")),
            ("keloid", _("Keloid: raised scars growing beyond the spot")),
            ("macular", _("Marks: flat red, white or brown spots")),
        ),
    ),
    Question(
        "home_patch_test",
        _("Did the home sensitivity test (ear area, 30 min) pass?"),
        _(
            "Put a little of a home product behind the ear for 30 minutes, rinse, and "
            "watch for an hour; burning means wash it off at once."
        ),
        Kind.CHOICE,
        "allergies",
        baseline="not_done",
        choices=(
            ("passed", _("Passed, no reaction")),
            ("reaction", _("There was a reaction")),
            ("not_done", _("Not done")),
        ),
    ),
)

QUESTIONS: Final[dict[str, Question]] = {q.key: q for q in _QUESTIONS}
ANSWER_KEYS: Final[tuple[str, ...]] = tuple(QUESTIONS)
