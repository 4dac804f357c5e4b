from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tenants.selectors import host_tenant

PLATFORM_NAME = "ePurse"


def service(request: HttpRequest) -> dict[str, Any]:
    """The organisation running the service on this host (a council, or the platform)."""
    tenant = host_tenant(request)
    return {
        "tenant": tenant,
        "organisation_name": tenant.name if tenant else PLATFORM_NAME,
        "service_name": f"{tenant.name} ePurse" if tenant else PLATFORM_NAME,
    }
