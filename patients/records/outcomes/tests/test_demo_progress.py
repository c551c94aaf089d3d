"""The demo clinic shows progress: a graded cohort, self-assessments, a report row."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.management.demo_progress import OUTCOME_COHORT
from patients.models import ScarGrading, SelfAssessment
from patients.records.outcomes.report import outcomes_report

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 11, 8, 0, tzinfo=ZoneInfo("Europe/Moscow"))


@time_machine.travel(NOW, tick=False)
def test_the_demo_has_progress_charts_and_a_report_row_of_at_least_six_patients() -> None:
    call_command("seed_demo", stdout=StringIO())
    counts = (ScarGrading.objects.count(), SelfAssessment.objects.count())
    cohort = [spec.email for spec in OUTCOME_COHORT]
    # A consultation and three sessions each, graded; a rating a week after each session.
    assert ScarGrading.objects.filter(patient__user__email__in=cohort).count() == 24
    assert SelfAssessment.objects.filter(patient__user__email__in=cohort).count() == 18
    assert SelfAssessment.objects.exclude(patient__user__email__in=cohort).exists()
    rows = outcomes_report(start=dt.date(2025, 3, 11), end=dt.date(2026, 3, 11))
    shown = [row for row in rows if row.grade_change.value is not None]
    assert shown, rows
    for row in shown:
        assert row.patients.patients >= 5
        assert row.grade_change.value is not None
        assert row.grade_change.value < 0  # the grades fell: the demo shows improvement
        assert row.score_change.value is not None
        assert row.score_change.value < 0
    client = Client()
    client.force_login(User.objects.get(email=OUTCOME_COHORT[0].email))
    page = client.get(reverse("patients:progress")).content.decode()
    assert 'class="progress-chart"' in page
    assert "Overall grade 3 → 2" in page
    output = StringIO()
    call_command("seed_demo", stdout=output)
    assert (ScarGrading.objects.count(), SelfAssessment.objects.count()) == counts
    assert "0 graded visits, 0 self-assessments added" in output.getvalue()
