"""Query parameters of the Open Referral UK feed, checked strictly: a consumer who sends
something we cannot read gets a 400 naming the parameter and what to send instead,
never a silently ignored filter. An empty value counts as not given."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.http import QueryDict

from core.errors import ValidationFailed

from ..postcodes import postcode_normalise
from ..vocab import WEEKDAYS

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_PAGE = 1_000_000
MAX_SEARCH_LENGTH = 500
MAX_PROXIMITY_METRES = 1_000_000  # 1,000 km: more than the length of Great Britain
# The iCalendar BYDAY codes Open Referral schedules use, Monday first.
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

_WHOLE = re.compile(r"^[0-9]+$")
_NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?$")
_TIME = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?$")
# C0 control characters but tab, line feed and carriage return: PostgreSQL refuses a NUL
# in a query outright, and none of the others is text anyone types.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Paging:
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE


@dataclass(frozen=True)
class ServiceFilters:
    search: str = ""
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    minimum_age: Decimal | None = None
    maximum_age: Decimal | None = None
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    day: int | None = None  # 1 (Monday) to 7 (Sunday)
    postcode: str = ""  # normalised, "NM1 1AA"
    proximity_metres: Decimal | None = None


class _Errors:
    """Collects every problem, so one response lists all of them."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)

    def raise_any(self) -> None:
        if self.fields:
            messages = [m for ms in self.fields.values() for m in ms]
            raise ValidationFailed(" ".join(messages), field_errors=self.fields)


def _value(params: QueryDict, name: str, errors: _Errors) -> str:
    """The parameter, trimmed; "" (as if not given) after reporting a control character,
    so the one problem gets one message."""
    raw = (params.get(name) or "").strip()
    bad = _CONTROL.search(raw)
    if bad is None:
        return raw
    errors.add(
        name,
        f"{name} must be plain text without control characters; it has "
        f"U+{ord(bad.group()):04X} at character {bad.start() + 1} (a %{ord(bad.group()):02X} "
        "in the address). Remove it and send the request again",
    )
    return ""


def _whole(
    params: QueryDict, name: str, errors: _Errors, *, default: int, low: int, high: int, hint: str
) -> int:
    raw = _value(params, name, errors)
    if not raw:
        return default
    # The length check first: int() of a huge string is slow (and refused past 4,300 digits).
    if not _WHOLE.match(raw) or len(raw) > 12 or not low <= int(raw) <= high:
        errors.add(name, f"{name} must be a whole number from {low} to {high:,}{hint}; got {raw!r}")
        return default
    return int(raw)


def _paging(params: QueryDict, errors: _Errors) -> Paging:
    page = _whole(params, "page", errors, default=1, low=1, high=MAX_PAGE, hint=" (1 is the first)")
    per_page = _whole(
        params,
        "per_page",
        errors,
        default=DEFAULT_PER_PAGE,
        low=1,
        high=MAX_PER_PAGE,
        hint=f" (the default is {DEFAULT_PER_PAGE})",
    )
    return Paging(page=page, per_page=per_page)


def paging_parse(params: QueryDict) -> Paging:
    errors = _Errors()
    paging = _paging(params, errors)
    errors.raise_any()
    return paging


def _uuid(params: QueryDict, name: str, errors: _Errors) -> uuid.UUID | None:
    raw = _value(params, name, errors)
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        errors.add(
            name,
            f"{name} must be the id of a {name.removesuffix('_id').replace('_', ' ')} "
            f"(a UUID, like 3f7b145d-84af-42d7-8fae-eaca714b02b2) from /{_listing(name)}; "
            f"got {raw!r}",
        )
        return None


def _listing(name: str) -> str:
    return "taxonomy_terms" if name == "taxonomy_term_id" else "taxonomies"


def _age(params: QueryDict, name: str, errors: _Errors) -> Decimal | None:
    raw = _value(params, name, errors)
    if not raw:
        return None
    if not _NUMBER.match(raw) or Decimal(raw) > 150:
        errors.add(name, f"{name} must be an age in years from 0 to 150, like 18; got {raw!r}")
        return None
    return Decimal(raw)


