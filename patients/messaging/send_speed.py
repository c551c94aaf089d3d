"""Speed work for sending outbox rows, kept apart from the outbox's rules (docs/benchmarks.md).

Every message costs two small updates, each committed at once: the hand-over
just before the send and `sent` just after it (`patients.messaging.outbox`).
Waiting for each commit to reach the disk cost more than everything else a
message costs: 3.6 ms a commit on the project's VM when idle, and 8-13 ms
under load, against 2-4 ms of CPU to render and send one. So on PostgreSQL
those two updates commit asynchronously (`SET LOCAL synchronous_commit TO OFF`,
for their own transaction only): the commit is visible to every other
transaction at once and its lock released at once, as before (a cancellation
still sees the hand-over, or waits for its lock), but it reaches the disk a
fraction of a second later (PostgreSQL's WAL writer, within three
`wal_writer_delay`s).

What that changes, and what it does not:
- A worker killed mid-send forgets nothing: the database server keeps what it
  committed. At most the message being sent goes out twice, as before.
- A crash of the database server itself may forget the last fraction of a
  second of hand-overs and marks. Those rows go back to `sending` under their
  claim; the dispatcher reclaims them, and a copy may go out a second time with
  its one Message-ID, as after a worker dying between the server's acceptance
  and the mark. Nothing is lost: the rows, their claims and every other change
  of state are written with ordinary commits.
SQLite (development) already commits without a flush per transaction
(`synchronous=NORMAL` in WAL mode, clinic/settings/base.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

__all__ = ["update_unflushed"]


def update_unflushed(sql: str, params: Sequence[Any]) -> int:
    """Run one UPDATE, committed without waiting for the disk on PostgreSQL; the rows changed.

    Call it outside a transaction: inside one, the SET would hold for the whole of it.
    """
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            return int(cursor.rowcount)
        # One round trip: both statements go as one query string, which PostgreSQL runs
        # as one implicit transaction (psycopg 3's client-side binding cursor, Django's
        # default), so the SET LOCAL ends with it. The update's count is the second result.
        cursor.execute("SET LOCAL synchronous_commit TO OFF; " + sql, params)
        cursor.nextset()
        return int(cursor.rowcount)
