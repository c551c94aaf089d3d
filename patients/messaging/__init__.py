"""What the patient is told and when: scheduling messages, rendering them, sending them.

The other sub-packages use this small surface (and import nothing else of it):
the event functions that schedule a message inside the event's transaction
(`appointment_booked`, `review_decided`, ...), the appointment's calendar file,
`sms_number` (the phone as a text message needs it), the reminder's one-tap answer
links (`read_reply_token`), the pre-care acknowledgement's (`read_care_token`) and
the self-assessment's (`read_self_assessment_token`), the language a patient reads
their messages in (`language_of`),
the care instructions an appointment page shows (`precare_texts`), and
`send_templated_email` for the few e-mails that are not events of a booking, and
`send_code_text` for a one-time code by text message (sent at once, quiet hours or not).
Messaging imports only `patients.models`, `clinic` and `procedures`.

Inside: `schedule` writes the outbox rows, `render` decides at send time what a
row says (or that it no longer applies), `outbox` claims and sends them exactly
once, `tasks` are the Celery tasks that run it, `reminders` says when each
reminder is due, `calendar` writes .ics files and `mail` builds the e-mails;
`channels` says which channels a message takes and when an SMS may go (quiet
hours), `delivery` reads the SMS gateway's delivery reports.
"""

from patients.messaging.calendar import appointment_calendar_file
from patients.messaging.care import precare_texts
from patients.messaging.channels import sms_number
from patients.messaging.codes import send_code_text
from patients.messaging.email_events import email_works_again
from patients.messaging.links import (
    CANCEL,
    CONFIRM,
    Reply,
    read_care_token,
    read_reply_token,
    read_self_assessment_token,
    self_assessment_ends_at,
)
from patients.messaging.mail import language_of, send_templated_email
from patients.messaging.schedule import (
    appointment_back_to_review,
    appointment_booked,
    appointment_cancelled,
    appointment_completed,
    appointment_moved,
    course_booked,
    intake_submitted,
    intake_update_requested,
    lot_recalled,
    patient_invited,
    review_decided,
    waitlist_offer_made,
)

__all__ = [
    "CANCEL",
    "CONFIRM",
    "Reply",
    "appointment_back_to_review",
    "appointment_booked",
    "appointment_calendar_file",
    "appointment_cancelled",
    "appointment_completed",
    "appointment_moved",
    "course_booked",
    "email_works_again",
    "intake_submitted",
    "intake_update_requested",
    "language_of",
    "lot_recalled",
    "patient_invited",
    "precare_texts",
    "read_care_token",
    "read_reply_token",
    "read_self_assessment_token",
    "review_decided",
    "self_assessment_ends_at",
    "send_code_text",
    "send_templated_email",
    "sms_number",
    "waitlist_offer_made",
]
