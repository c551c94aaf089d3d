"""The patient's side of the treatment record (namespace `my-treatment`).

A patient reports a problem after a session from their own appointment page (what,
since when, photos): it reaches the practitioner's queue, and the appointment page
then shows it was received and who looks at it. Their signed chart is shown there
in plain words. Another patient's appointment is a 404, like every page of theirs.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinic.http import SignedInRequest
from patients.models import Appointment
from procedures.errors import DomainError

from . import adapters, services
from .forms import ProblemReportForm
from .services.events import SESSION_HAPPENED


def _own_session(request: SignedInRequest, pk: int) -> Appointment:
    patient = adapters.patient_of(request.user)
    if patient is None:
        raise Http404
    return get_object_or_404(
        Appointment.objects.select_related("patient__user", "practitioner__user"),
        pk=pk,
        patient=patient,
        status__in=SESSION_HAPPENED,
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_problem(request: SignedInRequest, pk: int) -> HttpResponse:
    """Tell the clinic something is wrong after this session."""
    appointment = _own_session(request, pk)
    form = ProblemReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_problem(
                appointment=appointment,
                by=request.user,
                what=form.cleaned_data["what"],
                since=form.cleaned_data["since"],
                uploads=form.cleaned_data["photos"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("Thank you: your message has reached the clinic."))
            return redirect("patients:appointment", pk=appointment.pk)
    response = render(
        request,
        "patients/treatment/report_problem.html",
        {"appointment": appointment, "form": form},
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "private, no-store"
    return response
