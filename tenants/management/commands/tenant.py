"""epurse tenant create|list|refresh-template"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import DomainError
from tenants.models import Tenant
from tenants.schemas import template_schema_ensure
from tenants.selectors import tenant_base_url, tenant_list
from tenants.services import SLUG_RULES, tenant_create


class Command(BaseCommand):
    help = "Onboard and list councils and NHS bodies (tenants)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = sub.add_parser("create", help="Onboard a council or NHS body.")
        create.add_argument("--name", required=True, help='e.g. "Kingsmere Borough Council"')
        create.add_argument("--slug", required=True, help=f"Host and schema name: {SLUG_RULES}.")
        create.add_argument("--kind", required=True, choices=["council", "nhs"])
        create.add_argument("--admin-email", required=True, help="The first administrator.")
        create.add_argument("--admin-name", default="", help="The administrator's full name.")
        create.add_argument("--status", default=Tenant.Status.TRIAL, choices=["trial", "active"])
        sub.add_parser("list", help="List tenants.")
        sub.add_parser(
            "refresh-template",
            help="Migrate the template schema new tenants are cloned from.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "list":
            for tenant in tenant_list():
                self.stdout.write(
                    f"{tenant.schema_name:<20} {tenant.kind:<8} {tenant.status:<12} "
                    f"{tenant.name}  {tenant_base_url(tenant)}"
                )
        elif action == "refresh-template":
            applied = template_schema_ensure()
            self.stdout.write(
                f"Template schema: applied {len(applied)} migrations."
                if applied
                else "Template schema is up to date."
            )

    def _create(self, options: dict[str, Any]) -> None:
        started = time.perf_counter()
        try:
            onboarded = tenant_create(
                name=options["name"],
                slug=options["slug"],
                kind=options["kind"],
                admin_email=options["admin_email"],
                admin_name=options["admin_name"],
                status=options["status"],
            )
        except DomainError as exc:
            lines = [exc.detail]
            for field, messages in exc.field_errors.items():
                lines.extend(f"  --{field.replace('_', '-')}: {message}" for message in messages)
            raise CommandError("\n".join(lines)) from None
        tenant = onboarded.tenant
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"Created {tenant.name} ({tenant.kind}, {tenant.status}).")
        )
        self.stdout.write(f"  Address: {tenant_base_url(tenant)}")
        self.stdout.write(
            f"  Administrator: {onboarded.admin.email} has been emailed a link to set a password:"
        )
        self.stdout.write(f"  {onboarded.invitation_link}")
        self.stdout.write(f"  Took {elapsed:.2f}s.")
