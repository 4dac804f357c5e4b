"""epurse postcodes import PATH"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalogue.postcodes import (
    DEFAULT_BATCH_SIZE,
    ImportResult,
    ProgressBar,
    postcodes_import_onspd,
)
from core.errors import DomainError


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


class Command(BaseCommand):
    help = "Manage the postcode centroid table used for distances."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = sub.add_parser(
            "import",
            help="Import or refresh postcodes from an ONS Postcode Directory (ONSPD) CSV.",
        )
        load.add_argument(
            "path", help="The ONSPD CSV, e.g. ONSPD_FEB_2025_UK.csv from the download's Data/."
        )
        load.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Rows written per transaction (default {DEFAULT_BATCH_SIZE:,}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        progress = None
        if options["verbosity"] > 0:
            # Django styles stderr as errors and ends every write with a newline;
            # the bar draws its own lines.
            progress = ProgressBar(
                write=lambda text: self.stderr.write(text, style_func=str, ending=""),
                tty=self.stderr.isatty(),
            )
        try:
            result = postcodes_import_onspd(
                path=options["path"], progress=progress, batch_size=options["batch_size"]
            )
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self._report(Path(options["path"]).name, result)

    def _report(self, name: str, result: ImportResult) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {_plural(result.imported, 'postcode')} from {name} in "
                f"{result.seconds:.1f}s: {result.created:,} new, {result.updated:,} changed, "
                f"{result.unchanged:,} unchanged; {result.terminated:,} of them terminated."
            )
        )
        if result.duplicates:
            self.stdout.write(
                f"{_plural(result.duplicates, 'postcode')} appeared more than once; "
                "the last row of each was kept."
            )
        if result.no_coordinates:
            self.stdout.write(
                f"Skipped {_plural(result.no_coordinates, 'postcode')} with no coordinates."
            )
        if result.bad:
            self.stderr.write(f"Skipped {_plural(result.bad, 'bad row')}:")
            for error in result.errors:
                self.stderr.write(f"  {error}")
            if result.bad > len(result.errors):
                self.stderr.write(f"  ... and {result.bad - len(result.errors):,} more.")
