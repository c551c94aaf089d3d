"""The treatment record's fixtures (a checked-in patient, an open chart), shared here."""

from patients.records.treatment.tests.conftest import (  # noqa: F401
    charted,
    checked_in,
    record_data,
)
