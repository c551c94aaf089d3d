"""The demo clinic's patients: logins, intakes, consents and a few weeks of appointments.

`clinic/management/commands/seed_demo.py` calls `seed_patients` after it has
made the staff, rooms and practitioners. Domain rules kept here:

- Every demo patient has a verified login (password `settings.DEMO_PASSWORD`),
  a profile, a current intake (the baseline answers of intake.md with one
  realistic change or two: some only need a practitioner's review, some are
  blocked for some procedures) and a signed consent of every current text.
- Future appointments are booked through `book_appointment`, so screening,
  consent, course windows and free slots decide exactly as they do for a real
  booking; a flagged screening leaves the booking `pending_review`.
- The booking services refuse the past, so past visits are written the way the
  services would have left them: on a free slot of that day (the engine, with
  every visit of that day counted as busy), screened for that date with the
  history so far, a status-change row per step, and completed sessions
  advancing the patient's course (`services.courses.advance_course`).
- Safe to run twice: a patient found by e-mail is completed, never duplicated;
  one who already has appointments gets no more; consents already signed and
  an intake already current are left as they are.
- Seeded bookings send no e-mail (the addresses are made up): the e-mail
  backend is a dummy one while the command runs.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test.utils import override_settings
from django.utils import timezone

from clinic.availability import Booking, Busy, Policy, Slot, free_slots, local_day_bounds
from clinic.models import Practitioner, User
from clinic.selectors import availability_inputs
from patients.booking.screening import screen_for_booking
from patients.booking.selectors import course_history, free_slots_for
from patients.booking.services import book_appointment
from patients.booking.services.booking import new_appointment
from patients.booking.services.courses import advance_course
from patients.booking.services.history import log_status_change
from patients.models import Appointment, PatientProfile
from patients.models.lifecycle import AppointmentStatus
from patients.records.selectors import current_consent_texts, intake_is_current, latest_intake
from patients.records.services import sign_consent, submit_intake
from procedures.errors import DomainError
from procedures.intake import baseline_answers
from procedures.models import Procedure

__all__ = ["DEMO_PATIENTS", "DemoPatient", "demo_patient_logins", "quiet_email", "seed_patients"]

S = AppointmentStatus
# Past visits: (procedure slug, days ago, what happened).
Visit = tuple[str, int, str]
# Future bookings: (procedure slug, days ahead).
Plan = tuple[str, int]


@dataclass(frozen=True, kw_only=True)
class DemoPatient:
    email: str
    first_name: str
    last_name: str
    language: str = "ru"
    age: int = 30
    sex: str = "female"
    # Intake answers that differ from the baseline; dates as days before today.
    changes: dict[str, Any] = field(default_factory=dict)
    dates_ago: dict[str, int] = field(default_factory=dict)
    past: tuple[Visit, ...] = ()
    future: tuple[Plan, ...] = ()
    note: str = ""


DONE, NO_SHOW = S.COMPLETED.value, S.NO_SHOW.value

DEMO_PATIENTS: tuple[DemoPatient, ...] = (
    DemoPatient(
        email="patient@clinic.local",
        first_name="Olga",
        last_name="Demidova",
        language="en",
        past=(
            ("consultation", 52, DONE),
            ("glycolic-peel", 49, DONE),
            ("glycolic-peel", 33, DONE),
            ("glycolic-peel", 17, DONE),
        ),
        future=(("consultation", 6),),
        note="patient: nothing to declare, a glycolic peel course under way, graded progress",
    ),
    DemoPatient(
        email="maria.ivanova@patients.clinic.local",
        first_name="Мария",
        last_name="Иванова",
        changes={"herpes_history": True},
        past=(("glycolic-peel", 19, DONE),),
        future=(("glycolic-peel", 1),),
        note="recurring cold sores: peels need a review",
    ),
    DemoPatient(
        email="anna.smirnova@patients.clinic.local",
        first_name="Анна",
        last_name="Смирнова",
        age=34,
        changes={"fitzpatrick": "IV", "scar_types": {"rolling", "boxcar_deep"}},
        past=(
            ("consultation", 100, DONE),
            ("microneedling", 95, DONE),
            ("microneedling", 62, DONE),
            ("microneedling", 27, DONE),
        ),
        future=(("microneedling", 8),),
    ),
    DemoPatient(
        email="ekaterina.kuznetsova@patients.clinic.local",
        first_name="Екатерина",
        last_name="Кузнецова",
        age=41,
        changes={"rosacea": True},
        past=(("consultation", 14, DONE),),
        future=(("consultation", 2),),
        note="rosacea: peels and lasers blocked",
    ),
    DemoPatient(
        email="dmitry.popov@patients.clinic.local",
        first_name="Дмитрий",
        last_name="Попов",
        sex="male",
        age=27,
        changes={"scar_types": {"icepick", "boxcar_deep"}},
        past=(
            ("consultation", 80, DONE),
            ("tca-cross", 62, DONE),
            ("tca-cross", 44, DONE),
            ("tca-cross", 15, DONE),
        ),
        future=(("tca-cross", 3),),
    ),
    DemoPatient(
        email="sergey.vasiliev@patients.clinic.local",
        first_name="Сергей",
        last_name="Васильев",
        sex="male",
        age=24,
        changes={"isotretinoin": "stopped"},
        dates_ago={"isotretinoin_stopped_on": 120},
        past=(("consultation", 10, DONE),),
        future=(("phototherapy", 5),),
        note="isotretinoin stopped 4 months ago: laser resurfacing blocked until 6 months",
    ),
    DemoPatient(
        email="elena.petrova@patients.clinic.local",
        first_name="Елена",
        last_name="Петрова",
        age=32,
        changes={"pregnant": "yes"},
        future=(("consultation", 4),),
        note="pregnant: most treatments blocked",
    ),
    DemoPatient(
        email="natalia.sokolova@patients.clinic.local",
        first_name="Наталья",
        last_name="Соколова",
        age=45,
        changes={"blood_thinners": True, "blood_thinners_which": "warfarin"},
        future=(("microneedling", 9),),
        note="blood thinners: microneedling needs a review",
    ),
    DemoPatient(
        email="irina.morozova@patients.clinic.local",
        first_name="Ирина",
        last_name="Морозова",
        age=29,
        changes={"keloid_tendency": True},
        past=(("salicylic-peel", 6, NO_SHOW),),
        future=(("consultation", 7),),
    ),
    DemoPatient(
        email="alexei.novikov@patients.clinic.local",
        first_name="Алексей",
        last_name="Новиков",
        sex="male",
        age=38,
        changes={"diabetes": True},
        past=(("mesotherapy", 18, DONE),),
        note="diabetes: ozone therapy blocked",
    ),
    DemoPatient(
        email="tatiana.volkova@patients.clinic.local",
        first_name="Татьяна",
        last_name="Волкова",
        age=36,
        changes={"skin_type": "dry", "scar_types": {"rolling", "macular"}},
        past=(
            ("consultation", 40, DONE),
            ("microdermabrasion", 31, DONE),
            ("microdermabrasion", 15, DONE),
        ),
        future=(("microdermabrasion", 3),),
        note="dry skin: cryo-massage blocked",
    ),
    DemoPatient(
        email="yulia.lebedeva@patients.clinic.local",
        first_name="Юлия",
        last_name="Лебедева",
        language="en",
        age=26,
        changes={"allergies": {"lidocaine"}},
        past=(("ultrasonic-peeling", 12, DONE),),
        future=(("ultrasonic-peeling", 9),),
        note="lidocaine allergy: hyaluronic filler blocked",
    ),
    DemoPatient(
        email="andrei.kozlov@patients.clinic.local",
        first_name="Андрей",
        last_name="Козлов",
        sex="male",
        age=31,
        changes={"fitzpatrick": "V", "pih_history": True},
        past=(("vacuum-cleaning", 9, NO_SHOW),),
        future=(("vacuum-cleaning", 1),),
    ),
    DemoPatient(
        email="svetlana.pavlova@patients.clinic.local",
        first_name="Светлана",
        last_name="Павлова",
        age=48,
        changes={"autoimmune": "stable"},
        past=(("consultation", 21, DONE),),
        note="stable autoimmune disease: collagen blocked, fillers need a review",
    ),
    DemoPatient(
        email="ksenia.orlova@patients.clinic.local",
        first_name="Ксения",
        last_name="Орлова",
        age=23,
        changes={"recent_tan": True},
        past=(("phototherapy", 19, DONE),),
    ),
    DemoPatient(
        email="mikhail.fedorov@patients.clinic.local",
        first_name="Михаил",
        last_name="Фёдоров",
        language="en",
        sex="male",
        age=35,
        changes={"scar_types": {"rolling", "boxcar_shallow"}},
        past=(("consultation", 60, DONE), ("fractional-laser", 25, DONE)),
        future=(("fractional-laser", 10),),
    ),
    DemoPatient(
        email="daria.nikolaeva@patients.clinic.local",
        first_name="Дарья",
        last_name="Николаева",
        age=22,
        dates_ago={"topical_retinoid_last_used": 1},
        future=(("consultation", 3),),
        note="used a retinoid cream yesterday: peels blocked for a few days",
    ),
    DemoPatient(
        email="polina.zaitseva@patients.clinic.local",
        first_name="Полина",
        last_name="Зайцева",
        age=19,
        changes={"active_inflammation": True},
        future=(("consultation", 2),),
        note="inflamed spots now: most treatments blocked",
    ),
    DemoPatient(
        email="viktor.solovyov@patients.clinic.local",
        first_name="Виктор",
        last_name="Соловьёв",
        sex="male",
        age=52,
        changes={"cardiovascular": True},
        past=(("microcurrent", 14, DONE),),
    ),
    DemoPatient(
        email="alina.egorova@patients.clinic.local",
        first_name="Алина",
        last_name="Егорова",
        age=28,
        changes={"breastfeeding": True},
        past=(("oxygen-injections", 8, DONE),),
        future=(("oxygen-injections", 10),),
    ),
    # A course with session photos to compare (#18): the consultation, then three sessions.
    DemoPatient(
        email="maria.volkova@patients.clinic.local",
        first_name="Мария",
        last_name="Волкова",
        age=29,
        changes={"scar_types": {"rolling", "boxcar_shallow"}},
        past=(
            ("consultation", 120, DONE),
            ("microneedling", 105, DONE),
            ("microneedling", 70, DONE),
            ("microneedling", 35, DONE),
        ),
        future=(("microneedling", 6),),
    ),
)

# Visits are spread over the day: the n-th patient's visits aim at these local hours.
AIM_HOURS = (10, 11, 12, 14, 15, 16, 17, 9, 13, 18)


def demo_patient_logins() -> list[tuple[str, str]]:
    """(e-mail, what it shows) of the demo patient logins worth trying first."""
    first = DEMO_PATIENTS[0]
    return [(first.email, first.note)]


@contextmanager
def quiet_email() -> Iterator[None]:
    """Send no e-mail inside (the seeded addresses are made up).

    The bookings' e-mails leave when the transaction commits: enter this before
    the transaction starts, so it still applies then.
    """
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        yield


def _answers(spec: DemoPatient, today: dt.date) -> dict[str, Any]:
    answers = baseline_answers(on=today)
    born = answers["date_of_birth"]
    # Born on this day `age` years ago (the 28th for a 29 February that year lacks).
    answers["date_of_birth"] = dt.date(
        today.year - spec.age, born.month, min(born.day, 28 if born.month == 2 else born.day)
    )
    answers["sex"] = spec.sex
    answers.update(spec.changes)
    for key, days in spec.dates_ago.items():
        answers[key] = today - dt.timedelta(days=days)
    return answers


def ensure_patient(spec: DemoPatient, *, password_hash: str) -> tuple[PatientProfile, bool]:
    """The patient's verified login and profile; the password is set only when created."""
    user, created = User.objects.get_or_create(
        email=spec.email,
        defaults={
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            # A valid Russian mobile number in E.164, the same for the same patient.
            "phone": f"+7900{zlib.crc32(spec.email.encode()) % 900 + 100}0000",
            "preferred_language": spec.language,
            "password": password_hash,
        },
    )
    profile, _new = PatientProfile.objects.get_or_create(
        user=user,
        defaults={
            "date_of_birth": _answers(spec, timezone.localdate())["date_of_birth"],
            "email_verified_at": timezone.now(),
        },
    )
    if profile.email_verified_at is None:
        profile.email_verified_at = timezone.now()
        profile.save(update_fields=["email_verified_at"])
    return profile, created


