"""Schemathesis over the whole API, signed in as a patient ready to book.

Every operation of our own OpenAPI schema (`/api/v1/schema/`) gets requests that
follow the schema (positive) and requests that break it (negative), sent through
Django's WSGI application in the test's transaction. Every response must be:
not a 5xx, a status code the schema documents, the documented content type, and a
body matching the documented schema for that status; a request that breaks the
schema must be refused with a 4xx.

The patient (alice) has a current intake and every consent signed, the clinic is
open with a dermatologist and a cosmetologist, and the clock is pinned, so the
booking paths are reachable: some generated requests are steered towards real
procedure slugs, free slot starts and alice's own appointments.

Generation is derandomized (the same requests on every run), so CI is stable; a
second, smaller pass starts from the run's random seed (`clinic.tests.fuzzing`:
printed, and replayed with `FUZZ_SEED=<n>`), so each run also tries new requests.
Each operation counts the requests it sent and the test asserts the figure; the
fixed pass alone is at least `MIN_TOTAL_REQUESTS` requests.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.permissions import SAFE_METHODS
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client as WerkzeugClient

from clinic import api
from clinic.models import User
from clinic.tests.fuzzing import FUZZ_SEED
from patients.booking.services import book_appointment
from patients.models import Appointment
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready
from procedures.catalogue_data import CATALOGUE
from procedures.intake import answers_to_json, baseline_answers
from procedures.models import Procedure

MIN_TOTAL_REQUESTS = 1000
EXAMPLES_PER_OPERATION = 150  # at most; positive and negative together
RANDOM_EXAMPLES_PER_OPERATION = 40  # the pass from the run's random seed
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

SLUGS = [entry.slug for entry in CATALOGUE]
ANSWERS = answers_to_json(baseline_answers(on=WEDNESDAY))


def starts(days: tuple[int, ...], hours: tuple[int, ...]) -> list[str]:
    """Slot starts, as ISO strings, on these days after Wednesday at these hours."""
    return [at(WEDNESDAY + dt.timedelta(days=d), h).isoformat() for d in days for h in hours]


STARTS = starts((0, 1), (10, 14))  # for bookings
MOVE_STARTS = starts((2, 3), (12, 15))  # for moves, so the bookings do not take them


def openapi_schema() -> dict[str, Any]:
    """The document `/api/v1/schema/` serves, as JSON data."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(document, default=str))


SCHEMA = schemathesis.openapi.from_dict(openapi_schema())
# Cancelling last, so the moves still find alice's appointments confirmed.
OPERATIONS = sorted(
    (result.ok() for result in SCHEMA.get_all_operations()),
    key=lambda operation: (operation.path.endswith("/cancel/"), operation.label),
)
APP = WSGIHandler()


@pytest.mark.django_db
def test_every_endpoint_and_method_is_fuzzed(client: Client) -> None:
    served = client.get("/api/v1/schema/", {"format": "json"})
    assert json.loads(served.content) == openapi_schema()  # what we fuzz is what we serve
    documented = {
        (method.upper(), path)
        for path, methods in openapi_schema()["paths"].items()
        for method in methods
    }
    assert {(op.method.upper(), op.path) for op in OPERATIONS} == documented


