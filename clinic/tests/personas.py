"""Persona fixtures for staff: receptionist, practitioner, manager (named people, as in tests
of who-sees-what). Loaded for the whole suite through the root conftest."""

import pytest
from django.contrib.auth.models import Group

from clinic.models import User
from clinic.roles import Role


def make_staff(email: str, role: str, first_name: str, last_name: str) -> User:
    user = User.objects.create_user(
        email=email,
        password="pw-" + role,
        first_name=first_name,
        last_name=last_name,
        is_staff=True,
        preferred_language="en",
    )
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def receptionist(db: None) -> User:
    return make_staff("rita@clinic.test", Role.RECEPTIONIST, "Rita", "Reception")


@pytest.fixture
def practitioner(db: None) -> User:
    return make_staff("pavel@clinic.test", Role.PRACTITIONER, "Pavel", "Derm")


@pytest.fixture
def manager(db: None) -> User:
    return make_staff("maria@clinic.test", Role.MANAGER, "Maria", "Manager")
