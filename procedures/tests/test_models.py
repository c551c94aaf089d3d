"""The catalogue's models: validation, database constraints, history, the migrated data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import translation

from procedures.catalogue_data import CATALOGUE
from procedures.models import Procedure, ProcedureRule
from procedures.screening import CATALOGUE_SESSION_RULES, ProcedureRules

from .factories import ProcedureFactory, ProcedureRuleFactory

pytestmark = pytest.mark.django_db


def errors_of(instance: Procedure | ProcedureRule) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


# --- the price floor -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "price", "refused"),
    [
        (Procedure.Category.PEEL, "3499.99", True),
        (Procedure.Category.PEEL, "3500", False),
        (Procedure.Category.LASER, "100", True),
        (Procedure.Category.CONSULTATION, "2000", False),
        (Procedure.Category.CONSULTATION, "0", False),
    ],
)
def test_a_treatment_under_3500_roubles_is_refused(
    category: str, price: str, refused: bool
) -> None:
    procedure = ProcedureFactory.build(category=category, price_from=Decimal(price))
    if refused:
        assert "3,500 RUB" in errors_of(procedure)["price_from"][0]
    else:
        procedure.full_clean()


def test_the_price_floor_message_follows_the_language() -> None:
    procedure = ProcedureFactory.build(price_from=Decimal("3000"))
    with translation.override("ru"):
        message = errors_of(procedure)["price_from"][0]
        assert "3\xa0500" in message
        assert message.startswith("Процедура стоит не менее")


def test_the_price_floor_is_a_setting(settings: Any) -> None:
    settings.PROCEDURE_PRICE_FLOOR_RUB = Decimal("4000")
    procedure = ProcedureFactory.build(price_from=Decimal("3500"))
    assert "4,000 RUB" in errors_of(procedure)["price_from"][0]


def test_a_negative_price_is_refused_by_the_database() -> None:
    procedure = ProcedureFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Procedure.objects.filter(pk=procedure.pk).update(price_from=Decimal("-1"))


# --- bounds ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "value_low", "value_high"),
    [("sessions_min", "sessions_max", 5, 3), ("interval_min_days", "interval_max_days", 30, 14)],
)
def test_a_minimum_above_its_maximum_is_refused(
    low: str, high: str, value_low: int, value_high: int
) -> None:
    procedure = ProcedureFactory.build(**{low: value_low, high: value_high})
    assert high in errors_of(procedure)
    # The database refuses it too, whatever path the write takes.
    saved = ProcedureFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Procedure.objects.filter(pk=saved.pk).update(**{low: value_low, high: value_high})


def test_open_ended_bounds_are_fine() -> None:
    ProcedureFactory.build(sessions_min=1, sessions_max=None, interval_max_days=None).full_clean()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("indicated_scar_types", ["dimple"]),
        ("indicated_scar_types", ["rolling", "rolling"]),
        ("indicated_scar_types", "rolling"),
        ("roles", ["nurse"]),
        ("roles", [1]),
    ],
)
def test_scar_types_and_roles_must_be_known_values(field: str, value: Any) -> None:
    procedure = ProcedureFactory.build(**{field: value})
    assert field in errors_of(procedure)


def test_a_slug_that_is_a_page_is_refused() -> None:
    assert "slug" in errors_of(ProcedureFactory.build(slug="scar-types"))


# --- rules -------------------------------------------------------------------------------------


def test_a_code_is_listed_once_per_procedure() -> None:
    rule = ProcedureRuleFactory(code="ROSACEA")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureRule.objects.create(
            procedure=rule.procedure, code="ROSACEA", severity=ProcedureRule.Severity.RELATIVE
        )


@pytest.mark.parametrize(
    ("code", "severity", "window_days", "field"),
    [
        ("PRECARE_TOPICAL_RETINOID", "absolute", None, "window_days"),
        ("PRECARE_TOPICAL_RETINOID", "absolute", 0, "window_days"),
        ("ROSACEA", "absolute", 14, "window_days"),
        ("PREGNANCY_POSSIBLE", "absolute", None, "severity"),
    ],
)
def test_rule_rows_are_refused_by_validation_and_by_the_database(
    code: str, severity: str, window_days: int | None, field: str
) -> None:
    procedure = ProcedureFactory()
    rule = ProcedureRule(procedure=procedure, code=code, severity=severity, window_days=window_days)
    assert field in errors_of(rule)
    with pytest.raises(IntegrityError), transaction.atomic():
        rule.save()


def test_the_retinoid_rule_carries_its_window_into_screening() -> None:
    procedure = ProcedureFactory(repeatable=False, sessions_max=8)
    ProcedureRuleFactory(procedure=procedure, code="PRECARE_TOPICAL_RETINOID", window_days=9)
    ProcedureRuleFactory(procedure=procedure, code="DIABETES", severity="relative")
    rules = procedure.screening_rules()
    assert rules == ProcedureRules(
        slug=procedure.slug,
        absolute=frozenset({"PRECARE_TOPICAL_RETINOID"}),
        relative=frozenset({"DIABETES"}),
        retinoid_window_days=9,
        interval_min_days=14,
        interval_max_days=21,
        sessions_max=8,
        indicated_scar_types=frozenset({"rolling"}),
    )


def test_a_repeatable_treatment_has_no_session_limit_in_screening() -> None:
    procedure = ProcedureFactory(repeatable=True, sessions_min=1, sessions_max=1)
    assert procedure.screening_rules().sessions_max is None


# --- the migrated catalogue ---------------------------------------------------------------


def test_every_database_starts_with_the_26_procedures_in_catalogue_order() -> None:
    slugs = list(Procedure.objects.order_by("display_order").values_list("slug", flat=True))
    assert slugs == [entry.slug for entry in CATALOGUE]
    assert len(slugs) == 26


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda entry: entry.slug)
def test_migrated_procedure_matches_the_catalogue(entry: Any) -> None:
    procedure = Procedure.objects.prefetch_related("rules").get(slug=entry.slug)
    procedure.full_clean()  # the price floor and every bound hold for the seed
    # The prerequisites are the data migrations' too (0008_load_prerequisites).
    expected = ProcedureRules.from_catalogue(entry, sessions=CATALOGUE_SESSION_RULES)
    assert procedure.screening_rules() == expected
    absolute = {r.code for r in procedure.rules.all() if r.severity == "absolute"}
    relative = {r.code for r in procedure.rules.all() if r.severity == "relative"}
    assert absolute == set(entry.absolute_rules)
    assert relative == set(entry.relative_rules)
    assert procedure.price_from == entry.price_from
    assert (procedure.sessions_min, procedure.sessions_max) == (
        entry.sessions_min,
        entry.sessions_max,
    )
    assert procedure.indicated_scar_types == list(entry.indicated_scar_types)
    assert procedure.roles == list(entry.roles)
    assert (procedure.room_kind, procedure.booked_minutes, procedure.buffer_minutes) == (
        entry.room_kind,
        entry.booked_minutes,
        entry.buffer_minutes,
    )
    for field in ("name", "description", "downtime", "precare", "aftercare"):
        assert getattr(procedure, f"{field}_en") == getattr(entry, f"{field}_en")
        assert getattr(procedure, f"{field}_ru") == getattr(entry, f"{field}_ru")
    with translation.override("ru"):
        assert procedure.name == entry.name_ru
    assert procedure.history.last().history_change_reason == "Loaded from the catalogue"


def test_load_catalogue_fills_gaps_and_keeps_staff_edits() -> None:
    Procedure.objects.filter(slug="tca-cross").delete()
    Procedure.objects.filter(slug="tca-peel").update(price_from=Decimal("9900"))
    ProcedureRule.objects.filter(procedure__slug="tca-peel", code="ROSACEA").delete()

    call_command("load_catalogue", stdout=None)

    recreated = Procedure.objects.get(slug="tca-cross")
    assert recreated.washout_group.code == "focal"
    assert recreated.rules.count() == len(
        next(e for e in CATALOGUE if e.slug == "tca-cross").absolute_rules
    ) + len(next(e for e in CATALOGUE if e.slug == "tca-cross").relative_rules)
    edited = Procedure.objects.get(slug="tca-peel")
    assert edited.price_from == Decimal("9900")
    assert not edited.rules.filter(code="ROSACEA").exists()
    before = ProcedureRule.objects.count()
    call_command("load_catalogue", stdout=None)
    assert Procedure.objects.count() == 26
    assert ProcedureRule.objects.count() == before


def test_staff_groups_hold_their_catalogue_permissions() -> None:
    def codenames(group: str) -> set[str]:
        return set(
            Group.objects.get(name=group)
            .permissions.filter(content_type__app_label="procedures")
            .values_list("codename", flat=True)
        )

    assert codenames("receptionist") == {
        "view_procedure",
        "view_procedurerule",
        "view_washoutgroup",
        "view_washoutrule",
        "view_prerequisite",
        "view_careinstruction",
        "view_photoview",
    }
    assert "change_procedurerule" in codenames("practitioner")
    assert {"add_photoview", "change_photoview"} <= codenames("practitioner")
    assert {"add_careinstruction", "change_careinstruction"} <= codenames("practitioner")
    assert {"change_washoutrule", "add_prerequisite", "delete_prerequisite"} <= codenames(
        "practitioner"
    )
    assert "change_washoutgroup" not in codenames("practitioner")
    assert "change_washoutgroup" in codenames("manager")
    assert "delete_procedure" not in codenames("practitioner")
    assert "delete_procedure" in codenames("manager")


# --- history through the admin ----------------------------------------------------------------


def admin_form_data(response: Any) -> dict[str, Any]:
    """The change form's current values, as the browser would post them back."""
    data: dict[str, Any] = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = field.widget.format_value(value)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for subform in formset.forms:
            for name in subform.fields:
                value = subform[name].value()
                if value is not None:
                    data[subform.add_prefix(name)] = value
    return {key: value for key, value in data.items() if value is not None}


