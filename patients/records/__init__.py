"""The patient's record: account, intake, consent, photos, privacy, audit, and the
treatment record (`treatment/`: charts, products and lots, adverse events).

Imports `patients.messaging`, `patients.models`, `clinic` and `procedures` only
(docs/architecture.md).
"""
