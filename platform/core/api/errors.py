"""One error format for every 4xx from the API (RFC 9457 problem details):

    {"type": "validation_error", "title": "...", "status": 400,
     "detail": "...", "errors": {"field": ["message", ...]}}

`type` is a stable machine-readable code; `title` and `detail` are for people.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.errors import DomainError

PROBLEM_CONTENT_TYPE = "application/problem+json"

_TITLES = {
    400: ("invalid_request", "There is a problem with what was sent"),
    401: ("not_authenticated", "Sign in to use this"),
    403: ("permission_denied", "You do not have permission to do this"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "This method is not allowed here"),
    406: ("not_acceptable", "This response format is not available"),
    409: ("conflict", "This conflicts with what is already there"),
    413: ("too_large", "What was sent is too large"),
    415: ("unsupported_media_type", "Send the request body as JSON"),
    422: ("unprocessable", "The request cannot be processed"),
    429: ("throttled", "Too many requests"),
}


def problem(
    *,
    status: int,
    detail: str,
    code: str | None = None,
    title: str | None = None,
    errors: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    default_code, default_title = _TITLES.get(status, ("error", "The request failed"))
    body: dict[str, Any] = {
        "type": code or default_code,
        "title": title or default_title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return body


def problem_response(*, status: int, detail: str) -> JsonResponse:
    """For errors raised outside DRF (unknown /api/ URL, CSRF failure)."""
    return JsonResponse(
        problem(status=status, detail=detail), status=status, content_type=PROBLEM_CONTENT_TYPE
    )


def _flatten(data: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested ValidationError detail -> {"field.sub": ["message"]}."""
    if isinstance(data, dict):
        out: dict[str, list[str]] = {}
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, name))
        return out
    if isinstance(data, list):
        if all(not isinstance(item, dict | list) for item in data):
            return {prefix or "non_field_errors": [str(item) for item in data]}
        out = {}
        for index, item in enumerate(data):
            out.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix or "non_field_errors": [str(data)]}


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    if isinstance(exc, DomainError):
        body = problem(
            status=exc.status,
            code=exc.code,
            title=exc.title,
            detail=exc.detail,
            errors=exc.field_errors,
        )
        response = Response(body, status=exc.status, content_type=PROBLEM_CONTENT_TYPE)
        _audit_denial(request, exc.status, exc.detail)
        return response

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    handled = exception_handler(exc, context)
    if handled is None:
        return None  # a bug: let Django's 500 handling (and Sentry) see it
    response = handled
    errors = None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = "Correct the fields listed in errors and send the request again."
    elif isinstance(exc, exceptions.APIException):
        detail = str(exc.detail)
    else:  # pragma: no cover - exception_handler only answers APIException
        detail = str(exc)
    response.data = problem(status=response.status_code, detail=detail, errors=errors)
    response.content_type = PROBLEM_CONTENT_TYPE
    _audit_denial(request, response.status_code, detail)
    return response


def _audit_denial(request: Any, status: int, detail: str) -> None:
    """Every refused authentication or authorisation goes into the audit log."""
    if request is None or status not in (401, 403):
        return
    from core.services import Origin, audit_record

    user = getattr(request, "user", None)
    audit_record(
        action="api.access_denied",
        result="denied",
        actor=user,
        origin=Origin.of(request),
        detail={"method": request.method, "path": request.path, "status": status},
    )
