"""Rate limits: too many attempts from one address or at one account get a 429.

Each limited action has a scope with a policy in `settings.RATE_LIMITS`, written
"N/period" ("10/5m": ten in five minutes; periods in s, m, h or d). A request
is counted against every identity it carries: always its address, and the
account when one is known (the e-mail typed into a reset form, the signed-in
user). Counting by account as well as by address means one busy clinic address
shared by many patients is not the only key.

Where a stranger could otherwise shut the owner out (login, the password reset,
the API token), the account is counted together with the address
(`account_with_address`), as django-axes locks them (AXES_LOCKOUT_PARAMETERS),
plus the address alone. Strangers at an account from elsewhere (or behind the
proxy, each with their own forwarded address, `clinic.http.client_address`) never
refuse the owner from theirs; many addresses trying one account are each slowed by
the per-address limit (and, at login, each locked by axes for that account and
address).

Windows are fixed (they start on multiples of the period), counted in the shared
cache, so every web process sees the same counts. Identities are hashed before
they become cache keys: an e-mail address never sits in the cache in clear.

HTML views use the `rate_limited` decorator; API views use `RateLimitThrottle`,
which DRF turns into a 429 with `Retry-After` itself. Both call `hit()`, the
one place the rule lives. Set `RATE_LIMIT_ENABLED=false` to switch all limits
off (the test settings do, and the rate-limit tests switch them back on).
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import BaseThrottle

from .http import client_address

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


@dataclass(frozen=True)
class Limit:
    """`count` requests per `seconds`."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, spec: str) -> Limit:
        match = _SPEC.match(spec)
        if not match:
            raise ValueError(f"A rate limit looks like '10/5m', not {spec!r}")
        count, multiple, unit = match.groups()
        return cls(int(count), int(multiple or 1) * _UNITS[unit])


def limit_for(scope: str) -> Limit:
    """The policy of a scope, read from the settings at call time."""
    return Limit.parse(settings.RATE_LIMITS[scope])


def _key(scope: str, identity: str, window: int) -> str:
    digest = hashlib.sha256(identity.strip().lower().encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}:{window}"


def hit(scope: str, identities: Iterable[str | None], *, now: float | None = None) -> int | None:
    """Count one request for each identity; the seconds to wait if any is over its limit."""
    if not settings.RATE_LIMIT_ENABLED:
        return None
    limit = limit_for(scope)
    now = time.time() if now is None else now
    window = int(now // limit.seconds)
    over = False
    for identity in {i for i in identities if i}:
        key = _key(scope, identity, window)
        # add() then incr(): atomic on Redis; on the file cache a lost count
        # under a race only makes the limit a little more generous.
        cache.add(key, 0, timeout=limit.seconds + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # the key expired between add() and incr()
            cache.set(key, 1, timeout=limit.seconds + 1)
            count = 1
        over = over or count > limit.count
    if not over:
        return None
    return max(1, math.ceil((window + 1) * limit.seconds - now))


def identities(request: Any, account: str | None, *, account_with_address: bool) -> list[str]:
    """What one request is counted as: its address, the account it names (alone, or at
    that address), and the signed-in user."""
    address = client_address(request) or "-"
    found = [f"ip:{address}"]
    if account:
        found.append(
            f"account-at:{address}:{account}" if account_with_address else f"account:{account}"
        )
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        found.append(f"user:{user.pk}")
    return found


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    """The page a person sees when they hit a limit, with the standard header."""
    response = render(
        request,
        "ratelimited.html",
        {"retry_after_minutes": max(1, math.ceil(retry_after / 60))},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def rate_limited(
    scope: str,
    *,
    methods: tuple[str, ...] = ("POST",),
    account: Callable[[HttpRequest], str | None] | None = None,
    account_with_address: bool = False,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Limit a function view (or `dispatch`) per address and, if given, per account.

    With `account_with_address`, the account is counted per address (the login's rule).
    """

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method in methods:
                who = account(request) if account is not None else None
                retry_after = hit(
                    scope, identities(request, who, account_with_address=account_with_address)
                )
                if retry_after is not None:
                    return too_many_requests(request, retry_after)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class RateLimitThrottle(BaseThrottle):
    """The API's default throttle: limits views that set `rate_limit_scope`.

    Installed for every API view in REST_FRAMEWORK's DEFAULT_THROTTLE_CLASSES,
    so an app declares its scope without importing this module. A view may also
    set `rate_limit_account(request) -> str | None` to count per account, and
    `rate_limit_account_with_address = True` to count that account per address.
    """

    _wait: int | None = None

    def allow_request(self, request: Any, view: Any) -> bool:
        scope = getattr(view, "rate_limit_scope", None)
        if scope is None or request.method in SAFE_METHODS:
            return True
        account = getattr(view, "rate_limit_account", None)
        who = account(request) if account is not None else None
        with_address = getattr(view, "rate_limit_account_with_address", False)
        self._wait = hit(scope, identities(request, who, account_with_address=with_address))
        return self._wait is None

    def wait(self) -> float | None:
        return None if self._wait is None else float(self._wait)
