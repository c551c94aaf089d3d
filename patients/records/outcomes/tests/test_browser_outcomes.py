"""Outcomes in a real browser, as issue #18 tells it.

A consultation four weeks ago is graded 3 on its chart; two peel sessions follow, with
photos of the five standard views (today's on the capture page); the second is graded 2
and completed from the day sheet; a week later the patient answers the self-assessment
from the e-mail's link without logging in, and on a phone their "My progress" page shows
the change and the latest comparison of the photos; they allow a photo pair to be
published, the procedure page shows it, and their withdrawal takes it down at once.

The clock is not pinned (the browser keeps its own for cookies): today's session starts
on the current quarter hour; "a week later" is time-machine travel of the server's clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from clinic.availability import clinic_zone
from clinic.models import User
from clinic.roles import Role
from clinic.tests.browser import accessibility_problems, sign_in
from patients.messaging.outbox import dispatch_due_messages
from patients.models import (
    Appointment,
    OutboxMessage,
    Photo,
    ScarGrading,
    SelfAssessment,
    TreatmentCourse,
    TreatmentVisit,
)
from patients.records.outcomes import services as grading
from patients.records.outcomes.gallery import services as gallery
from patients.tests.booking_fixtures import Clinic, ready
from patients.tests.factories import jpeg_bytes
from patients.tests.photo_helpers import take_session_photos
from procedures.models import Procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEEL = "glycolic-peel"
VIEWS = ("front", "oblique-left", "oblique-right", "profile-left", "profile-right")


def _visit(
    patient: User, clinic: Clinic, slug: str, start: dt.datetime, status: str, **fields: Any
) -> tuple[Appointment, TreatmentVisit]:
    """An appointment written as the services leave it, with its open chart."""
    procedure = Procedure.objects.get(slug=slug)
    appointment = Appointment.from_catalogue(
        procedure=procedure,
        start=start,
        end=start + dt.timedelta(minutes=procedure.booked_minutes),
        patient=patient.patient_profile,
        practitioner=clinic.derm,
        room=clinic.rooms[procedure.room_kind],
        screening_outcome="ok",
        channel=Appointment.Channel.DESK,
        created_by=patient,
        status=status,
        **fields,
    )
    appointment.save()
    chart = TreatmentVisit.objects.create(
        appointment=appointment,
        patient=patient.patient_profile,
        practitioner=clinic.derm,
        session_on=start.astimezone(clinic_zone()).date(),
        opened_by=clinic.derm.user,
    )
    return appointment, chart


def test_graded_visits_photos_progress_and_a_published_photo_withdrawn(
    open_page: Callable[..., Any],
    live_server: Any,
    clinic_setup: Clinic,
    patient: User,
    manager: User,
) -> None:
    ready(patient, "peel", scar_types=frozenset({"rolling", "boxcar_shallow"}))
    derm = clinic_setup.derm.user
    derm.groups.add(Group.objects.get(name=Role.PRACTITIONER))
    now = timezone.now().astimezone(clinic_zone())
    start = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    consultation, _chart = _visit(
        patient, clinic_setup, "consultation", start - dt.timedelta(days=28), "completed"
    )
    course = TreatmentCourse.objects.create(
        patient=patient.patient_profile,
        procedure=Procedure.objects.get(slug=PEEL),
        started_on=(start - dt.timedelta(days=14)).date(),
        sessions_done=1,
        last_session_on=(start - dt.timedelta(days=14)).date(),
    )
    first, first_chart = _visit(
        patient,
        clinic_setup,
        PEEL,
        start - dt.timedelta(days=14),
        "completed",
        course=course,
        session_number=1,
    )
    second, _chart = _visit(patient, clinic_setup, PEEL, start, "checked_in")

    # The practitioner grades the consultation 3 on its chart's grading page.
    page = open_page()
    page.set_viewport_size({"width": 1024, "height": 1366})  # a tablet, upright
    sign_in(page, live_server, derm)
    page.goto(f"{live_server.url}/admin/outcomes/grading/{consultation.pk}/")
    page.get_by_label("Overall grade").select_option("3")
    page.get_by_label("Punched-out scars with deep abnormal bases (< 5 mm)").fill("12")
    page.get_by_label("Shallow but broad atrophic areas").fill("25")
    page.get_by_role("button", name="Save the grading").click()
    # 12 deep punched-out (3 points, 11-20: x2) + 25 broad (2 points, over 20: x3) = 12.
    page.get_by_text("Overall grade 3 · quantitative score 12 of 84").wait_for()
    assert ScarGrading.objects.get(visit__appointment=consultation).score == 12
    # The first session was graded in the room (3: 8 deep x1 + 15 broad x2 = 7).
    grading.grade_visit(
        visit=first_chart,
        by=derm,
        overall_grade=3,
        counts={"punched_deep_abnormal": 8, "shallow_broad": 15},
    )

    # Photos of the five views at each session: the first session's were taken then; today's
    # on the capture page, each view's camera input (a file here: headless, no camera).
    take_session_photos(first, derm, color="red")
    page.goto(f"{live_server.url}/admin/session-photos/sessions/{second.pk}/")
    for view in VIEWS:
        card = page.locator(f'[data-capture-view="{view}"]')
        card.locator('input[type="file"]').set_input_files(
            {"name": f"{view}.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes((240, 320))}
        )
        card.get_by_role("button", name="Upload").click()
        page.get_by_text("The photo is uploaded.").wait_for()
    taken = Photo.objects.filter(appointment__in=[first, second], kind=Photo.Kind.BEFORE)
    assert sorted(taken.values_list("appointment_id", "view__slug")) == sorted(
        (session.pk, view) for session in (first, second) for view in VIEWS
    )
    before = Photo.objects.get(appointment=first, view__slug="front")
    after = Photo.objects.get(appointment=second, view__slug="front")

    # Today's session: graded 2, then completed from the day sheet, which shows the chart.
    page.goto(f"{live_server.url}/admin/outcomes/grading/{second.pk}/")
    page.get_by_label("Overall grade").select_option("2")
    page.get_by_label("Shallow but broad atrophic areas").fill("8")
    page.get_by_role("button", name="Save the grading").click()
    page.get_by_text("Overall grade 2 · quantitative score 2 of 84").wait_for()
    page.goto(f"{live_server.url}/admin/workspace/day-sheet/")
    page.get_by_text(f"Progress of {patient.patient_profile}").click()
    page.locator("#progress-" + str(second.pk) + " svg.progress-chart").wait_for()
    page.get_by_role("button", name="Complete").click()
    page.get_by_text("The session is completed.").wait_for()
    second.refresh_from_db()
    assert (second.status, second.course_id, second.session_number) == ("completed", course.pk, 2)

    # A week later the patient is asked, and answers from the e-mail without logging in.
    asked = OutboxMessage.objects.get(kind=OutboxMessage.Kind.SELF_ASSESSMENT, appointment=second)
    assert asked.due_at.astimezone(clinic_zone()).date() == start.date() + dt.timedelta(days=7)
    with time_machine.travel(asked.due_at + dt.timedelta(minutes=5), tick=True):
        mail.outbox.clear()
        dispatch_due_messages()
        letter = next(m for m in mail.outbox if m.subject == "How do you rate your result?")
        link = next(word for word in letter.body.split() if "/a/" in word)
        anonymous = open_page(viewport={"width": 390, "height": 844})
        anonymous.goto(live_server.url + link[link.index("/a/") :])
        anonymous.get_by_text("How much do your scars bother you now?").wait_for()
        anonymous.locator('label[for="bother-3"]').click()
        anonymous.locator('label[for="satisfaction-8"]').click()
        anonymous.get_by_role("button", name="Send my answers").click()
        anonymous.get_by_text("your answers are recorded").wait_for()
        answer = SelfAssessment.objects.get()
        assert (answer.appointment, answer.bother, answer.satisfaction) == (second, 3, 8)
        anonymous.reload()  # the link is used: it says so, and asks nothing
        anonymous.get_by_text("You have already answered these questions.").wait_for()

        # On a phone, "My progress" shows the change, the chart and its table.
        phone = open_page(viewport={"width": 390, "height": 844})
        sign_in(phone, live_server, patient)
        phone.goto(f"{live_server.url}/me/progress/")
        phone.get_by_text("Overall grade 3 → 2, quantitative score 12 → 2").wait_for()
        chart = phone.locator("svg.progress-chart")
        assert chart.get_attribute("role") == "img"
        box = chart.bounding_box()
        assert box is not None
        assert box["width"] <= 390
        table = phone.get_by_role("table", name="Your progress in numbers")
        assert table.get_by_role("row").count() == 1 + 4  # header, three visits, one rating
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        # The latest comparison: the first session's photos against today's, side by side.
        comparison = phone.locator(".latest-comparison")
        assert comparison.locator(".compare-side img").count() == 2
        assert accessibility_problems(phone) == ""

    # The patient allows both photos to be published; the manager pairs them.
    phone.goto(f"{live_server.url}/me/photos/")
    for photo in (before, after):
        phone.goto(f"{live_server.url}/me/photos/{photo.uuid}/publication/")
        phone.get_by_label(
            "I have read the text above and I allow this photo to be published."
        ).check()
        phone.get_by_role("button", name="Allow publication").click()
        phone.get_by_text("the clinic may now show this photo").wait_for()
    pair = gallery.create_gallery_pair(
        procedure=Procedure.objects.get(slug=PEEL),
        before=before,
        after=after,
        crop=(Decimal("0.1"), Decimal("0.1"), Decimal("0.8"), Decimal("0.8")),
        by=manager,
    )
    visitor = open_page()
    visitor.goto(f"{live_server.url}/procedures/{PEEL}/")
    visitor.locator(f'[data-pair="{pair.uuid}"]').wait_for()

    # The withdrawal takes the pair off the public page at once.
    phone.goto(f"{live_server.url}/me/photos/")
    phone.get_by_role("button", name="Withdraw consent").first.click()
    phone.get_by_text("Clinical only: not shown to the public.").first.wait_for()
    visitor.reload()
    assert visitor.locator(f'[data-pair="{pair.uuid}"]').count() == 0
    picture = visitor.request.get(
        f"{live_server.url}/gallery/{pair.uuid}/before.jpg", fail_on_status_code=False
    )
    assert picture.status == 404
