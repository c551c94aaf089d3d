"""The patient's side: profile, intake versions, consent, photos, audit log, erasure,
and the treatment record (charts, products and lots, adverse events)."""

from .adverse import AdverseEvent, AdverseEventPhoto
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
from .products import LotRecall, Product, ProductLot, ProductUsage
from .profile import PatientProfile
from .review import ReviewDecision
from .treatment import (
    ChartAddendum,
    FaceZone,
    ParameterDefinition,
    ParameterSchema,
    RecordLock,
    TreatmentProcedure,
    TreatmentVisit,
    TreatmentZone,
)
from .waitlist import WaitlistEntry, WaitlistOffer

__all__ = [
    "DATA_PROCESSING",
    "AdverseEvent",
    "AdverseEventPhoto",
    "Appointment",
    "AppointmentStatusChange",
    "AuditEntry",
    "AuditQuerySet",
    "ChartAddendum",
    "ConsentSignature",
    "ConsentText",
    "ErasureRequest",
    "FaceZone",
    "ImmutableRowError",
    "IntakeVersion",
    "LotRecall",
    "OutboxMessage",
    "ParameterDefinition",
    "ParameterSchema",
    "PatientProfile",
    "Photo",
    "Product",
    "ProductLot",
    "ProductUsage",
    "RecordLock",
    "ReviewDecision",
    "TreatmentCourse",
    "TreatmentProcedure",
    "TreatmentVisit",
    "TreatmentZone",
    "WaitlistEntry",
    "WaitlistOffer",
    "consent_kind_choices",
    "consent_text_digest",
]
