"""Which channels the patient's messages take, set by the patient or by the desk.

Domain rules (the channels themselves: `patients.messaging.channels`):
- Appointment messages go by e-mail, by SMS or both: never by none.
- Care instructions and recall invitations may be turned off.
- Recalls go by e-mail, or by e-mail and SMS; "off" is the existing opt-out
  (`recalls_opt_out`), which the patient may also set on the profile page.
- Any SMS choice needs a phone number that can take a text.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from patients.messaging import sms_number
from patients.models import PatientProfile
from procedures.errors import DomainError

__all__ = ["CHANNEL_CHOICES", "current_message_preferences", "set_message_preferences"]

EMAIL, SMS, BOTH, OFF = "email", "sms", "both", "off"
CHANNEL_CHOICES = {
    "appointments": (EMAIL, SMS, BOTH),
    "care": (OFF, EMAIL, SMS, BOTH),
    "recalls": (OFF, EMAIL, BOTH),
}


def _choice(by_email: bool, by_sms: bool) -> str:
    return {(True, True): BOTH, (True, False): EMAIL, (False, True): SMS}.get(
        (by_email, by_sms), OFF
    )


def current_message_preferences(patient: PatientProfile) -> dict[str, str]:
    """The patient's choices as the form shows them."""
    return {
        "appointments": _choice(patient.appointments_by_email, patient.appointments_by_sms),
        "care": _choice(patient.care_by_email, patient.care_by_sms),
        "recalls": OFF if patient.recalls_opt_out else _choice(True, patient.recalls_by_sms),
    }


@transaction.atomic
def set_message_preferences(
    *, patient: PatientProfile, appointments: str, care: str, recalls: str
) -> PatientProfile:
    """Save which channels appointment messages, care instructions and recalls take."""
    chosen = {"appointments": appointments, "care": care, "recalls": recalls}
    for group, choice in chosen.items():
        if choice not in CHANNEL_CHOICES[group]:
            raise DomainError(_("Choose one of the options."), code="bad_choice", field=group)
        if choice in (SMS, BOTH) and sms_number(patient.user.phone) is None:
            raise DomainError(
                _("Add a mobile phone number to your profile to get text messages."),
                code="no_phone",
                field=group,
            )
    patient.appointments_by_email = appointments in (EMAIL, BOTH)
    patient.appointments_by_sms = appointments in (SMS, BOTH)
    patient.care_by_email = care in (EMAIL, BOTH)
    patient.care_by_sms = care in (SMS, BOTH)
    patient.recalls_opt_out = recalls == OFF
    patient.recalls_by_sms = recalls == BOTH
    patient.full_clean()
    patient.save(
        update_fields=[
            "appointments_by_email",
            "appointments_by_sms",
            "care_by_email",
            "care_by_sms",
            "recalls_opt_out",
            "recalls_by_sms",
        ]
    )
    return patient
