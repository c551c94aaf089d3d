"""The patient's self-assessment, answered from the message's one-time link (issue #18).

Domain rules (what is asked and when: `patients.models.self_assessment` and
`patients.messaging.schedule`; the link: `patients.messaging.links`):
- The link names a completed session and the occasion (after the session, or at the
  end of its course); it is signed, so nobody can make one for another session. No
  login is needed: the link is the key, and it holds nothing about health.
- A link that is not one of ours, or names a session that is not completed (or a
  patient whose data was erased), is "no such link" (404), whatever the reason.
- It is good once: the first answer is kept; the link then shows "already answered"
  and records nothing more. Two taps at once record one answer (the session's row is
  locked while the answer is written, and the database allows one row per occasion).
- It works until `SELF_ASSESSMENT_LINK_DAYS` (60) days after the session's end, counted
  in the clinic's calendar days (that last day included); later it shows "this link has
  expired" and records nothing. The token carries no date, so the links already sent
  expire by the same rule.
- Both ratings are whole numbers from 0 to 10; anything else is a form error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from patients.messaging import read_self_assessment_token, self_assessment_ends_at
from patients.models import Appointment, SelfAssessment
from patients.models.lifecycle import AppointmentStatus
from procedures.errors import DomainError

__all__ = [
    "AlreadyAnswered",
    "AssessmentLinkNotValid",
    "AssessmentRequest",
    "assessment_for_token",
    "record_self_assessment",
]


class AssessmentLinkNotValid(DomainError):
    http_status = 404

    def __init__(self) -> None:
        super().__init__(_("This link is not valid."), code="link_not_valid")


class AlreadyAnswered(DomainError):
    http_status = 409

    def __init__(self) -> None:
        super().__init__(
            _("You have already answered these questions. Thank you!"), code="already_answered"
        )


@dataclass(frozen=True)
class AssessmentRequest:
    """What a good link asks about, the answer already given (None while unanswered) and
    whether the link is past its last day."""

    appointment: Appointment
    occasion: str
    answer: SelfAssessment | None
    expired: bool

    @property
    def course_end(self) -> bool:
        return self.occasion == SelfAssessment.Occasion.COURSE_END


def assessment_for_token(token: str, *, now: dt.datetime) -> AssessmentRequest:
    """The session and occasion a self-assessment link stands for, and whether it has
    expired by `now`; AssessmentLinkNotValid unless it is one of ours for a completed
    session."""
    read = read_self_assessment_token(token)
    if read is None:
        raise AssessmentLinkNotValid()
    appointment_id, occasion = read
    appointment = (
        Appointment.objects.select_related("patient__user", "procedure", "course")
        .filter(pk=appointment_id, status=AppointmentStatus.COMPLETED)
        .first()
    )
    if appointment is None or appointment.patient.erased_at is not None:
        raise AssessmentLinkNotValid()
    answer = SelfAssessment.objects.filter(appointment=appointment, occasion=occasion).first()
    expired = now >= self_assessment_ends_at(appointment)
    return AssessmentRequest(appointment, occasion, answer, expired=expired)


def record_self_assessment(
    *, request: AssessmentRequest, bother: int, satisfaction: int, now: dt.datetime
) -> SelfAssessment:
    """Keep the patient's two ratings; AlreadyAnswered when this link was used before.

    An expired link (`request.expired`) never gets here: its page has no questions."""
    appointment = request.appointment
    with transaction.atomic():
        # Locked: two taps at once wait for each other, and the second finds the first.
        Appointment.objects.select_for_update().filter(pk=appointment.pk).first()
        if SelfAssessment.objects.filter(
            appointment=appointment, occasion=request.occasion
        ).exists():
            raise AlreadyAnswered()
        assessment = SelfAssessment(
            patient_id=appointment.patient_id,
            appointment=appointment,
            course_id=appointment.course_id,
            occasion=request.occasion,
            bother=bother,
            satisfaction=satisfaction,
            answered_at=now,
        )
        assessment.full_clean()
        assessment.save()
    return assessment
