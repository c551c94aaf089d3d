"""Reads of the session photos: which views a session needs, the ghost, the comparisons.

Domain rules (issue #18, "photos that compare"):
- A session is an appointment; its procedures are the appointment's own and any
  added to its chart. It is photographed in the views of those procedures
  (`procedures.models.views_of`); the views of the procedures whose photos are
  required must have a before photo (ready, or still processing) before the
  chart is signed.
- The ghost of a view is the same view's photo of the patient's latest earlier
  session (its before photo when there is one): shown over the camera preview,
  it lines up the face.
- A comparison sets two sessions of one patient side by side, view by view, for
  the views both have: each session shows its before photo of the view (its state
  when the session began), or the after photo when no before one was taken; the
  latest taken wins. Only ready photos are compared.
- `latest_comparison(patient)`: the patient's first session with photos against
  the latest one sharing a view with it (the progress page shows it).
Who may read what is decided by the caller; every staff read of a file is audited
by the photo view.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from patients.models import Appointment, PatientProfile, Photo, TreatmentProcedure
from patients.models.lifecycle import AppointmentStatus
from procedures.models import PhotoView, Procedure, views_of

__all__ = [
    "Comparison",
    "ViewPair",
    "ViewSlot",
    "capture_slots",
    "compare_sessions",
    "ghost_photo",
    "latest_comparison",
    "latest_comparison_of",
    "missing_before_views",
    "photo_sessions",
    "session_procedures",
    "session_views",
]

# Taken, or being processed: the gate counts both (the worker finishes on its own).
TAKEN = (Photo.Status.READY, Photo.Status.PROCESSING)
# Sessions whose photos may be taken: booked and seen, not cancelled or missed.
PHOTOGRAPHED_STATUSES = (
    AppointmentStatus.CONFIRMED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.COMPLETED,
)

# A session's before photo stands for it (its state as the session began); else the after one.
BEFORE_FIRST = Case(
    When(kind=Photo.Kind.BEFORE, then=Value(0)), default=Value(1), output_field=IntegerField()
)


@dataclass(frozen=True)
class ViewPair:
    view: PhotoView
    earlier: Photo
    later: Photo


@dataclass(frozen=True)
class ViewSlot:
    """One view on the capture page: its latest before and after photos, and the ghost."""

    view: PhotoView
    required: bool
    before: Photo | None
    after: Photo | None
    ghost: Photo | None


@dataclass(frozen=True)
class Comparison:
    earlier: Appointment
    later: Appointment
    pairs: list[ViewPair]


def session_procedures(appointment: Appointment) -> list[Procedure]:
    """The appointment's procedure and any added to its chart, with their views."""
    added = TreatmentProcedure.objects.filter(visit__appointment_id=appointment.pk).values(
        "procedure_id"
    )
    return list(
        Procedure.objects.filter(Q(pk=appointment.procedure_id) | Q(pk__in=added))
        .prefetch_related("photo_views")
        .order_by("pk")
    )


def session_views(appointment: Appointment) -> tuple[list[PhotoView], set[int]]:
    """The views a session is photographed in, and the ids of those whose photos are required."""
    procedures = session_procedures(appointment)
    required = {view.pk for view in views_of(procedures, required_only=True)}
    return views_of(procedures), required


def missing_before_views(appointment: Appointment) -> list[PhotoView]:
    """The required views of the session that have no before photo yet (ready or processing)."""
    views, required = session_views(appointment)
    if not required:
        return []
    taken = set(
        Photo.objects.filter(
            appointment_id=appointment.pk,
            kind=Photo.Kind.BEFORE,
            status__in=TAKEN,
            view_id__in=required,
        ).values_list("view_id", flat=True)
    )
    return [view for view in views if view.pk in required and view.pk not in taken]


def session_photos(appointment: Appointment) -> QuerySet[Photo]:
    """Every photo of the session, not failed, newest first."""
    return (
        Photo.objects.filter(appointment_id=appointment.pk, view__isnull=False)
        .exclude(status=Photo.Status.FAILED)
        .select_related("view")
        .order_by("-uploaded_at", "-pk")
    )


