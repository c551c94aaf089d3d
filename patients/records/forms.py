"""Forms of the patient's side. They parse and check input; services decide.

The intake form is built from `procedures.intake.QUESTIONS`, one section per
question group, every question with its help text. Server-side rules (the
form also works without JavaScript; `static/js/intake.js` only hides what does
not apply):
- yes/no questions are explicit radio buttons: an unanswered health question
  is an error, never a silent "no";
- the pregnancy group is required of female patients and ignored (baseline
  answers) for everyone else;
- a follow-up date is required when it applies (isotretinoin "stopped",
  collagen skin test done) and dropped when it does not;
- no date may lie in the future.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from clinic.models import User
from patients.messaging import send_templated_email
from patients.models import Photo
from procedures.errors import DomainError
from procedures.intake import GROUPS, QUESTIONS, Kind, Question

YES, NO = "yes", "no"
YES_NO = ((YES, _("Yes")), (NO, _("No")))
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _no_future(value: dt.date | None) -> None:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future. Please check it."))


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: on the field it names, else above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


def _submit(label: Any) -> Submit:
    return Submit("submit", label, css_class="btn-primary")


# --- accounts --------------------------------------------------------------------------------


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Password")
        self.helper = FormHelper()
        self.helper.add_input(_submit(_("Log in")))


class RegistrationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    phone = PhoneNumberField(
        label=_("Phone"), help_text=_("So we can reach you about your visits.")
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"), widget=DATE_WIDGET, validators=[_no_future]
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=settings.LANGUAGES,
        help_text=_("We write every e-mail to you in this language."),
    )
    consent_text = forms.IntegerField(widget=forms.HiddenInput)
    consent_full_name = forms.CharField(
        label=_("Your full name, as a signature"),
        max_length=200,
        help_text=_("Typing your name signs the consent above."),
    )
    consent_ticked = forms.BooleanField(
        label=_(
            "I have read the text above and consent to the processing of my personal "
            "and health data."
        ),
        required=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_email(self) -> str:
        # Whether the address has an account is not said here (the view answers the same
        # either way and tells the owner by e-mail): a stranger learns nothing from it.
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            probe = User(
                email=cleaned.get("email") or "",
                first_name=cleaned.get("first_name") or "",
                last_name=cleaned.get("last_name") or "",
            )
            try:
                validate_password(password1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    phone = PhoneNumberField(label=_("Phone"))
    date_of_birth = forms.DateField(
        label=_("Date of birth"), widget=DATE_WIDGET, required=False, validators=[_no_future]
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=settings.LANGUAGES,
        help_text=_("We write every e-mail to you in this language."),
    )
    recalls_opt_out = forms.BooleanField(
        label=_("Do not invite me back for repeat treatments"),
        required=False,
        help_text=_(
            "Invitations such as “your filler can be repeated now”. Messages about your "
            "appointments and courses are always sent."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(_submit(_("Save")))


class LocalisedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the e-mail is in the user's language, HTML and text."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        send_templated_email(user=context["user"], template="password_reset", context=context)


# --- intake ----------------------------------------------------------------------------------


def _field_for(question: Question) -> forms.Field:
    common: dict[str, Any] = {"label": question.label, "help_text": question.help_text}
    kind = question.kind
    if kind is Kind.BOOL:
        return forms.TypedChoiceField(
            choices=YES_NO,
            coerce=lambda value: value == YES,
            widget=forms.RadioSelect,
            required=question.applies_when is None,
            empty_value=None,
            **common,
        )
    if kind is Kind.DATE or kind is Kind.OPTIONAL_DATE:
        return forms.DateField(
            widget=DATE_WIDGET,
            required=kind is Kind.DATE and question.applies_when is None,
            validators=[_no_future],
            **common,
        )
    if kind is Kind.CHOICE:
        return forms.ChoiceField(
            choices=question.choices,
            widget=forms.RadioSelect,
            required=question.applies_when is None,
            **common,
        )
    if kind is Kind.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            choices=question.choices,
            widget=forms.CheckboxSelectMultiple,
            required=False,
            **common,
        )
    return forms.CharField(required=False, max_length=question.max_length, **common)


def _shown_when(key: str, values: tuple[str, ...], *fields: Any) -> Div:
    """A block that intake.js hides unless the answer to `key` is one of `values`."""
    return Div(
        *fields,
        css_class="intake-conditional",
        data_show_key=key,
        data_show_values=" ".join(values),
    )


class IntakeForm(forms.Form):
    """Every intake question, in sections; `answers()` returns what the service takes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in QUESTIONS.values():
            self.fields[question.key] = _field_for(question)
        self.helper = FormHelper()
        self.helper.form_id = "intake-form"
        self.helper.attrs = {"novalidate": ""}
        sections = []
        for group, title in GROUPS.items():
            items: list[Any] = []
            for question in QUESTIONS.values():
                if question.group != group:
                    continue
                if question.is_follow_up:
                    condition = question.applies_when
                    if condition is None:  # is_follow_up implies a condition
                        raise ValueError(question.key)
                    items.append(
                        _shown_when(
                            condition.key,
                            tuple(sorted(condition.values)),
                            InlineRadios(question.key)
                            if question.kind is Kind.BOOL
                            else question.key,
                        )
                    )
                elif question.key.endswith("_which"):
                    items.append(
                        _shown_when(question.key.removesuffix("_which"), (YES,), question.key)
                    )
                elif question.kind is Kind.BOOL:
                    items.append(InlineRadios(question.key))
                else:
                    items.append(question.key)
            if not items:
                continue
            fieldset = Fieldset(title, *items, css_class="mb-4")
            if group == "pregnancy":
                note = HTML(
                    '<p class="text-muted small">'
                    + escape(str(_("Only for female patients; others may skip this section.")))
                    + "</p>"
                )
                sections.append(_shown_when("sex", ("female",), Fieldset(title, note, *items)))
            else:
                sections.append(fieldset)
        self.helper.layout = Layout(*sections)
        self.helper.add_input(_submit(_("Save my answers")))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        sex = cleaned.get("sex")
        for question in QUESTIONS.values():
            key = question.key
            condition = question.applies_when
            if condition is None:
                continue
            if key in self.errors:
                continue
            applies = condition.holds(cleaned)
            if question.if_not_applicable == "baseline" and sex is not None and sex != "female":
                # The pregnancy group is not asked of this patient: baseline answers.
                cleaned.pop(key, None)
                continue
            value = cleaned.get(key)
            if not applies:
                cleaned.pop(key, None)
                continue
            if value in (None, ""):
                self.add_error(key, self._required_message(question))
        for flag in ("photosensitising_drugs", "blood_thinners"):
            if cleaned.get(flag) is False:
                cleaned[f"{flag}_which"] = ""
        return cleaned

    @staticmethod
    def _required_message(question: Question) -> Any:
        if question.key == "isotretinoin_stopped_on":
            return _("Give the date of the last dose, as close as you remember.")
        if question.key == "collagen_skin_test_read_on":
            return _("Give the date the skin test was read.")
        return _("Please answer this question.")

    def answers(self) -> dict[str, Any]:
        """The cleaned answers in the types `validate_answers` takes."""
        out: dict[str, Any] = {}
        for key, question in QUESTIONS.items():
            if key not in self.cleaned_data:
                continue
            value = self.cleaned_data[key]
            if question.kind is Kind.MULTI_CHOICE:
                value = frozenset(value or ())
            out[key] = value
        return out

    @staticmethod
    def initial_from(answers: dict[str, Any]) -> dict[str, Any]:
        """Form initial data from stored (JSON) answers."""
        initial: dict[str, Any] = {}
        for key, value in answers.items():
            question = QUESTIONS.get(key)
            if question is None:
                continue
            if question.kind is Kind.BOOL:
                initial[key] = YES if value else NO
            else:
                initial[key] = value
        return initial


