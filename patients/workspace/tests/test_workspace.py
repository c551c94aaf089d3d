"""The staff workspace: who sees which page, the schedule's actions through the booking
services, the review queue and its decisions, the day sheet, the dashboard, the closure panel."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from clinic.models import User
from clinic.tests.factories import ClosureFactory, PractitionerFactory, WorkingHoursFactory
from patients.models import Appointment, AuditEntry, ReviewDecision
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready
from patients.tests.workspace_helpers import appointment_row, book

pytestmark = pytest.mark.django_db

S = Appointment.Status


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow (booking_fixtures)."""


@pytest.fixture
def review(
    clinic_setup: Clinic, patient: User, django_capture_on_commit_callbacks: Any
) -> Appointment:
    """Alice's peel on Wednesday 10:00, pending review (pregnancy possible)."""
    ready(patient, "peel", pregnant="possibly")
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    mail.outbox.clear()
    assert appointment.status == S.PENDING_REVIEW
    return appointment


# --- who sees what ------------------------------------------------------------------------

ALL = ("anonymous", "patient", "receptionist", "practitioner", "manager")
PAGES: dict[str, set[str]] = {
    # page -> the roles that get it (everyone else: the admin login or 403)
    "calendar": {"receptionist", "manager"},
    "calendar-book": {"receptionist", "manager"},
    "unconfirmed": {"receptionist", "manager"},
    "appointment": {"receptionist", "practitioner", "manager"},
    "reviews": {"practitioner", "manager"},
    "review": {"practitioner", "manager"},
    "day-sheet": {"practitioner", "manager"},
    "dashboard": {"manager"},
    "appointment-list": {"receptionist", "practitioner", "manager"},
    "intake-list": {"practitioner", "manager"},
    "photo-list": {"practitioner", "manager"},
    "review-decisions": {"practitioner", "manager"},
    "audit-log": {"manager"},
    "closure-list": {"receptionist", "practitioner", "manager"},
}


def _url(name: str, appointment: Appointment) -> str:
    return {
        "calendar": reverse("workspace:calendar"),
        "calendar-book": reverse("workspace:calendar-book") + "?date=2026-06-03&time=10:00",
        "unconfirmed": reverse("workspace:unconfirmed"),
        "appointment": reverse("workspace:appointment", args=[appointment.pk]),
        "reviews": reverse("workspace:reviews"),
        "review": reverse("workspace:review", args=[appointment.pk]),
        "day-sheet": reverse("workspace:day-sheet"),
        "dashboard": reverse("workspace:dashboard"),
        "appointment-list": reverse("admin:patients_appointment_changelist"),
        "intake-list": reverse("admin:patients_intakeversion_changelist"),
        "photo-list": reverse("admin:patients_photo_changelist"),
        "review-decisions": reverse("admin:patients_reviewdecision_changelist"),
        "audit-log": reverse("admin:patients_auditentry_changelist"),
        "closure-list": reverse("admin:clinic_closure_changelist"),
    }[name]


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("role", ALL)
def test_each_role_sees_exactly_its_pages(
    client: Client, request: pytest.FixtureRequest, review: Appointment, page: str, role: str
) -> None:
    if role != "anonymous":
        user = request.getfixturevalue(role)
        client.force_login(user)
    response = client.get(_url(page, review))

    if role in PAGES[page]:
        assert response.status_code == 200
    elif role in ("anonymous", "patient"):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code in (403, 404)


def test_the_workspace_link_leads_each_role_to_its_first_page(
    client: Client, receptionist: User, practitioner: User, manager: User
) -> None:
    home = reverse("workspace:home")
    client.force_login(receptionist)
    assert client.get(home)["Location"] == reverse("workspace:calendar")
    client.force_login(practitioner)
    assert client.get(home)["Location"] == reverse("workspace:reviews")
    client.force_login(manager)
    assert reverse("workspace:home") in client.get(reverse("admin:index")).content.decode()


