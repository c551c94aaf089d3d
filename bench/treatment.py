"""The treatment record: the chart page and the lot search, their SQL queries and time.

The chart page is fetched with 1 zone of one procedure charted, then with every zone of
two procedures and a product in each zone; the lot page ("who received lot X") and its
CSV with 1 session that used the lot, then 50. A query count that grows with the zones
or the sessions is an N+1 to fix. Runs in a transaction rolled back at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import Room, User
from clinic.roles import Role
from clinic.tests.factories import PractitionerFactory
from patients.models import Appointment, FaceZone, Product, ProductLot
from patients.records.treatment import services
from patients.tests.factories import make_patient
from procedures.models import Procedure

from .core import Row, benchmark, median_ms


class _Rollback(Exception):
    """Raised to undo everything the benchmark made."""


class _Clinic:
    def __init__(self) -> None:
        self.manager = User.objects.create_user(
            email="bench-chart-manager@clinic.test", password=None, is_staff=True, is_superuser=True
        )
        self.manager.groups.add(Group.objects.get(name=Role.MANAGER))
        self.practitioner = PractitionerFactory(
            user__email="bench-chart-derm@clinic.test", roles=["derm", "surg"]
        )
        self.room = Room.objects.create(name="Bench chart room", kind=Room.Kind.TREATMENT)
        self.filler = Procedure.objects.get(slug="hyaluronic-filler")
        self.tca = Procedure.objects.get(slug="tca-cross")
        product = Product.objects.create(
            name="Bench filler", manufacturer="Bench", kind=Product.Kind.FILLER, unit="ml"
        )
        self.lot = ProductLot.objects.create(
            product=product,
            lot_number="BENCH-LOT",
            expires_on=timezone.localdate() + dt.timedelta(days=365),
            received_on=timezone.localdate(),
            quantity_received=Decimal("10000"),
            quantity_left=Decimal("10000"),
        )
        self.sessions = 0
        self.client = Client()
        self.client.force_login(self.manager)

    def visit(self) -> Appointment:
        """A checked-in filler appointment of a new patient, with its chart open."""
        n = self.sessions
        self.sessions += 1
        patient = make_patient(last_name=f"Chart{n}", email=f"bench-chart{n}@example.test")
        # One after the other: the practitioner cannot hold two overlapping appointments.
        start = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=45 * n)
        appointment = Appointment.from_catalogue(
            procedure=self.filler,
            start=start,
            end=start + dt.timedelta(minutes=30),
            patient=patient.patient_profile,
            practitioner=self.practitioner,
            room=self.room,
            status=Appointment.Status.CHECKED_IN,
            screening_outcome="ok",
            channel=Appointment.Channel.DESK,
            created_by=self.manager,
        )
        appointment.save()
        services.open_chart(appointment=appointment, by=self.manager)
        return appointment

    def chart(self, appointment: Appointment, zones: list[str], *, second: bool) -> None:
        visit = appointment.treatment_visit
        if second:
            visit.procedures.create(
                procedure=self.tca,
                procedure_name_en=self.tca.name_en or self.tca.name,
                schema=self.tca.parameter_schema.snapshot(),
                added_by=self.manager,
            )
        for treatment in visit.procedures.all():
            for zone in zones:
                services.record_zone_values(
                    treatment=treatment, zone=zone, values={}, by=self.manager
                )
        for zone in zones:
            services.use_lot(visit=visit, lot=self.lot, amount="0.1", by=self.manager, zone=zone)


def _queries(client: Client, url: str) -> int:
    client.get(url)  # first visit: session and per-process caches settle
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return len(queries)


@benchmark
def treatment_record_queries() -> Iterable[Row]:
    rows: list[Row] = []
    try:
        with transaction.atomic():
            clinic = _Clinic()
            small = clinic.visit()
            clinic.chart(small, ["forehead"], second=False)
            large = clinic.visit()
            clinic.chart(large, list(FaceZone.values), second=True)
            chart = [reverse("treatment:chart", args=[a.pk]) for a in (small, large)]
            one, many = (_queries(clinic.client, url) for url in chart)
            rows.append(
                (
                    "SQL queries, chart page, 1 zone of 1 procedure / 10 zones of 2 (+ lots)",
                    f"{one} / {many}",
                    "queries",
                    "" if one == many else "grows with the zones (N+1)",
                )
            )
            rows.append(
                (
                    "chart page, 10 zones of 2 procedures, median",
                    f"{median_ms(lambda: clinic.client.get(chart[1]), repeat=20):.1f}",
                    "ms",
                    "",
                )
            )
            lot_page = reverse("treatment:lot", args=[clinic.lot.pk])
            lot_csv = reverse("treatment:lot-csv", args=[clinic.lot.pk])
            # The two sessions above used the lot; add sessions up to 50.
            at_two = (_queries(clinic.client, lot_page), _queries(clinic.client, lot_csv))
            while clinic.sessions < 50:
                clinic.chart(clinic.visit(), ["chin"], second=False)
            at_fifty = (_queries(clinic.client, lot_page), _queries(clinic.client, lot_csv))
            for what, low, high in zip(
                ("lot page (who received lot X)", "lot CSV"), at_two, at_fifty, strict=True
            ):
                rows.append(
                    (
                        f"SQL queries, {what}, 2 / 50 sessions",
                        f"{low} / {high}",
                        "queries",
                        "" if low == high else "grows with the sessions (N+1)",
                    )
                )
            rows.append(
                (
                    "lot page, 50 sessions, median",
                    f"{median_ms(lambda: clinic.client.get(lot_page), repeat=20):.1f}",
                    "ms",
                    "",
                )
            )
            raise _Rollback
    except _Rollback:
        pass
    return rows
