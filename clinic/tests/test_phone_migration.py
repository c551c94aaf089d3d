"""The data migration that stores every phone in E.164 and loses none."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

pytestmark = pytest.mark.django_db

migration = importlib.import_module("clinic.migrations.0006_phones_in_e164")


def test_phones_become_e164_and_a_non_number_stays_as_typed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The models as the migration sees them: the phone still a plain text column.
    state = MigrationLoader(connection).project_state(("clinic", "0005_sign_in_log_permissions"))
    User = state.apps.get_model("clinic", "User")
    typed = {
        "a@example.test": "8 (916) 555-12-34",
        "b@example.test": "+7 916 555 12 34",
        "c@example.test": "9165551234",
        "d@example.test": "+79165551234",
        "e@example.test": "ring the front desk",
        "f@example.test": "",
    }
    ids = {
        email: User.objects.create(email=email, phone=phone).pk for email, phone in typed.items()
    }

    migration.normalise(state.apps, None)

    stored = dict(User.objects.values_list("email", "phone"))
    assert stored == {
        "a@example.test": "+79165551234",
        "b@example.test": "+79165551234",
        "c@example.test": "+79165551234",
        "d@example.test": "+79165551234",
        "e@example.test": "ring the front desk",
        "f@example.test": "",
    }
    output = capsys.readouterr().out
    assert (
        f"1 phone number(s) are not valid numbers and stay as typed; users: {ids['e@example.test']}"
        in output
    )
    assert "ring the front desk" not in output
