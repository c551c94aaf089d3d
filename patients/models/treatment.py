"""The treatment record: what was done in the chair, zone by zone, and who signed it.

Domain rules (issue #17, the services in `patients.records.treatment` enforce them):
- One chart (`TreatmentVisit`) per appointment, opened once the patient is checked in.
  A visit holds one or more procedures (`TreatmentProcedure`): the appointment's own,
  and any done in the same visit (TCA CROSS after subcision), each screened like a
  booking when it is added.
- What a procedure records is data a manager edits: its `ParameterSchema`, a list of
  `ParameterDefinition` rows (name in both languages, kind, unit, range, required,
  per zone or per session). A procedure of a chart keeps a copy of the schema as it
  stood when it was added (django-oscar's rule: later edits never rewrite history).
- Per-session values live on the procedure, per-zone values on its `TreatmentZone`
  rows (one per named zone of the face map); a value outside its range is kept only
  with a reason, stored beside it.
- A signed chart (`signed_at`, `signed_by`) is read-only; a later change is a
  `ChartAddendum` (who, when, why). Later features hang off the visit (outcome grades
  and session photos of #18) and add conditions to "can this chart be signed?".
- Nothing here is ever deleted: every foreign key protects, the managers refuse
  deletes, and the admin offers none. An erasure request locks the patient's record
  (`RecordLock`) for the retention period instead.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .intake import ImmutableRowError
from .privacy import ErasureRequest
from .profile import PatientProfile


def _in_language(english: str, russian: str) -> str:
    if (get_language() or "en").startswith("ru") and russian:
        return russian
    return english


class RecordQuerySet(models.QuerySet[Any]):
    """Rows of the medical record: a bulk delete is refused like a single one."""

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRowError("The treatment record is never deleted.")


class UndeletableModel(models.Model):
    objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableRowError("The treatment record is never deleted.")


class FaceZone(models.TextChoices):
    """The named zones of the face map, in the order the chart lists them."""

    FOREHEAD = "forehead", _("Forehead")
    TEMPLES = "temples", _("Temples")
    CHEEK_LEFT = "cheek_left", _("Left cheek")
    CHEEK_RIGHT = "cheek_right", _("Right cheek")
    NOSE = "nose", _("Nose")
    PERIORAL = "perioral", _("Perioral area")
    CHIN = "chin", _("Chin")
    JAWLINE_LEFT = "jawline_left", _("Left jawline")
    JAWLINE_RIGHT = "jawline_right", _("Right jawline")
    NECK = "neck", _("Neck")


# --- the schemas -------------------------------------------------------------------------


class ParameterKind(models.TextChoices):
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Choice")
    TEXT = "text", _("Text")
    BOOLEAN = "boolean", _("Yes or no")


class ParameterScope(models.TextChoices):
    PER_ZONE = "zone", _("For each zone")
    PER_SESSION = "session", _("Once for the session")


class Unit(models.TextChoices):
    """Units a parameter is measured in; the label is what the chart shows beside values."""

    MJ = "mJ", _("mJ")
    J_CM2 = "J/cm2", _("J/cm²")
    PERCENT = "%", "%"
    MM = "mm", _("mm")
    ML = "ml", _("ml")
    MIN = "min", _("min")
    SECONDS = "s", _("s")
    MS = "ms", _("ms")
    NM = "nm", _("nm")
    GAUGE = "G", _("G")
    MICROAMPERE = "uA", _("µA")
    HZ = "Hz", _("Hz")
    KHZ = "kHz", _("kHz")
    UG_ML = "ug/ml", _("µg/ml")
    KPA = "kPa", _("kPa")
    LEVEL = "level", _("level")
    COUNT = "count", _("count")
    PASSES = "passes", _("passes")
    LAYERS = "layers", _("layers")
    PULSES = "pulses", _("pulses")


class ParameterSchema(models.Model):
    """What a chart records for one procedure; managers edit it in the admin."""

    # Configuration, not record: a procedure never charted may be deleted with its schema
    # (a charted one cannot: its charts protect it).
    procedure = models.OneToOneField(
        "procedures.Procedure",
        on_delete=models.CASCADE,
        related_name="parameter_schema",
        verbose_name=_("procedure"),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Grows by one on every edit.")
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("parameter schema")
        verbose_name_plural = _("parameter schemas")
        ordering = ("procedure__display_order", "procedure__slug")

    def __str__(self) -> str:
        return str(self.procedure)

    def snapshot(self) -> list[dict[str, Any]]:
        """The definitions as plain data, as a chart keeps them (uses a prefetch if any)."""
        return [definition.as_dict() for definition in self.definitions.all()]


parameter_key_validator = RegexValidator(
    r"^[a-z][a-z0-9_]*$", _("Use lower-case letters, digits and underscores, e.g. energy_mj.")
)


class ParameterDefinition(models.Model):
    """One parameter of a procedure's schema: its name, kind, unit, range and scope."""

    schema = models.ForeignKey(
        ParameterSchema,
        on_delete=models.CASCADE,
        related_name="definitions",
        verbose_name=_("schema"),
    )
    key = models.CharField(_("key"), max_length=40, validators=[parameter_key_validator])
    label_en = models.CharField(_("name (English)"), max_length=100)
    label_ru = models.CharField(_("name (Russian)"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ParameterKind.choices)
    scope = models.CharField(_("recorded"), max_length=10, choices=ParameterScope.choices)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, blank=True)
    minimum = models.DecimalField(
        _("lowest usual value"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    maximum = models.DecimalField(
        _("highest usual value"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    decimal_places = models.PositiveSmallIntegerField(
        _("decimal places"), default=2, help_text=_("0 for whole numbers.")
    )
    choices = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For a choice: a list of {"value": ..., "en": ..., "ru": ...}.'),
    )
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("parameter")
        verbose_name_plural = _("parameters")
        ordering = ("schema", "position", "pk")
        constraints = [
            models.UniqueConstraint(fields=["schema", "key"], name="parameter_key_once_per_schema"),
            models.CheckConstraint(
                condition=Q(minimum__isnull=True)
                | Q(maximum__isnull=True)
                | Q(minimum__lte=F("maximum")),
                name="parameter_minimum_lte_maximum",
            ),
            models.CheckConstraint(
                condition=Q(decimal_places__lte=3), name="parameter_at_most_three_decimals"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _in_language(self.label_en, self.label_ru)

    def clean(self) -> None:
        errors: dict[str, list[Any]] = {}
        if self.kind != ParameterKind.NUMBER:
            for name in ("minimum", "maximum", "unit"):
                if getattr(self, name) not in (None, ""):
                    errors.setdefault(name, []).append(
                        ValidationError(_("Only a number has a range and a unit."), code="number")
                    )
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            errors.setdefault("maximum", []).append(
                ValidationError(
                    _("The highest value cannot be below the lowest."), code="min_gt_max"
                )
            )
        if self.kind == ParameterKind.CHOICE:
            if not _valid_choices(self.choices):
                errors.setdefault("choices", []).append(
                    ValidationError(
                        _('Give at least one choice as {"value": ..., "en": ..., "ru": ...}.'),
                        code="invalid_choices",
                    )
                )
        elif self.choices:
            errors.setdefault("choices", []).append(
                ValidationError(_("Only a choice has choices."), code="not_choice")
            )
        if errors:
            raise ValidationError(errors)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the chart's copy and for `records.treatment.parameters`."""
        return {
            "key": self.key,
            "label_en": self.label_en,
            "label_ru": self.label_ru,
            "kind": self.kind,
            "scope": self.scope,
            "unit": self.unit,
            "minimum": None if self.minimum is None else str(self.minimum.normalize()),
            "maximum": None if self.maximum is None else str(self.maximum.normalize()),
            "decimal_places": self.decimal_places,
            "choices": list(self.choices or []),
            "required": self.required,
        }


def _valid_choices(choices: Any) -> bool:
    if not isinstance(choices, list) or not choices:
        return False
    values = []
    for choice in choices:
        if not isinstance(choice, dict) or not isinstance(choice.get("value"), str):
            return False
        if not choice["value"] or not isinstance(choice.get("en"), str):
            return False
        values.append(choice["value"])
    return len(set(values)) == len(values)


# --- the chart of a visit ------------------------------------------------------------------


class Anaesthesia(models.TextChoices):
    NONE = "none", _("None")
    TOPICAL = "topical", _("Topical")
    LOCAL = "local", _("Local (injected)")


class PrecareCheck(models.TextChoices):
    """The pre-care checked in the room before the procedure starts."""

    RETINOIDS_STOPPED = "retinoids_stopped", _("Retinoids and acids stopped as instructed")
    ANTIVIRAL_STARTED = "antiviral_started", _("Antiviral prophylaxis started (where prescribed)")
    NO_RECENT_TAN = "no_recent_tan", _("No tan or sunburn on the area")
    SKIN_CLEANSED = "skin_cleansed", _("Make-up removed, skin cleansed")


class PrecareAnswer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NOT_APPLICABLE = "na", _("Not applicable")


class Erythema(models.TextChoices):
    NONE = "none", _("None")
    MILD = "mild", _("Mild")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")


class Frosting(models.TextChoices):
    NONE = "none", _("None")
    LEVEL_1 = "1", _("Level I (patchy, light)")
    LEVEL_2 = "2", _("Level II (even white, pink below)")
    LEVEL_3 = "3", _("Level III (solid white)")


class Bleeding(models.TextChoices):
    NONE = "none", _("None")
    PINPOINT = "pinpoint", _("Pinpoint")
    MODERATE = "moderate", _("Moderate")
    HEAVY = "heavy", _("Heavy")


class TreatmentVisit(UndeletableModel):
    """The chart of one visit: the appointment's session in the chair."""

    appointment = models.OneToOneField(
        "patients.Appointment",
        on_delete=models.PROTECT,
        related_name="treatment_visit",
        verbose_name=_("appointment"),
    )
    patient = models.ForeignKey(
        PatientProfile,
        on_delete=models.PROTECT,
        related_name="treatment_visits",
        verbose_name=_("patient"),
    )
    practitioner = models.ForeignKey(
        "clinic.Practitioner",
        on_delete=models.PROTECT,
        related_name="treatment_visits",
        verbose_name=_("practitioner"),
    )
    session_on = models.DateField(
        _("session date"), help_text=_("The clinic's local date of the appointment.")
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    anaesthesia = models.CharField(
        _("anaesthesia"), max_length=10, choices=Anaesthesia.choices, default=Anaesthesia.NONE
    )
    precare = models.JSONField(
        _("pre-care checked"),
        default=dict,
        blank=True,
        help_text=_("Each pre-care check with yes, no or not applicable."),
    )
    erythema = models.CharField(_("erythema"), max_length=10, choices=Erythema.choices, blank=True)
    frosting = models.CharField(_("frosting"), max_length=10, choices=Frosting.choices, blank=True)
    bleeding = models.CharField(_("bleeding"), max_length=10, choices=Bleeding.choices, blank=True)
    aftercare_given = models.TextField(_("after-care given"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by"),
    )

    class Meta:
        verbose_name = _("treatment chart")
        verbose_name_plural = _("treatment charts")
        ordering = ("-session_on", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True, signed_by__isnull=True)
                | Q(signed_at__isnull=False, signed_by__isnull=False),
                name="treatment_visit_signed_by_and_at",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "session_on"], name="treatment_visit_patient_idx"),
            models.Index(fields=["session_on"], name="treatment_visit_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.patient} — {self.session_on:%Y-%m-%d}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class TreatmentProcedure(UndeletableModel):
    """One procedure done in a visit, with the schema it was charted against."""

    visit = models.ForeignKey(
        TreatmentVisit,
        on_delete=models.PROTECT,
        related_name="procedures",
        verbose_name=_("chart"),
    )
    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("procedure"),
    )
    procedure_name_en = models.CharField(_("procedure name (English)"), max_length=150)
    procedure_name_ru = models.CharField(_("procedure name (Russian)"), max_length=150, blank=True)
    is_booked = models.BooleanField(
        _("the appointment's procedure"),
        default=False,
        help_text=_("False for a procedure added during the visit."),
    )
    schema = models.JSONField(_("parameter schema used"), default=list, blank=True)
    schema_version = models.PositiveIntegerField(_("schema version"), default=0)
    values = models.JSONField(_("values for the session"), default=dict, blank=True)
    reasons = models.JSONField(_("reasons for values out of range"), default=dict, blank=True)
    screening_outcome = models.CharField(_("screening outcome"), max_length=10, blank=True)
    screening_flags = models.JSONField(_("screening flags"), default=list, blank=True)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )

    class Meta:
        verbose_name = _("procedure charted")
        verbose_name_plural = _("procedures charted")
        ordering = ("visit", "-is_booked", "added_at", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "procedure"], name="treatment_procedure_once_per_visit"
            ),
        ]

    def __str__(self) -> str:
        return self.procedure_name

    @property
    def procedure_name(self) -> str:
        return _in_language(self.procedure_name_en, self.procedure_name_ru)


class TreatmentZone(models.Model):
    """One zone of the face map treated by a procedure, with its own values.

    The only rows of the record a service may remove: a zone ticked by mistake,
    while the chart is not yet signed.
    """

    treatment = models.ForeignKey(
        TreatmentProcedure,
        on_delete=models.PROTECT,
        related_name="zones",
        verbose_name=_("procedure charted"),
    )
    zone = models.CharField(_("zone"), max_length=20, choices=FaceZone.choices)
    values = models.JSONField(_("values"), default=dict, blank=True)
    reasons = models.JSONField(_("reasons for values out of range"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("treated zone")
        verbose_name_plural = _("treated zones")
        ordering = ("treatment", "zone")
        constraints = [
            models.UniqueConstraint(
                fields=["treatment", "zone"], name="treatment_zone_once_per_procedure"
            ),
        ]

    def __str__(self) -> str:
        return self.get_zone_display()


class ChartAddendum(UndeletableModel):
    """A change to a signed chart: who, when, why, what. Written once, never changed."""

    visit = models.ForeignKey(
        TreatmentVisit,
        on_delete=models.PROTECT,
        related_name="addenda",
        verbose_name=_("chart"),
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    written_at = models.DateTimeField(_("written at"), default=timezone.now)
    reason = models.CharField(_("why"), max_length=300)
    text = models.TextField(_("addendum"))

    class Meta:
        verbose_name = _("chart addendum")
        verbose_name_plural = _("chart addenda")
        ordering = ("visit", "written_at", "pk")

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.written_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ImmutableRowError("An addendum is written once.")
        super().save(*args, **kwargs)


class RecordLock(UndeletableModel):
    """An erasure request locked the patient's treatment record until `locked_until`."""

    patient = models.OneToOneField(
        PatientProfile,
        on_delete=models.PROTECT,
        related_name="record_lock",
        verbose_name=_("patient"),
    )
    erasure = models.ForeignKey(
        ErasureRequest,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("erasure request"),
    )
    locked_at = models.DateTimeField(_("locked at"), default=timezone.now)
    locked_until = models.DateField(_("kept until"))

    class Meta:
        verbose_name = _("record lock")
        verbose_name_plural = _("record locks")

    def __str__(self) -> str:
        return f"{self.patient} — {self.locked_until:%Y-%m-%d}"