def scar_types_field() -> forms.MultipleChoiceField:
    """The clinician-confirmed scar types, as the intake review and the scar grading ask them."""
    return forms.MultipleChoiceField(
        label=QUESTIONS["scar_types"].label,
        choices=QUESTIONS["scar_types"].choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class ClinicalReviewForm(forms.Form):
    """A practitioner confirms or corrects phototype and scar types."""

    fitzpatrick = forms.ChoiceField(
        label=QUESTIONS["fitzpatrick"].label,
        choices=QUESTIONS["fitzpatrick"].choices,
        widget=forms.RadioSelect,
    )
    scar_types = scar_types_field()
    reason = forms.CharField(
        label=_("Reason for a correction"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
        help_text=_("Required when you change an answer; optional when you confirm it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page wraps it, with the review URL as action
        self.helper.add_input(_submit(_("Confirm or correct")))


# --- consent, photos, privacy ------------------------------------------------------------------


class ConsentSignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    full_name = forms.CharField(
        label=_("Your full name, as a signature"),
        max_length=200,
        help_text=_("Type your first and last name as in your passport."),
    )
    ticked = forms.BooleanField(
        label=_("I have read and understood the text above and I agree."), required=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(_submit(_("Sign")))


class TabletSignForm(forms.Form):
    """A consent signed on the clinic tablet: typed name, tick and the drawn signature
    (the canvas's PNG as a data URL, filled in by the page's script)."""

    CHANGED = _("The text has changed since you opened it. Please read it again.")

    kind = forms.CharField(widget=forms.HiddenInput, max_length=40)
    version = forms.IntegerField(widget=forms.HiddenInput)
    full_name = forms.CharField(
        label=_("Your full name, as a signature"),
        max_length=200,
        help_text=_("Type your first and last name as in your passport."),
    )
    ticked = forms.BooleanField(
        label=_("I have read and understood the text above and I agree."), required=True
    )
    drawing = forms.CharField(
        widget=forms.HiddenInput,
        max_length=500_000,
        error_messages={"required": _("Please sign with your finger in the box.")},
    )


class PhotoUploadForm(forms.Form):
    image = forms.FileField(
        label=_("Photo"),
        help_text=_("A JPEG, PNG or WebP picture, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("For example: left cheek, in daylight."),
    )

    def __init__(self, *args: Any, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff:
            self.fields["kind"] = forms.ChoiceField(
                label=_("What the photo shows"),
                choices=Photo.Kind.choices,
                initial=Photo.Kind.BEFORE,
                widget=forms.RadioSelect,
            )
        self.helper = FormHelper()
        self.helper.attrs = {"enctype": "multipart/form-data"}
        self.helper.add_input(_submit(_("Upload")))


class ErasureRequestForm(forms.Form):
    note = forms.CharField(
        label=_("Anything you want to tell us (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account will be closed and my photos deleted."),
        required=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = reverse_lazy("patients:privacy-erase")
        self.helper.add_input(Submit("submit", _("Ask for erasure"), css_class="btn-danger"))
