"""The ledger as a journal for the council's finance system: one CSV line per posted
entry in a period (docs/finance-export.md describes the layout)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

from django.db import connection

from core.dates import LONDON

COLUMNS = [
    "date",
    "transaction",
    "kind",
    "account_code",
    "account_kind",
    "person_id",
    "provider_id",
    "debit_pence",
    "credit_pence",
    "memo",
]

# Posted transactions only: holds are not money moved until captured, and a released
# hold moved nothing. Dates are London days, as the statements show them.
_JOURNAL = """
SELECT (t.created_at AT TIME ZONE %(zone)s)::date, t.public_id, t.kind, a.code, a.kind,
       p.public_id, a.provider_id,
       CASE WHEN e.side = 'D' THEN e.amount_pence ELSE 0 END,
       CASE WHEN e.side = 'C' THEN e.amount_pence ELSE 0 END,
       t.memo
  FROM ledger_entry e
  JOIN ledger_transaction t ON t.id = e.transaction_id
  JOIN ledger_account a ON a.id = e.account_id
  LEFT JOIN purse_person p ON p.id = a.person_id
 WHERE t.status = 'posted'
   AND t.created_at >= %(start)s AND t.created_at < %(end)s
 ORDER BY t.id, e.id
"""


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=LONDON)


def _cell(value: object) -> object:
    """A value as a spreadsheet should show it: text that a spreadsheet would run as a
    formula (memos can hold words people typed) is kept as text."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


def journal_csv(*, first: dt.date, last: dt.date, chunk: int = 2000) -> Iterator[str]:
    """The journal from `first` to `last` (London days, both included), as CSV text in
    pieces, for a streamed download. A server-side cursor: a year of a large council
    is never held in memory at once."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    with connection.chunked_cursor() as cursor:
        cursor.execute(
            _JOURNAL,
            {
                "zone": str(LONDON),
                "start": _midnight(first),
                "end": _midnight(last + dt.timedelta(days=1)),
            },
        )
        while rows := cursor.fetchmany(chunk):
            for row in rows:
                writer.writerow([_cell(value) for value in row])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
