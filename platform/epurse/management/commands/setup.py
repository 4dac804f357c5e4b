"""epurse setup: everything a fresh or upgraded database needs, safe to re-run."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from epurse.database import database_create_if_missing
from tenants.schemas import template_schema_ensure
from tenants.services import public_tenant_ensure


class Command(BaseCommand):
    help = (
        "Create the database if missing, migrate the public schema and every tenant, "
        "register the platform host and refresh the template new tenants are cloned from."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = int(options["verbosity"])
        if database_create_if_missing(settings.DATABASES["default"]):
            self.stdout.write(f"Created database {settings.DATABASES['default']['NAME']}.")
        call_command("migrate_schemas", interactive=False, verbosity=max(0, verbosity - 1))
        public_tenant_ensure()
        applied = template_schema_ensure()
        if applied:
            self.stdout.write(f"Template schema: applied {len(applied)} migrations.")
        self.stdout.write(self.style.SUCCESS("Database ready."))
