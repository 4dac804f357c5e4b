"""CQC ratings: the latest record of each registered location, from CQC's API
(incremental, through /changes/location) or its bulk directory file (initial import).

Each location is applied in one transaction with what follows from it: the rating
history row and, when the overall rating falls to Requires improvement or Inadequate,
an alert in every council that approves a provider with that location (and an email,
sent after commit, to that council's users who approve providers).
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import math
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import DataError, connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.permissions import CATALOGUE_APPROVE
from catalogue.council.models import Approval, ProviderApproval, RatingAlert
from core.errors import ValidationFailed
from core.services import audit_record
from epurse.db import PUBLIC_SCHEMA
from tenants.models import Tenant
from tenants.selectors import tenant_base_url

from .integrations.cqc import CqcClient, CqcError, CqcNotFound
from .models import CqcLocation, CqcRatingChange, CqcSyncState, Location, Provider
from .postcodes import ImportProgress, postcode_normalise

logger = logging.getLogger(__name__)

# CQC's data is published under the OGL, which asks for this wherever it is shown.
OGL_ATTRIBUTION = (
    "Contains CQC data © Care Quality Commission, licensed under the Open Government Licence v3.0."
)
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

Rating = CqcLocation.Rating
RATING_RANK: dict[str, int] = {
    Rating.OUTSTANDING: 4,
    Rating.GOOD: 3,
    Rating.REQUIRES_IMPROVEMENT: 2,
    Rating.INADEQUATE: 1,
}
# A fall to one of these alerts the councils that approve the provider.
ALERT_RATINGS = frozenset({Rating.REQUIRES_IMPROVEMENT, Rating.INADEQUATE})
# What CQC writes where there is no rating; stored as blank (rank 0).
_NOT_RATED = frozenset(
    {"", "not rated", "no published rating", "insufficient evidence to rate", "not applicable"}
)
_RATING_BY_LOWER = {rating.lower(): rating for rating in RATING_RANK}
# C0 control characters but tab, line feed and carriage return (read as spaces).
# PostgreSQL refuses a NUL in text outright; none of the others belongs in CQC's data.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# Key questions as CQC names them -> our fields.
KEY_QUESTIONS: dict[str, str] = {
    "Safe": "safe",
    "Effective": "effective",
    "Caring": "caring",
    "Responsive": "responsive",
    "Well-led": "well_led",
}
_KEY_QUESTION_BY_LOWER = {
    name.lower().replace("-", " "): field for name, field in KEY_QUESTIONS.items()
}

SOURCE_API = "api"
SOURCE_CSV = "csv"
FEED_LOCATIONS = "locations"

# Every field CQC data sets (all but the primary key and synced_at).
DATA_FIELDS = (
    "provider_id",
    "name",
    "postcode",
    "latitude",
    "longitude",
    "registration_status",
    "service_types",
    "overall",
    "report_date",
    *KEY_QUESTIONS.values(),
    "overall_rank",
)
_KEY_QUESTION_FIELDS = frozenset(KEY_QUESTIONS.values())

# pg_advisory locks: applying locations (per transaction; serialises the API sync and
# a CSV import so a change is detected exactly once) and one sync run at a time.
_APPLY_LOCK = 0x63716301  # "cqc" 1
_SYNC_LOCK = 0x63716302


# --- Parsing ------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedLocation:
    """A location as one source describes it. `known` names the fields that source
    gives: the others keep what we already hold."""

    location: CqcLocation
    known: frozenset[str]


def cqc_rating_normalise(raw: object) -> str:
    """'requires Improvement' -> 'Requires improvement'; 'Not rated' -> ''."""
    text = " ".join(_string(raw, "rating").split())
    if text.lower() in _NOT_RATED:
        return ""
    rating = _RATING_BY_LOWER.get(text.lower())
    if rating is None:
        raise ValidationFailed(f"unknown CQC rating {text!r}")
    return rating


def cqc_location_parse(*, data: Mapping[str, Any]) -> CqcLocation:
    """An unsaved CqcLocation from the API's location JSON. Raises ValidationFailed."""
    return _parse_api(data).location


