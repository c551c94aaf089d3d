"""Staff roles: receptionist, practitioner and manager are Django groups.

Who sees what (the patients issue): a patient sees only their own data; a
receptionist sees contact details, appointments and screening outcomes but
never intake answers or photos; a practitioner sees answers, photos and flags;
a manager sees everything, plus the audit log. Superusers count as managers.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext_lazy as _

from .models import User

# Any answer a view gives (a page, a redirect, a file).
View = Callable[..., HttpResponseBase]


class Role(models.TextChoices):
    RECEPTIONIST = "receptionist", _("Receptionist")
    PRACTITIONER = "practitioner", _("Practitioner")
    MANAGER = "manager", _("Manager")


def roles_of(user: User | AnonymousUser) -> frozenset[str]:
    """The staff roles a user holds (cached on the user object for the request)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_clinic_roles", None)
    if cached is None:
        names = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        if user.is_superuser:
            names.add(Role.MANAGER)
        cached = frozenset(names)
        user._clinic_roles = cached
    return cached


def has_role(user: User | AnonymousUser, *roles: str) -> bool:
    """True when the user holds any of the roles (managers hold every right)."""
    held = roles_of(user)
    return Role.MANAGER in held or any(role in held for role in roles)


def can_see_health_data(user: User | AnonymousUser) -> bool:
    """Intake answers and photos: practitioners and managers, never receptionists."""
    return has_role(user, Role.PRACTITIONER)


def is_staff_member(user: User | AnonymousUser) -> bool:
    """Any clinic role at all."""
    return bool(roles_of(user))


def role_required(*roles: str) -> Callable[[View], View]:
    """A staff view for these roles (managers hold every right); anyone else gets 403.

    The staff pages sit behind the admin's login, which keeps everybody who is not
    staff out; this says which staff may use the page.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
