"""The import file's layout and the checks on each row, without the database.

The person's details are checked by the same function person_create uses, so a row is
refused for exactly the reasons (and in the words) a person added by hand would be; the
budget's checks give plan_create's messages. docs/import.md describes the layout for
the people who prepare the file: keep the two in step.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from core.dates import format_date
from core.errors import DomainError, ValidationFailed
from core.money import format_pence, parse_pounds
from purse.models import COMMUNICATION_NEEDS
from purse.nhs_number import nhs_number_normalise
from purse.services.people import person_fields_clean
from purse.services.plans import MAX_DAYS_AHEAD, MAX_WEEKLY_MESSAGE, MAX_WEEKLY_PENCE
from tenants.rules.models import Management, RulesVersion

MAX_BYTES = 10 * 1024 * 1024  # 10,000 rows are about 2 MB
MAX_ROWS = 50_000
REFERENCE_MAX = 50


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    what: str
    format: str
    example: str


COLUMNS: tuple[Column, ...] = (
    Column(
        "reference",
        True,
        "Your own reference for the person",
        "Up to 50 characters, each person's own",
        "AB10023",
    ),
    Column("given_name", True, "First name", "Up to 100 characters", "Ada"),
    Column("family_name", True, "Last name", "Up to 100 characters", "Lovelace"),
    Column("date_of_birth", True, "Date of birth", "DD/MM/YYYY or YYYY-MM-DD", "10/12/1950"),
    Column("nhs_number", False, "NHS number", "10 digits, spaces allowed", "943 476 5919"),
    Column("address_1", False, "Address line 1", "Up to 200 characters", "1 High Street"),
    Column("address_2", False, "Address line 2", "Up to 200 characters", ""),
    Column("city", False, "Town or city", "Up to 100 characters", "Northmoor"),
    Column("postcode", True, "Postcode", "A full UK postcode", "SW1A 1AA"),
    Column("email", False, "Email address (kept as a contact detail)", "name@example.com", ""),
    Column("phone", False, "Phone number", "Up to 30 characters", "01632 960001"),
    Column(
        "communication_needs",
        False,
        "How to communicate with the person",
        "Codes or names separated by semicolons: " + "; ".join(COMMUNICATION_NEEDS),
        "large_print; easy_read",
    ),
    Column("weekly_budget", True, "The personal budget a week", "Pounds, like 275.50", "275.50"),
    Column(
        "weekly_contribution",
        False,
        "The person's own contribution a week (empty means none)",
        "Pounds, at most the weekly budget",
        "20",
    ),
    Column(
        "management",
        True,
        "How the money is managed",
        "A code or name the council's budget rules allow: "
        + "; ".join(f"{m.value} ({m.label})" for m in Management),
        "direct_payment",
    ),
    Column(
        "start_date", True, "The day the budget started", "DD/MM/YYYY or YYYY-MM-DD", "01/04/2024"
    ),
    Column(
        "end_date",
        False,
        "The budget's last day, if it has one (not in the past)",
        "DD/MM/YYYY or YYYY-MM-DD",
        "",
    ),
    Column(
        "next_review_date",
        True,
        "When the plan is next reviewed",
        "DD/MM/YYYY or YYYY-MM-DD, on or after the start date",
        "01/04/2026",
    ),
    Column(
        "paid_up_to",
        False,
        "The last day the old system has paid for; this service pays from the day after "
        "(empty: from the day of the import, or the start date if later)",
        "DD/MM/YYYY or YYYY-MM-DD, on or after the start date",
        "",
    ),
    Column(
        "problems",
        False,
        "Ignored: the download of bad rows adds it, so the file can be fixed and sent again",
        "Any text",
        "",
    ),
)
BY_NAME = {column.name: column for column in COLUMNS}
REQUIRED = [column.name for column in COLUMNS if column.required]
IGNORED = "problems"

# The person's columns, checked by person_create's own function (the NHS number apart:
# its uniqueness is checked for the whole file at once).
PERSON_COLUMNS = (
    "given_name",
    "family_name",
    "address_1",
    "address_2",
    "city",
    "postcode",
    "email",
    "phone",
)

_DATE_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DATE_UK = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


class FileRefused(DomainError):
    """The file as a whole cannot be read as an import: nothing of it is kept."""

    code = "import_file_refused"
    title = "The file cannot be imported"


@dataclass(frozen=True)
class Problem:
    row: int  # as the spreadsheet numbers it: the header is row 1
    reference: str
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "reference": self.reference,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class CleanRow:
    """A row that passed every check, ready to write."""

    row: int
    reference: str
    person: dict[str, Any]
    weekly_pence: int
    contribution_pence: int
    management: str
    starts_on: dt.date
    ends_on: dt.date | None
    next_review_on: dt.date
    first_topup_on: dt.date


@dataclass
class Checked:
    rows_total: int = 0
    clean: list[CleanRow] = field(default_factory=list)
    already: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def bad_rows(self) -> int:
        return len({problem.row for problem in self.problems})


def _refuse(message: str) -> FileRefused:
    return FileRefused(message, field_errors={"file": [message]})


def csv_rows(content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column: cell}) for each row with something in it, after checking
    the file as a whole: its size, that it is CSV text, and its header. Raises
    FileRefused with one message for the whole file."""
    if not content:
        raise _refuse("The selected file is empty")
    if len(content) > MAX_BYTES:
        raise _refuse(f"The selected file must be smaller than {MAX_BYTES // (1024 * 1024)} MB")
    if content.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise _refuse(
            "The selected file is a spreadsheet workbook, not a CSV file: in your spreadsheet "
            "choose Save as, then CSV UTF-8"
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(
            "The selected file must be a CSV file saved as UTF-8: in your spreadsheet choose "
            "Save as, then CSV UTF-8"
        ) from None
    if "\x00" in text:
        raise _refuse("The selected file must be a CSV file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error:
        raise _refuse("The selected file must be a CSV file") from None
    if not header or not any(cell.strip() for cell in header):
        raise _refuse("The selected file is empty")
    names = [_column_name(cell) for cell in header]
    _header_check(names)
    try:
        for number, cells in enumerate(reader, start=2):
            if number - 1 > MAX_ROWS:
                raise _refuse(
                    f"The file has more than {MAX_ROWS:,} rows: split it into smaller files"
                )
            if not any(cell.strip() for cell in cells):
                continue  # spreadsheets keep blank rows at the end
            row = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(names)}
            if len(cells) > len(names) and any(cell.strip() for cell in cells[len(names) :]):
                row[""] = f"{len(cells)} cells"  # more cells than the header names
            yield number, row
    except csv.Error as exc:
        raise _refuse(
            f"The file could not be read as CSV near row {reader.line_num}: {exc}"
        ) from None


def _column_name(cell: str) -> str:
    return re.sub(r"[\s-]+", "_", cell.strip().lower())


def _header_check(names: list[str]) -> None:
    unknown = [name or "(an empty heading)" for name in names if name not in BY_NAME]
    missing = [name for name in REQUIRED if name not in names]
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    parts = []
    if missing:
        parts.append("these columns are missing: " + ", ".join(missing))
    if unknown:
        parts.append("these columns are not ones we know: " + ", ".join(unknown))
    if repeated:
        parts.append("these columns are there more than once: " + ", ".join(repeated))
    if parts:
        raise _refuse(
            "The first row must name the columns described in the import guide; " + "; ".join(parts)
        )


def _date(raw: str) -> dt.date | None:
    text = raw.strip()
    if match := _DATE_ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DATE_UK.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _needs(raw: str) -> list[str]:
    """Communication needs by code or name ("large_print" or "Large print")."""
    by_name = {label.casefold(): code for code, label in COMMUNICATION_NEEDS.items()}
    needs = []
    for part in raw.split(";"):
        text = part.strip()
        if not text:
            continue
        code = text.lower().replace(" ", "_")
        needs.append(code if code in COMMUNICATION_NEEDS else by_name.get(text.casefold(), text))
    return needs


def _management(raw: str) -> str:
    text = raw.strip().casefold()
    for option in Management:
        if text in (option.value, str(option.label).casefold()):
            return option.value
    return raw.strip()


def _management_label(code: str) -> str:
    try:
        return str(Management(code).label)
    except ValueError:
        return code


class _Row:
    """Problems found in one row, by column."""

    def __init__(self, number: int, reference: str) -> None:
        self.number = number
        self.reference = reference
        self.problems: list[Problem] = []

    def add(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.number, self.reference, column, message))

    def date(
        self, cells: dict[str, str], column: str, label: str, *, required: bool
    ) -> dt.date | None:
        raw = cells.get(column, "").strip()
        if not raw:
            if required:
                self.add(column, f"Enter the {label}, like 27/03/2024 or 2024-03-27")
            return None
        day = _date(raw)
        if day is None:
            self.add(column, f"Enter the {label} as a real date, like 27/03/2024 or 2024-03-27")
        return day

    def pounds(self, cells: dict[str, str], column: str, message: str) -> int | None:
        raw = cells.get(column, "").strip()
        try:
            return parse_pounds(raw)
        except ValueError:
            self.add(column, message)
            return None


