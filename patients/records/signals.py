"""`intake_stored`: a new intake version was stored (submitted, renewed or corrected).

Sent inside the transaction that stores the version, with `version` (the new
`IntakeVersion`). Booked appointments are screened again with it in that same
transaction (`rules-v2.md` section 6); booking sits above the records in the
layer order, so it listens here instead of being called (the receiver is
connected in `PatientsConfig.ready`).
"""

from django.dispatch import Signal

__all__ = ["intake_stored"]

intake_stored = Signal()
