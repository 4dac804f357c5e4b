"""The months a report covers: whole calendar months, on London's clocks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from core.dates import LONDON

DEFAULT_MONTHS = 12
MAX_MONTHS = 60  # five years: enough for any comparison a commissioner makes


def month_add(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def this_month(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return today.replace(day=1)


@dataclass(frozen=True)
class Period:
    """From the first day of `first` to the last day of `last` (first days of months)."""

    first: dt.date
    last: dt.date

    @classmethod
    def default(cls, today: dt.date | None = None) -> Period:
        """The last twelve months, this one included."""
        last = this_month(today)
        return cls(month_add(last, 1 - DEFAULT_MONTHS), last)

    @property
    def begins(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time.min, tzinfo=LONDON)

    @property
    def ends(self) -> dt.datetime:
        """The moment after the period: midnight starting the month after `last`."""
        return dt.datetime.combine(month_add(self.last, 1), dt.time.min, tzinfo=LONDON)

    @property
    def months(self) -> list[dt.date]:
        count = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month
        return [month_add(self.first, n) for n in range(count + 1)]

    @property
    def words(self) -> str:
        """'January 2026 to December 2026', or 'March 2026' for one month."""
        first, last = f"{self.first:%B %Y}", f"{self.last:%B %Y}"
        return first if first == last else f"{first} to {last}"

    @property
    def query(self) -> str:
        """The GET parameters that choose this period (for links and CSV)."""
        return (
            f"from_month={self.first.month}&from_year={self.first.year}"
            f"&to_month={self.last.month}&to_year={self.last.year}"
        )