def ensure_intake(profile: PatientProfile, spec: DemoPatient) -> bool:
    """Submit the patient's answers unless a current intake exists; True when submitted."""
    latest = latest_intake(profile)
    if latest is not None and intake_is_current(latest):
        return False
    submit_intake(
        patient=profile,
        answers=_answers(spec, timezone.localdate()),
        submitted_by=profile.user,
    )
    return True


def ensure_consents(profile: PatientProfile) -> int:
    """Sign the current text of every kind (signing a signed version changes nothing)."""
    texts = current_consent_texts()
    for text in texts:
        sign_consent(
            patient=profile,
            text=text,
            full_name=profile.full_name or profile.user.email,
            ticked=True,
            ip_address="127.0.0.1",
            user_agent="seed_demo",
            language=profile.user.preferred_language,
        )
    return len(texts)


# --- appointments -----------------------------------------------------------------------------


def _nearest(slots: list[Slot], hour: int, zone: dt.tzinfo) -> Slot | None:
    if not slots:
        return None

    def distance(slot: Slot) -> tuple[float, dt.datetime]:
        local = slot.start.astimezone(zone)
        return (abs(local.hour + local.minute / 60 - hour), slot.start)

    return min(slots, key=distance)


def _past_slot(procedure: Procedure, day: dt.date, hour: int) -> Slot | None:
    """A slot on a past day, free of every visit already recorded that day (any status)."""
    zone = Policy.from_settings().zone
    inputs = availability_inputs(procedure, day, 1)
    if not inputs.practitioners or not inputs.room_ids:
        return None
    # Completed visits hold no time for booking, but two visits cannot have shared a chair.
    rows = Appointment.objects.filter(
        start__lt=inputs.busy_until, room_free_at__gt=inputs.busy_from
    ).exclude(status__in=(S.CANCELLED, S.DECLINED))
    busy = Busy.from_bookings(
        Booking(
            start=a.start,
            end=a.end,
            practitioner_id=a.practitioner_id,
            room_id=a.room_id,
            buffer_minutes=a.buffer_minutes,
        )
        for a in rows
    )
    start_of_day = local_day_bounds(day, zone=zone)[0]
    slots = free_slots(inputs, busy=busy, now=start_of_day - dt.timedelta(days=1))
    return _nearest(slots, hour, zone)


