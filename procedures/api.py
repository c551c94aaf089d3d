"""The catalogue and screening API (v1): public, read-only, stores nothing.

- `GET /api/v1/procedures/` and `GET /api/v1/procedures/<slug>/`: the active
  catalogue with each procedure's rules.
- `POST /api/v1/screening/`: screen a complete answer set for one procedure
  on a date, with the patient's history of it. Bad input is a 400 naming the
  field (`procedure`, `on`, `last_session_on`, `sessions_done`, `answers`, or
  `answers.<key>` for one answer), never a 500.

These endpoints need no login: the catalogue is public, and screening works
on the answers sent and keeps none of them. Screening has no authentication
at all, so a signed-in browser's session cannot be ridden by another site
(there is nothing to ride: no state changes), and no CSRF token is needed.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .errors import AnswerError
from .intake import answers_from_json
from .screening import rules_for, screen
from .selectors import active_procedures
from .serializers import (
    ErrorSerializer,
    ProcedureSerializer,
    ScreeningRequestSerializer,
    ScreeningResultSerializer,
)

# Errors about these inputs keep their name; any other field an AnswerError
# names is an intake answer key, reported as `answers.<key>`.
_TOP_LEVEL_FIELDS = frozenset({"procedure", "on", "last_session_on", "sessions_done", "answers"})


# No login is needed, but a token that is sent must be good (else a 401).
BAD_TOKEN = OpenApiResponse(ErrorSerializer, description="A token was sent and it is not valid.")


@extend_schema_view(
    get=extend_schema(responses={200: ProcedureSerializer(many=True), 401: BAD_TOKEN})
)
class ProcedureListView(generics.ListAPIView):
    """The active procedures in display order, with their screening rules."""

    permission_classes = (AllowAny,)
    serializer_class = ProcedureSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return active_procedures(with_rules=True)


@extend_schema_view(
    get=extend_schema(
        responses={
            200: ProcedureSerializer,
            401: BAD_TOKEN,
            404: OpenApiResponse(ErrorSerializer, description="No active procedure has this slug."),
        }
    )
)
class ProcedureDetailView(generics.RetrieveAPIView):
    """One active procedure by slug, with its screening rules."""

    permission_classes = (AllowAny,)
    serializer_class = ProcedureSerializer
    lookup_field = "slug"

    def get_queryset(self) -> Any:
        return active_procedures(with_rules=True)


class ScreeningView(APIView):
    """Screen intake answers for one procedure on a date; nothing is stored."""

    permission_classes = (AllowAny,)
    authentication_classes = ()
    # Limited per address by the project's throttle (settings.RATE_LIMITS).
    rate_limit_scope = "screening"

    @extend_schema(
        request=ScreeningRequestSerializer,
        responses={
            200: ScreeningResultSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="Invalid input; `field` (or the error's key) names the field.",
            ),
            415: OpenApiResponse(
                ErrorSerializer, description="The body's media type is not JSON, form or multipart."
            ),
        },
        summary="Screen a patient's answers for one procedure",
    )
    def post(self, request: Request) -> Response:
        serializer = ScreeningRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rules = rules_for(data["procedure"])  # DomainError naming `procedure` if unknown
        try:
            answers = answers_from_json(data["answers"])
            result = screen(
                rules,
                answers,
                on=data["on"],
                last_session_on=data["last_session_on"],
                sessions_done=data["sessions_done"],
            )
        except AnswerError as error:
            if error.field in _TOP_LEVEL_FIELDS:
                raise
            raise AnswerError(error.message, field=f"answers.{error.field}") from error
        return Response(ScreeningResultSerializer(result.to_dict()).data)
