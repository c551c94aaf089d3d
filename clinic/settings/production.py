"""Production settings: refuse to start without the secrets a real clinic must set."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

# PORTAL_URL: links in messages sent outside a request (the worker) need the public address.
for required in ("SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL", "PORTAL_URL"):
    if not env.str(required, default=""):
        raise ImproperlyConfigured(f"Production settings need the environment variable {required}.")

# An e-mail provider's delivery reports are only taken with the webhook's secret.
if env.str("EMAIL_URL").startswith("anymail://") and not env.str(
    "ANYMAIL_WEBHOOK_SECRET", default=""
):
    raise ImproperlyConfigured(
        "Production settings need ANYMAIL_WEBHOOK_SECRET when EMAIL_URL is anymail://."
    )

# DEBUG can never be on in production, whatever the environment says.
DEBUG = False
# Staff always log in with a second factor in production.
STAFF_REQUIRE_2FA = env.bool("STAFF_REQUIRE_2FA", default=True)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
