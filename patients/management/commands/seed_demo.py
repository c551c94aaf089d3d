"""Create the demo clinic: staff logins for every role, practitioners, rooms and hours.

Safe to run twice: everything is looked up before it is created, and what staff may
have edited since (hours, rooms, roles) is left as it is. Every demo login uses
`settings.DEMO_PASSWORD`, set when the account is created.

One small function per kind of thing, called in order by `seed_clinic`; then
`patients.management.demo.seed_patients` adds the demo patients, their intakes, consents and a few
weeks of past and future appointments (they need the practitioners and rooms made here), and
`patients.management.demo_photos.seed_session_photos` session photos;
`patients.management.demo_outcomes.seed_outcomes` charts and grades some patients' past visits;
`patients.management.demo_progress.seed_progress` a graded microneedling cohort and
self-assessments; `patients.management.demo_gallery.seed_gallery` two published before/after pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from clinic.models import OpeningHours, Practitioner, Room, User, WorkingHours
from clinic.roles import Role
from patients.management.demo import demo_patient_logins, quiet_email, seed_patients
from patients.management.demo_gallery import seed_gallery
from patients.management.demo_outcomes import seed_outcomes
from patients.management.demo_photos import seed_session_photos
from patients.management.demo_progress import OUTCOME_COHORT, seed_progress
from procedures.models import Procedure

DEMO_MANAGER_EMAIL = "manager@clinic.local"
DEMO_RECEPTIONIST_EMAIL = "reception@clinic.local"

Hours = tuple[tuple[int, ...], time, time]  # weekdays (Monday is 0), from, until


@dataclass(frozen=True, kw_only=True)
class DemoStaff:
    email: str
    first_name: str
    last_name: str
    group: str
    note: str
    superuser: bool = False


@dataclass(frozen=True, kw_only=True)
class DemoPractitioner:
    email: str
    first_name: str
    last_name: str
    roles: tuple[str, ...]
    colour: str
    hours: tuple[Hours, ...]
    extra: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    note: str = ""


MANAGER = DemoStaff(
    email=DEMO_MANAGER_EMAIL,
    first_name="Marina",
    last_name="Volkova",
    group=Role.MANAGER,
    note="manager: everything",
    superuser=True,
)
RECEPTIONIST = DemoStaff(
    email=DEMO_RECEPTIONIST_EMAIL,
    first_name="Irina",
    last_name="Pavlova",
    group=Role.RECEPTIONIST,
    note="receptionist: bookings at the desk",
)

WEEKDAYS = (0, 1, 2, 3, 4)
# Monday to Friday 09:00-20:00, Saturday 10:00-16:00, Sunday closed.
OPENING_HOURS = {
    **{day: (time(9), time(20)) for day in WEEKDAYS},
    5: (time(10), time(16)),
}
ROOMS = (
    ("Consulting room", Room.Kind.CONSULT),
    ("Treatment room 1", Room.Kind.TREATMENT),
    ("Treatment room 2", Room.Kind.TREATMENT),
    ("Treatment room 3", Room.Kind.TREATMENT),
    ("Laser room", Room.Kind.LASER),
    ("Surgery room", Room.Kind.SURGERY),
)
PRACTITIONERS = (
    DemoPractitioner(
        email="sokolova@clinic.local",
        first_name="Anna",
        last_name="Sokolova",
        roles=("derm",),
        colour="#2a9d8f",
        hours=((WEEKDAYS, time(9), time(15)),),
        note="dermatologist, mornings",
    ),
    DemoPractitioner(
        email="orlov@clinic.local",
        first_name="Dmitry",
        last_name="Orlov",
        roles=("derm",),
        colour="#e76f51",
        hours=(((0, 2, 4), time(13), time(20)), ((5,), time(10), time(16))),
        excluded=("phenol-peel",),
        note="dermatologist, evenings and Saturdays; no phenol peels",
    ),
    DemoPractitioner(
        email="smirnova@clinic.local",
        first_name="Elena",
        last_name="Smirnova",
        roles=("cosm",),
        colour="#f4a261",
        hours=((WEEKDAYS, time(9), time(13)), (WEEKDAYS, time(14), time(17))),
        note="cosmetologist, days with a lunch break",
    ),
    DemoPractitioner(
        email="kuznetsova@clinic.local",
        first_name="Olga",
        last_name="Kuznetsova",
        roles=("cosm",),
        colour="#457b9d",
        hours=(((1, 2, 3, 4), time(14), time(20)), ((5,), time(10), time(16))),
        extra=("oxygen-injections",),
        note="cosmetologist, evenings and Saturdays; also oxygen injections",
    ),
    DemoPractitioner(
        email="lebedev@clinic.local",
        first_name="Igor",
        last_name="Lebedev",
        roles=("surg",),
        colour="#8338ec",
        hours=(((1, 3), time(9), time(18)), ((5,), time(10), time(16))),
        note="surgeon, Tuesdays, Thursdays and Saturdays",
    ),
    DemoPractitioner(
        email="morozova@clinic.local",
        first_name="Natalya",
        last_name="Morozova",
        roles=("derm", "surg"),
        colour="#d62828",
        hours=(
            ((0, 2), time(9), time(14)),
            ((1, 3), time(14), time(20)),
            ((4,), time(9), time(18)),
        ),
        note="dermatologist and surgeon",
    ),
)


def staff_logins() -> list[tuple[str, str]]:
    """(e-mail, what it is for) of every demo staff login, for the start-up message."""
    return [
        (MANAGER.email, MANAGER.note),
        (RECEPTIONIST.email, RECEPTIONIST.note),
        *((p.email, f"practitioner: {p.note}") for p in PRACTITIONERS),
    ]


def ensure_user(
    *, email: str, first_name: str, last_name: str, group: str, superuser: bool = False
) -> tuple[User, bool]:
    """A staff login in its role's group; the password is set only when it is created."""
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "is_staff": True,
            "is_superuser": superuser,
            "preferred_language": "ru",
        },
    )
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=group))
    return user, created


