"""A statement as CSV, for spreadsheets and finance systems.

One header row, then one row for the opening balance, one for each movement of money
in the order it happened, and one for the closing balance. Columns:

    date               YYYY-MM-DD (Europe/London)
    type               opening, in, held, paid, released, out or closing
    description        the movement in plain English
    order_reference    ORD-000123, for a visit's money; else empty
    service            the service ordered, for a visit's money; else empty
    visit_date         YYYY-MM-DD, the visit's day; else empty
    money_in_pence     money that came into the purse
    money_out_pence    money that left it (paid for care, or taken back)
    held_change_pence  change in money held for booked visits (negative when paid
                       or released)
    available_pence    money left to spend after this row
    total_pence        all the money in the purse after this row (available + held)
    money_in, money_out, held_change, available, total
                       the same five amounts in pounds, like 45.50

Every amount is a whole number of pence in the *_pence columns. For every row after
the first: available = the previous row's available + money_in - money_out -
held_change, and total = the previous row's total + money_in - money_out.
"""

from __future__ import annotations

import csv
import io

from core.money import pounds_decimal
from core.spreadsheets import cell_text

from .selectors import Statement

COLUMNS = [
    "date",
    "type",
    "description",
    "order_reference",
    "service",
    "visit_date",
    "money_in_pence",
    "money_out_pence",
    "held_change_pence",
    "available_pence",
    "total_pence",
    "money_in",
    "money_out",
    "held_change",
    "available",
    "total",
]


def _row(
    day: str, kind: str, text: str, ref: str, service: str, visit: str, amounts: list[int]
) -> list[str]:
    return [
        day,
        kind,
        cell_text(text),
        cell_text(ref),
        cell_text(service),
        visit,
        *(str(a) for a in amounts),
        *(pounds_decimal(a) for a in amounts),
    ]


def statement_csv(statement: Statement) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    s = statement
    opening, closing = s.opening, s.closing
    writer.writerow(
        _row(
            s.start.isoformat(),
            "opening",
            s.summary[0] if s.summary else "Opening balance",
            "",
            "",
            "",
            [0, 0, 0, opening.available_pence, opening.total_pence],
        )
    )
    for line in s.lines:
        writer.writerow(
            _row(
                line.on.isoformat(),
                line.kind,
                line.description,
                line.order_reference,
                line.service,
                line.visit_on.isoformat() if line.visit_on else "",
                [
                    line.money_in_pence,
                    line.money_out_pence,
                    line.held_pence,
                    line.available_after_pence,
                    line.total_after_pence,
                ],
            )
        )
    writer.writerow(
        _row(
            s.end.isoformat(),
            "closing",
            s.summary[-1] if s.summary else "Closing balance",
            "",
            "",
            "",
            [
                s.money_in_pence,
                s.money_out_pence,
                s.closing.held_pence - opening.held_pence,
                closing.available_pence,
                closing.total_pence,
            ],
        )
    )
    return out.getvalue()
