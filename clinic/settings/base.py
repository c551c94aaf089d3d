"""Settings shared by every environment, read from the process environment.

Defaults need no server at all: SQLite and Celery's filesystem transport live
under `var/`, and e-mail is written as `.eml` files under `var/mail/`. Setting
`DATABASE_URL` switches to PostgreSQL, `REDIS_URL` to Redis for the broker, the
result backend and the cache, and `EMAIL_URL` to a real mail server.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from clinic.storage import default_storage_from_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
for folder in (
    "mail",
    "media",
    "cache",
    "staticfiles",
    "celery/broker/in",
    "celery/broker/processed",
    "celery/results",
):
    (VAR_DIR / folder).mkdir(parents=True, exist_ok=True)

SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-key-change-me-in-production-0123456789")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

CLINIC_NAME = env.str("CLINIC_NAME", default="Smooth Skin Clinic")
# Shown where a patient must call (a change after the online cut-off) and in e-mails.
CLINIC_PHONE = env.str("CLINIC_PHONE", default="+7 495 123-45-67")
# Phones are stored in E.164 (django-phonenumber-field); a number typed without a
# country code ("8 916 555-12-34", "9165551234") is read as one of this region.
PHONENUMBER_DEFAULT_REGION = env.str("PHONENUMBER_DEFAULT_REGION", default="RU")
PHONENUMBER_DB_FORMAT = "E164"
# How a stored number reads on a page, in the admin and in an export.
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"

INSTALLED_APPS = [
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    # django-axes, named "Sign-in log" in the admin (clinic/apps.py).
    "clinic.apps.SignInLogConfig",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Phone fields and their error messages (in Russian too).
    "phonenumber_field",
    # E-mail through a provider, and its delivery webhooks (EMAIL_URL=anymail://...).
    "anymail",
    "clinic",
    "procedures",
    "patients",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view reads the query or the form: a NUL is a 400 naming the parameter.
    "clinic.http.RefuseNulMiddleware",
    # django-otp marks a session verified by a second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff: the idle timeout and the second factor (after messages: it says why you left).
    "clinic.staff_security.StaffSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.clinic",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another (PostgreSQL via psycopg 3).
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'clinic.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two bookings are
    # serialised instead of one failing with "database is locked" at COMMIT.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

# Cache: Redis when configured; otherwise files, so the web, worker and beat
# processes share it (beat's heartbeat lives there).
if REDIS_URL:
    CACHES = {
        # django-redis: one client per server, kept for the process; atomic increments
        # (the rate limits count every limited request with one).
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                # An unreachable Redis answers with an error within seconds instead
                # of holding a request (or beat's tick) until the kernel gives up.
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# Internationalisation: English and Russian; every user-facing string is translatable.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Our overrides of Django's date formats (clinic/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["clinic.formats"]
CLINIC_TIME_ZONE = env.str("CLINIC_TIME_ZONE", default="Europe/Moscow")
TIME_ZONE = CLINIC_TIME_ZONE
# Booking policy (clinic/availability.py): starts on a 15-minute grid of the clinic's
# wall clock, at least 2 hours from now, on a local date at most 90 days ahead.
SLOT_GRID_MINUTES = env.int("SLOT_GRID_MINUTES", default=15)
BOOKING_MIN_LEAD_MINUTES = env.int("BOOKING_MIN_LEAD_MINUTES", default=120)
BOOKING_MAX_DAYS_AHEAD = env.int("BOOKING_MAX_DAYS_AHEAD", default=90)
# The next free slots offered with a "just taken" answer are cached this many seconds
# (shared cache): advice only, re-checked when booked; 0 turns the cache off.
BOOKING_ALTERNATIVES_CACHE_SECONDS = env.int("BOOKING_ALTERNATIVES_CACHE_SECONDS", default=5)
# Patients cancel or move up to this many hours before the start (staff any time); a
# cancelled slot offered to a waitlisted patient is held for them this many hours.
PATIENT_CHANGE_CUTOFF_HOURS = env.int("PATIENT_CHANGE_CUTOFF_HOURS", default=24)
# A guest's booking code (issue #20): how long it lives and how many tries it allows.
GUEST_CODE_TTL_MINUTES = env.int("GUEST_CODE_TTL_MINUTES", default=10)
GUEST_CODE_ATTEMPTS = env.int("GUEST_CODE_ATTEMPTS", default=5)
WAITLIST_HOLD_HOURS = env.int("WAITLIST_HOLD_HOURS", default=3)
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the top of the site (/favicon.ico), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
# Uploaded files (patients' photos) live outside static/ and are only served through
# views that check who is asking: in this folder, or in the private bucket STORAGE_URL
# names (s3://bucket/prefix?endpoint_url=...; clinic/storage.py), which every web
# server and worker then shares. A URL the storage signs is valid this many seconds.
MEDIA_ROOT = VAR_DIR / "media"
STORAGE_URL = env.str("STORAGE_URL", default="")
STORAGE_SIGNED_URL_SECONDS = env.int("STORAGE_SIGNED_URL_SECONDS", default=60)
STORAGES = {
    "default": default_storage_from_url(
        STORAGE_URL, media_root=MEDIA_ROOT, signed_url_seconds=STORAGE_SIGNED_URL_SECONDS
    ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# E-mail: EMAIL_URL (e.g. smtp://host:25) or, unset, one .eml file per message
# under var/mail/ so a person trying the portal can open what patients receive.
# `anymail://<esp>?<setting>=<value>` sends through an e-mail provider with
# django-anymail (e.g. `anymail://postmark?server_token=...`, `anymail://mailgun?
# api_key=...&sender_domain=...`): the provider reports delivery, bounces and spam
# complaints to its tracking webhook under /anymail/<esp>/tracking/, protected by
# ANYMAIL_WEBHOOK_SECRET ("user:password" in the webhook's URL), onto the outbox rows.
EMAIL_URL = env.str("EMAIL_URL", default="")
# Only that provider's tracking webhook is mounted, and only with the secret set.
ANYMAIL: dict[str, Any] = {"WEBHOOK_SECRET": env.str("ANYMAIL_WEBHOOK_SECRET", default="") or None}
ANYMAIL_ESP = ""
if EMAIL_URL.startswith("anymail://"):
    _anymail = urlsplit(EMAIL_URL)
    ANYMAIL_ESP = (_anymail.hostname or "").replace("-", "_")
    EMAIL_BACKEND = f"anymail.backends.{ANYMAIL_ESP}.EmailBackend"
    ANYMAIL.update({f"{ANYMAIL_ESP}_{k}".upper(): v for k, v in parse_qsl(_anymail.query)})
elif EMAIL_URL:
    _email = env.email_url("EMAIL_URL")
    if _email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
        _email["EMAIL_BACKEND"] = "clinic.mail.SmtpBackend"  # the same, messages written faster
    globals().update(_email)
else:
    EMAIL_BACKEND = "clinic.mail.EmlFileBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
# Seconds an SMTP server may take to answer before the try fails and is retried later
# (without it a hung server would hold a send task until Celery kills it).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Smooth Skin Clinic <care@clinic.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Text messages (clinic/sms/): SMS_URL names the gateway as EMAIL_URL names the mail
# server: unset, one .txt per message under var/sms/; `console:`; or SMS.ru
# (`smsru://API_ID@sms.ru?from=Clinic`) and SMSC.ru (`smsc://LOGIN:PASSWORD@smsc.ru`).
# SMS_SENDER is the sender name when the URL gives none. No SMS goes out during
# SMS_QUIET_HOURS (from, until; the clinic's wall clock) unless waiting would be
# too late. Gateways report delivery to /sms/status/<SMS_CALLBACK_TOKEN>/ (no token:
# no callback; the poller asks them every few minutes for SMS_STATUS_POLL_HOURS).
SMS_URL = env.str("SMS_URL", default="")
SMS_FILE_PATH = str(VAR_DIR / "sms")
SMS_SENDER = env.str("SMS_SENDER", default="SmoothSkin")
SMS_TIMEOUT_SECONDS = env.float("SMS_TIMEOUT_SECONDS", default=10.0)
SMS_QUIET_HOURS = tuple(env.list("SMS_QUIET_HOURS", default=["21:00", "09:00"]))
SMS_CALLBACK_TOKEN = env.str("SMS_CALLBACK_TOKEN", default="")
SMS_STATUS_POLL_HOURS = env.int("SMS_STATUS_POLL_HOURS", default=48)

# django-axes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout policy: after AXES_FAILURE_LIMIT failed logins for one account from one
# address, that pair is locked for AXES_COOLOFF_TIME; the page says for how long.
# By the pair (not the address alone) so one office's shared address cannot lock
# out every patient, nor one attacker lock out a patient from home.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Django's login form posts the e-mail address as "username".
AXES_USERNAME_FORM_FIELD = "username"
# Our page says for how many minutes, in the visitor's language.
AXES_LOCKOUT_CALLABLE = "patients.records.account_views.locked_out"
# One answer to "which address is this?" for lockouts, rate limits, signatures and audit.
AXES_CLIENT_IP_CALLABLE = "clinic.http.client_address"
# The reverse proxies in front of the portal (addresses or networks, comma-separated):
# only from these is X-Forwarded-For believed, and then only its rightmost hop that is
# not one of them (clinic.http.client_address). Empty: the connection's own address.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# An API token not used for this long is refused; a new password revokes every token.
API_TOKEN_IDLE_MINUTES = env.int("API_TOKEN_IDLE_MINUTES", default=60 * 24 * 30)
AXES_HTTP_RESPONSE_CODE = 429
# The manager's sign-in log in the admin: logins (on by default), failed logins
# and lockouts. Failed logins are kept per account up to the limit below.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = env.int("AXES_FAILURE_LOG_PER_USER_LIMIT", default=200)

# Patients (issue 4): an intake is asked to be reviewed after this many months;
# uploaded photos are refused above these sizes (decompression bombs included).
INTAKE_VALID_MONTHS = env.int("INTAKE_VALID_MONTHS", default=12)
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=40_000_000)
# Photos are decoded and re-encoded by the worker (issue 21: three 40 MP photos held
# every web worker): at most this many pixels are decoded at once (a larger JPEG is
# decoded scaled down, patients/records/images.py). PHOTO_PROCESSING "celery" enqueues
# the work; "inline" does it in the uploading process (the test suite).
PHOTO_DECODE_MAX_PIXELS = env.int("PHOTO_DECODE_MAX_PIXELS", default=16_000_000)
PHOTO_PROCESSING = env.str("PHOTO_PROCESSING", default="celery")
# E-mail verification and other signed links stay valid this long.
EMAIL_VERIFICATION_MAX_AGE_DAYS = 3
# The clinic tablet (issue #20): a link the desk opens for one patient works this long;
# a drawn signature is at most this many bytes (PNG) and pixels a side.
TABLET_LINK_MINUTES = env.int("TABLET_LINK_MINUTES", default=30)
TABLET_SIGNATURE_MAX_BYTES = 300_000
TABLET_SIGNATURE_MAX_SIDE = 2000

# Staff workspace (issue 6): staff logins need a TOTP second factor when this is on
# (production turns it on; the demo leaves it off); staff sessions end after this many
# idle minutes (patients keep normal sessions). Reviews waiting longer than
# REVIEW_HIGHLIGHT_HOURS are highlighted; a review still pending
# REVIEW_AUTO_DECLINE_HOURS before its slot is declined automatically.
STAFF_REQUIRE_2FA = env.bool("STAFF_REQUIRE_2FA", default=False)
STAFF_IDLE_TIMEOUT_MINUTES = env.int("STAFF_IDLE_TIMEOUT_MINUTES", default=30)
REVIEW_HIGHLIGHT_HOURS = env.int("REVIEW_HIGHLIGHT_HOURS", default=48)
REVIEW_AUTO_DECLINE_HOURS = env.int("REVIEW_AUTO_DECLINE_HOURS", default=24)
OTP_TOTP_ISSUER = CLINIC_NAME

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: Redis when configured, else kombu's filesystem transport under var/.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "celery/broker/in"),
        "data_folder_out": str(VAR_DIR / "celery/broker/in"),
        "processed_folder": str(VAR_DIR / "celery/broker/processed"),
        "store_processed": False,
        "control_folder": str(VAR_DIR / "celery/control"),
        # The default polls the folder once a second; a quarter second keeps
        # /health/'s ping and the reminders snappy at negligible cost.
        "polling_interval": 0.25,
    }
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'celery/results'}"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=120)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=100)
# A task is acknowledged after it ran, and re-queued when its worker dies, so
# a killed worker never loses a message (sending is made idempotent elsewhere).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The worker and beat wait out a broker outage of any length and carry on when it
# returns (Celery's default gives up after 100 tries, about 50 minutes, and exits).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BEAT_SCHEDULER = "clinic.beat:HeartbeatDatabaseScheduler"
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")

# Patient messages (patients/reminders.py, patients/services/outbox.py): the
# appointment reminder this many real hours before the start; "window closing"
# this many days before a course window's last day; the intake renewal this many
# days before it expires. The dispatcher (every minute, from beat) claims at
# most OUTBOX_DISPATCH_BATCH due rows per run and reclaims rows left "sending"
# longer than OUTBOX_RECLAIM_MINUTES (a worker died), and enqueues one send
# task per OUTBOX_SEND_BATCH of them. OUTBOX_DELIVERY "celery" enqueues send tasks;
# "inline" sends in the process (the test suite).
APPOINTMENT_REMINDER_HOURS = env.int("APPOINTMENT_REMINDER_HOURS", default=24)
CLOSING_NOTICE_DAYS = env.int("CLOSING_NOTICE_DAYS", default=3)
INTAKE_RENEWAL_NOTICE_DAYS = env.int("INTAKE_RENEWAL_NOTICE_DAYS", default=14)
OUTBOX_DISPATCH_BATCH = env.int("OUTBOX_DISPATCH_BATCH", default=2000)
OUTBOX_SEND_BATCH = env.int("OUTBOX_SEND_BATCH", default=50)
OUTBOX_RECLAIM_MINUTES = env.float("OUTBOX_RECLAIM_MINUTES", default=10.0)
# A failed try is tried again OUTBOX_RETRY_FIRST_SECONDS later, then twice as long each
# time up to OUTBOX_RETRY_MAX_SECONDS apart, until OUTBOX_RETRY_HOURS after the first
# failure: then the row is "failed" for staff (an SMTP or SMS outage of a few hours
# loses nothing). The dispatcher (every minute) takes the retries when they are due.
OUTBOX_RETRY_FIRST_SECONDS = env.int("OUTBOX_RETRY_FIRST_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600)
OUTBOX_RETRY_HOURS = env.float("OUTBOX_RETRY_HOURS", default=6.0)
OUTBOX_DELIVERY = env.str("OUTBOX_DELIVERY", default="celery")

# How long ago beat's last tick may be before /health/ calls beat down.
BEAT_HEARTBEAT_MAX_AGE_SECONDS = env.int("BEAT_HEARTBEAT_MAX_AGE_SECONDS", default=60)
HEALTH_WORKER_TIMEOUT_SECONDS = env.float("HEALTH_WORKER_TIMEOUT_SECONDS", default=5.0)
# /health/ runs its checks at most this often (one request at a time, clinic/health.py),
# and shows what is down and why only to a request with this token in the
# X-Health-Check-Token header; without a token set, nobody sees more than up or down.
HEALTH_CACHE_SECONDS = env.float("HEALTH_CACHE_SECONDS", default=5.0)
HEALTH_CHECK_TOKEN = env.str("HEALTH_CHECK_TOKEN", default="")

# The catalogue (procedures): the seed's price floor for treatments (the
# consultation is exempt), and how long a process keeps a procedure's screening
# rules before re-reading them, so an admin edit reaches every process within it.
PROCEDURE_PRICE_FLOOR_RUB = Decimal("3500")
SCREENING_RULES_TTL_SECONDS = env.int("SCREENING_RULES_TTL_SECONDS", default=60)
# Public pages (home, catalogue, procedure pages, scar guide) are kept this long in the
# shared cache for anonymous visitors, per language; a catalogue edit replaces them at
# once (procedures/page_cache.py); each process looks for an edit made elsewhere at most
# this often. PUBLIC_PAGE_CACHE_SECONDS=0 serves every page live.
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=300)
PUBLIC_PAGE_GENERATION_CHECK_SECONDS = env.float(
    "PUBLIC_PAGE_GENERATION_CHECK_SECONDS", default=1.0
)

# Rate limits (clinic/ratelimit.py): "N/period" per address and per account (login:
# per address, and per account at an address, so strangers never refuse the owner).
RATE_LIMIT_ENABLED = env.bool("RATE_LIMIT_ENABLED", default=True)
RATE_LIMITS = {
    "login": env.str("RATE_LIMIT_LOGIN", default="20/5m"),
    "password_reset": env.str("RATE_LIMIT_PASSWORD_RESET", default="5/h"),
    "register": env.str("RATE_LIMIT_REGISTER", default="10/h"),
    "token": env.str("RATE_LIMIT_TOKEN", default="20/5m"),
    "screening": env.str("RATE_LIMIT_SCREENING", default="120/m"),
    "booking": env.str("RATE_LIMIT_BOOKING", default="30/m"),
    # Codes sent to a guest booking a consultation (per address and per e-mail).
    "guest_code": env.str("RATE_LIMIT_GUEST_CODE", default="5/h"),
    # Per patient, whoever uploads (the patient or the clinic).
    "photo_upload": env.str("RATE_LIMIT_PHOTO_UPLOAD", default="20/h"),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's, reading the patient profile with the user (clinic/authentication.py).
        "clinic.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["clinic.ratelimit.RateLimitThrottle"],
    # drf-spectacular's, documenting the 413 and 429 every view may answer.
    "DEFAULT_SCHEMA_CLASS": "clinic.api_schema.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON without lone surrogates (clinic.api.JSONParser), forms and multipart as DRF reads them.
    "DEFAULT_PARSER_CLASSES": [
        "clinic.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "clinic.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Clinic portal API",
    "DESCRIPTION": "Procedure catalogue, contraindication screening and booking.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files: nothing loads from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Content-Security-Policy in every environment, so the browser tests catch an
# inline script or style before production does: nothing from other origins,
# no inline code without a nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No patient's e-mail or phone number in a log line or traceback, and a refused
    # request (403) in one line without its traceback (clinic/logging.py).
    "filters": {
        "one_line_refusals": {"()": "clinic.logging.RefusalsInOneLine"},
        "redact": {"()": "clinic.logging.RedactPersonalData"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["one_line_refusals", "redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # axes announces itself at INFO on every start; lockouts are WARNING.
        "axes": {"level": "WARNING"},
    },
}
AUTH_USER_MODEL = "clinic.User"

# The demo clinic (`seed_demo`): every demo login uses this password.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="clinic-demo-2026")
PORT = env.int("PORT", default=8000)
# The portal's public address, for links in e-mails sent outside a request (a
# waitlist offer is made when somebody else cancels, reminders by the worker). Every
# process must see the same one: `make run` exports it for web, worker and beat, and
# production refuses to start without it. The default only suits a lone runserver.
PORTAL_URL = env.str("PORTAL_URL", default=f"http://127.0.0.1:{PORT}")

# The treatment record (patients/records/treatment, issue #17). Completing an
# appointment needs its chart signed; an erasure request locks a patient's record
# for this many years instead of deleting it (Russian medical records: 25 years,
# *policy*); patients see the device settings of their own charts only when the
# clinic turns that on; "how is your skin?" goes out this many days after a session
# of the deep, fractional and focal washout groups.
COMPLETE_REQUIRES_SIGNED_CHART = env.bool("COMPLETE_REQUIRES_SIGNED_CHART", default=True)
TREATMENT_RECORD_RETENTION_YEARS = env.int("TREATMENT_RECORD_RETENTION_YEARS", default=25)
PATIENT_CHART_SHOWS_SETTINGS = env.bool("PATIENT_CHART_SHOWS_SETTINGS", default=False)
SKIN_CHECK_AFTER_DAYS = env.int("SKIN_CHECK_AFTER_DAYS", default=2)
# Outcomes (issue #18): the patient is asked to rate their result (how much the scars
# bother them, how satisfied they are with the change) this many days after a session.
SELF_ASSESSMENT_AFTER_DAYS = env.int("SELF_ASSESSMENT_AFTER_DAYS", default=7)
# Its link works until this many days after the session's end (that day included, in
# the clinic's calendar), since a rating given long after says little about that
# session; the token carries no date, so links already sent follow this setting too.
SELF_ASSESSMENT_LINK_DAYS = env.int("SELF_ASSESSMENT_LINK_DAYS", default=60)
