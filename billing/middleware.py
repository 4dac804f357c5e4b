"""Refuses, with a clear 403, what the council's licence does not allow: a module it
does not include, or a change to its set-up while the licence is suspended. Which
routes are refused, and why, is decided in billing.entitlements; this only answers in
the host's formats (problem+json under /api/, the error page elsewhere)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from core.api.errors import PROBLEM_CONTENT_TYPE, problem
from core.services import Origin, audit_record

from .entitlements import Refusal, route_refusal


class LicenceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None:
            return None
        refusal = route_refusal(
            tenant=getattr(connection, "tenant", None),
            view_name=match.view_name,
            method=request.method or "GET",
        )
        if refusal is None:
            return None
        return refused(request, refusal)


def refused(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    """The 403 for `refusal`, recorded in the audit log like every refused request."""
    api = request.path.startswith("/api/")
    user = getattr(request, "user", None)
    audit_record(
        action="api.access_denied" if api else "web.access_denied",
        result="denied",
        actor=user,
        origin=Origin.of(request),
        detail={
            "method": request.method,
            "path": request.path,
            "status": 403,
            "reason": refusal.code,
        },
    )
    if api:
        return JsonResponse(
            problem(status=403, code=refusal.code, title=refusal.title, detail=refusal.detail),
            status=403,
            content_type=PROBLEM_CONTENT_TYPE,
        )
    return render(
        request,
        "core/error.html",
        {"title": refusal.title, "paragraphs": [refusal.detail]},
        status=403,
    )
