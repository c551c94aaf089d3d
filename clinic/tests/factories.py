"""Factories for the clinic's people and resources (factory_boy)."""

from datetime import date, time

import factory
from django.contrib.auth.models import Group

from clinic.models import Closure, OpeningHours, Practitioner, Room, User, WorkingHours
from clinic.roles import Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@clinic.test")
    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"Sokolova{n}")
    preferred_language = "en"
    password = factory.django.Password("pw")


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, is_staff=True)
    roles = factory.LazyFunction(lambda: ["derm"])
    colour = "#2a9d8f"

    @factory.post_generation
    def in_group(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.user.groups.add(Group.objects.get(name=Role.PRACTITIONER))


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    name = factory.Sequence(lambda n: f"Room {n}")
    kind = Room.Kind.TREATMENT


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    practitioner = factory.SubFactory(PractitionerFactory)
    weekday = 0
    start = time(9)
    end = time(18)


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours
        django_get_or_create = ("weekday",)

    weekday = 0
    opens = time(9)
    closes = time(20)


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    starts_on = date(2026, 6, 1)
    ends_on = factory.SelfAttribute("starts_on")
    reason = "Public holiday"
