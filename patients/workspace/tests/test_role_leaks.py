"""The role-leak walk (issue #21): every admin and workspace page, and every list filter,
as each role, over a clinic with flagged, declined and reviewed bookings.

The portal's rule: receptionists see that a booking was flagged, never why; a patient
reads the patient's sentences of their own screening, never the rule codes, the
clinical sentences or a practitioner's clinical note. The walk fails when a rule code,
a clinical sentence, an intake answer or a clinical note reaches a role that may not
see it. It finds the pages itself (the URL patterns, the admin's registry, the filter
links on each list), so a page added later is walked too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from html import unescape
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from clinic.models import User
from patients.booking.services import approve_booking_review, decline_booking_review
from patients.models import Appointment, PatientProfile
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready
from patients.tests.factories import make_patient
from patients.tests.workspace_helpers import book
from procedures.intake_data import QUESTIONS
from procedures.rules_data import RULES

pytestmark = pytest.mark.django_db

S = Appointment.Status
CLINICAL_NOTE = "herpes flare last week, on warfarin"
APPROVAL_NOTE = "cleared after a call: old cold sore only, no flare since March"
DESK_REASON = "Please come to a consultation first"


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow (booking_fixtures)."""


@pytest.fixture
def seeded(
    clinic_setup: Clinic,
    patient: User,
    practitioner: User,
    django_capture_on_commit_callbacks: Any,
) -> dict[str, Any]:
    """Alice flagged (pending review), Bob declined, Carol approved: all with health flags."""
    bob = make_patient(email="bob@example.test", first_name="Bob")
    carol = make_patient(email="carol@example.test", first_name="Carol")
    flagged_intake = {"herpes_history": True, "blood_thinners": True}
    for person in (patient, bob, carol):
        ready(person, "peel", **flagged_intake)
    with django_capture_on_commit_callbacks(execute=True):
        pending = book(patient, clinic_setup, at(WEDNESDAY, 10))
        declined = book(bob, clinic_setup, at(WEDNESDAY, 12))
        approved = book(carol, clinic_setup, at(WEDNESDAY, 14))
        decline_booking_review(
            appointment=declined, by=practitioner, reason=DESK_REASON, clinical_note=CLINICAL_NOTE
        )
        approve_booking_review(
            appointment=approved, by=practitioner, note="", clinical_note=APPROVAL_NOTE
        )
    mail.outbox.clear()
    for appointment in (pending, declined, approved):
        assert appointment.screening_flags, "the walk needs flagged bookings"
    codes = sorted({code for a in (pending, declined, approved) for code in a.screening_flags})
    return {
        "appointments": [pending, declined, approved],
        "codes": codes,
        "clinic": clinic_setup,
    }


def _secrets(codes: list[str]) -> dict[str, list[str]]:
    """What may not leak, by kind, in English (the staff's and Alice's language)."""
    with translation.override("en"):
        keys = {key for code in codes for key in RULES[code].keys}
        return {
            "rule code": list(codes),
            "clinical sentence": [str(RULES[code].clinical_message) for code in codes],
            "intake answer": [str(QUESTIONS[key].label) for key in keys if key in QUESTIONS],
            "clinical note": [CLINICAL_NOTE, APPROVAL_NOTE],
        }


# What each role may read: patients their own intake answers (their questionnaire),
# receptionists none of it, clinicians all of it.
FORBIDDEN = {
    "patient": ("rule code", "clinical sentence", "clinical note"),
    "receptionist": ("rule code", "clinical sentence", "intake answer", "clinical note"),
}


def _text(response: Any) -> str:
    body = response.content.decode(errors="replace")
    return unescape(body)


def _leaks(body: str, secrets: dict[str, list[str]], kinds: tuple[str, ...]) -> list[str]:
    found = []
    for kind in kinds:
        for secret in secrets[kind]:
            pattern = rf"(?<![A-Z_]){re.escape(secret)}(?![A-Z_])" if kind == "rule code" else None
            hit = re.search(pattern, body) if pattern else secret in body
            if hit:
                found.append(f"{kind}: {secret!r}")
    return found


# The public catalogue says which rules each procedure has (the same page for everyone,
# about no one): rule codes there are no one's health data.
PUBLIC_CATALOGUE = ("/procedures/", "/api/v1/procedures/", "/api/v1/schema/", "/api/v1/docs/")
CATALOGUE_APPS = ("procedures", "django_celery_beat", "auth", "otp_totp")


def _site_urls(seeded: dict[str, Any]) -> Iterator[str]:
    """Every GET page of the site outside the admin's model pages, with each object's id."""
    appointment_ids = [a.pk for a in seeded["appointments"]]
    patient_ids = list(PatientProfile.objects.values_list("pk", flat=True))
    day = f"?date={WEDNESDAY:%Y-%m-%d}"
    values = {"appointment_id": appointment_ids, "patient_id": patient_ids}

    def walk(resolver: URLResolver, prefix: str) -> Iterator[tuple[str, URLPattern]]:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                yield from walk(pattern, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern

    for route, _pattern in walk(get_resolver(), "/"):
        if route.startswith(PUBLIC_CATALOGUE):
            continue
        names = re.findall(r"<(?:\w+:)?(\w+)>", route)
        if route.startswith("/me/appointments/") or route.startswith("/api/v1/appointments/"):
            names = ["appointment_id" if n == "pk" else n for n in names]
        if any(name not in values for name in names) or len(names) > 1:
            continue
        if not names:
            url = re.sub(r"\^|\$", "", route)
            yield url
            if route.startswith("/admin/"):
                yield url + day
            continue
        for value in values[names[0]]:
            yield re.sub(r"<(?:\w+:)?\w+>", str(value), route)


def _admin_urls(client: Client) -> Iterator[str]:
    """Each model's list, every filter link on it, and the change page of each row."""
    yield reverse("admin:index")
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if opts.app_label in CATALOGUE_APPS:
            continue
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(changelist)
        if response.status_code != 200:
            continue
        yield changelist
        for query in set(re.findall(r'href="(\?[^"]*)"', response.content.decode())):
            yield changelist + unescape(query)
        for pk in model_admin.get_queryset(response.wsgi_request).values_list("pk", flat=True)[:20]:
            yield reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])


