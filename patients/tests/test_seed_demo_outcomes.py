# ruff: noqa: RUF001 - the Russian texts are Cyrillic on purpose.
"""The demo's outcomes: graded visits for several patients, a consultation then sessions with
falling scores, each on a signed chart, and nothing doubled by a second run."""

import datetime as dt
from io import StringIO
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.management.demo_outcomes import DEMO_GRADINGS
from patients.messaging.mail import build_templated_email
from patients.messaging.render import render
from patients.models import OutboxMessage, PatientProfile, ScarGrading, TreatmentVisit
from patients.records.outcomes.selectors import gradings_for_patient
from procedures.models import CareInstruction

pytestmark = pytest.mark.django_db

# A Wednesday, as the other seed tests use.
NOW = dt.datetime(2026, 3, 11, 8, 0, tzinfo=ZoneInfo("Europe/Moscow"))


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--no-login-list", stdout=out)
    return out.getvalue()


@time_machine.travel(NOW, tick=False)
def test_several_demo_patients_have_graded_visits_with_falling_scores() -> None:
    output = seed()
    assert f"Demo scar gradings: {sum(map(len, DEMO_GRADINGS.values()))} added" in output
    for email, specs in DEMO_GRADINGS.items():
        points = gradings_for_patient(PatientProfile.objects.get(user__email=email))
        assert len(points) == len(specs), email
        assert points[0].procedure_slug == "consultation", email
        assert all(p.procedure_slug != "consultation" for p in points[1:]), email
        scores = [p.score for p in points]
        assert all(earlier > later for earlier, later in pairwise(scores)), (email, scores)
        assert [p.overall_grade for p in points] == [s.overall for s in specs], email
        assert points[-1].graded_on < NOW.date()
    anna = gradings_for_patient(
        PatientProfile.objects.get(user__email="anna.smirnova@patients.clinic.local")
    )
    assert [p.overall_grade for p in anna] == [3, 3, 2, 2]
    assert all(p.course_id is not None for p in anna[1:])
    graded = TreatmentVisit.objects.filter(scar_grading__isnull=False)
    assert graded.count() == ScarGrading.objects.count()  # every grading is on a chart
    assert not graded.filter(signed_at__isnull=True).exists()
    assert all(
        g.graded_at <= g.visit.signed_at for g in ScarGrading.objects.select_related("visit")
    )

    assert "Demo scar gradings: 0 added" in seed()
    assert ScarGrading.objects.filter(patient__user__email__in=DEMO_GRADINGS).count() == sum(
        map(len, DEMO_GRADINGS.values())
    )


@time_machine.travel(NOW, tick=False)
def test_a_russian_demo_patient_reads_her_after_care_in_russian() -> None:
    seed()
    anna = User.objects.get(email="anna.smirnova@patients.clinic.local")
    assert anna.preferred_language == "ru"
    visit = TreatmentVisit.objects.filter(
        patient__user=anna, appointment__procedure__slug="microneedling"
    ).latest("session_on")
    client = Client()
    client.force_login(anna)
    client.cookies["django_language"] = "ru"
    page = client.get(reverse("patients:appointment", args=[visit.appointment_id]))
    text = page.content.decode()
    assert "В течение 24 часов не пользуйтесь декоративной косметикой" in text
    assert "Do not wear make-up" not in text

    # The after-care note of the day after (as booking schedules it), as it is sent.
    spf = CareInstruction.objects.get(procedure__slug="microneedling", kind="after", offset_days=1)
    note = OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.AFTERCARE,
        channel=OutboxMessage.Channel.EMAIL,
        patient=visit.patient,
        appointment=visit.appointment,
        subject_version=visit.appointment.version,
        due_at=visit.appointment.end,
        dedupe_key=f"aftercare:appointment:{visit.appointment_id}:test",
        context={"instructions": [spf.pk]},
    )
    rendered = render(note)
    assert rendered is not None
    email = build_templated_email(user=anna, template=rendered.template, context=rendered.context)
    assert "наносите солнцезащитное средство SPF 50" in email.body
    assert "Use SPF 50" not in email.body
    assert "Do not wear make-up" not in email.body