def _time(params: QueryDict, name: str, errors: _Errors) -> dt.time | None:
    raw = _value(params, name, errors)
    if not raw:
        return None
    match = _TIME.match(raw)
    if match is None:
        errors.add(
            name, f"{name} must be a time of day as HH:MM or HH:MM:SS, like 09:30; got {raw!r}"
        )
        return None
    hours, minutes, seconds = match.groups()
    return dt.time(int(hours), int(minutes), int(seconds or 0))


def _day(params: QueryDict, errors: _Errors) -> int | None:
    raw = _value(params, "day", errors)
    if not raw:
        return None
    code = raw.upper()
    if code in BYDAY:
        return BYDAY.index(code) + 1
    if raw.lower() in WEEKDAYS:
        return WEEKDAYS[raw.lower()]
    errors.add("day", f"day must be a day of the week: MO, TU, WE, TH, FR, SA or SU; got {raw!r}")
    return None


def service_query_parse(params: QueryDict, *, places: bool) -> tuple[Paging, ServiceFilters]:
    """Paging and filters of /services (`places` False) or /service_at_locations (True,
    which adds postcode and proximity). Every problem is reported at once."""
    errors = _Errors()
    paging = _paging(params, errors)
    filters = _filters(params, errors, places=places)
    errors.raise_any()
    return paging, filters


def _filters(params: QueryDict, errors: _Errors, *, places: bool) -> ServiceFilters:
    # In the order the profile lists them, so messages come in that order too.
    search = _value(params, "search", errors)
    if len(search) > MAX_SEARCH_LENGTH:
        errors.add("search", f"search must be {MAX_SEARCH_LENGTH} characters or fewer")
    term = _uuid(params, "taxonomy_term_id", errors)
    taxonomy = _uuid(params, "taxonomy_id", errors)
    minimum_age = _age(params, "minimum_age", errors)
    maximum_age = _age(params, "maximum_age", errors)
    if minimum_age is not None and maximum_age is not None and minimum_age > maximum_age:
        errors.add(
            "maximum_age",
            f"maximum_age ({maximum_age}) must be the same as or more than "
            f"minimum_age ({minimum_age})",
        )
    start_time = _time(params, "start_time", errors)
    end_time = _time(params, "end_time", errors)
    if start_time is not None and end_time is not None and start_time >= end_time:
        errors.add(
            "end_time",
            f"end_time ({end_time:%H:%M}) must be later than start_time ({start_time:%H:%M})",
        )
    day = _day(params, errors)
    postcode, proximity = _place(params, errors) if places else ("", None)
    return ServiceFilters(
        search=search,
        taxonomy_term_id=term,
        taxonomy_id=taxonomy,
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        start_time=start_time,
        end_time=end_time,
        day=day,
        postcode=postcode,
        proximity_metres=proximity,
    )


def _place(params: QueryDict, errors: _Errors) -> tuple[str, Decimal | None]:
    postcode = ""
    raw_postcode = _value(params, "postcode", errors)
    if raw_postcode:
        try:
            postcode = postcode_normalise(raw_postcode)
        except ValidationFailed:
            errors.add(
                "postcode",
                f"postcode must be a full UK postcode, like SW1A 1AA; got {raw_postcode!r}",
            )
    raw = _value(params, "proximity", errors)
    if not raw:
        return postcode, None
    if not _NUMBER.match(raw) or not 0 < Decimal(raw) <= MAX_PROXIMITY_METRES:
        errors.add(
            "proximity",
            f"proximity must be a distance in metres, more than 0 and at most "
            f"{MAX_PROXIMITY_METRES:,}, like 16000; got {raw!r}",
        )
        return postcode, None
    if not raw_postcode:
        errors.add(
            "proximity",
            "proximity is measured from a postcode: send postcode as well, "
            "like postcode=SW1A 1AA&proximity=16000",
        )
        return postcode, None
    return postcode, Decimal(raw)
