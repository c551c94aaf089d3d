"""Template helpers for the booking pages and e-mails.

E-mails are rendered outside a request (a waitlist offer is made when somebody
else cancels), so their links are built from `settings.PORTAL_URL`, not from
the request's host.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse

from clinic.roles import can_see_health_data

register = template.Library()


@register.simple_tag
def portal_url(view_name: str, *args: Any) -> str:
    """The absolute address of a portal page, for links in e-mails."""
    return settings.PORTAL_URL.rstrip("/") + reverse(view_name, args=args)


@register.simple_tag
def clinic_phone() -> str:
    """The clinic's phone number (`settings.CLINIC_PHONE`)."""
    return str(settings.CLINIC_PHONE)


@register.filter
def tel_href(phone: str) -> str:
    """A `tel:` link target: the digits of the number, with its leading plus."""
    digits = "".join(ch for ch in str(phone) if ch.isdigit())
    return f"tel:+{digits}" if str(phone).strip().startswith("+") else f"tel:{digits}"


@register.simple_tag
def change_cutoff_hours() -> int:
    """Hours before the start until which patients may move or cancel online."""
    return int(settings.PATIENT_CHANGE_CUTOFF_HOURS)


@register.filter
def sees_health_data(user: Any) -> bool:
    """Practitioners and managers may read why screening refused; receptionists may not.

    The reasons repeat intake answers ("you told us you are pregnant"), which
    only clinicians see; a receptionist sees the outcome and the earliest date.
    """
    return can_see_health_data(user)
