"""epurse cqc import-csv PATH | sync [--since DATE]"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from catalogue.cqc import ImportResult, SyncResult, cqc_csv_import, cqc_sync_changes
from catalogue.integrations.cqc import CqcClient
from catalogue.postcodes import ProgressBar
from core.errors import DomainError


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _date(value: str) -> datetime:
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007 - a date
    except ValueError:
        raise CommandError(f"--since {value!r}: give a date like 2026-01-31") from None
    return timezone.make_aware(datetime.combine(day, time.min))


class Command(BaseCommand):
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
        progress = None
        if options["verbosity"] > 0:
            # Django styles stderr as errors and ends every write with a newline; the
            # bar draws its own lines.
            progress = ProgressBar(
                write=lambda text: self.stderr.write(text, style_func=str, ending=""),
                tty=self.stderr.isatty(),
                label="CQC locations",
            )
        try:
            result = cqc_csv_import(path=options["path"], progress=progress)
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self._report_import(Path(options["path"]).name, result)

    def _report_import(self, name: str, result: ImportResult) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"Read {_plural(result.rows, 'row')} from {name} in {result.seconds:.1f}s: "
                f"{result.created:,} new, {result.updated:,} changed, "
                f"{result.unchanged:,} unchanged, {result.bad:,} bad."
            )
        )
        self.stdout.write(
            f"{_plural(result.rating_changes, 'overall rating')} changed; "
            f"{_plural(result.alerts, 'council alert')} raised."
        )
        if result.bad:
            self.stderr.write(f"Skipped {_plural(result.bad, 'bad row')}:")
            for bad in result.bad_rows:
                self.stderr.write(f"  line {bad.line}: {bad.message}")
            if result.bad > len(result.bad_rows):
                self.stderr.write(f"  ... and {result.bad - len(result.bad_rows):,} more.")

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
            f"{_plural(result.changed, 'changed location')} listed; "
            f"{result.created:,} new, {result.updated:,} changed, {result.unchanged:,} unchanged, "
            f"{len(result.missing):,} no longer at CQC, {len(result.invalid):,} unreadable; "
            f"{_plural(result.rating_changes, 'overall rating')} changed, "
            f"{_plural(result.alerts, 'council alert')} raised."
        )
        for invalid in result.invalid:
            self.stderr.write(f"  unreadable: {invalid}")
        if result.status == "failed":
            self.stdout.write(f"Synced {window}. {line}")
            raise CommandError(f"CQC sync failed; the next run retries from there: {result.error}")
        self.stdout.write(self.style.SUCCESS(f"Synced {window}. {line}"))
