"""Publication consent per photo and the before/after gallery of the procedure pages.

The rules are in `patients.models.publication`; `services` writes, `selectors` reads,
`crop` cuts the public picture, `views` holds the patient's, the manager's and the
public pages.
"""