def _log(appointment: Appointment, steps: list[tuple[str, str, dt.datetime]], by: User) -> None:
    for from_status, to_status, at in steps:
        log_status_change(appointment, from_status=from_status, to_status=to_status, by=by, at=at)


def record_past_visit(
    *,
    profile: PatientProfile,
    procedure: Procedure,
    day: dt.date,
    hour: int,
    outcome: str,
    desk: User,
) -> Appointment | None:
    """Write a past visit as the services would have left it; None when it could not be."""
    slot = _past_slot(procedure, day, hour)
    if slot is None:
        return None
    try:
        result = screen_for_booking(patient=profile, procedure=procedure, on=day, start=slot.start)
    except DomainError:
        return None
    if result.blocked:
        return None
    _last, done = course_history(profile, procedure, before=slot.start)
    booked_at = slot.start - dt.timedelta(days=7)
    appointment = new_appointment(
        patient=profile,
        procedure=procedure,
        slot=slot,
        screening=result,
        version=latest_intake(profile),
        status=outcome,
        session_number=done + 1,
        channel=Appointment.Channel.DESK,
        booked_by=desk,
        at=booked_at,
    )
    if outcome == DONE:
        advance_course(appointment)
    appointment.full_clean()
    appointment.save()
    first = S.PENDING_REVIEW if result.needs_review else S.CONFIRMED
    steps: list[tuple[str, str, dt.datetime]] = [("", first, booked_at)]
    if first == S.PENDING_REVIEW:
        steps.append((first, S.CONFIRMED, booked_at + dt.timedelta(hours=3)))
    if outcome == DONE:
        steps += [(S.CONFIRMED, S.CHECKED_IN, slot.start), (S.CHECKED_IN, S.COMPLETED, slot.end)]
    else:
        steps.append((S.CONFIRMED, S.NO_SHOW, slot.start + dt.timedelta(minutes=30)))
    _log(appointment, steps, desk)
    return appointment


