"""Patients the reception desk creates: a first-time caller or walk-in (issue #20).

Domain rules:
- The desk gives name, phone (E.164), date of birth, preferred language and, when
  the patient has one, an e-mail address. One person, one record: a patient with
  the same phone or e-mail address already exists is offered instead
  (`patients.records.selectors.possible_duplicates`); the same e-mail address is
  refused outright (it is the login), the same phone only until the desk says
  it is another person (a family may share a phone).
- The account has no password: the patient is invited (through the outbox, by
  e-mail and SMS: `patients.messaging.channels`) to set one with a one-time link
  and to fill in the questionnaire at home. A patient without an e-mail address
  gets the SMS only (and, having no login address, signs in through that link
  once); the clinic tablet takes the questionnaire and the consents in the clinic.
- The desk does not sign anything for the patient: the data-processing consent, the
  questionnaire and the procedure consents are the patient's own (at home or on the
  tablet). The address is verified when the patient sets the password through the
  link e-mailed to it.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import patients.messaging as messaging
from clinic.models import User
from patients.models import NO_EMAIL_DOMAIN, OutboxMessage, PatientProfile
from patients.records.selectors import possible_duplicates
from procedures.errors import DomainError

__all__ = ["accept_invitation", "create_patient_at_desk", "invite_patient"]


def _login_address(email: str) -> str:
    if email:
        return User.objects.normalize_email(email).lower()
    return f"{uuid.uuid4().hex}@{NO_EMAIL_DOMAIN}"


@transaction.atomic
def create_patient_at_desk(
    *,
    first_name: str,
    last_name: str,
    phone: str,
    email: str,
    date_of_birth: dt.date,
    preferred_language: str,
    another_person: bool = False,
) -> PatientProfile:
    """Create the patient (no password yet) and invite them through the outbox."""
    if date_of_birth > timezone.localdate():
        raise DomainError(
            _("The date of birth cannot be in the future."),
            code="future_date",
            field="date_of_birth",
        )
    duplicates = possible_duplicates(phone=phone, email=email)
    if any(match.by_email for match in duplicates):
        raise DomainError(
            _("A patient with this e-mail address already exists."),
            code="email_taken",
            field="email",
        )
    if duplicates and not another_person:
        raise DomainError(
            _("A patient with this phone number already exists."),
            code="possible_duplicate",
            field="phone",
        )
    user = User(
        email=_login_address(email),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        phone=phone,
        preferred_language=preferred_language,
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    profile = PatientProfile(user=user, date_of_birth=date_of_birth)
    profile.full_clean()
    profile.save()
    messaging.patient_invited(profile)
    return profile


@transaction.atomic
def invite_patient(*, patient: PatientProfile) -> OutboxMessage | None:
    """Send the invitation again (a new one-time link); refused once a password is set."""
    if patient.user.has_usable_password():
        raise DomainError(_("The patient has set a password already."), code="already_accepted")
    invitation = messaging.patient_invited(patient)
    if invitation is None:
        raise DomainError(
            _("No e-mail address or mobile phone to send it to: use the clinic tablet."),
            code="no_channel",
        )
    return invitation


def accept_invitation(*, user: User) -> None:
    """The password is set through the e-mailed link: the address works, so it is verified."""
    profile = getattr(user, "patient_profile", None)
    if profile is not None and profile.email_verified_at is None and profile.has_email:
        profile.email_verified_at = timezone.now()
        profile.save(update_fields=["email_verified_at"])
