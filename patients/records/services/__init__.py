"""Writes of the patient's record; one module per subject, re-exported here.

Services own their transaction, call `full_clean()` before saving, and raise
`procedures.errors.DomainError` (with a `code`) when a business rule refuses.
"""

from patients.records.services.accounts import (
    account_with_email,
    email_verification_token,
    ensure_profile,
    is_verified,
    register_patient,
    send_verification_email,
    tell_owner_of_registration_attempt,
    update_profile,
    verify_email,
)
from patients.records.services.audit import (
    record_access,
    record_progress_seen,
    record_reports_seen,
    record_screening_seen,
)
from patients.records.services.consent import (
    publish_consent_text,
    require_valid_consent,
    sign_consent,
)
from patients.records.services.intake import (
    CLINICIAN_CONFIRMED_KEYS,
    renew_intake,
    require_current_intake,
    review_clinical_answers,
    submit_intake,
)
from patients.records.services.invitations import (
    accept_invitation,
    create_patient_at_desk,
    invite_patient,
)
from patients.records.services.photos import (
    TooManyUploads,
    delete_photo,
    delete_stored_files,
    open_photo_file,
    read_photo_file,
    upload_photo,
)
from patients.records.services.preferences import (
    current_message_preferences,
    set_message_preferences,
)
from patients.records.services.privacy import (
    complete_erasure,
    erasure_outline,
    export_patient_data,
    request_erasure,
    signed_text,
)

__all__ = [
    "CLINICIAN_CONFIRMED_KEYS",
    "TooManyUploads",
    "accept_invitation",
    "account_with_email",
    "complete_erasure",
    "create_patient_at_desk",
    "current_message_preferences",
    "delete_photo",
    "delete_stored_files",
    "email_verification_token",
    "ensure_profile",
    "erasure_outline",
    "export_patient_data",
    "invite_patient",
    "is_verified",
    "open_photo_file",
    "publish_consent_text",
    "read_photo_file",
    "record_access",
    "record_progress_seen",
    "record_reports_seen",
    "record_screening_seen",
    "register_patient",
    "renew_intake",
    "request_erasure",
    "require_current_intake",
    "require_valid_consent",
    "review_clinical_answers",
    "send_verification_email",
    "set_message_preferences",
    "sign_consent",
    "signed_text",
    "submit_intake",
    "tell_owner_of_registration_attempt",
    "update_profile",
    "upload_photo",
    "verify_email",
]
