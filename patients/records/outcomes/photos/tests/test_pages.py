"""The capture page (ghost overlay, upload), and comparisons for the patient and for staff."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import User
from patients.models import Appointment, AuditEntry, Photo
from patients.records.outcomes.photos.selectors import (
    compare_sessions,
    ghost_photo,
    latest_comparison,
)
from patients.records.outcomes.photos.services import take_session_photo
from patients.tests.booking_fixtures import NOW
from patients.tests.factories import give_session
from patients.tests.photo_helpers import session_upload, take_session_photos
from procedures.models import PhotoView, Procedure

pytestmark = pytest.mark.django_db


def view(slug: str) -> PhotoView:
    return PhotoView.objects.get(slug=slug)


def past_session(user: User, days_ago: int, slug: str = "microneedling") -> Appointment:
    return give_session(
        user,
        slug,
        start=NOW - dt.timedelta(days=days_ago),
        status=Appointment.Status.COMPLETED,
    )


def shoot(appointment: Appointment, slug: str, kind: str, by: User) -> Photo:
    return take_session_photo(
        appointment=appointment, view=view(slug), kind=kind, upload=session_upload(), by=by
    )


def file_url(photo: Photo) -> str:
    return reverse("patients:photo-file", args=[photo.uuid, "full"])


# --- the ghost -------------------------------------------------------------------------------


def test_the_ghost_is_the_same_view_of_the_latest_earlier_session_before_preferred(
    pinned_now: dt.datetime, patient: User, other_patient: User, practitioner: User
) -> None:
    first, second, today, later = (past_session(patient, days) for days in (60, 30, 0, -30))
    first_before = shoot(first, "front", Photo.Kind.BEFORE, practitioner)
    shoot(first, "front", Photo.Kind.AFTER, practitioner)
    shoot(first, "profile-left", Photo.Kind.BEFORE, practitioner)
    second_after = shoot(second, "front", Photo.Kind.AFTER, practitioner)
    shoot(later, "front", Photo.Kind.BEFORE, practitioner)  # later: never a ghost
    bobs = past_session(other_patient, 10)
    shoot(bobs, "front", Photo.Kind.BEFORE, practitioner)  # another patient's: never

    assert ghost_photo(today, view("front")) == second_after
    assert ghost_photo(second, view("front")) == first_before
    assert ghost_photo(today, view("profile-left")).appointment == first
    assert ghost_photo(first, view("front")) is None
    Photo.objects.filter(pk=second_after.pk).update(status=Photo.Status.FAILED)
    assert ghost_photo(today, view("front")) == first_before


def test_the_capture_page_shows_each_view_its_camera_input_and_its_ghost(
    client: Client,
    pinned_now: dt.datetime,
    patient: User,
    practitioner: User,
) -> None:
    earlier = past_session(patient, 30)
    ghost = shoot(earlier, "oblique-left", Photo.Kind.BEFORE, practitioner)
    today = past_session(patient, 0)
    client.force_login(practitioner)
    page = client.get(reverse("session-photos:capture", args=[today.pk])).content.decode()
    assert page.count('accept="image/*" capture="environment"') == 5
    assert page.count("data-capture-view=") == 5
    assert "no make-up" in page
    assert f'data-ghost-src="{file_url(ghost)}"' in page
    assert page.count("data-ghost-src=") == 1
    assert page.count("required before signing") == 5  # microneedling: photos required
    assert AuditEntry.objects.filter(
        actor=practitioner, action=AuditEntry.Action.VIEW_PHOTOS, patient=patient.patient_profile
    ).exists()


def test_an_upload_from_the_room_is_tied_to_the_session_and_the_view(
    client: Client, pinned_now: dt.datetime, patient: User, practitioner: User
) -> None:
    today = past_session(patient, 0)
    client.force_login(practitioner)
    url = reverse("session-photos:capture", args=[today.pk])
    response = client.post(
        url, {"view": "profile-right", "kind": "after", "image": session_upload("blue")}
    )
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert (photo.appointment, photo.view.slug, photo.kind) == (today, "profile-right", "after")
    assert photo.patient == patient.patient_profile
    assert photo.is_ready

    bad = client.post(url, {"view": "nape", "kind": "before", "image": session_upload()})
    assert bad.status_code == 400
    assert "View: Select a valid choice." in bad.content.decode()
    assert Photo.objects.count() == 1
    not_a_photo = client.post(
        url,
        {"view": "front", "kind": "before", "image": session_upload_text()},
    )
    assert not_a_photo.status_code == 400
    assert "not a JPEG, PNG or WebP" in not_a_photo.content.decode()


def session_upload_text() -> SimpleUploadedFile:
    return SimpleUploadedFile("x.jpg", b"not a picture", content_type="image/jpeg")


def test_only_clinicians_open_the_capture_and_staff_compare_pages(
    client: Client, pinned_now: dt.datetime, patient: User, receptionist: User
) -> None:
    today = past_session(patient, 0)
    client.force_login(receptionist)
    assert client.get(reverse("session-photos:capture", args=[today.pk])).status_code == 403
    compare = reverse("session-photos:compare", args=[patient.patient_profile.pk])
    assert client.get(compare).status_code == 403


# --- comparisons -----------------------------------------------------------------------------


@pytest.fixture
def three_sessions(pinned_now: dt.datetime, patient: User, practitioner: User) -> list[Appointment]:
    """Alice's sessions 90, 45 and 5 days ago; the middle one has only the front view."""
    first, middle, latest = (past_session(patient, days) for days in (90, 45, 5))
    take_session_photos(first, practitioner)
    take_session_photos(first, practitioner, kind=Photo.Kind.AFTER)
    shoot(middle, "front", Photo.Kind.AFTER, practitioner)
    take_session_photos(latest, practitioner, color="green")
    return [first, middle, latest]


