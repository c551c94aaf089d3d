"""Publishing consent texts and signing them.

Domain rules (see `patients.models.consent`): versions are numbered per kind
and never edited; only the current version can be signed; a signature records
the typed name, the tick, time, address, browser, and the version's hash. A
procedure category can be booked only with a signature of its current text
(`require_valid_consent`).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models import ConsentSignature, ConsentText, PatientProfile, consent_kind_choices
from patients.records.selectors import current_consent_text, has_valid_consent
from procedures.errors import DomainError

USER_AGENT_MAX = 512


@transaction.atomic
def publish_consent_text(
    *, kind: str, title_en: str, title_ru: str, body_en: str, body_ru: str
) -> ConsentText:
    """Publish a new version of the consent text of `kind`; earlier signatures lapse."""
    if kind not in dict(consent_kind_choices()):
        raise DomainError(_("Unknown consent kind."), code="unknown_consent_kind", field="kind")
    latest = ConsentText.objects.filter(kind=kind).aggregate(latest=Max("version"))["latest"]
    text = ConsentText(
        kind=kind,
        version=(latest or 0) + 1,
        title_en=title_en.strip(),
        title_ru=title_ru.strip(),
        body_en=body_en.strip(),
        body_ru=body_ru.strip(),
        published_at=timezone.now(),
    )
    text.sha256 = text.compute_digest()
    text.full_clean()
    text.save()
    return text


@transaction.atomic
def sign_consent(
    *,
    patient: PatientProfile,
    text: ConsentText,
    full_name: str,
    ticked: bool,
    ip_address: str | None,
    user_agent: str,
    language: str,
) -> ConsentSignature:
    """Record the patient's signature of `text`; signing one version twice returns the first."""
    if not ticked:
        raise DomainError(
            _("Tick the box to confirm that you agree."), code="consent_not_ticked", field="ticked"
        )
    full_name = " ".join(full_name.split())
    if len(full_name) < 2:
        raise DomainError(
            _("Type your full name to sign."), code="full_name_required", field="full_name"
        )
    require_agreeable_text(text)
    existing = ConsentSignature.objects.filter(patient=patient, text=text).first()
    if existing is not None:
        return existing
    signature = ConsentSignature(
        patient=patient,
        text=text,
        kind=text.kind,
        text_version=text.version,
        text_sha256=text.sha256,
        full_name=full_name,
        ticked=True,
        language=language[:8],
        signed_at=timezone.now(),
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:USER_AGENT_MAX],
    )
    signature.full_clean()
    signature.save()
    return signature


def require_agreeable_text(text: ConsentText) -> None:
    """Raise DomainError unless `text` is its kind's current version, its hash intact."""
    current = current_consent_text(text.kind)
    if current is None or current.pk != text.pk:
        raise DomainError(
            _("This text has been replaced by a newer version. Please read the new one."),
            code="consent_text_outdated",
            field="text",
        )
    # A text row is immutable, but its stored hash must still match its words.
    if text.compute_digest() != text.sha256:
        raise DomainError(
            _("This consent text cannot be signed at the moment. Please contact the clinic."),
            code="consent_text_corrupt",
        )


def require_valid_consent(patient: PatientProfile, category: str) -> None:
    """Raise DomainError `consent_required` unless the category's current text is signed.

    The booking service calls this before booking a procedure of `category`.
    """
    if not has_valid_consent(patient, category):
        raise DomainError(
            _("Please read and sign the consent for this kind of procedure before booking."),
            code="consent_required",
            field="consent",
        )
