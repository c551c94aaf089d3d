"""The second edition in the database: migrated tables, the admin, the cache, the signal."""

from __future__ import annotations

import datetime as dt
import json
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from procedures.catalogue_data import CATALOGUE_BY_SLUG
from procedures.forms import CandidateCheckForm, session_notes
from procedures.intake import answers_to_json, baseline_answers
from procedures.models import Prerequisite, Procedure, ProcedureRule, WashoutGroup, WashoutRule
from procedures.screening import CATALOGUE_SESSION_RULES, rules_for, screen
from procedures.selectors import rules_loader, screen_catalogue, session_rules, washout_group_of
from procedures.signals import screening_rules_changed
from procedures.washouts_data import PREREQUISITES, WASHOUT_GROUPS, WASHOUTS

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 3, 2)
REASON = "Second edition of the screening rules (rules-v2.md)"


def answers(**changes: Any) -> dict[str, Any]:
    return {**baseline_answers(on=ON), **changes}


@pytest.fixture
def prerequisites() -> None:
    """The domain's default prerequisites (rules-v2.md section 3), as the migrations load them.

    `0008_load_prerequisites` loads them once every booking path reads the patient's
    sessions; the tests that read them say so by this fixture.
    """
    assert Prerequisite.objects.count() == len(PREREQUISITES)


@pytest.fixture
def sent() -> Any:
    """Every `screening_rules_changed` sent during the test, as frozensets of slugs."""
    calls: list[frozenset[str]] = []

    def receiver(sender: Any, procedure_slugs: frozenset[str], **kwargs: Any) -> None:
        calls.append(procedure_slugs)

    screening_rules_changed.connect(receiver, dispatch_uid="test-sent")
    yield calls
    screening_rules_changed.disconnect(dispatch_uid="test-sent")


# --- the migrated tables ----------------------------------------------------------------------


def test_every_database_has_the_groups_and_their_members() -> None:
    for entry in WASHOUT_GROUPS:
        group = WashoutGroup.objects.get(code=entry.code)
        assert (group.name_en, group.name_ru) == (entry.name_en, entry.name_ru)
        assert set(group.procedures.values_list("slug", flat=True)) == set(entry.procedures)
    ungrouped = set(Procedure.objects.filter(washout_group=None).values_list("slug", flat=True))
    assert ungrouped == {
        "consultation",
        "mesotherapy",
        "ozone-therapy",
        "oxygen-injections",
        "microcurrent",
    }


def test_every_database_has_the_washout_table() -> None:
    rows = {
        (
            r.earlier_group.code,
            r.later_group.code if r.later_group else None,
            r.later_procedure.slug if r.later_procedure else None,
            r.days,
            r.severity == "absolute",
        )
        for r in WashoutRule.objects.select_related(
            "earlier_group", "later_group", "later_procedure"
        )
    }
    assert rows == {
        (w.earlier_group, w.later_group, w.later_procedure, w.days, w.absolute) for w in WASHOUTS
    }
    assert len(rows) == 23


@pytest.mark.usefixtures("prerequisites")
def test_the_prerequisites_as_the_database_holds_them() -> None:
    prerequisites = {
        (p.procedure.slug, p.requires.slug, p.min_days, p.max_days, p.offer_slots)
        for p in Prerequisite.objects.select_related("procedure", "requires")
    }
    assert prerequisites == {
        (p.procedure, p.requires, p.min_days, p.max_days, p.offer_slots) for p in PREREQUISITES
    }


@pytest.mark.usefixtures("prerequisites")
def test_the_database_tables_screen_like_the_built_in_data() -> None:
    loaded = session_rules()
    assert dict(loaded.groups) == dict(CATALOGUE_SESSION_RULES.groups)
    assert set(loaded.washouts) == set(CATALOGUE_SESSION_RULES.washouts)
    assert {k: set(v) for k, v in loaded.prerequisites.items()} == {
        k: set(v) for k, v in CATALOGUE_SESSION_RULES.prerequisites.items()
    }


def test_the_seeded_rows_have_their_history() -> None:
    for model in (WashoutGroup, WashoutRule):
        assert model.history.filter(history_change_reason=REASON).count() == model.objects.count()
    assert (
        Prerequisite.history.filter(history_change_reason=f"{REASON}: prerequisites").count()
        == Prerequisite.objects.count()
        == len(PREREQUISITES)
    )
    laser = Procedure.objects.get(slug="laser-resurfacing")
    assert laser.history.first().washout_group.code == "deep"
    assert laser.history.first().history_change_reason == REASON