def ghost_photo(appointment: Appointment, view: PhotoView) -> Photo | None:
    """The same view's ready photo of the patient's latest earlier session (before preferred)."""
    return (
        Photo.objects.filter(
            patient_id=appointment.patient_id,
            view=view,
            status=Photo.Status.READY,
            appointment__start__lt=appointment.start,
        )
        .order_by("-appointment__start", BEFORE_FIRST, "-uploaded_at", "-pk")
        .first()
    )


def capture_slots(appointment: Appointment) -> list[ViewSlot]:
    """Every view of the session with what was taken in it and the previous session's photo."""
    views, required = session_views(appointment)
    latest: dict[tuple[int, str], Photo] = {}
    for photo in session_photos(appointment):
        latest.setdefault((photo.view_id or 0, photo.kind), photo)
    return [
        ViewSlot(
            view=view,
            required=view.pk in required,
            before=latest.get((view.pk, Photo.Kind.BEFORE)),
            after=latest.get((view.pk, Photo.Kind.AFTER)),
            ghost=ghost_photo(appointment, view),
        )
        for view in views
    ]


def photo_sessions(patient: PatientProfile) -> list[Appointment]:
    """The patient's sessions with ready photos of a view, oldest first."""
    return list(
        Appointment.objects.filter(
            patient=patient,
            photos__status=Photo.Status.READY,
            photos__view__isnull=False,
        )
        .distinct()
        .select_related("procedure")
        .order_by("start", "pk")
    )


def _photo_per_view(appointment_ids: list[int]) -> dict[tuple[int, int], Photo]:
    """(session id, view id) -> the photo that stands for the session in that view."""
    chosen: dict[tuple[int, int], Photo] = {}
    photos = (
        Photo.objects.filter(
            appointment_id__in=appointment_ids, status=Photo.Status.READY, view__isnull=False
        )
        .select_related("view")
        .order_by(BEFORE_FIRST, "-uploaded_at", "-pk")
    )
    for photo in photos:
        # Both ids are set: the query asked for session photos of a view.
        chosen.setdefault((photo.appointment_id or 0, photo.view_id or 0), photo)
    return chosen


def _pair_up(
    earlier: Appointment, later: Appointment, chosen: dict[tuple[int, int], Photo]
) -> Comparison:
    views = {
        photo.view.pk: photo.view
        for (session_id, _view_id), photo in chosen.items()
        if session_id == earlier.pk and photo.view is not None
    }
    pairs = [
        ViewPair(
            view=view, earlier=chosen[(earlier.pk, view.pk)], later=chosen[(later.pk, view.pk)]
        )
        for view in sorted(views.values(), key=lambda view: (view.display_order, view.slug))
        if (later.pk, view.pk) in chosen
    ]
    return Comparison(earlier=earlier, later=later, pairs=pairs)


def compare_sessions(first: Appointment, second: Appointment) -> Comparison:
    """Two sessions of one patient, view by view (the earlier one first).

    The caller has checked that both are the patient's it shows them to.
    """
    if first.patient_id != second.patient_id:
        raise ValueError("Sessions of two patients are never compared.")
    earlier, later = sorted((first, second), key=lambda session: (session.start, session.pk))
    return _pair_up(earlier, later, _photo_per_view([earlier.pk, later.pk]))


def latest_comparison_of(sessions: list[Appointment]) -> Comparison | None:
    """The first of `sessions` (one patient's, oldest first) against the latest sharing a view."""
    if len(sessions) < 2:
        return None
    # One query for every session's photos, however many sessions.
    chosen = _photo_per_view([session.pk for session in sessions])
    first = sessions[0]
    for later in reversed(sessions[1:]):
        comparison = _pair_up(first, later, chosen)
        if comparison.pairs:
            return comparison
    return None


def latest_comparison(patient: PatientProfile) -> Comparison | None:
    """The first session with photos against the latest one sharing a view with it, or None."""
    return latest_comparison_of(photo_sessions(patient))