@pytest.fixture
def keep_connection() -> Iterator[None]:
    """Keep the test's database connection (and transaction) open across requests.

    Django closes the connection at the start and end of every request; the test
    client switches that off, and so must a test that calls the WSGI handler.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_patient(patient: User, clinic_setup: Clinic, pinned_now: dt.datetime) -> User:
    """Alice with an intake, every consent, and two confirmed appointments of her own."""
    ready(patient, *Procedure.Category.values)
    for slug, start in (("consultation", at(WEDNESDAY, 11)), ("glycolic-peel", at(WEDNESDAY, 16))):
        book_appointment(
            patient=patient.patient_profile,
            procedure=clinic_setup.procedure(slug),
            start=start,
            booked_by=patient,
            channel=Appointment.Channel.API,
        )
    return patient


def steer(case: Any, choice: int, ids: list[int]) -> Any:
    """Point some schema-following requests at real slugs, slots, answers and appointments.

    Left alone, the generated values almost never name a real procedure, a free slot or
    one of alice's appointments, and the booking paths would only ever answer 400 or 404.
    """
    if choice == 0 or case.meta.generation.mode is not GenerationMode.POSITIVE:
        return case
    slug = SLUGS[choice % len(SLUGS)]
    start = STARTS[choice % len(STARTS)]
    parameters = case.path_parameters or {}
    if "slug" in parameters:
        parameters["slug"] = slug
    if "id" in parameters:
        parameters["id"] = ids[choice % len(ids)]
    if isinstance(case.query, dict) and "procedure" in case.query:
        case.query.update(procedure=slug, start=WEDNESDAY.isoformat())
        case.query.pop("practitioner", None)
    body = case.body
    if not isinstance(body, dict):
        return case
    # Steered bodies go as JSON: a form or multipart encoding the schema also allows cannot
    # carry the nested answers (which of them the generator picks varied between runs).
    case.media_type = "application/json"
    if "answers" in body:  # screening: alice's real answers, some of the generated history
        body.update(procedure=slug, answers=ANSWERS, on=WEDNESDAY.isoformat())
    elif "procedure" in body:  # booking
        body.update(procedure=slug, start=start)
        body.pop("practitioner", None)
    elif "start" in body:  # moving: other times than the bookings take
        body["start"] = MOVE_STARTS[choice % len(MOVE_STARTS)]
        body.pop("practitioner", None)
    elif "email" in body:
        body.update(email=case_email(choice), password="pw-patient")
    return case


def case_email(choice: int) -> str:
    return "alice@example.test" if choice % 2 else "nobody@example.test"


def fuzz_operation(
    operation: Any,
    token: str,
    ids: list[int],
    *,
    random_seed: int | None = None,
) -> Counter[int]:
    """Send the operation's generated requests and check every answer; the statuses counted.

    Derandomized by default; from `random_seed` (fewer examples) when one is given.
    """
    statuses: Counter[int] = Counter()
    fixed = random_seed is None
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES_PER_OPERATION if fixed else RANDOM_EXAMPLES_PER_OPERATION,
        derandomize=fixed,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, choice=st.integers(min_value=0, max_value=len(STARTS)))
    def fuzz(case: Any, choice: int) -> None:
        case = steer(case, choice, ids)
        response = case.call(app=APP, headers={"Authorization": f"Token {token}"})
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    if random_seed is not None:
        seed(random_seed)(fuzz)
    fuzz()
    return statuses


@pytest.mark.django_db
def test_the_whole_api_answers_as_documented(fuzz_patient: User, keep_connection: None) -> None:
    token = Token.objects.create(user=fuzz_patient).key
    ids = list(
        Appointment.objects.filter(patient=fuzz_patient.patient_profile).values_list(
            "pk", flat=True
        )
    )
    statuses = {op.label: fuzz_operation(op, token, ids) for op in OPERATIONS}
    sent = {label: counts.total() for label, counts in statuses.items()}
    assert sum(sent.values()) >= MIN_TOTAL_REQUESTS, sent
    # Every operation also succeeded at least once: the booking paths were reached.
    succeeded = {label for label, counts in statuses.items() if any(200 <= c < 300 for c in counts)}
    assert succeeded == set(statuses), statuses


@pytest.mark.django_db
def test_the_whole_api_answers_as_documented_from_a_random_seed(
    fuzz_patient: User, keep_connection: None
) -> None:
    token = Token.objects.create(user=fuzz_patient).key
    ids = list(
        Appointment.objects.filter(patient=fuzz_patient.patient_profile).values_list(
            "pk", flat=True
        )
    )
    print(f"API fuzzing from FUZZ_SEED={FUZZ_SEED}")
    for op in OPERATIONS:
        fuzz_operation(op, token, ids, random_seed=FUZZ_SEED)


# --- what the fuzzer found: each answer below once broke the schema -----------------------------


def answer(
    method: str, template: str, token: str = "", path: dict[str, Any] | None = None, **request: Any
) -> Any:
    """Send one request through the WSGI app and check the answer against the schema."""
    headers = {"Authorization": f"Token {token}"} if token else {}
    url = template.format(**(path or {}))
    response = WerkzeugClient(APP).open(url, method=method, headers=headers, **request)
    case = SCHEMA[template][method].Case(path_parameters=path)
    case.validate_response(response, checks=CHECKS)
    return response


@pytest.fixture
def alice_token(patient: User, keep_connection: None) -> str:
    return Token.objects.create(user=patient).key


def test_an_unknown_procedure_is_a_documented_json_404(db: None, keep_connection: None) -> None:
    response = answer("GET", "/api/v1/procedures/{slug}/", path={"slug": "0"})
    assert response.status_code == 404
    assert response.json["code"] == "not_found"


def test_an_api_address_that_matches_nothing_is_a_json_404(alice_token: str) -> None:
    response = answer(
        "POST",
        "/api/v1/appointments/{id}/move/",
        alice_token,
        path={"id": "xG"},
        json={"start": STARTS[0]},
    )
    assert response.status_code == 404
    assert response.json == {"code": "not_found", "detail": "Not found."}


def test_a_page_that_matches_nothing_is_still_the_html_404(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "path", ["/api/v1/auth/token/", "/api/v1/screening/"], ids=["token", "screening"]
)
def test_a_body_that_is_not_json_is_a_400_with_a_code(path: str, alice_token: str) -> None:
    response = answer("POST", path, data=b"\x00", content_type="application/json")
    assert response.status_code == 400
    assert response.json["code"] == "parse_error"
    assert response.json["detail"].startswith("JSON parse error")


@pytest.mark.parametrize(
    "path", ["/api/v1/auth/token/", "/api/v1/screening/"], ids=["token", "screening"]
)
def test_a_body_in_another_media_type_is_a_documented_415(path: str, alice_token: str) -> None:
    response = answer("POST", path, data=b"hello", content_type="text/plain")
    assert response.status_code == 415
    assert response.json["code"] == "unsupported_media_type"


def test_screening_input_errors_have_a_code_a_detail_and_the_field(
    db: None, keep_connection: None
) -> None:
    payload = {"procedure": "glycolic-peel", "answers": ANSWERS, "on": "yesterday"}
    response = answer("POST", "/api/v1/screening/", json=payload)
    assert response.status_code == 400
    assert response.json["code"] == "invalid"
    assert response.json["field"] == "on"
    assert response.json["on"] == [response.json["detail"]]


def test_a_conflict_without_alternatives_matches_the_schema(
    fuzz_patient: User, alice_token: str
) -> None:
    busy = {"procedure": "glycolic-peel", "start": at(WEDNESDAY, 16).isoformat()}  # hers already
    response = answer("POST", "/api/v1/appointments/", alice_token, json=busy)
    assert response.status_code == 409
    assert response.json["code"] == "patient_busy"
    assert "alternatives" not in response.json


def test_cancelling_twice_is_a_conflict_that_matches_the_schema(
    fuzz_patient: User, alice_token: str
) -> None:
    appointment = Appointment.objects.filter(patient=fuzz_patient.patient_profile).first()
    cancel = ("POST", "/api/v1/appointments/{id}/cancel/", alice_token, {"id": appointment.pk})
    assert answer(*cancel, json={}).status_code == 200
    again = answer(*cancel, json={})
    assert again.status_code == 409
    assert again.json["code"] == "transition_not_allowed"


@pytest.mark.parametrize(
    ("method", "template", "request_data"),
    [
        ("POST", "/api/v1/appointments/", {"json": {"procedure": "a\x00b", "start": STARTS[0]}}),
        ("GET", "/api/v1/availability/", {"query_string": "procedure=a%00b&start=2026-06-03"}),
    ],
    ids=["booking", "availability"],
)
def test_a_nul_byte_in_a_procedure_slug_is_a_400_not_a_database_error(
    method: str, template: str, request_data: dict[str, Any], alice_token: str
) -> None:
    response = answer(method, template, alice_token, **request_data)
    assert response.status_code == 400
    assert response.json["field"] == "procedure"
    assert response.json["detail"] in (
        "Give a procedure's slug, e.g. glycolic-peel.",  # in a JSON body: the serializer
        "“procedure” holds a NUL character, which no input may contain.",  # in the query
    )


@pytest.mark.parametrize(
    ("method", "template"),
    [("POST", "/api/v1/appointments/{id}/move/"), ("POST", "/api/v1/appointments/")],
    ids=["move", "booking"],
)
def test_a_start_at_the_edge_of_the_calendar_is_a_400_not_an_overflow(
    method: str, template: str, fuzz_patient: User, alice_token: str
) -> None:
    appointment = Appointment.objects.filter(patient=fuzz_patient.patient_profile).first()
    body = {"procedure": "glycolic-peel", "start": "0001-01-01T00:00:03+01:00"}
    response = answer(method, template, alice_token, {"id": appointment.pk}, json=body)
    assert response.status_code == 400
    assert response.json["field"] == "start"


JSON_OPERATIONS = [
    (method.upper(), path)
    for path, methods in openapi_schema()["paths"].items()
    for method, operation in methods.items()
    if "application/json" in operation.get("requestBody", {}).get("content", {})
]
DEEP_JSON = b"[" * 20_000 + b"]" * 20_000  # 40 KB; 200 KB with a little padding
PLAIN_JSON_BODY = {"content_type": "application/json"}


def test_there_are_five_json_endpoints() -> None:
    assert len(JSON_OPERATIONS) == 5, JSON_OPERATIONS


@pytest.mark.parametrize(("method", "template"), JSON_OPERATIONS)
@pytest.mark.parametrize(
    "body",
    [DEEP_JSON, b'{"a": ' * 20_000 + b"1" + b"}" * 20_000, b" " * 160_000 + DEEP_JSON],
    ids=["arrays", "objects", "padded-200-kb"],
)
def test_json_nested_too_deep_is_a_400_naming_it_on_every_json_endpoint(
    method: str, template: str, body: bytes, fuzz_patient: User, alice_token: str
) -> None:
    appointment = Appointment.objects.filter(patient=fuzz_patient.patient_profile).first()
    response = answer(
        method, template, alice_token, {"id": appointment.pk}, data=body, **PLAIN_JSON_BODY
    )
    assert response.status_code == 400
    assert response.json["code"] == "parse_error"
    assert response.json["detail"] == "The JSON is nested deeper than 32 levels."


def test_json_up_to_the_limit_is_parsed_and_brackets_in_strings_do_not_count(
    db: None, keep_connection: None
) -> None:
    nested: Any = "x"
    for _level in range(31):  # 31 lists in the object: 32 levels
        nested = [nested]
    response = answer(
        "POST", "/api/v1/screening/", json={"procedure": "glycolic-peel", "on": nested}
    )
    assert response.status_code == 400
    assert response.json["code"] == "invalid"
    assert response.json["field"] == "answers"
    brackets = {"procedure": "[" * 5_000 + '\\"{' * 5_000, "answers": ANSWERS}
    response = answer("POST", "/api/v1/screening/", json=brackets)
    assert response.status_code == 400
    assert response.json["field"] == "procedure"


@pytest.mark.parametrize(
    ("template", "content_type"),
    [
        ("/api/v1/screening/", "application/json"),
        ("/api/v1/auth/token/", "application/json"),
        ("/api/v1/appointments/", "application/json"),
        ("/api/v1/screening/", "application/x-www-form-urlencoded"),
    ],
)
def test_a_body_over_the_upload_limit_is_a_json_413(
    template: str, content_type: str, alice_token: str
) -> None:
    huge = b'{"procedure": "' + b"x" * 10_000_000 + b'"}'
    if content_type != "application/json":
        huge = b"procedure=" + b"x" * 10_000_000
    response = answer("POST", template, alice_token, data=huge, content_type=content_type)
    assert response.status_code == 413
    assert response.json == {
        "code": "too_large",
        "detail": "The request body is larger than the API accepts.",
    }


def test_the_schema_documents_429_wherever_a_rate_limit_applies() -> None:
    limited, documented = set(), set()
    for path, methods in openapi_schema()["paths"].items():
        view = resolve(path.replace("{id}", "1").replace("{slug}", "x")).func.cls
        for method, operation in methods.items():
            if getattr(view, "rate_limit_scope", None) and method.upper() not in SAFE_METHODS:
                limited.add((method.upper(), path))
            if "429" in operation["responses"]:
                documented.add((method.upper(), path))
    assert documented == limited
    assert len(limited) == 5  # the token, screening and the three booking operations


@pytest.mark.parametrize(
    ("handler", "status", "code"),
    [
        (lambda r: api.bad_request(r, SuspiciousOperation("bad host")), 400, "bad_request"),
        (lambda r: api.bad_request(r, RequestDataTooBig("big")), 413, "too_large"),
        (lambda r: api.permission_denied(r, PermissionDenied()), 403, "permission_denied"),
        (api.server_error, 500, "server_error"),
    ],
    ids=["400", "413", "403", "500"],
)
def test_django_errors_under_api_are_the_apis_json_and_html_elsewhere(
    handler: Any, status: int, code: str, rf: Any
) -> None:
    under_api = handler(rf.post("/api/v1/screening/"))
    assert under_api.status_code == status
    assert under_api["Content-Type"] == "application/json"
    assert json.loads(under_api.content)["code"] == code

    elsewhere = handler(rf.get("/procedures/"))
    assert elsewhere["Content-Type"].startswith("text/html")
