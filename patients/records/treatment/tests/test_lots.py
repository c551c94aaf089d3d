"""Products and lots in a chart: expiry, stock taken once, the lot search, the recall."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from clinic.models import User
from patients.models import (
    LotRecall,
    OutboxMessage,
    Product,
    ProductLot,
    ProductUsage,
    TreatmentVisit,
)
from patients.records.treatment import selectors, services
from patients.records.treatment.errors import ChartSigned, Forbidden, RecordError
from patients.records.treatment.tests.conftest import TODAY, make_lot
from patients.records.treatment.tests.test_charts import complete_tca_cross
from patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db


def left(lot: ProductLot) -> Decimal:
    lot.refresh_from_db()
    return lot.quantity_left


def test_a_lot_past_expiry_is_refused_on_the_session_date(
    charted: Callable[..., TreatmentVisit], practitioner: User, filler: Product
) -> None:
    visit = charted("hyaluronic-filler")
    expired = make_lot(filler, "OLD-1", expires_on=TODAY - dt.timedelta(days=1))
    with pytest.raises(RecordError) as caught:
        services.use_lot(visit=visit, lot=expired, amount="1", by=practitioner, zone="cheek_left")
    assert (caught.value.code, caught.value.field) == ("expired_lot", "lot")
    assert left(expired) == Decimal("10")
    # The expiry date itself is still usable.
    last_day = make_lot(filler, "LAST-DAY", expires_on=TODAY)
    services.use_lot(visit=visit, lot=last_day, amount="1", by=practitioner, zone="cheek_left")
    assert left(last_day) == Decimal("9")


def test_an_unknown_lot_number_is_refused(lot: ProductLot, filler: Product) -> None:
    assert services.find_lot(lot_number=" rf-2026-001 ") == lot
    with pytest.raises(RecordError) as caught:
        services.find_lot(lot_number="NOPE")
    assert (caught.value.code, caught.value.field) == ("unknown_lot", "lot")
    with pytest.raises(RecordError):
        services.find_lot(lot_number="")
    other = Product.objects.create(
        name="Juvederm", manufacturer="Allergan", kind="filler", unit="ml"
    )
    make_lot(other, "RF-2026-001")
    with pytest.raises(RecordError) as ambiguous:
        services.find_lot(lot_number="RF-2026-001")
    assert "choose the product" in str(ambiguous.value)
    assert services.find_lot(lot_number="RF-2026-001", product=filler) == lot


def test_stock_is_taken_once_per_chart_even_when_the_form_is_posted_twice(
    charted: Callable[..., TreatmentVisit], practitioner: User, lot: ProductLot
) -> None:
    visit = charted("hyaluronic-filler")
    treatment = visit.procedures.get()
    for _post in range(2):
        services.use_lot(
            visit=visit,
            lot=lot,
            amount="0.8",
            by=practitioner,
            zone="cheek_left",
            treatment=treatment,
        )
    assert ProductUsage.objects.count() == 1
    assert left(lot) == Decimal("9.2")
    # Correcting the amount moves the stock by the difference only.
    services.use_lot(visit=visit, lot=lot, amount="1,0", by=practitioner, zone="cheek_left")
    assert left(lot) == Decimal("9.0")
    # Another zone is another use.
    usage = services.use_lot(
        visit=visit, lot=lot, amount="0.5", by=practitioner, zone="cheek_right"
    )
    assert left(lot) == Decimal("8.5")
    services.remove_lot_usage(usage=usage, by=practitioner)
    assert left(lot) == Decimal("9.0")
    assert ProductUsage.objects.count() == 1


def test_the_database_refuses_a_second_row_for_the_same_use(
    charted: Callable[..., TreatmentVisit], practitioner: User, lot: ProductLot
) -> None:
    visit = charted("hyaluronic-filler")
    usage = services.use_lot(visit=visit, lot=lot, amount="1", by=practitioner, zone="chin")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductUsage.objects.create(
            visit=visit,
            lot=lot,
            purpose=usage.purpose,
            zone="chin",
            amount=1,
            recorded_by=practitioner,
        )


@pytest.mark.parametrize("amount", ["0", "-1", "abc", "0.001", "1e9", ""])
def test_a_bad_amount_is_refused(
    charted: Callable[..., TreatmentVisit], practitioner: User, lot: ProductLot, amount: str
) -> None:
    visit = charted("hyaluronic-filler")
    with pytest.raises(RecordError) as caught:
        services.use_lot(visit=visit, lot=lot, amount=amount, by=practitioner)
    assert caught.value.field == "amount"
    assert left(lot) == Decimal("10")


def test_more_than_the_stock_left_is_refused(
    charted: Callable[..., TreatmentVisit], practitioner: User, filler: Product
) -> None:
    visit = charted("hyaluronic-filler")
    small = make_lot(filler, "SMALL", quantity="1")
    with pytest.raises(RecordError) as caught:
        services.use_lot(visit=visit, lot=small, amount="1.5", by=practitioner)
    assert caught.value.code == "insufficient_stock"
    assert left(small) == Decimal("1")


def test_only_an_anaesthetic_is_the_anaesthesia(
    charted: Callable[..., TreatmentVisit], practitioner: User, lot: ProductLot, lidocaine: Product
) -> None:
    visit = charted("hyaluronic-filler")
    with pytest.raises(RecordError) as caught:
        services.use_lot(visit=visit, lot=lot, amount="1", by=practitioner, purpose="anaesthesia")
    assert caught.value.code == "not_anaesthetic"
    usage = services.use_lot(
        visit=visit,
        lot=make_lot(lidocaine, "LID-7"),
        amount="2",
        by=practitioner,
        purpose="anaesthesia",
    )
    assert usage.purpose == ProductUsage.Purpose.ANAESTHESIA


def test_a_signed_chart_uses_no_more_stock(
    charted: Callable[..., TreatmentVisit], practitioner: User, lot: ProductLot, receptionist: User
) -> None:
    visit = charted("tca-cross")
    with pytest.raises(Forbidden):
        services.use_lot(visit=visit, lot=lot, amount="1", by=receptionist)
    complete_tca_cross(visit, practitioner)
    services.sign_chart(visit=visit, by=practitioner)
    with pytest.raises(ChartSigned):
        services.use_lot(visit=visit, lot=lot, amount="1", by=practitioner)
    assert left(lot) == Decimal("10")


# --- the lot search and the recall ------------------------------------------------------------


@pytest.fixture
def lot_given_to_two(
    charted: Callable[..., TreatmentVisit], practitioner: User, patient: User, lot: ProductLot
) -> tuple[TreatmentVisit, TreatmentVisit]:
    first = charted("hyaluronic-filler")
    services.use_lot(visit=first, lot=lot, amount="0.5", by=practitioner, zone="cheek_left")
    services.use_lot(visit=first, lot=lot, amount="0.4", by=practitioner, zone="cheek_right")
    carol = make_patient(email="carol@example.test", first_name="=Carol", last_name="Cole")
    second = charted("hyaluronic-filler", user=carol, hour=12)
    services.use_lot(visit=second, lot=lot, amount="1", by=practitioner, zone="chin")
    return first, second


def test_who_received_lot_x(
    lot_given_to_two: tuple[TreatmentVisit, TreatmentVisit], lot: ProductLot
) -> None:
    rows = selectors.lot_recipients(lot)
    assert [(r.patient_name, r.zone, r.amount) for r in rows] == [
        ("Alice Archer", "Left cheek", Decimal("0.50")),
        ("Alice Archer", "Right cheek", Decimal("0.40")),
        ("=Carol Cole", "Chin", Decimal("1.00")),
    ]
    assert {r.session_on for r in rows} == {TODAY}
    assert rows[0].procedure == "Hyaluronic acid filler"
    assert rows[0].email == "alice@example.test"
    assert list(selectors.find_lots("rf-2026")) == [lot]
    assert selectors.find_lots("rf-2026")[0].uses == 3
    assert not selectors.find_lots("  ").exists()


def test_the_lot_search_exports_csv(
    lot_given_to_two: tuple[TreatmentVisit, TreatmentVisit], lot: ProductLot
) -> None:
    table = list(csv.reader(io.StringIO(selectors.lot_recipients_csv(lot))))
    assert table[0][:4] == ["session_date", "patient", "email", "phone"]
    assert len(table) == 4
    assert table[3][1] == "'=Carol Cole"  # no formula for a spreadsheet to run
    assert table[1][7] == "0.50"


def test_the_lot_search_costs_one_query_however_many_sessions(
    lot_given_to_two: tuple[TreatmentVisit, TreatmentVisit],
    lot: ProductLot,
    django_assert_num_queries: Callable[..., object],
) -> None:
    with django_assert_num_queries(1):
        assert len(selectors.lot_recipients(lot)) == 3


def test_the_recall_tells_every_patient_once_and_lists_them(
    lot_given_to_two: tuple[TreatmentVisit, TreatmentVisit],
    lot: ProductLot,
    manager: User,
    practitioner: User,
) -> None:
    with pytest.raises(Forbidden):
        services.recall_lot(lot=lot, by=practitioner, reason="Manufacturer notice")
    with pytest.raises(RecordError):
        services.recall_lot(lot=lot, by=manager, reason=" ")
    recall, recipients = services.recall_lot(
        lot=lot, by=manager, reason="Manufacturer notice 12/26"
    )
    assert len(recipients) == 3
    assert recall.patients_told == 2
    messages = OutboxMessage.objects.filter(kind=services.RECALL_MESSAGE_KIND)
    assert sorted(messages.values_list("patient__user__email", flat=True)) == [
        "alice@example.test",
        "carol@example.test",
    ]
    assert messages.first().context["lot_number"] == "RF-2026-001"
    again, _rows = services.recall_lot(lot=lot, by=manager, reason="again")
    assert again == recall
    assert messages.count() == 2
    assert LotRecall.objects.count() == 1


def test_lots_needing_attention(filler: Product) -> None:
    fine = make_lot(filler, "FINE")
    expired = make_lot(filler, "GONE", expires_on=TODAY - dt.timedelta(days=3))
    low = make_lot(filler, "LOW", quantity="10")
    ProductLot.objects.filter(pk=low.pk).update(quantity_left=Decimal("1.5"))
    empty = make_lot(filler, "EMPTY")
    ProductLot.objects.filter(pk=empty.pk).update(quantity_left=0)
    attention = selectors.lots_needing_attention(on=TODAY)
    assert attention == {"expired": [expired], "low": [low]}
    assert fine not in attention["low"]
