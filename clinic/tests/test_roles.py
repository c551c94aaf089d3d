"""Staff roles are groups created by migration; managers hold every right."""

import pytest

from clinic.models import User
from clinic.roles import Role, can_see_health_data, has_role, roles_of

pytestmark = pytest.mark.django_db


def test_groups_exist_after_migrate() -> None:
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_receptionist_never_sees_health_data(receptionist: User) -> None:
    assert roles_of(receptionist) == {Role.RECEPTIONIST}
    assert not can_see_health_data(receptionist)


def test_practitioner_and_manager_see_health_data(practitioner: User, manager: User) -> None:
    assert can_see_health_data(practitioner)
    assert can_see_health_data(manager)
    assert has_role(manager, Role.RECEPTIONIST)


def test_a_plain_user_holds_no_role() -> None:
    alice = User.objects.create_user(email="alice@example.com", password="x")
    assert roles_of(alice) == frozenset()
    assert not has_role(alice, Role.PRACTITIONER)
