"""Staff sessions: a second factor (TOTP) and an idle timeout.

Domain rules:
- When `settings.STAFF_REQUIRE_2FA` is on (production), a staff member (an
  `is_staff` login or anyone holding a clinic role) reaches no staff page (the
  admin, the staff workspace, `/staff/...`) until this session was verified with
  a TOTP token: without a confirmed device they are sent to set one up (a QR
  code to scan), with one to the verify page. Patients are never asked.
- A staff session ends after `settings.STAFF_IDLE_TIMEOUT_MINUTES` without a
  request: a shared reception computer must not stay logged in. Patients keep
  Django's normal sessions.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from .http import admin_page
from .roles import is_staff_member

LAST_SEEN_KEY = "staff_last_seen"
GUARDED_PREFIXES = ("/admin/", "/staff/")


def is_staff_login(user: Any) -> bool:
    """A logged-in member of the staff (the admin flag or any clinic role)."""
    return bool(user.is_authenticated and (user.is_staff or is_staff_member(user)))


def _exempt(path: str) -> bool:
    return path.startswith(
        (
            reverse("staff-otp-setup"),
            reverse("staff-otp-verify"),
            reverse("admin:login"),
            reverse("admin:logout"),
            reverse("admin:jsi18n"),
        )
    )


class StaffSecurityMiddleware:
    """The idle timeout and the second factor for staff sessions (after OTPMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if is_staff_login(user):
            now = int(time.time())
            last = request.session.get(LAST_SEEN_KEY)
            if last is not None and now - int(last) > settings.STAFF_IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
                messages.info(request, _("You were logged out after a period of inactivity."))
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse('admin:login')}?{query}")
            request.session[LAST_SEEN_KEY] = now
            if (
                settings.STAFF_REQUIRE_2FA
                and not user.is_verified()  # type: ignore[union-attr]  # django-otp's middleware adds it
                and request.path.startswith(GUARDED_PREFIXES)
                and not _exempt(request.path)
            ):
                target = "staff-otp-verify" if user_has_device(user) else "staff-otp-setup"
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse(target)}?{query}")
        return self.get_response(request)


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=gettext_lazy("Code from your authenticator app"),
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": gettext_lazy("Enter the 6-digit code.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("admin:index")


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return admin_page(request, template, {"next": _next(request), **context})


def qr_svg(data: str) -> str:
    """The QR code of `data` as an inline SVG element (no script, no style attribute)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Show the QR code of a new TOTP device and confirm it with its first code."""
    user = request.user
    if user_has_device(user):
        return redirect(f"{reverse('staff-otp-verify')}?{urlencode({'next': _next(request)})}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", _("That code is not right. Check the time on your phone."))
    context = {
        "title": _("Set up two-factor authentication"),
        "form": form,
        "qr_svg": qr_svg(device.config_url),
        "secret": device.config_url.split("secret=")[1].split("&")[0],
    }
    return _page(request, "clinic/otp/setup.html", context)


@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the current code of the staff member's authenticator."""
    user = request.user
    if not user_has_device(user):
        return redirect(f"{reverse('staff-otp-setup')}?{urlencode({'next': _next(request)})}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", _("That code is not right. Check the time on your phone."))
    return _page(request, "clinic/otp/verify.html", {"title": _("Enter your code"), "form": form})
