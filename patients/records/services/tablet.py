"""The clinic tablet: the questionnaire and the consents taken in the clinic (issue #20).

The rules are stated in `patients.models.tablet`. Here: opening a link for one
patient (the desk), finding the open link of a token, signing a consent with a
finger-drawn signature, and "done", which ends the link. The drawn signature is
a PNG the page's canvas sends as a data URL; it is decoded and re-encoded from
its pixels (nothing else of the upload is kept), and an empty drawing is refused.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import secrets
import warnings

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from clinic.models import User
from patients.models import (
    DATA_PROCESSING,
    ConsentSignature,
    ConsentText,
    DrawnSignature,
    PatientProfile,
    TabletSession,
)
from patients.records.selectors import current_consent_text
from patients.records.services.consent import sign_consent
from procedures.errors import DomainError

__all__ = [
    "TabletLinkEnded",
    "finish_tablet",
    "open_tablet",
    "open_tablet_of",
    "sign_on_tablet",
    "token_digest",
]

PNG_DATA_URL = "data:image/png;base64,"


class TabletLinkEnded(DomainError):
    """The link is unknown, expired or finished: the page stays locked."""

    http_status = 410

    def __init__(self) -> None:
        super().__init__(
            _("This page is locked. Please hand the tablet back to the reception desk."),
            code="tablet_link_ended",
        )


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def open_tablet(
    *, patient: PatientProfile, consent_kinds: list[str], opened_by: User
) -> tuple[TabletSession, str]:
    """Open a link for `patient` (ending their earlier open one); the session and its token.

    The data-processing consent is asked first when the patient has not signed its
    current version (a patient created at the desk has signed nothing yet).
    """
    if patient.erased_at is not None:
        raise DomainError(_("This patient's data was erased."), code="patient_erased")
    now = timezone.now()
    TabletSession.objects.filter(
        patient=patient, finished_at__isnull=True, expires_at__gt=now
    ).update(finished_at=now)
    kinds = [kind for kind in consent_kinds if current_consent_text(kind) is not None]
    if DATA_PROCESSING not in kinds and current_consent_text(DATA_PROCESSING) is not None:
        kinds.insert(0, DATA_PROCESSING)
    token = secrets.token_urlsafe(32)
    session = TabletSession(
        patient=patient,
        token_sha256=token_digest(token),
        consent_kinds=list(dict.fromkeys(kinds)),
        opened_by=opened_by,
        created_at=now,
        expires_at=now + dt.timedelta(minutes=settings.TABLET_LINK_MINUTES),
    )
    session.full_clean()
    session.save()
    return session, token


def open_tablet_of(token: str, *, now: dt.datetime | None = None) -> TabletSession:
    """The open link of `token`, or TabletLinkEnded (unknown, expired or finished)."""
    session = (
        TabletSession.objects.select_related("patient__user")
        .filter(token_sha256=token_digest(token))
        .first()
    )
    if session is None or not session.is_open(now) or session.patient.erased_at is not None:
        raise TabletLinkEnded()
    return session


def drawn_png(data_url: str) -> bytes:
    """The canvas's data URL as a clean PNG (its pixels re-encoded), or DomainError."""
    refused = DomainError(
        _("Please sign with your finger in the box."), code="signature_required", field="drawing"
    )
    if not data_url.startswith(PNG_DATA_URL):
        raise refused
    try:
        raw = base64.b64decode(data_url[len(PNG_DATA_URL) :], validate=True)
    except (binascii.Error, ValueError):
        raise refused from None
    if len(raw) > settings.TABLET_SIGNATURE_MAX_BYTES:
        raise refused
    side = settings.TABLET_SIGNATURE_MAX_SIDE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
            if image.format != "PNG" or max(image.size) > side:
                raise refused
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombWarning):
        raise refused from None
    pixels = image.convert("LA")
    alpha, ink = pixels.getchannel("A"), pixels.getchannel("L")
    darkest, lightest = ink.getextrema()
    # Nothing drawn: every pixel transparent, or an opaque picture of one colour.
    if alpha.getbbox() is None or (alpha.getextrema()[0] == 255 and darkest == lightest):
        raise refused
    out = io.BytesIO()
    pixels.save(out, format="PNG", optimize=True)
    return out.getvalue()


@transaction.atomic
def sign_on_tablet(
    *,
    session: TabletSession,
    text: ConsentText,
    full_name: str,
    ticked: bool,
    drawing: str,
    ip_address: str | None,
    user_agent: str,
    language: str,
) -> ConsentSignature:
    """Sign `text` for the tablet's patient, with the drawn signature kept beside it."""
    session = TabletSession.objects.select_for_update().get(pk=session.pk)
    if not session.is_open():
        raise TabletLinkEnded()
    if text.kind not in session.consent_kinds:
        raise DomainError(_("This consent is not asked on this page."), code="not_asked")
    image = drawn_png(drawing)
    signature = sign_consent(
        patient=session.patient,
        text=text,
        full_name=full_name,
        ticked=ticked,
        ip_address=ip_address,
        user_agent=user_agent,
        language=language,
    )
    drawn = DrawnSignature(
        signature=signature,
        tablet=session,
        image=image,
        full_name=signature.full_name,
        drawn_at=signature.signed_at,
        device=(user_agent or "")[:512],
    )
    if not DrawnSignature.objects.filter(signature=signature).exists():
        drawn.full_clean()
        drawn.save()
    return signature


@transaction.atomic
def finish_tablet(*, session: TabletSession) -> TabletSession:
    """ "Done": the link ends and the page is locked again."""
    session = TabletSession.objects.select_for_update().get(pk=session.pk)
    if not session.is_open():
        raise TabletLinkEnded()
    session.finished_at = timezone.now()
    session.save(update_fields=["finished_at"])
    return session
