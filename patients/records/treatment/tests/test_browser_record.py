"""The treatment record in a real browser, as the issue tells it.

The practitioner checks the patient in from the day sheet, charts a TCA CROSS on three
zones of the face map and a hyaluronic filler (a second procedure of the visit) with a
lot, signs and completes; two days later the patient, told "how is your skin?", reports
redness with a photo; the manager finds the lot's patients.

The clock is not pinned (the browser keeps its own for cookies): the appointment starts
on the current quarter hour, so it is today whenever the test runs; "two days later" is
time-machine travel of the server's clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
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
from patients.messaging import appointment_booked
from patients.messaging.outbox import dispatch_due_messages
from patients.models import (
    AdverseEvent,
    Appointment,
    OutboxMessage,
    Product,
    ProductLot,
    TreatmentVisit,
)
from patients.tests.booking_fixtures import Clinic, ready
from patients.tests.factories import jpeg_bytes
from patients.tests.photo_helpers import take_before_photos
from procedures.models import Procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _appointment(
    patient: User, clinic: Clinic, slug: str, start: dt.datetime, **fields: Any
) -> Appointment:
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
        **fields,
    )
    appointment.save()
    return appointment


def test_chart_sign_complete_report_and_find_the_lot(
    open_page: Callable[..., Any],
    live_server: Any,
    record_data: None,
    clinic_setup: Clinic,
    patient: User,
    manager: User,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.COMPLETE_REQUIRES_SIGNED_CHART = True
    ready(patient, "peel", "filler", scar_types=frozenset({"icepick", "rolling"}))
    now = timezone.now().astimezone(clinic_zone())
    start = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    # The consultation the filler needs came first (a week ago).
    _appointment(
        patient,
        clinic_setup,
        "consultation",
        start - dt.timedelta(days=7),
        status=Appointment.Status.COMPLETED,
    )
    session = _appointment(patient, clinic_setup, "tca-cross", start, status="confirmed")
    appointment_booked(session)  # what booking schedules: the skin check among it
    filler = Product.objects.create(
        name="Restylane Refyne", manufacturer="Galderma", kind=Product.Kind.FILLER, unit="ml"
    )
    lot = ProductLot.objects.create(
        product=filler,
        lot_number="RR-4471",
        expires_on=start.date() + dt.timedelta(days=300),
        received_on=start.date() - dt.timedelta(days=10),
        quantity_received=Decimal("5"),
        quantity_left=Decimal("5"),
    )
    derm = clinic_setup.derm.user
    derm.groups.add(Group.objects.get(name=Role.PRACTITIONER))

    # The practitioner: day sheet, check in, chart.
    page = open_page()
    page.set_viewport_size({"width": 1024, "height": 1366})  # a tablet, upright
    sign_in(page, live_server, derm)
    page.goto(f"{live_server.url}/admin/workspace/day-sheet/")
    page.get_by_label(
        "The patient confirms that nothing in the health questionnaire has changed"
    ).check()
    page.get_by_role("button", name="Check in").click()
    page.get_by_role("link", name="Open the chart").click()
    page.get_by_role("button", name="Open the chart").click()
    visit = TreatmentVisit.objects.get(appointment=session)
    # TCA CROSS needs its before photos to be signed (#18; the capture page has its own test).
    take_before_photos(session, derm)
    tca = visit.procedures.get()
    page.get_by_label("Concentration (%)").fill("80")
    page.get_by_label("Applicator").select_option("toothpick")
    for zone, scars in (("forehead", "14"), ("cheek_left", "9"), ("cheek_right", "11")):
        page.locator(f'[data-procedure="t{tca.pk}"] [data-zone="{zone}"]').click()
        page.locator(f'[name="t{tca.pk}-{zone}-scars_treated"]').fill(scars)
        page.locator(f'[name="t{tca.pk}-{zone}-frosting"]').select_option("3")
    for check in ("retinoids_stopped", "no_recent_tan", "skin_cleansed"):
        page.locator(f'[name="precare-{check}"]').select_option("yes")
    page.locator('[name="precare-antiviral_started"]').select_option("na")
    page.get_by_label("Erythema").select_option("mild")
    page.get_by_label("Frosting", exact=True).select_option("2")
    page.get_by_label("Bleeding").select_option("pinpoint")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("The chart is saved.").wait_for()
    assert accessibility_problems(page) == ""

    # A filler in the same visit, with its lot.
    page.get_by_label("Another procedure in this visit").select_option(
        label="Hyaluronic acid filler"
    )
    page.get_by_role("button", name="Add the procedure").click()
    added = visit.procedures.get(procedure__slug="hyaluronic-filler")
    page.locator(f'[data-procedure="t{added.pk}"] [data-zone="chin"]').click()
    page.locator(f'[name="t{added.pk}-chin-volume_ml"]').fill("0,5")
    page.locator(f'[name="t{added.pk}-chin-technique"]').select_option("cannula")
    page.locator(f'[name="t{added.pk}-chin-depth"]').select_option("subdermal")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("The chart is saved.").wait_for()
    page.get_by_label("Lot number (from the label)").fill("RR-4471")
    page.get_by_label("Amount used").fill("0.5")
    page.get_by_label("Zone:").select_option("chin")
    page.get_by_label("Procedure:").select_option(label="Hyaluronic acid filler")
    page.get_by_role("button", name="Record the product").click()
    page.get_by_role("cell", name="RR-4471").wait_for()
    page.get_by_role("button", name="Save and sign").click()
    page.get_by_text("The chart is signed.").wait_for()
    visit.refresh_from_db()
    assert visit.is_signed
    assert sorted(tca.zones.values_list("zone", flat=True)) == [
        "cheek_left",
        "cheek_right",
        "forehead",
    ]
    lot.refresh_from_db()
    assert lot.quantity_left == Decimal("4.5")

    page.goto(f"{live_server.url}/admin/workspace/day-sheet/")
    page.get_by_role("button", name="Complete").click()
    page.get_by_text("The session is completed.").wait_for()
    session.refresh_from_db()
    assert session.status == Appointment.Status.COMPLETED

    # Two days later: "how is your skin?", and the patient reports redness with a photo.
    photo = tmp_path / "redness.jpg"
    photo.write_bytes(jpeg_bytes(size=(320, 240)))
    asked = OutboxMessage.objects.get(kind=OutboxMessage.Kind.SKIN_CHECK, appointment=session)
    assert asked.due_at.astimezone(clinic_zone()).date() == start.date() + dt.timedelta(days=2)
    with time_machine.travel(asked.due_at + dt.timedelta(minutes=5), tick=True):
        mail.outbox.clear()
        dispatch_due_messages()
        asked.refresh_from_db()
        assert asked.state == OutboxMessage.State.SENT
        letter = next(m for m in mail.outbox if m.subject == "How are you after your visit?")
        link = next(word for word in letter.body.split() if "/problem/" in word)
        patient_page = open_page()
        sign_in(patient_page, live_server, patient)
        patient_page.goto(live_server.url + link[link.index("/me/") :])
        patient_page.get_by_label("What is wrong?").fill("Redness and itching on the forehead")
        patient_page.get_by_label("Since when?").fill(
            (start + dt.timedelta(days=1)).date().isoformat()
        )
        patient_page.get_by_label("Photos (up to five)").set_input_files(str(photo))
        patient_page.get_by_role("button", name="Send to the clinic").click()
        patient_page.get_by_text("your message has reached the clinic").wait_for()
        patient_page.get_by_text("Dmitry", exact=False).first.wait_for()
        assert "is looking at it" in patient_page.content()
        event = AdverseEvent.objects.get()
        assert (event.status, event.photo_links.count()) == ("new", 1)

        # It waits at the top of the practitioner's queue (a new staff session: days passed).
        sign_in(page, live_server, derm)
        page.goto(f"{live_server.url}/admin/workspace/reviews/")
        page.get_by_role("link", name=str(patient.patient_profile)).first.wait_for()

    # The manager finds who received the lot.
    manager_page = open_page()
    sign_in(manager_page, live_server, manager)
    manager_page.goto(f"{live_server.url}/admin/treatment/lots/")
    manager_page.get_by_label("Lot number or product").fill("RR-44")
    manager_page.get_by_role("button", name="Search").click()
    manager_page.get_by_role("link", name="RR-4471").click()
    manager_page.get_by_role("cell", name="Alice Archer").wait_for()
    assert "0.5 ml" in manager_page.content()
