"""A consultation booked without an account (issue #20): the guest's details, then the code.

1. `book-guest` (GET `?start=...&practitioner=...`, a time from the consultation's
   page): name, phone, e-mail, date of birth, language and where the code goes
   (a text to the phone, or the e-mail); posting sends the code.
2. `book-guest-code`: the code; the right one creates the account (the invitation
   to set a password goes out), books the time, signs the guest in and asks for
   the questionnaire, then shows the appointment.
The pending booking lives in the guest's session, the code only as a hash
(`patients.booking.services.guest`). Anyone may open these pages; a procedure
that needs screening is a 404 here (it is booked with an account).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinic.availability import clinic_zone
from clinic.http import SignedInRequest, client_address, no_store
from clinic.models import Practitioner
from clinic.ratelimit import hit, too_many_requests
from clinic.selectors import qualified_practitioners
from patients.booking.forms import GuestCodeForm, GuestForm, SlotForm
from patients.booking.selectors import SlotView, free_slots_for_guest
from patients.booking.services.guest import (
    GuestDetails,
    book_as_guest,
    check_guest_may_book,
    send_guest_code,
)
from patients.booking.views import flow
from patients.booking.views.flow import PATIENT
from patients.booking.views.patient import procedure_or_404
from patients.models import OutboxMessage
from procedures.errors import DomainError
from procedures.models import Procedure

SESSION_KEY = "guest_booking"
_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _guest_procedure(slug: str) -> Procedure:
    procedure = procedure_or_404(slug)
    try:
        check_guest_may_book(procedure)
    except DomainError:
        raise Http404 from None
    return procedure


def _slot_context(procedure: Procedure, start: dt.datetime) -> dict[str, Any]:
    local = start.astimezone(clinic_zone())
    return {"start": local, "end": local + dt.timedelta(minutes=procedure.booked_minutes)}


def _details(data: dict[str, Any]) -> GuestDetails:
    return GuestDetails(
        first_name=data["first_name"],
        last_name=data["last_name"],
        phone=data["phone"],
        email=data["email"],
        date_of_birth=dt.date.fromisoformat(data["date_of_birth"]),
        preferred_language=data["preferred_language"],
        # A booking pending from before the choice existed had its code e-mailed.
        code_channel=data.get("code_channel", OutboxMessage.Channel.EMAIL),
    )


def _code_keys(request: HttpRequest, details: dict[str, Any]) -> list[str]:
    """What sending a code is rate limited by: the address, the e-mail and the phone."""
    return [
        f"ip:{client_address(request) or '-'}",
        f"account:{details['email'].lower()}",
        f"phone:{details['phone']}",
    ]


GUEST_DAYS = 7


def _choose_time(request: HttpRequest, procedure: Procedure) -> HttpResponse:
    """The free times of the coming days, by day; each links to the details form."""
    slots = free_slots_for_guest(
        procedure=procedure, start_date=timezone.localdate(), days=GUEST_DAYS
    )
    days: dict[dt.date, list[SlotView]] = {}
    for slot in sorted(slots, key=lambda s: (s.start, str(s.practitioner))):
        days.setdefault(slot.start.date(), []).append(slot)
    context = {
        "procedure": procedure,
        "days": sorted(days.items()),
        "slot_url": reverse("patients:book-guest", args=[procedure.slug]),
        "sign_in_url": f"{reverse('login')}?next="
        + quote(reverse("patients:book-procedure", args=[procedure.slug]), safe="/"),
    }
    return render(request, "patients/booking/guest_times.html", context)


@no_store
@require_http_methods(["GET", "POST"])
def book_guest(request: HttpRequest, slug: str) -> HttpResponse:
    """The chosen time and the guest's details; posting sends the code."""
    procedure = _guest_procedure(slug)
    if request.user.is_authenticated:
        return redirect(
            f"{reverse('patients:book-confirm', args=[slug])}?{request.GET.urlencode()}"
        )
    if "start" not in request.GET:
        return _choose_time(request, procedure)
    practitioners = qualified_practitioners(procedure)
    slot = SlotForm(request.GET, practitioners=practitioners)
    if not slot.is_valid():
        return flow.bad_request(cast(SignedInRequest, request), PATIENT, slot)
    form = GuestForm(request.POST or None, initial={"preferred_language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        retry_after = hit("guest_code", _code_keys(request, data))
        if retry_after is not None:
            return too_many_requests(request, retry_after)
        chosen: Practitioner | None = slot.cleaned_data["practitioner"]
        pending: dict[str, Any] = {
            "slug": procedure.slug,
            "start": slot.cleaned_data["start"].isoformat(),
            "practitioner": chosen.pk if chosen else None,
            "details": {**data, "date_of_birth": data["date_of_birth"].isoformat()},
        }
        try:
            send_guest_code(
                pending=pending, procedure=procedure, details=_details(pending["details"])
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            request.session[SESSION_KEY] = pending
            return redirect("patients:book-guest-code", slug=procedure.slug)
    sign_in = f"{reverse('login')}?next={quote(request.get_full_path(), safe='/')}"
    context = {
        "procedure": procedure,
        "form": form,
        **_slot_context(procedure, slot.cleaned_data["start"]),
        "practitioner": slot.cleaned_data["practitioner"],
        "sign_in_url": sign_in,
    }
    return render(
        request, "patients/booking/guest.html", context, status=400 if form.errors else 200
    )


@no_store
@require_http_methods(["GET", "POST"])
def book_guest_code(request: HttpRequest, slug: str) -> HttpResponse:
    """The code: the right one creates the account and books the time."""
    procedure = _guest_procedure(slug)
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("slug") != procedure.slug:
        return redirect("patients:book-procedure", slug=slug)
    form = GuestCodeForm(request.POST or None)
    start = dt.datetime.fromisoformat(pending["start"])
    practitioner = next(
        (p for p in qualified_practitioners(procedure) if p.pk == pending["practitioner"]), None
    )
    if request.method == "POST" and "resend" in request.POST:
        retry_after = hit("guest_code", _code_keys(request, pending["details"]))
        if retry_after is not None:
            return too_many_requests(request, retry_after)
        try:
            send_guest_code(
                pending=pending, procedure=procedure, details=_details(pending["details"])
            )
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.info(request, _("A new code is sent."))
        request.session.modified = True
        return redirect("patients:book-guest-code", slug=slug)
    if request.method == "POST" and form.is_valid():
        try:
            appointment = book_as_guest(
                pending=pending,
                code=form.cleaned_data["code"],
                procedure=procedure,
                details=_details(pending["details"]),
                start=start,
                practitioner=practitioner,
            )
        except DomainError as error:
            form.add_error("code" if error.field == "code" else None, str(error.message))
        else:
            del request.session[SESSION_KEY]
            login(request, appointment.patient.user, backend=_BACKEND)
            messages.success(
                request,
                _(
                    "Your consultation is booked. Please fill in the health questionnaire "
                    "before the visit; we have also e-mailed you a link to set a password."
                ),
            )
            url = reverse("patients:appointment", args=[appointment.pk])
            return redirect(f"{reverse('patients:intake')}?next={quote(url, safe='/')}")
        request.session.modified = True
    context = {
        "procedure": procedure,
        "form": form,
        **_slot_context(procedure, start),
        "practitioner": practitioner,
        "email": pending["details"]["email"],
        "phone": pending["details"]["phone"],
        "code_by_sms": _details(pending["details"]).code_by_sms,
    }
    return render(
        request, "patients/booking/guest_code.html", context, status=400 if form.errors else 200
    )
