"""Forms of the staff workspace: calendar navigation, booking from a free cell, move, cancel,
review decisions, the day sheet's choice of practitioner. Labels on every field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.edges import validate_day
from clinic.models import Practitioner
from patients.models import PatientProfile
from patients.workspace.selectors import BY_PRACTITIONER, BY_ROOM
from procedures.models import Procedure

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")


class CalendarForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), required=False, widget=DATE_WIDGET, validators=[validate_day]
    )
    view = forms.ChoiceField(
        label=_("View"),
        required=False,
        choices=[("day", _("Day")), ("week", _("Week"))],
    )
    by = forms.ChoiceField(
        label=_("Columns"),
        required=False,
        choices=[(BY_PRACTITIONER, _("By practitioner")), (BY_ROOM, _("By room"))],
    )
    resource = forms.IntegerField(label=_("Practitioner or room (week)"), required=False)


class CalendarBookForm(forms.Form):
    """Book from a free cell: the patient and the procedure; the time comes from the cell."""

    patient = forms.ModelChoiceField(
        label=_("Patient"),
        queryset=PatientProfile.objects.filter(erased_at__isnull=True).select_related("user"),
        widget=forms.RadioSelect,
    )
    procedure = forms.ModelChoiceField(
        label=_("Procedure"),
        queryset=Procedure.objects.filter(is_active=True),
        to_field_name="slug",
    )
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET, validators=[validate_day])
    time = forms.TimeField(label=_("Time"), widget=TIME_WIDGET)
    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"),
        queryset=Practitioner.objects.filter(is_active=True).select_related("user"),
        required=False,
        empty_label=_("Any practitioner"),
    )


class MoveForm(forms.Form):
    date = forms.DateField(label=_("New date"), widget=DATE_WIDGET, validators=[validate_day])
    time = forms.TimeField(label=_("New time"), widget=TIME_WIDGET)
    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"),
        queryset=Practitioner.objects.filter(is_active=True).select_related("user"),
        required=False,
        empty_label=_("Any practitioner"),
    )


class CancelWithReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class RadioSelectSomeDisabled(forms.RadioSelect):
    """Radio buttons some of which cannot be chosen (shown greyed out)."""

    disabled_values: frozenset[str] = frozenset()

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        if str(option["value"]) in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


class ReviewDecisionForm(forms.Form):
    APPROVE = "approve"
    DECLINE = "decline"
    INTAKE_UPDATE = "intake_update"
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=RadioSelectSomeDisabled,
        choices=[
            (APPROVE, _("Approve (with an optional note to the patient)")),
            (DECLINE, _("Decline (say why: the patient is offered a consultation)")),
            (INTAKE_UPDATE, _("Ask the patient to update the questionnaire")),
        ],
    )
    note = forms.CharField(
        label=_("Reason or note for the patient (the reception desk sees it too)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    clinical_note = forms.CharField(
        label=_("Clinical note (clinicians only)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, approve_blocked: str = "", **kwargs: Any) -> None:
        """`approve_blocked`: why approving is impossible now (an absolute code fires)."""
        super().__init__(*args, **kwargs)
        self.approve_blocked = approve_blocked
        if approve_blocked:
            self.fields["decision"].widget.disabled_values = frozenset({self.APPROVE})

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("decision") == self.APPROVE and self.approve_blocked:
            self.add_error("decision", self.approve_blocked)
        if cleaned.get("decision") == self.DECLINE and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Say why the booking is declined."))
        return cleaned


class DaySheetForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), required=False, widget=DATE_WIDGET, validators=[validate_day]
    )
    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"),
        queryset=Practitioner.objects.filter(is_active=True).select_related("user"),
        required=False,
    )


def combine(day: dt.date, time: dt.time, zone: dt.tzinfo) -> dt.datetime:
    """The aware start of a wall-clock date and time in the clinic's zone."""
    return dt.datetime.combine(day, time, tzinfo=zone)
