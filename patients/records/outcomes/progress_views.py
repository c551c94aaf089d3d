"""The patient's outcome pages: the self-assessment link (`/a/<token>/`, no login) and
"My progress" (`/me/progress/`).

Who sees what, decided first: the self-assessment page is reached only through its
signed link (anything else is a 404, `self_assessment`); "My progress" is the logged-in
patient's own, built from their profile alone, so no URL can name another patient.
An expired link shows its page for a GET and a POST alike, and records nothing.
As for the reminder's answers, a GET only shows the questions (mail scanners open
links and must not answer anything); the POST records them. The page is in the
language the patient reads their messages in, like the message that brought them.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET, require_http_methods

from clinic.availability import clinic_zone
from clinic.http import SignedInRequest, no_store
from patients.messaging import language_of
from patients.records.outcomes import self_assessment as assessments
from patients.records.outcomes.photos.selectors import latest_comparison
from patients.records.outcomes.progress import progress_of
from patients.records.outcomes.progress_forms import RATINGS, SelfAssessmentForm
from patients.records.views import current_patient


@no_store
@require_http_methods(["GET", "POST"])
def self_assessment(request: HttpRequest, token: str) -> HttpResponse:
    """Two questions, 0-10, once; "already answered" afterwards, "expired" after its days."""
    try:
        asked = assessments.assessment_for_token(token, now=timezone.now())
    except assessments.AssessmentLinkNotValid as error:
        raise Http404 from error
    appointment = asked.appointment
    with translation.override(language_of(appointment.patient.user)):
        context = {
            "asked": asked,
            "procedure_name": appointment.procedure_name,
            "day": appointment.start.astimezone(clinic_zone()),
            "ratings": RATINGS,
        }
        if asked.answer is not None:
            return render(request, "patients/outcomes/self_assessment_done.html", context)
        if asked.expired:
            return render(request, "patients/outcomes/self_assessment_expired.html", context)
        form = SelfAssessmentForm(request.POST if request.method == "POST" else None)
        status = 200
        if form.is_bound:
            if form.is_valid():
                try:
                    answer = assessments.record_self_assessment(
                        request=asked,
                        bother=form.cleaned_data["bother"],
                        satisfaction=form.cleaned_data["satisfaction"],
                        now=timezone.now(),
                    )
                except assessments.AlreadyAnswered:
                    answer = None  # answered a moment ago from another tap: say so
                return render(
                    request,
                    "patients/outcomes/self_assessment_done.html",
                    {**context, "answer": answer},
                )
            status = 400
        return render(
            request,
            "patients/outcomes/self_assessment.html",
            {**context, "form": form},
            status=status,
        )


@login_required
@no_store
@require_GET
def my_progress(request: SignedInRequest) -> HttpResponse:
    """The patient's own chart of grades, scores and ratings, and their latest comparison."""
    patient = current_patient(request)
    context = {
        "patient": patient,
        "progress": progress_of(patient),
        # The first session with photos against the latest sharing a view with it.
        "comparison": latest_comparison(patient),
    }
    return render(request, "patients/outcomes/progress.html", context)