def test_a_comparison_pairs_the_common_views_before_photos_first(
    three_sessions: list[Appointment],
) -> None:
    first, middle, latest = three_sessions
    comparison = compare_sessions(latest, first)  # any order: the earlier one comes first
    assert (comparison.earlier, comparison.later) == (first, latest)
    assert [pair.view.slug for pair in comparison.pairs] == [
        "front",
        "oblique-left",
        "oblique-right",
        "profile-left",
        "profile-right",
    ]
    assert {pair.earlier.kind for pair in comparison.pairs} == {Photo.Kind.BEFORE}
    assert all(pair.earlier.appointment == first for pair in comparison.pairs)
    assert all(pair.later.appointment == latest for pair in comparison.pairs)
    only_front = compare_sessions(first, middle)
    assert [(p.view.slug, p.later.kind) for p in only_front.pairs] == [("front", "after")]


def test_the_latest_comparison_is_the_first_session_against_the_latest(
    three_sessions: list[Appointment], patient: User, other_patient: User
) -> None:
    first, _middle, latest = three_sessions
    comparison = latest_comparison(patient.patient_profile)
    assert comparison is not None
    assert (comparison.earlier, comparison.later) == (first, latest)
    assert len(comparison.pairs) == 5
    assert latest_comparison(other_patient.patient_profile) is None


def test_sessions_of_two_patients_are_never_compared(
    three_sessions: list[Appointment], other_patient: User
) -> None:
    bobs = past_session(other_patient, 20)
    with pytest.raises(ValueError, match="two patients"):
        compare_sessions(three_sessions[0], bobs)


