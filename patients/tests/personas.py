"""Persona fixtures for patients: `patient` (alice) and `other_patient` (bob).

Both are `clinic.User` logins (like the staff personas) with a verified
`patient_profile` and the data-processing consent signed, but no intake yet:
`patient_with_intake` is alice with the baseline intake of intake.md, and
`patients.tests.factories.give_baseline_intake(user)` does the same for anyone.
Log them in with `client.force_login(...)`: with django-axes as the first
authentication backend, `client.login()` (which passes no request) is refused.
"""

import pytest

from clinic.models import User
from patients.tests.factories import give_baseline_intake, make_patient


@pytest.fixture
def patient(db: None) -> User:
    return make_patient(
        email="alice@example.test", first_name="Alice", last_name="Archer", phone="+7 900 111-11-11"
    )


@pytest.fixture
def other_patient(db: None) -> User:
    return make_patient(
        email="bob@example.test", first_name="Bob", last_name="Baker", phone="+7 900 222-22-22"
    )


@pytest.fixture
def patient_with_intake(patient: User) -> User:
    give_baseline_intake(patient)
    return patient