@pytest.mark.parametrize(
    ("slug", "group"),
    [
        ("laser-resurfacing", "deep"),
        ("tca-peel", "deep"),
        ("rf-microneedling", "fractional"),
        ("microneedling", "fractional"),
        ("punch-excision", "focal"),
        ("cryo-massage", "superficial"),
        ("hyaluronic-filler-touch-up", "filler"),
        ("phototherapy", "light"),
        ("consultation", None),
        ("mesotherapy", None),
        ("laser-tattoo", None),
    ],
)
def test_washout_group_of(slug: str, group: str | None) -> None:
    assert washout_group_of(slug) == group


def test_washout_group_of_reads_the_admins_edit() -> None:
    procedure = Procedure.objects.get(slug="mesotherapy")
    procedure.washout_group = WashoutGroup.objects.get(code="superficial")
    procedure.save()
    assert washout_group_of("mesotherapy") == "superficial"


# --- the second edition's catalogue ---------------------------------------------------------


def test_microneedling_is_the_mechanical_one_in_both_languages() -> None:
    procedure = Procedure.objects.get(slug="microneedling")
    assert procedure.name_en == "Microneedling (mechanical)"
    assert procedure.name_ru == "Микронидлинг (механический)"
    assert "RF" not in procedure.description_en
    with translation.override("ru"):
        assert procedure.name == "Микронидлинг (механический)"


@pytest.mark.parametrize("slug", ["rf-microneedling", "hyaluronic-filler-touch-up"])
def test_the_new_procedures_have_pages_in_both_languages(client: Client, slug: str) -> None:
    entry = CATALOGUE_BY_SLUG[slug]
    page = client.get(reverse("procedures:detail", args=[slug]))
    assert page.status_code == 200
    assert entry.name_en in page.content.decode()
    russian = client.get(
        reverse("procedures:detail", args=[slug]), headers={"accept-language": "ru"}
    )
    assert entry.name_ru in russian.content.decode()


SECOND_EDITION = [
    import_module(f"procedures.migrations.{name}")
    for name in ("0005_catalogue_second_edition", "0006_load_washouts")
]


def replay(*, forwards: bool) -> None:
    """Run the second edition's data migrations (their functions, on the project's models).

    The migration executor cannot run inside a test's transaction on SQLite; the
    schema is the same at both ends, so the functions run against the real models.
    """
    for migration in SECOND_EDITION if forwards else reversed(SECOND_EDITION):
        (migration.forwards if forwards else migration.backwards)(django_apps, None)


def test_the_second_edition_migrations_turn_a_first_edition_database_into_the_second() -> None:
    # Back to the first edition's data: the corrections undone, the new procedures gone.
    replay(forwards=False)
    assert not Procedure.objects.filter(slug__in=["rf-microneedling", "hyaluronic-filler-touch-up"])
    assert Procedure.objects.get(slug="microneedling").name_en == "Microneedling (incl. RF)"
    subcision = {
        r.code: r.severity for r in ProcedureRule.objects.filter(procedure__slug="subcision")
    }
    assert subcision["ISOTRETINOIN_LT6M"] == "absolute"
    assert subcision["ISOTRETINOIN_6_12M"] == "absolute"
    salicylic = {
        r.code: r.severity for r in ProcedureRule.objects.filter(procedure__slug="salicylic-peel")
    }
    assert salicylic["PREGNANCY"] == "relative"
    assert "LACTATION" not in salicylic
    assert not WashoutRule.objects.exists()
    # A clinician's own edit of a corrected row is kept by the way forward.
    ProcedureRule.objects.filter(
        procedure__slug="microdermabrasion", code="ISOTRETINOIN_LT6M"
    ).delete()

    replay(forwards=True)

    subcision = {
        r.code: r.severity for r in ProcedureRule.objects.filter(procedure__slug="subcision")
    }
    assert subcision["ISOTRETINOIN_LT6M"] == "relative"
    assert "ISOTRETINOIN_6_12M" not in subcision
    salicylic = {
        r.code: r.severity for r in ProcedureRule.objects.filter(procedure__slug="salicylic-peel")
    }
    assert (salicylic["PREGNANCY"], salicylic["LACTATION"]) == ("absolute", "relative")
    assert not ProcedureRule.objects.filter(
        procedure__slug="microdermabrasion", code="ISOTRETINOIN_LT6M"
    ).exists()
    assert Procedure.objects.get(slug="microneedling").name_en == "Microneedling (mechanical)"
    order = list(Procedure.objects.order_by("display_order").values_list("slug", flat=True))
    assert order.index("rf-microneedling") == order.index("microneedling") + 1
    assert order.index("hyaluronic-filler-touch-up") == order.index("hyaluronic-filler") + 1
    assert WashoutRule.objects.count() == len(WASHOUTS)
    # Every change is in the history, as the admin would have kept it.
    changes = ProcedureRule.history.filter(history_change_reason=REASON)
    assert {
        (h.procedure.slug if h.procedure else None, h.code, h.history_type) for h in changes
    } >= {
        ("subcision", "ISOTRETINOIN_LT6M", "~"),
        ("subcision", "ISOTRETINOIN_6_12M", "-"),
        ("salicylic-peel", "PREGNANCY", "~"),
        ("salicylic-peel", "LACTATION", "+"),
    }
    rf = Procedure.objects.get(slug="rf-microneedling")
    assert rf.history.filter(history_type="+", history_change_reason=REASON).exists()
    assert (
        Procedure.objects.get(slug="microneedling")
        .history.filter(
            history_type="~", history_change_reason=REASON, name_en="Microneedling (mechanical)"
        )
        .exists()
    )


