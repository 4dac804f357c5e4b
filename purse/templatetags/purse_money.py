"""{{ amount_pence|pence }}: money as people read it ("£75", "£75.50")."""

from __future__ import annotations

from django import template

from core.money import format_pence

register = template.Library()


@register.filter
def pence(value: int | None) -> str:
    return format_pence(int(value or 0))
