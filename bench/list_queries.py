"""SQL queries of every list page, at 1 row and at 50 rows.

Each page is fetched through the test client with 1 row of what it lists, then
with 50: the catalogue (public page and API), the patient's appointments (page
and API), and the staff lists (the staff patient list, the desk's patient
search, the review queue, and the admin changelists). A count that grows with
the rows is an N+1 to fix; patients/tests/test_queries.py holds the same
promise as tests.

Runs first, in a transaction rolled back at the end, so it starts from the
migrated catalogue alone and leaves nothing behind for the other benchmarks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.models import Practitioner, Room, User
from clinic.roles import Role
from clinic.tests.factories import PractitionerFactory, WorkingHoursFactory
from patients.models import Appointment, OutboxMessage
from patients.tests.factories import give_baseline_intake, make_patient
from procedures.models import Procedure, ProcedureRule
from procedures.selectors import clear_rules_cache

from .core import Row, benchmark

# (what, URL, who asks): "patient" is the patient whose appointments are listed,
# "manager" a superuser with the manager role, "anonymous" nobody.
PAGES: tuple[tuple[str, str, str], ...] = (
    ("catalogue page /procedures/", "/procedures/", "anonymous"),
    ("catalogue API /api/v1/procedures/", "/api/v1/procedures/", "anonymous"),
    ("patient's appointments page /me/appointments/", "/me/appointments/", "patient"),
    ("patient's appointments /api/v1/appointments/", "/api/v1/appointments/", "patient"),
    ("staff patient list /staff/patients/", "/staff/patients/", "manager"),
    ("desk patient search /admin/desk/?q=", "/admin/desk/?q=Bench", "manager"),
    ("review queue /admin/workspace/reviews/", "/admin/workspace/reviews/", "manager"),
    ("admin: appointments", "/admin/patients/appointment/", "manager"),
    ("admin: patients", "/admin/patients/patientprofile/", "manager"),
    ("admin: intake versions", "/admin/patients/intakeversion/", "manager"),
    ("admin: consent signatures", "/admin/patients/consentsignature/", "manager"),
    ("admin: outgoing messages", "/admin/patients/outboxmessage/", "manager"),
    ("admin: practitioners", "/admin/clinic/practitioner/", "manager"),
    ("admin: working hours", "/admin/clinic/workinghours/", "manager"),
    ("admin: users", "/admin/clinic/user/", "manager"),
    ("admin: procedures", "/admin/procedures/procedure/", "manager"),
)


class _Rollback(Exception):
    """Raised to undo everything the benchmark made."""


class _Rows:
    """Adds rows of everything the pages list, one unit at a time."""

    def __init__(self) -> None:
        self.added = 0
        self.patient = make_patient(last_name="Owner", email="bench-owner@example.test")
        give_baseline_intake(self.patient)
        self.procedure = Procedure.objects.get(slug="glycolic-peel")
        self.room = Room.objects.create(name="Bench list room", kind=Room.Kind.TREATMENT)
        zone = ZoneInfo(settings.CLINIC_TIME_ZONE)
        self.first = dt.datetime.combine(
            timezone.localdate() + dt.timedelta(days=3), dt.time(10), tzinfo=zone
        )
        self.catalogue = list(Procedure.objects.order_by("display_order", "slug"))

    def add(self, count: int) -> None:
        for _ in range(count):
            n = self.added
            other = make_patient(last_name=f"Bench{n}", email=f"bench-list{n}@example.test")
            give_baseline_intake(other)
            practitioner: Practitioner = PractitionerFactory(
                user__email=f"bench-practitioner{n}@clinic.test"
            )
            WorkingHoursFactory(practitioner=practitioner)
            start = self.first + dt.timedelta(days=n)
            appointment = Appointment.from_catalogue(
                procedure=self.procedure,
                start=start,
                end=start + dt.timedelta(minutes=self.procedure.booked_minutes),
                patient=self.patient.patient_profile,
                practitioner=practitioner,
                room=self.room,
                status=Appointment.Status.PENDING_REVIEW,
                screening_outcome="review",
                screening_flags=["HERPES_HISTORY"],
                channel=Appointment.Channel.WEB,
                created_by=self.patient,
            )
            appointment.save()
            OutboxMessage.objects.create(
                kind=OutboxMessage.Kind.BOOKING_CONFIRMATION,
                patient=self.patient.patient_profile,
                appointment=appointment,
                subject_version=0,
                due_at=start,
                dedupe_key=f"bench-list:{appointment.pk}",
            )
            self.added += 1
        self._catalogue(self.added)

    def _catalogue(self, size: int) -> None:
        """Exactly `size` active procedures: the first of the catalogue, then copies with rules."""
        Procedure.objects.update(is_active=False)
        active = [p.pk for p in self.catalogue[:size]]
        Procedure.objects.filter(pk__in=active).update(is_active=True)
        for n in range(Procedure.objects.filter(is_active=True).count(), size):
            source = self.catalogue[n % len(self.catalogue)]
            rules = list(ProcedureRule.objects.filter(procedure=source))
            copy = Procedure.objects.get(pk=source.pk)
            copy.pk = None
            copy.slug = f"bench-copy-{n}"
            copy.display_order = 1000 + n
            copy.is_active = True
            copy.save()
            for rule in rules:
                rule.pk = None
                rule.procedure = copy
                rule.save()


def _clients(rows: _Rows) -> dict[str, Client]:
    manager = User.objects.create_user(
        email="bench-manager@clinic.test", password=None, is_staff=True, is_superuser=True
    )
    manager.groups.add(Group.objects.get(name=Role.MANAGER))
    clients = {"anonymous": Client(), "patient": Client(), "manager": Client()}
    clients["patient"].force_login(rows.patient)
    clients["manager"].force_login(manager)
    return clients


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return len(queries)


def _counts(clients: dict[str, Client]) -> list[int]:
    for _what, url, who in PAGES:
        _count(clients[who], url)  # first visit: session and per-process caches settle
    return [_count(clients[who], url) for _what, url, who in PAGES]


def _measure(callback: Callable[[list[int], list[int]], None]) -> None:
    try:
        with transaction.atomic():
            rows = _Rows()
            clients = _clients(rows)
            rows.add(1)
            one = _counts(clients)
            rows.add(49)
            fifty = _counts(clients)
            callback(one, fifty)
            raise _Rollback
    except _Rollback:
        pass
    finally:
        clear_rules_cache()  # the process kept rules read while the copies existed


@benchmark
def list_page_queries() -> Iterable[Row]:
    found: list[tuple[list[int], list[int]]] = []
    _measure(lambda one, fifty: found.append((one, fifty)))
    one, fifty = found[0]
    for (what, _url, _who), at_one, at_fifty in zip(PAGES, one, fifty, strict=True):
        yield (
            f"SQL queries, {what}, 1 / 50 rows",
            f"{at_one} / {at_fifty}",
            "queries",
            "" if at_one == at_fifty else "grows with the rows (N+1)",
        )
