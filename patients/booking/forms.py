"""Forms of the booking pages (patients online, receptionists at the desk).

They parse and check input; the booking services decide. A slot travels between
pages as its start (ISO 8601 with the UTC offset, as the pages print it) and its
practitioner's id; anything else is an error naming the field (HTTP 400).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from clinic.availability import Policy
from clinic.edges import validate_day, validate_moment
from clinic.models import Practitioner
from patients.booking.errors import booked_at_most_days_ahead
from patients.models import OutboxMessage
from procedures.errors import lazy_interpolate
from procedures.models import Procedure

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RANGE_CHOICES = (
    ("1", _("that day")),
    ("3", _("3 days")),
    ("7", _("a week")),
    ("14", _("two weeks")),
)
MAX_COURSE_SESSIONS = 10


class AwareDateTimeField(forms.CharField):
    """A date and time in ISO 8601 with its UTC offset (what the slot links carry)."""

    default_error_messages = {
        "invalid": _("Give the time as an ISO 8601 date and time with its UTC offset."),
    }
    default_validators = [validate_moment]

    def to_python(self, value: Any) -> dt.datetime | None:  # type: ignore[override]  # text in, time out
        text = super().to_python(value)
        if not text:
            return None
        try:
            moment = dt.datetime.fromisoformat(text.replace(" ", "+"))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if timezone.is_naive(moment):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return moment


def _practitioner_choices(practitioners: Iterable[Practitioner]) -> list[tuple[str, str]]:
    return [("", str(_("Any practitioner")))] + [(str(p.pk), str(p)) for p in practitioners]


class MonthForm(forms.Form):
    """Which month the booking page's calendar shows (`?month=2026-06`, a GET form)."""

    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"], required=False)


class DateRangeForm(forms.Form):
    """Which days to show free times for, and optionally with whom (a GET form)."""

    date = forms.DateField(label=_("From"), widget=DATE_WIDGET, validators=[validate_day])
    days = forms.TypedChoiceField(
        label=_("Show"), choices=RANGE_CHOICES, coerce=int, initial="3", required=False
    )
    practitioner = forms.TypedChoiceField(
        label=_("Practitioner"), required=False, coerce=int, empty_value=None
    )

    def __init__(
        self, *args: Any, practitioners: Iterable[Practitioner] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["practitioner"]).choices = _practitioner_choices(
            practitioners
        )
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "booking-range mb-3"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("date", css_class="col-sm-4"),
                Column("days", css_class="col-sm-3"),
                Column("practitioner", css_class="col-sm-5"),
            )
        )
        self.helper.add_input(Submit("", _("Show free times"), css_class="btn-primary"))

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later date."), code="past")
        policy = Policy.from_settings()
        if day > policy.last_day(timezone.now()):
            raise forms.ValidationError(
                lazy_interpolate(
                    booked_at_most_days_ahead(policy.max_days_ahead),
                    {"days": policy.max_days_ahead},
                ),
                code="too_far",
            )
        return day

    def clean_days(self) -> int:
        return self.cleaned_data.get("days") or 3


