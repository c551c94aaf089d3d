"""Care instructions on the right day (issue #19): defaults, scheduling, the acknowledgement."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse

from clinic.models import User
from clinic.tests.factories import PractitionerFactory, WorkingHoursFactory
from patients.booking.services import book_appointment, cancel_appointment, move_appointment
from patients.messaging import links, outbox
from patients.messaging import render as rendering
from patients.models import Appointment, OutboxMessage
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready
from procedures.models import CareInstruction, Procedure

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind
State = OutboxMessage.State
TUESDAY = WEDNESDAY - dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow."""


def book(
    user: User, clinic: Clinic, start: dt.datetime, slug: str = "glycolic-peel", **kw: Any
) -> Appointment:
    return book_appointment(
        patient=user.patient_profile,
        procedure=clinic.procedure(slug),
        start=start,
        practitioner=kw.get("practitioner"),
        booked_by=user,
        channel=Appointment.Channel.WEB,
    )


def instruction(slug: str, kind: str, offset: int, text: str, **kw: Any) -> CareInstruction:
    return CareInstruction.objects.create(
        procedure=Procedure.objects.get(slug=slug),
        kind=kind,
        offset_days=offset,
        text=text,
        text_en=text,
        text_ru=f"RU {text}",
        **kw,
    )


def care_rows(appointment: Appointment, **filters: Any) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(
            appointment=appointment,
            channel=OutboxMessage.Channel.EMAIL,
            dedupe_key__contains=":day",
            **filters,
        ).order_by("pk")
    )


def texts_of(slug: str) -> dict[tuple[str, int], str]:
    return {
        (i.kind, i.offset_days): i.text_en
        for i in CareInstruction.objects.filter(procedure__slug=slug)
    }


# --- the catalogue's defaults --------------------------------------------------------------


def test_the_catalogue_comes_with_its_care_instructions() -> None:
    micro = texts_of("microdermabrasion")
    assert micro[("pre", -14)].startswith("Stop retinoid and acid products")
    assert micro[("after", 1)].startswith("Use SPF 50")
    # The antiviral: deep and fractional groups and the medium and deep peels, herpes only.
    for slug in ("laser-resurfacing", "fractional-laser", "tca-peel", "phenol-peel"):
        antiviral = CareInstruction.objects.get(procedure__slug=slug, offset_days=-1)
        assert antiviral.kind == "pre"
        assert antiviral.only_with_herpes_history
        assert antiviral.text_en.startswith("Start the antiviral")
        assert antiviral.text_ru
    assert ("pre", -1) not in texts_of("glycolic-peel")  # a superficial peel
    assert ("pre", -2) not in texts_of("glycolic-peel")  # a 2-day stop: the reminder says it
    assert texts_of("ozone-therapy")[("after", 0)] == (
        "During your ozone therapy course: no sauna, steam room or solarium."
    )
    assert texts_of("consultation") == {}


# --- scheduled with the appointment --------------------------------------------------------


def test_instructions_are_scheduled_at_booking_on_their_day_and_past_days_skipped(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    tomorrow = instruction("glycolic-peel", "pre", -1, "Come without make-up.")
    instruction("glycolic-peel", "pre", -5, "Too late for this one.")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 15))
    [row] = care_rows(appointment)
    assert row.kind == Kind.PRECARE_NOTICE
    assert row.due_at == at(TUESDAY, 10)  # the day before, at the usual hour
    assert row.send_by == appointment.start
    assert row.context == {"instructions": [tomorrow.pk], "offset_days": -1}
    assert row.dedupe_key == f"precare_notice:appointment:{appointment.pk}:v0:day-1"
    # The day after's SPF rides on the after-care note of that day.
    aftercare = OutboxMessage.objects.get(
        appointment=appointment, kind=Kind.AFTERCARE, channel=OutboxMessage.Channel.EMAIL
    )
    spf = CareInstruction.objects.get(procedure__slug="glycolic-peel", offset_days=1)
    assert aftercare.context == {"instructions": [spf.pk]}


def test_instructions_move_with_the_appointment(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel")
    instruction("glycolic-peel", "pre", -1, "Come without make-up.")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 15))
    [old] = care_rows(appointment)
    move_appointment(
        appointment=appointment, start=at(WEDNESDAY + dt.timedelta(days=1), 15), by=patient
    )
    old.refresh_from_db()
    assert old.state == State.CANCELLED
    [new] = care_rows(appointment, state=State.PENDING)
    assert new.subject_version == 1
    assert new.due_at == at(WEDNESDAY, 10)


def test_instructions_are_cancelled_with_the_appointment(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    instruction("glycolic-peel", "pre", -1, "Come without make-up.")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 15))
    cancel_appointment(appointment=appointment, by=patient)
    assert {row.state for row in care_rows(appointment)} == {State.CANCELLED}
    aftercare = OutboxMessage.objects.get(
        appointment=appointment, kind=Kind.AFTERCARE, channel=OutboxMessage.Channel.EMAIL
    )
    assert aftercare.state == State.CANCELLED


@pytest.mark.parametrize("herpes_history", [True, False])
def test_the_antiviral_only_for_a_herpes_history(
    clinic_setup: Clinic, patient: User, herpes_history: bool
) -> None:
    ready(patient, "peel", consulted=True, herpes_history=herpes_history)
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 15), "tca-peel")
    rows = care_rows(appointment)
    if not herpes_history:
        assert rows == []
        return
    antiviral = CareInstruction.objects.get(procedure__slug="tca-peel", offset_days=-1)
    [row] = rows
    assert row.context["instructions"] == [antiviral.pk]
    assert row.due_at == at(TUESDAY, 10)