@pytest.mark.parametrize("role", ["patient", "receptionist", "practitioner", "manager"])
def test_no_health_data_reaches_a_role_that_may_not_see_it(
    client: Client, request: pytest.FixtureRequest, seeded: dict[str, Any], role: str
) -> None:
    user = request.getfixturevalue(role)
    user.preferred_language = "en"
    user.save()
    client.force_login(user)
    secrets = _secrets(seeded["codes"])
    kinds = FORBIDDEN.get(role, ())
    walked = 0
    leaks: dict[str, list[str]] = {}
    seen_any: set[str] = set()
    urls = list(dict.fromkeys([*_site_urls(seeded), *_admin_urls(client)]))
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        if response.status_code != 200 or response.get("Content-Type", "").startswith("image/"):
            continue
        walked += 1
        body = _text(response)
        found = _leaks(body, secrets, kinds)
        if found:
            leaks[url] = found
        seen_any.update(_leaks(body, secrets, tuple(secrets)))
    assert walked > 10
    assert not leaks, leaks
    if role in ("practitioner", "manager"):
        # The walk can see: clinicians do get every kind of secret somewhere.
        assert {item.split(":")[0] for item in seen_any} == set(secrets)


HEALTH_LOOKUPS = [
    "screening_flags__icontains=HERPES",
    "screening_flags__contains=HERPES",
    "screening_flags=%5B%5D",
    "intake_version__isnull=False",
    "intake_version__answers__icontains=true",
    "reason__icontains=warfarin",
    "review_decisions__note__icontains=warfarin",
    "patient__intake_versions__answers__icontains=herpes",
]


@pytest.mark.parametrize("lookup", HEALTH_LOOKUPS)
def test_the_appointment_list_is_no_oracle_for_the_desk(
    client: Client, receptionist: User, seeded: dict[str, Any], lookup: str
) -> None:
    client.force_login(receptionist)
    url = reverse("admin:patients_appointment_changelist") + "?" + lookup
    response = client.get(url)
    assert response.status_code == 400
    assert "HERPES" not in response.content.decode()


def test_the_list_filters_still_work_for_the_desk(
    client: Client, receptionist: User, seeded: dict[str, Any]
) -> None:
    client.force_login(receptionist)
    changelist = reverse("admin:patients_appointment_changelist")
    for query in ("?status__exact=declined", "?when=today", "?start__year=2026", "?q=Bob"):
        assert client.get(changelist + query).status_code == 200, query
    page = client.get(changelist + "?status__exact=declined").content.decode()
    assert "Bob" in page
    assert "Alice" not in page


def test_a_clinician_may_still_filter_on_the_flags(
    client: Client, practitioner: User, seeded: dict[str, Any]
) -> None:
    client.force_login(practitioner)
    response = client.get(reverse("admin:patients_appointment_changelist"))
    assert response.status_code == 200
    detail = client.get(
        reverse("admin:patients_appointment_change", args=[seeded["appointments"][0].pk])
    )
    assert seeded["codes"][0] in detail.content.decode()


def test_the_decision_form_keeps_the_clinical_note_apart(
    client: Client, practitioner: User, receptionist: User, seeded: dict[str, Any]
) -> None:
    pending = seeded["appointments"][0]
    client.force_login(practitioner)
    form = client.get(reverse("workspace:review", args=[pending.pk])).content.decode()
    assert 'name="clinical_note"' in form
    assert 'name="note"' in form
    response = client.post(
        reverse("workspace:review", args=[pending.pk]),
        {"decision": "decline", "note": "Book a consultation", "clinical_note": "INR 3.4 today"},
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    decision = pending.review_decisions.get()
    assert (decision.reason, decision.note) == ("Book a consultation", "INR 3.4 today")
    assert pending.reason == "Book a consultation"
    assert "INR" not in " ".join(pending.status_changes.values_list("reason", flat=True))
    client.force_login(receptionist)
    page = client.get(reverse("workspace:appointment", args=[pending.pk])).content.decode()
    assert "Book a consultation" in page
    assert "INR 3.4" not in page


def test_notes_written_before_the_split_stay_clinical(
    seeded: dict[str, Any], practitioner: User
) -> None:
    """The data migration: an old decline's note stays clinical; the desk's copies go."""
    declined = seeded["appointments"][1]
    decision = declined.review_decisions.get()
    # As before the split: one text, copied to the appointment and its history.
    decision.reason = ""
    decision.note = CLINICAL_NOTE
    decision.save()
    declined.reason = CLINICAL_NOTE
    declined.save()
    declined.status_changes.filter(to_status=S.DECLINED).update(reason=CLINICAL_NOTE)

    import_module("patients.migrations.0016_review_notes_stay_clinical").keep_notes_clinical(
        apps, None
    )

    declined.refresh_from_db()
    decision.refresh_from_db()
    assert decision.note == CLINICAL_NOTE
    assert CLINICAL_NOTE not in declined.reason
    assert CLINICAL_NOTE not in " ".join(declined.status_changes.values_list("reason", flat=True))
