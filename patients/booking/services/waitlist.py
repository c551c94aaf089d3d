"""The waitlist: joining it, offering freed slots, accepting and expiring offers.

Domain rules (see `patients.models.waitlist`):
- A patient (or the desk for them) waits for one procedure between two local
  dates, today at the earliest and within the booking horizon, optionally with
  one qualified practitioner; one open entry per procedure.
- When an appointment is cancelled or declined, after the commit its slot is
  offered to the first eligible waiter, oldest entry first: the date is in
  their range, the practitioner matches when they chose one, they are verified,
  their intake is current, their consent signed, screening for that date is
  not blocked, and they are free then. The offer holds the slot
  `WAITLIST_HOLD_HOURS` hours; the patient is e-mailed.
- Accepting books the held slot through the booking service (all the usual
  checks; the offer's own hold does not count against it); an offer that has
  expired cannot be accepted.
- `expire_waitlist_offers(now)` (for the periodic job) expires the offers whose
  hold has run out, puts their waiters back in the queue (they may get another
  slot; not this one again) and offers each slot to the next eligible waiter;
  entries whose range has passed expire too.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

import patients.messaging as messaging
from clinic.availability import Policy, local_date, slot_at
from clinic.models import Practitioner, User
from clinic.selectors import availability_inputs, qualified_practitioners
from patients.booking.errors import BookingError, Forbidden
from patients.booking.locking import lock_offer, lock_patient
from patients.booking.screening import check_patient_days
from patients.booking.selectors import busy_for
from patients.booking.services.access import require_patient_or_desk
from patients.booking.services.booking import book_in_transaction, check_can_book
from patients.models import Appointment, PatientProfile, WaitlistEntry, WaitlistOffer
from patients.models.lifecycle import HOLDING_STATUSES
from patients.records.selectors import has_valid_consent
from procedures.errors import DomainError, lazy_interpolate
from procedures.models import Procedure

__all__ = [
    "accept_waitlist_offer",
    "expire_waitlist_offers",
    "join_waitlist",
    "leave_waitlist",
    "offer_freed_slot",
    "offer_freed_slot_later",
]

OPEN_ENTRY = (WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED)


def join_waitlist(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    from_date: dt.date,
    to_date: dt.date,
    practitioner: Practitioner | None = None,
    by: User,
) -> WaitlistEntry:
    """Put the patient on the waitlist for `procedure` between two local dates (inclusive)."""
    require_patient_or_desk(by, patient)
    policy = Policy.from_settings()
    today = timezone.localdate()
    if from_date < today:
        raise DomainError(
            _("Choose today or a later date."), code="date_in_past", field="from_date"
        )
    if to_date < from_date:
        raise DomainError(
            _("The end of the range cannot be before its start."),
            code="range_reversed",
            field="to_date",
        )
    if to_date > policy.last_day(timezone.now()):
        raise DomainError(
            lazy_interpolate(
                ngettext_lazy(
                    "Choose a date at most %(days)s day ahead.",
                    "Choose a date at most %(days)s days ahead.",
                    policy.max_days_ahead,
                ),
                {"days": policy.max_days_ahead},
            ),
            code="too_far_ahead",
            field="to_date",
        )
    if not procedure.is_active:
        raise DomainError(
            _("This procedure cannot be booked at the moment."),
            code="procedure_not_bookable",
            field="procedure",
        )
    if practitioner is not None and not qualified_practitioners(
        procedure, practitioner=practitioner
    ):
        raise DomainError(
            _("This practitioner does not perform this procedure."),
            code="practitioner_not_qualified",
            field="practitioner",
        )
    with transaction.atomic():
        if WaitlistEntry.objects.filter(
            patient=patient, procedure=procedure, status__in=OPEN_ENTRY
        ).exists():
            error = DomainError(
                _("You are already on the waitlist for this procedure."),
                code="already_waiting",
                field="procedure",
            )
            error.http_status = 409
            raise error
        entry = WaitlistEntry(
            patient=patient,
            procedure=procedure,
            from_date=from_date,
            to_date=to_date,
            practitioner=practitioner,
        )
        entry.full_clean()
        entry.save()
    return entry


def leave_waitlist(*, entry: WaitlistEntry, by: User) -> WaitlistEntry:
    """Take an entry off the waitlist; an open offer of it is withdrawn."""
    require_patient_or_desk(by, entry.patient)
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status in OPEN_ENTRY:
            entry.status = WaitlistEntry.Status.CANCELLED
            entry.save(update_fields=["status"])
            entry.offers.filter(status=WaitlistOffer.Status.OPEN).update(
                status=WaitlistOffer.Status.WITHDRAWN
            )
    return entry


def _eligible(
    entry: WaitlistEntry, procedure: Procedure, start: dt.datetime, end: dt.datetime
) -> bool:
    """Could the booking service book this slot for the waiter (screening, consent, time)?"""
    patient = entry.patient
    if patient.erased_at is not None or not patient.is_verified:
        return False
    try:
        # The day as a booking screens it: answers, other sessions, the course window,
        # and the interval before the patient's own later session of it.
        checks, _own = check_patient_days(
            patient=patient, procedure=procedure, days=[local_date(start)]
        )
    except DomainError:
        return False  # no current intake
    if not checks[0].allowed or not has_valid_consent(patient, procedure.category):
        return False
    return not Appointment.objects.filter(
        patient=patient, status__in=HOLDING_STATUSES, start__lt=end, end__gt=start
    ).exists()


def _offer_slot(
    *,
    procedure: Procedure,
    start: dt.datetime,
    practitioner_id: int,
    now: dt.datetime,
    freed_by: Appointment | None,
) -> WaitlistOffer | None:
    """Offer the slot at `start` with that practitioner to the first eligible waiter, if free."""
    policy = Policy.from_settings()
    if start < policy.earliest_start(now):
        return None  # too close to be booked any more
    day = start.astimezone(policy.zone).date()
    inputs = availability_inputs(procedure, day, 1, practitioner=practitioner_id)
    slot = slot_at(
        inputs,
        busy=busy_for(inputs, now=now),
        now=now,
        start=start,
        practitioner_id=practitioner_id,
        policy=policy,
    )
    if slot is None:
        return None
    already_offered = WaitlistOffer.objects.filter(
        entry=OuterRef("pk"), start=start, practitioner_id=practitioner_id
    )
    waiters = (
        WaitlistEntry.objects.filter(
            Q(practitioner__isnull=True) | Q(practitioner_id=practitioner_id),
            procedure=procedure,
            status=WaitlistEntry.Status.WAITING,
            from_date__lte=day,
            to_date__gte=day,
        )
        .exclude(Exists(already_offered))
        .select_related("patient__user")
        .order_by("created_at", "pk")
    )
    if freed_by is not None:
        waiters = waiters.exclude(patient_id=freed_by.patient_id)
    for entry in waiters:
        if not _eligible(entry, procedure, slot.start, slot.end):
            continue
        offer = WaitlistOffer(
            entry=entry,
            start=slot.start,
            end=slot.end,
            room_free_at=slot.end + dt.timedelta(minutes=procedure.buffer_minutes),
            practitioner_id=slot.practitioner_id,
            room_id=slot.room_id,
            expires_at=now + dt.timedelta(hours=settings.WAITLIST_HOLD_HOURS),
            freed_by=freed_by,
            created_at=now,
        )
        offer.full_clean()
        offer.save()
        entry.status = WaitlistEntry.Status.OFFERED
        entry.save(update_fields=["status"])
        messaging.waitlist_offer_made(offer)
        return offer
    return None


def offer_freed_slot_later(appointment: Appointment) -> None:
    """After the commit, offer the slot an appointment just freed (a failure is only logged)."""
    appointment_id = appointment.pk

    def offer() -> None:  # named: a failure's log line says which callback failed
        offer_freed_slot(appointment_id=appointment_id)

    transaction.on_commit(offer, robust=True)


def offer_freed_slot(
    *, appointment_id: int, now: dt.datetime | None = None
) -> WaitlistOffer | None:
    """Offer a cancelled (or declined) appointment's slot to the first eligible waiter."""
    now = now or timezone.now()
    appointment = Appointment.objects.select_related("procedure").get(pk=appointment_id)
    if appointment.status in HOLDING_STATUSES:
        return None  # not freed after all
    with transaction.atomic():
        return _offer_slot(
            procedure=appointment.procedure,
            start=appointment.start,
            practitioner_id=appointment.practitioner_id,
            now=now,
            freed_by=appointment,
        )


