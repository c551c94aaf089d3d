"""Fixtures for the session photos: the treatment record's checked-in patient and open chart."""

from patients.records.treatment.tests.conftest import charted, checked_in, record_data

__all__ = ["charted", "checked_in", "record_data"]
