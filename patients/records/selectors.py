"""Reads for the patient's side: profiles, intake versions and their expiry,
consent, photos, the screened catalogue.

Domain rules:
- Screening always uses the latest intake version. A version is current for
  `settings.INTAKE_VALID_MONTHS` months after the patient last reviewed it;
  after that the patient is asked to review it before booking.
- A procedure category may be booked with a signature of the current version
  of its consent text. With no published text for a category there is nothing
  the patient could have agreed to, so the answer is "no" (fail closed).
- `procedure_history()` comes from completed appointments: each procedure's
  latest treatment course (not lapsed) gives the sessions done and the last
  session date; a procedure never done is absent (no sessions).
- `screening_inputs()` is what every screening of a patient reads besides the
  procedure and the date (rules-v2.md section 1): the latest intake version and
  every other session of the patient, as `(slug, local date, done)`: done =
  completed, not done = holding time (pending review, confirmed, checked in), on
  any date. Cancelled, declined and no-show sessions never count. Booking, the
  desk, the API, moves, courses, the waitlist, reviews, the treatment record and
  "Treatments for me" all read it here, so they screen alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from clinic.availability import local_date
from clinic.models import User
from clinic.search import contains_text, phone_matches
from patients.models import (
    DATA_PROCESSING,
    PHOTO_PUBLICATION,
    Appointment,
    ConsentSignature,
    ConsentText,
    ErasureRequest,
    IntakeVersion,
    OutboxMessage,
    PatientProfile,
    Photo,
    TabletSession,
    TreatmentCourse,
)
from patients.models.intake import intake_expires_on
from patients.models.lifecycle import HOLDING_STATUSES, AppointmentStatus
from procedures.selectors import screen_catalogue

History = dict[str, tuple[dt.date | None, int]]


def profile_of(user: User | AnonymousUser) -> PatientProfile | None:
    """The patient profile of a logged-in user, or None (staff, anonymous, erased)."""
    if not user.is_authenticated:
        return None
    if User.patient_profile.is_cached(user):
        # Read with the user already (the API's token check selects it): no query.
        profile = getattr(user, "patient_profile", None)
        return profile if profile is not None and profile.erased_at is None else None
    # One profile per user: by pk, so the model's ordering by name adds no join.
    return PatientProfile.objects.filter(user=user, erased_at__isnull=True).order_by("pk").first()


# --- intake -------------------------------------------------------------------------------------


def latest_intake(patient: PatientProfile) -> IntakeVersion | None:
    """The patient's latest intake version, expired or not (what screening reads)."""
    return (
        IntakeVersion.objects.filter(patient=patient)
        .select_related("submitted_by")
        .order_by("-number")
        .first()
    )


def intake_versions(patient: PatientProfile) -> QuerySet[IntakeVersion]:
    return IntakeVersion.objects.filter(patient=patient).select_related("submitted_by")


def intake_is_current(version: IntakeVersion, *, on: dt.date | None = None) -> bool:
    return (on or timezone.localdate()) < intake_expires_on(version)


def current_intake_or_none(
    patient: PatientProfile, *, on: dt.date | None = None
) -> IntakeVersion | None:
    """The latest version if it has not expired by `on` (today by default), else None."""
    version = latest_intake(patient)
    if version is None or not intake_is_current(version, on=on):
        return None
    return version


def intake_status(patient: PatientProfile, *, on: dt.date | None = None) -> str:
    """ "missing", "expired" or "current"."""
    version = latest_intake(patient)
    if version is None:
        return "missing"
    return "current" if intake_is_current(version, on=on) else "expired"


# --- screening ---------------------------------------------------------------------------------

OtherSession = tuple[str, dt.date, bool]
# The statuses of a session screening counts: holding time (not done) or completed (done).
COUNTED_STATUSES: frozenset[str] = HOLDING_STATUSES | {AppointmentStatus.COMPLETED}


@dataclass(frozen=True)
class ScreeningInputs:
    """What screening reads about a patient: the latest intake and their sessions."""

    version: IntakeVersion | None
    other_sessions: tuple[OtherSession, ...] = ()

    @property
    def answers(self) -> dict[str, Any]:
        return self.version.parsed_answers if self.version is not None else {}


