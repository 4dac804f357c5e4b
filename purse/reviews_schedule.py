"""When reviews fall due (Care Act statutory guidance, chapter 13): a light-touch review
6 to 8 weeks after the plan starts, direct payments within the first 6 months, and at
least every 12 months after the last review. Pure date arithmetic, no database."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

FIRST_REVIEW_EARLIEST_WEEKS = 6
FIRST_REVIEW_DUE_WEEKS = 8
DIRECT_PAYMENT_REVIEW_MONTHS = 6
ANNUAL_REVIEW_MONTHS = 12


@dataclass(frozen=True)
class ReviewWindow:
    """The first review may happen from `earliest` and is due by `due`."""

    earliest: dt.date
    due: dt.date


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later; a day the month does not have
    becomes its last day (31 August + 6 months -> 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_review_due(start: dt.date) -> ReviewWindow:
    return ReviewWindow(
        earliest=start + dt.timedelta(weeks=FIRST_REVIEW_EARLIEST_WEEKS),
        due=start + dt.timedelta(weeks=FIRST_REVIEW_DUE_WEEKS),
    )


def direct_payment_review_due(start: dt.date) -> dt.date:
    return months_after(start, DIRECT_PAYMENT_REVIEW_MONTHS)


def annual_review_due(last_review_or_start: dt.date) -> dt.date:
    return months_after(last_review_or_start, ANNUAL_REVIEW_MONTHS)
