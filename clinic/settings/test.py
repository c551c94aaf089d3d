"""Settings for the test suite: fast hashing, no DEBUG, the same services as configured.

Each test run gets its own Celery queue, broker folders and cache prefix
(`TEST_RUN_ID`), so a `make run` on the same machine and the suite never
consume each other's tasks or heartbeats. Worker and beat processes started by
the tests inherit the id through the environment.
"""

import uuid

from clinic.storage import default_storage_from_url

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, REDIS_URL, STORAGE_URL, STORAGES, VAR_DIR, env

DEBUG = False
# Limits are switched on by the tests that check them; elsewhere they would only
# make the suite depend on how many requests one test happens to send.
RATE_LIMIT_ENABLED = False
# Likewise the public pages' cache: a test that edits the catalogue inside its rolled-back
# transaction would leave a page behind for the next one. The page-cache tests turn it on.
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=0)
# The booking and course tests complete sessions without charting them; the treatment
# record's tests (patients/records/treatment/tests) turn the rule on where they test it.
COMPLETE_REQUIRES_SIGNED_CHART = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# In memory, unless a test's worker process is pointed at a real SMTP server (EMAIL_URL).
if not env.bool("TEST_USE_EMAIL_URL", default=False):
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The e-mail provider's tracking webhook the tests post reports to (Postmark's: basic auth).
ANYMAIL_ESP = "postmark"
ANYMAIL = {"WEBHOOK_SECRET": "postmark:s3cret-hook"}
# Outbox messages are sent in the test process; worker processes started by a
# test get OUTBOX_DELIVERY=celery from conftest.celery_env().
OUTBOX_DELIVERY = env.str("OUTBOX_DELIVERY", default="inline")
# Photos likewise are processed in the uploading process unless a test says otherwise.
PHOTO_PROCESSING = env.str("PHOTO_PROCESSING", default="inline")
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

TEST_RUN_ID = env.str("TEST_RUN_ID", default=uuid.uuid4().hex[:12])
TEST_RUN_DIR = VAR_DIR / "test-runs" / TEST_RUN_ID
TEST_RUN_DIR.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = TEST_RUN_DIR / "media"
# The run's own folder, unless a test's servers are pointed at a bucket (STORAGE_URL).
STORAGES["default"] = default_storage_from_url(STORAGE_URL, media_root=MEDIA_ROOT)

CELERY_TASK_DEFAULT_QUEUE = f"test-{TEST_RUN_ID}"
CACHES["default"]["KEY_PREFIX"] = TEST_RUN_ID
if not REDIS_URL:
    for folder in ("broker/in", "broker/processed", "results"):
        (TEST_RUN_DIR / "celery" / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(TEST_RUN_DIR / "celery/broker/in"),
        "data_folder_out": str(TEST_RUN_DIR / "celery/broker/in"),
        "processed_folder": str(TEST_RUN_DIR / "celery/broker/processed"),
        "store_processed": False,
        "control_folder": str(TEST_RUN_DIR / "celery/control"),
        # The reliability tests poll faster (a worker takes one message per poll).
        "polling_interval": env.float("CELERY_POLLING_INTERVAL", default=0.25),
    }
    CELERY_RESULT_BACKEND = f"file://{TEST_RUN_DIR / 'celery/results'}"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so worker and beat processes started by a test see the same data.
    DATABASES["default"]["TEST"] = {"NAME": str(TEST_RUN_DIR / "test.sqlite3")}

# Text messages stay in memory (clinic.sms.local.sent_texts).
SMS_URL = env.str("TEST_SMS_URL", default="locmem:")
