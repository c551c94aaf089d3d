"""Care instructions: what the patient does before and after a procedure, and on which day.

Domain rules (issue #19, "care instructions on the right day"):
- An instruction belongs to one procedure and falls `offset_days` local days
  from the appointment's day (negative: before it; 0: the day itself); staff
  edit them in the admin, the catalogue's defaults come with a data migration.
- Pre-care instructions ask the patient to acknowledge them (one tap); the
  practitioner's day sheet shows who did.
- `only_with_herpes_history`: sent only to a patient whose questionnaire says
  `herpes_history` (recurring cold sores), e.g. "start the antiviral".
- The text is in English and Russian (`text_en`, `text_ru`, see translation.py);
  it is the message's body only: subject lines and texts never name it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["CareInstruction"]


class CareInstruction(models.Model):
    """One timed instruction of a procedure, e.g. "SPF 50 for 10 days" the day after."""

    if TYPE_CHECKING:
        # Added at run time by procedures/translation.py.
        objects: ClassVar[models.Manager[CareInstruction]]
        text_en: str
        text_ru: str

    class Kind(models.TextChoices):
        PRE = "pre", _("Pre-care")
        AFTER = "after", _("After-care")

    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.CASCADE,
        related_name="+",  # translated: its manager is made at run time (see WashoutGroup)
        verbose_name=_("procedure"),
    )
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    offset_days = models.SmallIntegerField(
        _("day"),
        help_text=_("Days from the appointment's day: negative before it, 0 the day itself."),
    )
    text = models.TextField(_("text"))
    only_with_herpes_history = models.BooleanField(
        _("only with a herpes history"),
        default=False,
        help_text=_("Sent only to patients who answered that they have recurring cold sores."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ("procedure", "offset_days", "pk")
        verbose_name = _("care instruction")
        verbose_name_plural = _("care instructions")

    def __str__(self) -> str:
        return f"{self.procedure}: {self.offset_days:+d}"
