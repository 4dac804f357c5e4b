"""epurse setup: everything a fresh or upgraded database needs, safe to re-run."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from epurse.database import database_create_if_missing
from tenants.schemas import tenant_schemas_migrate
from tenants.selectors import tenant_list
from tenants.services import public_tenant_ensure


class Command(BaseCommand):
    help = (
        "Create the database if missing, migrate the public schema, register the platform "
        "host, and migrate the template and every tenant schema that has anything to apply."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = int(options["verbosity"])
        if database_create_if_missing(settings.DATABASES["default"]):
            self.stdout.write(f"Created database {settings.DATABASES['default']['NAME']}.")
        call_command(
            "migrate_schemas", shared=True, interactive=False, verbosity=max(0, verbosity - 1)
        )
        public_tenant_ensure()
        applied = tenant_schemas_migrate(verbosity=max(0, verbosity - 1))
        for schema, count in applied.items():
            self.stdout.write(f"Schema {schema}: applied {count} migrations.")
        up_to_date = tenant_list().count() + 1 - len(applied)
        self.stdout.write(f"{up_to_date} schemas had nothing to apply.")
        self.stdout.write(self.style.SUCCESS("Database ready."))
