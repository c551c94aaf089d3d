"""Forms of the public catalogue: the list's filters and the anonymous candidate check.

Domain rules implemented here:

- The candidate check asks only the questions the procedure's rules read
  (`Rule.keys`), the sex when a pregnancy question is among them (the
  pregnancy group applies to female patients only), the follow-up date of an
  asked question (when isotretinoin was stopped, when the skin test was
  read), and the procedure date. Free-text companions ("which medicines?")
  never change a verdict and are not asked.
- Every question not asked takes the baseline answer of `intake.md`, so the
  verdict is about what the person told us and nothing else. Nothing is stored.
- At least one scar type is ticked when the procedure's rules ask about them:
  an empty answer would fire "scar type not indicated" for everything.
- The procedure date is today (in the clinic's time zone) or later, within
  two years.
- The check knows nothing of the person's other sessions. Rules that read them
  (a consultation or another session first, washouts between procedures,
  `rules-v2.md`) are left out of its verdict and said in words instead
  (`session_notes`): they are checked when the person books.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, cast
from zoneinfo import ZoneInfo

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from .catalogue_data import SCAR_TYPE_INFO
from .errors import AnswerError, lazy_interpolate
from .intake import ANSWER_KEYS, GROUPS, QUESTIONS, Answers, Kind, Question, baseline_answers
from .models import Procedure
from .rules import RULES
from .screening import ProcedureRules, ScreeningResult, screen

__all__ = [
    "CandidateCheckForm",
    "CatalogueFilterForm",
    "asked_keys",
    "clinic_today",
    "scar_type_names",
    "session_notes",
]

# Questions asked of female patients only; for anyone else they take the baseline.
PREGNANCY_KEYS = frozenset(
    q.key
    for q in QUESTIONS.values()
    if q.applies_when is not None
    and q.applies_when.key == "sex"
    and q.if_not_applicable == "baseline"
)
MAX_DAYS_AHEAD = 730


def clinic_today() -> dt.date:
    """Return today's date in the clinic's time zone."""
    return timezone.localdate(timezone=ZoneInfo(settings.CLINIC_TIME_ZONE))


def scar_type_names() -> dict[str, str]:
    """Return each scar type's name in the active language (catalogue data, not gettext)."""
    russian = (get_language() or "en").startswith("ru")
    return {info.value: info.name_ru if russian else info.name_en for info in SCAR_TYPE_INFO}


