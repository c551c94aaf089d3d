"""In a real browser: the patient opens "Messages" from their account, in Russian, and sees
what was sent; the desk sees the same on the patient's page, with a bounced address marked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from clinic.models import User
from clinic.tests.browser import accessibility_problems, sign_in
from patients.models import OutboxMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Kind = OutboxMessage.Kind
State = OutboxMessage.State


def test_a_patient_finds_their_messages_and_the_desk_sees_the_bounce(
    page: Any, live_server: Any, patient: User, other_patient: User, receptionist: User
) -> None:
    sent = dt.datetime(2026, 5, 20, 9, 0, tzinfo=dt.UTC)
    OutboxMessage.objects.create(
        kind=Kind.APPOINTMENT_REMINDER,
        channel=OutboxMessage.Channel.SMS,
        patient=patient.patient_profile,
        due_at=sent,
        sent_at=sent,
        state=State.DELIVERED,
        dedupe_key="reminder",
    )
    OutboxMessage.objects.create(
        kind=Kind.RECALL,
        patient=patient.patient_profile,
        due_at=sent,
        sent_at=sent,
        state=State.BOUNCED,
        dedupe_key="recall",
    )
    OutboxMessage.objects.create(
        kind=Kind.LOT_RECALL,
        patient=other_patient.patient_profile,
        due_at=sent,
        dedupe_key="bob",
    )
    profile = patient.patient_profile
    profile.email_bounced_at = sent
    profile.save(update_fields=["email_bounced_at"])

    sign_in(page, live_server, patient, language="ru")
    page.goto(f"{live_server.url}/me/")
    page.get_by_role("navigation").get_by_role("link", name="Сообщения").click()
    page.get_by_role("heading", name="Сообщения").wait_for()
    rows = page.locator("tbody tr")
    assert rows.count() == 2
    assert "Доставлено" in page.locator('tr[data-state="delivered"]').inner_text()
    assert page.locator('tr[data-state="bounced"]').count() == 1
    assert accessibility_problems(page) == ""

    desk = page.context.browser.new_context()
    staff_page = desk.new_page()
    sign_in(staff_page, live_server, receptionist)
    staff_page.goto(f"{live_server.url}/staff/patients/{profile.pk}/")
    assert staff_page.locator("[data-email-bounced]").is_visible()
    staff_page.get_by_role("link", name="Messages").click()
    staff_page.locator("tbody tr").first.wait_for()
    assert staff_page.locator("tbody tr").count() == 2
    staff_page.get_by_role("button", name="The address works again").click()
    staff_page.get_by_text("The e-mail address is marked as working again.").wait_for()
    assert staff_page.locator("[data-email-bounced]").count() == 0
    desk.close()