# --- screening against the database's tables ------------------------------------------------


def test_an_edit_of_a_washout_row_is_screened_with_at_once() -> None:
    others = [("consultation", ON - dt.timedelta(days=30), True), ("glycolic-peel", ON, True)]
    assert screen("laser-resurfacing", answers(), on=ON, other_sessions=others).blocking == (
        "WASHOUT",
    )
    WashoutRule.objects.filter(earlier_group__code="deep", later_group__code="superficial").update(
        days=1
    )  # a bulk update sends no signal: the cache still holds the old table
    assert screen("laser-resurfacing", answers(), on=ON, other_sessions=others).blocked
    row = WashoutRule.objects.get(earlier_group__code="deep", later_group__code="superficial")
    row.severity = "relative"
    row.save()
    result = screen("laser-resurfacing", answers(), on=ON, other_sessions=others)
    assert result.blocking == ()


@pytest.mark.usefixtures("prerequisites")
def test_an_edit_of_a_prerequisite_is_screened_with_at_once() -> None:
    assert screen("cryo-massage", answers(), on=ON).blocking == ("PREREQUISITE_MISSING",)
    Prerequisite.objects.get(procedure__slug="cryo-massage").delete()
    assert screen("cryo-massage", answers(), on=ON).outcome == "ok"


@pytest.mark.usefixtures("prerequisites")
def test_screen_catalogue_reads_the_other_sessions() -> None:
    others = [("consultation", ON - dt.timedelta(days=30), True), ("laser-resurfacing", ON, True)]
    screened = {p.slug: r for p, r in screen_catalogue(answers(), on=ON, other_sessions=others)}
    assert screened["fractional-laser"].blocking == ("WASHOUT",)
    assert screened["laser-resurfacing"].outcome == "ok"  # its own session is not "other"
    assert screened["mesotherapy"].outcome == "ok"
    without = {p.slug: r for p, r in screen_catalogue(answers(), on=ON)}
    assert without["fractional-laser"].remedy_procedure == "consultation"


# --- the signal -------------------------------------------------------------------------------