def row_check(
    number: int, cells: dict[str, str], *, version: RulesVersion, today: dt.date
) -> tuple[CleanRow | None, list[Problem]]:
    """Check one row on its own (not against other rows or the database)."""
    reference = cells.get("reference", "").strip()
    row = _Row(number, reference)
    if "" in cells:
        row.add(
            "",
            f"This row has {cells['']}, more than the header's columns: check for a stray "
            "comma, or put the text in quotes",
        )
    if not reference:
        row.add("reference", "Enter your reference for the person")
    elif len(reference) > REFERENCE_MAX:
        row.add("reference", f"The reference must be {REFERENCE_MAX} characters or fewer")

    fields: dict[str, Any] = {name: cells.get(name, "") for name in PERSON_COLUMNS}
    born_raw = cells.get("date_of_birth", "").strip()
    born = _date(born_raw) if born_raw else None
    if born is None:
        row.add(
            "date_of_birth",
            "Enter the date of birth as a date, like 27/03/1958 or 1958-03-27",
        )
    else:
        fields["date_of_birth"] = born
    fields["communication_needs"] = _needs(cells.get("communication_needs", ""))
    person: dict[str, Any] = {}
    try:
        person = person_fields_clean(fields, person=None)
    except ValidationFailed as exc:
        for column, messages in exc.field_errors.items():
            for message in messages:
                row.add(column, message)
    if not cells.get("postcode", "").strip():
        row.add("postcode", "Enter the person's postcode")
    nhs_raw = cells.get("nhs_number", "").strip()
    person["nhs_number"] = ""
    if nhs_raw:
        try:
            person["nhs_number"] = nhs_number_normalise(nhs_raw)
        except ValidationFailed as exc:
            row.add("nhs_number", exc.detail)

    weekly = row.pounds(cells, "weekly_budget", "Enter the weekly budget in pounds, like 275.50")
    if weekly is not None and weekly <= 0:
        row.add("weekly_budget", "Enter a weekly budget of more than £0")
        weekly = None
    elif weekly is not None and weekly > MAX_WEEKLY_PENCE:
        row.add("weekly_budget", MAX_WEEKLY_MESSAGE)
        weekly = None
    contribution = (
        row.pounds(
            cells,
            "weekly_contribution",
            "Enter the person's weekly contribution in pounds, like 20, or leave it empty",
        )
        if cells.get("weekly_contribution", "").strip()
        else 0
    )
    if weekly is not None and contribution is not None and contribution > weekly:
        row.add(
            "weekly_contribution",
            "The person's contribution cannot be more than the budget of "
            f"{format_pence(weekly)} a week",
        )

    management = _management(cells.get("management", ""))
    if management not in version.allowed_management:
        allowed = ", ".join(_management_label(code) for code in version.allowed_management)
        row.add("management", f"Choose how the money is managed: {allowed}")

    starts_on = row.date(cells, "start_date", "start date", required=True)
    ends_on = row.date(cells, "end_date", "end date", required=False)
    review_on = row.date(cells, "next_review_date", "next review date", required=True)
    paid_to = row.date(cells, "paid_up_to", "date paid up to", required=False)
    if starts_on is not None:
        if starts_on > today + dt.timedelta(days=MAX_DAYS_AHEAD):
            row.add("start_date", "A plan can start at most a year from today")
        if ends_on is not None and ends_on < starts_on:
            row.add("end_date", "The end date must be the same as or after the start date")
        if review_on is not None and review_on < starts_on:
            row.add(
                "next_review_date",
                f"The next review must be on or after the start date, {format_date(starts_on)}",
            )
        if paid_to is not None and paid_to < starts_on:
            row.add(
                "paid_up_to",
                f"The date paid up to must be on or after the start date, {format_date(starts_on)}",
            )
    # Top-ups start the day after it: a date long past would pay every cycle since
    # then at once, so anything older than one cycle is refused, not back-paid.
    oldest = today - dt.timedelta(weeks=version.topup_cycle_weeks)
    if paid_to is not None and paid_to < oldest and (ends_on is None or ends_on >= today):
        row.add(
            "paid_up_to",
            f"The date paid up to is more than {version.topup_cycle_weeks} weeks ago, so "
            "the first top-up would pay for all the weeks since: check the date, or pay "
            "what is owed as a one-off payment",
        )
    if ends_on is not None and ends_on < today:
        row.add(
            "end_date",
            f"This budget ended on {format_date(ends_on)}: import only budgets still running",
        )

    if (
        row.problems
        or starts_on is None
        or review_on is None
        or weekly is None
        or contribution is None
    ):
        return None, row.problems
    first_topup = max(starts_on, paid_to + dt.timedelta(days=1) if paid_to else today)
    return (
        CleanRow(
            row=number,
            reference=reference,
            person=person,
            weekly_pence=weekly,
            contribution_pence=contribution,
            management=management,
            starts_on=starts_on,
            ends_on=ends_on,
            next_review_on=review_on,
            first_topup_on=first_topup,
        ),
        [],
    )


def rows_check(
    rows: Iterable[tuple[int, dict[str, str]]],
    *,
    version: RulesVersion,
    today: dt.date,
    already_imported: set[str],
) -> Checked:
    """Check every row, and the rows against each other: a reference or an NHS number
    on two rows makes the later rows bad. Rows whose reference was imported before are
    counted, not checked: they will not be imported again."""
    checked = Checked()
    first_seen: dict[tuple[str, str], int] = {}
    for number, cells in rows:
        checked.rows_total += 1
        reference = cells.get("reference", "").strip()
        if reference and reference in already_imported:
            checked.already += 1
            continue
        clean, problems = row_check(number, cells, version=version, today=today)
        repeats = []
        nhs = clean.person["nhs_number"] if clean else ""
        for column, value in (("reference", reference), ("nhs_number", nhs)):
            if not value:
                continue
            earlier = first_seen.setdefault((column, value), number)
            if earlier != number:
                what = "reference" if column == "reference" else "NHS number"
                repeats.append(
                    Problem(
                        number,
                        reference,
                        column,
                        f"This {what} is also on row {earlier}: each person needs their own {what}",
                    )
                )
        problems += repeats
        if problems:
            checked.problems += problems
        elif clean is not None:
            checked.clean.append(clean)
    return checked
