"""API plumbing shared by every endpoint: domain errors become clean 4xx answers."""

from typing import Any

from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from procedures.errors import DomainError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn a DomainError into a 400 naming its field; leave the rest to DRF."""
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"code": exc.code, "detail": str(exc.message)}
        if exc.field:
            body["field"] = exc.field
            body[exc.field] = [str(exc.message)]
        return Response(body, status=getattr(exc, "http_status", status.HTTP_400_BAD_REQUEST))
    response = drf_exception_handler(exc, context)
    if isinstance(exc, Throttled) and response is not None:
        response.data["code"] = "rate_limited"
    return response
