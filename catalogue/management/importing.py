"""What the catalogue's file-import commands (cqc import-csv, postcodes import) share:
the progress bar, a refusal as a command error, counts in words and the bad rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from django.core.management.base import BaseCommand, CommandError

from catalogue.postcodes import ProgressBar
from core.errors import DomainError

T = TypeVar("T")


class BadRow(Protocol):
    @property
    def line(self) -> int: ...

    @property
    def message(self) -> str: ...


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


class ImportCommand(BaseCommand):
    def import_file(
        self,
        load: Callable[[ProgressBar | None], T],
        *,
        verbosity: int,
        **bar: Any,
    ) -> T:
        """`load(progress)`, with a progress bar on stderr unless verbosity is 0; a
        refusal (a file that cannot be read) ends the command with its message."""
        progress = None
        if verbosity > 0:
            # Django styles stderr as errors and ends every write with a newline; the
            # bar draws its own lines.
            progress = ProgressBar(
                write=lambda text: self.stderr.write(text, style_func=str, ending=""),
                tty=self.stderr.isatty(),
                **bar,
            )
        try:
            return load(progress)
        except DomainError as exc:
            raise CommandError(exc.detail) from None

    def report_bad_rows(self, bad: int, kept: Sequence[BadRow]) -> None:
        """The rows skipped: each one kept, and how many more there were."""
        if not bad:
            return
        self.stderr.write(f"Skipped {plural(bad, 'bad row')}:")
        for row in kept:
            self.stderr.write(f"  line {row.line}: {row.message}")
        if bad > len(kept):
            self.stderr.write(f"  ... and {bad - len(kept):,} more.")
