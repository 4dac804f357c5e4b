"""epurse cqc import-csv PATH | sync [--since DATE]"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from catalogue.cqc import ImportResult, SyncResult, cqc_csv_import, cqc_sync_changes
from catalogue.integrations.cqc import CqcClient
from catalogue.management.importing import ImportCommand, plural


def _date(value: str) -> datetime:
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007 - a date
    except ValueError:
        raise CommandError(f"--since {value!r}: give a date like 2026-01-31") from None
    return timezone.make_aware(datetime.combine(day, time.min))


class Command(ImportCommand):
    help = "Keep CQC ratings up to date: import CQC's directory file, or sync from its API."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = sub.add_parser(
            "import-csv",
            help="Import CQC's care directory with ratings (HSCA Active Locations, as CSV).",
        )
        load.add_argument("path", help="The directory file saved as CSV.")
        sync = sub.add_parser(
            "sync",
            help="Apply the locations CQC changed since the last sync (needs CQC_API_KEY).",
        )
        sync.add_argument(
            "--since",
            type=_date,
            help="Start from this date (YYYY-MM-DD) instead of where the last sync ended.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import-csv":
            self._import(options)
        elif options["action"] == "sync":
            self._sync(options)

    def _import(self, options: dict[str, Any]) -> None:
        result = self.import_file(
            lambda progress: cqc_csv_import(path=options["path"], progress=progress),
            verbosity=options["verbosity"],
            label="CQC locations",
        )
        self._report_import(Path(options["path"]).name, result)

    def _report_import(self, name: str, result: ImportResult) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"Read {plural(result.rows, 'row')} from {name} in {result.seconds:.1f}s: "
                f"{result.created:,} new, {result.updated:,} changed, "
                f"{result.unchanged:,} unchanged, {result.bad:,} bad."
            )
        )
        self.stdout.write(
            f"{plural(result.rating_changes, 'overall rating')} changed; "
            f"{plural(result.alerts, 'council alert')} raised."
        )
        self.report_bad_rows(result.bad, result.bad_rows)

    def _sync(self, options: dict[str, Any]) -> None:
        if not settings.CQC_API_KEY:
            raise CommandError("CQC_API_KEY is not set: get a key from CQC's API portal.")
        result = cqc_sync_changes(
            client=CqcClient.from_settings(), now=timezone.now(), since=options["since"]
        )
        self._report_sync(result)

    def _report_sync(self, result: SyncResult) -> None:
        if result.status == "skipped":
            raise CommandError(f"Not run: {result.error}.")
        window = "nothing"
        if result.start and result.synced_until:
            start = timezone.localtime(result.start)
            until = timezone.localtime(result.synced_until)
            window = f"{start:%Y-%m-%d %H:%M} to {until:%Y-%m-%d %H:%M}"
        line = (
            f"{plural(result.changed, 'changed location')} listed; "
            f"{result.created:,} new, {result.updated:,} changed, {result.unchanged:,} unchanged, "
            f"{len(result.missing):,} no longer at CQC, {len(result.invalid):,} unreadable; "
            f"{plural(result.rating_changes, 'overall rating')} changed, "
            f"{plural(result.alerts, 'council alert')} raised."
        )
        for invalid in result.invalid:
            self.stderr.write(f"  unreadable: {invalid}")
        if result.status == "failed":
            self.stdout.write(f"Synced {window}. {line}")
            raise CommandError(f"CQC sync failed; the next run retries from there: {result.error}")
        self.stdout.write(self.style.SUCCESS(f"Synced {window}. {line}"))
