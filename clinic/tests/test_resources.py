"""The clinic's resources: who may perform what, the database's guards, the admin pages."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import Closure, OpeningHours, Practitioner, User, WorkingHours
from clinic.selectors import qualified_practitioners
from clinic.tests.factories import (
    ClosureFactory,
    PractitionerFactory,
    RoomFactory,
    UserFactory,
    WorkingHoursFactory,
)
from procedures.models import Procedure

pytestmark = pytest.mark.django_db


def procedure(slug: str) -> Procedure:
    return Procedure.objects.get(slug=slug)


# --- who may perform what ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "slug", "expected"),
    [
        (["derm"], "tca-peel", True),  # derm only
        (["cosm"], "tca-peel", False),
        (["cosm"], "glycolic-peel", True),  # derm, cosm
        (["surg"], "fat-transfer", True),  # surg only
        (["derm"], "fat-transfer", False),
        (["cosm", "surg"], "subcision", True),  # surg, derm
        (["cosm"], "phenol-peel", False),
    ],
)
def test_roles_decide_by_default(roles: list[str], slug: str, expected: bool) -> None:
    assert PractitionerFactory(roles=roles).can_perform(procedure(slug)) is expected


def test_an_extra_procedure_is_allowed_and_an_exclusion_wins() -> None:
    tca = procedure("tca-peel")
    peel = procedure("glycolic-peel")
    cosmetologist = PractitionerFactory(roles=["cosm"])
    cosmetologist.extra_procedures.add(tca)
    dermatologist = PractitionerFactory(roles=["derm"])
    dermatologist.excluded_procedures.add(peel)
    both = PractitionerFactory(roles=["cosm"])
    both.extra_procedures.add(tca)
    both.excluded_procedures.add(tca)

    assert cosmetologist.can_perform(tca)
    assert not dermatologist.can_perform(peel)
    assert dermatologist.can_perform(tca)
    assert not both.can_perform(tca)


def test_can_perform_uses_prefetched_exceptions(
    django_assert_num_queries: pytest.FixtureRequest,
) -> None:
    PractitionerFactory(roles=["cosm"]).extra_procedures.add(procedure("tca-peel"))
    tca = procedure("tca-peel")
    practitioner = Practitioner.objects.prefetch_related(
        "extra_procedures", "excluded_procedures"
    ).get()

    with django_assert_num_queries(0):
        assert practitioner.can_perform(tca)


def test_qualified_practitioners_apply_the_same_rule_in_one_query() -> None:
    tca = procedure("tca-peel")
    derm = PractitionerFactory(roles=["derm"])
    excluded_derm = PractitionerFactory(roles=["derm"])
    excluded_derm.excluded_procedures.add(tca)
    cosm_with_extra = PractitionerFactory(roles=["cosm"])
    cosm_with_extra.extra_procedures.add(tca)
    PractitionerFactory(roles=["cosm"])
    PractitionerFactory(roles=["derm"], is_active=False)
    PractitionerFactory(roles=["derm"], user=UserFactory(is_active=False))

    with CaptureQueriesContext(connection) as queries:
        found = qualified_practitioners(tca)
        names = [str(p) for p in found]  # users come with the same query

    assert {p.pk for p in found} == {derm.pk, cosm_with_extra.pk}
    assert len(names) == 2
    assert len(queries) == 1
    assert qualified_practitioners(tca, practitioner=derm) == [derm]
    assert qualified_practitioners(tca, practitioner=excluded_derm.pk) == []
    assert all(p.can_perform(tca) for p in found)


def test_qualified_practitioners_query_count_does_not_grow_with_the_staff() -> None:
    peel = procedure("glycolic-peel")
    PractitionerFactory(roles=["derm"])
    with CaptureQueriesContext(connection) as one:
        qualified_practitioners(peel)
    for _ in range(10):
        PractitionerFactory(roles=["cosm"]).extra_procedures.add(peel)
    with CaptureQueriesContext(connection) as eleven:
        assert len(qualified_practitioners(peel)) == 11
    assert len(one) == len(eleven) == 1


# --- guards -----------------------------------------------------------------------------------


def test_working_hours_must_end_after_they_start() -> None:
    hours = WorkingHoursFactory.build(
        practitioner=PractitionerFactory(), start=time(18), end=time(9)
    )
    with pytest.raises(ValidationError) as error:
        hours.full_clean()
    assert "end" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        hours.save()


def test_opening_hours_one_row_per_weekday_opening_before_closing() -> None:
    OpeningHours.objects.create(weekday=0, opens=time(9), closes=time(20))
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningHours.objects.create(weekday=0, opens=time(10), closes=time(12))
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningHours.objects.create(weekday=1, opens=time(20), closes=time(9))


def test_a_closure_targets_the_clinic_a_practitioner_or_a_room() -> None:
    practitioner = PractitionerFactory()
    room = RoomFactory()

    assert ClosureFactory().scope == Closure.Scope.CLINIC
    assert ClosureFactory(practitioner=practitioner).scope == Closure.Scope.PRACTITIONER
    assert ClosureFactory(room=room).scope == Closure.Scope.ROOM
    both = ClosureFactory.build(practitioner=practitioner, room=room)
    with pytest.raises(ValidationError) as error:
        both.full_clean()
    assert "room" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        both.save()


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "start_time", "end_time", "field"),
    [
        (date(2026, 6, 2), date(2026, 6, 1), None, None, "ends_on"),
        (date(2026, 6, 1), date(2026, 6, 1), time(14), time(10), "end_time"),
    ],
)
def test_a_closure_runs_forwards(
    starts_on: date, ends_on: date, start_time: time | None, end_time: time | None, field: str
) -> None:
    closure = ClosureFactory.build(
        starts_on=starts_on, ends_on=ends_on, start_time=start_time, end_time=end_time
    )
    with pytest.raises(ValidationError) as error:
        closure.full_clean()
    assert field in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        closure.save()


def test_a_closure_over_several_days_may_end_earlier_in_the_day_than_it_starts() -> None:
    closure = ClosureFactory.build(
        starts_on=date(2026, 6, 1),
        ends_on=date(2026, 6, 2),
        start_time=time(14),
        end_time=time(10),
    )
    closure.full_clean()
    closure.save()


def test_a_practitioner_needs_a_known_role() -> None:
    nobody = PractitionerFactory.build(user=UserFactory(), roles=[])
    nurse = PractitionerFactory.build(user=UserFactory(), roles=["nurse"])
    with pytest.raises(ValidationError) as no_role:
        nobody.full_clean()
    with pytest.raises(ValidationError) as unknown_role:
        nurse.full_clean()
    assert "at least one role" in str(no_role.value.message_dict["roles"])
    assert "roles" in unknown_role.value.message_dict


# --- the admin --------------------------------------------------------------------------------


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model", ["practitioner", "room", "workinghours", "openinghours", "closure"]
)
def test_the_manager_edits_every_resource_in_the_admin(manager: User, model: str) -> None:
    practitioner = PractitionerFactory()
    WorkingHoursFactory(practitioner=practitioner)
    ClosureFactory(practitioner=practitioner)
    OpeningHours.objects.create(weekday=0, opens=time(9), closes=time(20))
    client = logged_in(manager)

    changelist = client.get(reverse(f"admin:clinic_{model}_changelist"))
    add = client.get(reverse(f"admin:clinic_{model}_add"))

    assert changelist.status_code == 200
    assert add.status_code == 200


def test_the_admin_lists_filter_and_search() -> None:
    admin_user = User.objects.create_superuser(email="root@clinic.test", password="pw")
    PractitionerFactory(roles=["surg"], user=UserFactory(last_name="Lebedev"))
    PractitionerFactory(roles=["cosm"], user=UserFactory(last_name="Smirnova"))
    room = RoomFactory(name="Laser room")
    ClosureFactory(room=room, reason="Laser service")
    ClosureFactory(reason="New Year")
    client = logged_in(admin_user)

    surgeons = client.get(reverse("admin:clinic_practitioner_changelist"), {"role": "surg"})
    found = client.get(reverse("admin:clinic_practitioner_changelist"), {"q": "smirn"})
    rooms_only = client.get(reverse("admin:clinic_closure_changelist"), {"scope": "room"})

    assert b"Lebedev" in surgeons.content
    assert b"Smirnova" not in surgeons.content
    assert b"Smirnova" in found.content
    assert b"Laser service" in rooms_only.content
    assert b"New Year" not in rooms_only.content


def test_the_practitioner_form_saves_roles_and_hours(manager: User) -> None:
    user = UserFactory(first_name="Olga", last_name="Kuznetsova")
    tca = procedure("tca-peel")
    client = logged_in(manager)
    data = {
        "user": user.pk,
        "roles": ["cosm", "derm"],
        "extra_procedures": [tca.pk],
        "colour": "#ff8800",
        "is_active": "on",
        "working_hours-TOTAL_FORMS": "1",
        "working_hours-INITIAL_FORMS": "0",
        "working_hours-0-weekday": "2",
        "working_hours-0-start": "10:00",
        "working_hours-0-end": "16:00",
        "closures-TOTAL_FORMS": "0",
        "closures-INITIAL_FORMS": "0",
    }

    response = client.post(reverse("admin:clinic_practitioner_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    practitioner = Practitioner.objects.get(user=user)
    assert sorted(practitioner.roles) == ["cosm", "derm"]
    assert practitioner.colour == "#ff8800"
    assert list(practitioner.extra_procedures.all()) == [tca]
    hours = WorkingHours.objects.get(practitioner=practitioner)
    assert (hours.weekday, hours.start, hours.end) == (2, time(10), time(16))


def test_the_practitioner_form_refuses_a_procedure_both_added_and_excluded(
    manager: User,
) -> None:
    tca = procedure("tca-peel")
    response = logged_in(manager).post(
        reverse("admin:clinic_practitioner_add"),
        {
            "user": UserFactory().pk,
            "roles": ["cosm"],
            "extra_procedures": [tca.pk],
            "excluded_procedures": [tca.pk],
            "colour": "#ff8800",
            "working_hours-TOTAL_FORMS": "0",
            "working_hours-INITIAL_FORMS": "0",
            "closures-TOTAL_FORMS": "0",
            "closures-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "excluded_procedures" in response.context["adminform"].form.errors
    assert not Practitioner.objects.exists()


def test_the_desk_records_closures_but_does_not_change_who_works_when(
    receptionist: User, practitioner: User
) -> None:
    desk = logged_in(receptionist)
    colleague = logged_in(practitioner)

    assert desk.get(reverse("admin:clinic_closure_add")).status_code == 200
    sick = PractitionerFactory()
    saved = desk.post(
        reverse("admin:clinic_closure_add"),
        {
            "practitioner": sick.pk,
            "starts_on": "2026-06-01",
            "ends_on": "2026-06-02",
            "reason": "Ill",
        },
    )
    assert saved.status_code == 302
    assert Closure.objects.get().scope == Closure.Scope.PRACTITIONER
    assert desk.get(reverse("admin:clinic_practitioner_changelist")).status_code == 200
    assert desk.get(reverse("admin:clinic_workinghours_add")).status_code == 403
    assert colleague.get(reverse("admin:clinic_room_changelist")).status_code == 200
    assert colleague.get(reverse("admin:clinic_closure_add")).status_code == 403