def _parse_api(data: Mapping[str, Any]) -> ParsedLocation:
    # Every value is checked for its JSON type before use: anything else we could raise
    # here would stop the sync at this location on every run.
    if not isinstance(data, Mapping):
        raise ValidationFailed("a CQC location must be a JSON object")
    current = _object(data.get("currentRatings"), "currentRatings")
    overall_block = _object(current.get("overall"), "currentRatings.overall")
    key_questions = dict.fromkeys(KEY_QUESTIONS.values(), "")
    for item in _list(overall_block.get("keyQuestionRatings"), "keyQuestionRatings"):
        if not isinstance(item, Mapping):
            continue
        name = _string(item.get("name"), "key question name")
        field_name = _KEY_QUESTION_BY_LOWER.get(" ".join(name.replace("-", " ").lower().split()))
        if field_name:
            key_questions[field_name] = cqc_rating_normalise(item.get("rating"))
    service_types = [
        _string(item.get("name"), "service type").strip()
        for item in _list(data.get("gacServiceTypes"), "gacServiceTypes")
        if isinstance(item, Mapping)
    ]
    location = _build(
        location_id=data.get("locationId"),
        provider_id=data.get("providerId"),
        name=data.get("name"),
        postcode=data.get("postalCode"),
        latitude=data.get("onspdLatitude"),
        longitude=data.get("onspdLongitude"),
        registration_status=data.get("registrationStatus"),
        service_types=[name for name in service_types if name],
        overall=cqc_rating_normalise(overall_block.get("rating")),
        report_date=_parse_date(overall_block.get("reportDate")),
        **key_questions,
    )
    return ParsedLocation(location, frozenset(DATA_FIELDS))


def _build(**values: Any) -> CqcLocation:
    location_id = _text(values.pop("location_id"), "location ID", 20, required=True)
    location = CqcLocation(
        location_id=location_id,
        provider_id=_text(values.pop("provider_id"), "provider ID", 20),
        name=_text(values.pop("name"), "name", 300, required=True),
        postcode=_postcode(values.pop("postcode")),
        latitude=_coordinate(values.pop("latitude"), "latitude", 90),
        longitude=_coordinate(values.pop("longitude"), "longitude", 180),
        registration_status=_text(values.pop("registration_status"), "registration status", 30),
        **values,
    )
    for service_type in location.service_types:
        _string(service_type, "service type")
        if len(service_type) > 200:
            raise ValidationFailed(f"service type {service_type[:40]!r}… is too long")
    location.overall_rank = RATING_RANK.get(location.overall, 0)
    return location


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return "text" if isinstance(value, str) else type(value).__name__


def _object(raw: object, label: str) -> Mapping[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ValidationFailed(f"{label} must be an object, not {_kind(raw)}")
    return raw


def _list(raw: object, label: str) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValidationFailed(f"{label} must be a list, not {_kind(raw)}")
    return raw


def _string(raw: object, label: str) -> str:
    """Text the database can store: null reads as ""."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ValidationFailed(f"{label} must be text, not {_kind(raw)}")
    bad = _CONTROL.search(raw)
    if bad is not None:
        raise ValidationFailed(
            f"{label} has a control character (U+{ord(bad.group()):04X}); "
            "CQC's data should not have one"
        )
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which JSON can carry
        raise ValidationFailed(f"{label} is not valid Unicode") from None
    return raw


def _text(raw: object, label: str, limit: int, *, required: bool = False) -> str:
    text = " ".join(_string(raw, label).split())
    if required and not text:
        raise ValidationFailed(f"{label} is missing")
    if len(text) > limit:
        raise ValidationFailed(f"{label} is longer than {limit} characters")
    return text


def _postcode(raw: object) -> str:
    text = _string(raw, "postcode").strip()
    if not text:
        return ""
    try:
        return postcode_normalise(text)
    except ValidationFailed:
        # Kept as CQC wrote it when it fits: the coordinates are what search uses.
        text = " ".join(text.upper().split())
        return text if len(text) <= 8 else ""


def _coordinate(raw: object, label: str, bound: float) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):  # float() would read true as 1.0
        raise ValidationFailed(f"{label} {raw!r} is not a number")
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationFailed(f"{label} {raw!r} is not a number") from None
    if not math.isfinite(value) or not -bound <= value <= bound:
        raise ValidationFailed(f"{label} {raw!r} is out of range")
    return value


def _parse_date(raw: object) -> date | None:
    """ISO (2024-03-01, also with a time) or the directory's day-first 01/03/2024."""
    text = _string(raw, "report date").strip()
    if not text:
        return None
    day = text.split("T")[0].split(" ")[0]
    try:
        if "/" in day:
            return datetime.strptime(day, "%d/%m/%Y").date()  # noqa: DTZ007 - a date
        return date.fromisoformat(day)
    except ValueError:
        raise ValidationFailed(f"date {text!r} is not a date like 2024-03-01") from None


# --- Applying -----------------------------------------------------------------------


@dataclass
class ApplyResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rating_changes: int = 0
    alerts: int = 0

    def add(self, other: ApplyResult) -> None:
        for item in fields(ApplyResult):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))


