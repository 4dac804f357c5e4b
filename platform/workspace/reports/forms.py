"""The reports' forms: the period (GET, works without JavaScript) and a unit cost."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from catalogue.models import PriceOption
from core.money import parse_pounds

from .period import MAX_MONTHS, Period, this_month

MONTHS = [("", "Month")] + [(str(n), dt.date(2000, n, 1).strftime("%B")) for n in range(1, 13)]
EARLIEST_YEAR = 2000


def _month_field() -> forms.CharField:
    # No max_length: _month says what is wrong in words.
    return forms.CharField(label="Month", required=False)


def _year_field() -> forms.CharField:
    return forms.CharField(label="Year", required=False)


class PeriodForm(forms.Form):
    """From one month to another, each a month number and a year ("3" "2026")."""

    from_month = _month_field()
    from_year = _year_field()
    to_month = _month_field()
    to_year = _year_field()

    def _month(self, which: str, words: str) -> dt.date | None:
        month = (self.cleaned_data.get(f"{which}_month") or "").strip()
        year = (self.cleaned_data.get(f"{which}_year") or "").strip()
        if not month and not year:
            return None
        if not month.isdigit() or not 1 <= int(month) <= 12:
            self.add_error(f"{which}_month", f"The {words} month must be a number from 1 to 12")
            return None
        if not year.isdigit() or len(year) != 4:
            self.add_error(f"{which}_year", f"The {words} year must have 4 numbers, like 2026")
            return None
        if int(year) < EARLIEST_YEAR:
            self.add_error(f"{which}_year", f"The {words} year must be {EARLIEST_YEAR} or later")
            return None
        return dt.date(int(year), int(month), 1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        default = Period.default()
        first = self._month("from", "first")
        last = self._month("to", "last")
        if self.errors:
            return data
        first = first or (default.first if last is None else last.replace(month=1))
        last = last or max(first, min(default.last, this_month()))
        if last > this_month():
            self.add_error("to_month", "The last month must be this month or earlier")
        elif first > last:
            self.add_error("from_month", "The first month must be the same as or before the last")
        elif len(Period(first, last).months) > MAX_MONTHS:
            self.add_error("from_month", f"Choose a period of {MAX_MONTHS} months or fewer")
        else:
            data["period"] = Period(first, last)
        return data


def period_from(query: Any) -> tuple[PeriodForm, Period | None]:
    """The form bound to the request's GET parameters, and the period it chose (the
    last 12 months when none is given; None when what was given is wrong)."""
    given = {k: query.get(k, "") for k in PeriodForm.base_fields}
    if not any(given.values()):
        default = Period.default()
        form = PeriodForm(
            initial={
                "from_month": default.first.month,
                "from_year": default.first.year,
                "to_month": default.last.month,
                "to_year": default.last.year,
            }
        )
        return form, default
    form = PeriodForm(given)
    return form, (form.cleaned_data["period"] if form.is_valid() else None)


class UnitCostForm(forms.Form):
    category = forms.ChoiceField(
        label="Kind of care", error_messages={"required": "Choose the kind of care"}
    )
    unit = forms.ChoiceField(
        label="Unit",
        choices=[("", "Choose a unit"), *PriceOption.Unit.choices],
        error_messages={"required": "Choose the unit", "invalid_choice": "Choose the unit"},
    )
    cost = forms.CharField(
        label="What one unit costs when commissioned the traditional way",
        max_length=20,
        error_messages={
            "required": "Enter what one unit costs, like 24.50",
            "max_length": "Enter what one unit costs, like 24.50",
        },
    )

    def __init__(self, *args: Any, categories: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - for the type checker
        field.choices = [("", "Choose the kind of care"), *categories]
        field.error_messages["invalid_choice"] = "Choose the kind of care"

    def clean_cost(self) -> int:
        text = self.cleaned_data["cost"]
        try:
            pence = parse_pounds(text)
        except ValueError:
            raise forms.ValidationError(
                "Enter what one unit costs in pounds and pence, like 24.50"
            ) from None
        if not 0 < pence <= 100_000_00:
            raise forms.ValidationError("Enter an amount more than £0 and at most £100,000")
        return pence
