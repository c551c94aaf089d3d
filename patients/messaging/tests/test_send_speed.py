"""The outbox's per-message updates commit without waiting for the disk, and only they do."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from patients.messaging import send_speed
from patients.models import OutboxMessage
from patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db(transaction=True)


def _synchronous_commit() -> str | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return str(cursor.fetchone()[0])


def test_an_unflushed_update_counts_its_rows_and_leaves_the_session_as_it_was() -> None:
    message = OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.INVITATION,
        patient=make_patient(email="speed@example.test").patient_profile,
        due_at=timezone.now(),
        dedupe_key="invitation:speed",
    )
    before = _synchronous_commit()
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    sql = f"UPDATE {table} SET note = %s WHERE id = %s"  # noqa: S608 - our own table's name

    assert send_speed.update_unflushed(sql, ["first", message.pk]) == 1
    assert send_speed.update_unflushed(sql, ["none", message.pk + 1000]) == 0

    message.refresh_from_db()
    assert message.note == "first"
    # The SET LOCAL ended with the update's own transaction: later commits wait for the disk.
    assert _synchronous_commit() == before
    assert before in (None, "on")
