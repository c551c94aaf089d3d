"""The progress chart: the patient's own page, the numbers behind it, the staff pages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.models import Appointment, AuditEntry
from patients.records.outcomes.progress import progress_for_patients, progress_of
from patients.records.outcomes.progress_chart import progress_chart
from patients.records.outcomes.tests.progress_helpers import course_of, rating, visit
from patients.tests.booking_fixtures import Clinic, at

pytestmark = pytest.mark.django_db

MARCH = dt.date(2026, 3, 2)


def alices_course(patient: User, practitioner: User) -> list[Appointment]:
    """A consultation graded 3 (score 24), then two peels of one course: graded 3 (20) and
    2 (12), each rated a week later (7/4, then at the course's end 4/8)."""
    consultation = visit(patient, "consultation", MARCH, by=practitioner, grade=3, score=24)
    course = course_of(
        patient, "glycolic-peel", started_on=MARCH + dt.timedelta(days=7), sessions=2
    )
    first = visit(
        patient,
        "glycolic-peel",
        MARCH + dt.timedelta(days=7),
        by=practitioner,
        grade=3,
        score=20,
        course=course,
        session=1,
    )
    rating(first, bother=7, satisfaction=4, on=MARCH + dt.timedelta(days=14))
    second = visit(
        patient,
        "glycolic-peel",
        MARCH + dt.timedelta(days=28),
        by=practitioner,
        grade=2,
        score=12,
        course=course,
        session=2,
    )
    rating(second, bother=4, satisfaction=8, on=MARCH + dt.timedelta(days=35), course_end=True)
    return [consultation, first, second]


def svg_of(html: str) -> str:
    found = re.search(r'<svg class="progress-chart".*?</svg>', html, re.S)
    assert found is not None
    return found.group(0)


# --- the numbers -------------------------------------------------------------------------


def test_the_progress_holds_grades_ratings_and_sessions_in_time_order(
    patient: User, practitioner: User
) -> None:
    alices_course(patient, practitioner)
    progress = progress_of(patient.patient_profile)
    assert [(g.graded_on, g.overall_grade, g.score) for g in progress.gradings] == [
        (MARCH, 3, 24),
        (dt.date(2026, 3, 9), 3, 20),
        (dt.date(2026, 3, 30), 2, 12),
    ]
    assert [(r.on, r.bother, r.satisfaction, r.course_end) for r in progress.ratings] == [
        (dt.date(2026, 3, 16), 7, 4, False),
        (dt.date(2026, 4, 6), 4, 8, True),
    ]
    assert [(m.number, m.course_number, m.session_number) for m in progress.sessions] == [
        (1, None, None),
        (2, 1, 1),
        (3, 1, 2),
    ]
    rows = progress.rows()
    assert [row.on for row in rows] == sorted(row.on for row in rows)
    assert [
        (row.session is not None, row.grading is not None, row.rating is not None) for row in rows
    ] == [
        (True, True, False),
        (True, True, False),
        (False, False, True),
        (True, True, False),
        (False, False, True),
    ]
    assert (progress.first_grading.score, progress.latest_grading.score) == (24, 12)  # type: ignore[union-attr]


def test_the_chart_puts_a_better_grade_lower_and_later_visits_to_the_right(
    patient: User, practitioner: User
) -> None:
    alices_course(patient, practitioner)
    chart = progress_chart(progress_of(patient.patient_profile))
    assert chart is not None
    grade, score, ratings = chart.panels
    points = grade.series[0].points
    assert [p.value for p in points] == [3, 3, 2]
    assert points[0].x < points[1].x < points[2].x
    assert points[0].y == points[1].y < points[2].y  # y grows downwards: grade 2 lies lower
    assert [tick.label for tick in grade.ticks] == [1, 2, 3, 4]
    assert [tick.label for tick in score.ticks] == [0, 15, 30]  # up to the next ten above 24
    assert [series.key for series in ratings.series] == ["bother", "satisfaction"]
    assert chart.date_ticks[0].on == MARCH
    assert chart.date_ticks[-1].on == dt.date(2026, 4, 6)
    assert [tick.mark.number for tick in chart.sessions] == [1, 2, 3]
    assert chart.left <= min(p.x for p in points)
    assert max(p.x for p in points) <= chart.right


def test_no_chart_without_a_grade_or_a_rating_and_a_short_span_is_widened(
    patient: User, practitioner: User
) -> None:
    assert progress_chart(progress_of(patient.patient_profile)) is None
    visit(patient, "consultation", MARCH, by=practitioner, grade=3, score=24)
    chart = progress_chart(progress_of(patient.patient_profile))
    assert chart is not None
    assert [panel.series[0].key for panel in chart.panels] == ["grade", "score"]
    (point,) = chart.panels[0].series[0].points
    assert chart.left < point.x < chart.right  # one visit: the middle of two weeks, not an edge
    assert chart.date_ticks[0].on == MARCH - dt.timedelta(days=7)


def test_many_patients_progress_in_three_queries(
    patient: User, other_patient: User, practitioner: User, django_assert_num_queries: Any
) -> None:
    alices_course(patient, practitioner)
    alices_course(other_patient, practitioner)
    ids = [patient.patient_profile.pk, other_patient.patient_profile.pk]
    with django_assert_num_queries(3):
        progress = progress_for_patients(ids)
    assert [len(progress[pk].gradings) for pk in ids] == [3, 3]


# --- the patient's page -----------------------------------------------------------------


def test_my_progress_needs_a_login(client: Client) -> None:
    response = client.get(reverse("patients:progress"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_my_progress_shows_the_chart_the_table_and_the_change(
    client: Client, patient: User, practitioner: User
) -> None:
    alices_course(patient, practitioner)
    client.force_login(patient)
    response = client.get(reverse("patients:progress"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Overall grade 3 → 2, quantitative score 24 → 12, since March 2, 2026." in html
    svg = svg_of(html)
    assert 'role="img"' in svg
    assert '<title id="progress-title-me">Progress over time</title>' in svg
    assert "Overall grade from 3 on March 2, 2026 to 2 on March 30, 2026" in svg
    assert "3 visits are marked on the time axis." in svg
    assert "Glycolic acid peel (superficial), course 1, session 2" in svg
    assert ">Your progress in numbers</caption>" in html
    table = html[html.index('<table class="progress-table') :]
    assert "<td>03/30/2026</td>" in table
    assert "Rating at the end of the Glycolic acid peel (superficial) course" in table
    assert 'href="/me/progress/" aria-current="page"' in html  # in the account's navigation


def test_my_progress_in_russian(client: Client, patient: User, practitioner: User) -> None:
    alices_course(patient, practitioner)
    client.force_login(patient)
    html = client.get(reverse("patients:progress"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Мой прогресс" in html
    assert "Общая степень 3 → 2, количественный балл 24 → 12 с 2 марта 2026." in html  # noqa: RUF001
    assert "г.." not in html  # noqa: RUF001 (the Russian date ends the sentence)
    svg = svg_of(html)
    assert "Динамика во времени" in svg
    assert "На оси времени отмечены 3 визита." in svg  # noqa: RUF001
    assert "курс 1, процедура 2" in svg
    assert ">02.03.2026</text>" in svg  # the axis in the Russian short date format
    assert 'x="36.0"' in svg  # coordinates keep their decimal point in any language
    assert "<td>30.03.2026</td>" in html


def test_a_patient_sees_only_their_own_progress(
    client: Client, patient: User, other_patient: User, practitioner: User
) -> None:
    alices_course(patient, practitioner)
    client.force_login(other_patient)
    page = client.get(
        reverse("patients:progress"), {"patient": patient.patient_profile.pk}
    ).content.decode()
    assert "Nothing to show yet" in page
    assert "progress-chart" not in page
    assert "Glycolic" not in page


# --- the staff pages --------------------------------------------------------------------


def test_the_practitioner_sees_the_same_chart_on_the_review_page(
    client: Client, patient: User, practitioner: User, clinic_setup: Clinic
) -> None:
    alices_course(patient, practitioner)
    booked = visit(patient, "glycolic-peel", dt.date(2026, 6, 2), by=practitioner)
    Appointment.objects.filter(pk=booked.pk).update(status=Appointment.Status.PENDING_REVIEW)
    client.force_login(practitioner)
    html = client.get(reverse("workspace:review", args=[booked.pk])).content.decode()
    svg = svg_of(html)
    assert "Overall grade from 3 on March 2, 2026 to 2 on March 30, 2026" in svg
    assert ">Progress in numbers</caption>" in html
    seen = AuditEntry.objects.filter(
        actor=practitioner, patient=patient.patient_profile, action=AuditEntry.Action.VIEW_CHART
    )
    assert [entry.detail for entry in seen] == [
        f"review of appointment #{booked.pk}: progress chart"
    ]


def test_the_day_sheet_shows_each_patients_chart(
    client: Client,
    patient: User,
    other_patient: User,
    practitioner: User,
    manager: User,
    clinic_setup: Clinic,
) -> None:
    alices_course(patient, practitioner)
    day = dt.date(2026, 6, 2)
    for user, hour in ((patient, 10), (other_patient, 12)):
        Appointment.objects.filter(pk=visit(user, "glycolic-peel", day, by=practitioner).pk).update(
            status=Appointment.Status.CONFIRMED,
            start=at(day, hour),
            end=at(day, hour, 45),
            room_free_at=at(day, hour + 1),
            practitioner=clinic_setup.derm,
        )
    client.force_login(manager)
    html = client.get(
        reverse("workspace:day-sheet"), {"date": "2026-06-02", "practitioner": clinic_setup.derm.pk}
    ).content.decode()
    assert html.count('class="progress-chart"') == 1  # bob has nothing to show yet
    assert "Progress of Alice Archer" in html
    assert "Progress of Bob Baker" not in html
    assert AuditEntry.objects.filter(
        actor=manager, action=AuditEntry.Action.VIEW_CHART, patient=patient.patient_profile
    ).exists()
