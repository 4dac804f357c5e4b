"""Request plumbing that must run before anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django_tenants.middleware.main import TenantMainMiddleware

from .health import readiness


class HealthCheckMiddleware:
    """/healthz and /readyz on every host, before host checks and tenant routing, so a
    load balancer or Kubernetes probe gets an answer whatever Host it sends."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            checks = readiness()
            ready = all(value == "ok" for value in checks.values())
            body = {"status": "ready" if ready else "not ready", "checks": checks}
            return JsonResponse(body, status=200 if ready else 503)
        return self.get_response(request)


class TenantRoutingMiddleware(TenantMainMiddleware):
    """Routes `<slug>.<PLATFORM_DOMAIN>` to the tenant's schema; unknown hosts and
    closed tenants get a plain 404 (DEFAULT_NOT_FOUND_TENANT_VIEW)."""

    def get_tenant(self, domain_model, hostname):  # type: ignore[no-untyped-def]
        tenant = super().get_tenant(domain_model, hostname)
        if tenant.status == tenant.Status.CLOSED:
            raise domain_model.DoesNotExist(hostname)
        return tenant