def test_roles_hold_exactly_their_health_data_permissions(
    receptionist: User, practitioner: User, manager: User
) -> None:
    assert not receptionist.has_perm("patients.view_intakeversion")
    assert not receptionist.has_perm("patients.view_photo")
    assert not receptionist.has_perm("patients.view_reviewdecision")
    assert receptionist.has_perm("patients.change_appointment")
    assert practitioner.has_perm("patients.view_intakeversion")
    assert practitioner.has_perm("patients.view_reviewdecision")
    assert not practitioner.has_perm("patients.view_auditentry")
    assert manager.has_perm("patients.view_auditentry")
    assert not manager.has_perm("patients.delete_appointment")
    assert not manager.has_perm("patients.add_appointment")


def test_auto_decline_is_scheduled_every_15_minutes() -> None:
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="patients.tasks.auto_decline_reviews")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (15, "minutes")


# --- the schedule -------------------------------------------------------------------------


@pytest.fixture
def desk(client: Client, receptionist: User) -> Client:
    client.force_login(receptionist)
    return client


def test_the_day_shows_appointments_hours_and_closures(
    desk: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel", pregnant="possibly")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    ClosureFactory(
        practitioner=clinic_setup.cosm,
        starts_on=WEDNESDAY,
        ends_on=WEDNESDAY,
        start_time=dt.time(14),
        end_time=dt.time(16),
        reason="Training",
    )

    response = desk.get(reverse("workspace:calendar"), {"date": "2026-06-03"})
    html = response.content.decode()
    grid = response.context["grid"]

    assert reverse("workspace:appointment", args=[appointment.pk]) in html
    assert "status-pending_review" in html
    assert "⚑" in html
    assert "Alice Archer" in html
    derm_column = [c.resource for c in grid.columns].index(clinic_setup.derm)
    cosm_column = [c.resource for c in grid.columns].index(clinic_setup.cosm)
    by_time = {row.time: row.cells for row in grid.rows}
    assert by_time[dt.time(10)][derm_column].kind == "appointment"
    assert by_time[dt.time(9)][derm_column].kind == "free"
    assert by_time[dt.time(18)][derm_column].kind == "off"  # open until 20:00, works until 18
    assert by_time[dt.time(14, 30)][cosm_column].kind == "closed"
    assert "date=2026-06-03&amp;time=09%3A00&amp;practitioner=" in html


def test_the_week_shows_one_room(desk: Client, clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))

    response = desk.get(
        reverse("workspace:calendar"),
        {"date": "2026-06-03", "view": "week", "by": "room", "resource": appointment.room_id},
    )

    grid = response.context["grid"]
    assert [c.day for c in grid.columns] == [dt.date(2026, 6, d) for d in range(1, 8)]
    assert {c.resource for c in grid.columns} == {appointment.room}
    assert reverse("workspace:appointment", args=[appointment.pk]) in response.content.decode()


