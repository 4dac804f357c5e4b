"""The one date style: plain English, on London's clocks, in Python and in templates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template

from core.dates import format_date, format_datetime, format_time

UTC = dt.UTC


def test_dates_are_plain_english() -> None:
    day = dt.date(2026, 12, 14)

    assert format_date(day) == "14 December 2026"
    assert format_date(day, weekday=True) == "Monday 14 December 2026"
    assert format_date(day, year=False) == "14 December"
    assert format_date(dt.date(2027, 1, 4)) == "4 January 2027"  # no leading zero


@pytest.mark.parametrize(
    ("hour", "minute", "said"),
    [
        (10, 0, "10am"),
        (10, 30, "10:30am"),
        (14, 30, "2:30pm"),
        (12, 0, "midday"),
        (0, 0, "midnight"),
        (0, 5, "12:05am"),
        (12, 45, "12:45pm"),
        (23, 59, "11:59pm"),
    ],
)
def test_times_are_said_as_people_say_them(hour: int, minute: int, said: str) -> None:
    assert format_time(dt.time(hour, minute)) == said


def test_moments_are_on_london_clocks_in_summer_and_winter() -> None:
    summer = dt.datetime(2026, 7, 1, 13, 30, tzinfo=UTC)  # 2:30pm in London (BST)
    winter = dt.datetime(2026, 12, 1, 13, 30, tzinfo=UTC)  # 1:30pm in London (GMT)
    late = dt.datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # already 1 July in London

    assert format_datetime(summer) == "2:30pm on 1 July 2026"
    assert format_datetime(winter) == "1:30pm on 1 December 2026"
    assert format_date(late) == "1 July 2026"


def test_templates_use_the_same_formatters() -> None:
    rendered = Template(
        "{% load epurse_format %}{{ p|pence }}|{{ q|pence }}|{{ r|pence }}|{{ d|plain_date }}|"
        "{{ d|plain_day }}|{{ t|plain_time }}|{{ m|plain_datetime }}|{{ none|plain_date }}"
    ).render(
        Context(
            {
                "p": 7500,
                "q": 7550,
                "r": 125_000,
                "d": dt.date(2026, 12, 14),
                "t": dt.time(12, 0),
                "m": dt.datetime(2026, 7, 1, 13, 30, tzinfo=UTC),
                "none": None,
            }
        )
    )

    assert rendered == (
        "£75|£75.50|£1,250|14 December 2026|Monday 14 December 2026|midday|2:30pm on 1 July 2026|"
    )
