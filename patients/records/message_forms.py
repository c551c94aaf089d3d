"""The form for which channels the patient's messages take (the patient's and the desk's)."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from patients.records.services.preferences import CHANNEL_CHOICES

LABELS = {
    "email": _("E-mail"),
    "sms": _("SMS"),
    "both": _("E-mail and SMS"),
    "off": _("Off"),
}


def _field(group: str, label: Any, help_text: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        choices=[(value, LABELS[value]) for value in CHANNEL_CHOICES[group]],
        widget=forms.RadioSelect,
    )


class MessagePreferencesForm(forms.Form):
    appointments = _field(
        "appointments",
        _("Appointments"),
        _("Confirmations, changes and reminders: always at least one way."),
    )
    care = _field("care", _("Care instructions"), _("How to prepare for a visit and after it."))
    recalls = _field(
        "recalls", _("Invitations to come back"), _("When your next session can be booked.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save"), css_class="btn-primary"))
