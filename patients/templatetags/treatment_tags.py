"""The treatment record on the patient's appointment page.

`{% treatment_for_patient appointment %}` shows the signed chart, the reports, the link.
"""

from typing import Any

from django import template

from patients.records.treatment.plain import patient_appointment_context

register = template.Library()


@register.inclusion_tag("patients/treatment/_patient_appointment.html")
def treatment_for_patient(appointment: Any) -> dict[str, Any]:
    """Their signed chart in plain words, the problems they reported, the report link."""
    return patient_appointment_context(appointment)
