"""The manager's sign-in log: logins, failed logins and lockouts, in the admin."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from clinic.models import User

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.7"


def log_in(client: Client, email: str, password: str) -> int:
    response = client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ADDRESS
    )
    return response.status_code


def test_the_manager_sees_logins_failures_and_lockouts(
    client: Client, patient: User, manager: User
) -> None:
    assert log_in(Client(), "alice@example.test", "pw-patient") == 302
    intruder = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(intruder, "alice@example.test", "guess")

    client.force_login(manager)
    logins = client.get(reverse("admin:axes_accesslog_changelist"))
    failures = client.get(reverse("admin:axes_accessfailurelog_changelist"))
    lockouts = client.get(reverse("admin:axes_accessattempt_changelist"))

    assert logins.status_code == failures.status_code == lockouts.status_code == 200
    assert "alice@example.test" in logins.content.decode()
    assert failures.context["cl"].result_count == settings.AXES_FAILURE_LIMIT
    assert ADDRESS in failures.content.decode()
    assert lockouts.context["cl"].result_count == 1


def test_a_manager_lifts_a_lockout_by_deleting_it(
    client: Client, patient: User, manager: User
) -> None:
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(), "alice@example.test", "guess")
    assert log_in(Client(), "alice@example.test", "pw-patient") == 429

    client.force_login(manager)
    changelist = reverse("admin:axes_accessattempt_changelist")
    attempt_id = client.get(changelist).context["cl"].result_list[0].pk
    response = client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [attempt_id], "post": "yes"},
    )

    assert response.status_code == 302
    assert log_in(Client(), "alice@example.test", "pw-patient") == 302


@pytest.mark.parametrize("persona", ["receptionist", "practitioner", "patient"])
def test_nobody_else_sees_the_sign_in_log(
    client: Client, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    for name in ("accesslog", "accessfailurelog", "accessattempt"):
        response = client.get(reverse(f"admin:axes_{name}_changelist"))
        assert response.status_code in (302, 403), name


@pytest.mark.parametrize(("language", "name"), [("en", "Sign-in log"), ("ru", "Журнал входов")])
def test_the_manager_finds_it_as_the_sign_in_log(
    client: Client, manager: User, language: str, name: str
) -> None:
    client.force_login(manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    index = client.get(reverse("admin:index")).content.decode()
    section = client.get(reverse("admin:app_list", args=["axes"])).content.decode()

    assert name in index
    assert name in section
    assert "Axes" not in index
    assert "Axes" not in section
