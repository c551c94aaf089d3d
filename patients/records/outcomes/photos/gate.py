"""The chart's photo condition: a procedure marked "photos required" is signed only with
the session's before photos of its views (issue #18).

Registered with the treatment record's `signing_condition` when the app is ready
(`PatientsConfig.ready` imports this module).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from patients.models import TreatmentVisit
from patients.records.treatment.services.signing import signing_condition
from procedures.errors import lazy_interpolate

from .selectors import missing_before_views


@signing_condition
def before_photos_taken(visit: TreatmentVisit) -> Iterator[Promise]:
    """Name the required views that have no before photo yet."""
    missing = missing_before_views(visit.appointment)
    if missing:
        yield lazy_interpolate(
            _("Take the before photos: %(views)s."),
            {"views": ", ".join(str(view.name) for view in missing)},
        )
