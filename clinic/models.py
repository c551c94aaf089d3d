"""The clinic's people and resources.

Everybody logs in with an e-mail address: patients, receptionists,
practitioners and managers are all `User` rows; what they may do follows from
their groups (staff) or from having a patient profile (patients).

The resources a booking needs (practitioners, rooms, working and opening hours,
closures) follow the `User`; their rules are stated above `Practitioner`.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from procedures.models import Procedure, validate_roles


class EmailUserManager(UserManager["User"]):
    """Create users by e-mail address; there is no separate user name."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(  # type: ignore[override]  # by e-mail: no user name to pass first
        self, email: str, password: str | None = None, **extra: Any
    ) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(  # type: ignore[override]  # as create_user
        self, email: str, password: str | None = None, **extra: Any
    ) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in: identified by e-mail, speaks one of the portal's languages."""

    username = None  # type: ignore[assignment]  # the e-mail address is the login
    email = models.EmailField(_("e-mail address"), unique=True)
    # Stored in E.164 ("+79165551234"), read in the region of PHONENUMBER_DEFAULT_REGION.
    phone = PhoneNumberField(_("phone"), max_length=32, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="ru",
        help_text=_("Every e-mail to this person is written in this language."),
    )

    if TYPE_CHECKING:
        # clinic.roles keeps the user's roles here for the rest of the request.
        _clinic_roles: frozenset[str]

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[EmailUserManager] = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ("last_name", "first_name", "email")

    def __str__(self) -> str:
        return self.get_full_name() or self.email


# --- The clinic's resources: practitioners, rooms, hours and closures ---------------------
#
# Domain rules (issue 5, catalogue.md):
# - A practitioner holds one or more roles (derm, cosm, surg); they may perform a procedure
#   when one of their roles is among the procedure's roles, or when it is one of their
#   `extra_procedures`, and never when it is one of their `excluded_procedures` (an
#   exclusion wins over an extra and over the roles).
# - Rooms have one of the catalogue's four kinds; a procedure is done in a room of its kind.
# - Working hours and opening hours are local wall-clock times of the clinic's zone, per
#   weekday (Monday is 0); a practitioner may have several windows a day (a split shift)
#   and hours valid only between two dates. A slot lies inside both.
# - A closure is a range of local dates, optionally from and to a wall-clock time, for the
#   whole clinic, one practitioner (a day off, a holiday) or one room (maintenance).
# - Nothing here is deleted to retire it: `is_active` hides a practitioner or a room from
#   booking while their past appointments keep pointing at them.


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def qualifies(
    *,
    roles: Iterable[str],
    procedure_roles: Iterable[str],
    is_extra: bool,
    is_excluded: bool,
) -> bool:
    """Whether a practitioner may perform a procedure (the rule in one place)."""
    if is_excluded:
        return False
    return is_extra or not set(roles).isdisjoint(procedure_roles)


