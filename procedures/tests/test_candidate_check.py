"""The anonymous "Am I a candidate?" check on each procedure page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from procedures.forms import CandidateCheckForm, asked_keys
from procedures.models import Procedure
from procedures.screening import rules_for

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)
ON = dt.date(2026, 3, 16)


@pytest.fixture(autouse=True)
def _pinned_clock(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Moscow")))


def check_url(slug: str) -> str:
    return reverse("procedures:candidate-check", args=[slug])


def field_names(html: str) -> set[str]:
    form = html.split('id="check"')[1]
    names = set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([a-z_]+)"', form))
    return names - {"csrfmiddlewaretoken"}


def post(client: Client, slug: str, **data: Any) -> tuple[Any, str]:
    response = client.post(check_url(slug), {"on": ON.isoformat(), **data})
    return response, response.content.decode()


def verdict(html: str) -> str | None:
    found = re.search(r'data-outcome="([a-z]+)"', html)
    return found.group(1) if found else None


# --- which questions are asked ----------------------------------------------------------------


def test_the_filler_asks_only_what_its_rules_read(client: Client) -> None:
    html = client.get(reverse("procedures:detail", args=["hyaluronic-filler"])).content.decode()
    assert field_names(html) == {
        "on",
        "date_of_birth",
        "sex",
        "pregnant",
        "breastfeeding",
        "blood_thinners",
        "bleeding_disorder",
        "diabetes",
        "cancer",
        "autoimmune",
        "active_inflammation",
        "herpes_active",
        "herpes_history",
        "rosacea",
        "skin_disease_active",
        "skin_wound",
        "burn_or_frostbite",
        "allergies",
        "keloid_tendency",
        "scar_types",
    }
    assert "This check is a guide, not a diagnosis" in html
    assert "Nothing you enter here is stored." in html


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("consultation", set()),
        (
            "cryo-massage",
            {
                "date_of_birth",
                "diabetes",
                "cancer",
                "active_inflammation",
                "herpes_active",
                "rosacea",
                "skin_disease_active",
                "skin_wound",
                "burn_or_frostbite",
                "fitzpatrick",
                "skin_type",
                "cold_intolerance",
                "scar_types",
            },
        ),
        (
            "collagen-injection",
            {
                "date_of_birth",
                "sex",
                "pregnant",
                "breastfeeding",
                "blood_thinners",
                "bleeding_disorder",
                "diabetes",
                "cancer",
                "autoimmune",
                "active_inflammation",
                "herpes_active",
                "rosacea",
                "skin_disease_active",
                "skin_wound",
                "burn_or_frostbite",
                "allergies",
                "collagen_skin_test",
                "collagen_skin_test_read_on",
                "keloid_tendency",
                "scar_types",
            },
        ),
    ],
)
def test_asked_questions_follow_the_rules(slug: str, expected: set[str]) -> None:
    assert set(asked_keys(rules_for(slug))) == expected


def test_follow_up_dates_come_with_their_question() -> None:
    asked = asked_keys(rules_for("laser-resurfacing"))
    assert "isotretinoin" in asked
    assert "isotretinoin_stopped_on" in asked
    assert "topical_retinoid_last_used" in asked
    assert "blood_thinners_which" not in asked  # free text never changes a verdict


# --- verdicts ------------------------------------------------------------------------------------


FILLER_OK = {
    "date_of_birth": "1995-05-05",
    "sex": "female",
    "pregnant": "no",
    "autoimmune": "none",
    "scar_types": ["rolling"],
}


def test_nothing_rules_it_out(client: Client) -> None:
    response, html = post(client, "hyaluronic-filler", **FILLER_OK)
    assert response.status_code == 200
    assert verdict(html) == "ok"
    assert "Nothing in your answers rules this procedure out." in html


def test_a_relative_rule_means_a_practitioner_reviews(client: Client) -> None:
    _response, html = post(client, "hyaluronic-filler", **{**FILLER_OK, "pregnant": "possibly"})
    assert verdict(html) == "review"
    assert "A practitioner will review this." in html
    assert "the practitioner will talk to you about it" in html


def test_an_absolute_rule_means_not_possible(client: Client) -> None:
    _response, html = post(client, "hyaluronic-filler", **{**FILLER_OK, "rosacea": "on"})
    assert verdict(html) == "review"  # rosacea is relative for the filler
    _response, html = post(client, "hyaluronic-filler", **{**FILLER_OK, "bleeding_disorder": "on"})
    assert verdict(html) == "blocked"
    assert "This procedure is not possible for you on that date." in html
    assert "earliest-date" not in html  # a bleeding disorder does not pass with time


def test_a_time_bound_refusal_gives_the_earliest_date(client: Client) -> None:
    _response, html = post(
        client,
        "laser-resurfacing",
        date_of_birth="1990-01-01",
        sex="female",
        pregnant="no",
        isotretinoin="never",
        autoimmune="none",
        fitzpatrick="II",
        scar_types=["boxcar_shallow"],
        topical_retinoid_last_used="2026-03-10",  # 6 days before; the window is 14
    )
    assert verdict(html) == "blocked"
    assert "It could be possible from March 24, 2026, if nothing else changes." in html


def test_pregnancy_answers_do_not_count_for_a_man(client: Client) -> None:
    _response, html = post(
        client, "hyaluronic-filler", **{**FILLER_OK, "sex": "male", "pregnant": "yes"}
    )
    assert verdict(html) == "ok"


def test_the_verdict_in_russian(client: Client) -> None:
    response = client.post(
        check_url("hyaluronic-filler"),
        {"on": ON.isoformat(), **FILLER_OK, "pregnant": "yes"},
        headers={"accept-language": "ru"},
    )
    html = response.content.decode()
    assert verdict(html) == "blocked"
    assert "Эта процедура вам в этот день невозможна." in html


# --- bad input -----------------------------------------------------------------------------------


def errors_of(html: str) -> list[str]:
    return re.findall(r'id="error_\d+_id_([a-z_]+)"', html)


def test_a_past_procedure_date_is_refused(client: Client) -> None:
    response, html = post(client, "hyaluronic-filler", **{**FILLER_OK, "on": "2026-03-01"})
    assert response.status_code == 200
    assert verdict(html) is None
    assert "Choose today or a later date." in html
    assert errors_of(html) == ["on"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"date_of_birth": "2030-01-01"},
            "date_of_birth",
            "This date is after the procedure date.",
        ),
        ({"date_of_birth": "not a date"}, "date_of_birth", "Enter a valid date."),
        ({"date_of_birth": ""}, "date_of_birth", "This field is required."),
        ({"pregnant": "maybe"}, "pregnant", "Select a valid choice."),
        ({"scar_types": ["dimple"]}, "scar_types", "Select a valid choice."),
        ({"scar_types": []}, "scar_types", "Tick at least one type of scar"),
        ({"on": "2029-01-01"}, "on", "within the next two years"),
    ],
)
def test_bad_answers_are_shown_against_their_field(
    client: Client, changes: dict[str, Any], field: str, message: str
) -> None:
    _response, html = post(client, "hyaluronic-filler", **{**FILLER_OK, **changes})
    assert verdict(html) is None
    assert field in errors_of(html)
    assert message in html


def test_a_missing_follow_up_date_is_asked_for(client: Client) -> None:
    _response, html = post(
        client,
        "laser-resurfacing",
        date_of_birth="1990-01-01",
        sex="female",
        pregnant="no",
        isotretinoin="stopped",
        autoimmune="none",
        fitzpatrick="II",
        scar_types=["rolling"],
    )
    assert verdict(html) is None
    assert errors_of(html) == ["isotretinoin_stopped_on"]
    assert "Please give this date as well." in html


def test_nothing_is_stored_or_cached(client: Client) -> None:
    procedures_before = Procedure.objects.count()
    sessions_before = Session.objects.count()
    response, _html = post(client, "hyaluronic-filler", **{**FILLER_OK, "pregnant": "yes"})
    assert "no-store" in response.headers["Cache-Control"]
    assert "sessionid" not in response.cookies
    assert Procedure.objects.count() == procedures_before
    assert Session.objects.count() == sessions_before


def test_a_procedure_without_rules_asks_nothing(client: Client) -> None:
    html = client.get(reverse("procedures:detail", args=["consultation"])).content.decode()
    assert field_names(html) == set()
    assert "No questions are needed" in html


def test_the_check_url_leads_to_the_form_on_get(client: Client) -> None:
    response = client.get(check_url("tca-peel"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/procedures/tca-peel/#check"
    assert client.post(check_url("laser-tattoo"), {}).status_code == 404


def test_the_form_screens_with_the_baseline_for_unasked_questions() -> None:
    form = CandidateCheckForm(
        {
            "on": ON.isoformat(),
            "skin_type": "normal",
            "fitzpatrick": "II",
            "date_of_birth": "2000-01-01",
            "scar_types": ["icepick"],
        },
        rules=rules_for("cryo-massage"),
        today=TODAY,
    )
    assert form.is_valid(), form.errors
    answers = form.answers()
    assert answers["scar_types"] == frozenset({"icepick"})
    assert answers["pregnant"] == "no"  # not asked: the baseline
    assert form.result is not None
    assert form.result.flags == ("SCAR_TYPE_NOT_INDICATED",)


# --- the empty form is cached --------------------------------------------------------------------


def test_the_empty_form_is_cached_per_language_and_day(client: Client, time_machine: Any) -> None:
    """The page keeps the empty form's HTML (the costly part of the page), never across
    languages, days or a change of the questions, and never a form with answers."""
    url = reverse("procedures:detail", args=["hyaluronic-filler"])
    english = client.get(url).content.decode()
    russian = client.get(url, headers={"accept-language": "ru"}).content.decode()
    time_machine.move_to(dt.datetime(2026, 3, 3, 10, 0, tzinfo=ZoneInfo("Europe/Moscow")))
    next_day = client.get(url).content.decode()
    answered, _html = post(client, "hyaluronic-filler", **{**FILLER_OK, "pregnant": "maybe?"})

    assert 'value="2026-03-02"' in english
    assert "Date of birth" in english
    assert "Дата рождения" in russian
    assert "Date of birth" not in russian.split('id="check"')[1]
    assert 'value="2026-03-03"' in next_day
    assert errors_of(answered.content.decode()) == ["pregnant"]
    form = CandidateCheckForm(rules=rules_for("tca-peel"), today=TODAY)
    filler = CandidateCheckForm(rules=rules_for("hyaluronic-filler"), today=TODAY)
    assert form.blank_fingerprint != filler.blank_fingerprint
