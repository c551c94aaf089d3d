"""More than one web server (issue 21): two gunicorn servers on different ports over one
PostgreSQL, one Redis and one S3-compatible bucket (moto's standalone server, started
here) behave as one portal: a photo uploaded through one (and processed by a real Celery
worker sharing the bucket) is served by the other, 50
parallel bookings of one slot split across both make one appointment, and a session
started on one is valid on the other.

PostgreSQL and Redis only: on SQLite the two servers would share a file on one host,
which proves nothing about two hosts (CI runs this on PostgreSQL and Redis)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import boto3
import pytest
import requests
from django.conf import settings
from rest_framework.authtoken.models import Token

from bench.server import Server, answers, free_port, gunicorn, stop
from clinic.models import User
from conftest import celery_env, start_celery, stop_process
from patients.models import Appointment, Photo
from patients.tests.booking_fixtures import Clinic, ready
from patients.tests.factories import jpeg_bytes, make_patient

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
        or not settings.REDIS_URL,
        reason="two servers need a shared PostgreSQL and Redis (CI runs this with both)",
    ),
    pytest.mark.usefixtures("migrated_data"),
]

ATTEMPTS = 50
BUCKET = "clinic-two-servers"
KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@dataclass(frozen=True)
class Bucket:
    endpoint: str

    @property
    def storage_url(self) -> str:
        return (
            f"s3://{BUCKET}/media?endpoint_url={self.endpoint}&region_name=us-east-1"
            "&addressing_style=path"
        )

    def keys(self) -> set[str]:
        s3 = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
        )
        return {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


@pytest.fixture(scope="module")
def bucket() -> Iterator[Bucket]:
    """moto's standalone S3 server, started for these tests, with an empty bucket."""
    port = free_port()
    moto_server = str(Path(sys.executable).with_name("moto_server"))
    log = open(Path(settings.TEST_RUN_DIR) / "moto.log", "ab")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [moto_server, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 30
        while not answers(port, "/moto-api/"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"moto_server did not start; see {log.name}")
            time.sleep(0.2)
        endpoint = f"http://127.0.0.1:{port}"
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
        ).create_bucket(Bucket=BUCKET)
        yield Bucket(endpoint=endpoint)
    finally:
        stop(process, grace=5)
        log.close()


@pytest.fixture(scope="module")
def servers(bucket: Bucket) -> Iterator[tuple[Server, Server]]:
    env = celery_env({"STORAGE_URL": bucket.storage_url, "PHOTO_PROCESSING": "celery", **KEYS})
    args = ["--workers", "2", "--threads", "8", "--timeout", "60"]
    log = Path(settings.TEST_RUN_DIR)
    with (
        gunicorn(env=env, args=args, log=log / "web-a.log", cwd=settings.BASE_DIR) as first,
        gunicorn(env=env, args=args, log=log / "web-b.log", cwd=settings.BASE_DIR) as second,
    ):
        yield first, second


@pytest.fixture
def photo_worker(bucket: Bucket) -> Iterator[subprocess.Popen[bytes]]:
    """A real Celery worker on this run's queue, reading and writing the same bucket."""
    process = start_celery(
        "worker",
        "--loglevel=INFO",
        "--pool=solo",
        "--without-gossip",
        "--without-mingle",
        "-Q",
        settings.CELERY_TASK_DEFAULT_QUEUE,
        log_name="photo-worker",
        extra_env={"STORAGE_URL": bucket.storage_url, **KEYS},
    )
    yield process
    stop_process(process)


