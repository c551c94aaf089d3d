"""Account pages: register, verify the e-mail address, log in and out, reset the password.

Login goes through django-axes (see settings): after too many failures for one
account from one address, the pair is locked for a while and the lockout page
says for how long.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clinic.http import client_address
from clinic.ratelimit import rate_limited
from clinic.roles import is_staff_member
from patients.models import DATA_PROCESSING
from patients.records import selectors, services
from patients.records.forms import LocalisedPasswordResetForm, LoginForm, RegistrationForm
from procedures.errors import DomainError


def in_preferred_language(response: HttpResponse, user: Any) -> HttpResponse:
    """Set the interface language to the user's preferred one (LocaleMiddleware reads it)."""
    language = getattr(user, "preferred_language", "")
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


@method_decorator(
    rate_limited(
        "login", account=lambda request: request.POST.get("username"), account_with_address=True
    ),
    name="dispatch",
)
class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        """Sign in, and show the portal in the language the user prefers from now on."""
        return in_preferred_language(super().form_valid(form), form.get_user())

    def get_default_redirect_url(self) -> str:
        if is_staff_member(self.request.user):
            return reverse("home")
        return reverse("patients:dashboard")


class LogoutView(auth_views.LogoutView):
    pass


@method_decorator(
    rate_limited(
        "password_reset",
        account=lambda request: request.POST.get("email"),
        account_with_address=True,
    ),
    name="dispatch",
)
class PasswordResetView(auth_views.PasswordResetView):
    form_class = LocalisedPasswordResetForm
    template_name = "registration/reset_form.html"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class InvitationView(auth_views.PasswordResetConfirmView):
    """The desk's invitation: set a first password (the link works once), signed in, then
    the questionnaire. Setting it through the e-mailed link verifies the address."""

    template_name = "registration/invitation.html"
    success_url = reverse_lazy("patients:intake")
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.accept_invitation(user=form.user)
        return response


def local_next(request: HttpRequest) -> str:
    """The `next` page asked for (GET or POST) when it is one of ours, else ""."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


def _registered(request: HttpRequest, next_url: str) -> HttpResponse:
    """Back to the page the visitor came from (a booking page), else "check your e-mail".

    A new account and an address that already had one get the same answer, so the
    page does not tell who has an account.
    """
    if not next_url:
        return redirect("register_done")
    messages.info(
        request,
        _(
            "We have sent you an e-mail to confirm your address (you need a confirmed "
            "address to book). Log in to go on."
        ),
    )
    return redirect(next_url)


@require_http_methods(["GET", "POST"])
@rate_limited("register", account=lambda request: request.POST.get("email"))
def register(request: HttpRequest) -> HttpResponse:
    """Create a patient account; it signs the data-processing consent at the same time.

    A new address and one that already has an account get the same answer (a redirect to
    "check your e-mail", nobody signed in): only the owner learns of it, by e-mail.
    """
    next_url = local_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or "patients:dashboard")
    text = selectors.current_consent_text(DATA_PROCESSING)
    if text is None:
        # Without a consent text there is nothing lawful to register against.
        return render(request, "registration/register_closed.html", status=503)
    form = RegistrationForm(
        request.POST or None,
        initial={"consent_text": text.pk, "preferred_language": request.LANGUAGE_CODE},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["consent_text"] != text.pk:
            form.add_error(
                None, _("The consent text has changed since you opened it. Please read it again.")
            )
        elif (owner := services.account_with_email(data["email"])) is not None:
            # The same answer as for a new account; only the owner hears of it, by e-mail.
            services.tell_owner_of_registration_attempt(
                user=owner, base_url=request.build_absolute_uri("/")
            )
            return _registered(request, next_url)
        else:
            try:
                services.register_patient(
                    email=data["email"],
                    password=data["password1"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    phone=data["phone"],
                    date_of_birth=data["date_of_birth"],
                    preferred_language=data["preferred_language"],
                    consent_text=text,
                    consent_full_name=data["consent_full_name"],
                    consent_ticked=data["consent_ticked"],
                    ip_address=client_address(request),
                    user_agent=request.headers.get("user-agent", ""),
                    base_url=request.build_absolute_uri("/"),
                )
            except DomainError as error:
                field = error.field if error.field in form.fields else None
                form.add_error(field, str(error.message))
            else:
                # Not signed in: the same answer as for a taken address (issue #21); the
                # new patient confirms the address from the e-mail, then logs in (and
                # comes back to `next`, the booking page, through the login page).
                return _registered(request, next_url)
    context = {"form": form, "text": text, "next": next_url}
    return render(request, "registration/register.html", context)


@require_GET
def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/register_done.html")


@require_GET
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail: mark the address verified."""
    try:
        user = services.verify_email(token=token)
    except DomainError as error:
        return render(
            request, "registration/verify_failed.html", {"message": error.message}, status=400
        )
    messages.success(request, _("Thank you: your e-mail address is confirmed."))
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect("patients:dashboard")
    return redirect(f"{reverse('login')}?next={reverse('patients:dashboard')}")


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' lockout response: say that logging in is locked, and for how long."""
    from axes.helpers import get_cool_off, get_failure_limit

    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    context = {"minutes": minutes, "failure_limit": get_failure_limit(request, credentials)}
    return render(
        request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
