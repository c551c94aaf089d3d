"""The settings read the environment: defaults need no server, URLs are honoured,
production refuses to start without its secrets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'db_name': str(s.DATABASES['default']['NAME']), 'broker': s.CELERY_BROKER_URL, "
    "'cache': s.CACHES['default']['BACKEND'], 'email': s.EMAIL_BACKEND, "
    "'tz': s.TIME_ZONE, 'use_tz': s.USE_TZ, 'debug': s.DEBUG, "
    "'hasher': s.PASSWORD_HASHERS[0]}))"
)
SERVICE_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "PORTAL_URL",
)


def run_with(module: str, tmp_path: Path, **env_vars: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env.update({"DJANGO_SETTINGS_MODULE": module, "VAR_DIR": str(tmp_path / "var"), **env_vars})
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def probe(module: str, tmp_path: Path, **env_vars: str) -> dict[str, object]:
    import json

    result = run_with(module, tmp_path, **env_vars)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_defaults_need_no_server(tmp_path: Path) -> None:
    found = probe("clinic.settings.local", tmp_path)
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["db_name"] == str(tmp_path / "var" / "clinic.sqlite3")
    assert found["broker"] == "filesystem://"
    assert found["cache"].endswith("FileBasedCache")
    assert found["email"] == "clinic.mail.EmlFileBackend"
    assert found["tz"] == "Europe/Moscow"
    assert found["use_tz"] is True
    assert found["hasher"].endswith("Argon2PasswordHasher")
    for folder in ("mail", "media", "celery/broker/in", "celery/results"):
        assert (tmp_path / "var" / folder).is_dir()


def test_database_and_redis_urls_are_honoured(tmp_path: Path) -> None:
    found = probe(
        "clinic.settings.local",
        tmp_path,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/clinic_probe",
        REDIS_URL="redis://127.0.0.1:6379/3",
        CLINIC_TIME_ZONE="Europe/Berlin",
        EMAIL_URL="smtp://mail.example:2525",
    )
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["db_name"] == "clinic_probe"
    assert found["broker"] == "redis://127.0.0.1:6379/3"
    assert found["cache"] == "django_redis.cache.RedisCache"
    assert found["email"] == "clinic.mail.SmtpBackend"
    assert found["tz"] == "Europe/Berlin"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL", "PORTAL_URL"])
def test_production_refuses_to_start_without_secrets(tmp_path: Path, missing: str) -> None:
    env_vars = {
        "SECRET_KEY": "a-long-random-production-secret-key-with-enough-entropy-0987654321",
        "ALLOWED_HOSTS": "clinic.example",
        "EMAIL_URL": "smtp://mail.example:25",
        "PORTAL_URL": "https://clinic.example",
    }
    del env_vars[missing]
    result = run_with("clinic.settings.production", tmp_path, **env_vars)
    assert result.returncode != 0
    assert f"Production settings need the environment variable {missing}" in result.stderr


def test_production_passes_deploy_check_and_never_debugs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "clinic.settings.production",
            "VAR_DIR": str(tmp_path / "var"),
            "SECRET_KEY": "k3y-" + "x9Q2vL7pT4mZ8rW1" * 4,
            "ALLOWED_HOSTS": "clinic.example",
            "EMAIL_URL": "smtp://mail.example:25",
            "PORTAL_URL": "https://clinic.example",
            "DEBUG": "true",
        }
    )
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    found = probe(
        "clinic.settings.production",
        tmp_path,
        **{k: env[k] for k in ("SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL", "PORTAL_URL", "DEBUG")},
    )
    assert found["debug"] is False