def test_the_message_names_no_procedure_or_health_detail_outside_its_body(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel", consulted=True, herpes_history=True)
    patient.phone = "+79001234567"
    patient.save()
    patient.patient_profile.care_by_sms = True
    patient.patient_profile.save()
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 15), "tca-peel")
    [row] = care_rows(appointment)
    rendered = rendering.render(row)
    assert rendered is not None
    assert rendered.context["instructions"][0].startswith("Start the antiviral")
    assert rendered.context["acknowledge_url"] == links.care_url(appointment)
    sms_row = OutboxMessage.objects.get(
        dedupe_key=row.dedupe_key, channel=OutboxMessage.Channel.SMS
    )
    sms = rendering.sms_text(sms_row, rendering.render(sms_row))
    for secret in ("TCA", "peel", "antiviral", "herpes", "cold sore"):
        assert secret.lower() not in sms.lower()
    with (
        time_machine.travel(at(TUESDAY, 10, 1), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        outbox.dispatch_due_messages()
    [email] = [m for m in mail.outbox if m.extra_headers["Message-ID"] == row.message_id]
    assert "Start the antiviral" in email.body
    for secret in ("TCA", "peel", "antiviral", "herpes"):
        assert secret.lower() not in email.subject.lower()
    assert links.care_url(appointment) in email.body


# --- the acknowledgement -------------------------------------------------------------------


def sheet_practitioner(practitioner: User) -> Any:
    mine = PractitionerFactory(user=practitioner, roles=["derm", "cosm"])
    for weekday in range(7):
        WorkingHoursFactory(practitioner=mine, weekday=weekday, start=dt.time(9), end=dt.time(18))
    return mine


def test_the_link_acknowledges_once_and_the_day_sheet_shows_it(
    client: Client, clinic_setup: Clinic, patient: User, practitioner: User
) -> None:
    ready(patient, "peel")
    mine = sheet_practitioner(practitioner)
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 15), practitioner=mine)
    url = reverse("patients:acknowledge-care", args=[links.care_token(appointment)])
    assert client.get(url).status_code == 200  # a GET (a mail scanner) records nothing
    appointment.refresh_from_db()
    assert appointment.precare_acknowledged_at is None
    assert client.post(url).status_code == 200
    appointment.refresh_from_db()
    assert appointment.precare_acknowledged_at == at(dt.date(2026, 6, 1), 8)
    assert client.post(url).status_code == 404  # once
    assert client.get(url).status_code == 404

    client.force_login(practitioner)
    sheet = client.get(reverse("workspace:day-sheet"), {"date": WEDNESDAY.isoformat()})
    [row] = [r for r in sheet.content.decode().split("<tr>") if str(appointment.patient) in r]
    assert 'class="precare-acknowledged"' in row


def test_a_wrong_or_stale_link_is_a_404(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 15))
    token = links.care_token(appointment)
    forged = token.replace(f"{appointment.pk}.", f"{appointment.pk + 1}.", 1)
    assert client.post(reverse("patients:acknowledge-care", args=[forged])).status_code == 404
    reply = links.reply_token(appointment, channel="email", action="confirm")
    assert client.post(reverse("patients:acknowledge-care", args=[reply])).status_code == 404
    move_appointment(appointment=appointment, start=at(WEDNESDAY, 16), by=patient)
    assert client.post(reverse("patients:acknowledge-care", args=[token])).status_code == 404
    appointment.refresh_from_db()
    assert appointment.precare_acknowledged_at is None


def test_on_the_appointment_page_and_never_for_another_patient(
    client: Client, clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    ready(patient, "peel")
    instruction("glycolic-peel", "pre", -1, "Come without make-up.")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 15))
    url = reverse("patients:appointment-acknowledge-care", args=[appointment.pk])
    client.force_login(other_patient)
    assert client.post(url).status_code == 404
    appointment.refresh_from_db()
    assert appointment.precare_acknowledged_at is None

    client.force_login(patient)
    page = client.get(reverse("patients:appointment", args=[appointment.pk])).content.decode()
    assert "Come without make-up." in page
    assert url in page
    assert client.post(url).status_code == 302
    appointment.refresh_from_db()
    assert appointment.precare_acknowledged_at is not None
    page = client.get(reverse("patients:appointment", args=[appointment.pk])).content.decode()
    assert 'class="care-acknowledged"' in page
    assert client.post(url).status_code == 404


def test_staff_edit_an_instruction_in_the_admin_in_both_languages(
    client: Client, practitioner: User
) -> None:
    spf = CareInstruction.objects.get(procedure__slug="glycolic-peel", offset_days=1)
    client.force_login(practitioner)
    url = reverse("admin:procedures_careinstruction_change", args=[spf.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "procedure": spf.procedure_id,
            "kind": "after",
            "offset_days": "2",
            "text_en": "SPF 50 for two weeks.",
            "text_ru": "SPF 50 две недели.",
            "active": "on",
        },
    )
    assert response.status_code == 302
    spf.refresh_from_db()
    assert (spf.offset_days, spf.text_en, spf.text_ru) == (
        2,
        "SPF 50 for two weeks.",
        "SPF 50 две недели.",
    )


def test_an_after_care_instruction_of_the_day_itself_waits_for_the_end(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    same_day = instruction("glycolic-peel", "after", 0, "No sauna tonight.")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 15))
    [row] = care_rows(appointment)
    assert row.kind == Kind.AFTERCARE
    assert row.due_at == appointment.end
    assert row.send_by is None
    assert row.context == {"instructions": [same_day.pk], "offset_days": 0}
    assert rendering.render(row) is None  # the session did not happen (not checked in)