@dataclass(frozen=True)
class _Downgrade:
    location_id: str
    name: str
    previous: str
    current: str
    report_date: date | None


def cqc_location_apply(*, data: Mapping[str, Any], source: str) -> ApplyResult:
    """Upsert one location from the API's JSON, in one transaction with its rating
    history and any alerts. Raises ValidationFailed for data we cannot read."""
    return _apply([_parse_api(data)], source=source)


def _apply(parsed: list[ParsedLocation], *, source: str) -> ApplyResult:
    """Apply locations (distinct ids) in one transaction: all of them or none."""
    result = ApplyResult()
    now = timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_APPLY_LOCK])
        existing = CqcLocation.objects.in_bulk([item.location.location_id for item in parsed])
        to_write: list[CqcLocation] = []
        changes: list[CqcRatingChange] = []
        downgrades: list[_Downgrade] = []
        for item in parsed:
            new = item.location
            old = existing.get(new.location_id)
            if old is not None:
                _keep_unknown(new, old, item.known)
                if all(getattr(new, name) == getattr(old, name) for name in DATA_FIELDS):
                    result.unchanged += 1
                    continue
                result.updated += 1
                if new.overall != old.overall:
                    changes.append(
                        CqcRatingChange(
                            location_id=new.location_id,
                            previous=old.overall,
                            current=new.overall,
                            report_date=new.report_date,
                            source=source,
                        )
                    )
                    if _is_alerting_fall(old.overall, new.overall):
                        downgrades.append(
                            _Downgrade(
                                new.location_id,
                                new.name,
                                old.overall,
                                new.overall,
                                new.report_date,
                            )
                        )
            else:
                result.created += 1
            new.synced_at = now
            to_write.append(new)
        if to_write:
            CqcLocation.objects.bulk_create(
                to_write,
                update_conflicts=True,
                unique_fields=["location_id"],
                update_fields=[*DATA_FIELDS, "synced_at"],
            )
        CqcRatingChange.objects.bulk_create(changes)
        result.rating_changes = len(changes)
        if downgrades:
            result.alerts = _alert_councils(downgrades)
    return result


def _keep_unknown(new: CqcLocation, old: CqcLocation, known: frozenset[str]) -> None:
    rerated = new.overall != old.overall
    for name in DATA_FIELDS:
        if name in known or name == "overall_rank":
            continue
        if name == "report_date" and rerated:
            # A new overall rating comes from a new report, whose date this source does
            # not give: the one we hold is the old report's.
            new.report_date = None
        elif name in _KEY_QUESTION_FIELDS and (rerated or new.report_date != old.report_date):
            # The key questions we hold belong to an older report than the one this
            # source names: better none than the wrong report's.
            setattr(new, name, "")
        else:
            setattr(new, name, getattr(old, name))


