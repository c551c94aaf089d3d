"""Patient accounts: registration, e-mail verification, profile changes.

Domain rules:
- A patient registers with e-mail and password, name, phone, date of birth and
  preferred language, and in the same step signs the current version of the
  consent to the processing of personal and health data (152-FZ asks for it
  in writing): no account exists without that signature.
- The e-mail address is verified by a signed link (valid
  `EMAIL_VERIFICATION_MAX_AGE_DAYS`); until then the patient may fill in the
  intake but cannot book (`is_verified`). A link is bound to the address it
  was sent to, so it stops working if the address changes; it carries only the
  account's number and a keyed hash of the address, never the address itself
  (links travel through mail servers, logs and browser histories). Links sent
  before that change, which carried the address, keep working until they expire.
- Every e-mail is written in the patient's preferred language.
- The phone is kept in E.164, whatever its spelling (one without a country code is
  read in PHONENUMBER_DEFAULT_REGION); `full_clean()` refuses one that is not a number.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import PhoneNumber

from clinic.models import User
from patients.messaging import send_templated_email
from patients.models import DATA_PROCESSING, ConsentText, PatientProfile
from patients.records.services.consent import sign_consent
from procedures.errors import DomainError

VERIFY_SALT = "patients.verify-email"


def is_verified(user: User) -> bool:
    """True for a patient whose e-mail address is verified (the condition for booking)."""
    profile = getattr(user, "patient_profile", None) if user.is_authenticated else None
    return profile is not None and profile.email_verified_at is not None


def _address_digest(email: str) -> str:
    """A keyed digest of the address: the link names no address, yet dies when it changes."""
    return salted_hmac(VERIFY_SALT, email.strip().lower()).hexdigest()[:24]


def email_verification_token(user: User) -> str:
    """An opaque signed token: the account's id and a keyed digest of its address.

    The address itself is not in the link (signed data is only base64, readable by
    anyone who sees the link: a proxy's log, a shared screen).
    """
    return signing.dumps({"u": user.pk, "h": _address_digest(user.email)}, salt=VERIFY_SALT)


def account_with_email(email: str) -> User | None:
    """The account registered under `email` (any case), if there is one."""
    return User.objects.filter(email__iexact=email.strip()).first()


def tell_owner_of_registration_attempt(*, user: User, base_url: str) -> None:
    """Someone tried to register the owner's address: tell the owner, nobody else."""
    send_templated_email(
        user=user,
        template="registration_attempt",
        context={
            "login_url": base_url.rstrip("/") + reverse("login"),
            "reset_url": base_url.rstrip("/") + reverse("password_reset"),
        },
    )


def send_verification_email(*, user: User, base_url: str) -> None:
    """Send the link that verifies `user`'s address; `base_url` is the site's root URL."""
    path = reverse("verify_email", kwargs={"token": email_verification_token(user)})
    send_templated_email(
        user=user,
        template="verify_email",
        context={
            "verify_url": base_url.rstrip("/") + path,
            "valid_days": settings.EMAIL_VERIFICATION_MAX_AGE_DAYS,
        },
    )


@transaction.atomic
def register_patient(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    phone: str | PhoneNumber,
    date_of_birth: dt.date,
    preferred_language: str,
    consent_text: ConsentText,
    consent_full_name: str,
    consent_ticked: bool,
    ip_address: str | None,
    user_agent: str,
    base_url: str,
) -> User:
    """Create the patient's login and profile, record the data-processing consent,
    and (once committed) send the verification e-mail."""
    if consent_text.kind != DATA_PROCESSING:
        raise DomainError(
            _("Registration needs the consent to the processing of personal data."),
            code="consent_required",
            field="consent_text",
        )
    if date_of_birth > timezone.localdate():
        raise DomainError(
            _("The date of birth cannot be in the future."),
            code="future_date",
            field="date_of_birth",
        )
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(
            _("An account with this e-mail address already exists. Log in or reset the password."),
            code="email_taken",
            field="email",
        )
    user = User(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        phone=phone,
        preferred_language=preferred_language,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    profile = PatientProfile(user=user, date_of_birth=date_of_birth)
    profile.full_clean()
    profile.save()
    sign_consent(
        patient=profile,
        text=consent_text,
        full_name=consent_full_name,
        ticked=consent_ticked,
        ip_address=ip_address,
        user_agent=user_agent,
        language=preferred_language,
    )
    transaction.on_commit(lambda: send_verification_email(user=user, base_url=base_url))
    return user


def verify_email(*, token: str) -> User:
    """Mark the address in the token as verified; raise DomainError for a bad or old link."""
    max_age = dt.timedelta(days=settings.EMAIL_VERIFICATION_MAX_AGE_DAYS)
    try:
        payload = signing.loads(token, salt=VERIFY_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise DomainError(
            _("This confirmation link has expired. Log in and ask for a new one."),
            code="link_expired",
        ) from None
    except signing.BadSignature:
        raise DomainError(
            _("This confirmation link is not valid. Log in and ask for a new one."),
            code="link_invalid",
        ) from None
    profile = (
        PatientProfile.objects.select_related("user")
        .filter(user_id=payload.get("u"), erased_at__isnull=True)
        .first()
    )
    if profile is not None:
        if "e" in payload:  # a link sent before the tokens were opaque, still valid for days
            matches = payload["e"] == profile.user.email
        else:
            matches = constant_time_compare(
                str(payload.get("h", "")), _address_digest(profile.user.email)
            )
        profile = profile if matches else None
    if profile is None:
        raise DomainError(
            _("This confirmation link is not valid. Log in and ask for a new one."),
            code="link_invalid",
        )
    if profile.email_verified_at is None:
        profile.email_verified_at = timezone.now()
        profile.save(update_fields=["email_verified_at"])
    return profile.user


@transaction.atomic
def update_profile(
    *,
    user: User,
    first_name: str,
    last_name: str,
    phone: str | PhoneNumber,
    date_of_birth: dt.date | None,
    preferred_language: str,
    recalls_opt_out: bool | None = None,
) -> PatientProfile:
    """Change the patient's name, phone, date of birth, language and recall preference."""
    profile = ensure_profile(user=user)
    if date_of_birth is not None and date_of_birth > timezone.localdate():
        raise DomainError(
            _("The date of birth cannot be in the future."),
            code="future_date",
            field="date_of_birth",
        )
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.phone = phone
    user.preferred_language = preferred_language
    user.full_clean()
    user.save(update_fields=["first_name", "last_name", "phone", "preferred_language"])
    profile.date_of_birth = date_of_birth
    if recalls_opt_out is not None:
        profile.recalls_opt_out = recalls_opt_out
    profile.full_clean()
    profile.save(update_fields=["date_of_birth", "recalls_opt_out"])
    return profile


def ensure_profile(*, user: User) -> PatientProfile:
    """Return the user's patient profile, creating an empty one for a login without it."""
    profile, _created = PatientProfile.objects.get_or_create(user=user)
    return profile
