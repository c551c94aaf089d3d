"""The catalogue and screening API (v1): public reads, screening, 400s naming the field."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from procedures.catalogue_data import CATALOGUE
from procedures.intake import answers_to_json, baseline_answers
from procedures.models import Procedure

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 3, 2)
SCREENING = "/api/v1/screening/"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def answers(**changes: Any) -> dict[str, Any]:
    return answers_to_json({**baseline_answers(on=ON), **changes})


# The filler needs a consultation first (rules-v2.md): one was done a month before.
CONSULTED = [
    {"slug": "consultation", "date": (ON - dt.timedelta(days=30)).isoformat(), "done": True}
]


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "procedure": "hyaluronic-filler",
        "answers": answers(),
        "on": ON.isoformat(),
        "other_sessions": CONSULTED,
    } | overrides


def screen_post(api: APIClient, payload: Any, **extra: Any) -> Any:
    return api.post(SCREENING, json.dumps(payload), content_type="application/json", **extra)


# --- the catalogue ----------------------------------------------------------------------------


def test_anyone_lists_the_active_catalogue(api: APIClient) -> None:
    Procedure.objects.filter(slug="phenol-peel").update(is_active=False)
    response = api.get("/api/v1/procedures/")
    assert response.status_code == 200
    data = response.json()
    assert [p["slug"] for p in data] == [e.slug for e in CATALOGUE if e.slug != "phenol-peel"]
    filler = next(p for p in data if p["slug"] == "hyaluronic-filler")
    assert filler["price_from"] == "22000.00"
    assert filler["price_currency"] == "RUB"
    assert filler["url"] == "/procedures/hyaluronic-filler/"
    assert {
        "code": "PREGNANCY",
        "label": "Pregnancy",
        "severity": "absolute",
        "window_days": None,
    } in (filler["rules"])


def test_the_list_costs_the_same_queries_whatever_its_size(
    api: APIClient, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(2):
        api.get("/api/v1/procedures/")


def test_one_procedure_with_its_rules(api: APIClient) -> None:
    data = api.get("/api/v1/procedures/tca-peel/").json()
    assert data["name"] == "TCA peel (medium depth)"
    assert (data["sessions_min"], data["sessions_max"], data["interval_min_days"]) == (1, 3, 90)
    retinoid = next(r for r in data["rules"] if r["code"] == "PRECARE_TOPICAL_RETINOID")
    assert retinoid == {
        "code": "PRECARE_TOPICAL_RETINOID",
        "label": "Recent retinoid or acid products",
        "severity": "absolute",
        "window_days": 7,
    }


def test_procedure_texts_follow_the_language(api: APIClient) -> None:
    data = api.get("/api/v1/procedures/tca-peel/", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert data["name"] == next(e for e in CATALOGUE if e.slug == "tca-peel").name_ru


def test_an_unknown_procedure_is_404(api: APIClient) -> None:
    assert api.get("/api/v1/procedures/laser-tattoo/").status_code == 404


# --- screening -----------------------------------------------------------------------------------


def test_screening_ok(api: APIClient) -> None:
    response = screen_post(api, body())
    assert response.status_code == 200
    assert response.json() == {
        "procedure": "hyaluronic-filler",
        "on": "2026-03-02",
        "outcome": "ok",
        "blocking": [],
        "flags": [],
        "earliest_date": None,
        "remedy_procedure": None,
        "findings": [],
        "messages": [],
    }


def test_screening_blocked_with_the_earliest_date_and_messages(api: APIClient) -> None:
    last = ON - dt.timedelta(days=120)
    response = screen_post(
        api,
        body(
            answers=answers(pregnant="possibly"),
            last_session_on=last.isoformat(),
            sessions_done=1,
        ),
    )
    data = response.json()
    assert data["outcome"] == "blocked"
    assert data["blocking"] == ["REPEAT_TOO_SOON"]
    assert data["flags"] == ["PREGNANCY_POSSIBLE"]
    assert data["earliest_date"] == (last + dt.timedelta(days=182)).isoformat()
    repeat = data["findings"][0]
    assert repeat["code"] == "REPEAT_TOO_SOON"
    assert repeat["absolute"] is True
    assert repeat["patient_message"].startswith(
        "Your last session of this procedure was too recent"
    )
    assert repeat["clinical_message"] == (
        "Less than the procedure's minimum interval since the last session."
    )
    assert data["messages"][0] == repeat["patient_message"]


def test_screening_needs_no_login_nor_csrf_even_for_a_signed_in_browser(
    patient: Any,
) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(patient)
    response = browser.post(SCREENING, json.dumps(body()), content_type="application/json")
    assert response.status_code == 200


def test_screening_messages_follow_the_language(api: APIClient) -> None:
    response = screen_post(api, body(answers=answers(pregnant="yes")), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.json()["messages"][0].startswith("Вы сообщили")


# --- bad input: a 400 naming the field, never a 500 ----------------------------------------------


def field_of(response: Any) -> str:
    data = response.json()
    return data.get("field") or next(iter(data))


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (body(procedure="laser-tattoo"), "procedure"),
        (body(procedure="Not a slug!"), "procedure"),
        (body(on="2026-02-30"), "on"),
        (body(on="yesterday"), "on"),
        (body(on=None), "on"),
        (body(last_session_on="2026-13-01"), "last_session_on"),
        (body(last_session_on="2026-03-03"), "last_session_on"),  # after the procedure date
        (body(sessions_done=-1), "sessions_done"),
        (body(sessions_done=True), "sessions_done"),
        (body(sessions_done="three"), "sessions_done"),
        (body(sessions_done=1.5), "sessions_done"),
        (body(answers=[1, 2]), "answers"),
        (body(answers=answers() | {"favourite_colour": "blue"}), "answers.favourite_colour"),
        (body(answers=answers(diabetes="yes")), "answers.diabetes"),
        (body(answers=answers(pregnant="perhaps")), "answers.pregnant"),
        (body(answers=answers(scar_types="rolling")), "answers.scar_types"),
        (body(answers=answers(allergies=["pollen"])), "answers.allergies"),
        (body(answers=answers() | {"date_of_birth": "1990-13-01"}), "answers.date_of_birth"),
        (body(answers=answers() | {"date_of_birth": 19900101}), "answers.date_of_birth"),
        (
            body(answers=answers(isotretinoin="stopped", isotretinoin_stopped_on=None)),
            "answers.isotretinoin_stopped_on",
        ),
        (
            body(answers=answers(topical_retinoid_last_used=ON + dt.timedelta(days=1))),
            "answers.topical_retinoid_last_used",
        ),
        (
            body(answers={k: v for k, v in answers().items() if k != "diabetes"}),
            "answers.diabetes",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    api: APIClient, payload: dict[str, Any], field: str
) -> None:
    response = screen_post(api, payload)
    assert response.status_code == 400, response.content
    assert field_of(response) == field
    assert response.json()[field]  # the field's messages, under its own name


@pytest.mark.parametrize("raw", ["{not json", "[]", '"text"', ""])
def test_a_body_that_is_not_an_object_is_a_400(api: APIClient, raw: str) -> None:
    response = api.post(SCREENING, raw, content_type="application/json")
    assert response.status_code == 400


def test_only_post_is_allowed(api: APIClient) -> None:
    assert api.get(SCREENING).status_code == 405


# --- the schema -------------------------------------------------------------------------------


def test_the_schema_describes_the_endpoints(api: APIClient) -> None:
    response = api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = schema["paths"]
    assert {"/api/v1/procedures/", "/api/v1/procedures/{slug}/", "/api/v1/screening/"} <= set(paths)
    screening = paths["/api/v1/screening/"]["post"]
    assert screening["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ScreeningRequest"
    )
    assert screening["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ScreeningResult"
    )
    assert "400" in screening["responses"]
    components = schema["components"]["schemas"]
    assert {"procedure", "answers", "on", "last_session_on", "sessions_done"} <= set(
        components["ScreeningRequest"]["properties"]
    )
    assert "rules" in components["Procedure"]["properties"]
