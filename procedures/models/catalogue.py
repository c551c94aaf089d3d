"""The procedure catalogue and its screening rules, as data staff edit in the admin.

Domain rules implemented here (the domain reference, `catalogue.md`):

- A procedure is identified by its stable `slug`; its patient-facing texts
  (name, description, downtime, pre-care, after-care) exist in English and
  Russian (`_en`/`_ru` columns through django-modeltranslation).
- A course runs from `sessions_min` to `sessions_max` sessions,
  `interval_min_days` to `interval_max_days` apart; an empty bound means "no
  limit" (or "not a course"). Each minimum is at most its maximum.
- Prices are Decimal roubles. Every treatment costs at least the seed's floor
  (`settings.PROCEDURE_PRICE_FLOOR_RUB`, 3,500 RUB); the consultation is exempt.
- Rules are rows, not code: each procedure lists the rule codes of
  `procedures.rules` that block it (absolute) or need a practitioner's review
  (relative). A code appears once per procedure; `PRECARE_TOPICAL_RETINOID`
  carries its stop window in days and no other rule has one;
  `PREGNANCY_POSSIBLE` is never absolute.
- A procedure belongs to at most one washout group (`rules-v2.md`); the
  washout table and the prerequisites are `models/sessions.py`. Screening reads
  them together, with every procedure's name, as one `SessionRules` kept per
  process (`session_rules_cache`, re-read after `SCREENING_RULES_TTL_SECONDS`
  or at once when an edit in this process clears it).
- Every change to a procedure or a rule is kept with who made it and when
  (django-simple-history; the Procedure's history is registered in
  `translation.py`, after its translated columns exist, so they are recorded too).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..errors import lazy_interpolate
from ..intake import SCAR_TYPES
from ..rules import ALWAYS_RELATIVE, RuleCode
from ..screening import ProcedureRules
from ..sessions import Prerequisite as PrerequisiteRule
from ..sessions import SessionRules, WashoutRow
from .choices import Severity
from .sessions import Prerequisite, WashoutGroup, WashoutRule

__all__ = [
    "Procedure",
    "ProcedureRule",
    "load_session_rules",
    "session_rules_cache",
    "validate_roles",
    "validate_scar_types",
]

RETINOID_CODE = RuleCode.PRECARE_TOPICAL_RETINOID.value
# Paths under /procedures/ that are pages, not procedures (see urls.py).
RESERVED_SLUGS = frozenset({"scar-types"})


def _validate_subset(value: Any, allowed: Iterable[str], message: Any) -> None:
    allowed = tuple(allowed)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(
            lazy_interpolate(_("Give a list of: %(choices)s."), {"choices": ", ".join(allowed)}),
            code="invalid_list",
        )
    unknown = [item for item in value if item not in allowed]
    if unknown:
        raise ValidationError(
            lazy_interpolate(message, {"values": ", ".join(unknown)}), code="invalid_choice"
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Each value may be listed only once."), code="duplicate")


def validate_scar_types(value: Any) -> None:
    """Refuse anything but a list of the domain's scar-type values."""
    _validate_subset(value, SCAR_TYPES, _("Unknown scar types: %(values)s."))


def validate_roles(value: Any) -> None:
    """Refuse anything but a list of practitioner roles (derm, cosm, surg)."""
    _validate_subset(value, Procedure.PerformerRole.values, _("Unknown roles: %(values)s."))


