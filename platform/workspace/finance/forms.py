"""Forms of the finance pages: they check the shape of what was typed; the services
decide the rest."""

from __future__ import annotations

import datetime as dt

from django import forms

from core.web.forms import date_from_parts, date_part_field


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label="What was done about it",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Say what was done about it",
            "max_length": "Use 2,000 characters or fewer",
        },
    )


class DecisionForm(forms.Form):
    withdraw = forms.TypedChoiceField(
        label="Your decision",
        choices=[
            ("yes", "Withdraw the notice: nothing is taken back"),
            ("no", "The notice stands: the money is taken back after a new notice period"),
        ],
        coerce=lambda value: value == "yes",
        # The default widget: the radios include gives each radio its own id.
        error_messages={"required": "Choose whether to withdraw the notice"},
    )
    reason = forms.CharField(
        label="Your reasons (the person will read them)",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Give the reasons for the decision: the person will read them",
            "max_length": "Use 4,000 characters or fewer",
        },
    )


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label="Why the money is given back (the person will read it)",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Say why the money is given back: the person will read it",
            "max_length": "Use 4,000 characters or fewer",
        },
    )


class PeriodForm(forms.Form):
    """From and to (London days, both included) for the journal export."""

    MAX_DAYS = 400

    first_day = date_part_field("Day")
    first_month = date_part_field("Month")
    first_year = date_part_field("Year")
    last_day = date_part_field("Day")
    last_month = date_part_field("Month")
    last_year = date_part_field("Year")

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        first = date_from_parts(self, "first", "The first day")
        last = date_from_parts(self, "last", "The last day")
        if self.errors:
            return cleaned
        if first is None:
            self.add_error("first_day", "Enter the first day")
        if last is None:
            self.add_error("last_day", "Enter the last day")
        if first and last:
            if last < first:
                self.add_error("last_day", "The last day must be the same as or after the first")
            elif (last - first).days >= self.MAX_DAYS:
                self.add_error(
                    "last_day",
                    f"Export at most {self.MAX_DAYS} days at a time: choose a shorter period",
                )
        cleaned["first"], cleaned["last"] = first, last
        return cleaned

    @classmethod
    def last_month_initial(cls, today: dt.date) -> dict[str, str]:
        """Last calendar month, the usual export."""
        last = today.replace(day=1) - dt.timedelta(days=1)
        first = last.replace(day=1)
        return {
            "first_day": str(first.day),
            "first_month": str(first.month),
            "first_year": str(first.year),
            "last_day": str(last.day),
            "last_month": str(last.month),
            "last_year": str(last.year),
        }
