from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tenants.branding.selectors import branding_get, service_name_for
from tenants.selectors import host_tenant

PLATFORM_NAME = "ePurse"


def service(request: HttpRequest) -> dict[str, Any]:
    """The organisation running the service on this host (a council, or the platform),
    and on a council's host its branding."""
    tenant = host_tenant(request)
    if tenant is None:
        return {
            "tenant": None,
            "branding": None,
            "organisation_name": PLATFORM_NAME,
            "service_name": PLATFORM_NAME,
        }
    branding = branding_get()
    return {
        "tenant": tenant,
        "branding": branding,
        "organisation_name": tenant.name,
        "service_name": service_name_for(branding=branding, organisation=tenant.name),
    }