def book_future(
    *,
    profile: PatientProfile,
    procedure: Procedure,
    day: dt.date,
    hour: int,
    desk: User,
    online: bool,
) -> Appointment | None:
    """Book through the booking service on `day` or the next days with a free slot.

    `online`: the patient booked it on the website, else the receptionist at the desk.
    """
    zone = Policy.from_settings().zone
    for offset in range(7):
        slots = free_slots_for(procedure, start_date=day + dt.timedelta(days=offset), days=1)
        slot = _nearest(slots, hour, zone)
        if slot is None:
            continue
        try:
            return book_appointment(
                patient=profile,
                procedure=procedure,
                start=slot.start,
                practitioner=Practitioner.objects.get(pk=slot.practitioner_id),
                booked_by=profile.user if online else desk,
                channel=Appointment.Channel.WEB if online else Appointment.Channel.DESK,
            )
        except DomainError:
            continue
    return None


def seed_appointments(
    profile: PatientProfile,
    spec: DemoPatient,
    *,
    index: int,
    desk: User,
    procedures: dict[str, Procedure],
) -> int:
    """The patient's past visits (oldest first) and future bookings; 0 when they have some."""
    if Appointment.objects.filter(patient=profile).exists():
        return 0
    today = timezone.localdate()
    hour = AIM_HOURS[index % len(AIM_HOURS)]
    made = 0
    for slug, days_ago, outcome in sorted(spec.past, key=lambda visit: -visit[1]):
        day = today - dt.timedelta(days=days_ago)
        # Sunday is closed: the visit was the day before.
        if day.weekday() == 6:
            day -= dt.timedelta(days=1)
        made += bool(
            record_past_visit(
                profile=profile,
                procedure=procedures[slug],
                day=day,
                hour=hour,
                outcome=outcome,
                desk=desk,
            )
        )
    for slug, days_ahead in spec.future:
        day = today + dt.timedelta(days=days_ahead)
        made += bool(
            book_future(
                profile=profile,
                procedure=procedures[slug],
                day=day,
                hour=hour,
                desk=desk,
                online=index % 2 == 0,
            )
        )
    return made


def seed_patients(out: Any, *, desk_email: str) -> list[PatientProfile]:
    """Every demo patient with login, intake, consents and appointments (see the module doc).

    Run it inside `quiet_email()` and a transaction, after the clinic's side exists.
    """
    desk = User.objects.get(email=desk_email)
    password_hash = make_password(settings.DEMO_PASSWORD)  # hashed once: one password for all
    procedures = {p.slug: p for p in Procedure.objects.prefetch_related("rules")}
    profiles: list[PatientProfile] = []
    created = intakes = appointments = 0
    for index, spec in enumerate(DEMO_PATIENTS):
        profile, new = ensure_patient(spec, password_hash=password_hash)
        created += new
        intakes += ensure_intake(profile, spec)
        ensure_consents(profile)
        appointments += seed_appointments(
            profile, spec, index=index, desk=desk, procedures=procedures
        )
        profiles.append(profile)
    out.write(
        f"Demo patients: {len(DEMO_PATIENTS)} ({created} created, {intakes} intakes, "
        f"{appointments} appointments)"
    )
    return profiles