def test_an_admin_edit_of_a_rule_sends_one_signal_after_the_commit(
    client: Client,
    practitioner: Any,
    sent: list[frozenset[str]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from .test_models import admin_form_data

    procedure = Procedure.objects.get(slug="glycolic-peel")
    client.force_login(practitioner)
    url = f"/admin/procedures/procedure/{procedure.pk}/change/"
    page = client.get(url)
    data = admin_form_data(page)
    formset = page.context["inline_admin_formsets"][0].formset
    for form in formset.forms:
        if form.instance.code in {"ROSACEA", "RECENT_TAN"}:
            data[form.add_prefix("severity")] = (
                "relative" if form.instance.severity == "absolute" else "absolute"
            )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
        assert response.status_code == 302
        assert sent == []  # nothing before the commit
    assert sent == [frozenset({"glycolic-peel"})]


def test_a_price_edit_sends_nothing(
    sent: list[frozenset[str]], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        Procedure.objects.get(slug="glycolic-peel").save()  # nothing screening reads changed
        procedure = Procedure.objects.get(slug="tca-peel")
        procedure.price_from = procedure.price_from + 100
        procedure.save()
    assert sent == []


def test_a_rolled_back_change_sends_nothing(
    sent: list[frozenset[str]], django_capture_on_commit_callbacks: Any
) -> None:
    def change_and_fail() -> None:
        with transaction.atomic():
            ProcedureRule.objects.filter(procedure__slug="tca-peel").delete()
            raise RuntimeError("changed my mind")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        change_and_fail()
    assert sent == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda: Prerequisite.objects.filter(procedure__slug="subcision").delete(),
            {"subcision"},
        ),
        (
            lambda: ProcedureRule.objects.create(
                procedure=Procedure.objects.get(slug="mesotherapy"),
                code="EPILEPSY",
                severity="absolute",
            ),
            {"mesotherapy"},
        ),
        (
            lambda: _save(Procedure.objects.get(slug="microcurrent"), interval_min_days=20),
            {"microcurrent"},
        ),
    ],
    ids=["prerequisite", "rule", "interval"],
)
@pytest.mark.usefixtures("prerequisites")
def test_each_kind_of_change_names_its_procedure(
    change: Any,
    expected: set[str],
    sent: list[frozenset[str]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    sent.clear()  # the prerequisites loaded for the test
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        change()
    assert sent == [frozenset(expected)]


def _save(instance: Any, **values: Any) -> None:
    for name, value in values.items():
        setattr(instance, name, value)
    instance.save()


def members(*codes: str) -> set[str]:
    return {slug for g in WASHOUT_GROUPS if g.code in codes for slug in g.procedures}


def test_a_washout_row_names_both_groups_before_and_after_the_edit(
    sent: list[frozenset[str]], django_capture_on_commit_callbacks: Any
) -> None:
    row = WashoutRule.objects.get(earlier_group__code="focal", later_group__code="light")
    with django_capture_on_commit_callbacks(execute=True):
        row.later_group = WashoutGroup.objects.get(code="filler")
        row.save()
    assert sent == [frozenset(members("focal", "light", "filler"))]
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        WashoutRule.objects.get(later_procedure__slug="rf-microneedling").delete()
    assert sent == [frozenset(members("filler") | {"rf-microneedling"})]


def test_a_new_washout_group_names_every_procedure_it_can_meet(
    sent: list[frozenset[str]], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _save(
            Procedure.objects.get(slug="mesotherapy"),
            washout_group=WashoutGroup.objects.get(code="light"),
        )
    # light meets deep, fractional, focal and filler (rows into light), none out of it.
    assert sent == [
        frozenset({"mesotherapy"} | members("light", "deep", "fractional", "focal", "filler"))
    ]


# --- rows refused ---------------------------------------------------------------------------


def group(code: str) -> WashoutGroup:
    return WashoutGroup.objects.get(code=code)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"later_group": None, "later_procedure": None}, "later_group"),
        ({"later_procedure": "microneedling"}, "later_group"),  # both
        ({"days": 0}, "days"),
        ({"later_group": "fractional"}, "days"),  # deep -> fractional absolute exists
    ],
)
def test_a_washout_row_is_refused(values: dict[str, Any], field: str) -> None:
    data: dict[str, Any] = {
        "earlier_group": group("deep"),
        "later_group": group("light"),
        "later_procedure": None,
        "days": 30,
        "severity": "relative",
    } | values
    if isinstance(data["later_group"], str):
        data["later_group"] = group(data["later_group"])
        data["severity"] = "absolute"
    if isinstance(data["later_procedure"], str):
        data["later_procedure"] = Procedure.objects.get(slug=data["later_procedure"])
    row = WashoutRule(**data)
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    assert field in caught.value.message_dict


def test_the_database_refuses_a_washout_row_without_a_later_side() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        WashoutRule.objects.create(earlier_group=group("deep"), days=5, severity="absolute")


def test_a_pair_may_have_an_absolute_and_a_relative_row() -> None:
    row = WashoutRule(
        earlier_group=group("deep"), later_group=group("light"), days=180, severity="relative"
    )
    row.full_clean()
    row.save()


