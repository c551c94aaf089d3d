"""The demo clinic shows outcomes: graded visits, self-assessments, a report row of six."""

import datetime as dt
from decimal import Decimal
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
def test_the_demo_has_progress_charts_and_a_report_row_of_six_patients() -> None:
    call_command("seed_demo", stdout=StringIO())
    counts = (ScarGrading.objects.count(), SelfAssessment.objects.count())
    cohort = [spec.email for spec in OUTCOME_COHORT]
    assert ScarGrading.objects.filter(patient__user__email__in=cohort).count() == 24
    assert SelfAssessment.objects.filter(patient__user__email__in=cohort).count() == 18
    # Other demo patients answered after their latest treatment session too.
    assert SelfAssessment.objects.exclude(patient__user__email__in=cohort).exists()
    rows = outcomes_report(start=dt.date(2025, 3, 11), end=dt.date(2026, 3, 11))
    (microneedling,) = [row for row in rows if row.patients.patients >= 5]
    assert (microneedling.sessions, microneedling.patients.patients) == (3, 6)
    # (2-3 + 2-3 + 3-4 + 2-3 + 2-2 + 2-3)/6 = -5/6; scores (12-24 + 16-30 + 26-42 + 10-20
    # + 8-12 + 18-26)/6 = -64/6.
    assert microneedling.grade_change.value == Decimal("-0.8")
    assert microneedling.score_change.value == Decimal("-10.7")
    client = Client()
    client.force_login(User.objects.get(email=OUTCOME_COHORT[0].email))
    page = client.get(reverse("patients:progress")).content.decode()
    assert 'class="progress-chart"' in page
    assert "Overall grade 3 → 2, quantitative score 24 → 12" in page
    output = StringIO()
    call_command("seed_demo", stdout=output)
    assert (ScarGrading.objects.count(), SelfAssessment.objects.count()) == counts
    assert "0 self-assessments added" in output.getvalue()