def _is_alerting_fall(previous: str, current: str) -> bool:
    """Down to Requires improvement or Inadequate, from better or from not rated.
    A location seen for the first time alerts no one (the initial import)."""
    if current not in ALERT_RATINGS:
        return False
    before = RATING_RANK.get(previous, 0)
    return before == 0 or RATING_RANK[current] < before


# --- Alerts -------------------------------------------------------------------------


@dataclass(frozen=True)
class _NewAlert:
    provider: Provider
    location: Location
    downgrade: _Downgrade


def _alert_councils(downgrades: list[_Downgrade]) -> int:
    """Alert every open council that approves a provider with one of these locations.
    Runs inside the caller's transaction. Returns how many alerts were created."""
    by_id = {item.location_id: item for item in downgrades}
    ours = list(Location.objects.select_related("provider").filter(cqc_id__in=list(by_id)))
    if not ours:
        return 0
    provider_ids = {location.provider_id for location in ours}
    created = 0
    for tenant in _open_tenants():
        with tenant_context(tenant):
            approved = set(
                ProviderApproval.objects.filter(
                    provider_id__in=provider_ids, status=Approval.APPROVED
                ).values_list("provider_id", flat=True)
            )
            new_alerts: list[_NewAlert] = []
            alerted: set[str] = set()
            for location in ours:
                cqc_id = str(location.cqc_id)
                if location.provider_id not in approved or cqc_id in alerted:
                    continue
                alerted.add(cqc_id)  # the alert is per CQC location and change
                change = by_id[cqc_id]
                alert, was_created = RatingAlert.objects.get_or_create(
                    cqc_location_id=cqc_id,
                    current=change.current,
                    report_date=change.report_date,
                    defaults={
                        "provider": location.provider,
                        "location": location,
                        "previous": change.previous,
                    },
                )
                if was_created:
                    audit_record(
                        action="catalogue.rating_alert.created",
                        obj=alert,
                        detail={
                            "cqc_location_id": cqc_id,
                            "provider": str(location.provider_id),
                            "previous": change.previous,
                            "current": change.current,
                        },
                    )
                    new_alerts.append(_NewAlert(location.provider, location, change))
            if new_alerts:
                created += len(new_alerts)
                _email_approvers(tenant, new_alerts)
    return created


def _open_tenants() -> list[Tenant]:
    return list(
        Tenant.objects.exclude(schema_name__in=[PUBLIC_SCHEMA, settings.TENANT_TEMPLATE_SCHEMA])
        .exclude(status=Tenant.Status.CLOSED)
        .order_by("schema_name")
    )


def _email_approvers(tenant: Tenant, alerts: list[_NewAlert]) -> None:
    """One email to each of the council's users who approve providers, after commit."""
    recipients = sorted(
        User.objects.filter(is_active=True, roles__permissions__contains=[CATALOGUE_APPROVE])
        .values_list("email", flat=True)
        .distinct()
    )
    if not recipients:
        return
    first = alerts[0]
    if len(alerts) == 1:
        subject = f"CQC rating now {first.downgrade.current}: {first.provider.display_name}"
        intro = (
            f"CQC has published a lower rating for a location of a provider {tenant.name} approves."
        )
    else:
        subject = f"CQC ratings have fallen at {len(alerts)} locations of providers you approve"
        intro = (
            f"CQC has published lower ratings for locations of providers {tenant.name} approves."
        )
    lines = [intro, ""]
    for item in alerts:
        change = item.downgrade
        published = (
            f"report published {change.report_date.day} {change.report_date:%B %Y}"
            if change.report_date
            else "report date unknown"
        )
        lines += [
            f"Provider: {item.provider.display_name}",
            f"Location: {change.name} (CQC location {change.location_id})",
            f"Rating: {change.previous or 'not rated'} to {change.current} ({published})",
            f"CQC report: https://www.cqc.org.uk/location/{change.location_id}",
            "",
        ]
    lines += [
        f"Review the provider's approval on {tenant_base_url(tenant)}",
        "",
        OGL_ATTRIBUTION,
    ]
    body = "\n".join(lines) + "\n"
    # One callback each, robust: a mail server that refuses one message (after the
    # commit, so the alert stands) is logged, and the other emails and the rest of the
    # sync or import go on.
    for email in recipients:
        transaction.on_commit(_sender(subject, body, email), robust=True)


