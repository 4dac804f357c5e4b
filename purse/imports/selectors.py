"""Reads for imports: the files sent, one file's report, and its bad rows to fix."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass

from django.db.models import QuerySet

from .csv_layout import IGNORED
from .models import ImportFile

REPORT_ROWS_SHOWN = 500  # a longer report is read in the download


def import_files_list() -> QuerySet[ImportFile]:
    return ImportFile.objects.defer("content", "problems").select_related("uploaded_by")


def import_file_get(*, public_id: uuid.UUID) -> ImportFile | None:
    return ImportFile.objects.filter(public_id=public_id).first()


@dataclass(frozen=True)
class Progress:
    done: int
    of: int

    @property
    def percent(self) -> int:
        return 100 if not self.of else min(100, self.done * 100 // self.of)


def import_progress(*, import_file: ImportFile) -> Progress:
    of = import_file.rows_to_import or import_file.rows_valid
    return Progress(done=import_file.rows_imported, of=of)


def problems_csv(*, import_file: ImportFile) -> str:
    """The bad rows as they were sent, with a `problems` column saying what is wrong
    with each in words, ready to fix and send again (the import ignores `problems`)."""
    text = bytes(import_file.content).decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    names = [cell.strip().lower() for cell in header]
    at = names.index(IGNORED) if IGNORED in names else None
    by_row: dict[int, list[str]] = {}
    for problem in import_file.problems:
        label = problem["column"] or "row"
        by_row.setdefault(problem["row"], []).append(f"{label}: {problem['message']}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header if at is not None else [*header, IGNORED])
    for number, cells in enumerate(reader, start=2):
        if number not in by_row:
            continue
        said = "; ".join(by_row[number])
        cells = cells + [""] * (len(header) - len(cells))
        if at is not None:
            cells[at] = said
            writer.writerow(cells)
        else:
            writer.writerow([*cells[: len(header)], said])
    return out.getvalue()
