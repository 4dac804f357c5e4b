"""Helpers for the forms of every app's pages. Forms check the shape of what was typed
(a number, a date, a file was chosen); services decide everything else, and their field
errors are put back on the form's fields with `errors_apply`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django import forms
from django.core.files.uploadedfile import UploadedFile

from core.errors import DomainError


def errors_apply(
    form: forms.Form, exc: DomainError, *, fields: Mapping[str, str] | None = None
) -> None:
    """Show a service's errors on the form: each of its field errors on the matching
    field (renamed through `fields`), anything else at the top of the error summary."""
    fields = fields or {}
    placed = False
    for name, messages in exc.field_errors.items():
        target = fields.get(name, name)
        for message in messages:
            form.add_error(target if target in form.fields else None, message)
            placed = True
    if not placed:
        form.add_error(None, exc.detail)


def text_field(
    label: str, *, required: bool = False, max_length: int = 200, required_message: str = ""
) -> forms.CharField:
    messages = {"max_length": f"Use {max_length} characters or fewer"}
    if required_message:
        messages["required"] = required_message
    return forms.CharField(
        label=label, required=required, max_length=max_length, error_messages=messages
    )


def whole_number_field(
    label: str, *, what: str, example: int, low: int, high: int, required: bool = True
) -> forms.IntegerField:
    between = f"{what[0].upper()}{what[1:]} must be between {low} and {high:,}"
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=low,
        max_value=high,
        error_messages={
            "required": f"Enter {what}",
            "invalid": f"Enter {what} as a whole number, like {example}",
            "min_value": between,
            "max_value": between,
        },
    )


def read_upload(upload: UploadedFile | None, *, limit: int) -> bytes:
    """At most limit + 1 bytes: enough for the service to say the file is too big,
    never a whole huge file held in memory."""
    if upload is None:
        return b""
    upload.seek(0)
    return bytes(upload.read(limit + 1))


DATE_PARTS = ("day", "month", "year")


def date_part_field(label: str) -> forms.CharField:
    # No max_length: date_from_parts says what is wrong in GOV.UK's words.
    return forms.CharField(label=label, required=False)


def date_from_parts(form: forms.Form, name: str, what: str) -> dt.date | None:
    """Read a GOV.UK date input (<name>_day, _month, _year) into a date, or None when
    it is left empty. GOV.UK's messages go on the part that is wrong, so the error
    summary links to it."""
    raw = {part: (form.cleaned_data.get(f"{name}_{part}") or "").strip() for part in DATE_PARTS}
    if not any(raw.values()):
        return None
    missing = [part for part in DATE_PARTS if not raw[part]]
    if missing:
        form.add_error(f"{name}_{missing[0]}", f"{what} must include a {' and '.join(missing)}")
        return None
    # ASCII digits only ("²".isdigit() is true), and no more of them than the part can
    # have: dt.date() overflows on a long day, int() refuses thousands of digits.
    wrong = [
        part
        for part in ("day", "month")
        if not (raw[part].isascii() and raw[part].isdigit()) or len(raw[part]) > 2
    ]
    if not (raw["year"].isascii() and raw["year"].isdigit()):
        wrong.append("year")
    if wrong:
        form.add_error(f"{name}_{wrong[0]}", f"{what} must be a real date")
        return None
    if len(raw["year"]) != 4:
        form.add_error(f"{name}_year", f"{what} must include a year of 4 digits, like 2027")
        return None
    if int(raw["year"]) < dt.MINYEAR:
        form.add_error(f"{name}_year", f"{what} must be a real date")
        return None
    if not 1 <= int(raw["month"]) <= 12:
        form.add_error(f"{name}_month", f"{what} must be a real date")
        return None
    try:
        return dt.date(int(raw["year"]), int(raw["month"]), int(raw["day"]))
    except (ValueError, OverflowError):
        form.add_error(f"{name}_day", f"{what} must be a real date")
        return None
