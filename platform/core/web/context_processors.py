from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from epurse.db import PUBLIC_SCHEMA, current_schema

PLATFORM_NAME = "ePurse"


def service(request: HttpRequest) -> dict[str, Any]:
    """The organisation running the service on this host (a council, or the platform)."""
    tenant = getattr(request, "tenant", None)
    on_tenant = tenant is not None and current_schema() != PUBLIC_SCHEMA
    organisation = tenant.name if on_tenant and tenant is not None else PLATFORM_NAME
    return {
        "tenant": tenant if on_tenant else None,
        "organisation_name": organisation,
        "service_name": f"{organisation} ePurse" if on_tenant else PLATFORM_NAME,
    }