def accept_waitlist_offer(*, offer: WaitlistOffer, patient: PatientProfile) -> Appointment:
    """The waiting patient takes the held slot: booked through the booking service."""
    now = timezone.now()
    with transaction.atomic():
        offer = lock_offer(offer.pk, "entry__patient__user", "entry__procedure", "practitioner")
        entry = offer.entry
        if entry.patient_id != patient.pk:
            raise Forbidden()
        if offer.status != WaitlistOffer.Status.OPEN or offer.expires_at <= now:
            error = BookingError(_("This offer is no longer available."), code="offer_expired")
            error.http_status = 409
            raise error
        user = patient.user
        check_can_book(
            patient=patient, procedure=entry.procedure, booked_by=user, start=offer.start
        )
        lock_patient(patient)
        appointment = book_in_transaction(
            patient=patient,
            procedure=entry.procedure,
            start=offer.start,
            practitioner=offer.practitioner,
            booked_by=user,
            channel=Appointment.Channel.WEB,
            now=now,
            ignore_offer=offer.pk,
        )
        offer.status = WaitlistOffer.Status.ACCEPTED
        offer.appointment = appointment
        offer.save(update_fields=["status", "appointment"])
        entry.status = WaitlistEntry.Status.BOOKED
        entry.save(update_fields=["status"])
    return appointment


def expire_waitlist_offers(now: dt.datetime | None = None) -> int:
    """Expire offers past their hold and pass each slot on; returns how many expired."""
    now = now or timezone.now()
    today = local_date(now)
    expired = 0
    due = list(
        WaitlistOffer.objects.filter(
            status=WaitlistOffer.Status.OPEN, expires_at__lte=now
        ).values_list("pk", flat=True)
    )
    for pk in due:
        with transaction.atomic():
            offer = lock_offer(pk, "entry__procedure", "freed_by")
            if offer.status != WaitlistOffer.Status.OPEN:
                continue
            offer.status = WaitlistOffer.Status.EXPIRED
            offer.save(update_fields=["status"])
            entry = offer.entry
            if entry.status == WaitlistEntry.Status.OFFERED:
                entry.status = (
                    WaitlistEntry.Status.WAITING
                    if entry.to_date >= today
                    else WaitlistEntry.Status.EXPIRED
                )
                entry.save(update_fields=["status"])
            expired += 1
            _offer_slot(
                procedure=entry.procedure,
                start=offer.start,
                practitioner_id=offer.practitioner_id,
                now=now,
                freed_by=offer.freed_by,
            )
    WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING, to_date__lt=today).update(
        status=WaitlistEntry.Status.EXPIRED
    )
    return expired
