"""The patient API (v1): a token, free slots, and the patient's own appointments.

- `POST /api/v1/auth/token/` {"email", "password"} -> {"token"}: the password is
  checked through `django.contrib.auth.authenticate` with the request, so the
  django-axes lockout applies (429 `locked_out` when locked); bad credentials
  are a 400.
- `GET /api/v1/availability/?procedure=&start=&days=[&practitioner=]` -> {"slots"}:
  only the days the patient may book (screened as a booking would be: answers,
  their other sessions, course window, washouts, prerequisites), with the days
  left out and why, said once (`left_out`). Without a current intake nothing is
  screened yet (`screened`: false): booking asks for the questionnaire first.
- `GET/POST /api/v1/appointments/`, `POST /api/v1/appointments/<id>/cancel/`,
  `POST /api/v1/appointments/<id>/move/`: the same booking services as the web
  pages and the desk, with the same checks.

Only signed-in patients get past the door (a staff login without a patient
profile gets a 403 saying so); another patient's appointment is a 404. Every
refusal is a 4xx with a stable `code`, a `detail` in the request's language,
and the `field` at fault when there is one: never a 500.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.api import error_body
from clinic.models import User
from clinic.staff_security import is_staff_login
from patients.booking.errors import IntakeRequired, slot_to_dict
from patients.booking.selectors import (
    appointment_of_patient,
    free_slots_for,
    free_slots_for_patient,
    patient_appointments,
)
from patients.booking.serializers import (
    AppointmentRequestSerializer,
    AppointmentSerializer,
    AvailabilityQuerySerializer,
    AvailabilitySerializer,
    BookingErrorSerializer,
    CancelRequestSerializer,
    MoveRequestSerializer,
    ScreeningBlockedSerializer,
    SlotTakenSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    plain_booking_request,
)
from patients.booking.services import (
    book_appointment,
    cancel_appointment,
    move_appointment,
    move_with_later_sessions,
    refuse_a_recently_refused_start,
)
from patients.models import Appointment, PatientProfile
from patients.records.selectors import profile_of


class IsPatient(BasePermission):
    message = _("This API is for patients: this account has no patient profile.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return _profile_for(request) is not None


_NOT_READ = object()


def _profile_for(request: Request) -> PatientProfile | None:
    """The signed-in patient's profile, read once per request (the permission and the view ask)."""
    cached = getattr(request, "_patient_profile", _NOT_READ)
    if cached is not _NOT_READ:
        return cast("PatientProfile | None", cached)  # what the line below kept
    profile = profile_of(request.user)
    request._patient_profile = profile  # type: ignore[attr-defined]  # a cache for this request
    return profile


class PatientAPIView(APIView):
    """Signed-in patients only; errors become 4xx bodies with a code (clinic.api)."""

    permission_classes = (IsPatient,)

    def patient(self) -> PatientProfile:
        profile = _profile_for(self.request)
        if profile is None:  # pragma: no cover - IsPatient let nobody else in
            raise NotFound
        return profile

    def user(self) -> User:
        """The signed-in patient's account."""
        user = self.request.user
        if not isinstance(user, User):  # pragma: no cover - IsPatient let nobody else in
            raise NotAuthenticated
        return user

    def own_appointment(self, pk: int) -> Appointment:
        appointment = appointment_of_patient(self.patient(), pk)
        if appointment is None:
            raise NotFound  # another patient's appointment is "not found", never "forbidden"
        return appointment


ERRORS = {
    400: OpenApiResponse(BookingErrorSerializer, description="Bad input; `field` names it."),
    401: OpenApiResponse(BookingErrorSerializer, description="No or bad token."),
    403: OpenApiResponse(BookingErrorSerializer, description="Not a patient, or not allowed."),
}
# A request body in a media type the API does not read (JSON, form or multipart).
UNSUPPORTED_BODY = OpenApiResponse(
    BookingErrorSerializer, description="The body's media type is not JSON, form or multipart."
)
BOOKING_ERRORS = {
    **ERRORS,
    415: UNSUPPORTED_BODY,
    409: OpenApiResponse(
        SlotTakenSerializer,
        description="`slot_taken` (with `alternatives`), `patient_busy` or `change_too_late`.",
    ),
    422: OpenApiResponse(
        ScreeningBlockedSerializer,
        description=(
            "`screening_blocked` (with `blocking` and `earliest_date`), `consent_required`, "
            "`intake_required`, `move_needs_review` or `too_close_to_next_session` "
            "(with `next_session_on` and `latest_date`)."
        ),
    ),
}


