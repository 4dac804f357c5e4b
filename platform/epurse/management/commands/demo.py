"""epurse demo: seed the demo tenants and users (kept as they are on re-runs)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from epurse.demo import DEFAULT_DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Create the demo councils, NHS body and users (DEMO_PASSWORD) if missing."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not settings.DEMO_PASSWORD:
            raise CommandError(
                "Demo accounts have a published password. Outside DEBUG, set DEMO_PASSWORD "
                "to a password of your own to seed them."
            )
        password = settings.DEMO_PASSWORD or DEFAULT_DEMO_PASSWORD
        try:
            sites = demo_seed(password=password)
        except DomainError as exc:
            details = "; ".join(m for ms in exc.field_errors.values() for m in ms)
            raise CommandError(f"{exc.detail} {details}") from None
        for site in sites:
            self.stdout.write(f"{site.name}: {site.url}")
            for login in site.logins:
                self.stdout.write(f"    {login}")
        self.stdout.write(f"Password for every demo account: {password}")
