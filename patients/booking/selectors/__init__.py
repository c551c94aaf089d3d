"""Reads for booking: what holds time, a patient's appointments and history, free times.

`appointments` reads the schedule and the patients' bookings; `slots` turns free
times into what the booking pages offer (screened day by day).
"""

from patients.booking.selectors.appointments import (
    NEARBY_DAYS,
    affected_by_closure,
    appointment_of_patient,
    appointments_for_staff,
    booking_inputs,
    busy_for,
    course_history,
    current_course,
    free_slots_for,
    later_sessions_of,
    next_held_session_on,
    patient_appointments,
    pending_reviews,
    remedy_slots,
    waitlist_of,
)
from patients.booking.selectors.slots import (
    DayView,
    PatientSlots,
    ProceduresOnDay,
    SlotPicker,
    SlotView,
    free_slots_for_guest,
    free_slots_for_patient,
    pick_slots,
    procedures_on_day,
    remedy_views,
    slot_views,
)

__all__ = [
    "NEARBY_DAYS",
    "DayView",
    "PatientSlots",
    "ProceduresOnDay",
    "SlotPicker",
    "SlotView",
    "affected_by_closure",
    "appointment_of_patient",
    "appointments_for_staff",
    "booking_inputs",
    "busy_for",
    "course_history",
    "current_course",
    "free_slots_for",
    "free_slots_for_guest",
    "free_slots_for_patient",
    "later_sessions_of",
    "next_held_session_on",
    "patient_appointments",
    "pending_reviews",
    "pick_slots",
    "procedures_on_day",
    "remedy_slots",
    "remedy_views",
    "slot_views",
    "waitlist_of",
]
