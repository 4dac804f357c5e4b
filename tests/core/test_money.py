"""The one money formatter and parser."""

from __future__ import annotations

import pytest

from core.money import format_pence, parse_pounds, pounds_decimal


@pytest.mark.parametrize(
    ("pence", "text"),
    [
        (7500, "£75"),
        (7550, "£75.50"),
        (125000, "£1,250"),
        (5, "£0.05"),
        (0, "£0"),
        (-7550, "-£75.50"),
        (123456789, "£1,234,567.89"),
    ],
)
def test_format_pence(pence, text):
    assert format_pence(pence) == text


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("75", 7500),
        ("£75.50", 7550),
        ("1,250", 125000),
        (" £0.05 ", 5),
        ("12.5", 1250),
        (".50", 50),
    ],
)
def test_parse_pounds(text, pence):
    assert parse_pounds(text) == pence


@pytest.mark.parametrize("text", ["", "-5", "+5", "1.234", "ten", "£", "1.2.3", "£ 5 5"])
def test_parse_pounds_refuses_what_is_not_an_amount(text):
    with pytest.raises(ValueError, match="not an amount of money"):
        parse_pounds(text)


def test_pounds_decimal_is_exact():
    assert (pounds_decimal(-900), pounds_decimal(5), pounds_decimal(125000)) == (
        "-9.00",
        "0.05",
        "1250.00",
    )
    # Amounts a float would get wrong stay exact.
    assert pounds_decimal(2**60 + 1) == f"{(2**60 + 1) // 100}.{(2**60 + 1) % 100:02d}"
