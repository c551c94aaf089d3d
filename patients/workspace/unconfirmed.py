"""The desk's call list: tomorrow's appointments the patient has not confirmed, with phones.

A patient confirms with the reminder's one-tap link (`confirmed_by_patient_at`);
whoever has not by the day before is worth a call. Only confirmed appointments
count (a request under review is the practitioners' to decide first).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from clinic.availability import clinic_zone, local_day_bounds
from clinic.http import SignedInRequest, admin_page
from clinic.roles import Role, role_required
from patients.models import Appointment
from patients.models.lifecycle import AppointmentStatus
from patients.workspace.views import workspace_nav


def unconfirmed_on(day: dt.date) -> QuerySet[Appointment]:
    """The confirmed appointments of `day` (clinic zone) the patient has not confirmed."""
    start, end = local_day_bounds(day, zone=clinic_zone())
    return (
        Appointment.objects.filter(
            status=AppointmentStatus.CONFIRMED,
            start__gte=start,
            start__lt=end,
            confirmed_by_patient_at__isnull=True,
        )
        .select_related("patient__user", "practitioner__user")
        .order_by("start", "pk")
    )


@require_GET
@role_required(Role.RECEPTIONIST)
def unconfirmed_tomorrow(request: SignedInRequest) -> HttpResponse:
    day = timezone.localdate() + dt.timedelta(days=1)
    context = {
        "day": day,
        "appointments": list(unconfirmed_on(day)),
        "workspace_nav": workspace_nav(request),
    }
    return admin_page(request, "patients/workspace/unconfirmed.html", context)
