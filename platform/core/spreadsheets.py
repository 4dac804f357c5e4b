"""Text that goes into CSV files people open in a spreadsheet."""

from __future__ import annotations

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: str) -> str:
    """`value` made safe to open: a leading apostrophe keeps a would-be formula text."""
    return "'" + value if value[:1] in _FORMULA_STARTS else value
