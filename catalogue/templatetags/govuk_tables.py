"""{% table_head %}: the caption and column headings of a GOV.UK table."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("catalogue/includes/table_head.html")
def table_head(caption: str, *columns: str, actions: str = "") -> dict[str, Any]:
    """A caption for screen readers, a heading for each column and, with `actions`, a
    last column of links whose heading only screen readers hear."""
    return {"caption": caption, "columns": columns, "actions": actions}
