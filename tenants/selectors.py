"""Reads for tenants."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest

from epurse.db import PUBLIC_SCHEMA

from .models import Tenant


def tenant_list() -> QuerySet[Tenant]:
    return Tenant.objects.exclude(schema_name=PUBLIC_SCHEMA).order_by("name")


def host_tenant(request: HttpRequest) -> Tenant | None:
    """The council or NHS body whose host served `request`; None on the platform host."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == PUBLIC_SCHEMA:
        return None
    return tenant


def tenant_base_url(tenant: Tenant) -> str:
    """The address people use, e.g. http://kingsmere.localhost:8000."""
    host = settings.PLATFORM_DOMAIN
    if tenant.schema_name != PUBLIC_SCHEMA:
        host = f"{tenant.schema_name}.{host}"
    port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
    return f"{settings.PLATFORM_SCHEME}://{host}{port}"
