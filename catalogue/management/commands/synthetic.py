"""epurse synthetic [--providers N] [--services N] [--seed N] [--approve-in SLUG ...]
epurse synthetic --delete

Both refuse when DEBUG is off unless --force is given."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalogue.synthetic import PREFIX, synthetic_registry_delete, synthetic_registry_generate
from tenants.models import Tenant


class Command(BaseCommand):
    help = (
        "Add a large synthetic registry for benchmarks (providers named "
        f"'{PREFIX}...', all approved, with published services), or --delete it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--providers", type=int, default=5000)
        parser.add_argument("--services", type=int, default=50000)
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data.")
        parser.add_argument(
            "--approve-in",
            action="append",
            default=[],
            metavar="SLUG",
            help="Approve every synthetic provider and service in this council (repeatable).",
        )
        parser.add_argument(
            "--delete", action="store_true", help="Remove every synthetic row, and nothing else."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add or delete synthetic data even though DEBUG is off (never on a live site).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["delete"]:
            if not settings.DEBUG and not options["force"]:
                raise CommandError(
                    "This deletes providers from the registry (those this command made). "
                    "Use a development or benchmark database (DEBUG=1), or add --force "
                    "if you are sure."
                )
            gone = synthetic_registry_delete()
            self.stdout.write(
                f"Deleted {gone.providers:,} synthetic providers, {gone.services:,} services, "
                f"{gone.council_rows:,} council records, {gone.cqc_locations:,} CQC records "
                f"and {gone.postcodes:,} postcodes."
            )
            return
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Synthetic providers would be offered to residents. Use a development or "
                "benchmark database (DEBUG=1), or add --force if you are sure."
            )
        slugs = options["approve_in"]
        known = set(
            Tenant.objects.filter(schema_name__in=slugs).values_list("schema_name", flat=True)
        )
        unknown = [slug for slug in slugs if slug not in known or slug == "public"]
        if unknown:
            raise CommandError(f"There is no council called {', '.join(map(repr, unknown))}")
        if options["providers"] < 1 or options["services"] < options["providers"]:
            raise CommandError("Give at least one provider, and at least as many services")
        made = synthetic_registry_generate(
            providers=options["providers"],
            services=options["services"],
            seed=options["seed"],
            approve_in=slugs,
        )
        approved = "".join(f"; approved in {slug}: {n:,}" for slug, n in made.approvals.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {made.providers:,} providers, {made.services:,} services, "
                f"{made.prices:,} prices, {made.schedules:,} opening times, "
                f"{made.cqc_locations:,} CQC ratings and {made.postcodes:,} postcodes "
                f"in {made.seconds:.1f}s{approved}."
            )
        )
