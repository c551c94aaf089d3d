"""The clinic tablet's page (`/tablet/<token>/`): one patient, no login (issue #20).

The page shows one step at a time, decided here from the patient's record: the
questionnaire while it is missing or expired, then each consent the desk chose
that is not signed yet (typed name, tick and a finger-drawn signature), then
"done", which ends the link. Whoever holds the tablet is nobody to the portal:
a session found on the tablet is ended first, so no staff (or other patient's)
rights ride along, and every answer goes to the link's patient only. An unknown,
expired or finished link is a locked page (HTTP 410). The page speaks the
patient's preferred language.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods, require_POST

from clinic.http import client_address, no_store
from patients.models import ConsentText, TabletSession
from patients.records import selectors
from patients.records.forms import IntakeForm, TabletSignForm, add_domain_error
from patients.records.services import submit_intake
from patients.records.services.tablet import (
    TabletLinkEnded,
    finish_tablet,
    open_tablet_of,
    sign_on_tablet,
)
from procedures.errors import AnswerError, DomainError

TEMPLATES = "patients/tablet"


def _locked(request: HttpRequest, error: TabletLinkEnded) -> HttpResponse:
    return render(request, f"{TEMPLATES}/locked.html", {"error": error}, status=410)


def _next_consent(session: TabletSession) -> ConsentText | None:
    for item in selectors.consent_overview(session.patient):
        if item["text"].kind in session.consent_kinds and item["signature"] is None:
            return item["text"]
    return None


def _intake_step(request: HttpRequest, session: TabletSession, token: str) -> HttpResponse:
    patient = session.patient
    latest = selectors.latest_intake(patient)
    initial = (
        IntakeForm.initial_from(latest.answers)
        if latest is not None
        else {"date_of_birth": patient.date_of_birth}
    )
    form = IntakeForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            submit_intake(patient=patient, answers=form.answers(), submitted_by=patient.user)
        except AnswerError as error:
            add_domain_error(form, error)
        else:
            return redirect("patients:tablet", token=token)
    context = {"session": session, "patient": patient, "form": form}
    return render(request, f"{TEMPLATES}/intake.html", context, status=400 if form.errors else 200)


def _consent_step(
    request: HttpRequest, session: TabletSession, text: ConsentText, token: str
) -> HttpResponse:
    form = TabletSignForm(
        request.POST if request.method == "POST" else None,
        initial={"kind": text.kind, "version": text.version},
    )
    error: DomainError | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if (data["kind"], data["version"]) != (text.kind, text.version):
            form.add_error(None, TabletSignForm.CHANGED)
        else:
            try:
                sign_on_tablet(
                    session=session,
                    text=text,
                    full_name=data["full_name"],
                    ticked=data["ticked"],
                    drawing=data["drawing"],
                    ip_address=client_address(request),
                    user_agent=request.headers.get("user-agent", ""),
                    language=translation.get_language() or "",
                )
            except TabletLinkEnded as ended:
                return _locked(request, ended)
            except DomainError as refused:
                error = refused
                add_domain_error(form, refused)
            else:
                return redirect("patients:tablet", token=token)
    context: dict[str, Any] = {
        "session": session,
        "patient": session.patient,
        "text": text,
        "form": form,
        "error": error,
    }
    return render(request, f"{TEMPLATES}/sign.html", context, status=400 if form.errors else 200)


@no_store
@require_http_methods(["GET", "POST"])
def tablet(request: HttpRequest, token: str) -> HttpResponse:
    """The current step of the tablet's patient: questionnaire, a consent, or "done"."""
    if request.user.is_authenticated:
        logout(request)  # nobody's rights on the tablet: the link is the only key
    try:
        session = open_tablet_of(token)
    except TabletLinkEnded as ended:
        return _locked(request, ended)
    with translation.override(session.patient.user.preferred_language or None):
        if selectors.intake_status(session.patient) != "current":
            return _intake_step(request, session, token)
        text = _next_consent(session)
        if text is not None:
            return _consent_step(request, session, text, token)
        context = {"session": session, "patient": session.patient, "token": token}
        return render(request, f"{TEMPLATES}/done.html", context)


@no_store
@require_POST
def tablet_done(request: HttpRequest, token: str) -> HttpResponse:
    """ "Done": the link ends and the page locks."""
    try:
        session = open_tablet_of(token)
        with translation.override(session.patient.user.preferred_language or None):
            if selectors.intake_status(session.patient) != "current" or _next_consent(session):
                return redirect("patients:tablet", token=token)  # not everything is done yet
            finish_tablet(session=session)
            return render(request, f"{TEMPLATES}/finished.html", {})
    except TabletLinkEnded as ended:
        return _locked(request, ended)
