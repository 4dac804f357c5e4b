"""Dates and times as people read them, in one style (GOV.UK's): "14 December 2026",
"Monday 14 December", "10am", "2:30pm", "midday". Times are shown in Europe/London."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def format_date(day: dt.date, *, weekday: bool = False, year: bool = True) -> str:
    """14 December 2026; with `weekday`, Monday 14 December 2026; without `year`, 14 December."""
    if isinstance(day, dt.datetime):
        day = local(day).date()
    text = f"{day.day} {day:%B}"
    if year:
        text += f" {day.year}"
    return f"{day:%A} {text}" if weekday else text


def format_time(moment: dt.time | dt.datetime) -> str:
    """10am, 10:30am, 2:30pm, midday, midnight."""
    if isinstance(moment, dt.datetime):
        moment = local(moment).time()
    if moment.minute == 0 and moment.hour in (0, 12):
        return "midnight" if moment.hour == 0 else "midday"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{suffix}"


def format_datetime(moment: dt.datetime) -> str:
    """2:30pm on 14 December 2026 (London time)."""
    return f"{format_time(moment)} on {format_date(moment)}"


def local(moment: dt.datetime) -> dt.datetime:
    """The moment on London's clocks (a naive datetime is taken to be London time)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=LONDON)
    return moment.astimezone(LONDON)
