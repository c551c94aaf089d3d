"""The demo clinic: staff for every role, rooms and hours, bookable, and safe to load twice."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from clinic.availability import free_slots
from clinic.models import Closure, OpeningHours, Practitioner, Room, User, WorkingHours
from clinic.roles import Role
from clinic.selectors import availability_inputs
from procedures.models import Procedure

pytestmark = pytest.mark.django_db

DEMO_MODELS = (User, Practitioner, Room, WorkingHours, OpeningHours, Closure, Group)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in DEMO_MODELS} | {
        "memberships": User.groups.through.objects.count(),
        "extras": Practitioner.extra_procedures.through.objects.count(),
        "exclusions": Practitioner.excluded_procedures.through.objects.count(),
    }


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_twice_changes_nothing_the_second_time() -> None:
    seed()
    first = counts()
    output = seed()

    assert counts() == first
    assert "(0 created)" in output
    assert first["Practitioner"] == 6
    assert first["Room"] == 6


def test_the_demo_clinic_has_every_role_room_kind_and_weekday() -> None:
    seed()

    roles = [set(p.roles) for p in Practitioner.objects.all()]
    assert roles.count({"derm"}) == 2
    assert roles.count({"cosm"}) == 2
    assert roles.count({"surg"}) == 1
    assert roles.count({"derm", "surg"}) == 1
    kinds = sorted(Room.objects.values_list("kind", flat=True))
    assert kinds == sorted(["consult", "treatment", "treatment", "treatment", "laser", "surgery"])
    opening = {h.weekday: (h.opens, h.closes) for h in OpeningHours.objects.all()}
    assert sorted(opening) == [0, 1, 2, 3, 4, 5]  # Monday to Saturday
    for hours in WorkingHours.objects.all():
        opens, closes = opening[hours.weekday]
        assert opens <= hours.start < hours.end <= closes, hours
    assert len({p.colour for p in Practitioner.objects.all()}) == 6


def test_every_demo_login_works_with_the_demo_password_and_has_its_role() -> None:
    output = seed()

    expected_groups = {
        "manager@clinic.local": Role.MANAGER,
        "reception@clinic.local": Role.RECEPTIONIST,
    }
    for practitioner in Practitioner.objects.select_related("user"):
        expected_groups[practitioner.user.email] = Role.PRACTITIONER
    assert len(expected_groups) == 8
    for email, group in expected_groups.items():
        user = User.objects.get(email=email)
        assert user.is_staff
        assert user.groups.filter(name=group).exists()
        assert user.check_password(settings.DEMO_PASSWORD), email
        assert email in output


def test_prepare_portal_lists_the_logins_once() -> None:
    out = StringIO()
    call_command("prepare_portal", stdout=out)
    text = out.getvalue()

    # Each login once in the list (seed_demo's own list is left out), with what it is for.
    assert text.count("receptionist: bookings at the desk") == 1
    assert text.count("practitioner: surgeon, Tuesdays") == 1
    assert "lebedev@clinic.local" in text
    assert settings.DEMO_PASSWORD in text


@time_machine.travel(datetime(2026, 6, 1, 8, 0, tzinfo=ZoneInfo("Europe/Moscow")), tick=False)
def test_every_procedure_can_be_booked_in_the_demo_clinic() -> None:
    seed()
    unbookable = []
    for procedure in Procedure.objects.filter(is_active=True):
        inputs = availability_inputs(procedure, date(2026, 6, 1), 7)
        if not free_slots(inputs, now=timezone.now(), limit=1):
            unbookable.append(procedure.slug)

    assert unbookable == []


def test_the_demo_exceptions_are_applied() -> None:
    seed()
    orlov = Practitioner.objects.get(user__email="orlov@clinic.local")
    kuznetsova = Practitioner.objects.get(user__email="kuznetsova@clinic.local")

    assert not orlov.can_perform(Procedure.objects.get(slug="phenol-peel"))
    assert orlov.can_perform(Procedure.objects.get(slug="tca-peel"))
    assert kuznetsova.can_perform(Procedure.objects.get(slug="oxygen-injections"))
