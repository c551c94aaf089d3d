"""What a patient has been told: the list the patient and the staff see of their messages.

Domain rules:
- One line per outbox row: what it was (the kind, never the procedure: the
  list is shown to receptionists too, and the e-mail subject lines name no
  procedure either), about which appointment time, when it went (or is due),
  by which channel and whether it reached the patient.
- The patient sees their own rows only, cancelled and expired ones left out
  (nothing was sent); staff see every row, those included, to answer "why did
  I get nothing?" at the desk.
"""

from __future__ import annotations

from django.db.models import QuerySet

from patients.models import OutboxMessage, PatientProfile

__all__ = ["messages_of"]

State = OutboxMessage.State


def messages_of(
    patient: PatientProfile, *, include_cancelled: bool = False
) -> QuerySet[OutboxMessage]:
    """The patient's messages, newest first, with the appointment each is about."""
    rows = OutboxMessage.objects.filter(patient=patient).select_related("appointment")
    if not include_cancelled:
        rows = rows.exclude(state__in=[State.CANCELLED, State.EXPIRED])
    return rows.order_by("-due_at", "-pk")
