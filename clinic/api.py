"""API plumbing shared by every endpoint: every refusal is a JSON body with a stable `code`.

Every error answer of the API has `code` (a stable machine code) and `detail` (the
message, in the request's language), and `field` when one input is at fault, with
that field's messages under its own name too. Domain errors add their `payload()`
(the next free slots, the reasons of a blocked screening). An address under
`/api/` that matches no endpoint is a JSON 404 of the same shape, not an HTML page.
"""

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from rest_framework import parsers, status
from rest_framework.exceptions import NotFound, ParseError, Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from procedures.errors import DomainError

API_PREFIX = "/api/"


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing text that no UTF-8 answer or database could hold.

    JSON may carry a lone surrogate (`"\\ud800"`), which Python decodes into a str that
    cannot be encoded again: echoed in an error message or stored, it would be a 500.
    """

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as error:
            raise ParseError(
                _("The JSON text holds a character that is not valid unicode (a lone surrogate).")
            ) from error
        return data


def error_body(code: str, detail: Any, field: str | None = None, **extra: Any) -> dict[str, Any]:
    """The error shape of the API: `code`, `detail`, and the `field` at fault with its messages."""
    body: dict[str, Any] = {"code": code, "detail": str(detail)}
    if field:
        body["field"] = field
        body[field] = [str(detail)]
    body.update(extra)
    return body


def first_error(detail: Any, path: tuple[str, ...] = ()) -> tuple[str, str]:
    """The dotted name and the message of the first error of a validation error's detail."""
    if isinstance(detail, dict) and detail:
        key, value = next(iter(detail.items()))
        return first_error(value, (*path, str(key)))
    if isinstance(detail, list) and detail:
        return first_error(detail[0], path)
    return ".".join(path), str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn a DomainError or any DRF error into the API's error shape; leave the rest alone."""
    if isinstance(exc, DomainError):
        extra = exc.payload() if hasattr(exc, "payload") else {}
        return Response(
            error_body(exc.code, exc.message, exc.field, **extra),
            status=getattr(exc, "http_status", status.HTTP_400_BAD_REQUEST),
        )
    if isinstance(exc, Http404):  # as DRF's own handler does, so the 404 has its code
        exc = NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        field, message = first_error(exc.detail)
        messages = exc.detail if isinstance(exc.detail, dict) else {}
        body = {"code": "invalid", "detail": message} | ({"field": field} if field else {})
        response.data = {**messages, **body}
    elif isinstance(response.data, dict):
        default_code = getattr(exc, "default_code", "error")
        response.data["code"] = "rate_limited" if isinstance(exc, Throttled) else default_code
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 404 page; under /api/ a JSON body with `code` and `detail` like every API error."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
    return page_not_found(request, exception)
