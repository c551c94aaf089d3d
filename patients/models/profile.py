"""A patient's profile: the person behind a `clinic.User` who may book.

Name, e-mail, phone and preferred language live on the `User` (every login has
them); the profile adds what only patients have: date of birth, when their
e-mail address was verified (unverified patients cannot book online), and when their
personal data was erased (the row is kept, anonymised, because signed consents
and medical records must be kept for the legally required period).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# A patient created at the desk without an e-mail address gets a login address in this
# reserved domain (RFC 2606: never delivered); nothing is e-mailed to it.
NO_EMAIL_DOMAIN = "no-email.invalid"


class PatientProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="patient_profile",
        verbose_name=_("user"),
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    email_verified_at = models.DateTimeField(_("e-mail verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    erased_at = models.DateTimeField(
        _("personal data erased at"),
        null=True,
        blank=True,
        help_text=_("Set when the patient's erasure request was completed."),
    )
    # Recalls are invitations; appointment messages are part of the booking and stay on.
    recalls_opt_out = models.BooleanField(
        _("no recall invitations"),
        default=False,
        help_text=_("Do not invite me back when a repeat treatment becomes possible."),
    )

    # Which channels each group of messages takes (`patients.messaging.channels`):
    # appointment messages always reach at least one (a database check); care
    # instructions and recalls may be turned off altogether.
    appointments_by_email = models.BooleanField(_("appointments by e-mail"), default=True)
    appointments_by_sms = models.BooleanField(_("appointments by SMS"), default=True)
    care_by_email = models.BooleanField(_("care instructions by e-mail"), default=True)
    care_by_sms = models.BooleanField(_("care instructions by SMS"), default=False)
    recalls_by_sms = models.BooleanField(_("recalls by SMS"), default=False)
    # A hard bounce (the provider's delivery report) marks the address as not working:
    # nothing more is e-mailed to it and appointment messages go by SMS instead.
    email_bounced_at = models.DateTimeField(
        _("e-mail address not working since"),
        null=True,
        blank=True,
        help_text=_("Set by a hard bounce; clear it once the patient gives a working address."),
    )
    email_bounce_reason = models.CharField(_("why the e-mail bounced"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        ordering = ("user__last_name", "user__first_name", "pk")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(appointments_by_email=True) | models.Q(appointments_by_sms=True),
                name="patient_appointment_messages_reach_a_channel",
            ),
        ]

    def __str__(self) -> str:
        if self.erased_at:
            return str(_("Erased patient #%(id)s") % {"id": self.pk})
        return str(self.user)

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def has_email(self) -> bool:
        """Whether the patient gave an e-mail address (not a desk placeholder)."""
        return not self.user.email.lower().endswith("@" + NO_EMAIL_DOMAIN)

    @property
    def email_works(self) -> bool:
        """Whether e-mail can reach the patient: an address given, and no hard bounce from it."""
        return self.has_email and self.email_bounced_at is None

    @property
    def full_name(self) -> str:
        return self.user.get_full_name()
