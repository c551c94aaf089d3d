"""Public pages from the shared cache (issue 21): anonymous visitors of a language share one
kept page, staff edits replace it at once, the candidate-check form still posts with the
visitor's own CSRF token, and a signed-in patient's pages stay live."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import User
from procedures.models import Procedure, ProcedureRule
from procedures.page_cache import GENERATION_KEY, invalidate_public_pages
from procedures.signals import screening_rules_changed

pytestmark = pytest.mark.django_db

FILLER = "hyaluronic-filler"
PUBLIC_PAGES = [
    reverse("home"),
    reverse("procedures:list"),
    reverse("procedures:detail", args=[FILLER]),
    reverse("procedures:scar-guide"),
]


@pytest.fixture(autouse=True)
def cache_on(settings: Any) -> Iterator[None]:
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    invalidate_public_pages()  # a generation of this test's own
    # The candidate check's date field is checked against today.
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))):
        yield
    invalidate_public_pages()


def token_in(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def in_language(language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_the_second_anonymous_visit_is_served_from_the_cache(
    url: str, django_assert_num_queries: Callable[..., Any]
) -> None:
    first = Client().get(url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = Client().get(url)
    assert second.status_code == 200
    page = re.sub(r'value="[^"]{64}"', "TOKEN", second.content.decode())
    assert page == re.sub(r'value="[^"]{64}"', "TOKEN", first.content.decode())
    # What the middleware adds is added to the kept page too.
    assert "Content-Security-Policy" in second
    assert second["X-Frame-Options"] == "DENY"


def test_each_language_has_its_own_kept_page(django_assert_num_queries: Callable[..., Any]) -> None:
    url = reverse("procedures:list")
    english = in_language("en").get(url).content.decode()
    russian = in_language("ru").get(url).content.decode()
    assert 'lang="en"' in english
    assert 'lang="ru"' in russian
    with django_assert_num_queries(0):
        again_ru = in_language("ru").get(url).content.decode()
        again_en = in_language("en").get(url).content.decode()
    assert 'lang="ru"' in again_ru
    assert 'lang="en"' in again_en
    assert "Процедуры" in again_ru


def test_filters_are_kept_apart_and_unknown_parameters_are_served_live(
    django_assert_num_queries: Callable[..., Any],
) -> None:
    url = reverse("procedures:list")
    everything = Client().get(url).content.decode()
    lasers = Client().get(url, {"category": "laser"}).content.decode()
    assert lasers != everything
    with django_assert_num_queries(0):
        assert Client().get(url, {"category": "laser"}).content.decode().count("<h2") == (
            lasers.count("<h2")
        )
    Client().get(url, {"utm_source": "x"})
    with CaptureQueriesContext(connection) as live:  # made-up addresses are never kept
        Client().get(url, {"utm_source": "x"})
    assert len(live) > 0


def test_a_price_edit_replaces_the_kept_pages(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    url = reverse("procedures:detail", args=[FILLER])
    Client().get(reverse("procedures:list"))
    assert not re.search(r"98[\s\u00a0,.]?765", Client().get(url).content.decode())
    procedure = Procedure.objects.get(slug=FILLER)
    with django_capture_on_commit_callbacks(execute=True):
        procedure.price_from = Decimal("98765")
        procedure.full_clean()
        procedure.save()
    for page in (url, reverse("procedures:list")):
        assert re.search(r"98[\s\u00a0,.]?765", Client().get(page).content.decode())


def test_a_rule_edit_replaces_the_kept_pages(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    url = reverse("procedures:detail", args=[FILLER])
    before = Client().get(url).content.decode()
    procedure = Procedure.objects.get(slug=FILLER)
    rule = ProcedureRule.objects.get(procedure=procedure, code="BLEEDING_DISORDER")
    assert rule.severity == ProcedureRule.Severity.ABSOLUTE
    with django_capture_on_commit_callbacks(execute=True):
        rule.severity = ProcedureRule.Severity.RELATIVE
        rule.save()
    after = Client().get(url).content.decode()
    # "Who it is not for" moved the rule from "not possible" to "needs a review".
    assert after != before


def test_screening_rules_changed_replaces_the_kept_pages() -> None:
    url = reverse("procedures:list")
    Client().get(url)
    procedure = Procedure.objects.get(slug=FILLER)
    # An edit that bypasses the model's signals (a queryset update) and is announced.
    Procedure.objects.filter(pk=procedure.pk).update(price_from=Decimal("87654"))
    assert not re.search(r"87[\s\u00a0,.]?654", Client().get(url).content.decode())  # kept
    screening_rules_changed.send(sender=Procedure, procedure_slugs=frozenset({FILLER}))
    assert re.search(r"87[\s\u00a0,.]?654", Client().get(url).content.decode())


def test_the_candidate_check_posts_from_a_kept_page_with_the_visitors_own_token() -> None:
    url = reverse("procedures:detail", args=[FILLER])
    Client().get(url)  # kept
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(url)
    token = token_in(page.content.decode())
    assert token != "@@csrf-token@@"
    response = visitor.post(
        reverse("procedures:candidate-check", args=[FILLER]),
        {
            "csrfmiddlewaretoken": token,
            "on": "2026-03-16",
            "date_of_birth": "1995-05-05",
            "sex": "female",
            "pregnant": "no",
            "autoimmune": "none",
            "scar_types": ["rolling"],
        },
    )
    assert response.status_code == 200
    assert 'data-outcome="ok"' in response.content.decode()
    # Another visitor of the same kept page gets a token of their own.
    other = Client(enforce_csrf_checks=True).get(url)
    assert token_in(other.content.decode()) != token


def test_the_language_switch_posts_from_a_kept_page() -> None:
    url = reverse("procedures:list")
    Client().get(url)
    visitor = Client(enforce_csrf_checks=True)
    token = token_in(visitor.get(url).content.decode())
    response = visitor.post(
        reverse("set_language"), {"csrfmiddlewaretoken": token, "language": "ru", "next": url}
    )
    assert response.status_code == 302
    assert 'lang="ru"' in visitor.get(url).content.decode()


def test_a_signed_in_patient_gets_live_pages_and_leaves_none_behind(
    client: Client, patient: User
) -> None:
    url = reverse("procedures:list")
    anonymous = Client().get(url).content.decode()
    assert "Log in" in anonymous
    client.force_login(patient)
    own = client.get(url).content.decode()
    assert "Log out" in own
    assert "My account" in own
    assert "Log in" not in own
    # The patient's page was not kept for strangers.
    invalidate_public_pages()
    client.get(url)
    assert "Log out" not in Client().get(url).content.decode()


def test_an_edit_made_by_another_server_is_seen_within_the_check_interval(
    settings: Any, django_assert_num_queries: Callable[..., Any]
) -> None:
    url = reverse("procedures:list")
    Client().get(url)
    with django_assert_num_queries(0):
        Client().get(url)
    # Another server's edit: only the shared generation changes, not this process's view of it.
    cache.set(GENERATION_KEY, time.time_ns(), None)
    with django_assert_num_queries(0):
        Client().get(url)  # within the interval this process still serves its kept page
    settings.PUBLIC_PAGE_GENERATION_CHECK_SECONDS = 0
    with CaptureQueriesContext(connection) as rendered:
        Client().get(url)
    assert len(rendered) > 0