def test_a_prerequisite_is_refused_for_itself_or_upside_down() -> None:
    laser = Procedure.objects.get(slug="laser-resurfacing")
    with pytest.raises(ValidationError) as caught:
        Prerequisite(procedure=laser, requires=laser, min_days=0, max_days=10).full_clean()
    assert "requires" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        Prerequisite(
            procedure=laser,
            requires=Procedure.objects.get(slug="phototherapy"),
            min_days=20,
            max_days=10,
        ).full_clean()
    assert "max_days" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Prerequisite.objects.create(procedure=laser, requires=laser, min_days=0, max_days=10)


@pytest.mark.usefixtures("prerequisites")
def test_the_consultation_cannot_be_deleted_while_procedures_need_it() -> None:
    from django.db.models import RestrictedError

    with pytest.raises(RestrictedError), transaction.atomic():
        Procedure.objects.get(slug="consultation").delete()


# --- the admin ------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["washoutgroup", "washoutrule", "prerequisite"])
def test_the_admin_lists_the_tables(client: Client, manager: Any, model: str) -> None:
    client.force_login(manager)
    assert client.get(f"/admin/procedures/{model}/").status_code == 200


def test_a_practitioner_edits_a_washout_and_it_is_kept_in_the_history(
    client: Client, practitioner: Any
) -> None:
    row = WashoutRule.objects.get(
        earlier_group__code="filler", later_procedure__slug="rf-microneedling"
    )
    client.force_login(practitioner)
    url = f"/admin/procedures/washoutrule/{row.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "earlier_group": row.earlier_group_id,
            "later_group": "",
            "later_procedure": row.later_procedure_id,
            "days": 120,
            "severity": "relative",
            "source": row.source,
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.days == 120
    assert row.history.first().history_user == practitioner
    group_page = client.get(f"/admin/procedures/washoutgroup/{row.earlier_group_id}/change/")
    assert group_page.status_code == 200


def test_a_receptionist_may_only_look_at_the_washouts(client: Client, receptionist: Any) -> None:
    row = WashoutRule.objects.first()
    client.force_login(receptionist)
    url = f"/admin/procedures/washoutrule/{row.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"days": 1}).status_code == 403


# --- the API --------------------------------------------------------------------------------


def post(payload: dict[str, Any]) -> Any:
    return APIClient().post(
        "/api/v1/screening/", json.dumps(payload), content_type="application/json"
    )


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "procedure": "fractional-laser",
        "answers": answers_to_json(answers()),
        "on": ON.isoformat(),
    } | overrides


def session(slug: str, days: int, done: bool = True) -> dict[str, Any]:
    return {"slug": slug, "date": (ON + dt.timedelta(days=days)).isoformat(), "done": done}


def test_the_api_screens_the_other_sessions() -> None:
    data = post(
        body(other_sessions=[session("consultation", -30), session("laser-resurfacing", -45)])
    ).json()
    assert (data["outcome"], data["blocking"], data["flags"]) == ("blocked", ["WASHOUT"], [])
    assert data["earliest_date"] == (ON + dt.timedelta(days=45)).isoformat()
    (finding,) = data["findings"]
    assert finding["session"] == {
        "procedure": "laser-resurfacing",
        "date": (ON - dt.timedelta(days=45)).isoformat(),
        "done": True,
    }
    assert finding["clears_on"] == data["earliest_date"]


@pytest.mark.usefixtures("prerequisites")
def test_the_api_without_sessions_asks_for_a_consultation_first() -> None:
    data = post(body()).json()
    assert (data["outcome"], data["blocking"]) == ("blocked", ["PREREQUISITE_MISSING"])
    assert data["remedy_procedure"] == "consultation"
    assert data["findings"][0]["remedy_procedure"] == "consultation"


