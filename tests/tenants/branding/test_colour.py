"""Contrast as WCAG 2.2 computes it, checked against published pairs."""

from __future__ import annotations

import pytest

from tenants.branding.colour import colour_normalise, contrast_ratio


@pytest.mark.parametrize(
    ("colour", "expected"),
    [
        ("#000000", 21.0),  # the most there is
        ("#ffffff", 1.0),  # white on white
        ("#767676", 4.54),  # the lightest grey that passes 4.5 on white
        ("#777777", 4.48),  # ...and one step lighter fails
        ("#1d70b8", 5.17),  # GOV.UK blue
        ("#ffdd00", 1.35),  # GOV.UK yellow: never behind white text
    ],
)
def test_contrast_with_white(colour, expected):
    assert round(contrast_ratio(colour, "#ffffff"), 2) == expected


def test_the_ratio_is_symmetric():
    assert contrast_ratio("#1d70b8", "#ffffff") == contrast_ratio("#ffffff", "#1d70b8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#1D70B8", "#1d70b8"),
        ("1d70b8", "#1d70b8"),
        (" #17b ", "#1177bb"),
        ("blue", None),
        ("#12345", None),
        ("#1d70b8ff", None),
        ("", None),
    ],
)
def test_colours_are_read_as_hex_codes(text, expected):
    assert colour_normalise(text) == expected
