"""The patient's side: profile, intake versions, consent, photos, audit log, erasure."""

from patients.models.appointment import Appointment, AppointmentStatusChange
from patients.models.audit import AuditEntry, AuditQuerySet
from patients.models.consent import (
    DATA_PROCESSING,
    ConsentSignature,
    ConsentText,
    consent_kind_choices,
    consent_text_digest,
)
from patients.models.course import TreatmentCourse
from patients.models.intake import ImmutableRowError, IntakeVersion
from patients.models.outbox import OutboxMessage
from patients.models.photo import Photo
from patients.models.privacy import ErasureRequest
from patients.models.profile import PatientProfile
from patients.models.review import ReviewDecision
from patients.models.waitlist import WaitlistEntry, WaitlistOffer

__all__ = [
    "DATA_PROCESSING",
    "Appointment",
    "AppointmentStatusChange",
    "AuditEntry",
    "AuditQuerySet",
    "ConsentSignature",
    "ConsentText",
    "ErasureRequest",
    "ImmutableRowError",
    "IntakeVersion",
    "OutboxMessage",
    "PatientProfile",
    "Photo",
    "ReviewDecision",
    "TreatmentCourse",
    "WaitlistEntry",
    "WaitlistOffer",
    "consent_kind_choices",
    "consent_text_digest",
]
