"""Forms of the self-assessment and of the outcomes report. They parse input; services decide.

- The self-assessment: two ratings, whole numbers 0-10, both needed (a page with one
  answer missing says which).
- The outcomes report's period: a from and a to date (the last 365 days by default),
  the from date not after the to date and neither in the future; anything else is a
  form error naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models.self_assessment import RATING_MAX

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

RATINGS = [(value, str(value)) for value in range(RATING_MAX + 1)]
DEFAULT_REPORT_DAYS = 365
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _rating(label: StrOrPromise) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose a number from 0 to 10.")},
    )


class SelfAssessmentForm(forms.Form):
    bother = _rating(_("How much do your scars bother you now?"))
    satisfaction = _rating(_("How satisfied are you with the change?"))


class OutcomesPeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=_DATE, required=False)
    end = forms.DateField(label=_("To"), widget=_DATE, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        today = timezone.localdate()
        for name in ("start", "end"):
            day = data.get(name)
            if isinstance(day, dt.date) and day > today:
                self.add_error(name, _("This date is in the future."))
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            self.add_error("end", _("The end of the period is before its start."))
        return data

    def period(self) -> tuple[dt.date, dt.date]:
        """The chosen period, both days included; call after `is_valid()`."""
        data = self.cleaned_data if self.is_bound and not self.errors else {}
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_REPORT_DAYS)
        return start, end
