"""The patient's publication tick and the manager's pair form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from patients.models import Photo
from procedures.models import Procedure


class PublishPhotoForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    ticked = forms.BooleanField(
        label=_("I have read the text above and I allow this photo to be published."),
        required=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Allow publication"), css_class="btn-primary"))


def _fraction_field(label: Any, initial: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal(0),
        max_value=Decimal(1),
        max_digits=5,
        decimal_places=4,
        initial=Decimal(initial),
        help_text=_("A fraction of the picture, from 0 to 1."),
        widget=forms.NumberInput(attrs={"step": "0.0001"}),
    )


class PhotoChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        day = date_format(localtime(obj.uploaded_at), "SHORT_DATE_FORMAT")
        return f"{obj.get_kind_display()} · {day}"


class GalleryPairForm(forms.Form):
    procedure = forms.ModelChoiceField(label=_("Procedure"), queryset=Procedure.objects.none())
    before = PhotoChoiceField(
        label=_("Before photo"),
        queryset=Photo.objects.none(),
        widget=forms.RadioSelect,
        to_field_name="uuid",
    )
    after = PhotoChoiceField(
        label=_("After photo"),
        queryset=Photo.objects.none(),
        widget=forms.RadioSelect,
        to_field_name="uuid",
    )
    crop_x = _fraction_field(_("Region: left"), "0.1")
    crop_y = _fraction_field(_("Region: top"), "0.4")
    crop_width = _fraction_field(_("Region: width"), "0.8")
    crop_height = _fraction_field(_("Region: height"), "0.5")

    def __init__(
        self, *args: Any, photos: QuerySet[Photo], procedures: QuerySet[Procedure], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = procedures  # type: ignore[attr-defined]
        self.fields["before"].queryset = photos  # type: ignore[attr-defined]
        self.fields["after"].queryset = photos  # type: ignore[attr-defined]