def url(server: Server, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


def sign_in(browser: requests.Session, server: Server, user: User, password: str) -> None:
    browser.get(url(server, "/accounts/login/"), timeout=30)
    response = browser.post(
        url(server, "/accounts/login/"),
        data={
            "username": user.email,
            "password": password,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:500]


def test_a_session_started_on_one_server_is_valid_on_the_other(
    servers: tuple[Server, Server],
) -> None:
    first, second = servers
    user = make_patient(email="both@example.test")
    browser = requests.Session()
    sign_in(browser, first, user, "pw-patient")
    response = browser.get(url(second, "/me/photos/"), allow_redirects=False, timeout=30)
    assert response.status_code == 200
    # ...and a stranger's request to the same page is sent to sign in.
    stranger = requests.get(url(second, "/me/photos/"), allow_redirects=False, timeout=30)
    assert stranger.status_code == 302


def test_a_photo_uploaded_through_one_server_is_served_by_the_other_from_the_bucket(
    servers: tuple[Server, Server], bucket: Bucket, photo_worker: subprocess.Popen[bytes]
) -> None:
    first, second = servers
    user = make_patient(email="photo@example.test")
    browser = requests.Session()
    sign_in(browser, first, user, "pw-patient")
    response = browser.post(
        url(first, "/me/photos/"),
        data={"note": "cheek", "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        files={"image": ("face.jpg", jpeg_bytes((320, 240)), "image/jpeg")},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302, response.text[:500]
    # The upload returned at once; the worker decodes it from the bucket and stores the result.
    photo = Photo.objects.get(patient=user.patient_profile)
    deadline = time.monotonic() + 90
    while photo.status == Photo.Status.PROCESSING and time.monotonic() < deadline:
        time.sleep(0.5)
        photo.refresh_from_db()
    assert photo.status == Photo.Status.READY
    assert photo.source_name == ""

    served = browser.get(url(second, f"/photos/{photo.uuid}/full/"), timeout=30)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.content[:3] == b"\xff\xd8\xff"
    thumb = browser.get(url(second, f"/photos/{photo.uuid}/thumb/"), timeout=30)
    assert thumb.status_code == 200

    # The files are in the bucket, under the storage's prefix, and in no local folder.
    keys = bucket.keys()
    assert {f"media/{photo.file_name}", f"media/{photo.thumbnail_name}"} <= keys
    assert not (Path(settings.MEDIA_ROOT) / photo.file_name).exists()
    # Nobody else gets it from either server.
    other = make_patient(email="other-photo@example.test")
    stranger = requests.Session()
    sign_in(stranger, second, other, "pw-patient")
    for server in servers:
        refused = stranger.get(url(server, f"/photos/{photo.uuid}/full/"), timeout=30)
        assert refused.status_code == 404


def test_fifty_parallel_bookings_split_across_two_servers_make_one_appointment(
    servers: tuple[Server, Server], clinic_setup: Clinic
) -> None:
    users = [make_patient(email=f"racer{n}@example.test") for n in range(ATTEMPTS)]
    for user in users:
        ready(user, "peel")
    tokens = [Token.objects.create(user=user).key for user in users]
    # A slot the servers' real clock accepts: three days ahead, 10:00 at the clinic.
    clinic_zone = ZoneInfo(settings.TIME_ZONE)
    day = dt.datetime.now(clinic_zone).date() + dt.timedelta(days=3)
    slot = dt.datetime.combine(day, dt.time(10), tzinfo=clinic_zone)
    body = {
        "procedure": "glycolic-peel",
        "start": slot.isoformat(),
        "practitioner": clinic_setup.derm.pk,
    }

    def attempt(number: int) -> tuple[int, str]:
        server = servers[number % 2]
        response = requests.post(
            url(server, "/api/v1/appointments/"),
            json=body,
            headers={"Authorization": f"Token {tokens[number]}"},
            timeout=120,
        )
        payload = response.json()
        return response.status_code, payload.get("status") or payload.get("code", "")

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        results = list(pool.map(attempt, range(ATTEMPTS)))

    assert Counter(status for status, _code in results) == {201: 1, 409: ATTEMPTS - 1}, results
    assert {code for status, code in results if status == 409} == {"slot_taken"}
    appointment = Appointment.objects.get()
    assert appointment.start == slot