class CatalogueFilterForm(forms.Form):
    """Filters of the public list: a category and a scar type, both optional (GET)."""

    category = forms.ChoiceField(label=_("Category"), required=False)
    scar_type = forms.ChoiceField(label=_("Scar type"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", _("All categories")),
            *Procedure.Category.choices,
        ]
        cast(forms.ChoiceField, self.fields["scar_type"]).choices = [
            ("", _("All scar types")),
            *scar_type_names().items(),
        ]


def asked_keys(rules: ProcedureRules) -> tuple[str, ...]:
    """Return the intake keys the candidate check asks for this procedure, in intake order."""
    keys: set[str] = set()
    for code in rules.absolute | rules.relative:
        keys.update(RULES[code].keys)
    if keys & PREGNANCY_KEYS:
        keys.add("sex")
    for question in QUESTIONS.values():
        condition = question.applies_when
        if question.is_follow_up and condition is not None and condition.key in keys:
            keys.add(question.key)
    return tuple(key for key in ANSWER_KEYS if key in keys and QUESTIONS[key].kind is not Kind.TEXT)


def _prerequisite_note(rules: ProcedureRules, requires: str, low: int, high: int) -> Promise:
    name = rules.sessions.procedure_name(requires)
    if low == 0:
        message = ngettext_lazy(
            "A “%(name)s” is needed first: done no more than %(high)s day before this procedure.",
            "A “%(name)s” is needed first: done no more than %(high)s days before this procedure.",
            high,
        )
    else:
        message = ngettext_lazy(
            "It follows a “%(name)s”: between %(low)s and %(high)s day after it.",
            "It follows a “%(name)s”: between %(low)s and %(high)s days after it.",
            high,
        )
    return lazy_interpolate(message, {"name": name, "low": low, "high": high})


def session_notes(rules: ProcedureRules) -> list[str | Promise]:
    """Return, in words, the rules that depend on the patient's other sessions."""
    notes: list[str | Promise] = [
        _prerequisite_note(rules, p.requires, p.min_days, p.max_days) for p in rules.prerequisites
    ]
    slug = rules.slug
    washouts = rules.sessions.washouts
    group = rules.washout_group
    if any(
        (group is not None and (row.earlier_group == group or row.later_group == group))
        or row.later_procedure == slug
        for row in washouts
    ):
        notes.append(
            _(
                "Other treatments need time between them and this one: washouts with your "
                "other sessions are checked when you book."
            )
        )
    return notes


def _field_for(question: Question) -> forms.Field:
    common: dict[str, Any] = {"label": question.label, "help_text": question.help_text}
    kind = question.kind
    if kind is Kind.BOOL:
        return forms.BooleanField(required=False, **common)
    if kind is Kind.CHOICE:
        return forms.ChoiceField(
            choices=question.choices,
            initial=question.baseline,
            widget=forms.RadioSelect,
            **common,
        )
    if kind is Kind.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            choices=question.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    # Dates. A follow-up date is required only after its parent's answer;
    # screening says so, against this field, when it is missing.
    return forms.DateField(
        required=kind is Kind.DATE and not question.is_follow_up,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **common,
    )


class CandidateCheckForm(forms.Form):
    """ "Am I a candidate?": the procedure's own questions, screened without storing anything."""

    on = forms.DateField(
        label=_("Procedure date"),
        help_text=_("The day you would like to have the procedure."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self, *args: Any, rules: ProcedureRules, today: dt.date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rules = rules
        self.today = today or clinic_today()
        self.fields["on"].initial = self.today
        self.asked = asked_keys(rules)
        for key in self.asked:
            self.fields[key] = _field_for(QUESTIONS[key])
        if "scar_types" in self.fields:
            # Ticking nothing would read as "none of my scars is treated by
            # this": ask for at least one rather than give that verdict.
            self.fields["scar_types"].required = True
            self.fields["scar_types"].error_messages["required"] = _(
                "Tick at least one type of scar; the scar-type guide shows each of them."
            )
        self.result: ScreeningResult | None = None
        # The check has no history: the rules that read other sessions are said in words.
        self.session_notes = session_notes(rules)
        self._answer_rules = replace(rules, prerequisites=())
        # What the empty form's HTML depends on besides the language (the page caches it).
        self.blank_fingerprint = f"{self.today.isoformat()}:{','.join(self.asked)}"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        groups: dict[str, list[str]] = {}
        for key in self.asked:
            groups.setdefault(QUESTIONS[key].group, []).append(key)
        self.helper.layout = Layout(
            Fieldset(_("When"), "on"),
            *(
                Fieldset(
                    GROUPS[group],
                    *keys,
                    css_class="pregnancy-questions" if group == "pregnancy" else "",
                )
                for group, keys in groups.items()
            ),
        )

    @property
    def asks_about_pregnancy(self) -> bool:
        return bool(PREGNANCY_KEYS & set(self.asked))

    def clean_on(self) -> dt.date:
        on: dt.date = self.cleaned_data["on"]
        if on < self.today:
            raise forms.ValidationError(_("Choose today or a later date."), code="past")
        if on > self.today + dt.timedelta(days=MAX_DAYS_AHEAD):
            raise forms.ValidationError(
                _("Choose a date within the next two years."), code="too_far"
            )
        return on

    def answers(self) -> Answers:
        """Return the complete answer set: what was asked, the baseline for the rest."""
        on = self.cleaned_data["on"]
        answers = baseline_answers(on=on)
        for key in self.asked:
            value = self.cleaned_data.get(key)
            kind = QUESTIONS[key].kind
            if kind is Kind.MULTI_CHOICE:
                value = frozenset(value or ())
            answers[key] = value
        if answers["sex"] != "female":
            # A pregnancy answer left in the form by someone who then chose
            # another sex is not theirs: the group does not apply.
            for key in PREGNANCY_KEYS:
                answers[key] = QUESTIONS[key].baseline
        return answers

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        on = cleaned.get("on")
        # Screening would refuse these too, naming the answer key; here the
        # person gets a sentence in plain words beside the field instead.
        for key in self.asked:
            question, value = QUESTIONS[key], cleaned.get(key)
            if isinstance(value, dt.date) and on is not None and value > on:
                self.add_error(key, _("This date is after the procedure date."))
            elif (
                question.is_follow_up
                and value is None
                and key not in self.errors
                and question.applies_when is not None
                and question.applies_when.holds(cleaned)
            ):
                self.add_error(key, _("Please give this date as well."))
        if self.errors:
            return cleaned
        try:
            self.result = screen(self._answer_rules, self.answers(), on=cleaned["on"])
        except AnswerError as error:
            self.add_error(error.field if error.field in self.fields else None, str(error.message))
        return cleaned
