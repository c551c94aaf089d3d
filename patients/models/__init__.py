"""The patient's side: profile, intake versions, consent, photos, audit log, erasure,
the treatment record (charts, products and lots, adverse events) and its outcomes
(scar gradings)."""

from patients.models.adverse import AdverseEvent, AdverseEventPhoto
from patients.models.appointment import Appointment, AppointmentStatusChange
from patients.models.audit import AuditEntry, AuditQuerySet
from patients.models.consent import (
    DATA_PROCESSING,
    PHOTO_PUBLICATION,
    ConsentSignature,
    ConsentText,
    consent_kind_choices,
    consent_text_digest,
)
from patients.models.course import TreatmentCourse
from patients.models.intake import ImmutableRowError, IntakeVersion
from patients.models.outbox import OutboxMessage
from patients.models.outcome import ScarGrade, ScarGrading
from patients.models.photo import Photo
from patients.models.privacy import ErasureRequest
from patients.models.products import LotRecall, Product, ProductLot, ProductUsage
from patients.models.profile import NO_EMAIL_DOMAIN, PatientProfile
from patients.models.publication import GalleryPair, PhotoPublicationConsent
from patients.models.rescreen import RescreenJob
from patients.models.review import ReviewDecision
from patients.models.self_assessment import SelfAssessment
from patients.models.tablet import DrawnSignature, TabletSession
from patients.models.treatment import (
    ChartAddendum,
    FaceZone,
    ParameterDefinition,
    ParameterSchema,
    RecordLock,
    TreatmentProcedure,
    TreatmentVisit,
    TreatmentZone,
)
from patients.models.waitlist import WaitlistEntry, WaitlistOffer

__all__ = [
    "DATA_PROCESSING",
    "NO_EMAIL_DOMAIN",
    "PHOTO_PUBLICATION",
    "AdverseEvent",
    "AdverseEventPhoto",
    "Appointment",
    "AppointmentStatusChange",
    "AuditEntry",
    "AuditQuerySet",
    "ChartAddendum",
    "ConsentSignature",
    "ConsentText",
    "DrawnSignature",
    "ErasureRequest",
    "FaceZone",
    "GalleryPair",
    "ImmutableRowError",
    "IntakeVersion",
    "LotRecall",
    "OutboxMessage",
    "ParameterDefinition",
    "ParameterSchema",
    "PatientProfile",
    "Photo",
    "PhotoPublicationConsent",
    "Product",
    "ProductLot",
    "ProductUsage",
    "RecordLock",
    "RescreenJob",
    "ReviewDecision",
    "ScarGrade",
    "ScarGrading",
    "SelfAssessment",
    "TabletSession",
    "TreatmentCourse",
    "TreatmentProcedure",
    "TreatmentVisit",
    "TreatmentZone",
    "WaitlistEntry",
    "WaitlistOffer",
    "consent_kind_choices",
    "consent_text_digest",
]
