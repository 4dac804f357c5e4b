"""PostgreSQL schemas for tenants: a migrated template, and clones of it.

Cloning the template (tables, indexes, triggers, functions and seed rows such as
roles and django_migrations) takes a fraction of a second; running every migration
for a new schema takes many seconds. The template is brought up to date before each
clone, so a clone never misses a migration.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tenants.clone import CloneSchema

from epurse.db import use_public_schema, use_schema


def template_schema_name() -> str:
    return str(settings.TENANT_TEMPLATE_SCHEMA)


def pending_migrations(name: str) -> list[str]:
    """Migrations schema `name` has not applied yet (all of them if it is empty)."""
    try:
        # include_public=False: without its own django_migrations table the template
        # must not read public's and look up to date.
        use_schema(name, include_public=False)
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
    finally:
        use_public_schema()


def template_schema_ensure(*, verbosity: int = 0) -> list[str]:
    """Create and migrate the template schema if needed; returns what was applied.
    Must run outside a transaction (migrations commit per schema)."""
    name = template_schema_name()
    pending = pending_migrations(name)
    if pending:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{name}"')
        _migrate(name, verbosity)
    return pending


def tenant_schemas_migrate(*, verbosity: int = 0) -> dict[str, int]:
    """Migrate the template and every tenant schema that has something to apply; the
    others are skipped, so a deploy with many tenants is quick. Returns what was applied
    per schema. Must run outside a transaction."""
    from .models import Tenant

    applied = {}
    template = template_schema_ensure(verbosity=verbosity)
    if template:
        applied[template_schema_name()] = len(template)
    for name in Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True):
        if pending := pending_migrations(name):
            _migrate(name, verbosity)
            applied[name] = len(pending)
    return applied


def _migrate(name: str, verbosity: int) -> None:
    call_command(
        "migrate_schemas", schema_name=name, tenant=True, interactive=False, verbosity=verbosity
    )
    use_public_schema()


def schema_clone_from_template(*, target: str) -> None:
    """Create schema `target` as a copy of the template. Runs in the caller's
    transaction, so a failed onboarding leaves no schema behind."""
    use_public_schema()
    CloneSchema().clone_schema(template_schema_name(), target, "DATA", set_connection=False)
