"""The booking pages: the patient's (`patient`, `courses`, `waitlist`) and the desk's
(`desk`), which confirm, move and cancel through one flow (`flow`)."""
