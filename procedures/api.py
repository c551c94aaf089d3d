"""The catalogue and screening API (v1): public, read-only, stores nothing.

- `GET /api/v1/procedures/` and `GET /api/v1/procedures/<slug>/`: the active
  catalogue with each procedure's rules.
- `POST /api/v1/screening/`: screen a complete answer set for one procedure
  on a date, with the patient's history of it and their other sessions
  (`other_sessions`: `{slug, date, done}` each). Bad input is a 400 naming the
  field (`procedure`, `on`, `last_session_on`, `sessions_done`, `answers`,
  `answers.<key>` for one answer, `other_sessions.<n>.<slug|date|done>` for one
  session), never a 500.

These endpoints need no login: the catalogue is public, and screening works
on the answers sent and keeps none of them. Screening has no authentication
at all, so a signed-in browser's session cannot be ridden by another site
(there is nothing to ride: no state changes), and no CSRF token is needed.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .errors import AnswerError, lazy_interpolate
from .intake import answers_from_json
from .screening import rules_for, screen
from .selectors import active_procedures, session_rules
from .serializers import (
    ErrorSerializer,
    ProcedureSerializer,
    ScreeningRequestSerializer,
    ScreeningResultSerializer,
)
from .sessions import check_other_sessions

# Errors about these inputs keep their name; any other field an AnswerError
# names is an intake answer key, reported as `answers.<key>`.
_TOP_LEVEL_FIELDS = frozenset(
    {"procedure", "on", "last_session_on", "sessions_done", "answers", "other_sessions"}
)


def _other_sessions(rows: list[dict[str, Any]]) -> list[tuple[str, Any, bool]]:
    """Return the posted sessions as (slug, date, done); an unknown slug is a 400 naming it."""
    known = session_rules().procedure_names
    sessions = []
    for index, row in enumerate(rows):
        if row["slug"] not in known:
            raise AnswerError(
                lazy_interpolate(_("Unknown procedure “%(slug)s”."), {"slug": row["slug"]}),
                field=f"other_sessions.{index}.slug",
            )
        sessions.append((row["slug"], row["date"], row["done"]))
    check_other_sessions(sessions)  # the dates' range, named like the rest
    return sessions


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
        description=(
            "Screens the answers for the procedure on `on`, with the patient's own history "
            "of it (`last_session_on`, `sessions_done`) and their sessions of other "
            "procedures (`other_sessions`, any date, done or booked). The other sessions "
            "decide the washouts between procedures (`WASHOUT` blocks, `WASHOUT_REVIEW` "
            "needs review; each finding names its `session` with `clears_on` or "
            "`latest_date`) and the prerequisites (`PREREQUISITE_MISSING` blocks, "
            "`PREREQUISITE_BOOKED` needs review). `remedy_procedure` is the procedure to "
            "book first when that is the way out (a consultation)."
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = ScreeningRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rules = rules_for(data["procedure"])  # DomainError naming `procedure` if unknown
        other_sessions = _other_sessions(data["other_sessions"])
        try:
            answers = answers_from_json(data["answers"])
            result = screen(
                rules,
                answers,
                on=data["on"],
                last_session_on=data["last_session_on"],
                sessions_done=data["sessions_done"],
                other_sessions=other_sessions,
            )
        except AnswerError as error:
            if error.field in _TOP_LEVEL_FIELDS:
                raise
            raise AnswerError(error.message, field=f"answers.{error.field}") from error
        return Response(ScreeningResultSerializer(result.to_dict()).data)