def test_a_receptionist_books_from_a_free_cell_through_the_service(
    desk: Client, clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    ready(patient, "peel")
    url = (
        reverse("workspace:calendar-book")
        + f"?date=2026-06-03&time=11:00&practitioner={clinic_setup.derm.pk}&q=archer"
    )
    page = desk.get(url)
    assert page.context["patients"] == [patient.patient_profile]

    response = desk.post(
        url,
        {
            "patient": patient.patient_profile.pk,
            "procedure": "glycolic-peel",
            "date": "2026-06-03",
            "time": "11:00",
            "practitioner": clinic_setup.derm.pk,
        },
    )

    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.start == at(WEDNESDAY, 11)
    assert appointment.channel == Appointment.Channel.DESK
    assert appointment.created_by == receptionist
    assert appointment.status_changes.get().by == receptionist


def test_a_blocked_patient_cannot_be_booked_from_the_calendar(
    desk: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel", rosacea=True)

    response = desk.post(
        reverse("workspace:calendar-book") + "?date=2026-06-03&time=11:00",
        {
            "patient": patient.patient_profile.pk,
            "procedure": "glycolic-peel",
            "date": "2026-06-03",
            "time": "11:00",
        },
    )

    assert response.status_code == 422
    assert not Appointment.objects.exists()
    shown = [str(m) for m in response.context["messages"]]
    assert any("rosacea" in m.lower() for m in shown), shown


def test_the_schedule_offers_only_what_the_chosen_patient_may_have_that_day(
    desk: Client, clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    """A free cell: the patient first, then only the procedures screening allows them
    that day; the desk learns which are left out, never why (no rule, no answer)."""
    ready(patient, "peel", rosacea=True)
    ready(other_patient, "peel")
    cell = f"?date=2026-06-03&time=11:00&practitioner={clinic_setup.derm.pk}"

    several = desk.get(reverse("workspace:calendar-book") + cell + "&q=example")
    assert len(several.context["patients"]) == 2
    assert several.context["chosen"] is None
    assert 'name="procedure"' not in several.content.decode()  # nothing offered yet

    page = desk.get(
        reverse("workspace:calendar-book") + cell + f"&patient={patient.patient_profile.pk}"
    )
    offered = {procedure.slug for procedure in page.context["form"].fields["procedure"].queryset}
    left_out = {procedure.slug for procedure, _reasons in page.context["on_day"].left_out}
    assert "glycolic-peel" in left_out
    assert "glycolic-peel" not in offered
    assert "consultation" in offered
    body = page.content.decode()
    assert 'value="glycolic-peel"' not in body
    assert "ROSACEA" not in body
    assert "rosacea" not in body.lower()

    theirs = desk.get(
        reverse("workspace:calendar-book") + cell + f"&patient={other_patient.patient_profile.pk}"
    )
    offered = {procedure.slug for procedure in theirs.context["form"].fields["procedure"].queryset}
    assert "glycolic-peel" in offered


def test_a_move_into_an_occupied_slot_is_refused(
    desk: Client, clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    ready(patient, "peel")
    ready(other_patient, "peel")
    mine = book(patient, clinic_setup, at(WEDNESDAY, 10))
    book(other_patient, clinic_setup, at(WEDNESDAY, 12))

    response = desk.post(
        reverse("workspace:appointment-move", args=[mine.pk]),
        {"date": "2026-06-03", "time": "12:00", "practitioner": clinic_setup.derm.pk},
        follow=True,
    )

    mine.refresh_from_db()
    assert mine.start == at(WEDNESDAY, 10)
    assert mine.version == 0
    assert response.status_code == 200
    assert any("taken" in str(m).lower() for m in response.context["messages"])


def test_a_receptionist_moves_and_cancels_from_the_calendar(
    desk: Client, clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))

    moved = desk.post(
        reverse("workspace:appointment-move", args=[appointment.pk]),
        {"date": "2026-06-03", "time": "13:00", "practitioner": ""},
    )
    appointment.refresh_from_db()
    assert moved.status_code == 302
    assert appointment.start == at(WEDNESDAY, 13)
    assert appointment.version == 1

    cancelled = desk.post(
        reverse("workspace:appointment-cancel", args=[appointment.pk]),
        {"reason": "Patient phoned: ill"},
    )
    appointment.refresh_from_db()
    assert cancelled.status_code == 302
    assert appointment.status == S.CANCELLED
    assert appointment.status_changes.last().reason == "Patient phoned: ill"


def test_bad_move_input_is_a_message_not_a_500(
    desk: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))

    response = desk.post(
        reverse("workspace:appointment-move", args=[appointment.pk]),
        {"date": "not a date", "time": "13:00"},
        follow=True,
    )

    assert response.status_code == 200
    assert any("date" in str(m).lower() for m in response.context["messages"])


# --- the appointment list -----------------------------------------------------------------


def test_the_list_filters_and_searches(
    desk: Client, clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    today = appointment_row(patient, clinic_setup, at(dt.date(2026, 6, 1), 10))
    later = appointment_row(other_patient, clinic_setup, at(dt.date(2026, 6, 20), 10))
    url = reverse("admin:patients_appointment_changelist")

    assert list(desk.get(url, {"when": "today"}).context["cl"].result_list) == [today]
    assert list(desk.get(url, {"q": "baker"}).context["cl"].result_list) == [later]
    assert list(desk.get(url, {"q": "222-22"}).context["cl"].result_list) == [later]
    assert list(desk.get(url, {"status": "confirmed"}).context["cl"].result_list) == [today, later]


def test_list_actions_go_through_the_services_and_report_each_failure(
    desk: Client, clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    today = appointment_row(patient, clinic_setup, at(dt.date(2026, 6, 1), 10))
    later = appointment_row(other_patient, clinic_setup, at(dt.date(2026, 6, 20), 10))
    url = reverse("admin:patients_appointment_changelist")

    response = desk.post(
        url,
        {
            "action": "check_in_selected",
            "_selected_action": [today.pk, later.pk],
            "confirm": "1",
            "nothing_changed": "1",
        },
        follow=True,
    )

    today.refresh_from_db()
    later.refresh_from_db()
    assert today.status == S.CHECKED_IN
    assert later.status == S.CONFIRMED
    shown = [str(m) for m in response.context["messages"]]
    assert any("only on the day" in m for m in shown), shown
    assert any("1 checked in" in m for m in shown), shown


def test_cancel_asks_for_a_reason_first(desk: Client, clinic_setup: Clinic, patient: User) -> None:
    appointment = appointment_row(patient, clinic_setup, at(dt.date(2026, 6, 20), 10))
    url = reverse("admin:patients_appointment_changelist")

    asked = desk.post(url, {"action": "cancel_selected", "_selected_action": [appointment.pk]})
    assert asked.status_code == 200
    assert "reason" in asked.content.decode().lower()
    appointment.refresh_from_db()
    assert appointment.status == S.CONFIRMED

    desk.post(
        url,
        {
            "action": "cancel_selected",
            "_selected_action": [appointment.pk],
            "confirm": "1",
            "reason": "Clinic closed for repairs",
        },
    )
    appointment.refresh_from_db()
    assert appointment.status == S.CANCELLED
    assert appointment.reason == "Clinic closed for repairs"


@pytest.mark.parametrize(
    ("action", "asks"),
    [
        ("cancel_selected", 'name="reason"'),
        ("check_in_selected", 'name="nothing_changed"'),
    ],
)
def test_an_action_confirms_the_selected_appointments_first(
    desk: Client, clinic_setup: Clinic, patient: User, action: str, asks: str
) -> None:
    appointment = appointment_row(patient, clinic_setup, at(dt.date(2026, 6, 20), 10))
    url = reverse("admin:patients_appointment_changelist")

    page = desk.post(url, {"action": action, "_selected_action": [appointment.pk]})

    html = page.content.decode()
    assert page.status_code == 200
    assert f'name="action" value="{action}"' in html
    assert f'name="_selected_action" value="{appointment.pk}"' in html
    assert 'name="confirm" value="1"' in html
    assert asks in html
    appointment.refresh_from_db()
    assert appointment.status == S.CONFIRMED


def test_the_list_makes_the_same_queries_for_1_and_50_rows(
    desk: Client,
    clinic_setup: Clinic,
    patient: User,
    django_assert_num_queries: Any,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:patients_appointment_changelist")
    appointment_row(patient, clinic_setup, at(dt.date(2026, 6, 2), 9))
    with CaptureQueriesContext(connection) as one:
        assert desk.get(url).status_code == 200
    for n in range(49):
        appointment_row(patient, clinic_setup, at(dt.date(2026, 6, 3) + dt.timedelta(days=n), 9))
    with django_assert_num_queries(len(one)):
        assert desk.get(url).status_code == 200


def test_the_calendar_and_dashboard_make_the_same_queries_for_1_and_50_rows(
    client: Client,
    manager: User,
    clinic_setup: Clinic,
    patient: User,
    django_assert_num_queries: Any,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(manager)
    urls = [
        reverse("workspace:calendar") + "?date=2026-06-01&view=week&by=practitioner",
        reverse("workspace:dashboard"),
        reverse("workspace:reviews"),
    ]
    appointment_row(
        patient,
        clinic_setup,
        at(dt.date(2026, 6, 1), 9),
        status=S.PENDING_REVIEW,
        flags=["HERPES_HISTORY"],
    )
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as one:
            assert client.get(url).status_code == 200
        counts.append(len(one))
    # Slot 0 (1 June, 09:00) is taken above; the exclusion constraints on PostgreSQL
    # refuse any overlap, so the 49 others take slots 1..49 of the week's grid.
    for n in range(1, 50):
        day = dt.date(2026, 6, 1) + dt.timedelta(days=n % 7)
        appointment_row(
            patient,
            clinic_setup,
            at(day, 9 + n // 7, 0),
            status=S.PENDING_REVIEW,
            flags=["HERPES_HISTORY"],
        )
    for url, count in zip(urls, counts, strict=True):
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200


# --- closures -----------------------------------------------------------------------------


def test_a_closure_lists_the_appointments_it_hits(
    client: Client, manager: User, clinic_setup: Clinic, patient: User
) -> None:
    appointment = appointment_row(patient, clinic_setup, at(WEDNESDAY, 10))
    appointment_row(patient, clinic_setup, at(dt.date(2026, 6, 4), 10))  # the next day
    closure = ClosureFactory(
        practitioner=clinic_setup.derm, starts_on=WEDNESDAY, ends_on=WEDNESDAY, reason="Sick"
    )
    client.force_login(manager)

    page = client.get(reverse("admin:clinic_closure_change", args=[closure.pk]))

    html = page.content.decode()
    assert reverse("workspace:appointment", args=[appointment.pk]) in html
    assert html.count("/admin/workspace/appointments/") == 1


# --- reviews ------------------------------------------------------------------------------


@pytest.fixture
def clinician(client: Client, practitioner: User) -> Client:
    client.force_login(practitioner)
    return client


def test_the_queue_shows_codes_and_clinical_sentences_and_highlights_old_ones(
    clinician: Client, review: Appointment, clinic_setup: Clinic, other_patient: User
) -> None:
    old = appointment_row(
        other_patient,
        clinic_setup,
        at(dt.date(2026, 6, 10), 10),
        status=S.PENDING_REVIEW,
        flags=["HERPES_HISTORY"],
    )
    Appointment.objects.filter(pk=old.pk).update(
        created_at=review.created_at - dt.timedelta(hours=49)
    )

    response = clinician.get(reverse("workspace:reviews"))

    html = response.content.decode()
    assert "PREGNANCY_POSSIBLE" in html
    assert "HERPES_HISTORY" in html
    rows = {row["appointment"].pk: row["overdue"] for row in response.context["rows"]}
    assert rows == {old.pk: True, review.pk: False}
    assert html.count("review-overdue") == 1


def test_the_review_shows_only_the_answers_the_rules_read_and_is_audited(
    clinician: Client, review: Appointment, practitioner: User
) -> None:
    from procedures.rules import RULES

    response = clinician.get(reverse("workspace:review", args=[review.pk]))

    keys = [key for key, _question, _answer in response.context["answers"]]
    assert keys == list(RULES["PREGNANCY_POSSIBLE"].keys)
    assert "rosacea" not in keys
    entry = AuditEntry.objects.get(actor=practitioner)
    assert entry.action == AuditEntry.Action.VIEW_INTAKE
    assert entry.patient == review.patient


def test_the_photos_on_a_review_are_audited(
    clinician: Client,
    review: Appointment,
    practitioner: User,
    patient: User,
    add_photo: Any,
) -> None:
    photo = add_photo(patient)

    response = clinician.get(reverse("workspace:review", args=[review.pk]))

    assert reverse("patients:photo-file", args=[photo.uuid, "thumb"]) in response.content.decode()
    actions = set(AuditEntry.objects.filter(actor=practitioner).values_list("action", flat=True))
    assert actions == {AuditEntry.Action.VIEW_INTAKE, AuditEntry.Action.VIEW_PHOTOS}


def test_approving_confirms_records_and_tells_the_patient(
    clinician: Client,
    review: Appointment,
    practitioner: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = clinician.post(
            reverse("workspace:review", args=[review.pk]),
            {"decision": "approve", "note": "Bring your scan results."},
        )

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == S.CONFIRMED
    assert review.note_to_patient == "Bring your scan results."
    decision = ReviewDecision.objects.get()
    assert (decision.kind, decision.by, decision.reason) == (
        ReviewDecision.Kind.APPROVED_WITH_NOTE,
        practitioner,
        "Bring your scan results.",
    )
    assert decision.flags == ["PREGNANCY_POSSIBLE"]
    assert len(mail.outbox) == 1
    assert "Bring your scan results." in mail.outbox[0].body


def test_declining_needs_a_reason_and_frees_the_slot(
    clinician: Client, review: Appointment, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("workspace:review", args=[review.pk])
    refused = clinician.post(url, {"decision": "decline", "note": ""})
    assert refused.status_code == 400
    review.refresh_from_db()
    assert review.status == S.PENDING_REVIEW

    with django_capture_on_commit_callbacks(execute=True):
        clinician.post(url, {"decision": "decline", "note": "Not while pregnancy is possible."})

    review.refresh_from_db()
    assert review.status == S.DECLINED
    assert ReviewDecision.objects.get().kind == ReviewDecision.Kind.DECLINED
    assert "Not while pregnancy is possible." in mail.outbox[0].body
    assert "consultation" in mail.outbox[0].body


def test_asking_for_an_intake_update_keeps_the_booking_pending(
    clinician: Client,
    review: Appointment,
    practitioner: User,
    patient: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        clinician.post(
            reverse("workspace:review", args=[review.pk]),
            {"decision": "intake_update", "note": "Has anything changed?"},
        )

    review.refresh_from_db()
    assert review.status == S.PENDING_REVIEW
    decision = ReviewDecision.objects.get()
    assert (decision.kind, decision.by) == (ReviewDecision.Kind.INTAKE_UPDATE, practitioner)
    assert mail.outbox[0].to == [patient.email]
    assert reverse("patients:intake") in mail.outbox[0].body
    assert "Has anything changed?" in mail.outbox[0].body


def test_a_receptionist_cannot_decide(desk: Client, review: Appointment) -> None:
    response = desk.post(
        reverse("workspace:review", args=[review.pk]), {"decision": "approve", "note": ""}
    )
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.status == S.PENDING_REVIEW


def test_auto_decline_declines_reviews_pending_24_hours_before_their_slot(
    review: Appointment, django_capture_on_commit_callbacks: Any
) -> None:
    import time_machine

    from patients.booking.services.reviews import auto_decline_overdue_reviews
    from patients.booking.tasks import auto_decline_reviews

    # Wednesday 10:00; 24 hours before is Tuesday 10:00.
    with time_machine.travel(at(dt.date(2026, 6, 2), 9, 59), tick=False):
        assert auto_decline_reviews() == []
    review.refresh_from_db()
    assert review.status == S.PENDING_REVIEW

    with (
        time_machine.travel(at(dt.date(2026, 6, 2), 10, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        declined = auto_decline_overdue_reviews(now=at(dt.date(2026, 6, 2), 10, 0))

    assert declined == [review.pk]
    review.refresh_from_db()
    assert review.status == S.DECLINED
    change = review.status_changes.last()
    assert (change.to_status, change.by) == (S.DECLINED, None)
    decision = ReviewDecision.objects.get()
    assert (decision.kind, decision.by) == (ReviewDecision.Kind.AUTO_DECLINED, None)
    assert len(mail.outbox) == 1
    assert "could not review your answers in time" in mail.outbox[0].body


# --- the day sheet and the dashboard ------------------------------------------------------


def test_the_day_sheet_lists_the_practitioners_patients_with_precare(
    client: Client, practitioner: User, clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    mine = PractitionerFactory(user=practitioner, roles=["derm"])
    for weekday in range(7):
        WorkingHoursFactory(practitioner=mine, weekday=weekday, start=dt.time(9), end=dt.time(18))
    ready(patient, "peel")
    ready(other_patient, "peel")
    second = book(other_patient, clinic_setup, at(WEDNESDAY, 14), practitioner=mine)
    first = book(patient, clinic_setup, at(WEDNESDAY, 10), practitioner=mine)
    appointment_row(patient, clinic_setup, at(WEDNESDAY, 16))  # Dmitry's, not mine
    client.force_login(practitioner)

    response = client.get(reverse("workspace:day-sheet"), {"date": "2026-06-03"})

    rows = response.context["rows"]
    assert [row["appointment"] for row in rows] == [first, second]
    html = response.content.decode()
    procedure = clinic_setup.procedure("glycolic-peel")
    assert f"session 1 of {procedure.sessions_max}" in html
    assert str(procedure.precare.splitlines()[0]) in html
    assert reverse("patients:staff-photos", args=[patient.patient_profile.pk]) in html


def test_the_dashboard_draws_charts_with_the_numbers(
    client: Client, manager: User, clinic_setup: Clinic, patient: User
) -> None:
    appointment_row(patient, clinic_setup, at(dt.date(2026, 5, 27), 10), status=S.COMPLETED)
    appointment_row(patient, clinic_setup, at(dt.date(2026, 5, 28), 10), status=S.NO_SHOW)
    client.force_login(manager)

    response = client.get(reverse("workspace:dashboard"))

    html = response.content.decode()
    assert response.context["no_show_rate"] == 50.0
    assert "<svg" in html
    assert " style=" not in html.split("<svg", 1)[1]
    derm = next(
        bar
        for bar in response.context["practitioner_utilisation"]
        if bar.label == str(clinic_setup.derm)
    )
    # Two 1-hour-ish sessions over four weeks of 9-hour days.
    assert derm.value > 0
    assert "Glycolic" in html or "glycolic" in html.lower()


def test_a_declined_booking_releases_its_slot(
    clinician: Client, review: Appointment, clinic_setup: Clinic
) -> None:
    from patients.booking.selectors import free_slots_for

    def free() -> set[dt.datetime]:
        slots = free_slots_for(
            clinic_setup.procedure("glycolic-peel"),
            start_date=WEDNESDAY,
            days=1,
            practitioner=clinic_setup.derm,
        )
        return {slot.start for slot in slots}

    assert at(WEDNESDAY, 10) not in free()
    clinician.post(
        reverse("workspace:review", args=[review.pk]),
        {"decision": "decline", "note": "A consultation first."},
    )
    assert at(WEDNESDAY, 10) in free()


def test_a_manager_picks_the_practitioner_of_the_day_sheet(
    client: Client, manager: User, clinic_setup: Clinic, patient: User
) -> None:
    appointment = appointment_row(patient, clinic_setup, at(WEDNESDAY, 10))
    client.force_login(manager)

    own = client.get(reverse("workspace:day-sheet"), {"date": "2026-06-03"})
    picked = client.get(
        reverse("workspace:day-sheet"),
        {"date": "2026-06-03", "practitioner": clinic_setup.derm.pk},
    )

    assert own.context["rows"] == []  # the manager is not a practitioner
    assert [row["appointment"] for row in picked.context["rows"]] == [appointment]


def test_a_practitioner_cannot_pick_someone_elses_day_sheet(
    clinician: Client, clinic_setup: Clinic, patient: User
) -> None:
    appointment_row(patient, clinic_setup, at(WEDNESDAY, 10))

    response = clinician.get(
        reverse("workspace:day-sheet"),
        {"date": "2026-06-03", "practitioner": clinic_setup.derm.pk},
    )

    assert response.context["rows"] == []
