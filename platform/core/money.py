"""Money is integer pence everywhere; this is the one place it becomes text."""

from __future__ import annotations


def format_pence(pence: int) -> str:
    """7500 -> '£75', 7550 -> '£75.50', 125000 -> '£1,250', -7550 -> '-£75.50'."""
    sign = "-" if pence < 0 else ""
    pounds, rem = divmod(abs(int(pence)), 100)
    text = f"£{pounds:,}" if rem == 0 else f"£{pounds:,}.{rem:02d}"
    return sign + text


def pounds_decimal(pence: int) -> str:
    """4550 -> '45.50', -900 -> '-9.00': pounds with two decimals for files and
    gateways (exact, never through a float)."""
    sign = "-" if pence < 0 else ""
    whole, rest = divmod(abs(int(pence)), 100)
    return f"{sign}{whole}.{rest:02d}"


def parse_pounds(text: str) -> int:
    """'75', '£75.50', '1,250' -> pence. Raises ValueError for anything else, including
    fractions of a penny and negative amounts (callers turn it into a message)."""
    error = ValueError(f"not an amount of money: {text!r}")
    cleaned = text.strip().replace(",", "").removeprefix("£").strip()
    if not cleaned or cleaned.startswith(("-", "+")):
        raise error
    pounds, _, pennies = cleaned.partition(".")
    if not pounds.isdigit() and not (pounds == "" and pennies):
        raise error
    if pennies and (not pennies.isdigit() or len(pennies) > 2):
        raise error
    return int(pounds or "0") * 100 + int(pennies.ljust(2, "0") if pennies else "0")
