"""The standard views as data, the session photo's links, and the required-photos gate."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from clinic.models import User
from patients.models import Appointment, AuditEntry, Photo, TreatmentVisit
from patients.records.outcomes.photos.selectors import missing_before_views, session_views
from patients.records.outcomes.photos.services import take_session_photo
from patients.records.treatment import services
from patients.records.treatment.errors import Forbidden, RecordError
from patients.records.treatment.tests.test_charts import complete_tca_cross
from patients.tests.booking_fixtures import NOW
from patients.tests.photo_helpers import session_upload, take_before_photos
from procedures.errors import DomainError
from procedures.models import PhotoView, Procedure, views_of

pytestmark = pytest.mark.django_db

FIVE = ["front", "oblique-left", "oblique-right", "profile-left", "profile-right"]
# Every procedure of the `deep`, `fractional` and `focal` washout groups, and every filler.
PHOTOS_REQUIRED = {
    "laser-resurfacing",
    "dermabrasion",
    "phenol-peel",
    "tca-peel",
    "fractional-laser",
    "rf-microneedling",
    "microneedling",
    "tca-cross",
    "subcision",
    "punch-excision",
    "collagen-injection",
    "hyaluronic-filler",
    "hyaluronic-filler-touch-up",
    "fat-transfer",
}
ALL_NAMES_EN = "Front, Left oblique 45°, Right oblique 45°, Left profile, Right profile"


def view(slug: str) -> PhotoView:
    return PhotoView.objects.get(slug=slug)


# --- the views as data -----------------------------------------------------------------------


def test_the_five_standard_views_come_in_order_with_a_guide_in_both_languages() -> None:
    views = list(PhotoView.objects.all())
    assert [v.slug for v in views] == FIVE
    front = views[0]
    assert (front.name_en, front.name_ru) == ("Front", "Анфас")
    assert "no make-up" in front.guide_en
    assert "1 m" in front.guide_en
    assert "без макияжа" in front.guide_ru
    with translation.override("ru"):
        assert str(PhotoView.objects.get(slug="profile-left")) == "Левый профиль"


def test_photos_are_required_for_deep_fractional_focal_procedures_and_fillers() -> None:
    required = set(Procedure.objects.filter(photos_required=True).values_list("slug", flat=True))
    assert required == PHOTOS_REQUIRED
    for procedure in Procedure.objects.prefetch_related("photo_views"):
        assert [v.slug for v in procedure.photo_views.all().order_by("display_order")] == FIVE


def test_a_procedure_without_chosen_views_uses_every_view_and_a_clinic_adds_one() -> None:
    chin = PhotoView.objects.create(
        slug="chin-up", name_en="Chin up", name_ru="Подбородок вверх", guide="1 m", display_order=5
    )
    peel = Procedure.objects.get(slug="glycolic-peel")
    peel.photo_views.clear()
    assert [v.slug for v in views_of([peel])] == ["chin-up", *FIVE]
    cross = Procedure.objects.get(slug="tca-cross")
    cross.photo_views.set([chin, view("front")])
    assert [v.slug for v in views_of([cross, peel], required_only=True)] == ["chin-up", "front"]
    assert views_of([peel], required_only=True) == []


def test_a_view_belongs_only_to_a_session_and_a_session_photo_is_before_or_after(
    patient: User, practitioner: User
) -> None:
    fields = {
        "patient": patient.patient_profile,
        "image_format": "JPEG",
        "width": 1,
        "height": 1,
        "size_bytes": 1,
        "uploaded_by": practitioner,
        "uploaded_at": NOW,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Photo.objects.create(kind=Photo.Kind.BEFORE, view=view("front"), **fields)
    # Old rows (no session, no view) stay valid.
    assert Photo.objects.create(kind=Photo.Kind.AFTER, **fields).appointment is None


# --- taking a session photo ------------------------------------------------------------------


def test_a_session_photo_is_tied_to_its_session_and_view_and_audited(
    checked_in: Callable[..., Appointment], patient: User, practitioner: User
) -> None:
    appointment = checked_in(patient, "tca-cross")
    photo = take_session_photo(
        appointment=appointment,
        view=view("oblique-left"),
        kind=Photo.Kind.BEFORE,
        upload=session_upload(),
        by=practitioner,
        ip_address="10.0.0.7",
    )
    photo.refresh_from_db()
    assert (photo.appointment, photo.view.slug, photo.kind) == (
        appointment,
        "oblique-left",
        "before",
    )
    assert photo.patient == patient.patient_profile
    assert photo.status == Photo.Status.READY
    assert photo.file_name
    assert not photo.source_name
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ADD_PHOTO)
    assert entry.actor == practitioner
    assert entry.detail == f"before oblique-left {photo.uuid}"


def test_only_clinicians_take_session_photos_of_the_session_views(
    checked_in: Callable[..., Appointment],
    patient: User,
    practitioner: User,
    receptionist: User,
) -> None:
    appointment = checked_in(patient, "tca-cross")
    take = lambda **kw: take_session_photo(  # noqa: E731
        **{
            "appointment": appointment,
            "view": view("front"),
            "kind": Photo.Kind.BEFORE,
            "upload": session_upload(),
            "by": practitioner,
            **kw,
        }
    )
    for person in (receptionist, patient):
        with pytest.raises(Forbidden):
            take(by=person)
    with pytest.raises(DomainError) as kind:
        take(kind=Photo.Kind.AREA)
    assert kind.value.field == "kind"
    Procedure.objects.get(slug="tca-cross").photo_views.set([view("front")])
    with pytest.raises(DomainError) as wrong_view:
        take(view=view("profile-left"))
    assert wrong_view.value.code == "invalid_view"
    appointment.status = Appointment.Status.CANCELLED
    appointment.save(update_fields=["status"])
    with pytest.raises(DomainError) as cancelled:
        take()
    assert cancelled.value.code == "session_not_taking_place"
    assert not Photo.objects.exists()


# --- the gate --------------------------------------------------------------------------------


def photo_problems(visit: TreatmentVisit) -> list[str]:
    return [str(p) for p in services.signing_problems(visit) if "photo" in str(p).lower()]


def test_a_required_procedure_names_the_missing_before_views_in_both_languages(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross", photos=False)
    complete_tca_cross(visit, practitioner)
    assert [str(p) for p in services.signing_problems(visit)] == [
        f"Take the before photos: {ALL_NAMES_EN}."
    ]
    with translation.override("ru"):
        assert [str(p) for p in services.signing_problems(visit)] == [
            "Сделайте фото «до»: Анфас, Левый полупрофиль 45°, Правый полупрофиль 45°, "
            "Левый профиль, Правый профиль."
        ]
    assert not services.can_sign(visit)
    with pytest.raises(RecordError) as caught:
        services.sign_chart(visit=visit, by=practitioner)
    assert caught.value.code == "chart_incomplete"
    assert "Take the before photos" in str(caught.value.message)


def test_after_photos_and_failed_ones_do_not_count_processing_ones_do(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross", photos=False)
    complete_tca_cross(visit, practitioner)
    appointment = visit.appointment
    photos = {
        slug: take_session_photo(
            appointment=appointment,
            view=view(slug),
            kind=Photo.Kind.BEFORE,
            upload=session_upload(),
            by=practitioner,
        )
        for slug in FIVE[:3]
    }
    take_session_photo(
        appointment=appointment,
        view=view("profile-left"),
        kind=Photo.Kind.AFTER,
        upload=session_upload(),
        by=practitioner,
    )
    Photo.objects.filter(pk=photos["front"].pk).update(status=Photo.Status.FAILED)
    Photo.objects.filter(pk=photos["oblique-left"].pk).update(status=Photo.Status.PROCESSING)
    assert [v.slug for v in missing_before_views(appointment)] == [
        "front",
        "profile-left",
        "profile-right",
    ]
    assert photo_problems(visit) == ["Take the before photos: Front, Left profile, Right profile."]


def test_with_its_before_photos_the_chart_signs(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross", photos=False)
    complete_tca_cross(visit, practitioner)
    taken = take_before_photos(visit.appointment, practitioner)
    assert sorted(p.view.slug for p in taken) == sorted(FIVE)
    assert services.signing_problems(visit) == []
    assert services.sign_chart(visit=visit, by=practitioner).is_signed


def test_a_procedure_without_required_photos_asks_for_none(
    checked_in: Callable[..., Appointment], patient: User, practitioner: User
) -> None:
    appointment = checked_in(patient, "microcurrent")
    views, required = session_views(appointment)
    assert [v.slug for v in views] == FIVE
    assert required == set()
    visit = services.open_chart(appointment=appointment, by=practitioner)
    assert photo_problems(visit) == []


def test_a_procedure_added_to_the_chart_brings_its_required_views(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    Procedure.objects.get(slug="subcision").photo_views.set([view("front"), view("profile-left")])
    Procedure.objects.get(slug="tca-cross").photo_views.set([view("front")])
    visit = charted("tca-cross", photos=False)
    take_session_photo(
        appointment=visit.appointment,
        view=view("front"),
        kind=Photo.Kind.BEFORE,
        upload=session_upload(),
        by=practitioner,
    )
    assert photo_problems(visit) == []
    services.add_procedure(
        visit=visit, procedure=Procedure.objects.get(slug="subcision"), by=practitioner
    )
    assert photo_problems(visit) == ["Take the before photos: Left profile."]


def test_the_admin_shows_a_session_photos_session_and_view(
    client: Client, checked_in: Callable[..., Appointment], patient: User, manager: User
) -> None:
    appointment = checked_in(patient, "tca-cross")
    photo = take_session_photo(
        appointment=appointment,
        view=view("profile-right"),
        kind=Photo.Kind.AFTER,
        upload=session_upload(),
        by=manager,
    )
    client.force_login(manager)
    listing = client.get(reverse("admin:patients_photo_changelist")).content.decode()
    assert "Right profile" in listing
    page = client.get(reverse("admin:patients_photo_change", args=[photo.pk])).content.decode()
    assert "Right profile" in page
    assert str(appointment) in page
