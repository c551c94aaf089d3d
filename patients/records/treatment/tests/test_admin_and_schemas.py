"""The catalogue's parameter schemas (data migration) and the record's admin pages."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.models import AuditEntry, ParameterDefinition, ParameterSchema, ProductLot
from patients.records.treatment.parameters import check_values, parameters_of
from procedures.catalogue_data import CATALOGUE
from procedures.models import Procedure

pytestmark = pytest.mark.django_db

CATALOGUE_SLUGS = [entry.slug for entry in CATALOGUE]


@pytest.mark.parametrize("slug", CATALOGUE_SLUGS)
def test_every_catalogue_procedure_has_a_valid_schema(slug: str) -> None:
    schema = ParameterSchema.objects.get(procedure__slug=slug)
    definitions = list(schema.definitions.all())
    assert definitions, slug
    for definition in definitions:
        definition.full_clean()
        assert definition.label_ru, definition.key
        if definition.kind == "number":
            assert definition.unit, definition.key
            assert definition.minimum is not None
            assert definition.maximum is not None
    # A value at each end of every range is accepted; one past it needs a reason.
    parameters = parameters_of(schema.snapshot())
    for end in ("minimum", "maximum"):
        values = {p.key: str(getattr(p, end)) for p in parameters if p.kind == "number"}
        assert check_values(parameters, values).out_of_range == ()


def test_every_procedure_records_something_per_zone_or_per_session() -> None:
    per_zone = {
        d.schema.procedure.slug
        for d in ParameterDefinition.objects.filter(scope="zone").select_related(
            "schema__procedure"
        )
    }
    # The examples of the issue: zone by zone for lasers, needling, peels, fillers, TCA CROSS.
    assert {
        "fractional-laser",
        "laser-resurfacing",
        "microneedling",
        "tca-peel",
        "tca-cross",
        "hyaluronic-filler",
        "punch-excision",
    } <= per_zone
    assert "consultation" not in per_zone


@pytest.mark.parametrize(
    ("persona", "model", "status"),
    [
        ("receptionist", "treatmentvisit", 403),
        ("receptionist", "adverseevent", 403),
        ("receptionist", "productlot", 403),
        ("practitioner", "treatmentvisit", 200),
        ("practitioner", "adverseevent", 200),
        ("practitioner", "productlot", 200),
        ("practitioner", "parameterschema", 200),
        ("manager", "treatmentvisit", 200),
        ("manager", "lotrecall", 200),
        ("manager", "product", 200),
    ],
)
def test_record_admin_lists_follow_the_roles(
    client: Client, request: pytest.FixtureRequest, persona: str, model: str, status: int
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(f"admin:patients_{model}_changelist")).status_code == status


def test_a_manager_adds_a_lot_with_its_stock_and_nobody_deletes_it(
    client: Client, manager: User, practitioner: User, filler: object
) -> None:
    client.force_login(manager)
    response = client.post(
        reverse("admin:patients_productlot_add"),
        {
            "product": filler.pk,
            "lot_number": "H-77",
            "expires_on": "2027-06-01",
            "received_on": "2026-05-20",
            "quantity_received": "12",
            "quantity_left": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    lot = ProductLot.objects.get(lot_number="H-77")
    assert lot.quantity_left == Decimal("12")
    delete = reverse("admin:patients_productlot_delete", args=[lot.pk])
    assert client.get(delete).status_code == 403
    client.force_login(practitioner)
    assert (
        client.post(reverse("admin:patients_productlot_change", args=[lot.pk]), {}).status_code
        == 403
    )


def test_a_manager_edits_a_schema_and_its_version_grows(client: Client, manager: User) -> None:
    schema = ParameterSchema.objects.get(procedure__slug="tca-cross")
    definitions = list(schema.definitions.all())
    data: dict[str, str] = {
        "definitions-TOTAL_FORMS": str(len(definitions)),
        "definitions-INITIAL_FORMS": str(len(definitions)),
        "definitions-MIN_NUM_FORMS": "0",
        "definitions-MAX_NUM_FORMS": "1000",
    }
    for index, d in enumerate(definitions):
        prefix = f"definitions-{index}-"
        row = {
            "id": d.pk,
            "schema": schema.pk,
            "position": d.position,
            "key": d.key,
            "label_en": d.label_en,
            "label_ru": d.label_ru,
            "kind": d.kind,
            "scope": d.scope,
            "unit": d.unit,
            "minimum": "" if d.minimum is None else d.minimum,
            "maximum": "" if d.maximum is None else d.maximum,
            "decimal_places": d.decimal_places,
            "choices": json.dumps(d.choices),
            "required": "on" if d.required else "",
        }
        if d.key == "concentration_percent":
            row["maximum"] = "90"
        data.update({prefix + key: str(value) for key, value in row.items() if value != ""})
    client.force_login(manager)
    url = reverse("admin:patients_parameterschema_change", args=[schema.pk])
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    schema.refresh_from_db()
    assert schema.version == 2
    assert schema.updated_by == manager
    assert schema.definitions.get(key="concentration_percent").maximum == Decimal("90")
    # A definition the model refuses (a range on a choice) is a form error, not a save.
    data["definitions-1-minimum"] = "1"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Only a number has a range and a unit." in response.content.decode()


def test_every_procedure_in_the_database_is_covered() -> None:
    missing = Procedure.objects.exclude(parameter_schema__isnull=False)
    assert list(missing.values_list("slug", flat=True)) == []


def test_opening_a_chart_in_the_admin_is_audited(
    client: Client, charted: object, practitioner: User
) -> None:
    visit = charted("tca-cross")
    client.force_login(practitioner)
    response = client.get(reverse("admin:patients_treatmentvisit_change", args=[visit.pk]))
    assert response.status_code == 200
    assert AuditEntry.objects.filter(
        actor=practitioner, action=AuditEntry.Action.VIEW_CHART
    ).exists()
    assert (
        client.post(
            reverse("admin:patients_treatmentvisit_change", args=[visit.pk]), {}
        ).status_code
        == 403
    )
