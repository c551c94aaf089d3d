"""The parts of the patient's data export beyond the record (issue #21): appointments with
their status history, the messages sent and their delivery steps, courses, the waitlist,
and a readable HTML page of the whole export.

What the patient is shown of a review is the reason, never the clinician's note or the
rule codes (those stay in the treatment record's clinical parts).
"""

from __future__ import annotations

from typing import Any

from django.utils.html import escape, format_html

from patients.models import (
    Appointment,
    OutboxMessage,
    PatientProfile,
    TreatmentCourse,
    WaitlistEntry,
)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def appointments_of(patient: PatientProfile) -> list[dict[str, Any]]:
    rows = (
        Appointment.objects.filter(patient=patient)
        .select_related("practitioner__user", "room")
        .prefetch_related("status_changes")
        .order_by("start", "pk")
    )
    return [
        {
            "id": a.pk,
            "procedure": a.procedure_name_en,
            "procedure_ru": a.procedure_name_ru,
            "start": _iso(a.start),
            "end": _iso(a.end),
            "practitioner": a.practitioner.user.get_full_name(),
            "room": a.room.name,
            "status": a.status,
            "price_rub": str(a.price),
            "booked_through": a.channel,
            "booked_at": _iso(a.created_at),
            "screening_outcome": a.screening_outcome,
            "reason": a.reason,
            "note_to_patient": a.note_to_patient,
            "status_history": [
                {
                    "at": _iso(change.at),
                    "from": change.from_status,
                    "to": change.to_status,
                    "reason": change.reason,
                }
                for change in sorted(a.status_changes.all(), key=lambda c: (c.at, c.pk))
            ],
        }
        for a in rows
    ]


def messages_of(patient: PatientProfile) -> list[dict[str, Any]]:
    rows = OutboxMessage.objects.filter(patient=patient).order_by("created_at", "pk")
    return [
        {
            "kind": m.kind,
            "channel": m.channel,
            "recipient": m.recipient,
            "state": m.state,
            "status_history": {
                "created_at": _iso(m.created_at),
                "due_at": _iso(m.due_at),
                "sent_at": _iso(m.sent_at),
                "handed_over_at": _iso(m.handed_over_at),
                "delivered_at": _iso(m.delivered_at),
                "first_failed_at": _iso(m.first_failed_at),
            },
        }
        for m in rows
    ]


def courses_of(patient: PatientProfile) -> list[dict[str, Any]]:
    return [
        {
            "procedure": str(course.procedure),
            "started_on": _iso(course.started_on),
            "status": course.status,
            "sessions_done": course.sessions_done,
            "last_session_on": _iso(course.last_session_on),
        }
        for course in TreatmentCourse.objects.filter(patient=patient).select_related("procedure")
    ]


def waitlist_of(patient: PatientProfile) -> list[dict[str, Any]]:
    return [
        {
            "procedure": str(entry.procedure),
            "from": _iso(entry.from_date),
            "until": _iso(entry.to_date),
        }
        for entry in WaitlistEntry.objects.filter(patient=patient).select_related("procedure")
    ]


def _html(value: Any) -> str:
    if isinstance(value, dict):
        items = "".join(
            format_html("<dt>{}</dt><dd>", key) + _html(item) + "</dd>"
            for key, item in value.items()
        )
        return f"<dl>{items}</dl>"
    if isinstance(value, list):
        if not value:
            return "<p>—</p>"
        return "<ol>" + "".join(f"<li>{_html(item)}</li>" for item in value) + "</ol>"
    return str(escape("" if value is None else value))


def export_page(data: dict[str, Any], *, title: str) -> str:
    """The whole export as one readable HTML page (every value escaped)."""
    sections = "".join(
        format_html("<section><h2>{}</h2>", key) + _html(value) + "</section>"
        for key, value in data.items()
    )
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        + format_html("<title>{}</title>", title)
        + "</head><body>"
        + format_html("<h1>{}</h1>", title)
        + sections
        + "</body></html>"
    )
