"""Fixtures for the treatment record: a checked-in patient, an open chart, products and lots.

The clock is pinned to Monday 1 June 2026, 08:00 Moscow (`pinned_now`, from the booking
fixtures); appointments are booked for 10:00 that day and checked in by the desk, so a
chart can be opened at once. `charted(slug)` gives an open chart of `slug` for alice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from importlib import import_module
from typing import Any

import pytest

from clinic.models import User
from patients.booking.services import check_in
from patients.models import Appointment, Product, ProductLot, TreatmentVisit
from patients.records.selectors import latest_intake
from patients.records.treatment import services
from patients.tests.booking_fixtures import NOW, Clinic, at, ready
from patients.tests.photo_helpers import take_before_photos
from patients.tests.workspace_helpers import book
from procedures.models import Procedure

TODAY = NOW.date()

CATEGORY = {
    "tca-cross": "peel",
    "glycolic-peel": "peel",
    "subcision": "surgery",
    "hyaluronic-filler": "filler",
    "microcurrent": "hardware",
    "fractional-laser": "laser",
}


def category_of(slug: str) -> str:
    return Procedure.objects.get(slug=slug).category


@pytest.fixture
def checked_in(
    pinned_now: dt.datetime, clinic_setup: Clinic, receptionist: User
) -> Callable[..., Appointment]:
    """Book `slug` for `user` at 10:00 today (the derm) and check them in at the desk."""

    def make(user: User, slug: str, *, hour: int = 10, **intake: Any) -> Appointment:
        if latest_intake(user.patient_profile) is None:
            # Icepick and rolling scars: TCA CROSS, subcision and the filler all indicated.
            intake.setdefault("scar_types", frozenset({"icepick", "rolling", "boxcar_shallow"}))
            ready(
                user,
                *sorted(set(CATEGORY.values()) | {category_of(slug)}),
                consulted=True,
                **intake,
            )
        appointment = book(user, clinic_setup, at(TODAY, hour), slug=slug)
        assert appointment.status == Appointment.Status.CONFIRMED, appointment.screening_flags
        return check_in(appointment=appointment, by=receptionist, nothing_changed=True)

    return make


@pytest.fixture
def charted(
    checked_in: Callable[..., Appointment], patient: User, practitioner: User
) -> Callable[..., TreatmentVisit]:
    """An open chart of `slug` for alice, opened by the practitioner persona.

    The session's required before photos are taken (the outcome photos' gate, #18,
    has its own tests); `photos=False` leaves them out.
    """

    def make(
        slug: str = "tca-cross", *, user: User | None = None, photos: bool = True, **kw: Any
    ) -> TreatmentVisit:
        appointment = checked_in(user or patient, slug, **kw)
        if photos:
            take_before_photos(appointment, practitioner)
        return services.open_chart(appointment=appointment, by=practitioner)

    return make


@pytest.fixture
def filler() -> Product:
    return Product.objects.create(
        name="Restylane Refyne",
        manufacturer="Galderma",
        kind=Product.Kind.FILLER,
        unit=Product.StockUnit.ML,
    )


@pytest.fixture
def lidocaine() -> Product:
    return Product.objects.create(
        name="Lidocaine 2%", manufacturer="Solopharm", kind=Product.Kind.ANAESTHETIC, unit="ml"
    )


def make_lot(
    product: Product, number: str, *, expires_on: dt.date | None = None, quantity: str = "10"
) -> ProductLot:
    return ProductLot.objects.create(
        product=product,
        lot_number=number,
        expires_on=expires_on or TODAY + dt.timedelta(days=365),
        received_on=TODAY - dt.timedelta(days=30),
        quantity_received=Decimal(quantity),
        quantity_left=Decimal(quantity),
    )


@pytest.fixture
def lot(filler: Product) -> ProductLot:
    return make_lot(filler, "RF-2026-001")


@pytest.fixture
def record_data(migrated_data: None) -> None:
    """The catalogue and consents (`migrated_data`) and the parameter schemas, after a
    transactional test emptied every table."""
    from django.apps import apps

    from patients.models import ParameterSchema

    if not ParameterSchema.objects.exists():
        module = import_module("patients.migrations.0010_parameter_schemas_for_the_catalogue")
        module.fill_schemas(apps, None)
