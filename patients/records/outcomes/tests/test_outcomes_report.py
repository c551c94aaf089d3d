"""The manager's outcomes report on a seeded clinic: numbers computed by hand below."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.records.outcomes.report import Figure, OutcomesRow, outcomes_report
from patients.records.outcomes.tests.progress_helpers import course_of, rating, visit
from patients.tests.booking_fixtures import MSK
from patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db

PEEL = "Glycolic acid peel (superficial)"
CONSULTED = dt.date(2026, 3, 2)
STARTED = dt.date(2026, 3, 9)
ENDED = dt.date(2026, 3, 30)
MARCH_APRIL = {"start": "2026-03-01", "end": "2026-04-30"}


def peel_course(
    n: int,
    by: User,
    *,
    consultation: tuple[int, int] | None,
    first: tuple[int, int] | None,
    last: tuple[int, int] | None,
    end_rating: tuple[int, int] | None = None,
    session_rating: tuple[int, int] | None = None,
    started: dt.date = STARTED,
) -> None:
    """Patient `n`: an optional graded consultation, then a course of two peels, each
    graded (grade, score) when given, rated after the first and/or at the end."""
    user = make_patient(email=f"p{n}@example.test", first_name=f"P{n}")
    if consultation:
        visit(
            user,
            "consultation",
            started - dt.timedelta(days=7),
            by=by,
            grade=consultation[0],
            score=consultation[1],
        )
    course = course_of(user, "glycolic-peel", started_on=started, sessions=2)
    one = visit(user, "glycolic-peel", started, by=by, course=course, session=1, **_graded(first))
    two = visit(
        user,
        "glycolic-peel",
        started + dt.timedelta(days=21),
        by=by,
        course=course,
        session=2,
        **_graded(last),
    )
    if session_rating:
        rating(
            one,
            bother=session_rating[0],
            satisfaction=session_rating[1],
            on=started + dt.timedelta(days=7),
        )
    if end_rating:
        rating(
            two,
            bother=end_rating[0],
            satisfaction=end_rating[1],
            on=started + dt.timedelta(days=28),
            course_end=True,
        )


def _graded(grade: tuple[int, int] | None) -> dict[str, int]:
    return {"grade": grade[0], "score": grade[1]} if grade else {}


@pytest.fixture
def seeded(practitioner: User) -> None:
    """Six patients of two-session peel courses ended on 30 March, three of three-session
    TCA CROSS courses, one peel course ended in May.

    Peel, 2 sessions (the change: last grading minus the one before the course began):
      p1 consultation 3/24, session 1 3/20, session 2 2/12: -1, -12; rated 7/4 after
         session 1 and 4/8 at the end (the end's answer counts)
      p2 3/30 -> 2/18: -1, -12; 5/7        p3 4/40 -> 3/30: -1, -10; 6/6
      p4 2/10 -> 2/8: 0, -2; 3/9
      p5 no consultation: session 1 3/22 -> session 2 3/20: 0, -2; only 8/3 after session 1
      p6 only the consultation graded (3/26): no change; 2/10
    Grade change (5 patients): (-1-1-1+0+0)/5 = -0.6; score: (-12-12-10-2-2)/5 = -7.6;
    bother (6): (4+5+6+3+8+2)/6 = 4.67 -> 4.7; satisfaction (6): (8+7+6+9+3+10)/6 = 7.17 -> 7.2.
    """
    peel_course(
        1,
        practitioner,
        consultation=(3, 24),
        first=(3, 20),
        last=(2, 12),
        session_rating=(7, 4),
        end_rating=(4, 8),
    )
    peel_course(2, practitioner, consultation=(3, 30), first=None, last=(2, 18), end_rating=(5, 7))
    peel_course(3, practitioner, consultation=(4, 40), first=None, last=(3, 30), end_rating=(6, 6))
    peel_course(4, practitioner, consultation=(2, 10), first=None, last=(2, 8), end_rating=(3, 9))
    peel_course(
        5, practitioner, consultation=None, first=(3, 22), last=(3, 20), session_rating=(8, 3)
    )
    peel_course(6, practitioner, consultation=(3, 26), first=None, last=None, end_rating=(2, 10))
    # Ended in May: outside March-April.
    peel_course(
        7,
        practitioner,
        consultation=(4, 50),
        first=None,
        last=(1, 2),
        end_rating=(0, 10),
        started=dt.date(2026, 4, 29),
    )
    for n in (8, 9, 10):
        user = make_patient(email=f"p{n}@example.test")
        visit(user, "consultation", dt.date(2026, 3, 1), by=practitioner, grade=3, score=20)
        course = course_of(user, "tca-cross", started_on=dt.date(2026, 3, 10), sessions=3)
        for session in (1, 2, 3):
            visit(
                user,
                "tca-cross",
                dt.date(2026, 3, 10) + dt.timedelta(days=14 * (session - 1)),
                by=practitioner,
                course=course,
                session=session,
                **({"grade": 2, "score": 10} if session == 3 else {}),
            )


def withheld(count: int) -> Figure:
    return Figure(count, None)


def test_the_report_on_a_seeded_clinic(seeded: None) -> None:
    peel, tca = outcomes_report(start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 30))
    assert peel == OutcomesRow(
        procedure=PEEL,
        sessions=2,
        patients=Figure(6, Decimal(6)),
        grade_change=Figure(5, Decimal("-0.6")),
        score_change=Figure(5, Decimal("-7.6")),
        bother=Figure(6, Decimal("4.7")),
        satisfaction=Figure(6, Decimal("7.2")),
    )
    # Three patients: every figure withheld, even the count.
    assert (tca.sessions, tca.patients, tca.grade_change, tca.score_change) == (
        3,
        withheld(3),
        withheld(3),
        withheld(3),
    )
    assert tca.patients.withheld
    assert tca.bother == Figure(0, None)  # nobody rated: nothing to withhold
    assert not tca.bother.withheld


def test_the_period_counts_the_courses_whose_last_session_falls_in_it(seeded: None) -> None:
    (may,) = outcomes_report(start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 31))
    assert (may.procedure, may.sessions, may.patients) == (PEEL, 2, withheld(1))
    assert outcomes_report(start=dt.date(2026, 1, 1), end=dt.date(2026, 2, 28)) == []
    # The last day counts: the peels ended on 30 March.
    (peel,) = [row for row in outcomes_report(start=ENDED, end=ENDED) if row.procedure == PEEL]
    assert peel.patients == Figure(6, Decimal(6))


def test_one_patient_counts_once_with_the_later_course(seeded: None, practitioner: User) -> None:
    p1 = User.objects.get(email="p1@example.test")
    course = course_of(p1, "glycolic-peel", started_on=dt.date(2026, 4, 6), sessions=2)
    visit(p1, "glycolic-peel", dt.date(2026, 4, 6), by=practitioner, course=course, session=1)
    visit(
        p1,
        "glycolic-peel",
        dt.date(2026, 4, 20),
        by=practitioner,
        course=course,
        session=2,
        grade=1,
        score=4,
    )
    peel, _tca = outcomes_report(start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 30))
    assert peel.patients == Figure(6, Decimal(6))
    # p1's later course: from 2/12 (the end of the first) to 1/4: -1, -8; no rating of it.
    assert peel.score_change == Figure(5, Decimal("-6.8"))  # (-8-12-10-2-2)/5
    assert peel.bother == Figure(5, Decimal("4.8"))  # (5+6+3+8+2)/5


def test_the_report_needs_few_queries(seeded: None, django_assert_num_queries: object) -> None:
    with django_assert_num_queries(3):  # type: ignore[operator]
        outcomes_report(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))


# --- the page and the CSV ------------------------------------------------------------------


def test_managers_only(client: Client, practitioner: User, receptionist: User) -> None:
    for user in (practitioner, receptionist):
        client.force_login(user)
        assert client.get(reverse("workspace:outcomes")).status_code == 403
        assert client.get(reverse("workspace:outcomes-csv")).status_code == 403


def test_the_page_and_the_csv_show_the_same_numbers(
    seeded: None, client: Client, manager: User
) -> None:
    client.force_login(manager)
    page = client.get(reverse("workspace:outcomes"), MARCH_APRIL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "-0.6 <small>(5 patients)</small>" in html
    assert "-7.6 <small>(5 patients)</small>" in html
    assert "4.7 <small>(6 patients)</small>" in html
    assert "7.2 <small>(6 patients)</small>" in html
    # TCA CROSS: its patients, grade and score.
    assert html.count('<span class="withheld">fewer than 5</span>') == 3
    assert reverse("workspace:outcomes-csv") + "?start=2026-03-01&amp;end=2026-04-30" in html
    response = client.get(reverse("workspace:outcomes-csv"), MARCH_APRIL)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="outcomes-2026-03-01-2026-04-30.csv"' in response["Content-Disposition"]
    header, peel, tca = list(csv.reader(io.StringIO(response.content.decode())))
    assert header[:3] == ["procedure", "course_sessions", "patients"]
    assert peel == [PEEL, "2", "6", "-0.6", "5", "-7.6", "5", "4.7", "6", "7.2", "6"]
    assert tca[1:] == ["3", "<5", "<5", "<5", "<5", "<5", "", "0", "", "0"]


def test_the_page_in_russian(seeded: None, client: Client, manager: User) -> None:
    client.force_login(manager)
    html = client.get(
        reverse("workspace:outcomes"), MARCH_APRIL, HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    assert "Изменение общей степени" in html
    assert "-0,6 <small>(5 пациентов)</small>" in html
    assert "менее 5" in html
    assert "1 марта 2026" in html


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "2026-04-30", "end": "2026-03-01"}, "end"),
        ({"start": "not a date"}, "start"),
        ({"end": "2026-13-01"}, "end"),
        ({"start": "2030-01-01"}, "start"),
    ],
)
def test_a_bad_period_is_a_form_error_naming_the_field(
    client: Client, manager: User, query: dict[str, str], field: str
) -> None:
    client.force_login(manager)
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=MSK), tick=False):
        page = client.get(reverse("workspace:outcomes"), query)
        assert page.status_code == 400
        assert f'id="{field}-error"' in page.content.decode()
        response = client.get(reverse("workspace:outcomes-csv"), query)
    assert response.status_code == 400
    assert field in response.content.decode()
