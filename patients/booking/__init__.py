"""Booking: appointments made, moved, cancelled and decided, for patients and the desk.

The rules are in `services/booking.py`'s docstring; the race fast path is
`race_guard.py`, every lock `locking.py`. Imports `patients.records`,
`patients.messaging`, `patients.models`, `clinic` and `procedures` only
(docs/architecture.md).
"""
