"""Request helpers every app uses: where a request came from, and what may keep its answer.

- `client_address(request)` is the one answer to "which address is this?": django-axes
  (`AXES_CLIENT_IP_CALLABLE`), the rate limits, consent signatures and the audit log all
  ask it, so a lockout, a limit and a signed consent always name the same address. It is
  the connection's own address (`REMOTE_ADDR`), unless that is one of the
  `TRUSTED_PROXIES` (addresses or networks): then it is the rightmost address of
  `X-Forwarded-For` that is not a trusted proxy, the last hop no proxy of ours vouches
  for. Anything left of it was written by the client and is never believed; a header
  from anyone but a trusted proxy is ignored whole.
- Pages with health or personal data are never kept by a shared cache or the browser's
  back button: `no_store` marks a view's every answer `Cache-Control: private, no-store`.
- Staff pages outside the admin's own views still look like the admin (its header, its
  links): `admin_page` renders them with the admin's context, never stored either.
- A NUL character is refused in one place, `RefuseNulMiddleware`, before any view reads
  the request: PostgreSQL cannot hold one in a string, so `?q=%00` in a search box (or
  in a filter, a slug, a form field) would be a database error. The path, every query
  parameter and every field of a URL-encoded form body are checked; the answer is a
  400 naming the parameter (the API's JSON error under /api/). Multipart bodies are left
  to the forms (their text fields refuse NUL themselves), so uploads stream as before.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from functools import lru_cache, wraps
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .models import User

# Any answer a view gives (a page, a redirect, a file).
View = Callable[..., HttpResponseBase]
NO_STORE = "private, no-store"


class SignedInRequest(HttpRequest):
    """The request of a view behind `login_required` or `role_required`.

    Only a type: Django hands every view an `HttpRequest`, and these decorators are what
    make its `user` a signed-in clinic `User`, never `AnonymousUser`.
    """

    user: User


def signed_in_user(request: HttpRequest) -> User:
    """The user of a request that a login check has passed (the admin's own, for one).

    For views whose signature can say so, `SignedInRequest` does this without a check;
    admin methods keep Django's `HttpRequest` and ask here.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def trusted_proxies() -> tuple[Network, ...]:
    """The TRUSTED_PROXIES setting as networks (a lone address is a /32 or /128)."""
    entries: Iterable[str] = getattr(settings, "TRUSTED_PROXIES", ()) or ()
    if isinstance(entries, str):
        entries = entries.split(",")
    return _networks(tuple(entries))


def _address(text: str) -> Address | None:
    """An address as a proxy writes it: bare, `[v6]:port` or `v4:port`; None if not one."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, proxies: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from, or None when the server was not told.

    Behind trusted proxies, the rightmost X-Forwarded-For hop that is not one of them.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = trusted_proxies()
    peer = _address(remote) if remote else None
    if peer is None or not proxies or not _trusted(peer, proxies):
        return remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed([hop for hop in hops if hop.strip()]):
        address = _address(hop)
        if address is None:  # garbage our proxy passed on: believe no further
            return str(peer)
        if not _trusted(address, proxies):
            return str(address)
        peer = address
    return str(peer)  # every hop is a proxy of ours: the leftmost one


def no_store(view: View) -> View:
    """Mark every answer of `view` private and not to be stored."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = NO_STORE
        return response

    return wrapper


def admin_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    status: int = 200,
    *,
    sidebar: bool = True,
) -> HttpResponse:
    """A staff page in the admin's look (its header, links and title), never stored.

    `sidebar=False` leaves out the admin's navigation sidebar: the treatment room's pages
    (chart, grading, session photos) are used on a tablet that needs the width.
    """
    context = {**admin.site.each_context(request), **context}
    if not sidebar:
        context["is_nav_sidebar_enabled"] = False
    response = render(request, template, context, status=status)
    response["Cache-Control"] = NO_STORE
    return response


NUL = "\x00"
# clinic.api's prefix and error shape; not imported from there, as DRF's settings import
# clinic.api while the middleware loads.
API_PREFIX = "/api/"
FORM_BODY = "application/x-www-form-urlencoded"


def nul_field(request: HttpRequest) -> str | None:
    """The name of the first parameter holding a NUL character ("path" for the path)."""
    if NUL in request.path:
        return "path"
    sources = [request.GET]
    if request.method == "POST" and request.content_type == FORM_BODY:
        sources.append(request.POST)
    for source in sources:
        for key, values in source.lists():
            if NUL in key or any(NUL in value for value in values):
                return key.replace(NUL, "")
    return None


class RefuseNulMiddleware:
    """Answer 400 naming the parameter when the path, the query or a form holds a NUL."""

    def __init__(self, get_response: View) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        field = nul_field(request)
        if field is None:
            return self.get_response(request)
        message = _("“%(field)s” holds a NUL character, which no input may contain.") % {
            "field": field
        }
        if request.path.startswith(API_PREFIX):
            body = {"code": "invalid", "detail": message, "field": field, field: [message]}
            return JsonResponse(body, status=400)
        return render(request, "bad_input.html", {"message": message, "field": field}, status=400)
