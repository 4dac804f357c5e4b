"""Forms of the portal. They check the shape of what was typed; the catalogue's search
and the orders' services decide the rest, and their refusals come back onto the
fields (core.web.forms.errors_apply)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from catalogue.models import PriceOption, Service
from catalogue.selectors import RATING_RANKS, SORTS
from catalogue.vocab import ACCESSIBILITY_FEATURES, LANGUAGES, WEEKDAYS
from core.errors import DomainError
from core.money import format_pence, parse_pounds
from core.web.forms import date_from_parts, date_part_field, errors_apply

from ..orders.models import Order

ANY = [("", "Any")]
RATINGS = [
    ("good", "Good or Outstanding"),
    ("outstanding", "Outstanding"),
    ("requires_improvement", "Requires improvement or better"),
]
DISTANCES = [("1", "1 mile"), ("3", "3 miles"), ("5", "5 miles"), ("10", "10 miles")]
SORT_LABELS = {
    "relevance": "Best match",
    "distance": "Nearest first",
    "price": "Cheapest first",
    "rating": "Best CQC rating first",
}
MAX_PRICE_PENCE = 1_000_000


class SearchForm(forms.Form):
    """Find services: every filter is optional; a bad one is said in words."""

    q = forms.CharField(label="What are you looking for?", required=False, max_length=200)
    category = forms.ChoiceField(label="Kind of service", required=False)
    within = forms.ChoiceField(label="Distance from home", required=False, choices=ANY + DISTANCES)
    max_price = forms.CharField(label="Most you want to pay", required=False, max_length=20)
    min_rating = forms.ChoiceField(label="CQC rating", required=False, choices=ANY + RATINGS)
    day = forms.ChoiceField(
        label="Day",
        required=False,
        choices=ANY + [(name, name.capitalize()) for name in WEEKDAYS],
    )
    language = forms.ChoiceField(
        label="Language spoken", required=False, choices=ANY + list(LANGUAGES.items())
    )
    accessibility = forms.ChoiceField(
        label="Accessibility", required=False, choices=ANY + list(ACCESSIBILITY_FEATURES.items())
    )
    sort = forms.ChoiceField(
        label="Sort by", required=False, choices=[(s, SORT_LABELS[s]) for s in SORTS]
    )

    def __init__(self, *args: Any, categories: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = ANY + categories  # type: ignore[attr-defined]
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField):
                label = str(field.label).lower()
                field.error_messages["invalid_choice"] = f"Choose a {label} from the list"

    def clean_max_price(self) -> int | None:
        text = self.cleaned_data.get("max_price", "").strip()
        if not text:
            return None
        try:
            pence = parse_pounds(text)
        except ValueError:
            raise forms.ValidationError(
                "Enter the most you want to pay in pounds, like 20 or 17.50"
            ) from None
        if not 0 < pence <= MAX_PRICE_PENCE:
            raise forms.ValidationError("Enter an amount more than £0 and at most £10,000")
        return pence

    def rating_rank(self) -> int:
        rating = self.cleaned_data.get("min_rating")
        return RATING_RANKS[rating] if rating else 0


FREQUENCIES = [(Order.Frequency.ONCE, "Once"), (Order.Frequency.WEEKLY, "Every week")]


class OrderForm(forms.Form):
    """When, how often and how much. The orders service says whether the money and the
    rules allow it."""

    price_option = forms.ChoiceField(
        label="Which price?",
        error_messages={
            "required": "Choose one of the prices",
            "invalid_choice": "Choose one of the prices",
        },
    )
    starts_on_day = date_part_field("Day")
    starts_on_month = date_part_field("Month")
    starts_on_year = date_part_field("Year")
    at = forms.CharField(label="What time?", max_length=8, required=False)
    frequency = forms.ChoiceField(
        label="How often?",
        choices=FREQUENCIES,
        error_messages={
            "required": "Choose once or every week",
            "invalid_choice": "Choose once or every week",
        },
    )
    units = forms.CharField(label="How much?", max_length=10, required=False)

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prices = list(service.prices.all())
        choices = [(str(p.pk), price_label(p)) for p in self.prices]
        self.fields["price_option"].choices = choices  # type: ignore[attr-defined]
        if len(self.prices) == 1 and not self.is_bound:
            self.initial.setdefault("price_option", str(self.prices[0].pk))

    def clean_at(self) -> dt.time | None:
        text = self.cleaned_data.get("at", "").strip().lower().replace(".", ":")
        if not text:
            raise forms.ValidationError("Enter a time, like 10:00 or 2:30pm")
        suffix = ""
        if text.endswith(("am", "pm")):
            text, suffix = text[:-2].strip(), text[-2:]
        hours, _, minutes = text.partition(":")
        if not (hours.isdigit() and (minutes.isdigit() or minutes == "")) or len(minutes) > 2:
            raise forms.ValidationError("Enter a time, like 10:00 or 2:30pm")
        hour, minute = int(hours), int(minutes or 0)
        if suffix:
            if not 1 <= hour <= 12:
                raise forms.ValidationError("Enter a time, like 10:00 or 2:30pm")
            hour = hour % 12 + (12 if suffix == "pm" else 0)
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            raise forms.ValidationError("Enter a real time, like 10:00 or 2:30pm")
        return dt.time(hour, minute)

    def clean_units(self) -> str:
        text = self.cleaned_data.get("units", "").strip()
        if not text:
            raise forms.ValidationError("Enter how much, like 1 or 1.5")
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = date_from_parts(self, "starts_on", "The date")
        if day is None and not self.has_error("starts_on_day"):
            self.add_error("starts_on_day", "Enter the date of the first visit")
        data["starts_on"] = day
        return data

    def price(self) -> PriceOption | None:
        chosen = self.cleaned_data.get("price_option")
        return next((p for p in self.prices if str(p.pk) == chosen), None)

    def apply(self, exc: DomainError) -> None:
        errors_apply(self, exc, fields={"starts_on": "starts_on_day"})


def price_label(price: PriceOption) -> str:
    unit = PriceOption.Unit(price.unit).label
    text = f"{format_pence(price.amount_pence)} {unit}"
    return f"{price.label}: {text}" if price.label else text


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label="What was wrong with the visit?",
        max_length=2000,
        error_messages={"required": "Say what was wrong with the visit"},
    )

    def apply(self, exc: DomainError) -> None:
        errors_apply(self, exc)


class FeedbackForm(forms.Form):
    rating = forms.ChoiceField(
        label="How good was the service?",
        choices=[
            ("5", "5: Excellent"),
            ("4", "4: Good"),
            ("3", "3: All right"),
            ("2", "2: Not good"),
            ("1", "1: Poor"),
        ],
        error_messages={
            "required": "Choose how good the service was",
            "invalid_choice": "Choose how good the service was",
        },
    )
    comment = forms.CharField(label="Tell us more (optional)", required=False, max_length=2000)

    def apply(self, exc: DomainError) -> None:
        errors_apply(self, exc)
