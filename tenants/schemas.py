"""PostgreSQL schemas for tenants: a migrated template, and clones of it.

Cloning the template (tables, indexes, triggers, functions and seed rows such as
roles and django_migrations) takes a fraction of a second; running every migration
for a new schema takes many seconds. The template is brought up to date before each
clone, so a clone never misses a migration, and an advisory lock keeps onboarding and
template migrations (in any process) from overlapping: a clone never sees a template
half-way through a migration.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tenants.clone import CloneSchema

from epurse.db import PUBLIC_SCHEMA, current_schema, use_public_schema, use_schema

# pg_advisory_lock key for "the template schema is being migrated or cloned".
TEMPLATE_LOCK_KEY = 0x65707572  # "epur"


def template_schema_name() -> str:
    return str(settings.TENANT_TEMPLATE_SCHEMA)


@contextmanager
def template_lock() -> Iterator[None]:
    """Hold the template lock for the block. It is taken on a connection of its own:
    migrate_schemas closes Django's connection, which would silently drop a lock
    held there."""
    lock_connection = connection.get_new_connection(connection.get_connection_params())
    try:
        with lock_connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [TEMPLATE_LOCK_KEY])
        yield
    finally:
        lock_connection.close()  # ends the session, and with it the lock


def pending_migrations(name: str) -> list[str]:
    """Migrations schema `name` has not applied yet (all of them if it is empty)."""
    previous = current_schema()
    try:
        # include_public=False: without its own django_migrations table the template
        # must not read public's and look up to date.
        use_schema(name, include_public=False)
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
    finally:
        use_schema(previous)


def template_schema_ensure(*, verbosity: int = 0) -> list[str]:
    """Create and migrate the template schema if needed; returns what was applied."""
    with template_lock():
        return template_schema_ensure_locked(verbosity=verbosity)


def template_schema_ensure_locked(*, verbosity: int = 0) -> list[str]:
    """template_schema_ensure for callers already holding template_lock()."""
    name = template_schema_name()
    pending = pending_migrations(name)
    if pending:
        if connection.in_atomic_block:
            raise RuntimeError(
                f"The template schema needs {len(pending)} migrations, which cannot run "
                "inside a transaction. Run `epurse setup` (or `epurse tenant "
                "refresh-template`) first."
            )
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
    tenants = Tenant.objects.exclude(schema_name=PUBLIC_SCHEMA)
    for name in tenants.values_list("schema_name", flat=True):
        if pending := pending_migrations(name):
            _migrate(name, verbosity)
            applied[name] = len(pending)
    return applied


def schema_clone_from_template(*, target: str) -> None:
    """Create schema `target` as a copy of the template. Runs in the caller's
    transaction, so a failed onboarding leaves no schema behind. Hold template_lock()."""
    use_public_schema()
    template = template_schema_name()
    CloneSchema().clone_schema(template, target, "DATA", set_connection=False)
    # The clone copies tables but not their storage settings (e.g. the ledger accounts'
    # fillfactor, which keeps balance updates on their page).
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, array_to_string(c.reloptions, ', ')
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = %s AND c.relkind = 'r' AND c.reloptions IS NOT NULL
            """,
            [template],
        )
        for table, options in cursor.fetchall():
            cursor.execute(f"ALTER TABLE {quote(target)}.{quote(table)} SET ({options})")


def _migrate(name: str, verbosity: int) -> None:
    call_command(
        "migrate_schemas", schema_name=name, tenant=True, interactive=False, verbosity=verbosity
    )
    use_public_schema()