class TokenView(APIView):
    """Exchange an e-mail address and password for an API token."""

    permission_classes = (AllowAny,)
    authentication_classes = ()
    # Counted per address and per e-mail address typed at that address (settings.RATE_LIMITS):
    # a stranger trying someone's account never refuses the owner elsewhere (issue #21).
    rate_limit_scope = "token"
    rate_limit_account_with_address = True

    @staticmethod
    def rate_limit_account(request: Request) -> str | None:
        email = request.data.get("email") if hasattr(request.data, "get") else None
        return email if isinstance(email, str) else None

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(BookingErrorSerializer, description="Bad credentials or input."),
            403: OpenApiResponse(
                BookingErrorSerializer,
                description="A staff account without its second factor (`otp`).",
            ),
            415: UNSUPPORTED_BODY,
            429: OpenApiResponse(
                BookingErrorSerializer,
                description=(
                    "`locked_out` after failed attempts at this account from this address, or "
                    "`rate_limited`: too many requests from this address or for this account "
                    "from it; `Retry-After` says how many seconds to wait."
                ),
            ),
        },
        summary="Get an API token",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(
            django_request,
            username=serializer.validated_data["email"],
            password=serializer.validated_data["password"],
        )
        if getattr(django_request, "axes_locked_out", False):
            # Our JSON answer says it; left set, axes' middleware would swap in the HTML page.
            django_request.axes_locked_out = False  # type: ignore[attr-defined]  # django-axes sets it
            return Response(
                error_body("locked_out", _("Too many failed attempts: try again later."), None),
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None or not user.is_active:
            return Response(
                error_body("invalid_credentials", _("Wrong e-mail address or password."), None),
                status=status.HTTP_400_BAD_REQUEST,
            )
        # Staff sign in with a second factor; a password alone opens no token for them.
        if is_staff_login(user) and not match_token(user, serializer.validated_data["otp"]):
            message = _(
                "A staff account needs its second factor: send the authenticator's code as “otp”."
            )
            return Response(
                error_body("second_factor_required", message, "otp"),
                status=status.HTTP_403_FORBIDDEN,
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class AvailabilityView(PatientAPIView):
    """Free slots of one procedure over a range of local dates."""

    @extend_schema(
        parameters=[
            OpenApiParameter("procedure", str, required=True, description="Procedure slug."),
            OpenApiParameter("start", str, required=True, description="First date, YYYY-MM-DD."),
            OpenApiParameter("days", int, description="1 to 90 (default 7)."),
            OpenApiParameter("practitioner", int, description="Only this practitioner."),
        ],
        responses={200: AvailabilitySerializer, **ERRORS},
        summary="Free slots",
        tags=["booking"],
    )
    def get(self, request: Request) -> Response:
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        try:
            screened = free_slots_for_patient(
                patient=self.patient(),
                procedure=data["procedure"],
                start_date=data["start"],
                days=data["days"],
                practitioner=data.get("practitioner"),
            )
        except IntakeRequired:
            slots = free_slots_for(
                data["procedure"],
                start_date=data["start"],
                days=data["days"],
                practitioner=data.get("practitioner"),
            )
            body: dict[str, Any] = {
                "slots": slots,
                "screened": False,
                "left_out": [],
                "days_left_out": [],
            }
        else:
            body = {
                "slots": screened.slots,
                "screened": True,
                "left_out": [str(sentence) for sentence in screened.left_out],
                "days_left_out": [day.isoformat() for day in screened.days_left_out],
            }
        body["slots"] = [slot_to_dict(slot) for slot in body["slots"]]
        return Response(body)


class AppointmentListView(PatientAPIView):
    """The signed-in patient's appointments, and booking a new one."""

    rate_limit_scope = "booking"  # POSTs only; reading is not limited

    @extend_schema(
        responses={200: AppointmentSerializer(many=True), **ERRORS},
        summary="My appointments",
        tags=["booking"],
    )
    def get(self, request: Request) -> Response:
        appointments = patient_appointments(self.patient())
        return Response(AppointmentSerializer(appointments, many=True).data)

    @extend_schema(
        request=AppointmentRequestSerializer,
        responses={201: AppointmentSerializer, **BOOKING_ERRORS},
        summary="Book an appointment",
        description=(
            "Confirmed at once when screening is ok; `pending_review` when a practitioner "
            "must review it first."
        ),
        tags=["booking"],
    )
    def post(self, request: Request) -> Response:
        # A start refused seconds ago (a hot slot's many losers): answered before the
        # catalogue is read, by the race guard's quick "no".
        if (plain := plain_booking_request(request.data)) is not None:
            slug, start, practitioner_id = plain
            refuse_a_recently_refused_start(
                patient=self.patient(),
                booked_by=self.user(),
                procedure_slug=slug,
                start=start,
                practitioner_id=practitioner_id,
            )
        serializer = AppointmentRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        appointment = book_appointment(
            patient=self.patient(),
            procedure=data["procedure"],
            start=data["start"],
            practitioner=data.get("practitioner"),
            booked_by=self.user(),
            channel=Appointment.Channel.API,
        )
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class AppointmentChangeView(PatientAPIView):
    """Change one of my appointments through a booking service: the body's serializer,
    then `change`, answered with the appointment as it is now."""

    rate_limit_scope = "booking"  # POSTs only; reading is not limited
    request_serializer: type[serializers.Serializer]

    def change(self, appointment: Appointment, data: dict[str, Any]) -> Appointment:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        appointment = self.own_appointment(pk)
        serializer = self.request_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = self.change(appointment, serializer.validated_data)
        return Response(AppointmentSerializer(appointment).data)


def _change_schema(request: type[serializers.Serializer], summary: str) -> Any:
    return extend_schema_view(
        post=extend_schema(
            request=request,
            responses={200: AppointmentSerializer, 404: BookingErrorSerializer, **BOOKING_ERRORS},
            summary=summary,
            tags=["booking"],
        )
    )


@_change_schema(CancelRequestSerializer, "Cancel an appointment")
class AppointmentCancelView(AppointmentChangeView):
    """Cancel one of my appointments (up to the cut-off before its start)."""

    request_serializer = CancelRequestSerializer

    def change(self, appointment: Appointment, data: dict[str, Any]) -> Appointment:
        return cancel_appointment(appointment=appointment, by=self.user(), reason=data["reason"])


@_change_schema(MoveRequestSerializer, "Move an appointment")
class AppointmentMoveView(AppointmentChangeView):
    """Move one of my appointments to another start (re-screened for the new date)."""

    request_serializer = MoveRequestSerializer

    def change(self, appointment: Appointment, data: dict[str, Any]) -> Appointment:
        if data.get("with_later"):
            moved = move_with_later_sessions(
                appointment=appointment,
                start=data["start"],
                practitioner=data.get("practitioner"),
                by=self.user(),
            )
            return moved[0]
        return move_appointment(
            appointment=appointment,
            start=data["start"],
            practitioner=data.get("practitioner"),
            by=self.user(),
        )
