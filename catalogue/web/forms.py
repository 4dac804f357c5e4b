"""Forms of the provider portal and the vetting pages. They check the shape of what was
typed (a number, a date, a file was chosen); the services decide everything else, and
their field errors are put back on these fields with `errors_apply`."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings

from core.errors import DomainError
from core.money import format_pence, parse_pounds
from core.web.forms import (
    date_from_parts,
    date_part_field,
    errors_apply,
    read_upload,
    text_field,
    whole_number_field,
)

from ..models import Location, PriceOption, Provider, Service, TaxonomyTerm, VettingDocument
from ..services.listings import MAX_PRICES, MAX_SCHEDULES, PriceInput, ScheduleInput
from ..vocab import ACCESSIBILITY_FEATURES, LANGUAGES

DAYS = (
    (1, "monday", "Monday"),
    (2, "tuesday", "Tuesday"),
    (3, "wednesday", "Wednesday"),
    (4, "thursday", "Thursday"),
    (5, "friday", "Friday"),
    (6, "saturday", "Saturday"),
    (7, "sunday", "Sunday"),
)
PRICE_ROWS = 3  # rows offered for a new service; a service's form has one empty row more
# The most a service can be given, on this form and through the API (ServiceInput).


def _numbered(source: Mapping[str, Any], name: Callable[[int], str]) -> int:
    """How many numbered fields name(1), name(2)… `source` has in a row."""
    n = 0
    while name(n + 1) in source:
        n += 1
    return n


# --- Registering ------------------------------------------------------------------------


class RegisterForm(forms.Form):
    legal_name = text_field(
        "Legal name of the organisation",
        required=True,
        required_message="Enter the organisation's legal name",
    )
    trading_name = text_field("Trading name (optional)")
    companies_house_number = text_field("Companies House number (optional)", max_length=20)
    charity_number = text_field("Charity number (optional)", max_length=20)
    cqc_provider_id = text_field("CQC provider ID (optional)", max_length=20)
    email = forms.EmailField(
        label="Organisation's email address",
        max_length=254,
        error_messages={
            "required": "Enter the organisation's email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    phone = text_field("Organisation's phone number (optional)", max_length=30)
    website = text_field("Website (optional)", max_length=200)
    owner_name = text_field(
        "Your full name", required=True, required_message="Enter your full name"
    )
    owner_email = forms.EmailField(
        label="Your email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter your email address in the correct format, like name@example.com",
        },
    )
    owner_password = forms.CharField(
        label="Create a password",
        max_length=4096,
        strip=False,
        error_messages={"required": "Create a password"},
    )
    owner_password_confirm = forms.CharField(
        label="Confirm your password",
        max_length=4096,
        strip=False,
        error_messages={"required": "Enter your password again"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password, confirm = data.get("owner_password"), data.get("owner_password_confirm")
        if password and confirm and password != confirm:
            self.add_error("owner_password_confirm", "The passwords do not match")
        return data

    def apply(self, exc: DomainError) -> None:
        errors_apply(self, exc)


# --- Vetting documents ------------------------------------------------------------------


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="Which document is this?",
        choices=VettingDocument.Kind.choices,
        error_messages={
            "required": "Choose which document you are uploading",
            "invalid_choice": "Choose which document you are uploading",
        },
    )
    document = forms.FileField(
        label="Upload the document",
        required=False,
    )
    expires_on_day = date_part_field("Day")
    expires_on_month = date_part_field("Month")
    expires_on_year = date_part_field("Year")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.files.get("document"):
            self.add_error("document", "Select the document to upload")
        data["expires_on"] = date_from_parts(self, "expires_on", "The expiry date")
        return data

    def content(self) -> bytes:
        return read_upload(self.files.get("document"), limit=settings.DOCUMENT_MAX_BYTES)

    def file_name(self) -> str:
        upload = self.files.get("document")
        return upload.name if upload is not None and upload.name else "document"

    def apply(self, exc: DomainError) -> None:
        errors_apply(self, exc, fields={"expires_on": "expires_on_day"})


class DocumentReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Do you accept this document?",
        choices=[("accept", "Yes, accept it"), ("reject", "No, reject it")],
        error_messages={
            "required": "Choose whether to accept or reject the document",
            "invalid_choice": "Choose whether to accept or reject the document",
        },
    )
    note = forms.CharField(
        label="Note for the provider",
        required=False,
        max_length=2000,
        error_messages={"max_length": "Use 2,000 characters or fewer"},
    )

    def apply(self, exc: DomainError) -> None:
        errors_apply(self, exc)


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(
        label="New status",
        choices=Provider.Status.choices,
        error_messages={
            "required": "Choose the provider's new status",
            "invalid_choice": "Choose the provider's new status",
        },
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        error_messages={"max_length": "Use 2,000 characters or fewer"},
    )

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in Provider.Status.choices if value != current
        ]

    def apply(self, exc: DomainError) -> None:
        # A transition that is not allowed has no field of its own: it is about the
        # status chosen, so it goes there and the summary links to the choice.
        if exc.field_errors:
            errors_apply(self, exc)
        else:
            self.add_error("status", exc.detail)


# --- Places -----------------------------------------------------------------------------


class LocationForm(forms.Form):
    name = text_field(
        "Name of this place",
        required=True,
        required_message="Enter a name for this place, like 'Head office'",
    )
    address_1 = text_field(
        "Address line 1", required=True, required_message="Enter the first line of the address"
    )
    address_2 = text_field("Address line 2 (optional)")
    city = text_field(
        "Town or city", required=True, max_length=100, required_message="Enter the town or city"
    )
    # Long enough for any mistake: the service says what a postcode looks like.
    postcode = text_field(
        "Postcode", required=True, max_length=40, required_message="Enter the postcode"
    )
    cqc_location_id = text_field("CQC location ID (optional)", max_length=20)
    area_kind = forms.ChoiceField(
        label="Which area do you cover from here?",
        choices=Location.AreaKind.choices,
        error_messages={
            "required": "Choose how you describe the area you cover",
            "invalid_choice": "Choose how you describe the area you cover",
        },
    )
    area_radius_miles = forms.IntegerField(
        label="How many miles do you travel?",
        required=False,
        min_value=1,
        max_value=500,
        error_messages={
            "invalid": "Enter the distance as a whole number of miles, like 10",
            "min_value": "Enter a distance of at least 1 mile",
            "max_value": "Enter a distance of 500 miles or less",
        },
    )
    area_districts = forms.CharField(
        label="Which districts do you cover?",
        required=False,
        max_length=5000,
        error_messages={"max_length": "Use 5,000 characters or fewer"},
    )

    @classmethod
    def initial_for(cls, location: Location) -> dict[str, Any]:
        return {
            "name": location.name,
            "address_1": location.address_1,
            "address_2": location.address_2,
            "city": location.city,
            "postcode": location.postcode,
            "cqc_location_id": location.cqc_id or "",
            "area_kind": location.area_kind,
            "area_radius_miles": location.area_radius_miles,
            "area_districts": "\n".join(location.area_districts),
        }

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "address_1": data["address_1"],
            "address_2": data["address_2"],
            "city": data["city"],
            "postcode": data["postcode"],
            "cqc_location_id": data["cqc_location_id"],
            "area_kind": data["area_kind"],
            "area_radius_miles": data.get("area_radius_miles"),
            "area_districts": [
                line.strip() for line in (data.get("area_districts") or "").splitlines()
            ],
        }

    def apply(self, exc: DomainError) -> None:
        errors_apply(self, exc)


# --- Services ---------------------------------------------------------------------------

_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


def parse_time(text: str) -> dt.time:
    """'9', '9:30', '09.30', '5pm', '17:00' -> a time. Raises ValueError."""
    match = _TIME.match(text.strip().lower().replace(" ", ""))
    if not match:
        raise ValueError(text)
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if half == "pm" else 0)
    return dt.time(hour, minute)  # ValueError beyond 23:59


def _timetext_field(value: dt.time) -> str:
    return f"{value:%H:%M}"


def _span(key: str, part: str, n: int) -> str:
    """The field of a day's nth opening time: monday_opens, then monday_opens_2…"""
    return f"{key}_{part}" if n == 1 else f"{key}_{part}_{n}"


