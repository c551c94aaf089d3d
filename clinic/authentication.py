"""The API's tokens: checked (settings.REST_FRAMEWORK's first authentication class), expired
when idle, and revoked with the password.

- A token ends with the password: setting a new one (the change and reset pages, the
  admin, `changepassword`) deletes the user's tokens (`clinic.tokens.revoke_tokens_on_new_password`,
  connected in `ClinicConfig.ready`: the one place every way of setting a password
  passes through).
- A token not used for `API_TOKEN_IDLE_MINUTES` is refused and deleted. DRF's token
  keeps one time, `created`; it is moved forward on use (at most once a minute, so a
  busy client does not write on every request) and so means "last used".
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

TOUCH_EVERY = dt.timedelta(minutes=1)


def idle_limit() -> dt.timedelta:
    return dt.timedelta(minutes=settings.API_TOKEN_IDLE_MINUTES)


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token check, reading the user's patient profile in the same query.

    The same answers as DRF's (a deleted token or an inactive user is refused at
    once); the patient API's `profile_of` then needs no query of its own. A token
    idle too long is refused (and deleted).
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        try:
            token = Token.objects.select_related("user", "user__patient_profile").get(key=key)
        except Token.DoesNotExist:
            raise AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        now = timezone.now()
        if now - token.created > idle_limit():
            token.delete()
            raise AuthenticationFailed(_("The token expired: ask for a new one."))
        if now - token.created > TOUCH_EVERY:
            Token.objects.filter(pk=token.pk).update(created=now)
        return token.user, token
