"""NHS numbers: ten digits, the last a modulus 11 check digit (NHS Data Dictionary)."""

from __future__ import annotations

import re

from core.errors import ValidationFailed

FORMAT_MESSAGE = "Enter a valid NHS number: it has 10 digits, like 943 476 5919"
CHECK_MESSAGE = "This NHS number is not valid: check the digits"

# People type spaces or hyphens between the 3-3-4 groups; nothing else is accepted.
_SEPARATORS = re.compile(r"[\s-]+")
_TEN_DIGITS = re.compile(r"[0-9]{10}")  # not \d: that also matches other scripts' digits


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={"nhs_number": [message]})


def nhs_number_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no digit can be valid (remainder 1)."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def nhs_number_normalise(raw: str) -> str:
    """'943 476 5919' or '943-476-5919' -> '9434765919'. Raises ValidationFailed with a
    message for people when it is not ten digits or the check digit does not match."""
    digits = _SEPARATORS.sub("", raw or "")
    if not _TEN_DIGITS.fullmatch(digits):
        raise _invalid(FORMAT_MESSAGE)
    if nhs_number_check_digit(digits[:9]) != int(digits[9]):
        raise _invalid(CHECK_MESSAGE)
    return digits


def nhs_number_format(digits: str) -> str:
    """'9434765919' -> '943 476 5919', the way it is printed for people."""
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else digits
