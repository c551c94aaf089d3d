"""Choices shared by the catalogue's rule tables."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Severity"]


class Severity(models.TextChoices):
    """Whether a fired rule blocks the procedure or asks for a practitioner's review."""

    ABSOLUTE = "absolute", _("Absolute: not possible")
    RELATIVE = "relative", _("Relative: a practitioner reviews")