class Procedure(models.Model):
    """One procedure of the catalogue: what it treats, how it is booked, what it costs."""

    class Category(models.TextChoices):
        CONSULTATION = "consultation", _("Consultation")
        LASER = "laser", _("Laser treatments")
        RESURFACING = "resurfacing", _("Skin resurfacing")
        PEEL = "peel", _("Chemical peels")
        FILLER = "filler", _("Fillers")
        SURGERY = "surgery", _("Surgical methods")
        COLLAGEN_INDUCTION = "collagen_induction", _("Collagen induction")
        INJECTION = "injection", _("Injection therapies")
        LIGHT = "light", _("Light therapy")
        HARDWARE = "hardware", _("Hardware cosmetology")
        CRYO = "cryo", _("Cryotherapy")

    class RoomKind(models.TextChoices):
        CONSULT = "consult", _("Consulting room")
        TREATMENT = "treatment", _("Treatment room")
        LASER = "laser", _("Laser room")
        SURGERY = "surgery", _("Minor surgery room")

    class PerformerRole(models.TextChoices):
        DERMATOLOGIST = "derm", _("Dermatologist")
        COSMETOLOGIST = "cosm", _("Cosmetologist")
        SURGEON = "surg", _("Surgeon")

    if TYPE_CHECKING:
        # Added at run time by procedures/translation.py: modeltranslation swaps the
        # manager for its own class (which mypy cannot see) and adds a column per
        # language; simple-history adds `history`.
        objects: ClassVar[models.Manager[Procedure]]
        name_en: str
        name_ru: str
        description_en: str
        description_ru: str
        history: ClassVar[Any]
        # Read by simple-history when it writes the historical row.
        _history_user: Any
        _change_reason: str

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), help_text=_("What patients read."))
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    indicated_scar_types = models.JSONField(
        _("indicated scar types"), default=list, blank=True, validators=[validate_scar_types]
    )
    sessions_min = models.PositiveSmallIntegerField(
        _("sessions in a course, from"), null=True, blank=True
    )
    sessions_max = models.PositiveSmallIntegerField(
        _("sessions in a course, up to"),
        null=True,
        blank=True,
        help_text=_("Empty: no limit."),
    )
    interval_min_days = models.PositiveSmallIntegerField(
        _("days between sessions, at least"), null=True, blank=True
    )
    interval_max_days = models.PositiveSmallIntegerField(
        _("days between sessions, at most"),
        null=True,
        blank=True,
        help_text=_("Empty: no limit."),
    )
    downtime = models.CharField(_("downtime"), max_length=300, blank=True)
    booked_minutes = models.PositiveSmallIntegerField(
        _("booked minutes"), validators=[MinValueValidator(1)]
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        _("buffer minutes"), default=0, help_text=_("The room's clean-up after the procedure.")
    )
    room_kind = models.CharField(_("room kind"), max_length=20, choices=RoomKind.choices)
    roles = models.JSONField(
        _("roles that may perform it"), default=list, validators=[validate_roles]
    )
    price_from = models.DecimalField(
        _("price from (RUB)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    precare = models.TextField(_("pre-care"), blank=True)
    aftercare = models.TextField(_("after-care"), blank=True)
    repeatable = models.BooleanField(
        _("repeatable"),
        default=False,
        help_text=_("A treatment repeated over time with no session limit (fillers)."),
    )
    recall_after_days = models.PositiveSmallIntegerField(
        _("invite back after (days)"), null=True, blank=True
    )
    washout_group = models.ForeignKey(
        WashoutGroup,
        on_delete=models.PROTECT,
        related_name="procedures",
        null=True,
        blank=True,
        verbose_name=_("washout group"),
        help_text=_("The kind of wound it leaves, for the time needed between treatments."),
    )
    photo_views = models.ManyToManyField(
        "procedures.PhotoView",
        related_name="procedures",
        blank=True,
        verbose_name=_("photo views"),
        help_text=_("The standard views a session is photographed in. None chosen: every view."),
    )
    photos_required = models.BooleanField(
        _("photos required"),
        default=False,
        help_text=_("A chart is signed only once the session has its before photos."),
    )
    is_active = models.BooleanField(_("shown and bookable"), default=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ("display_order", "slug")
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions_min__isnull=True)
                | Q(sessions_max__isnull=True)
                | Q(sessions_min__lte=models.F("sessions_max")),
                name="procedure_sessions_min_lte_max",
            ),
            models.CheckConstraint(
                condition=Q(interval_min_days__isnull=True)
                | Q(interval_max_days__isnull=True)
                | Q(interval_min_days__lte=models.F("interval_max_days")),
                name="procedure_interval_min_lte_max",
            ),
            models.CheckConstraint(
                condition=Q(price_from__gte=0), name="procedure_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(booked_minutes__gt=0), name="procedure_booked_minutes_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("procedures:detail", kwargs={"slug": self.slug})

    @property
    def is_treatment(self) -> bool:
        return self.category != self.Category.CONSULTATION

    def clean(self) -> None:
        errors: dict[str, list[Any]] = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = [
                ValidationError(_("This address is taken by another page."), code="reserved")
            ]
        floor: Decimal = settings.PROCEDURE_PRICE_FLOOR_RUB
        if self.is_treatment and self.price_from is not None and self.price_from < floor:
            errors.setdefault("price_from", []).append(
                ValidationError(
                    lazy_interpolate(
                        _(
                            "A treatment costs at least %(floor)s RUB; only the consultation "
                            "may cost less."
                        ),
                        {"floor": number_format(floor, 0, use_l10n=True, force_grouping=True)},
                    ),
                    code="below_price_floor",
                )
            )
        for low, high in (
            ("sessions_min", "sessions_max"),
            ("interval_min_days", "interval_max_days"),
        ):
            low_value, high_value = getattr(self, low), getattr(self, high)
            if low_value is not None and high_value is not None and low_value > high_value:
                errors.setdefault(high, []).append(
                    ValidationError(
                        _("The upper bound cannot be below the lower bound."), code="min_gt_max"
                    )
                )
        if errors:
            raise ValidationError(errors)

    def screening_rules(self, *, sessions: SessionRules | None = None) -> ProcedureRules:
        """Return what screening needs, from this procedure, its rule rows and `sessions`.

        Uses `rules` prefetched with `prefetch_related("rules")` when present,
        so a list of procedures costs one query for all their rules. `sessions`
        (washouts, prerequisites) defaults to the process's cached tables.
        """
        return self.screening_rules_from(
            ((rule.code, rule.severity, rule.window_days) for rule in self.rules.all()),
            sessions=sessions,
        )

    def screening_rules_from(
        self,
        rows: Iterable[tuple[str, str, int | None]],
        *,
        sessions: SessionRules | None = None,
    ) -> ProcedureRules:
        """Return what screening needs, given this procedure's (code, severity, window) rows."""
        if sessions is None:
            sessions = session_rules_cache.get()
        absolute: set[str] = set()
        relative: set[str] = set()
        window: int | None = None
        for code, severity, window_days in rows:
            (absolute if severity == ProcedureRule.Severity.ABSOLUTE else relative).add(code)
            if code == RETINOID_CODE:
                window = window_days
        return ProcedureRules(
            slug=self.slug,
            absolute=frozenset(absolute),
            relative=frozenset(relative),
            retinoid_window_days=window,
            interval_min_days=self.interval_min_days,
            interval_max_days=self.interval_max_days,
            # A repeatable treatment's course of one is not a lifetime limit.
            sessions_max=None if self.repeatable else self.sessions_max,
            indicated_scar_types=frozenset(self.indicated_scar_types),
            prerequisites=sessions.prerequisites_of(self.slug),
            sessions=sessions,
        )


class ProcedureRule(models.Model):
    """One rule code listed for a procedure, as absolute (blocks) or relative (review)."""

    Severity = Severity

    if TYPE_CHECKING:
        # Read by simple-history when it writes the historical row.
        _history_user: Any
        _change_reason: str

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="rules", verbose_name=_("procedure")
    )
    code = models.CharField(_("rule"), max_length=40, choices=RuleCode.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    window_days = models.PositiveSmallIntegerField(
        _("window (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Only for retinoid and acid products: stop them this many days before."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ("severity", "code")
        verbose_name = _("screening rule")
        verbose_name_plural = _("screening rules")
        constraints = [
            models.UniqueConstraint(
                fields=("procedure", "code"), name="procedure_rule_code_once_per_procedure"
            ),
            models.CheckConstraint(
                condition=Q(window_days__isnull=True) | Q(window_days__gt=0),
                name="procedure_rule_window_positive",
            ),
            # The retinoid rule is meaningless without its window; no other rule has one.
            models.CheckConstraint(
                condition=Q(code=RETINOID_CODE, window_days__isnull=False)
                | (~Q(code=RETINOID_CODE) & Q(window_days__isnull=True)),
                name="procedure_rule_window_only_for_retinoid",
            ),
            models.CheckConstraint(
                condition=~Q(code__in=sorted(ALWAYS_RELATIVE), severity="absolute"),
                name="procedure_rule_always_relative_codes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.slug}: {self.code} ({self.severity})"

    @property
    def label(self) -> str:
        return str(RuleCode(self.code).label)

    def clean(self) -> None:
        if self.code == RETINOID_CODE and self.window_days is None:
            raise ValidationError(
                {"window_days": _("Give the number of days products must be stopped before.")}
            )
        if self.code != RETINOID_CODE and self.window_days is not None:
            raise ValidationError(
                {"window_days": _("Only the retinoid and acid products rule has a window.")}
            )
        if self.code in ALWAYS_RELATIVE and self.severity == self.Severity.ABSOLUTE:
            raise ValidationError(
                {"severity": _("This rule always needs a practitioner's review; it never blocks.")}
            )


# --- the tables relating procedures, as screening reads them --------------------------------


def load_session_rules() -> SessionRules:
    """Read the washout groups, the washout table, the prerequisites and names: 3 queries."""
    groups: dict[str, str] = {}
    procedure_names: dict[str, dict[str, str]] = {}
    group_names: dict[str, dict[str, str]] = {}
    for slug, name_en, name_ru, group, group_en, group_ru in Procedure.objects.values_list(
        "slug",
        "name_en",
        "name_ru",
        "washout_group__code",
        "washout_group__name_en",
        "washout_group__name_ru",
    ):
        procedure_names[slug] = {"en": name_en or slug, "ru": name_ru or ""}
        if group is not None:
            groups[slug] = group
            group_names[group] = {"en": group_en or group, "ru": group_ru or ""}
    washouts = tuple(
        WashoutRow(earlier, later_group, later_procedure, days, severity == Severity.ABSOLUTE)
        for earlier, later_group, later_procedure, days, severity in WashoutRule.objects.order_by(
            "pk"
        ).values_list(
            "earlier_group__code", "later_group__code", "later_procedure__slug", "days", "severity"
        )
    )
    prerequisites: dict[str, list[PrerequisiteRule]] = {}
    for slug, requires, min_days, max_days, offer_slots in Prerequisite.objects.order_by(
        "pk"
    ).values_list("procedure__slug", "requires__slug", "min_days", "max_days", "offer_slots"):
        prerequisites.setdefault(slug, []).append(
            PrerequisiteRule(requires, min_days, max_days, offer_slots)
        )
    return SessionRules(
        groups=groups,
        washouts=washouts,
        prerequisites={slug: tuple(rows) for slug, rows in prerequisites.items()},
        procedure_names=procedure_names,
        group_names=group_names,
    )


class SessionRulesCache:
    """The process's copy of `load_session_rules()`, re-read after the screening rules' TTL."""

    def __init__(self) -> None:
        self._value: tuple[float, SessionRules] | None = None
        self._lock = threading.Lock()

    def get(self) -> SessionRules:
        hit = self._value
        if hit is not None and time.monotonic() - hit[0] < settings.SCREENING_RULES_TTL_SECONDS:
            return hit[1]
        value = load_session_rules()
        with self._lock:
            self._value = (time.monotonic(), value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._value = None


session_rules_cache = SessionRulesCache()
