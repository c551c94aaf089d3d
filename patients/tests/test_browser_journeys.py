"""A patient's whole journey in a real browser, as people do it: register, confirm the
e-mail from the message, fill the intake, see the screened catalogue, book a peel course
from the procedure's page, get the confirmation with an .ics (and download one), move
one session, cancel another.

The clock is not pinned (the browser keeps its own clock for cookies); the test clinic is
open every day, so the days ahead always have free times. The first session is two days
ahead: every session stays more than the 24 hours ahead before which a patient may still
move or cancel online.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from icalendar import Calendar

from clinic.availability import Policy
from clinic.tests.browser import answer_the_intake_choices, field, log_in_with_the_form
from patients.models import Appointment, IntakeVersion
from patients.tests.booking_fixtures import Clinic

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migrated_data"),
]

PEEL = "Glycolic acid peel (superficial)"
EMAIL = "nina@example.test"


def calendar_events(ics: bytes) -> list[Any]:
    """The VEVENTs of an .ics file (parsing fails on a broken file)."""
    return list(Calendar.from_ical(ics).walk("VEVENT"))


def ics_attachments(message: Any) -> list[bytes]:
    found = []
    for attachment in message.attachments:
        if isinstance(attachment, tuple):  # (filename, content, mimetype)
            name, content, mimetype = attachment
        else:  # a MIME part
            name, content, mimetype = (
                attachment.get_filename(),
                attachment.get_payload(decode=True),
                attachment.get_content_type(),
            )
        if mimetype.startswith("text/calendar") or str(name).endswith(".ics"):
            found.append(content.encode() if isinstance(content, str) else content)
    return found


def register_and_confirm(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/accounts/register/")
    field(page, "email").fill(EMAIL)
    field(page, "password1").fill("a-long-unusual-passphrase-42")
    field(page, "password2").fill("a-long-unusual-passphrase-42")
    field(page, "first_name").fill("Nina")
    field(page, "last_name").fill("Novak")
    field(page, "phone").fill("+7 900 555-55-55")
    field(page, "date_of_birth").fill("1990-03-12")
    field(page, "preferred_language").select_option("en")
    field(page, "consent_full_name").fill("Nina Novak")
    field(page, "consent_ticked").check()
    page.get_by_role("button", name="Create my account").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()

    # The test process sends inline (OUTBOX_DELIVERY=inline) into the locmem outbox.
    [message] = [m for m in mail.outbox if m.to == [EMAIL]]
    link = re.search(r"http://\S+/accounts/verify/\S+/", message.body).group(0)
    page.goto(link)
    page.get_by_text("your e-mail address is confirmed").wait_for()
    # Registering signs nobody in (issue #21): the link leads to the login page.
    log_in_with_the_form(page, EMAIL, "a-long-unusual-passphrase-42")


def fill_the_intake(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/me/intake/")
    answer_the_intake_choices(page)
    page.locator('input[name="scar_types"][value="rolling"]').check()
    page.get_by_role("button", name="Save my answers").click()


def test_a_patient_registers_books_a_peel_course_moves_one_session_and_cancels_another(
    page: Any, live_server: Any, clinic_setup: Clinic, tmp_path: Path
) -> None:
    first_day = dt.datetime.now(Policy.from_settings().zone).date() + dt.timedelta(days=2)

    register_and_confirm(page, live_server)
    fill_the_intake(page, live_server)

    # The screened catalogue: the peel suits her.
    page.get_by_role("heading", name="Treatments for me").wait_for()
    assert "Suitable" in page.locator(".list-group-item", has_text=PEEL).inner_text()
    assert IntakeVersion.objects.filter(patient__user__email=EMAIL).count() == 1

    # From the procedure's page to a time, signing the peel consent on the way.
    page.goto(f"{live_server.url}/procedures/glycolic-peel/")
    page.get_by_role("link", name="Book this procedure").click()
    page.get_by_role("heading", name=PEEL).wait_for()
    page.locator('[name="date"]').first.fill(first_day.isoformat())
    page.locator('[name="days"]').select_option("1")
    page.get_by_role("button", name="Show free times").click()
    page.wait_for_url(f"**date={first_day.isoformat()}**")
    page.locator("a.slot").first.click()
    page.get_by_role("heading", name="Consent to a chemical peel").wait_for()
    field(page, "full_name").fill("Nina Novak")
    field(page, "ticked").check()
    page.get_by_role("button", name="Sign").click()
    page.get_by_role("heading", name="Confirm your booking").wait_for()

    # The whole course from this time: three sessions, each in its window.
    page.get_by_role("link", name="Book the whole course from this time").click()
    page.get_by_label("Number of sessions").select_option("3")
    page.get_by_role("button", name="Propose the sessions").click()
    expect_rows = page.locator(".course-proposal tbody tr")
    expect_rows.nth(2).wait_for()
    assert expect_rows.count() == 3
    mail.outbox.clear()
    page.get_by_role("button", name="Book all 3 sessions").click()
    page.get_by_text("Your course is booked: 3 sessions.").wait_for()

    sessions = list(Appointment.objects.filter(patient__user__email=EMAIL).order_by("start"))
    assert [s.status for s in sessions] == [Appointment.Status.CONFIRMED] * 3
    assert sessions[0].start.astimezone(Policy.from_settings().zone).date() == first_day
    assert (sessions[1].start - sessions[0].start).days >= 14

    # The confirmations carry .ics files for her calendar, one event per session.
    starts = {
        event.decoded("dtstart")
        for message in mail.outbox
        if message.to == [EMAIL]
        for ics in ics_attachments(message)
        for event in calendar_events(ics)
    }
    assert starts == {s.start for s in sessions}

    # The appointment's page offers the same file to download.
    page.goto(f"{live_server.url}/me/appointments/{sessions[0].pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    [event] = calendar_events(path.read_bytes())
    assert event.decoded("dtstart") == sessions[0].start
    assert PEEL in str(event["summary"])

    # Move the third session to another free time on its day.
    page.goto(f"{live_server.url}/me/appointments/")
    upcoming = page.locator(".upcoming-appointments > li")
    assert upcoming.count() == 3
    upcoming.nth(2).get_by_role("link", name=f"Move {PEEL}").click()
    page.get_by_role("heading", name="Move the appointment").wait_for()
    old = sessions[2].start.astimezone(Policy.from_settings().zone)
    page.locator('[name="date"]').first.fill(old.date().isoformat())
    page.locator('[name="days"]').select_option("1")
    page.get_by_role("button", name="Show free times").click()
    page.wait_for_url(f"**date={old.date().isoformat()}**")
    page.locator("a.slot").filter(has_not_text=old.strftime("%H:%M")).last.click()
    page.get_by_role("button", name="Move to this time").click()
    page.get_by_text("Your appointment is moved.").wait_for()
    sessions[2].refresh_from_db()
    assert sessions[2].start != old
    assert sessions[2].start.astimezone(old.tzinfo).date() == old.date()
    assert sessions[2].version == 1
    assert sessions[2].status == Appointment.Status.CONFIRMED

    # Cancel the second session.
    page.goto(f"{live_server.url}/me/appointments/")
    page.locator(".upcoming-appointments > li").nth(1).get_by_role(
        "link", name=f"Cancel {PEEL}"
    ).click()
    page.get_by_role("heading", name="Cancel the appointment").wait_for()
    field(page, "reason").fill("A work trip")
    page.get_by_role("button", name="Cancel the appointment").click()
    page.get_by_text("Your appointment is cancelled.").wait_for()
    sessions[1].refresh_from_db()
    assert sessions[1].status == Appointment.Status.CANCELLED
    assert page.locator(".upcoming-appointments > li").count() == 2

    # She is told of each change by e-mail.
    subjects = [m.subject for m in mail.outbox if m.to == [EMAIL]]
    assert any("moved" in s.lower() for s in subjects), subjects
    assert any("cancel" in s.lower() for s in subjects), subjects
