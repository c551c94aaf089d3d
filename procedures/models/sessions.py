"""Washout groups, the washout table and prerequisites, as data staff edit in the admin.

Domain rules implemented here (`rules-v2.md` sections 2 and 3):

- A washout group gathers procedures by the wound they leave (deep,
  fractional, focal, superficial, filler, light); a procedure belongs to at
  most one (`Procedure.washout_group`), the consultation to none.
- A washout row: after a session of the earlier group, a session of a
  *different procedure* of the later group, or of one named later procedure,
  needs at least `days` whole days; absolute rows block, relative ones need a
  practitioner's review. A row names a later group or a later procedure, never
  both; each (earlier, later, severity) is listed once, so "14 days absolute,
  then 182 days relative" for one pair are two rows.
- A prerequisite: a procedure needs a done session of another procedure between
  `min_days` and `max_days` days before its date (both included); one row per
  pair; a procedure never requires itself. `offer_slots` marks one the patient
  books at once (the consultation): a refusal offers that procedure's slots.
- Every change is kept with who made it and when (django-simple-history; the
  group's history is registered in `translation.py`, after its translated
  columns exist), and each change tells the portal to screen the booked
  appointments again (`procedures.signals.screening_rules_changed`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import Severity

__all__ = ["Prerequisite", "WashoutGroup", "WashoutRule"]


# The reverse manager `procedures` is built from Procedure's manager, whose class
# modeltranslation makes at run time (see Procedure.objects).
class WashoutGroup(models.Model):  # type: ignore[django-manager-missing]  # see above
    """Procedures that leave the same kind of wound, for the washout table."""

    if TYPE_CHECKING:
        # Added at run time by procedures/translation.py (see `Procedure`).
        objects: ClassVar[models.Manager[WashoutGroup]]
        name_en: str
        name_ru: str
        history: ClassVar[Any]

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ("display_order", "code")
        verbose_name = _("washout group")
        verbose_name_plural = _("washout groups")

    def __str__(self) -> str:
        return self.name or self.code


class WashoutRule(models.Model):
    """After a session of `earlier_group`, another procedure needs `days` days (one row)."""

    earlier_group = models.ForeignKey(
        WashoutGroup,
        on_delete=models.CASCADE,
        related_name="washouts_after",
        verbose_name=_("after a session of"),
    )
    later_group = models.ForeignKey(
        WashoutGroup,
        on_delete=models.CASCADE,
        related_name="washouts_before",
        null=True,
        blank=True,
        verbose_name=_("a session of the group"),
        help_text=_("Either a group or one procedure."),
    )
    later_procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.CASCADE,
        related_name="washouts_before",
        null=True,
        blank=True,
        verbose_name=_("or a session of the procedure"),
    )
    days = models.PositiveSmallIntegerField(
        _("needs at least (days)"), validators=[MinValueValidator(1)]
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Where the number comes from.")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ("earlier_group__display_order", "later_group__display_order", "days")
        verbose_name = _("washout")
        verbose_name_plural = _("washouts")
        constraints = [
            models.CheckConstraint(
                condition=(Q(later_group__isnull=False) & Q(later_procedure__isnull=True))
                | (Q(later_group__isnull=True) & Q(later_procedure__isnull=False)),
                name="washout_later_group_or_procedure",
            ),
            models.CheckConstraint(condition=Q(days__gt=0), name="washout_days_positive"),
            models.UniqueConstraint(
                fields=("earlier_group", "later_group", "severity"),
                condition=Q(later_group__isnull=False),
                name="washout_once_per_group_pair",
            ),
            models.UniqueConstraint(
                fields=("earlier_group", "later_procedure", "severity"),
                condition=Q(later_procedure__isnull=False),
                name="washout_once_per_group_and_procedure",
            ),
        ]

    def __str__(self) -> str:
        later = self.later_group if self.later_group_id else self.later_procedure
        return f"{self.earlier_group} → {later}: {self.days} ({self.severity})"

    def clean(self) -> None:
        if (self.later_group_id is None) == (self.later_procedure_id is None):
            raise ValidationError(
                {"later_group": _("Choose either a later group or one later procedure.")}
            )
        errors: dict[str, Any] = {}
        duplicates = WashoutRule.objects.exclude(pk=self.pk).filter(
            earlier_group_id=self.earlier_group_id, severity=self.severity
        )
        if self.later_group_id is not None:
            duplicates = duplicates.filter(later_group_id=self.later_group_id)
        else:
            duplicates = duplicates.filter(later_procedure_id=self.later_procedure_id)
        if self.earlier_group_id is not None and duplicates.exists():
            errors["days"] = _("This pair already has a washout of this severity.")
        if errors:
            raise ValidationError(errors)


class Prerequisite(models.Model):
    """`procedure` needs a done session of `requires` between min and max days before."""

    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.CASCADE,
        related_name="prerequisites",
        verbose_name=_("procedure"),
    )
    requires = models.ForeignKey(
        "procedures.Procedure",
        # Refused alone (the consultation others need), allowed with everything that needs it.
        on_delete=models.RESTRICT,
        related_name="required_by",
        verbose_name=_("requires a done session of"),
    )
    min_days = models.PositiveSmallIntegerField(
        _("from (days before)"), default=0, help_text=_("0: the same day counts.")
    )
    max_days = models.PositiveSmallIntegerField(
        _("to (days before)"), help_text=_("Included: 364 means “less than a year”.")
    )
    offer_slots = models.BooleanField(
        _("offer its times when missing"),
        default=False,
        help_text=_("The refusal offers this procedure's free times (a consultation)."),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ("procedure__display_order", "requires__display_order")
        verbose_name = _("prerequisite")
        verbose_name_plural = _("prerequisites")
        constraints = [
            models.UniqueConstraint(
                fields=("procedure", "requires"), name="prerequisite_once_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(min_days__lte=F("max_days")), name="prerequisite_min_lte_max"
            ),
            models.CheckConstraint(
                condition=~Q(procedure=F("requires")), name="prerequisite_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure} → {self.requires} ({self.min_days}-{self.max_days})"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.procedure_id is not None and self.procedure_id == self.requires_id:
            errors["requires"] = _("A procedure cannot require itself.")
        if (
            self.min_days is not None
            and self.max_days is not None
            and self.min_days > self.max_days
        ):
            errors["max_days"] = _("The upper bound cannot be below the lower bound.")
        if errors:
            raise ValidationError(errors)
