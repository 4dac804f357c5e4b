"""Celery beat's scheduler. Only `celery beat` imports this module, after Django is set
up (tenant-schemas-celery's scheduler needs the app registry at import)."""

from __future__ import annotations

from typing import Any

from tenant_schemas_celery.scheduler import TenantAwarePersistentScheduler

from tenants.models import Tenant


class TenantBeatScheduler(TenantAwarePersistentScheduler):
    """An entry without "tenant_schemas" is sent once to every tenant that is not
    closed, inside that tenant's schema."""

    @classmethod
    def get_queryset(cls) -> Any:
        return Tenant.objects.exclude(status=Tenant.Status.CLOSED)
