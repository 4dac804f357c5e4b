"""The Celery app. Every task is a tenant task unless it says otherwise.

A tenant task runs inside the schema of the tenant that sent it (tenant-schemas-celery
carries the schema in a message header). Sending one from the public schema, or a
message that arrives without a tenant, raises `TenantRequired` before the task body
runs: tenant data is never touched from `public` by accident.
"""

from __future__ import annotations

import os
from typing import Any

from tenant_schemas_celery.app import CeleryApp
from tenant_schemas_celery.task import TenantTask as _SchemaSwitchingTask
from tenant_schemas_celery.task import headers_with_schema

from epurse.db import PUBLIC_SCHEMA, current_schema, use_public_schema

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epurse.settings")

SCHEMA_HEADER = "_schema_name"


class TenantRequired(RuntimeError):
    """A tenant task was sent or received without a tenant."""


class TenantTask(_SchemaSwitchingTask):
    """Base for every task that reads or writes a tenant's data. Fails closed in public."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True

    def apply_async(self, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        self._require_tenant(options)
        return super().apply_async(args, kwargs, **options)

    def delay_on_commit(self, *args: Any, **kwargs: Any) -> None:
        self.apply_async_on_commit(args, kwargs)

    def apply_async_on_commit(self, args: Any = None, kwargs: Any = None, **options: Any) -> None:
        # Name the tenant now, and refuse now: by commit time the connection may be
        # elsewhere, and a refusal then would come after the caller's data was saved.
        options["headers"] = headers_with_schema(options.get("headers") or {})
        self._require_tenant(options)
        super().apply_async_on_commit(args, kwargs, **options)

    def _require_tenant(self, options: dict[str, Any]) -> None:
        headers = options.get("headers") or {}
        if (headers.get(SCHEMA_HEADER) or current_schema()) == PUBLIC_SCHEMA:
            raise TenantRequired(
                f"{self.name} works on a tenant's data: send it from inside a tenant "
                "(a tenant request or `with tenant_context(tenant):`), not from the public schema."
            )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # By now tenant-schemas-celery has switched to the schema named in the message.
        if current_schema() == PUBLIC_SCHEMA:
            raise TenantRequired(
                f"{self.name} arrived without a tenant and was not run. Send it from inside "
                "a tenant so it carries the tenant's schema."
            )
        return super().__call__(*args, **kwargs)


class PublicTask(_SchemaSwitchingTask):
    """Base for platform-wide tasks that only touch the public schema."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        use_public_schema()
        return super().__call__(*args, **kwargs)


class EpurseCelery(CeleryApp):
    task_cls = "epurse.celery:TenantTask"


app = EpurseCelery("epurse")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
