"""Treatment courses: a patient's run of sessions of one procedure.

Domain rules:
- A patient has at most one active course per procedure (a named partial
  unique constraint).
- Completing an appointment advances its course: one more session done, and
  the last session date becomes the appointment's local date. A course with a
  session limit (not a repeatable treatment) is `completed` when it reaches it.
- Screening reads the patient's latest course of the procedure (active or
  completed): its sessions done and last session date.
- A gap longer than the procedure's maximum interval (`COURSE_GAP_EXCEEDED`)
  or a course past its limit (`COURSE_LIMIT_REACHED`) needs a practitioner's
  review. When the practitioner approves it, the old course ends (`lapsed`
  after a gap, left `completed` after a limit) and the appointment becomes
  session 1 of a new course: the practitioner decided to start over, so the
  next windows count from this session, not the old ones.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models.profile import PatientProfile


class TreatmentCourse(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        LAPSED = "lapsed", _("Lapsed")

    patient = models.ForeignKey(
        PatientProfile,
        on_delete=models.PROTECT,
        related_name="courses",
        verbose_name=_("patient"),
    )
    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.PROTECT,
        related_name="courses",
        verbose_name=_("procedure"),
    )
    started_on = models.DateField(_("started on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    sessions_done = models.PositiveSmallIntegerField(_("sessions done"), default=0)
    last_session_on = models.DateField(_("last session on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("treatment course")
        verbose_name_plural = _("treatment courses")
        ordering = ("patient", "procedure", "-started_on", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "procedure"],
                condition=Q(status="active"),
                name="course_one_active_per_procedure",
            ),
            models.CheckConstraint(
                condition=Q(sessions_done=0) | Q(last_session_on__isnull=False),
                name="course_sessions_have_last_date",
            ),
        ]

    def __str__(self) -> str:
        return str(
            _("%(procedure)s course of %(patient)s (%(done)s done)")
            % {"procedure": self.procedure, "patient": self.patient, "done": self.sessions_done}
        )
