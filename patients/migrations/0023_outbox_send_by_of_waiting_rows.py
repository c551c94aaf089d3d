"""Rows waiting when `send_by` arrived get one: their appointment's start (or the offer's end).

What comes after a visit (after-care, "how are you?") keeps none; course
messages written before keep none too (their window is not stored on the row).
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery

BEFORE_THE_VISIT = [
    "booking_confirmation",
    "review_decision",
    "appointment_cancelled",
    "appointment_moved",
    "appointment_reminder",
    "intake_update_requested",
    "precare_notice",
]


def fill(apps, schema_editor):
    OutboxMessage = apps.get_model("patients", "OutboxMessage")
    Appointment = apps.get_model("patients", "Appointment")
    WaitlistOffer = apps.get_model("patients", "WaitlistOffer")
    waiting = OutboxMessage.objects.filter(state__in=["pending", "sending"], send_by__isnull=True)
    waiting.filter(kind__in=BEFORE_THE_VISIT, appointment__isnull=False).update(
        send_by=Subquery(Appointment.objects.filter(pk=OuterRef("appointment_id")).values("start"))
    )
    waiting.filter(kind="waitlist_offer", waitlist_offer__isnull=False).update(
        send_by=Subquery(
            WaitlistOffer.objects.filter(pk=OuterRef("waitlist_offer_id")).values("expires_at")
        )
    )


class Migration(migrations.Migration):
    dependencies = [("patients", "0022_outbox_expired_state_hand_over_and_retries")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