def test_the_patient_sees_their_own_comparison_with_a_slider(
    client: Client, three_sessions: list[Appointment], patient: User
) -> None:
    first, _middle, latest = three_sessions
    client.force_login(patient)
    photos_page = client.get(reverse("patients:photos")).content.decode()
    assert reverse("my-photos:compare") in photos_page
    response = client.get(reverse("my-photos:compare"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("data-compare-slider") == 5
    assert page.count('type="range"') == 5
    pair = compare_sessions(first, latest).pairs[0]
    assert file_url(pair.earlier) in page
    assert file_url(pair.later) in page
    assert (
        response["Cache-Control"].startswith("private") or "no-store" in response["Cache-Control"]
    )


def test_the_patient_chooses_two_of_their_sessions(
    client: Client, three_sessions: list[Appointment], patient: User
) -> None:
    first, middle, _latest = three_sessions
    client.force_login(patient)
    url = reverse("my-photos:compare")
    page = client.get(url, {"earlier": middle.pk, "later": first.pk}).content.decode()
    assert page.count("data-compare-slider") == 1  # only the front view is common
    bad = client.get(url, {"earlier": "first", "later": first.pk})
    assert bad.status_code == 400
    assert "Choose a session from the list." in bad.content.decode()


def test_another_patients_session_is_a_404(
    client: Client,
    three_sessions: list[Appointment],
    patient: User,
    other_patient: User,
    practitioner: User,
) -> None:
    first = three_sessions[0]
    bobs = past_session(other_patient, 20)
    take_session_photos(bobs, practitioner)
    client.force_login(patient)
    url = reverse("my-photos:compare")
    assert client.get(url, {"earlier": first.pk, "later": bobs.pk}).status_code == 404
    assert client.get(url, {"earlier": bobs.pk, "later": first.pk}).status_code == 404
    client.force_login(other_patient)
    page = client.get(url).content.decode()
    assert file_url(compare_sessions(first, three_sessions[2]).pairs[0].earlier) not in page
    assert "Photos of two sessions are needed for a comparison." in page
    # Staff comparing bob's sessions cannot name alice's.
    client.force_login(practitioner)
    staff = reverse("session-photos:compare", args=[other_patient.patient_profile.pk])
    assert client.get(staff, {"earlier": first.pk, "later": bobs.pk}).status_code == 404


def test_staff_compare_from_the_chart_and_the_read_is_audited(
    client: Client, three_sessions: list[Appointment], patient: User, practitioner: User
) -> None:
    client.force_login(practitioner)
    url = reverse("session-photos:compare", args=[patient.patient_profile.pk])
    page = client.get(url).content.decode()
    assert page.count("data-compare-slider") == 5
    assert AuditEntry.objects.filter(
        actor=practitioner, action=AuditEntry.Action.VIEW_PHOTOS, detail="comparison"
    ).exists()


def test_the_comparison_page_in_russian(
    client: Client, three_sessions: list[Appointment], patient: User
) -> None:
    client.force_login(patient)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get(reverse("my-photos:compare")).content.decode()
    assert "Сравнить мои сеансы" in page
    assert "Левый полупрофиль 45°" in page
    assert "какая часть раннего фото видна поверх позднего" in page


def test_a_session_photo_of_a_view_the_procedure_does_not_use_is_refused_on_the_page(
    client: Client, pinned_now: dt.datetime, patient: User, practitioner: User
) -> None:
    Procedure.objects.get(slug="microneedling").photo_views.set([view("front")])
    today = past_session(patient, 0)
    client.force_login(practitioner)
    url = reverse("session-photos:capture", args=[today.pk])
    page = client.get(url).content.decode()
    assert page.count("data-capture-view=") == 1
    response = client.post(
        url, {"view": "profile-left", "kind": "before", "image": session_upload()}
    )
    assert response.status_code == 400
    assert not Photo.objects.exists()


def test_the_comparison_page_reads_the_same_queries_for_two_sessions_or_four(
    client: Client, pinned_now: dt.datetime, patient: User, practitioner: User
) -> None:
    for days in (80, 40):
        take_session_photos(past_session(patient, days), practitioner)
    client.force_login(patient)
    url = reverse("my-photos:compare")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    two = queries()
    for days in (20, 10):
        take_session_photos(past_session(patient, days), practitioner)
    assert queries() == two


def test_my_progress_shows_the_latest_comparison_and_links_to_every_view(
    client: Client, three_sessions: list[Appointment], patient: User, other_patient: User
) -> None:
    first, _middle, latest = three_sessions
    client.force_login(patient)
    html = client.get(reverse("patients:progress")).content.decode()
    section = html[html.index('class="mt-4 latest-comparison"') :]
    assert "Latest comparison" in section
    first_front, latest_front = (
        Photo.objects.get(appointment=session, view__slug="front", kind=Photo.Kind.BEFORE)
        for session in (first, latest)
    )
    for photo in (first_front, latest_front):
        assert reverse("patients:photo-file", args=[photo.uuid, "full"]) in section
    assert f"{reverse('my-photos:compare')}?earlier={first.pk}&amp;later={latest.pk}" in section

    client.force_login(other_patient)  # no photos: no comparison
    assert "latest-comparison" not in client.get(reverse("patients:progress")).content.decode()
