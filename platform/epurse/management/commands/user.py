"""epurse user invite: add a user to a tenant (or the platform) and email them a link
to set their password. The way to create the first platform operator."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import tenant_context

from accounts.services import user_create_and_invite
from core.errors import DomainError
from tenants.models import Tenant
from tenants.selectors import tenant_base_url


class Command(BaseCommand):
    help = "Invite a user to a council, an NHS body or the platform."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        invite = sub.add_parser("invite", help="Create a user and email them a link.")
        invite.add_argument(
            "--tenant", required=True, help='The tenant\'s slug, or "public" for the platform.'
        )
        invite.add_argument("--email", required=True)
        invite.add_argument("--name", required=True, help="Their full name.")
        invite.add_argument(
            "--role", required=True, help="e.g. council_admin, care_manager, platform_operator"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(schema_name=options["tenant"]).first()
        if tenant is None:
            raise CommandError(
                f"There is no tenant {options['tenant']!r}. `epurse tenant list` shows them; "
                'use "public" for the platform.'
            )
        try:
            with tenant_context(tenant):
                user, link = user_create_and_invite(
                    email=options["email"],
                    full_name=options["name"],
                    role_codes=[options["role"]],
                    organisation=tenant.name,
                    base_url=tenant_base_url(tenant),
                )
        except DomainError as exc:
            lines = [exc.detail]
            for field, messages in exc.field_errors.items():
                lines.extend(f"  {field}: {message}" for message in messages)
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(self.style.SUCCESS(f"Invited {user.email} to {tenant.name}."))
        self.stdout.write(f"  They have been emailed a link to set a password:\n  {link}")
