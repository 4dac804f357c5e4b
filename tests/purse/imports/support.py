"""Import files built in memory: good rows, and bad rows of every kind with the column
and the words the report must give for each."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from purse.nhs_number import nhs_number_check_digit

HEADER = [
    "reference",
    "given_name",
    "family_name",
    "date_of_birth",
    "nhs_number",
    "postcode",
    "email",
    "communication_needs",
    "weekly_budget",
    "weekly_contribution",
    "management",
    "start_date",
    "end_date",
    "next_review_date",
    "paid_up_to",
]


def nhs(n: int) -> str:
    """A valid NHS number for each n (digits with a check digit), none twice."""
    base = 400_000_000 + n * 7
    while True:
        first = f"{base:09d}"
        check = nhs_number_check_digit(first)
        if check is not None:
            return first + str(check)
        base += 1


def good_row(n: int, **changes: str) -> dict[str, str]:
    row = {
        "reference": f"OLD{n:05d}",
        "given_name": "Ada",
        "family_name": f"Holder{n}",
        "date_of_birth": "10/12/1950",
        "nhs_number": nhs(n) if n % 2 else "",
        "postcode": "SW1A 1AA",
        "email": "",
        "communication_needs": "Large print" if n % 10 == 0 else "",
        "weekly_budget": "275.50",
        "weekly_contribution": "20",
        "management": "direct_payment",
        "start_date": "01/04/2024",
        "end_date": "",
        "next_review_date": "2026-09-30",
        "paid_up_to": "",
    }
    return row | changes


def csv_bytes(rows: Iterable[dict[str, str]], header: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header or HEADER, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


# Each kind: (the changes that make a row bad, the column, the words the report gives).
BAD_KINDS: list[tuple[dict[str, str], str, str]] = [
    ({"given_name": " "}, "given_name", "Enter the person's first name"),
    (
        {"date_of_birth": "31/02/1950"},
        "date_of_birth",
        "Enter the date of birth as a date, like 27/03/1958 or 1958-03-27",
    ),
    (
        {"date_of_birth": "01/01/2099"},
        "date_of_birth",
        "Date of birth must be today or in the past",
    ),
    ({"nhs_number": "9434765918"}, "nhs_number", "This NHS number is not valid: check the digits"),
    ({"postcode": "NOT A CODE"}, "postcode", "Enter a full UK postcode, like SW1A 1AA"),
    (
        {"email": "ada-at-example"},
        "email",
        "Enter an email address in the correct format, like name@example.com",
    ),
    (
        {"weekly_budget": "lots"},
        "weekly_budget",
        "Enter the weekly budget in pounds, like 275.50",
    ),
    (
        {"weekly_contribution": "300"},
        "weekly_contribution",
        "The person's contribution cannot be more than the budget of £275.50 a week",
    ),
    (
        {"management": "cash in hand"},
        "management",
        "Choose how the money is managed: Direct payment, Managed by the council, "
        "Individual service fund, A mix of these",
    ),
    (
        {"next_review_date": "2024-01-01"},
        "next_review_date",
        "The next review must be on or after the start date, 1 April 2024",
    ),
]
