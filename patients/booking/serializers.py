"""JSON shapes of the patient API (v1): token, availability, appointments, and their errors.

Times are ISO 8601 with the offset of the clinic's zone on the way out; on the
way in a start must carry its offset (a naive time is refused, not guessed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.validators import slug_re
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from clinic.availability import clinic_zone
from clinic.edges import validate_day, validate_moment
from clinic.models import Practitioner
from patients.models import Appointment
from procedures.models import Procedure


def clinic_iso(moment: dt.datetime) -> str:
    return moment.astimezone(clinic_zone()).isoformat()


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time with its UTC offset; a naive one is a 400, not a guess."""

    default_error_messages = {
        "naive": _("Give the time with its UTC offset, e.g. 2026-06-03T10:00:00+03:00."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(validate_moment)

    def enforce_timezone(self, value: dt.datetime) -> dt.datetime:
        if timezone.is_naive(value):
            self.fail("naive")
        try:
            # Stored and compared in UTC: a time that has no UTC value is no one's slot.
            value.astimezone(dt.UTC)
        except OverflowError:
            self.fail("overflow")
        return value

    def to_representation(self, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return clinic_iso(value)
        return super().to_representation(value)


class ProcedureSlugField(serializers.SlugRelatedField):
    default_error_messages = {
        "does_not_exist": _("No bookable procedure has the slug “{value}”."),
        "invalid": _("Give a procedure's slug, e.g. glycolic-peel."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            slug_field="slug",
            queryset=Procedure.objects.filter(is_active=True),
            help_text="The procedure's slug, e.g. `glycolic-peel`.",
            **kwargs,
        )

    def to_internal_value(self, data: Any) -> Any:
        # Something that is no slug is looked up nowhere: PostgreSQL refuses a NUL byte in a
        # query with an error (SQLite just finds nothing).
        if not isinstance(data, str) or not slug_re.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class PractitionerIdField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": _("No practitioner has the id {pk_value}."),
        "incorrect_type": _("Give a practitioner's id (a whole number)."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=Practitioner.objects.filter(is_active=True),
            required=False,
            allow_null=True,
            help_text="A practitioner's id; leave out for any qualified free practitioner.",
            **kwargs,
        )


# --- requests -------------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=12,
        help_text="Staff only: the current code of the authenticator app.",
    )


class AvailabilityQuerySerializer(serializers.Serializer):
    procedure = ProcedureSlugField()
    start = serializers.DateField(
        help_text="The first local date (YYYY-MM-DD), from 1900-01-01 to 2999-12-31.",
        validators=[validate_day],
    )
    days = serializers.IntegerField(
        min_value=1,
        max_value=90,
        default=7,
        help_text="How many local dates, from 1 to 90 (7 by default).",
    )
    practitioner = PractitionerIdField()

    def validate_days(self, value: int) -> int:
        if value > settings.BOOKING_MAX_DAYS_AHEAD:
            raise serializers.ValidationError(
                _("Ask for at most %(days)s days.") % {"days": settings.BOOKING_MAX_DAYS_AHEAD}
            )
        return value


class AppointmentRequestSerializer(serializers.Serializer):
    procedure = ProcedureSlugField()
    start = AwareDateTimeField(help_text="The slot's start, ISO 8601 with its offset.")
    practitioner = PractitionerIdField()


def plain_booking_request(data: Any) -> tuple[str, dt.datetime, int] | None:
    """(procedure slug, aware start, practitioner id) of a booking body in its plainest shape.

    The shape `AppointmentRequestSerializer` accepts, read without the database: a
    slug, an ISO 8601 start with its offset (parsed as that serializer parses it),
    a practitioner id as a JSON number. Anything else is None: the serializer says
    what is wrong with it. Whether these values exist is not checked here.
    """
    if not isinstance(data, dict):
        return None
    slug, start, practitioner = data.get("procedure"), data.get("start"), data.get("practitioner")
    if not (isinstance(slug, str) and slug_re.fullmatch(slug) and isinstance(start, str)):
        return None
    if type(practitioner) is not int:
        return None
    try:
        moment = parse_datetime(start)
    except ValueError:  # well formed, but no such date or time
        return None
    if moment is None or timezone.is_naive(moment):
        return None
    return slug, moment, practitioner


class MoveRequestSerializer(serializers.Serializer):
    start = AwareDateTimeField(help_text="The new start, ISO 8601 with its offset.")
    practitioner = PractitionerIdField()
    with_later = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Move the later sessions of the same procedure by the same number of days too, "
            "each screened where it lands: all or none (a refusal's detail names the session)."
        ),
    )


class CancelRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


# --- responses ------------------------------------------------------------------------------


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")


class SlotSerializer(serializers.Serializer):
    start = serializers.CharField(help_text="ISO 8601 with the clinic zone's offset.")
    end = serializers.CharField(help_text="ISO 8601 with the clinic zone's offset.")
    practitioner = serializers.IntegerField(help_text="The practitioner's id.")
    room = serializers.IntegerField(help_text="The room's id.")


class AvailabilitySerializer(serializers.Serializer):
    slots = SlotSerializer(many=True, help_text="Only on the days the patient may book.")
    screened = serializers.BooleanField(
        help_text="False without a current intake: the slots are not screened for the patient yet."
    )
    left_out = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why the days left out are left out, each reason once (request's language).",
    )
    days_left_out = serializers.ListField(
        child=serializers.DateField(), help_text="The dates refused for the patient."
    )


class AppointmentSerializer(serializers.ModelSerializer):
    procedure: serializers.SlugRelatedField[Procedure] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    procedure_name = serializers.CharField(read_only=True)
    practitioner_name = serializers.SerializerMethodField()
    room_name = serializers.CharField(source="room.name", read_only=True)
    start = AwareDateTimeField(read_only=True)
    end = AwareDateTimeField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    price_currency = serializers.SerializerMethodField()
    screening_outcome = serializers.CharField(
        read_only=True, help_text="The screening at booking: ok, review or blocked."
    )

    class Meta:
        model = Appointment
        fields = (
            "id",
            "status",
            "status_label",
            "procedure",
            "procedure_name",
            "start",
            "end",
            "practitioner",
            "practitioner_name",
            "room",
            "room_name",
            "price",
            "price_currency",
            "booked_minutes",
            "screening_outcome",
            "session_number",
            "version",
            "note_to_patient",
        )
        read_only_fields = fields

    def get_practitioner_name(self, obj: Appointment) -> str:
        return str(obj.practitioner.user.get_full_name())

    def get_price_currency(self, obj: Appointment) -> str:
        return "RUB"


class BookingErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A stable machine code, e.g. `slot_taken`.")
    detail = serializers.CharField(help_text="The message, in the request's language.")
    field = serializers.CharField(required=False, help_text="The input field at fault.")


class SlotTakenSerializer(BookingErrorSerializer):
    alternatives = SlotSerializer(
        many=True, required=False, help_text="The next free slots (with `slot_taken` only)."
    )


class ScreeningBlockedSerializer(BookingErrorSerializer):
    # With `screening_blocked` only; the other codes of a 422 carry their own extras.
    blocking = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Rule codes."
    )
    earliest_date = serializers.DateField(allow_null=True, required=False)
    messages = serializers.ListField(child=serializers.CharField(), required=False)
    remedy_procedure = serializers.CharField(
        required=False,
        help_text="The procedure to book first (a consultation), when that is the way out.",
    )
    remedy_slots = SlotSerializer(
        many=True, required=False, help_text="Its next free slots (with `remedy_procedure`)."
    )
    # With `too_close_to_next_session`: the later session's date and the latest date that fits.
    next_session_on = serializers.DateField(required=False)
    latest_date = serializers.DateField(
        required=False, allow_null=True, help_text="Null when no date before it fits any more."
    )
