"""The patient's own rating of their result (issue #18): after a session and at a course's end.

Domain rules:
- A week after a completed session (`SELF_ASSESSMENT_AFTER_DAYS`) the patient is asked,
  through the outbox, two questions on a 0-10 scale: how much the scars bother them
  (`bother`, 0 = not at all) and how satisfied they are with the change
  (`satisfaction`, 0 = not at all). The session that ends a course (its last planned
  session) asks about the whole course instead (`occasion` = course end).
- Answering is optional and happens once: one row per session and occasion (a named
  unique constraint), written when the patient answers; a session nobody answered for
  has no row. Rows are never changed.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models.appointment import Appointment
from patients.models.course import TreatmentCourse
from patients.models.profile import PatientProfile

RATING_MAX = 10
_RATING = [MinValueValidator(0), MaxValueValidator(RATING_MAX)]


class SelfAssessment(models.Model):
    class Occasion(models.TextChoices):
        SESSION = "session", _("After a session")
        COURSE_END = "course_end", _("At the end of a course")

    patient = models.ForeignKey(
        PatientProfile,
        on_delete=models.PROTECT,
        related_name="self_assessments",
        verbose_name=_("patient"),
    )
    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.PROTECT,
        related_name="self_assessments",
        verbose_name=_("session"),
    )
    course = models.ForeignKey(
        TreatmentCourse,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="self_assessments",
        verbose_name=_("treatment course"),
    )
    occasion = models.CharField(_("asked"), max_length=12, choices=Occasion.choices)
    bother = models.PositiveSmallIntegerField(
        _("how much the scars bother (0-10)"), validators=_RATING
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction with the change (0-10)"), validators=_RATING
    )
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        ordering = ("patient", "answered_at", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "occasion"], name="self_assessment_once_per_occasion"
            ),
            models.CheckConstraint(
                condition=Q(bother__lte=RATING_MAX) & Q(satisfaction__lte=RATING_MAX),
                name="self_assessment_ratings_0_to_10",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "answered_at"], name="self_assessment_patient_idx")
        ]

    def __str__(self) -> str:
        return str(
            _("Self-assessment of %(patient)s (%(occasion)s)")
            % {"patient": self.patient, "occasion": self.get_occasion_display()}
        )
