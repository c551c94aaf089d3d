"""The form of a session photo: one view's photo from the room, before or after."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from patients.models import Photo
from procedures.models import PhotoView

SESSION_KINDS = [
    (Photo.Kind.BEFORE.value, Photo.Kind.BEFORE.label),
    (Photo.Kind.AFTER.value, Photo.Kind.AFTER.label),
]


class SessionPhotoForm(forms.Form):
    """One photo of one view: the camera's picture, or a file chosen on the device."""

    view = forms.ModelChoiceField(
        label=_("View"), queryset=PhotoView.objects.none(), to_field_name="slug"
    )
    kind = forms.ChoiceField(
        label=_("Before or after"), choices=SESSION_KINDS, initial=Photo.Kind.BEFORE
    )
    image = forms.FileField(
        label=_("Photo"),
        # The browser's camera input: a phone or tablet opens its back camera.
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args: Any, views: list[PhotoView], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["view"])
        field.queryset = PhotoView.objects.filter(pk__in=[view.pk for view in views])