class SlotForm(forms.Form):
    """One chosen slot: its start and (optionally) its practitioner."""

    start = AwareDateTimeField(label=_("Start"))
    practitioner = forms.IntegerField(label=_("Practitioner"), required=False, min_value=1)

    def __init__(self, *args: Any, practitioners: Iterable[Practitioner] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._practitioners = {p.pk: p for p in practitioners}

    def clean_practitioner(self) -> Practitioner | None:
        pk = self.cleaned_data.get("practitioner")
        if pk is None:
            return None
        practitioner = self._practitioners.get(pk)
        if practitioner is None:
            raise forms.ValidationError(
                _("This practitioner does not perform this procedure."), code="not_qualified"
            )
        return practitioner


class CourseForm(SlotForm):
    """A whole course from a first slot: how many sessions."""

    sessions = forms.IntegerField(
        label=_("Number of sessions"), min_value=1, max_value=MAX_COURSE_SESSIONS
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you cancelling? (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WaitlistForm(forms.Form):
    """Tell me if a time frees up for this procedure between two dates."""

    from_date = forms.DateField(label=_("From"), widget=DATE_WIDGET, validators=[validate_day])
    to_date = forms.DateField(label=_("Until"), widget=DATE_WIDGET, validators=[validate_day])
    practitioner = forms.TypedChoiceField(
        label=_("Practitioner"), required=False, coerce=int, empty_value=None
    )

    def __init__(
        self, *args: Any, practitioners: Iterable[Practitioner] = (), **kwargs: Any
    ) -> None:
        # Its own ids: the booking page shows it beside the slot form, which has a
        # "practitioner" too, and a label must point at one field only.
        kwargs.setdefault("auto_id", "id_waitlist_%s")
        super().__init__(*args, **kwargs)
        self._practitioners = {p.pk: p for p in practitioners}
        cast(forms.ChoiceField, self.fields["practitioner"]).choices = _practitioner_choices(
            self._practitioners.values()
        )
        for name, css in (("from_date", "form-control"), ("to_date", "form-control")):
            self.fields[name].widget.attrs["class"] = css
        self.fields["practitioner"].widget.attrs["class"] = "form-select"

    def clean_practitioner(self) -> Practitioner | None:
        pk = self.cleaned_data.get("practitioner")
        return self._practitioners.get(pk) if pk is not None else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("from_date"), cleaned.get("to_date")
        if start and end and end < start:
            self.add_error("to_date", _("The end of the range cannot be before its start."))
        return cleaned


# --- the desk -------------------------------------------------------------------------------


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a patient"),
        max_length=100,
        required=False,
        help_text=_("Name, e-mail address or phone number."),
    )


class DeskSearchForm(forms.Form):
    """The desk's choice: a procedure, a day and how many days (patient in the URL)."""

    procedure = forms.ModelChoiceField(
        label=_("Procedure"), queryset=Procedure.objects.none(), to_field_name="slug"
    )
    date = forms.DateField(label=_("From"), widget=DATE_WIDGET, validators=[validate_day])
    days = forms.TypedChoiceField(
        label=_("Show"), choices=RANGE_CHOICES, coerce=int, initial="1", required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["procedure"]).queryset = Procedure.objects.filter(
            is_active=True
        ).order_by("display_order", "slug")

    def clean_days(self) -> int:
        return self.cleaned_data.get("days") or 1


class DeskSlotForm(SlotForm):
    """The desk books or moves: the slot plus the procedure (by slug)."""

    procedure = forms.ModelChoiceField(
        label=_("Procedure"), queryset=Procedure.objects.none(), to_field_name="slug"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["procedure"]).queryset = Procedure.objects.filter(
            is_active=True
        )


class DeskNewPatientForm(forms.Form):
    """A first-time caller or walk-in: who they are and how to reach them."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    phone = PhoneNumberField(
        label=_("Phone"), help_text=_("Any spelling: +7 911 123-45-67, 8 911 1234567...")
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("Optional: the invitation to set a password is sent there."),
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DATE_WIDGET)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=())
    another_person = forms.BooleanField(
        label=_("This is another person with the same phone"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["preferred_language"]).choices = list(
            settings.LANGUAGES
        )

    def clean_phone(self) -> str:
        return str(self.cleaned_data["phone"].as_e164)

    def clean_date_of_birth(self) -> dt.date:
        born: dt.date = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        return born


class DeskTabletForm(forms.Form):
    """Which consents the clinic tablet asks (the data-processing one is always asked)."""

    kinds = forms.MultipleChoiceField(
        label=_("Consents to sign on the tablet"),
        choices=Procedure.Category.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class GuestForm(DeskNewPatientForm):
    """A guest booking a consultation: who they are, and where the code goes."""

    email = forms.EmailField(label=_("E-mail address"))
    code_channel = forms.ChoiceField(
        label=_("Send the confirmation code"),
        choices=[
            (OutboxMessage.Channel.SMS, _("By text message to my phone")),
            (OutboxMessage.Channel.EMAIL, _("By e-mail")),
        ],
        initial=OutboxMessage.Channel.SMS,
        widget=forms.RadioSelect,
    )
    another_person = None  # type: ignore[assignment]


class GuestCodeForm(forms.Form):
    """The code the guest received."""

    code = forms.CharField(
        label=_("Confirmation code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