def patient_sessions(
    patient: PatientProfile, *, excluding: Appointment | int | None = None
) -> tuple[OtherSession, ...]:
    """The patient's sessions screening counts, as `(slug, local date, done)`; one query.

    `excluding` is left out (the appointment being moved, decided or re-screened).
    Each screening ignores the entries of its own procedure (its history is the course).
    """
    sessions = Appointment.objects.filter(patient=patient, status__in=COUNTED_STATUSES)
    if excluding is not None:
        sessions = sessions.exclude(pk=getattr(excluding, "pk", excluding))
    rows = sessions.order_by("start", "pk").values_list("procedure__slug", "start", "status")
    return tuple(
        (slug, local_date(start), status == AppointmentStatus.COMPLETED)
        for slug, start, status in rows
    )


def screening_inputs(
    patient: PatientProfile, *, excluding: Appointment | int | None = None
) -> ScreeningInputs:
    """The patient's latest intake and other sessions: the one read every screening path uses."""
    # Without who submitted it (what the pages show): screening reads the answers and dates.
    version = IntakeVersion.objects.filter(patient=patient).order_by("-number").first()
    return ScreeningInputs(version, patient_sessions(patient, excluding=excluding))


def procedure_history(patient: PatientProfile) -> History:
    """Map a procedure slug to (last completed session date, sessions done in the course).

    From the patient's latest treatment course of each procedure (completed
    appointments advance it; a lapsed course was replaced by a new one); one
    query. A slug not in the map has no sessions, as screening assumes.
    """
    history: History = {}
    rows = (
        TreatmentCourse.objects.filter(patient=patient)
        .exclude(status=TreatmentCourse.Status.LAPSED)
        .order_by("procedure__slug", "-started_on", "-pk")
        .values_list("procedure__slug", "last_session_on", "sessions_done")
    )
    for slug, last_session_on, sessions_done in rows:
        history.setdefault(slug, (last_session_on, sessions_done))
    return history


def screened_catalogue(
    patient: PatientProfile, *, on: dt.date | None = None
) -> list[tuple[Any, Any]] | None:
    """Every active procedure with its screening result for the patient's latest intake.

    None when the patient has no intake yet.
    """
    inputs = screening_inputs(patient)
    if inputs.version is None:
        return None
    return screen_catalogue(
        inputs.answers,
        on=on or timezone.localdate(),
        history=procedure_history(patient),
        other_sessions=inputs.other_sessions,
    )


# --- consent -----------------------------------------------------------------------------------


def current_consent_text(kind: str) -> ConsentText | None:
    return ConsentText.objects.filter(kind=kind).order_by("-version").first()


def current_consent_texts() -> list[ConsentText]:
    """The current version of every kind signed once, data processing first.

    Publication is agreed to photo by photo (`patients.records.outcomes.gallery`), so its
    text is not among those a patient signs on the consents page.
    """
    latest = (
        ConsentText.objects.exclude(kind=PHOTO_PUBLICATION)
        .values("kind")
        .annotate(latest=Max("version"))
    )
    wanted = {row["kind"]: row["latest"] for row in latest}
    texts = [
        text
        for text in ConsentText.objects.filter(kind__in=wanted)
        if text.version == wanted[text.kind]
    ]
    return sorted(texts, key=lambda text: (text.kind != DATA_PROCESSING, text.kind))


def has_valid_consent(patient: PatientProfile, category: str) -> bool:
    """True when the patient signed the current version of the consent text of `category`."""
    current = current_consent_text(category)
    if current is None:
        return False
    return ConsentSignature.objects.filter(patient=patient, text=current).exists()


def signatures_of(patient: PatientProfile) -> QuerySet[ConsentSignature]:
    return ConsentSignature.objects.filter(patient=patient).select_related("text")


def consent_overview(patient: PatientProfile) -> list[dict[str, Any]]:
    """For each current text: the text, the patient's signature of it (or None), and
    whether an older version was signed (so the page can say "a new version")."""
    signed = {sig.text_id: sig for sig in signatures_of(patient)}
    signed_kinds = {sig.kind for sig in signed.values()}
    return [
        {
            "text": text,
            "signature": signed.get(text.pk),
            "older_signed": text.pk not in signed and text.kind in signed_kinds,
        }
        for text in current_consent_texts()
    ]


