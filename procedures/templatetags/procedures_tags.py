"""Template filters of the catalogue pages: prices and course lengths in plain words."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from procedures.models import Procedure

register = template.Library()


@register.filter
def rub(value: Decimal | None) -> str:
    """Format a rouble amount for the active language: "3,500 RUB", "3 500 ₽"."""
    if value is None:
        return ""
    places = 0 if value == value.to_integral_value() else 2
    amount = number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
    return _("%(amount)s RUB") % {"amount": amount}


@register.filter
def course_text(procedure: Procedure) -> str:
    """Say how many sessions a course has, in words."""
    low, high = procedure.sessions_min, procedure.sessions_max
    if low is None and high is None:
        if procedure.repeatable:
            return _("Repeated when needed; there is no fixed course.")
        return _("A single visit.")
    if high is None:
        return ngettext("At least %(count)s session.", "At least %(count)s sessions.", low or 1) % {
            "count": low or 1
        }
    if low is None or low == high:
        text = ngettext("%(count)s session.", "%(count)s sessions.", high) % {"count": high}
    else:
        text = _("%(low)s to %(high)s sessions.") % {"low": low, "high": high}
    if procedure.repeatable:
        repeat = _("It can be repeated later, when the effect fades.")
        text = f"{text} {repeat}"
    return text


@register.filter
def interval_text(procedure: Procedure) -> str:
    """Say how far apart sessions are, in words; empty when there is no interval."""
    low, high = procedure.interval_min_days, procedure.interval_max_days
    if low is None and high is None:
        return ""
    if high is None:
        return ngettext(
            "At least %(count)s day between sessions.",
            "At least %(count)s days between sessions.",
            low or 0,
        ) % {"count": low}
    if low is None or low == high:
        return ngettext(
            "%(count)s day between sessions.", "%(count)s days between sessions.", high
        ) % {"count": high}
    return _("%(low)s to %(high)s days between sessions.") % {"low": low, "high": high}


@register.filter
def days_text(days: int | None) -> str:
    """Say a number of days in words ("14 days", "14 дней")."""
    if days is None:
        return ""
    return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}
