"""Factories for the catalogue's models (the migrated catalogue is there too)."""

from decimal import Decimal

import factory

from procedures.models import Procedure, ProcedureRule


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    slug = factory.Sequence(lambda n: f"test-procedure-{n}")
    name = factory.Sequence(lambda n: f"Test procedure {n}")
    name_en = factory.SelfAttribute("name")
    name_ru = factory.Sequence(lambda n: f"Тестовая процедура {n}")
    description = "A test procedure for rolling scars."
    description_en = factory.SelfAttribute("description")
    description_ru = "Тестовая процедура для округлых рубцов."
    category = Procedure.Category.PEEL
    indicated_scar_types = factory.LazyFunction(lambda: ["rolling"])
    sessions_min = 2
    sessions_max = 8
    interval_min_days = 14
    interval_max_days = 21
    downtime = "A day of redness."
    booked_minutes = 45
    buffer_minutes = 10
    room_kind = Procedure.RoomKind.TREATMENT
    roles = factory.LazyFunction(lambda: ["derm", "cosm"])
    price_from = Decimal("5000")
    is_active = True
    display_order = factory.Sequence(lambda n: 1000 + n)


class ProcedureRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureRule

    procedure = factory.SubFactory(ProcedureFactory)
    code = "ROSACEA"
    severity = ProcedureRule.Severity.ABSOLUTE
    window_days = None
