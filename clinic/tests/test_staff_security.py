"""Staff sessions: the TOTP second factor (when required) and the idle timeout."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.models import User

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def code(device: TOTPDevice) -> str:
    """The device's current code, as the staff member's phone shows it."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def require_2fa(settings: Any) -> None:
    settings.STAFF_REQUIRE_2FA = True


def test_without_the_setting_staff_log_in_with_a_password_only(
    client: Client, receptionist: User
) -> None:
    client.force_login(receptionist)
    assert client.get(reverse("admin:index")).status_code == 200


def test_unverified_staff_are_sent_to_set_up_a_device(
    require_2fa: None, client: Client, receptionist: User
) -> None:
    client.force_login(receptionist)

    response = client.get(reverse("workspace:calendar"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff-otp-setup"))
    setup = client.get(response["Location"])
    assert setup.status_code == 200
    assert "<svg" in setup.content.decode()
    assert " style=" not in setup.content.decode().split("<svg", 1)[1].split("</svg>")[0]


def test_a_valid_code_confirms_the_device_and_opens_the_admin(
    require_2fa: None, client: Client, practitioner: User
) -> None:
    client.force_login(practitioner)
    setup_url = reverse("staff-otp-setup")
    client.get(setup_url)
    device = TOTPDevice.objects.get(user=practitioner)
    assert not device.confirmed

    with time_machine.travel(START, tick=False) as clock:
        wrong = "000000" if code(device) != "000000" else "111111"
        refused = client.post(setup_url, {"token": wrong})
        assert refused.status_code == 200
        assert "not right" in refused.content.decode()
        assert client.get(reverse("admin:index")).status_code == 302
        clock.shift(dt.timedelta(seconds=5))  # past django-otp's throttle after a failure

        right = client.post(
            setup_url, {"token": code(device), "next": reverse("workspace:reviews")}
        )

        assert right.status_code == 302
        assert right["Location"] == reverse("workspace:reviews")
        device.refresh_from_db()
        assert device.confirmed
        assert client.get(reverse("admin:index")).status_code == 200


def test_staff_with_a_device_verify_each_new_session(
    require_2fa: None, client: Client, manager: User
) -> None:
    device = TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)
    client.force_login(manager)

    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("staff-otp-verify"))
    assert client.post(reverse("staff-otp-verify"), {"token": "12345"}).status_code == 200

    verified = client.post(reverse("staff-otp-verify"), {"token": code(device)})

    assert verified.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_patients_are_never_asked_for_a_second_factor(
    require_2fa: None, client: Client, patient: User
) -> None:
    client.force_login(patient)
    assert client.get(reverse("patients:dashboard")).status_code == 200


def test_staff_sessions_end_after_the_idle_timeout(
    settings: Any, client: Client, receptionist: User
) -> None:
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 30
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(receptionist)
        assert client.get(reverse("admin:index")).status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        assert client.get(reverse("admin:index")).status_code == 200  # activity resets it
        clock.shift(dt.timedelta(minutes=29))
        assert client.get(reverse("admin:index")).status_code == 200
        clock.shift(dt.timedelta(minutes=31))

        response = client.get(reverse("workspace:calendar"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert "_auth_user_id" not in client.session


def test_patients_keep_their_sessions_when_idle(client: Client, patient: User) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(patient)
        assert client.get(reverse("patients:dashboard")).status_code == 200
        clock.shift(dt.timedelta(hours=3))
        assert client.get(reverse("patients:dashboard")).status_code == 200


@pytest.mark.parametrize(
    ("module", "required"),
    [("clinic.settings.local", False), ("clinic.settings.production", True)],
)
def test_production_requires_the_second_factor_and_the_demo_does_not(
    tmp_path: Any, module: str, required: bool
) -> None:
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if not k.startswith(("STAFF_", "DJANGO_", "DEBUG"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": module,
            "VAR_DIR": str(tmp_path / "var"),
            "SECRET_KEY": "k3y-" + "x9Q2vL7pT4mZ8rW1" * 4,
            "ALLOWED_HOSTS": "clinic.example",
            "EMAIL_URL": "smtp://mail.example:25",
            "PORTAL_URL": "https://clinic.example",
        }
    )
    probe = "import django; django.setup(); from django.conf import settings as s; "
    probe += "print(s.STAFF_REQUIRE_2FA, s.STAFF_IDLE_TIMEOUT_MINUTES)"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(required), "30"]


def test_unverified_staff_cannot_open_the_staff_patient_pages(
    require_2fa: None, client: Client, practitioner: User
) -> None:
    client.force_login(practitioner)

    response = client.get(reverse("patients:staff-patients"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff-otp-setup"))
