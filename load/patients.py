"""The load run's patients and what they may book (Django set up by load/run.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from patients.management.demo import (
    DemoPatient,
    ensure_consents,
    ensure_intake,
    ensure_patient,
    quiet_email,
)
from procedures.intake import answers_to_json, baseline_answers
from procedures.screening import Outcome, rules_for, screen
from procedures.selectors import active_procedures


def load_patients(count: int) -> list[str]:
    """`count` verified patients with a current intake and every consent; their API tokens."""
    password = make_password(None)  # unusable: they use their tokens
    tokens = []
    with quiet_email(), transaction.atomic():
        for n in range(count):
            spec = DemoPatient(
                email=f"load{n:03d}@example.test",
                first_name="Load",
                last_name=f"Patient {n}",
                language="en",
            )
            profile, _created = ensure_patient(spec, password_hash=password)
            ensure_intake(profile, spec)
            ensure_consents(profile)
            tokens.append(Token.objects.get_or_create(user=profile.user)[0].key)
    return tokens


def first_bookable_day() -> dt.date:
    """Three local days ahead: past the minimum lead and the patients' change cut-off."""
    return timezone.localdate() + dt.timedelta(days=3)


def bookable_procedures() -> list[str]:
    """Slugs the baseline patient may book without a block (a review is fine: it holds time)."""
    on = first_bookable_day()
    answers = baseline_answers(on=on)
    return [
        procedure.slug
        for procedure in active_procedures()
        if screen(rules_for(procedure.slug), answers, on=on).outcome != Outcome.BLOCKED
    ]


def screening_answers() -> dict[str, Any]:
    """The baseline answers as the screening API takes them."""
    return answers_to_json(baseline_answers(on=first_bookable_day()))
