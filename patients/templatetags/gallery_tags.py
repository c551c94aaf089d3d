"""The before/after gallery on a procedure's public page.

`procedures` imports nothing of `patients`, so its page loads this library instead:
`{% load gallery_tags %}{% before_after_gallery procedure %}`. Only public pairs are
shown (both photos with a live publication consent); a withdrawal drops the kept pages.
"""

from __future__ import annotations

from typing import Any

from django import template

from patients.records.outcomes.gallery.selectors import public_pairs_of
from procedures.models import Procedure

register = template.Library()


@register.inclusion_tag("patients/gallery/_procedure_gallery.html")
def before_after_gallery(procedure: Procedure) -> dict[str, Any]:
    return {"pairs": public_pairs_of(procedure)}