@pytest.mark.parametrize(
    ("other_sessions", "field"),
    [
        ("consultation", "other_sessions"),
        ([{"slug": "consultation", "date": "2026-02-01"}], "other_sessions.0.done"),
        ([{"slug": "consultation", "date": "2026-02-30", "done": True}], "other_sessions.0.date"),
        ([{"slug": "consultation", "date": "1800-01-01", "done": True}], "other_sessions.0.date"),
        ([{"slug": "consultation", "date": "2026-02-01", "done": "true"}], "other_sessions.0.done"),
        ([{"slug": "consultation", "date": "2026-02-01", "done": 1}], "other_sessions.0.done"),
        (
            [
                session("consultation", -3),
                {"slug": "laser-tattoo", "date": "2026-02-01", "done": True},
            ],
            "other_sessions.1.slug",
        ),
        ([{"slug": "Not a slug!", "date": "2026-02-01", "done": True}], "other_sessions.0.slug"),
        ([session("consultation", -3)] * 501, "other_sessions"),
    ],
)
def test_bad_other_sessions_are_a_400_naming_the_field(other_sessions: Any, field: str) -> None:
    response = post(body(other_sessions=other_sessions))
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["field"] == field
    # The messages: under the field's own name, or nested under "other_sessions" as DRF does.
    assert data.get(field) or data["other_sessions"]


def test_the_schema_documents_other_sessions() -> None:
    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    request = components["ScreeningRequest"]["properties"]["other_sessions"]
    assert request["type"] == "array"
    assert request["items"]["$ref"].endswith("/OtherSession")
    assert set(components["OtherSession"]["required"]) == {"slug", "date", "done"}
    assert components["OtherSession"]["properties"]["done"]["type"] == "boolean"
    assert "remedy_procedure" in components["ScreeningResult"]["properties"]
    assert {"session", "latest_date", "remedy_procedure"} <= set(
        components["Finding"]["properties"]
    )
    description = schema["paths"]["/api/v1/screening/"]["post"]["description"]
    assert "WASHOUT" in description
    assert "PREREQUISITE_MISSING" in description


# --- the candidate check says what it cannot check --------------------------------------------


@pytest.mark.usefixtures("prerequisites")
def test_the_candidate_check_says_which_rules_need_the_other_sessions(client: Client) -> None:
    html = client.get(reverse("procedures:detail", args=["laser-resurfacing"])).content.decode()
    assert "Checked when you book, against your other sessions:" in html
    assert "A “Consultation and skin assessment” is needed first" in html
    assert "washouts with your other sessions are checked when you book" in html
    russian = client.get(
        reverse("procedures:detail", args=["laser-resurfacing"]), headers={"accept-language": "ru"}
    ).content.decode()
    assert "Проверяется при записи с учётом ваших других сеансов:" in russian  # noqa: RUF001
    assert "Консультация и оценка состояния кожи" in russian


@pytest.mark.usefixtures("prerequisites")
def test_the_candidate_check_verdict_leaves_the_consultation_to_the_booking(
    client: Client, time_machine: Any
) -> None:
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=3))))
    response = client.post(
        reverse("procedures:candidate-check", args=["hyaluronic-filler"]),
        {
            "on": (ON + dt.timedelta(days=7)).isoformat(),
            "date_of_birth": "1990-01-01",
            "sex": "female",
            "pregnant": "no",
            "autoimmune": "none",
            "scar_types": ["rolling"],
        },
    )
    html = response.content.decode()
    assert 'data-outcome="ok"' in html
    assert "A “Consultation and skin assessment” is needed first" in html


@pytest.mark.parametrize(
    ("slug", "notes"),
    [
        ("consultation", 0),
        ("mesotherapy", 0),  # no group, no prerequisite
        ("glycolic-peel", 1),  # washouts only
        ("laser-resurfacing", 2),  # a consultation and washouts
        ("hyaluronic-filler-touch-up", 2),  # the filler before it and washouts
    ],
)
@pytest.mark.usefixtures("prerequisites")
def test_session_notes(slug: str, notes: int) -> None:
    assert len(session_notes(rules_for(slug))) == notes
    form = CandidateCheckForm(rules=rules_for(slug))
    assert len(form.session_notes) == notes


@pytest.mark.usefixtures("prerequisites")
def test_the_touch_up_note_names_its_window() -> None:
    (note, _washouts) = session_notes(rules_for("hyaluronic-filler-touch-up"))
    with translation.override("en"):
        assert (
            str(note) == "It follows a “Hyaluronic acid filler”: between 14 and 30 days after it."
        )
    with translation.override("ru"):
        assert "14–30 дней" in str(note)  # noqa: RUF001


def test_the_loader_forgets_the_tables_with_the_rules() -> None:
    session_rules()
    rules_loader.clear()
    WashoutGroup.objects.filter(code="light").update(name_en="Light")
    assert session_rules().group_names["light"]["en"] == "Light"
