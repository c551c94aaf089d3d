"""The API's OpenAPI schema: drf-spectacular's, plus the refusals every view may answer.

Kept apart from clinic/api.py: drf-spectacular imports DRF's views, which import the
parser that clinic/api.py defines (DEFAULT_PARSER_CLASSES).
"""

from typing import Any

from drf_spectacular import openapi
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS


class ApiErrorSerializer(serializers.Serializer):
    """The error shape, as documented for the refusals every operation shares (413, 429)."""

    code = serializers.CharField(help_text="A stable machine code, e.g. `rate_limited`.")
    detail = serializers.CharField(help_text="The message, in the request's language.")


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema plus the refusals the project's plumbing adds to a view.

    A 413 wherever a body is read (DATA_UPLOAD_MAX_MEMORY_SIZE) and a 429 wherever the
    project's throttle counts (a view with `rate_limit_scope`, unsafe methods only).
    """

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        if self.method in ("POST", "PUT", "PATCH"):
            responses.setdefault("413", self._error("The body is larger than the API reads."))
        if getattr(self.view, "rate_limit_scope", None) and self.method not in SAFE_METHODS:
            responses.setdefault(
                "429",
                self._error(
                    "Too many requests from this address or for this account; "
                    "`Retry-After` says how many seconds to wait."
                ),
            )
        return operation

    def _error(self, description: str) -> dict[str, Any]:
        component = self.resolve_serializer(ApiErrorSerializer, "response")
        return {
            "description": description,
            "content": {"application/json": {"schema": component.ref}},
        }