def _sender(subject: str, body: str, email: str) -> Callable[[], None]:
    def send_rating_alert_email() -> None:
        send_mail(subject, body, None, [email])

    return send_rating_alert_email


# --- Bulk CSV import ----------------------------------------------------------------

# The headers read from CQC's care directory ("HSCA Active Locations", saved as CSV).
CSV_LOCATION_ID = "Location ID"
CSV_PROVIDER_ID = "Provider ID"
CSV_NAME = "Location Name"
CSV_POSTCODE = "Location Postal Code"
CSV_LATITUDE = "Location Latitude"
CSV_LONGITUDE = "Location Longitude"
CSV_OVERALL = "Location Latest Overall Rating"
CSV_PUBLICATION_DATE = "Publication Date"
# One Y/N column per service type: "Service type - Domiciliary care service".
CSV_SERVICE_TYPE_PREFIX = "Service type - "
# Or, in the public directory's layout, one column of types separated by "|".
CSV_SERVICE_TYPES = "Service types"
# Key-question ratings are not in CQC's directory; read when present (e.g. joined in
# from CQC's ratings file), one column per key question under its CQC name.
CSV_KEY_QUESTIONS = KEY_QUESTIONS
CSV_REQUIRED = (CSV_LOCATION_ID, CSV_NAME, CSV_OVERALL)
_HEADER_SEARCH_LINES = 10
CSV_BATCH_SIZE = 1000
MAX_BAD_ROWS_KEPT = 1000


@dataclass(frozen=True)
class BadRow:
    line: int
    message: str


@dataclass
class ImportResult(ApplyResult):
    rows: int = 0
    bad: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    seconds: float = 0.0

    def bad_row(self, line: int, message: str) -> None:
        self.bad += 1
        if len(self.bad_rows) < MAX_BAD_ROWS_KEPT:
            self.bad_rows.append(BadRow(line, message))


def cqc_csv_import(
    *,
    path: str | Path,
    progress: ImportProgress | None = None,
    batch_size: int = CSV_BATCH_SIZE,
) -> ImportResult:
    """Import CQC's care directory CSV, streamed in batches (one transaction each).
    Rows that cannot be read are counted and reported by line, not fatal. Importing
    the same file again changes nothing. Raises ValidationFailed when the file cannot
    be read at all or has no header row."""
    path = Path(path)
    try:
        total = path.stat().st_size
        encoding = _detect_encoding(path)
        handle = path.open("rb")
    except OSError as exc:
        raise ValidationFailed(f"Cannot read {path}: {exc.strerror or exc}") from None
    started = time.monotonic()
    result = ImportResult()
    with handle, io.TextIOWrapper(handle, encoding=encoding, newline="") as text:
        reader = csv.reader(text)
        header, header_line = _find_header(reader, path)
        columns = _Columns(header)
        batch: dict[str, tuple[int, ParsedLocation]] = {}

        def flush() -> None:
            if batch:
                try:
                    result.add(_apply([parsed for _, parsed in batch.values()], source=SOURCE_CSV))
                except DataError:
                    # A row the database refuses (its batch was rolled back whole):
                    # apply the batch row by row, so only that row is lost.
                    for line, parsed in batch.values():
                        try:
                            result.add(_apply([parsed], source=SOURCE_CSV))
                        except DataError as exc:
                            result.bad_row(line, _refused(exc))
                batch.clear()
            if progress is not None:
                progress.update(rows=result.rows, bytes_read=handle.tell(), bytes_total=total)

        for line, row in _rows(reader, header_line, result):
            if not any(cell.strip() for cell in row):
                continue
            result.rows += 1
            if len(row) != len(header):
                result.bad_row(line, f"has {len(row)} fields; the header has {len(header)}")
                continue
            try:
                parsed = columns.parse(row)
            except ValidationFailed as exc:
                result.bad_row(line, exc.detail)
                continue
            if parsed.location.location_id in batch:
                flush()  # the same location twice: the later line wins, in order
            batch[parsed.location.location_id] = (line, parsed)
            if len(batch) >= batch_size:
                flush()
        flush()
        if progress is not None:
            progress.finish(rows=result.rows, bytes_read=handle.tell(), bytes_total=total)
    result.seconds = time.monotonic() - started
    return result


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without a byte-order mark) when the whole file decodes as it,
    else Windows-1252, which spreadsheet exports on Windows use."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def _find_header(reader: Any, path: Path) -> tuple[list[str], int]:
    # CQC's files may start with a title line or two above the header.
    for number in range(1, _HEADER_SEARCH_LINES + 1):
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            continue
        cells = [cell.strip() for cell in row]
        if CSV_LOCATION_ID in cells:
            missing = [name for name in CSV_REQUIRED if name not in cells]
            if missing:
                raise ValidationFailed(
                    f"{path.name}: the header on line {number} has no "
                    + ", ".join(repr(name) for name in missing)
                    + " column"
                )
            return cells, getattr(reader, "line_num", number)
    raise ValidationFailed(
        f"{path.name} is not CQC's care directory: no header with {CSV_LOCATION_ID!r} "
        f"in its first {_HEADER_SEARCH_LINES} lines"
    )


