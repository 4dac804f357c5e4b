"""epurse postcodes import PATH"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from catalogue.management.importing import ImportCommand, plural
from catalogue.postcodes import DEFAULT_BATCH_SIZE, ImportResult, postcodes_import_onspd


class Command(ImportCommand):
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
        result = self.import_file(
            lambda progress: postcodes_import_onspd(
                path=options["path"], progress=progress, batch_size=options["batch_size"]
            ),
            verbosity=options["verbosity"],
        )
        self._report(Path(options["path"]).name, result)

    def _report(self, name: str, result: ImportResult) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {plural(result.imported, 'postcode')} from {name} in "
                f"{result.seconds:.1f}s: {result.created:,} new, {result.updated:,} changed, "
                f"{result.unchanged:,} unchanged; {result.terminated:,} of them terminated."
            )
        )
        if result.duplicates:
            self.stdout.write(
                f"{plural(result.duplicates, 'postcode')} appeared more than once; "
                "the last row of each was kept."
            )
        if result.no_coordinates:
            self.stdout.write(
                f"Skipped {plural(result.no_coordinates, 'postcode')} with no coordinates."
            )
        self.report_bad_rows(result.bad, result.errors)
