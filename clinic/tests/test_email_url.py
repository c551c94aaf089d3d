"""EMAIL_URL picks the e-mail backend: SMTP as before, or an e-mail provider through anymail."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps([s.EMAIL_BACKEND, s.ANYMAIL, s.ANYMAIL_ESP, getattr(s, 'EMAIL_HOST', '')]))"
)


def settings_with(**env: str) -> list:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings.local",
        "ANYMAIL_WEBHOOK_SECRET": "",
        **env,
    }
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {SHOW}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("url", "backend", "anymail"),
    [
        (
            "anymail://postmark?server_token=abc",
            "anymail.backends.postmark.EmailBackend",
            {"WEBHOOK_SECRET": "hook:pw", "POSTMARK_SERVER_TOKEN": "abc"},
        ),
        (
            "anymail://mailgun?api_key=k&sender_domain=mg.clinic.example",
            "anymail.backends.mailgun.EmailBackend",
            {
                "WEBHOOK_SECRET": "hook:pw",
                "MAILGUN_API_KEY": "k",
                "MAILGUN_SENDER_DOMAIN": "mg.clinic.example",
            },
        ),
    ],
)
def test_an_anymail_url_picks_the_provider_and_its_settings(
    url: str, backend: str, anymail: dict
) -> None:
    chosen, settings, esp, _host = settings_with(EMAIL_URL=url, ANYMAIL_WEBHOOK_SECRET="hook:pw")
    assert chosen == backend
    assert settings == anymail
    assert esp == backend.split(".")[2]


def test_an_smtp_url_still_picks_smtp() -> None:
    chosen, settings, esp, host = settings_with(EMAIL_URL="smtp://user:pw@mail.example:587")
    assert chosen == "clinic.mail.SmtpBackend"  # Django's, messages written by clinic.mail_speed
    assert host == "mail.example"
    assert esp == ""
    assert settings == {"WEBHOOK_SECRET": None}