@dataclass(frozen=True)
class DayRow:
    """One day on the service form: its opening times (n, opens, closes) and their errors."""

    key: str
    label: str
    spans: list[tuple[int, forms.BoundField, forms.BoundField]]
    errors: list[str]


class ServiceForm(forms.Form):
    name = text_field(
        "Name of the service", required=True, required_message="Enter the name of the service"
    )
    summary = text_field(
        "Summary",
        required=True,
        max_length=300,
        required_message="Enter a short summary in plain English",
    )
    description = forms.CharField(
        label="Full description",
        max_length=20_000,
        error_messages={
            "required": "Describe the service",
            "max_length": "Use 20,000 characters or fewer",
        },
    )
    category = forms.ChoiceField(
        label="Which category is the service in?",
        error_messages={
            "required": "Choose the category of the service",
            "invalid_choice": "Choose the category of the service",
        },
    )
    delivery_mode = forms.ChoiceField(
        label="How is the service delivered?",
        choices=Service.DeliveryMode.choices,
        error_messages={
            "required": "Choose how the service is delivered: at home, at a venue or online",
            "invalid_choice": "Choose how the service is delivered: at home, at a venue or online",
        },
    )
    location = forms.ChoiceField(
        label="Which place is it delivered from?",
        required=False,
        error_messages={"invalid_choice": "Choose one of your own places"},
    )
    minimum_booking = whole_number_field(
        "Smallest booking you take", what="the smallest booking", example=1, low=1, high=32767
    )
    cancellation_notice_hours = whole_number_field(
        "Notice needed to cancel, in hours",
        what="the notice needed to cancel",
        example=24,
        low=0,
        high=32767,
    )
    languages = forms.MultipleChoiceField(
        label="Languages the service is offered in",
        required=False,
        error_messages={"invalid_choice": "Choose languages from the list"},
    )
    accessibility = forms.MultipleChoiceField(
        label="Accessibility",
        required=False,
        choices=list(ACCESSIBILITY_FEATURES.items()),
        error_messages={"invalid_choice": "Choose accessibility features from the list"},
    )
    minimum_age = whole_number_field(
        "Youngest age (optional)",
        what="the youngest age",
        required=False,
        example=18,
        low=0,
        high=150,
    )
    maximum_age = whole_number_field(
        "Oldest age (optional)",
        what="the oldest age",
        required=False,
        example=65,
        low=0,
        high=150,
    )
    url = text_field("Web page about the service (optional)", max_length=200)
    email = forms.EmailField(
        label="Email address for the service (optional)",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    phone = text_field("Phone number for the service (optional)", max_length=30)

    def __init__(
        self,
        *args: Any,
        categories: Iterable[TaxonomyTerm],
        locations: Iterable[Location],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.category_terms = list(categories)
        self._choices("category", [(t.code, t.name) for t in self.category_terms])
        self.locations = {str(place.pk): place for place in locations}
        self._choices(
            "location",
            [("", "None: the service is online only")]
            + [(pk, f"{p.name}, {p.postcode}") for pk, p in self.locations.items()],
        )
        # Languages the list does not name (given through the API) stay selectable.
        known = dict(LANGUAGES)
        for code in self.initial.get("languages") or []:
            known.setdefault(code, code)
        self._choices("languages", list(known.items()))
        # As many rows as the service has (see initial_for), or as were sent (Django
        # caps the number of fields a request may send): nothing is left off the form,
        # so saving it never drops a price or a time.
        source = self.data if self.is_bound else self.initial
        prices = _numbered(source, lambda n: f"price_{n}_amount")
        if self.is_bound:
            self.price_rows = max(1, prices)
        else:
            self.price_rows = max(PRICE_ROWS, prices + 1 if prices < MAX_PRICES else prices)
        self.spans: dict[str, int] = {}
        for _, key, _label in DAYS:
            opens = functools.partial(_span, key, "opens")
            self.spans[key] = max(1, _numbered(source, opens))
        for n in range(1, self.price_rows + 1):
            self.fields[f"price_{n}_amount"] = text_field(
                f"Price {n}", max_length=20, required_message="Enter a price"
            )
            self.fields[f"price_{n}_unit"] = forms.ChoiceField(
                label=f"What price {n} is for",
                required=False,
                choices=[("", "Choose"), *PriceOption.Unit.choices],
                error_messages={"invalid_choice": "Choose what the price is for"},
            )
            self.fields[f"price_{n}_label"] = text_field(
                f"Description of price {n} (optional)", max_length=100
            )
        for _, key, _label in DAYS:
            for n in range(1, self.spans[key] + 1):
                self.fields[_span(key, "opens", n)] = text_field("Opens", max_length=10)
                self.fields[_span(key, "closes", n)] = text_field("Closes", max_length=10)
        # The error summary lists errors in the order of the fields on the page.
        self.order_fields(
            [
                "name",
                "summary",
                "description",
                "category",
                "delivery_mode",
                "location",
                *(
                    f"price_{n}_{part}"
                    for n in range(1, self.price_rows + 1)
                    for part in ("amount", "unit", "label")
                ),
                *(
                    _span(key, part, n)
                    for _, key, _ in DAYS
                    for n in range(1, self.spans[key] + 1)
                    for part in ("opens", "closes")
                ),
            ]
        )

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        self.fields[name].choices = choices  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, service: Service) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": service.name,
            "summary": service.summary,
            "description": service.description,
            "category": service.category.code,
            "delivery_mode": service.delivery_mode,
            "location": str(service.location_id or ""),
            "minimum_booking": service.minimum_booking,
            "cancellation_notice_hours": service.cancellation_notice_hours,
            "languages": list(service.languages),
            "accessibility": list(service.accessibility),
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "url": service.url,
            "email": service.email,
            "phone": service.phone,
        }
        prices = list(service.prices.order_by("amount_pence", "unit"))
        for n, price in enumerate(prices, start=1):
            initial[f"price_{n}_amount"] = format_pence(price.amount_pence).removeprefix("£")
            initial[f"price_{n}_unit"] = price.unit
            initial[f"price_{n}_label"] = price.label
        spans: dict[str, int] = {}
        for slot in service.schedules.order_by("weekday", "opens_at", "closes_at"):
            key = DAYS[slot.weekday - 1][1]
            spans[key] = n = spans.get(key, 0) + 1
            initial[_span(key, "opens", n)] = _timetext_field(slot.opens_at)
            initial[_span(key, "closes", n)] = _timetext_field(slot.closes_at)
        return initial

    def price_row_fields(self) -> list[tuple[int, forms.BoundField, forms.BoundField, Any]]:
        return [
            (n, self[f"price_{n}_amount"], self[f"price_{n}_unit"], self[f"price_{n}_label"])
            for n in range(1, self.price_rows + 1)
        ]

    def day_rows(self) -> list[DayRow]:
        rows = []
        for _, key, label in DAYS:
            spans = [
                (n, self[_span(key, "opens", n)], self[_span(key, "closes", n)])
                for n in range(1, self.spans[key] + 1)
            ]
            errors = [e for _, opens, closes in spans for e in (*opens.errors, *closes.errors)]
            rows.append(DayRow(key, label, spans, errors))
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["prices"] = self._clean_prices(data)
        data["schedules"] = self._clean_schedules(data)
        # Rows left empty do not count: a service given more before these limits can
        # still be saved once some are cleared.
        if len(data["prices"]) > MAX_PRICES:
            self.add_error(None, f"Give at most {MAX_PRICES} prices")
        if len(data["schedules"]) > MAX_SCHEDULES:
            self.add_error(None, f"Give at most {MAX_SCHEDULES} opening times a week")
        location = data.get("location")
        data["location"] = self.locations.get(location) if location else None
        return data

    def _clean_prices(self, data: dict[str, Any]) -> list[PriceInput]:
        prices = []
        entered = False  # anything typed in any row
        for n in range(1, self.price_rows + 1):
            amount_name, unit_name = f"price_{n}_amount", f"price_{n}_unit"
            text = (data.get(amount_name) or "").strip()
            unit = data.get(unit_name) or ""
            if self.has_error(amount_name) or self.has_error(unit_name):
                entered = True
                continue
            if not text and not unit:
                continue
            entered = True
            if not text:
                self.add_error(amount_name, f"Enter price {n} in pounds, like 18.50")
                continue
            try:
                pence = parse_pounds(text)
            except ValueError:
                if text.lstrip("£ ").startswith("-"):
                    message = f"Price {n} cannot be negative: enter an amount like 18.50"
                else:
                    message = f"Enter price {n} in pounds and pence, like 18 or 18.50"
                self.add_error(amount_name, message)
                continue
            if pence <= 0:
                self.add_error(amount_name, f"Price {n} must be more than £0")
                continue
            if not unit:
                self.add_error(unit_name, f"Choose what price {n} is for, like an hour")
                continue
            prices.append(
                PriceInput(amount_pence=pence, unit=unit, label=data.get(f"price_{n}_label", ""))
            )
        if not entered:
            self.add_error("price_1_amount", "Enter at least one price")
        return prices

    def _clean_schedules(self, data: dict[str, Any]) -> list[ScheduleInput]:
        slots = []
        for weekday, key, label in DAYS:
            for n in range(1, self.spans[key] + 1):
                opens_name, closes_name = _span(key, "opens", n), _span(key, "closes", n)
                if self.has_error(opens_name) or self.has_error(closes_name):
                    continue  # already said what is wrong
                opens_text = (data.get(opens_name) or "").strip()
                closes_text = (data.get(closes_name) or "").strip()
                if not opens_text and not closes_text:
                    continue
                times: dict[str, dt.time] = {}
                for name, text, word in (
                    (opens_name, opens_text, "opening"),
                    (closes_name, closes_text, "closing"),
                ):
                    if not text:
                        self.add_error(name, f"Enter the {word} time on {label}")
                        continue
                    try:
                        times[word] = parse_time(text)
                    except ValueError:
                        self.add_error(name, f"Enter the {word} time on {label} like 9:00 or 17:30")
                if len(times) == 2:
                    if times["opening"] >= times["closing"]:
                        self.add_error(
                            closes_name,
                            f"The closing time on {label} must be after the opening time",
                        )
                    else:
                        slots.append(ScheduleInput(weekday, times["opening"], times["closing"]))
        return slots

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "summary": data["summary"],
            "description": data["description"],
            "category": data["category"],
            "delivery_mode": data["delivery_mode"],
            "location": data["location"],
            "minimum_booking": data["minimum_booking"],
            "cancellation_notice_hours": data["cancellation_notice_hours"],
            "languages": data["languages"],
            "accessibility": data["accessibility"],
            "minimum_age": data.get("minimum_age"),
            "maximum_age": data.get("maximum_age"),
            "url": data["url"],
            "email": data["email"],
            "phone": data["phone"],
            "prices": data["prices"],
            "schedules": data["schedules"],
        }

    def apply(self, exc: DomainError) -> None:
        first_day = next(
            (f"{key}_opens" for _, key, _ in DAYS if self.data.get(f"{key}_opens")),
            "monday_opens",
        )
        errors_apply(self, exc, fields={"prices": "price_1_amount", "schedules": first_day})


# --- Pictures ---------------------------------------------------------------------------


class PictureForm(forms.Form):
    image = forms.FileField(label="Picture", required=False)
    alt_text = forms.CharField(
        label="Describe the picture",
        max_length=250,
        error_messages={
            "required": "Describe the picture for people who cannot see it",
            "max_length": "Describe the picture in 250 characters or fewer",
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.files.get("image"):
            self.add_error("image", "Select a picture to upload")
        return data

    def content(self) -> bytes:
        return read_upload(self.files.get("image"), limit=settings.IMAGE_MAX_BYTES)

    def file_name(self) -> str:
        upload = self.files.get("image")
        return upload.name if upload is not None and upload.name else "picture"

    def apply(self, exc: DomainError) -> None:
        errors_apply(self, exc)
