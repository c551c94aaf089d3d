"""The patient's data export: everything the portal keeps about them, in one zip.

The archive holds `data.json` (machine-readable), `data.html` (the same data as a
page a person reads, in the patient's language), the signed consent texts as
plain text and the stored photos. `data.json` covers the profile, every intake
version, the message preferences, every consent signature, photo details, erasure requests, every
appointment with its status history and review decisions, treatment courses,
waiting-list entries, every message the clinic queued for the patient (e-mail
and SMS, with the times it was sent, delivered or failed) and the treatment
record (charts and adverse events), and the patient's own ratings of their
results (self-assessments). Nothing of any other patient is read: every
query filters on this patient.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from clinic.availability import local_date
from patients.models import (
    Appointment,
    OutboxMessage,
    PatientProfile,
    Photo,
    SelfAssessment,
    TreatmentCourse,
    WaitlistEntry,
)
from patients.records.selectors import intake_versions, photos_of, signatures_of
from patients.records.services.photos import read_photo_file
from patients.records.services.preferences import current_message_preferences
from patients.records.treatment.plain import export_treatment_record

__all__ = ["export_patient_data", "signed_text"]

# The order and headings of the readable page; keys are `data.json`'s sections.
SECTION_TITLES = {
    "profile": _("Your profile"),
    "intake_versions": _("Health questionnaire (every version)"),
    "consent_signatures": _("Consents you signed"),
    "photos": _("Photos"),
    "appointments": _("Appointments and their history"),
    "treatment_courses": _("Treatment courses"),
    "waitlist_entries": _("Waiting list"),
    "messages": _("Messages the clinic sent you"),
    "treatment_charts": _("Treatment record: charts"),
    "adverse_events": _("Treatment record: reactions and complications"),
    "self_assessments": _("How you rated your results"),
    "erasure_requests": _("Erasure requests"),
}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export_patient_data(*, patient: PatientProfile) -> bytes:
    """Return a zip archive of everything the portal holds about the patient."""
    # A photo still processing (or that failed) has no picture to give yet.
    photos = [
        photo
        for photo in photos_of(patient).prefetch_related("publication_consents")
        if photo.is_ready
    ]
    signatures = list(signatures_of(patient))
    data = _export_data(patient, photos=photos, signatures=signatures)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("data.html", render_export_page(patient=patient, data=data))
        for sig in signatures:
            archive.writestr(f"consents/{sig.kind}-v{sig.text_version}.txt", signed_text(sig))
        for photo in photos:
            archive.writestr(_photo_archive_name(photo), read_photo_file(photo, thumbnail=False))
    return buffer.getvalue()


def _export_data(
    patient: PatientProfile, *, photos: list[Photo], signatures: list[Any]
) -> dict[str, Any]:
    user = patient.user
    return {
        "exported_at": timezone.now().isoformat(),
        "clinic": settings.CLINIC_NAME,
        "profile": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": str(user.phone),
            "preferred_language": user.preferred_language,
            "date_of_birth": _iso(patient.date_of_birth),
            "registered_at": patient.created_at.isoformat(),
            "email_verified_at": _iso(patient.email_verified_at),
            "message_preferences": current_message_preferences(patient),
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
                # Each time the patient allowed it to be published, and withdrew that.
                "publication_consents": [
                    {
                        "text_version": consent.text_version,
                        "text_sha256": consent.text_sha256,
                        "given_at": consent.given_at.isoformat(),
                        "ip_address": consent.ip_address,
                        "withdrawn_at": _iso(consent.withdrawn_at),
                    }
                    for consent in photo.publication_consents.all()
                ],
            }
            for photo in photos
        ],
        "appointments": _appointments(patient),
        "treatment_courses": [
            {
                "procedure": course.procedure.name_en,
                "started_on": course.started_on.isoformat(),
                "status": course.status,
                "sessions_done": course.sessions_done,
                "last_session_on": _iso(course.last_session_on),
            }
            for course in TreatmentCourse.objects.filter(patient=patient)
            .select_related("procedure")
            .order_by("started_on", "pk")
        ],
        "waitlist_entries": [
            {
                "procedure": entry.procedure.name_en,
                "from": entry.from_date.isoformat(),
                "until": entry.to_date.isoformat(),
                "status": entry.status,
                "joined_at": entry.created_at.isoformat(),
            }
            for entry in WaitlistEntry.objects.filter(patient=patient)
            .select_related("procedure")
            .order_by("created_at", "pk")
        ],
        "messages": _messages(patient),
        "erasure_requests": [
            {"status": req.status, "requested_at": req.requested_at.isoformat()}
            for req in patient.erasure_requests.all()
        ],
        **export_treatment_record(patient),
        "self_assessments": [
            {
                "procedure": answer.appointment.procedure_name_en,
                "session_on": local_date(answer.appointment.start).isoformat(),
                "asked": answer.occasion,
                "bother_0_to_10": answer.bother,
                "satisfaction_0_to_10": answer.satisfaction,
                "answered_at": answer.answered_at.isoformat(),
            }
            for answer in SelfAssessment.objects.filter(patient=patient)
            .select_related("appointment")
            .order_by("answered_at", "pk")
        ],
    }


def _appointments(patient: PatientProfile) -> list[dict[str, Any]]:
    appointments = (
        Appointment.objects.filter(patient=patient)
        .select_related("practitioner__user", "room")
        .prefetch_related("status_changes", "review_decisions")
        .order_by("start", "pk")
    )
    return [
        {
            "procedure": appointment.procedure_name_en,
            "start": appointment.start.isoformat(),
            "end": appointment.end.isoformat(),
            "practitioner": appointment.practitioner.user.get_full_name(),
            "room": str(appointment.room),
            "status": appointment.status,
            "price_rub": str(appointment.price),
            "booked_at": appointment.created_at.isoformat(),
            "booked_through": appointment.channel,
            "screening_outcome": appointment.screening_outcome,
            "screening_flags": appointment.screening_flags,
            "note_to_patient": appointment.note_to_patient,
            "confirmed_by_patient_at": _iso(appointment.confirmed_by_patient_at),
            "status_history": [
                {
                    "from": change.from_status,
                    "to": change.to_status,
                    "at": change.at.isoformat(),
                    "reason": change.reason,
                }
                for change in appointment.status_changes.all()
            ],
            "review_decisions": [
                {"decision": decision.kind, "at": decision.at.isoformat()}
                for decision in appointment.review_decisions.all()
            ],
        }
        for appointment in appointments
    ]


def _messages(patient: PatientProfile) -> list[dict[str, Any]]:
    messages = (
        OutboxMessage.objects.filter(patient=patient)
        .select_related("appointment")
        .order_by("due_at", "pk")
    )
    return [
        {
            "kind": message.kind,
            "channel": message.channel,
            "recipient": message.recipient,
            "appointment_start": _iso(message.appointment.start) if message.appointment else None,
            "state": message.state,
            # The message's life, in order: queued, due, sent, delivered or failed.
            "status_history": {
                "created_at": message.created_at.isoformat(),
                "due_at": message.due_at.isoformat(),
                "sent_at": _iso(message.sent_at),
                "delivered_at": _iso(message.delivered_at),
                "first_failed_at": _iso(message.first_failed_at),
                "attempts": message.attempts,
            },
        }
        for message in messages
    ]


def _readable(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, indent=2)
    return "" if value is None else str(value)


def render_export_page(*, patient: PatientProfile, data: dict[str, Any]) -> str:
    """The export as one HTML page, in the patient's language, with no outside resources."""
    with translation.override(patient.user.preferred_language or settings.LANGUAGE_CODE):
        sections = []
        for key, title in SECTION_TITLES.items():
            value = data.get(key)
            rows = value if isinstance(value, list) else [value] if value else []
            sections.append(
                {
                    "key": key,
                    "title": str(title),
                    "rows": [
                        [(field, _readable(item)) for field, item in row.items()] for row in rows
                    ],
                }
            )
        return render_to_string(
            "patients/export/data.html",
            {"data": data, "sections": sections, "language": translation.get_language()},
        )


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
