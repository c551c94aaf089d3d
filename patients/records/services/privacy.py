"""The patient's data rights: a full export, and erasure on request.

Export: one zip archive with `data.json` (profile, every intake version,
every consent signature, photo details, erasure requests), the signed consent
texts as plain text, and the stored photos themselves.

Erasure: the patient asks (`request_erasure`); a manager completes it in the
admin (`complete_erasure`). What goes and what stays, and why:
- Deleted: every photo (files and rows), the axes login records for the
  address, the phone number, the profile's date of birth; the marketing consent
  (recall invitations) is withdrawn.
- Anonymised: the login. Its e-mail becomes `erased-<id>@erased.invalid`, the
  name is emptied, the password made unusable and the account deactivated, so
  nobody can log in as the patient and nothing on it names them.
- Kept, locked: the intake versions (medical records, which Russian health
  law requires a clinic to keep for many years) and the consent signatures
  with their typed name, time and address (the written proof, 152-FZ art. 9,
  that data was processed lawfully; the clinic must be able to show it). They
  stay immutable and linked only to the anonymised account. The audit log
  stays too: it is the clinic's record of who saw what.
- Kept, locked: the treatment record (charts, products used, adverse events and
  the photos they show): it is locked until `TREATMENT_RECORD_RETENTION_YEARS`
  after the erasure (`lock_record_for_erasure`) instead of being deleted.
- Recorded: the request row says who completed it (the manager who confirmed
  it on the confirmation page that lists `erasure_outline()`), when, and what
  was done; an audit row is written as well.

The export itself is built in `export.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models import User
from clinic.roles import Role, has_role
from patients.messaging import send_templated_email
from patients.models import AuditEntry, ErasureRequest, PatientProfile, Photo
from patients.records.selectors import open_erasure_request
from patients.records.services.audit import record_access
from patients.records.services.export import export_patient_data, signed_text
from patients.records.services.photos import delete_stored_files
from patients.records.treatment.selectors import record_photo_ids
from patients.records.treatment.services.lock import lock_record_for_erasure
from procedures.errors import DomainError

__all__ = [
    "complete_erasure",
    "erasure_outline",
    "export_patient_data",
    "request_erasure",
    "signed_text",
]


def erasure_outline() -> dict[str, list[str]]:
    """What an erasure removes and what it keeps, as the confirmation pages say it."""
    years = settings.TREATMENT_RECORD_RETENTION_YEARS
    return {
        "removed": [
            str(_("Contact details: e-mail address, phone number, name and date of birth.")),
            str(_("Photos, except those that are part of the medical record.")),
            str(_("Marketing data: message preferences and login records.")),
            str(_("The account itself: it is closed and nobody can log in with it again.")),
        ],
        "kept": [
            str(
                _(
                    "The medical record (questionnaire versions, treatment charts, reactions "
                    "and the photos they show), locked, for %(years)d years as the law requires."
                )
                % {"years": years}
            ),
            str(
                _(
                    "The consents that were signed, with the name, time and address of "
                    "signing: the proof that the data was processed lawfully."
                )
            ),
            str(_("The clinic's log of who opened the record.")),
        ],
    }


@transaction.atomic
def request_erasure(*, patient: PatientProfile, note: str = "") -> ErasureRequest:
    """Record the patient's request; asking again while one is open returns it."""
    existing = open_erasure_request(patient)
    if existing is not None:
        return existing
    request = ErasureRequest(
        patient=patient, requested_at=timezone.now(), patient_note=note.strip()
    )
    request.full_clean()
    request.save()
    return request


def complete_erasure(*, erasure: ErasureRequest, by: User) -> ErasureRequest:
    """Erase what the clinic need not keep (see the module docstring) and record it."""
    if not has_role(by, Role.MANAGER):
        raise DomainError(_("Only a manager can complete an erasure."), code="forbidden")
    with transaction.atomic():
        erasure = (
            ErasureRequest.objects.select_for_update()
            .select_related("patient__user")
            .get(pk=erasure.pk)
        )
        if erasure.status != ErasureRequest.Status.REQUESTED:
            raise DomainError(
                _("This erasure request has already been completed."), code="already_completed"
            )
        patient = erasure.patient
        user = patient.user
        # Photos an adverse event shows are part of the medical record: locked, not deleted.
        photos = list(
            Photo.objects.filter(patient=patient).exclude(pk__in=record_photo_ids(patient))
        )
        file_names = [name for photo in photos for name in photo.stored_names]
        Photo.objects.filter(pk__in=[photo.pk for photo in photos]).delete()

        old_email = user.email
        first_name = user.first_name
        user.email = f"erased-{user.pk}@erased.invalid"
        user.first_name = ""
        user.last_name = ""
        user.phone = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        patient.date_of_birth = None
        patient.erased_at = timezone.now()
        # Marketing goes with the contact details: no recall invitation ever again.
        patient.recalls_opt_out = True
        patient.recalls_by_sms = False
        patient.save(
            update_fields=["date_of_birth", "erased_at", "recalls_opt_out", "recalls_by_sms"]
        )
        login_records = _delete_login_records(old_email)
        lock = lock_record_for_erasure(erasure=erasure)

        erasure.status = ErasureRequest.Status.COMPLETED
        erasure.completed_at = timezone.now()
        erasure.completed_by = by
        erasure.patient_note = ""
        erasure.summary = {
            "photos_deleted": len(photos),
            "login_records_deleted": login_records,
            "contact_details": "anonymised",
            "marketing": "opted out of recalls",
            "confirmed_by": by.get_full_name() or by.email,
            "kept": ["intake_versions", "consent_signatures", "audit_entries", "treatment_record"],
            "treatment_record_locked_until": lock.locked_until.isoformat(),
        }
        erasure.full_clean()
        erasure.save()
        record_access(
            actor=by,
            patient=patient,
            action=AuditEntry.Action.COMPLETE_ERASURE,
            detail=f"photos deleted: {len(photos)}",
        )
        # Files go only once the rows are gone for good; the patient is told at the
        # address they had, the last time the clinic uses it.
        transaction.on_commit(lambda: delete_stored_files(*file_names))
        transaction.on_commit(
            lambda: send_templated_email(
                user=user,
                template="erasure_done",
                context={"first_name": first_name},
                to=old_email,
            )
        )
    return erasure


def _delete_login_records(email: str) -> int:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    deleted = 0
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        count, _by_model = model.objects.filter(username__iexact=email).delete()
        deleted += count
    return deleted