def seed_staff(out: Any) -> None:
    """The manager and the receptionist."""
    for person in (MANAGER, RECEPTIONIST):
        _user, created = ensure_user(
            email=person.email,
            first_name=person.first_name,
            last_name=person.last_name,
            group=person.group,
            superuser=person.superuser,
        )
        out.write(f"Demo {person.group}: {person.email} ({'created' if created else 'exists'})")


def seed_rooms(out: Any) -> None:
    """One consulting room, three treatment rooms, a laser room and a surgery room."""
    created = 0
    for name, kind in ROOMS:
        _room, new = Room.objects.get_or_create(name=name, defaults={"kind": kind})
        created += new
    out.write(f"Demo rooms: {len(ROOMS)} ({created} created)")


def seed_opening_hours(out: Any) -> None:
    """Monday to Saturday; a weekday already set up is left as it is."""
    for weekday, (opens, closes) in OPENING_HOURS.items():
        OpeningHours.objects.get_or_create(
            weekday=weekday, defaults={"opens": opens, "closes": closes}
        )
    out.write(f"Demo opening hours: {len(OPENING_HOURS)} weekdays")


def seed_practitioner(spec: DemoPractitioner) -> tuple[Practitioner, bool]:
    """One practitioner with their login, weekly hours and exceptions (first run only)."""
    user, _created = ensure_user(
        email=spec.email,
        first_name=spec.first_name,
        last_name=spec.last_name,
        group=Role.PRACTITIONER,
    )
    practitioner = Practitioner.objects.filter(user=user).first()
    if practitioner is not None:
        return practitioner, False
    practitioner = Practitioner(user=user, roles=list(spec.roles), colour=spec.colour)
    practitioner.full_clean()
    practitioner.save()
    practitioner.extra_procedures.set(Procedure.objects.filter(slug__in=spec.extra))
    practitioner.excluded_procedures.set(Procedure.objects.filter(slug__in=spec.excluded))
    for weekdays, start, end in spec.hours:
        for weekday in weekdays:
            hours = WorkingHours(practitioner=practitioner, weekday=weekday, start=start, end=end)
            hours.full_clean()
            hours.save()
    return practitioner, True


def seed_practitioners(out: Any) -> list[Practitioner]:
    """Six practitioners covering the three roles, with hours inside the opening hours."""
    practitioners = []
    created = 0
    for spec in PRACTITIONERS:
        practitioner, new = seed_practitioner(spec)
        practitioners.append(practitioner)
        created += new
    out.write(f"Demo practitioners: {len(PRACTITIONERS)} ({created} created)")
    return practitioners


def patient_logins() -> list[tuple[str, str]]:
    """(e-mail, what it shows) of the demo patient logins to try, for the start-up message."""
    cohort = OUTCOME_COHORT[0]
    return [*demo_patient_logins(), (cohort.email, cohort.note)]


def seed_clinic(out: Any) -> None:
    """The clinic's side of the demo: staff, rooms, opening hours, practitioners."""
    seed_staff(out)
    seed_rooms(out)
    seed_opening_hours(out)
    seed_practitioners(out)


class Command(BaseCommand):
    help = "Create (or refresh) the demo clinic's accounts and data."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-login-list",
            action="store_true",
            help="Do not print the logins to try.",
        )
        parser.add_argument(
            "--logins-only",
            action="store_true",
            help="Only print the logins to try; create nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["logins_only"]:
            # quiet_email() outside the transaction: booking e-mails leave at the commit.
            with quiet_email(), transaction.atomic():
                seed_clinic(self.stdout)
                profiles = seed_patients(self.stdout, desk_email=DEMO_RECEPTIONIST_EMAIL)
                # Photos before the charts are signed: the required-photos gate asks for them.
                seed_session_photos(self.stdout, patients=profiles)
                seed_outcomes(self.stdout)
                seed_progress(self.stdout, profiles=profiles, desk_email=DEMO_RECEPTIONIST_EMAIL)
                seed_gallery(self.stdout, manager_email=DEMO_MANAGER_EMAIL)
        if not options["no_login_list"]:
            self.stdout.write(f"  Demo logins use the password: {settings.DEMO_PASSWORD}")
            for email, note in [*staff_logins(), *patient_logins()]:
                self.stdout.write(f"    {email:<26} {note}")
