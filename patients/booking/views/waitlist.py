"""The patient's waitlist pages: wait for a time to free up, leave, accept an offer.

An offer e-mail leads to `waitlist-offer`, where the held slot is accepted while
the hold lasts; only the patient's own entries and offers are found (else 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clinic.availability import clinic_zone
from clinic.http import SignedInRequest, no_store
from clinic.selectors import qualified_practitioners
from patients.booking.forms import WaitlistForm
from patients.booking.services import (
    accept_waitlist_offer,
    join_waitlist,
    leave_waitlist,
)
from patients.booking.views.flow import error_status
from patients.booking.views.patient import (
    first_things_first,
    procedure_or_404,
)
from patients.models import WaitlistEntry, WaitlistOffer
from patients.records.views import current_patient
from procedures.errors import DomainError


@login_required
@no_store
@require_POST
def waitlist_join(request: SignedInRequest, slug: str) -> HttpResponse:
    """Tell me if a time frees up for this procedure between two dates."""
    patient = current_patient(request)
    procedure = procedure_or_404(slug)
    form = WaitlistForm(request.POST, practitioners=qualified_practitioners(procedure))
    error: DomainError | None = None
    if form.is_valid():
        try:
            join_waitlist(
                patient=patient,
                procedure=procedure,
                from_date=form.cleaned_data["from_date"],
                to_date=form.cleaned_data["to_date"],
                practitioner=form.cleaned_data["practitioner"],
                by=request.user,
            )
        except DomainError as refused:
            error = refused
        else:
            messages.success(
                request,
                _(
                    "You are on the waitlist. If a time frees up, we will e-mail you and hold it "
                    "for you for a few hours."
                ),
            )
            return redirect("patients:appointments")
    context = {"patient": patient, "procedure": procedure, "form": form, "error": error}
    return render(
        request, "patients/booking/waitlist_join.html", context, status=error_status(error, 400)
    )


@login_required
@require_POST
def waitlist_leave(request: SignedInRequest, pk: int) -> HttpResponse:
    patient = current_patient(request)
    entry = WaitlistEntry.objects.filter(pk=pk, patient=patient).first()
    if entry is None:
        raise Http404
    leave_waitlist(entry=entry, by=request.user)
    messages.success(request, _("You are off the waitlist for this procedure."))
    return redirect("patients:appointments")


@login_required
@no_store
@require_http_methods(["GET", "POST"])
def waitlist_offer(request: SignedInRequest, pk: int) -> HttpResponse:
    """A freed slot held for this patient: accept it while the hold lasts."""
    patient = current_patient(request)
    offer = (
        WaitlistOffer.objects.select_related(
            "entry__procedure", "entry__patient", "practitioner__user", "room", "appointment"
        )
        .filter(pk=pk, entry__patient=patient)
        .first()
    )
    if offer is None:
        raise Http404
    error: DomainError | None = None
    if request.method == "POST":
        try:
            appointment = accept_waitlist_offer(offer=offer, patient=patient)
        except DomainError as refused:
            answer = first_things_first(request, patient, offer.entry.procedure, refused)
            if answer is not None:
                return answer
            error = refused
        else:
            messages.success(request, _("The time is yours: your appointment is booked."))
            return redirect("patients:appointment", pk=appointment.pk)
    zone = clinic_zone()
    context = {
        "offer": offer,
        "procedure": offer.entry.procedure,
        "start": offer.start.astimezone(zone),
        "end": offer.end.astimezone(zone),
        "expires_at": offer.expires_at.astimezone(zone),
        "is_open": offer.status == WaitlistOffer.Status.OPEN and offer.expires_at > timezone.now(),
        "error": error,
    }
    return render(
        request, "patients/booking/waitlist_offer.html", context, status=error_status(error)
    )