def test_an_admin_edit_is_kept_in_the_history_with_its_author(
    client: Client, practitioner: Any
) -> None:
    procedure = Procedure.objects.get(slug="glycolic-peel")
    client.force_login(practitioner)
    url = f"/admin/procedures/procedure/{procedure.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    data = admin_form_data(page)
    data["price_from"] = "3900.00"
    # The clinician makes rosacea a matter of review instead of a refusal.
    formset = page.context["inline_admin_formsets"][0].formset
    rosacea = next(f for f in formset.forms if f.instance.code == "ROSACEA")
    data[rosacea.add_prefix("severity")] = "relative"

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    procedure.refresh_from_db()
    assert procedure.price_from == Decimal("3900")
    change = procedure.history.first()
    assert change.history_type == "~"
    assert change.history_user == practitioner
    assert change.diff_against(change.prev_record).changed_fields == ["price_from"]
    rule_change = ProcedureRule.history.filter(id=rosacea.instance.pk).first()
    assert rule_change.severity == "relative"
    assert rule_change.history_user == practitioner
    assert "ROSACEA" in procedure.screening_rules().relative
    # And the admin shows that history.
    history_page = client.get(f"/admin/procedures/procedure/{procedure.pk}/history/")
    assert history_page.status_code == 200
    assert str(practitioner) in history_page.content.decode()


def test_the_admin_refuses_a_price_under_the_floor(client: Client, manager: Any) -> None:
    procedure = Procedure.objects.get(slug="glycolic-peel")
    client.force_login(manager)
    url = f"/admin/procedures/procedure/{procedure.pk}/change/"
    data = admin_form_data(client.get(url))
    data["price_from"] = "3000"
    before = procedure.history.count()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "3,500 RUB" in response.content.decode()
    procedure.refresh_from_db()
    assert procedure.price_from == Decimal("3500")
    assert procedure.history.count() == before


def test_a_receptionist_cannot_change_the_catalogue(client: Client, receptionist: Any) -> None:
    procedure = Procedure.objects.get(slug="glycolic-peel")
    client.force_login(receptionist)
    url = f"/admin/procedures/procedure/{procedure.pk}/change/"
    assert client.get(url).status_code == 200  # may look
    response = client.post(url, admin_form_data(client.get(url)) | {"price_from": "9999"})
    assert response.status_code == 403
