"""The patient's comparison page (namespace `my-photos`): their own sessions only.

A session of another patient in the query is a 404 (`pages.comparison_context`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clinic.http import SignedInRequest, no_store
from patients.records.views import current_patient
from procedures.errors import DomainError

from .pages import comparison_context


@login_required
@no_store
@require_GET
def my_comparison(request: SignedInRequest) -> HttpResponse:
    """The patient's two sessions side by side (the first and the latest by default)."""
    patient = current_patient(request)
    context: dict[str, Any] = {"error": None}
    try:
        context.update(comparison_context(patient, request.GET))
    except DomainError as error:
        context["error"] = error
        return render(request, "patients/outcomes/my_compare.html", context, status=400)
    return render(request, "patients/outcomes/my_compare.html", context)
