"""The patient's side: profile, intake versions, consent, photos, audit log, erasure."""

from .appointment import Appointment, AppointmentStatusChange
from .audit import AuditEntry, AuditQuerySet
from .consent import (
    DATA_PROCESSING,
    ConsentSignature,
    ConsentText,
    consent_kind_choices,
    consent_text_digest,
)
from .course import TreatmentCourse
from .intake import ImmutableRowError, IntakeVersion
from .outbox import OutboxMessage
from .photo import Photo
from .privacy import ErasureRequest
from .profile import PatientProfile
from .review import ReviewDecision
from .waitlist import WaitlistEntry, WaitlistOffer

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
