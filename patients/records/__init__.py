"""The patient's record: account, intake, consent, photos, privacy, audit.

Imports `patients.messaging`, `patients.models`, `clinic` and `procedures` only
(docs/architecture.md).
"""