def _rows(reader: Any, header_line: int, result: ImportResult) -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, cells). Records the reader cannot split are bad rows."""
    line_num = header_line
    while True:
        start = line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line_num = getattr(reader, "line_num", start)
            result.rows += 1
            result.bad_row(start, f"cannot be read as CSV: {exc}")
            continue
        line_num = getattr(reader, "line_num", start)
        yield start, row


class _Columns:
    """Where each header we read is in this file."""

    def __init__(self, header: list[str]) -> None:
        index = {name: number for number, name in reversed(list(enumerate(header)))}
        self.index = index
        self.service_type_columns = [
            (number, name[len(CSV_SERVICE_TYPE_PREFIX) :].strip())
            for number, name in enumerate(header)
            if name.startswith(CSV_SERVICE_TYPE_PREFIX)
        ]
        self.key_questions = {
            field_name: index[name]
            for name, field_name in CSV_KEY_QUESTIONS.items()
            if name in index
        }
        known = {"name", "overall", "overall_rank"}
        optional = {
            CSV_PROVIDER_ID: "provider_id",
            CSV_POSTCODE: "postcode",
            CSV_LATITUDE: "latitude",
            CSV_LONGITUDE: "longitude",
            CSV_PUBLICATION_DATE: "report_date",
        }
        known.update(field_name for name, field_name in optional.items() if name in index)
        if self.service_type_columns or CSV_SERVICE_TYPES in index:
            known.add("service_types")
        known.update(self.key_questions)
        self.known = frozenset(known)

    def get(self, row: list[str], name: str) -> str:
        number = self.index.get(name)
        return row[number].strip() if number is not None else ""

    def parse(self, row: list[str]) -> ParsedLocation:
        if self.service_type_columns:
            service_types = [
                name
                for number, name in self.service_type_columns
                if row[number].strip().upper() == "Y"
            ]
        else:
            service_types = [
                part.strip() for part in self.get(row, CSV_SERVICE_TYPES).split("|") if part.strip()
            ]
        location = _build(
            location_id=self.get(row, CSV_LOCATION_ID),
            provider_id=self.get(row, CSV_PROVIDER_ID),
            name=self.get(row, CSV_NAME),
            postcode=self.get(row, CSV_POSTCODE),
            latitude=self.get(row, CSV_LATITUDE),
            longitude=self.get(row, CSV_LONGITUDE),
            registration_status="",
            service_types=service_types,
            overall=cqc_rating_normalise(self.get(row, CSV_OVERALL)),
            report_date=_parse_date(self.get(row, CSV_PUBLICATION_DATE)),
            **{
                field_name: cqc_rating_normalise(row[number].strip())
                for field_name, number in self.key_questions.items()
            },
        )
        return ParsedLocation(location, self.known)


# --- Incremental sync from the API --------------------------------------------------

INITIAL_WINDOW = timedelta(days=1)
SYNC_CHUNK = timedelta(days=1)


@dataclass
class SyncResult(ApplyResult):
    status: str = "succeeded"  # or "failed", or "skipped" (another sync is running)
    start: datetime | None = None
    synced_until: datetime | None = None
    changed: int = 0  # distinct ids CQC listed
    missing: list[str] = field(default_factory=list)  # listed, then 404
    invalid: list[str] = field(default_factory=list)  # "id: why"
    error: str = ""


def cqc_sync_changes(
    *,
    client: CqcClient,
    now: datetime,
    since: datetime | None = None,
    initial_window: timedelta = INITIAL_WINDOW,
    chunk: timedelta = SYNC_CHUNK,
) -> SyncResult:
    """Apply the locations CQC changed since the last sync (or `since`, or
    `initial_window` before `now` the first time) up to `now`. The window is worked
    in `chunk`s; CqcSyncState.synced_until moves to the end of a chunk only once every
    location CQC listed in it has been applied, so a failure is retried next run.
    A location CQC lists but no longer has (404) is skipped, as is one whose data we
    cannot read or the database refuses (reported in last_error)."""
    result = SyncResult()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_SYNC_LOCK])
        (locked,) = cursor.fetchone() or (False,)
    if not locked:
        result.status = "skipped"
        result.error = "another CQC sync is running"
        return result
    try:
        return _sync(result, client, now, since, initial_window, chunk)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_SYNC_LOCK])


def _sync(
    result: SyncResult,
    client: CqcClient,
    now: datetime,
    since: datetime | None,
    initial_window: timedelta,
    chunk: timedelta,
) -> SyncResult:
    state, _ = CqcSyncState.objects.get_or_create(feed=FEED_LOCATIONS)
    start = since or state.synced_until or now - initial_window
    result.start = result.synced_until = start
    try:
        while start < now:
            end = min(now, start + chunk)
            ids = list(dict.fromkeys(client.changed_locations(start=start, end=end)))
            result.changed += len(ids)
            for location_id in ids:
                try:
                    data = client.location(location_id)
                except CqcNotFound:
                    result.missing.append(location_id)
                    continue
                try:
                    parsed = _parse_api(data)
                    # _apply's own transaction: a savepoint when called inside another,
                    # so a refusal takes back only this location and what followed.
                    result.add(_apply([parsed], source=SOURCE_API))
                except ValidationFailed as exc:
                    result.invalid.append(f"{location_id}: {exc.detail}")
                except DataError as exc:
                    result.invalid.append(f"{location_id}: {_refused(exc)}")
            state.synced_until = result.synced_until = end
            state.save(update_fields=["synced_until"])
            start = end
    except Exception as exc:
        result.status = "failed"
        result.error = str(exc) if isinstance(exc, CqcError) else f"{type(exc).__name__}: {exc}"
        _finish(state, now, "failed", result.error)
        logger.error("CQC sync failed, to be retried from %s: %s", start, result.error)
        if not isinstance(exc, CqcError):
            raise
        return result
    note = ""
    if result.invalid:
        note = f"Skipped {len(result.invalid)} unreadable: " + "; ".join(result.invalid[:20])
    _finish(state, now, "succeeded", note)
    return result


def _refused(exc: DataError) -> str:
    reason = str(exc).strip().splitlines()
    return "the database refused it: " + (reason[0] if reason else type(exc).__name__)


def _finish(state: CqcSyncState, now: datetime, outcome: str, error: str) -> None:
    state.last_run_at = now
    state.last_result = outcome
    state.last_error = error
    state.save(update_fields=["last_run_at", "last_result", "last_error"])