# --- photos ------------------------------------------------------------------------------------


def photos_of(patient: PatientProfile, *, kinds: tuple[str, ...] | None = None) -> QuerySet[Photo]:
    photos = Photo.objects.filter(patient=patient).select_related("uploaded_by")
    if kinds:
        photos = photos.filter(kind__in=kinds)
    return photos


# --- privacy -----------------------------------------------------------------------------------


def open_erasure_request(patient: PatientProfile) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(
        patient=patient, status=ErasureRequest.Status.REQUESTED
    ).first()


def patients_for_staff(*, query: str = "") -> QuerySet[PatientProfile]:
    """Patients for the staff list, searchable by name, e-mail or phone.

    A query of phone characters finds that number in any spelling, or the numbers
    that hold its digits (clinic.search); otherwise every word must match a name
    (in any case and alphabet), the e-mail address or the phone.
    """
    patients = PatientProfile.objects.filter(erased_at__isnull=True).select_related("user")
    phone = phone_matches("user__phone", query)
    if phone is not None:
        return patients.filter(phone)
    for word in query.split()[:5]:
        matches = (
            contains_text("user__first_name", word)
            | contains_text("user__last_name", word)
            | Q(user__email__icontains=word)
            | (phone_matches("user__phone", word) or Q(user__phone__contains=word))
        )
        patients = patients.filter(matches)
    return patients


def intake_required(patient: PatientProfile, *, on: dt.date | None = None) -> bool:
    """True when booking must first send the patient to the intake (none, or expired)."""
    return current_intake_or_none(patient, on=on) is None


# --- the desk's new patients (issue #20) ----------------------------------------------------


@dataclass(frozen=True)
class Duplicate:
    """An existing patient who may be the person the desk is about to create."""

    patient: PatientProfile
    by_phone: bool
    by_email: bool


def possible_duplicates(*, phone: str, email: str = "") -> list[Duplicate]:
    """Patients with this phone (E.164, as stored) or this e-mail address."""
    email = email.strip().lower()
    match = Q(user__phone=phone) if phone else Q(pk__in=[])
    if email:
        match |= Q(user__email__iexact=email)
    found = PatientProfile.objects.filter(match, erased_at__isnull=True).select_related("user")
    return [
        Duplicate(
            patient=profile,
            by_phone=bool(phone) and profile.user.phone == phone,
            by_email=bool(email) and profile.user.email.lower() == email,
        )
        for profile in found[:10]
    ]


@dataclass(frozen=True)
class InvitationStatus:
    """What the desk sees of a patient's latest invitation: sent when and how, and
    whether it was done (a password set)."""

    sent_at: dt.datetime | None
    channels: list[str]
    password_set: bool
    has_email: bool


def invitation_status(patient: PatientProfile) -> InvitationStatus | None:
    """The latest invitation of a patient created at the desk (None if never invited)."""
    rows = OutboxMessage.objects.filter(patient=patient, kind=OutboxMessage.Kind.INVITATION)
    latest = rows.order_by("-created_at", "-pk").first()
    if latest is None:
        return None
    same = [row for row in rows.filter(dedupe_key=latest.dedupe_key) if row.state != "cancelled"]
    sent = [row.sent_at for row in same if row.sent_at is not None]
    return InvitationStatus(
        sent_at=max(sent) if sent else None,
        channels=[str(row.get_channel_display()) for row in same],
        password_set=patient.user.has_usable_password(),
        has_email=patient.has_email,
    )


def latest_tablet(patient: PatientProfile) -> TabletSession | None:
    """The patient's latest clinic tablet link (open, finished or expired)."""
    return TabletSession.objects.filter(patient=patient).order_by("-created_at", "-pk").first()


def ready_for_visit(patient: PatientProfile, category: str, *, on: dt.date) -> list[str]:
    """What the patient still owes before a visit of `category` on `on`: "intake",
    "consent" (none when ready)."""
    missing = []
    if current_intake_or_none(patient, on=on) is None:
        missing.append("intake")
    if not has_valid_consent(patient, category):
        missing.append("consent")
    return missing
