"""The progress chart and its table, one include for every page that shows them.

`{% progress_block progress chart_id=... for_patient=True %}`: the patient's "My progress"
page, the practitioner's review page and the day sheet all draw it through this tag.
"""

from typing import Any

from django import template

from patients.records.outcomes.progress import Progress
from patients.records.outcomes.progress_chart import progress_chart

register = template.Library()


@register.inclusion_tag("patients/outcomes/_progress.html")
def progress_block(
    progress: Progress, *, chart_id: object, for_patient: bool = False
) -> dict[str, Any]:
    """The chart (inline SVG), its legend and the table of the same numbers."""
    return {
        "progress": progress,
        "chart": progress_chart(progress),
        "chart_id": chart_id,
        "for_patient": for_patient,
    }
