"""The manager's outcomes report (`/admin/workspace/outcomes/`, and the same as CSV).

Managers only (403 for anyone else). The period is a form: a date that is not one, a
day in the future or an end before the start is a form error naming the field (400),
never a 500. The numbers are `patients.records.outcomes.report`'s; the page and the CSV
show the same rows, and no figure from fewer than five patients. The report names no
patient, so nothing is written to the audit log.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clinic.http import SignedInRequest, admin_page
from clinic.roles import Role, role_required
from patients.records.outcomes.progress_forms import OutcomesPeriodForm
from patients.records.outcomes.report import MIN_PATIENTS, outcomes_csv, outcomes_report
from patients.workspace.views import workspace_nav


def _period_form(request: SignedInRequest) -> OutcomesPeriodForm:
    form = OutcomesPeriodForm(request.GET or None)
    form.is_valid()
    return form


@require_GET
@role_required(Role.MANAGER)
def outcomes_report_page(request: SignedInRequest) -> HttpResponse:
    """Mean change of grade and score, and the patients' ratings, by procedure and length."""
    form = _period_form(request)
    start, end = form.period()
    context = {
        "title": _("Outcomes"),
        "workspace_nav": workspace_nav(request),
        "form": form,
        "start": start,
        "end": end,
        "rows": outcomes_report(start=start, end=end) if not form.errors else [],
        "min_patients": MIN_PATIENTS,
        "csv_query": request.GET.urlencode(),
    }
    status = 400 if form.errors else 200
    return admin_page(request, "patients/workspace/outcomes.html", context, status=status)


@require_GET
@role_required(Role.MANAGER)
def outcomes_report_csv(request: SignedInRequest) -> HttpResponse:
    """The same report as a CSV file."""
    form = _period_form(request)
    if form.errors:
        fields = ", ".join(sorted(form.errors))
        return HttpResponse(
            _("Not a valid period: %(fields)s.") % {"fields": fields},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    start, end = form.period()
    response = HttpResponse(
        outcomes_csv(outcomes_report(start=start, end=end)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="outcomes-{start}-{end}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
