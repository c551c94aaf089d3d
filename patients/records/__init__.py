"""The patient's record: account, intake, consent, photos, privacy, audit, treatment record."""
