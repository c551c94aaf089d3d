"""The public catalogue: the list, one procedure, the scar-type guide, the candidate check.

No login anywhere here: these pages hold no one's data, so the list, each
procedure's page and the scar guide are served to anonymous visitors from the
shared cache (`procedures.page_cache`). The candidate check
takes health answers but stores nothing (no session, no log, no database
row) and its answer is never cached by the browser or a proxy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from .catalogue_data import SCAR_TYPE_INFO
from .forms import CandidateCheckForm, CatalogueFilterForm, scar_type_names
from .models import Procedure
from .page_cache import public_page
from .rules import RULES
from .screening import ProcedureRules
from .selectors import catalogue_page, procedures_by_scar_type, public_procedure

# Rules about the patient's history with the procedure and the scar-type match
# are not "who this is not for": the course facts and "what it treats" say them.
_NOT_ABOUT_THE_PERSON = frozenset(
    {"SCAR_TYPE_NOT_INDICATED"} | {code for code, rule in RULES.items() if rule.uses_history}
)


@dataclass(frozen=True)
class Row:
    procedure: Procedure
    scar_types: list[tuple[str, str]]


def _scar_types_of(procedure: Procedure, names: dict[str, str]) -> list[tuple[str, str]]:
    return [(value, names[value]) for value in procedure.indicated_scar_types if value in names]


@require_GET
@public_page(params=("category", "scar_type"))
def procedure_list(request: HttpRequest) -> HttpResponse:
    """List the active procedures, filtered by category and scar type (GET, works without JS)."""
    form = CatalogueFilterForm(request.GET or None)
    category = scar_type = None
    if form.is_bound and form.is_valid():
        category = form.cleaned_data["category"] or None
        scar_type = form.cleaned_data["scar_type"] or None
    names = scar_type_names()
    rows = [
        Row(procedure, _scar_types_of(procedure, names))
        for procedure in catalogue_page(category=category, scar_type=scar_type)
    ]
    return render(
        request,
        "procedures/procedure_list.html",
        {"form": form, "rows": rows, "filtered": bool(category or scar_type)},
    )


def _get_procedure(slug: str) -> Procedure:
    try:
        return public_procedure(slug=slug)
    except Procedure.DoesNotExist:
        raise Http404("No such procedure") from None


def _rule_words(code: str, rules: ProcedureRules) -> str:
    label = str(RULES[code].label)
    if code == "PRECARE_TOPICAL_RETINOID" and rules.retinoid_window_days:
        days = rules.retinoid_window_days
        return ngettext(
            "%(label)s: stop them %(days)s day before",
            "%(label)s: stop them %(days)s days before",
            days,
        ) % {"label": label, "days": days}
    return label


def _who_it_is_not_for(rules: ProcedureRules) -> tuple[list[str], list[str]]:
    """Return (not possible, needs a practitioner's review) in plain words, rules.md order."""
    not_possible, review = [], []
    for code in RULES:  # rules.md order
        if code in _NOT_ABOUT_THE_PERSON:
            continue
        if code in rules.absolute:
            not_possible.append(_rule_words(code, rules))
        elif code in rules.relative:
            review.append(_rule_words(code, rules))
    return not_possible, review


def _detail_context(procedure: Procedure, form: CandidateCheckForm) -> dict[str, Any]:
    rules = form.rules
    not_possible, review = _who_it_is_not_for(rules)
    return {
        "procedure": procedure,
        "scar_types": _scar_types_of(procedure, scar_type_names()),
        "not_possible": not_possible,
        "needs_review": review,
        "form": form,
        "result": form.result,
    }


@require_GET
@public_page()
def procedure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Show one procedure: what it treats, the course, price, care, and who it is not for."""
    procedure = _get_procedure(slug)
    form = CandidateCheckForm(rules=procedure.screening_rules())
    return render(request, "procedures/procedure_detail.html", _detail_context(procedure, form))


@never_cache
@require_http_methods(["GET", "POST"])
def candidate_check(request: HttpRequest, slug: str) -> HttpResponse:
    """Screen the posted answers for this procedure and show the verdict; store nothing."""
    procedure = _get_procedure(slug)
    if request.method == "GET":
        return HttpResponseRedirect(reverse("procedures:detail", args=[slug]) + "#check")
    form = CandidateCheckForm(request.POST, rules=procedure.screening_rules())
    form.is_valid()  # fills form.result, or the errors the page shows
    return render(request, "procedures/procedure_detail.html", _detail_context(procedure, form))


@require_GET
@public_page()
def scar_guide(request: HttpRequest) -> HttpResponse:
    """Explain the seven scar types, each with a cross-section and the procedures that treat it."""
    russian = (get_language() or "en").startswith("ru")
    by_type = procedures_by_scar_type()
    scar_types = [
        {
            "value": info.value,
            "name": info.name_ru if russian else info.name_en,
            "description": info.description_ru if russian else info.description_en,
            "procedures": by_type.get(info.value, []),
        }
        for info in SCAR_TYPE_INFO
    ]
    return render(request, "procedures/scar_guide.html", {"scar_types": scar_types})
