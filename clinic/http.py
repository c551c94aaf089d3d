"""Request helpers every app uses: where a request came from, and what may keep its answer.

- `client_address(request)` is the one answer to "which address is this?": django-axes
  (`AXES_CLIENT_IP_CALLABLE`), the rate limits, consent signatures and the audit log all
  ask it, so a lockout, a limit and a signed consent always name the same address. It is
  the connection's own address (`REMOTE_ADDR`); the portal trusts no forwarded header.
- Pages with health or personal data are never kept by a shared cache or the browser's
  back button: `no_store` marks a view's every answer `Cache-Control: private, no-store`.
- Staff pages outside the admin's own views still look like the admin (its header, its
  links): `admin_page` renders them with the admin's context, never stored either.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

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


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from, or None when the server was not told."""
    return request.META.get("REMOTE_ADDR") or None


def no_store(view: View) -> View:
    """Mark every answer of `view` private and not to be stored."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = NO_STORE
        return response

    return wrapper


def admin_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """A staff page in the admin's look (its header, links and title), never stored."""
    response = render(
        request, template, {**admin.site.each_context(request), **context}, status=status
    )
    response["Cache-Control"] = NO_STORE
    return response
