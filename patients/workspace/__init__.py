"""The staff workspace: schedule, review queue, day sheet, dashboard, staff patient pages.

Reads through its selectors, acts through the booking and records services.
Imports every other sub-package of `patients`, `clinic` and `procedures`
(docs/architecture.md).
"""
