"""Money and dates in templates, through the one formatter of each (core.money,
core.dates): {{ amount_pence|pence }}, {{ day|plain_date }}, {{ day|plain_day }},
{{ at|plain_time }}, {{ moment|plain_datetime }}."""

from __future__ import annotations

import datetime as dt

from django import template

from core.dates import format_date, format_datetime, format_time
from core.money import format_pence

register = template.Library()


@register.filter
def pence(value: int | None) -> str:
    return format_pence(int(value or 0))


@register.filter
def plain_date(value: dt.date | None) -> str:
    return format_date(value) if value else ""


@register.filter
def plain_day(value: dt.date | None) -> str:
    """With the day of the week: Monday 14 December 2026."""
    return format_date(value, weekday=True) if value else ""


@register.filter
def plain_time(value: dt.time | dt.datetime | None) -> str:
    return format_time(value) if value else ""


@register.filter
def plain_datetime(value: dt.datetime | None) -> str:
    return format_datetime(value) if value else ""
