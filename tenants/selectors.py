"""Reads for tenants."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from .models import Tenant


def tenant_list() -> QuerySet[Tenant]:
    return Tenant.objects.exclude(schema_name="public").order_by("name")


def tenant_base_url(tenant: Tenant) -> str:
    """The address people use, e.g. http://kingsmere.localhost:8000."""
    host = settings.PLATFORM_DOMAIN
    if tenant.schema_name != "public":
        host = f"{tenant.schema_name}.{host}"
    port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
    return f"{settings.PLATFORM_SCHEME}://{host}{port}"
