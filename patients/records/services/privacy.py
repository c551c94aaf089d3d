"""The patient's data rights: a full export, and erasure on request.

Export: one zip archive with `data.json` (profile, every intake version,
every consent signature, photo details, erasure requests), the signed consent
texts as plain text, and the stored photos themselves.

Erasure: the patient asks (`request_erasure`); a manager completes it in the
admin (`complete_erasure`). What goes and what stays, and why:
- Deleted: every photo (files and rows), the axes login records for the
  address, the phone number, the profile's date of birth.
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
- Recorded: the request row says who completed it, when, and what was done;
  an audit row is written as well.

The export holds the treatment record too (every chart in full, every event), the
appointments with their status history, the messages sent with their delivery
steps, courses and the waitlist; `index.html` shows all of it as a readable page.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models import User
from clinic.roles import Role, has_role
from patients.messaging import send_templated_email
from patients.models import AuditEntry, ErasureRequest, PatientProfile, Photo
from patients.records.selectors import (
    intake_versions,
    open_erasure_request,
    photos_of,
    signatures_of,
)
from patients.records.services.audit import record_access
from patients.records.services.export_parts import (
    appointments_of,
    courses_of,
    export_page,
    messages_of,
    waitlist_of,
)
from patients.records.services.photos import delete_stored_files, read_photo_file
from patients.records.treatment.plain import export_treatment_record
from patients.records.treatment.selectors import record_photo_ids
from patients.records.treatment.services.lock import lock_record_for_erasure
from procedures.errors import DomainError


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
        patient.save(update_fields=["date_of_birth", "erased_at"])
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


def export_patient_data(*, patient: PatientProfile) -> bytes:
    """Return a zip archive of everything the portal holds about the patient."""
    user = patient.user
    # A photo still processing (or that failed) has no picture to give yet.
    photos = [photo for photo in photos_of(patient) if photo.is_ready]
    signatures = list(signatures_of(patient))
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "clinic": settings.CLINIC_NAME,
        "profile": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": str(user.phone),
            "preferred_language": user.preferred_language,
            "date_of_birth": patient.date_of_birth.isoformat() if patient.date_of_birth else None,
            "registered_at": patient.created_at.isoformat(),
            "email_verified_at": (
                patient.email_verified_at.isoformat() if patient.email_verified_at else None
            ),
        },
        "intake_versions": [
            {
                "number": version.number,
                "submitted_at": version.submitted_at.isoformat(),
                "source": version.source,
                "reason": version.reason,
                "schema_version": version.schema_version,
                "clinician_confirmed": version.clinician_confirmed,
                "answers": version.answers,
            }
            for version in intake_versions(patient).order_by("number")
        ],
        "consent_signatures": [
            {
                "kind": sig.kind,
                "text_version": sig.text_version,
                "text_sha256": sig.text_sha256,
                "full_name": sig.full_name,
                "signed_at": sig.signed_at.isoformat(),
                "ip_address": sig.ip_address,
                "user_agent": sig.user_agent,
                "file": f"consents/{sig.kind}-v{sig.text_version}.txt",
            }
            for sig in signatures
        ],
        "photos": [
            {
                "kind": photo.kind,
                "note": photo.note,
                "uploaded_at": photo.uploaded_at.isoformat(),
                "width": photo.width,
                "height": photo.height,
                "file": _photo_archive_name(photo),
            }
            for photo in photos
        ],
        "erasure_requests": [
            {"status": req.status, "requested_at": req.requested_at.isoformat()}
            for req in patient.erasure_requests.all()
        ],
        "appointments": appointments_of(patient),
        "messages": messages_of(patient),
        "courses": courses_of(patient),
        "waitlist": waitlist_of(patient),
        **export_treatment_record(patient),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        # The same data as a page a person reads in any browser.
        archive.writestr("index.html", export_page(data, title=f"{settings.CLINIC_NAME}: {user}"))
        for sig in signatures:
            archive.writestr(f"consents/{sig.kind}-v{sig.text_version}.txt", signed_text(sig))
        for photo in photos:
            archive.writestr(_photo_archive_name(photo), read_photo_file(photo, thumbnail=False))
    return buffer.getvalue()


def _photo_archive_name(photo: Photo) -> str:
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[photo.image_format]
    return f"photos/{photo.kind}-{photo.uploaded_at:%Y%m%d-%H%M%S}-{photo.uuid.hex[:8]}.{extension}"


def signed_text(signature: Any) -> str:
    """What a patient signed, as a plain-text document: both languages, hash, name, time."""
    text = signature.text
    signed_at = timezone.localtime(signature.signed_at)
    lines = [
        f"{text.title_en} / {text.title_ru}",
        f"Version / Версия: {text.version}",
        f"SHA-256: {text.sha256}",
        "",
        "--- English ---",
        text.body_en,
        "",
        "--- Русский ---",
        text.body_ru,
        "",
        "--- Signature / Подпись ---",
        f"Full name / ФИО: {signature.full_name}",
        "Agreed (ticked) / Согласие отмечено: yes / да",
        f"Signed at / Подписано: {signed_at:%Y-%m-%d %H:%M:%S %Z} ({signed_at.isoformat()})",
        f"IP address / IP-адрес: {signature.ip_address or '-'}",
        f"Browser / Браузер: {signature.user_agent or '-'}",
        f"Text hash at signing / Хеш текста при подписании: {signature.text_sha256}",
        "",
    ]
    return "\n".join(lines)
