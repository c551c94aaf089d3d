"""The patients app's admin: each sub-package registers its own models.

Importing them here is all the wiring Django's admin discovery needs.
"""

import patients.booking.admin
import patients.messaging.admin
import patients.records.admin
import patients.records.outcomes.admin
import patients.records.treatment.admin  # noqa: F401