class Practitioner(models.Model):
    """A user who performs procedures: their roles, exceptions and calendar colour."""

    Role = Procedure.PerformerRole

    user = models.OneToOneField(
        User,
        on_delete=models.PROTECT,
        related_name="practitioner",
        verbose_name=_("user"),
    )
    roles = models.JSONField(
        _("roles"),
        default=list,
        validators=[validate_roles],
        help_text=_("Which procedures they may perform follows from these roles."),
    )
    extra_procedures = models.ManyToManyField(
        Procedure,
        blank=True,
        related_name="+",
        verbose_name=_("also performs"),
        help_text=_("Procedures they may perform although none of their roles allows it."),
    )
    excluded_procedures = models.ManyToManyField(
        Procedure,
        blank=True,
        related_name="+",
        verbose_name=_("never performs"),
        help_text=_("Procedures they never perform, whatever their roles allow."),
    )
    colour = models.CharField(
        _("calendar colour"),
        max_length=7,
        default="#2a9d8f",
        validators=[
            RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Give a colour as #rrggbb, e.g. #2a9d8f."))
        ],
    )
    is_active = models.BooleanField(
        _("takes bookings"),
        default=True,
        help_text=_("Untick rather than delete: past appointments keep their practitioner."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("practitioner")
        verbose_name_plural = _("practitioners")
        ordering = ("user__last_name", "user__first_name", "pk")

    def __str__(self) -> str:
        return str(self.user)

    def clean(self) -> None:
        if isinstance(self.roles, list) and not self.roles:
            raise ValidationError({"roles": _("Choose at least one role.")}, code="no_role")

    def role_labels(self) -> str:
        labels = dict(self.Role.choices)
        return ", ".join(str(labels.get(role, role)) for role in self.roles)

    def can_perform(self, procedure: Procedure) -> bool:
        """Roles intersect the procedure's roles, plus extras, minus exclusions.

        Uses `extra_procedures` and `excluded_procedures` prefetched with
        `prefetch_related` when present; otherwise two small queries.
        """
        return qualifies(
            roles=self.roles,
            procedure_roles=procedure.roles,
            is_extra=any(p.pk == procedure.pk for p in self.extra_procedures.all()),
            is_excluded=any(p.pk == procedure.pk for p in self.excluded_procedures.all()),
        )


class Room(models.Model):
    """A room of one of the four kinds; a procedure is done in a room of its kind."""

    Kind = Procedure.RoomKind

    name = models.CharField(_("room name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(
        _("in use"),
        default=True,
        help_text=_("Untick rather than delete: past appointments keep their room."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ("name", "pk")
        constraints = [models.UniqueConstraint(fields=["name"], name="room_name_unique")]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    """One weekly window of a practitioner's local wall-clock working time."""

    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.CASCADE,
        related_name="working_hours",
        verbose_name=_("practitioner"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))
    valid_from = models.DateField(
        _("valid from"), null=True, blank=True, help_text=_("Empty: since always.")
    )
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Empty: until further notice.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ("practitioner", "weekday", "start")
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="working_hours_start_before_end"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="working_hours_weekday_valid"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lte=F("valid_until")),
                name="working_hours_valid_from_before_until",
            ),
        ]

    def __str__(self) -> str:
        hours = f"{self.start:%H:%M}-{self.end:%H:%M}"
        return f"{self.practitioner}: {self.get_weekday_display()} {hours}"

    def clean(self) -> None:
        errors = {}
        if self.start is not None and self.end is not None and self.start >= self.end:
            errors["end"] = _("The end must be after the start (no shift crosses midnight).")
        if self.valid_from and self.valid_until and self.valid_from > self.valid_until:
            errors["valid_until"] = _("This date cannot be before the first valid date.")
        if errors:
            raise ValidationError(errors)


class OpeningHours(models.Model):
    """When the clinic is open on one weekday (local wall clock); a missing weekday is closed."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ("weekday",)
        constraints = [
            models.UniqueConstraint(fields=["weekday"], name="opening_hours_one_per_weekday"),
            models.CheckConstraint(
                condition=Q(opens__lt=F("closes")), name="opening_hours_opens_before_closes"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_hours_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens is not None and self.closes is not None and self.opens >= self.closes:
            raise ValidationError({"closes": _("The clinic must close after it opens.")})


class Closure(models.Model):
    """An exception to the hours: the clinic, one practitioner or one room is unavailable.

    Local dates, both included; without times whole days, with a start time from that time
    on the first day, with an end time until that time on the last day.
    """

    class Scope(models.TextChoices):
        CLINIC = "clinic", _("Whole clinic")
        PRACTITIONER = "practitioner", _("One practitioner")
        ROOM = "room", _("One room")

    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
        verbose_name=_("practitioner"),
        help_text=_("Only this practitioner is away (day off, holiday, training)."),
    )
    room = models.ForeignKey(
        Room,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
        verbose_name=_("room"),
        help_text=_("Only this room is out of use (maintenance)."),
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    start_time = models.TimeField(
        _("from"), null=True, blank=True, help_text=_("Empty: from the start of the first day.")
    )
    end_time = models.TimeField(
        _("until"), null=True, blank=True, help_text=_("Empty: to the end of the last day.")
    )
    reason = models.CharField(_("reason"), max_length=200)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ("-starts_on", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(practitioner__isnull=True) | Q(room__isnull=True),
                name="closure_one_target_at_most",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")), name="closure_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(starts_on__lt=F("ends_on"))
                | Q(start_time__isnull=True)
                | Q(end_time__isnull=True)
                | Q(start_time__lt=F("end_time")),
                name="closure_times_in_order",
            ),
        ]

    def __str__(self) -> str:
        first = date_format(self.starts_on, "SHORT_DATE_FORMAT")
        last = date_format(self.ends_on, "SHORT_DATE_FORMAT")
        return f"{self.target_label()}: {first} - {last}"

    @property
    def scope(self) -> str:
        if self.practitioner_id is not None:
            return self.Scope.PRACTITIONER
        if self.room_id is not None:
            return self.Scope.ROOM
        return self.Scope.CLINIC

    def target_label(self) -> str:
        if self.practitioner_id is not None:
            return str(self.practitioner)
        if self.room_id is not None:
            return str(self.room)
        return str(self.Scope.CLINIC.label)

    def clean(self) -> None:
        errors = {}
        if self.practitioner_id is not None and self.room_id is not None:
            errors["room"] = _("Choose a practitioner or a room, not both.")
        if self.starts_on and self.ends_on:
            if self.starts_on > self.ends_on:
                errors["ends_on"] = _("The last day cannot be before the first day.")
            elif (
                self.starts_on == self.ends_on
                and self.start_time is not None
                and self.end_time is not None
                and self.start_time >= self.end_time
            ):
                errors["end_time"] = _("On a single day the end must be after the start.")
        if errors:
            raise ValidationError(errors)
