"""API plumbing shared by every endpoint: every refusal is a JSON body with a stable `code`.

Every error answer of the API has `code` (a stable machine code) and `detail` (the
message, in the request's language), and `field` when one input is at fault, with
that field's messages under its own name too. Domain errors add their `payload()`
(the next free slots, the reasons of a blocked screening). Every error under `/api/`
has this shape, whoever answers it: an address that matches no endpoint is a JSON
404, a body over Django's DATA_UPLOAD_MAX_MEMORY_SIZE a JSON 413, and a request
refused before or after DRF (400, 403, 500) a JSON body too, never an HTML page.

JSON nested deeper than MAX_JSON_DEPTH levels is refused before it is parsed: no
request of ours needs more than a few, and Python's parser and everything that walks
the result recurse once per level (20,000 levels, 200 KB, were a RecursionError).
The schema documents the 413 of every operation that takes a body and the 429 of
every rate-limited one (clinic/api_schema.py).
"""

import io
import json
import re
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import parsers
from rest_framework.exceptions import NotFound, ParseError, Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from procedures.errors import DomainError

API_PREFIX = "/api/"
MAX_JSON_DEPTH = 32

# Strings (escapes included) are blanked before brackets are counted: a "[" inside
# one is text, not nesting.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth_exceeds(raw: bytes, limit: int) -> bool:
    """True when the JSON text opens more than `limit` arrays or objects inside each other."""
    depth = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', raw)):
        if bracket.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing text too deep to parse safely or that no UTF-8 answer
    or database could hold.

    JSON may carry a lone surrogate (`"\\ud800"`), which Python decodes into a str that
    cannot be encoded again: echoed in an error message or stored, it would be a 500.
    """

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        raw = stream.read() if stream is not None else b""
        if json_depth_exceeds(raw, MAX_JSON_DEPTH):
            raise ParseError(
                _("The JSON is nested deeper than %(limit)d levels.") % {"limit": MAX_JSON_DEPTH}
            )
        data = super().parse(io.BytesIO(raw), media_type, parser_context)
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
    if isinstance(exc, RequestDataTooBig):
        return Response(error_body("too_large", too_large_message()), status=413)
    if isinstance(exc, DomainError):
        extra = exc.payload() if hasattr(exc, "payload") else {}
        return Response(
            error_body(exc.code, exc.message, exc.field, **extra),
            status=exc.http_status,
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


def too_large_message() -> str:
    return _("The request body is larger than the API accepts.")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 404 page; under /api/ a JSON body with `code` and `detail` like every API error."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400 (a body too large, a bad Host); under /api/ the API's JSON error."""
    if not request.path.startswith(API_PREFIX):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse(error_body("too_large", too_large_message()), status=413)
    return JsonResponse(error_body("bad_request", _("Bad request.")), status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 403 (a refused CSRF check, PermissionDenied); under /api/ the API's JSON error."""
    if request.path.startswith(API_PREFIX):
        message = _("You do not have permission to perform this action.")
        return JsonResponse(error_body("permission_denied", message), status=403)
    return defaults.permission_denied(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page; under /api/ the API's JSON error (nothing about the failure itself)."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(error_body("server_error", _("Something went wrong")), status=500)
    return defaults.server_error(request)
