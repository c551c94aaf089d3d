"""Writes of booking: one module per subject, their public functions re-exported here.

- `booking`: making an appointment (the domain rules are its docstring);
- `moves`: moving one, and the steps a course move shares with it;
- `status`: cancelling, checking in, completing, no-show;
- `reviews`: a practitioner's decisions on flagged bookings, and the auto-decline;
- `courses`: booking a whole course, advancing and restarting courses;
- `course_moves`: moving a course session with the sessions after it;
- `waitlist`: waiting for a time, offers of freed slots, accepting them;
- `access` (who may do what) and `history` (the status-change rows) serve them.

Services own their transaction, call `full_clean()` before saving, and raise the
errors of `patients.booking.errors` (`DomainError`s with a `code`).
"""

from patients.booking.errors import (
    BookingError,
    ChangeTooLate,
    ConsentRequired,
    EmailNotVerified,
    Forbidden,
    IntakeRequired,
    MoveNeedsReview,
    PatientBusy,
    ScreeningBlocked,
    SlotTaken,
    SlotUnavailable,
    TooCloseToLaterSession,
)
from patients.booking.screening import screen_for_booking
from patients.booking.services.booking import (
    MOVABLE,
    book_appointment,
    refuse_a_recently_refused_start,
)
from patients.booking.services.course_moves import move_with_later_sessions
from patients.booking.services.courses import CourseProposal, book_course, propose_course_slots
from patients.booking.services.moves import move_appointment
from patients.booking.services.reviews import (
    approve_booking_review,
    ask_intake_update,
    auto_decline_overdue_reviews,
    decline_booking_review,
)
from patients.booking.services.status import (
    cancel_appointment,
    check_in,
    complete_appointment,
    mark_no_show,
)
from patients.booking.services.waitlist import (
    accept_waitlist_offer,
    expire_waitlist_offers,
    join_waitlist,
    leave_waitlist,
    offer_freed_slot,
)

__all__ = [
    "MOVABLE",
    "BookingError",
    "ChangeTooLate",
    "ConsentRequired",
    "CourseProposal",
    "EmailNotVerified",
    "Forbidden",
    "IntakeRequired",
    "MoveNeedsReview",
    "PatientBusy",
    "ScreeningBlocked",
    "SlotTaken",
    "SlotUnavailable",
    "TooCloseToLaterSession",
    "accept_waitlist_offer",
    "approve_booking_review",
    "ask_intake_update",
    "auto_decline_overdue_reviews",
    "book_appointment",
    "book_course",
    "cancel_appointment",
    "check_in",
    "complete_appointment",
    "decline_booking_review",
    "expire_waitlist_offers",
    "join_waitlist",
    "leave_waitlist",
    "mark_no_show",
    "move_appointment",
    "move_with_later_sessions",
    "offer_freed_slot",
    "propose_course_slots",
    "refuse_a_recently_refused_start",
    "screen_for_booking",
]
