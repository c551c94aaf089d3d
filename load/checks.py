"""The load run's checks by SQL, read after the server has stopped (Django set up).

- Overlaps: two time-holding appointments (pending review, confirmed, checked in)
  for one practitioner (start..end), one room (start..room_free_at: the buffer
  included) or one patient (start..end). The exclusion constraints forbid them;
  this looks at the rows themselves.
- Duplicate reminders: more than one row for one appointment, kind and version,
  or more than one live (pending or sending) row of a timed kind for one
  appointment (a move must cancel the old version's reminder).
"""

from __future__ import annotations

from django.db import connection

from patients.messaging.schedule import TIMED_KINDS
from patients.models import Appointment, OutboxMessage
from patients.models.appointment import HOLDING_STATUSES

OVERLAPS = """
SELECT a.id, b.id,
       CASE WHEN a.practitioner_id = b.practitioner_id AND a.start < b."end"
                 AND b.start < a."end" THEN 'practitioner'
            WHEN a.patient_id = b.patient_id AND a.start < b."end"
                 AND b.start < a."end" THEN 'patient'
            ELSE 'room' END
FROM {table} a JOIN {table} b ON a.id < b.id
WHERE a.status = ANY(%(holding)s) AND b.status = ANY(%(holding)s)
  AND ((a.practitioner_id = b.practitioner_id AND a.start < b."end" AND b.start < a."end")
    OR (a.room_id = b.room_id AND a.start < b.room_free_at AND b.start < a.room_free_at)
    OR (a.patient_id = b.patient_id AND a.start < b."end" AND b.start < a."end"))
ORDER BY a.id, b.id
"""

SAME_VERSION = """
SELECT appointment_id, kind, subject_version, count(*)
FROM {table}
WHERE appointment_id IS NOT NULL
GROUP BY appointment_id, kind, subject_version
HAVING count(*) > 1
"""

LIVE_TWICE = """
SELECT appointment_id, kind, NULL, count(*)
FROM {table}
WHERE appointment_id IS NOT NULL AND kind = ANY(%(timed)s) AND state IN ('pending', 'sending')
GROUP BY appointment_id, kind
HAVING count(*) > 1
"""


def overlapping_appointments() -> list[tuple[int, int, str]]:
    """Pairs of time-holding appointments that overlap, and for what."""
    with connection.cursor() as cursor:
        cursor.execute(
            OVERLAPS.format(table=Appointment._meta.db_table),
            {"holding": list(HOLDING_STATUSES)},
        )
        return [tuple(row) for row in cursor.fetchall()]


def duplicate_reminders() -> list[tuple[int, str, int | None, int]]:
    """(appointment, kind, version or None, rows) for every doubled reminder."""
    table = OutboxMessage._meta.db_table
    found: list[tuple[int, str, int | None, int]] = []
    with connection.cursor() as cursor:
        for query in (SAME_VERSION, LIVE_TWICE):
            cursor.execute(query.format(table=table), {"timed": [str(k) for k in TIMED_KINDS]})
            found.extend(tuple(row) for row in cursor.fetchall())
    return found
