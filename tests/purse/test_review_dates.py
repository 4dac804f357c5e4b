"""Review dates: 6-8 weeks after the start, 6 months for direct payments, then yearly,
on calendar months that end on different days."""

from __future__ import annotations

import datetime as dt

import pytest

from purse.reviews_schedule import (
    ReviewWindow,
    annual_review_due,
    direct_payment_review_due,
    first_review_due,
    months_after,
)

D = dt.date


@pytest.mark.parametrize(
    ("start", "earliest", "due"),
    [
        (D(2026, 5, 4), D(2026, 6, 15), D(2026, 6, 29)),
        # Across a year end.
        (D(2026, 12, 1), D(2027, 1, 12), D(2027, 1, 26)),
        # Weeks count days, so February's length shows: 2028 is a leap year.
        (D(2028, 1, 31), D(2028, 3, 13), D(2028, 3, 27)),
        (D(2027, 1, 31), D(2027, 3, 14), D(2027, 3, 28)),
        (D(2028, 2, 29), D(2028, 4, 11), D(2028, 4, 25)),
    ],
)
def test_first_review_window_is_six_to_eight_weeks_after_the_start(start, earliest, due):
    window = first_review_due(start)

    assert window == ReviewWindow(earliest=earliest, due=due)
    assert (window.earliest - start).days == 42
    assert (window.due - start).days == 56


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (D(2026, 1, 15), D(2026, 7, 15)),
        # 31 August + 6 months: February has no 31st; its last day, leap year or not.
        (D(2026, 8, 31), D(2027, 2, 28)),
        (D(2027, 8, 31), D(2028, 2, 29)),
        (D(2027, 8, 29), D(2028, 2, 29)),
        (D(2027, 8, 30), D(2028, 2, 29)),
        (D(2026, 8, 29), D(2027, 2, 28)),
        # 31st into a 30-day month.
        (D(2026, 12, 31), D(2027, 6, 30)),
        (D(2026, 3, 31), D(2026, 9, 30)),
        # A 30th stays the 30th in a 31-day month (no rounding up to month end).
        (D(2026, 4, 30), D(2026, 10, 30)),
        # Across the year end.
        (D(2026, 7, 1), D(2027, 1, 1)),
    ],
)
def test_direct_payment_review_is_six_calendar_months_on_clamped_to_month_end(start, due):
    assert direct_payment_review_due(start) == due


@pytest.mark.parametrize(
    ("last", "due"),
    [
        (D(2026, 5, 4), D(2027, 5, 4)),
        # 29 February 2028 has no anniversary in 2029: the last day of February.
        (D(2028, 2, 29), D(2029, 2, 28)),
        (D(2027, 2, 28), D(2028, 2, 28)),  # not moved to the leap day
        (D(2028, 2, 28), D(2029, 2, 28)),
        (D(2026, 12, 31), D(2027, 12, 31)),
        (D(2026, 1, 1), D(2027, 1, 1)),
    ],
)
def test_annual_review_is_twelve_calendar_months_on(last, due):
    assert annual_review_due(last) == due


def test_a_restarted_plan_counts_from_its_new_start():
    first_start, restart = D(2026, 1, 31), D(2026, 3, 10)

    assert first_review_due(first_start).due == D(2026, 3, 28)
    assert first_review_due(restart) == ReviewWindow(earliest=D(2026, 4, 21), due=D(2026, 5, 5))
    assert direct_payment_review_due(restart) == D(2026, 9, 10)
    assert annual_review_due(restart) == D(2027, 3, 10)


@pytest.mark.parametrize(
    ("day", "months", "result"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2026, 1, 31), 2, D(2026, 3, 31)),  # from the original day, not the clamped one
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 5, 31), 24, D(2028, 5, 31)),
        (D(2026, 3, 15), 0, D(2026, 3, 15)),
    ],
)
def test_months_after_clamps_only_when_the_month_is_shorter(day, months, result):
    assert months_after(day, months) == result
