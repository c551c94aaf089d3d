"""Appointments: who is seen for which procedure, when, by whom and where.

Domain rules:
- An appointment holds its practitioner from `start` to `end` (the booked
  minutes) and its room until `room_free_at` (`end` plus the buffer copied
  from the procedure: the room's clean-up). Only active statuses (pending
  review, confirmed, checked in) hold time (`HOLDING_STATUSES`, from the
  lifecycle table in `patients.models.lifecycle`).
- Two active appointments never overlap for one practitioner (start..end),
  for one room (start..room_free_at) nor for one patient (start..end). On PostgreSQL an exclusion
  constraint (btree_gist) makes it impossible; the migration creates it only
  there (SQLite has no range types: bookings are serialised by the IMMEDIATE
  transaction mode and re-checked inside the transaction instead).
- The appointment keeps copies taken at booking time (procedure name in both
  languages, price, booked minutes and buffer), so a later catalogue edit never
  rewrites what the patient booked.
- The screening at the door is recorded with the intake version it read; a
  re-screening (`patients.booking.services.rescreen`) records what it found: the
  absolute codes firing, the codes no practitioner approved, the earliest safe date.
- At check-in the patient confirms that nothing in the questionnaire changed:
  who took the confirmation and when.
- `version` grows by one on every move: it is the .ics SEQUENCE, and tells
  reminders that the time changed.
- Every status change, creation included, is an `AppointmentStatusChange` row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.db import connections, models
from django.db.models import BaseConstraint, F, Func, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from patients.models.course import TreatmentCourse
from patients.models.intake import IntakeVersion
from patients.models.lifecycle import HOLDING_STATUSES, AppointmentStatus
from patients.models.profile import PatientProfile
from procedures.screening import Outcome

__all__ = ["HOLDING_STATUSES", "Appointment", "AppointmentStatusChange", "TsTzRange"]

# Sorted so the migration state is the same on every run (a frozenset has no order).
_HOLDING_CONDITION = Q(status__in=sorted(str(status) for status in HOLDING_STATUSES))


class TsTzRange(Func):
    """PostgreSQL's `tstzrange(lower, upper, bounds)`, for the exclusion constraints."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class Appointment(models.Model):
    Status = AppointmentStatus

    class Channel(models.TextChoices):
        WEB = "web", _("Website")
        API = "api", _("API")
        DESK = "desk", _("Reception desk")
        COURSE = "course", _("Course booking")

    patient = models.ForeignKey(
        PatientProfile,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("patient"),
    )
    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("procedure"),
    )
    practitioner = models.ForeignKey(
        "clinic.Practitioner",
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("practitioner"),
    )
    room = models.ForeignKey(
        "clinic.Room",
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("room"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    buffer_minutes = models.PositiveSmallIntegerField(
        _("buffer minutes"), default=0, help_text=_("The room's clean-up after the procedure.")
    )
    room_free_at = models.DateTimeField(
        _("room free at"), help_text=_("The end plus the buffer: what the room holds.")
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.CONFIRMED,
    )
    # Copies taken at booking time: a later catalogue edit does not change them.
    procedure_name_en = models.CharField(_("procedure name (English)"), max_length=150)
    procedure_name_ru = models.CharField(_("procedure name (Russian)"), max_length=150, blank=True)
    price = models.DecimalField(_("price from (RUB)"), max_digits=10, decimal_places=2)
    booked_minutes = models.PositiveSmallIntegerField(_("booked minutes"))
    # The screening at the door.
    screening_outcome = models.CharField(
        _("screening outcome"), max_length=10, choices=Outcome.choices
    )
    screening_flags = models.JSONField(
        _("screening flags"),
        default=list,
        blank=True,
        help_text=_("Relative rule codes that fired: a practitioner reviews them."),
    )
    # Screening that lives (rules-v2.md section 6): what the latest re-screening found.
    screening_blocking = models.JSONField(
        _("absolute codes firing"),
        null=True,  # no default: SQLite adds the column without rebuilding the table
        blank=True,
        help_text=_("Absolute rule codes that fired when it was last screened: no approval."),
    )
    screening_new_flags = models.JSONField(
        _("new codes"),
        null=True,  # no default: SQLite adds the column without rebuilding the table
        blank=True,
        help_text=_("Codes a re-screening found that no practitioner has approved."),
    )
    screening_earliest_on = models.DateField(
        _("earliest safe date"),
        null=True,
        blank=True,
        help_text=_("From the latest screening, when every blocking finding is time-bound."),
    )
    screened_at = models.DateTimeField(
        _("screened again at"), null=True, blank=True, help_text=_("The latest re-screening.")
    )
    intake_attested_at = models.DateTimeField(
        _("questionnaire confirmed at"),
        null=True,
        blank=True,
        help_text=_("At check-in the patient confirmed that nothing in the questionnaire changed."),
    )
    intake_attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("questionnaire confirmation taken by"),
    )
    intake_version = models.ForeignKey(
        IntakeVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("intake version screened"),
    )
    course = models.ForeignKey(
        TreatmentCourse,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("treatment course"),
    )
    session_number = models.PositiveSmallIntegerField(_("session number"), null=True, blank=True)
    channel = models.CharField(_("booked through"), max_length=10, choices=Channel.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("booked by"),
    )
    created_at = models.DateTimeField(_("booked at"), default=timezone.now)
    version = models.PositiveIntegerField(
        _("version"), default=0, help_text=_("Grows by one on every move.")
    )
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why it was cancelled or declined.")
    )
    note_to_patient = models.TextField(_("note to the patient"), blank=True)
    # The patient's own "yes, I'm coming" from the reminder's one-tap link; a move
    # clears it (the new time needs a new yes).
    confirmed_by_patient_at = models.DateTimeField(
        _("confirmed by the patient at"), null=True, blank=True
    )
    # Nullable on purpose: SQLite adds a nullable column in place, while a NOT NULL one
    # remakes the table, which the PostgreSQL-only exclusion constraints cannot survive.
    confirmed_by_patient_via = models.CharField(
        _("confirmed by the patient through"), max_length=10, null=True, blank=True
    )

    # The patient's "I have read the pre-care instructions", from the message's one-tap
    # link or the appointment page (`patients.booking.services.care`).
    precare_acknowledged_at = models.DateTimeField(
        _("pre-care acknowledged at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ("start", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="appointment_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(room_free_at__gte=F("end")), name="appointment_room_free_after_end"
            ),
            # PostgreSQL only: the migration skips them elsewhere (see the module docstring).
            # The codes let a service turn a violation found by full_clean() into SlotTaken
            # or PatientBusy, as it does with the IntegrityError of a lost race.
            ExclusionConstraint(
                name="appointment_no_practitioner_overlap",
                expressions=[
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("practitioner", RangeOperators.EQUAL),
                ],
                condition=_HOLDING_CONDITION,
                violation_error_code="slot_taken",
            ),
            ExclusionConstraint(
                name="appointment_no_room_overlap",
                expressions=[
                    (TsTzRange("start", "room_free_at", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("room", RangeOperators.EQUAL),
                ],
                condition=_HOLDING_CONDITION,
                violation_error_code="slot_taken",
            ),
            ExclusionConstraint(
                name="appointment_no_patient_overlap",
                expressions=[
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("patient", RangeOperators.EQUAL),
                ],
                condition=_HOLDING_CONDITION,
                violation_error_code="patient_busy",
            ),
        ]
        indexes = [
            models.Index(fields=["practitioner", "start"], name="appointment_practitioner_idx"),
            models.Index(fields=["room", "start"], name="appointment_room_idx"),
            models.Index(fields=["patient", "start"], name="appointment_patient_idx"),
            models.Index(fields=["status"], name="appointment_status_idx"),
        ]

    def __str__(self) -> str:
        # Shown in the admin and the staff pages: the language's date, the 24-hour clock.
        local = timezone.localtime(self.start)
        when = f"{date_format(local, 'SHORT_DATE_FORMAT')} {local:%H:%M}"
        return f"{self.procedure_name} — {when} ({self.get_status_display()})"

    @classmethod
    def from_catalogue(
        cls, *, procedure: Any, start: dt.datetime, end: dt.datetime, **fields: Any
    ) -> Appointment:
        """A new appointment carrying the catalogue's copies taken at booking time.

        Name, price, booked minutes and buffer are copied, so a later catalogue edit
        never rewrites a booking; the room is held until the end plus the buffer.
        """
        return cls(
            procedure=procedure,
            start=start,
            end=end,
            buffer_minutes=procedure.buffer_minutes,
            room_free_at=end + dt.timedelta(minutes=procedure.buffer_minutes),
            procedure_name_en=procedure.name_en or procedure.name,
            procedure_name_ru=procedure.name_ru or "",
            price=procedure.price_from,
            booked_minutes=procedure.booked_minutes,
            **fields,
        )

    @property
    def procedure_name(self) -> str:
        """The copied name in the active language (English when there is no Russian)."""
        if (get_language() or "en").startswith("ru") and self.procedure_name_ru:
            return self.procedure_name_ru
        return self.procedure_name_en

    @property
    def is_active(self) -> bool:
        return self.status in HOLDING_STATUSES

    def get_constraints(self) -> list[tuple[type[models.Model], Sequence[BaseConstraint]]]:
        # Exclusion constraints are validated (and exist) only on PostgreSQL.
        if connections[self._state.db or "default"].vendor == "postgresql":
            return super().get_constraints()
        return [
            (model, [c for c in constraints if not isinstance(c, ExclusionConstraint)])
            for model, constraints in super().get_constraints()
        ]


class AppointmentStatusChange(models.Model):
    """One status change of an appointment (creation included): who, when, from, to, why."""

    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.PROTECT,
        related_name="status_changes",
        verbose_name=_("appointment"),
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=AppointmentStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=AppointmentStatus.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty when the system made the change."),
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("appointment status change")
        verbose_name_plural = _("appointment status changes")
        ordering = ("appointment", "at", "pk")

    def __str__(self) -> str:
        return f"{self.appointment_id}: {self.from_status or '-'} -> {self.to_status}"
