"""UK postcodes: normalising what people type, finding a postcode's centroid, importing
the ONS Postcode Directory (ONSPD) and, optionally, asking postcodes.io about postcodes
the directory does not have."""

from __future__ import annotations

import csv
import http.client
import io
import json
import math
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from core.errors import DomainError, ValidationFailed

from .models import Postcode

# Outward code (area, district) and inward code (sector, unit), per BS 7666.
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_WHITESPACE = re.compile(r"\s+")
_INVALID_MESSAGE = "Enter a full UK postcode, like SW1A 1AA"


def _normalised_or_none(raw: str) -> str | None:
    match = _POSTCODE.match(_WHITESPACE.sub("", raw).upper())
    return f"{match.group(1)} {match.group(2)}" if match else None


def postcode_normalise(raw: str) -> str:
    """'sw1a1aa ' -> 'SW1A 1AA'. Raises ValidationFailed with a message for people."""
    code = _normalised_or_none(raw or "")
    if code is None:
        raise ValidationFailed(_INVALID_MESSAGE, field_errors={"postcode": [_INVALID_MESSAGE]})
    return code


def _not_found(code: str) -> ValidationFailed:
    message = f"We could not find the postcode {code}. Check it and try again"
    return ValidationFailed(message, field_errors={"postcode": [message]})


def postcode_lookup(*, postcode: str) -> Postcode:
    """The centroid of a postcode (normalised first). Raises ValidationFailed when the
    postcode is not a real one we know, and PostcodeLookupUnavailable when it is not in
    our table and postcodes.io (if configured) cannot be reached."""
    code = postcode_normalise(postcode)
    found = Postcode.objects.filter(postcode=code).first()
    if found is not None:
        return found
    if not settings.POSTCODES_IO_URL:
        raise _not_found(code)
    # Remembered briefly so a mistyped postcode does not cost a request per page view.
    miss_key = _not_found_cache_key(code)
    if cache.get(miss_key):
        raise _not_found(code)
    answer = postcodes_io_fetch(postcode=code)
    if answer is None:
        cache.set(miss_key, True, NOT_FOUND_CACHE_SECONDS)
        raise _not_found(code)
    with transaction.atomic():
        # get_or_create: a concurrent lookup of the same postcode may have stored it.
        stored, _ = Postcode.objects.get_or_create(
            postcode=code,
            defaults={
                "latitude": answer.latitude,
                "longitude": answer.longitude,
                "district_code": answer.district_code,
                "source": Postcode.Source.POSTCODES_IO,
            },
        )
    return stored


# --- postcodes.io ---------------------------------------------------------------------

POSTCODES_IO_TIMEOUT_SECONDS = 5.0
NOT_FOUND_CACHE_SECONDS = 15 * 60
_MAX_ANSWER_BYTES = 1_000_000  # one postcode's answer is about 2 KB
_GSS_CODE = re.compile(r"^[A-Z][0-9]{8}$")


class PostcodeLookupUnavailable(DomainError):
    """The postcode is not in our table and postcodes.io could not answer."""

    status = 503
    code = "postcode_lookup_unavailable"
    title = "Postcode lookup is unavailable"


@dataclass(frozen=True)
class PostcodesIoAnswer:
    postcode: str
    latitude: float
    longitude: float
    district_code: str  # GSS code of the local authority, e.g. E06000018
    district_name: str


def _not_found_cache_key(code: str) -> str:
    return "postcodes-io:not-found:" + code.replace(" ", "")


def _unavailable(code: str, reason: str) -> PostcodeLookupUnavailable:
    message = f"We cannot look up the postcode {code} just now ({reason}). Try again later"
    return PostcodeLookupUnavailable(message, field_errors={"postcode": [message]})


def postcodes_io_fetch(*, postcode: str) -> PostcodesIoAnswer | None:
    """GET {POSTCODES_IO_URL}/postcodes/{postcode}. None when postcodes.io does not know
    the postcode (404) or has no coordinates for it; PostcodeLookupUnavailable when it
    is disabled, cannot be reached, times out or answers something else."""
    code = postcode_normalise(postcode)
    base = settings.POSTCODES_IO_URL.rstrip("/")
    if not base:
        raise _unavailable(code, "no postcode service is configured")
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        raise _unavailable(code, "POSTCODES_IO_URL must start with https:// or http://")
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        f"{base}/postcodes/{urllib.parse.quote(code)}",
        headers={"Accept": "application/json", "User-Agent": "ePurse"},
    )
    timeout = POSTCODES_IO_TIMEOUT_SECONDS
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = json.loads(response.read(_MAX_ANSWER_BYTES))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise _unavailable(code, f"postcodes.io answered HTTP {exc.code}") from None
    except TimeoutError:
        raise _unavailable(code, "postcodes.io did not answer in time") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise _unavailable(code, "postcodes.io did not answer in time") from None
        raise _unavailable(code, "postcodes.io cannot be reached") from None
    except (OSError, ValueError, http.client.HTTPException):
        raise _unavailable(code, "postcodes.io sent an answer we could not read") from None
    return _answer_from(code, body)


def _answer_from(code: str, body: Any) -> PostcodesIoAnswer | None:
    result = body.get("result") if isinstance(body, dict) else None
    if not isinstance(result, dict):
        raise _unavailable(code, "postcodes.io sent an answer we could not read")
    latitude, longitude = result.get("latitude"), result.get("longitude")
    if not isinstance(latitude, int | float) or not isinstance(longitude, int | float):
        return None  # postcodes.io knows some postcodes without a grid reference
    codes = result.get("codes")
    district_code = codes.get("admin_district") if isinstance(codes, dict) else None
    return PostcodesIoAnswer(
        postcode=code,
        latitude=float(latitude),
        longitude=float(longitude),
        district_code=district_code
        if isinstance(district_code, str) and _GSS_CODE.match(district_code)
        else "",
        district_name=str(result.get("admin_district") or ""),
    )


# --- ONS Postcode Directory import ----------------------------------------------------

# Header names in ONSPD releases; the first of each that is present is used. pcds is
# the postcode as written ("SW1A 1AA"); pcd and pcd2 are fixed-width forms of it.
POSTCODE_COLUMNS = ("pcds", "pcd", "pcd2")
LATITUDE_COLUMN, LONGITUDE_COLUMN = "lat", "long"
TERMINATED_COLUMN = "doterm"  # yyyymm the postcode was terminated; empty while live
DISTRICT_COLUMN = "oslaua"  # local authority district (GSS code)
# ONSPD's marker for a postcode with no grid reference (long is then 0.000000).
_NO_COORDINATES = "99.999999"
DEFAULT_BATCH_SIZE = 20_000
MAX_REPORTED_ERRORS = 100
_DISTRICT_CODE = re.compile(r"^[A-Za-z0-9]{0,9}$")
_PROGRESS_EVERY_ROWS = 5_000
_BATCH_TABLE = "postcode_import_batch"


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportResult:
    rows: int = 0  # data rows read (the header excluded)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0  # a postcode repeated in the file: its last row wins
    terminated: int = 0  # imported rows that are terminated postcodes
    no_coordinates: int = 0  # skipped: ONSPD has no grid reference for them
    bad: int = 0  # skipped: see errors (the first MAX_REPORTED_ERRORS of them)
    errors: list[RowError] = field(default_factory=list)
    bytes_total: int = 0
    seconds: float = 0.0

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged

    def _bad_row(self, line: int, message: str) -> None:
        self.bad += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(line, message))


class ImportProgress(Protocol):
    def update(self, *, rows: int, bytes_read: int, bytes_total: int) -> None: ...

    def finish(self, *, rows: int, bytes_read: int, bytes_total: int) -> None: ...


def _size(count: float) -> str:
    for unit in ("B", "KB", "MB"):
        if count < 1000:
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.2f} GB"


class ProgressBar:
    """Rows and bytes read on one line, redrawn in place on a terminal (at most every
    `interval` seconds); elsewhere (logs, CI) a plain line every `step` percent."""

    def __init__(
        self,
        *,
        write: Callable[[str], object],
        tty: bool,
        label: str = "Postcodes",
        interval: float = 0.2,
        step: int = 10,
        width: int = 24,
    ) -> None:
        self._write, self._tty, self._label = write, tty, label
        self._interval, self._step, self._width = interval, step, width
        self._started = time.monotonic()
        self._last_drawn = -math.inf
        self._next_percent = step

    @classmethod
    def to_stream(cls, stream: TextIO, **options: Any) -> ProgressBar:
        def write(text: str) -> None:
            stream.write(text)
            stream.flush()

        return cls(write=write, tty=stream.isatty(), **options)

    def _line(self, rows: int, bytes_read: int, bytes_total: int) -> str:
        fraction = min(1.0, bytes_read / bytes_total) if bytes_total else 1.0
        filled = round(fraction * self._width)
        rate = rows / max(time.monotonic() - self._started, 1e-9)
        return (
            f"{self._label} [{'#' * filled}{'.' * (self._width - filled)}] "
            f"{fraction * 100:5.1f}%  {rows:,} rows  "
            f"{_size(bytes_read)} / {_size(bytes_total)}  {rate:,.0f} rows/s"
        )

    def update(self, *, rows: int, bytes_read: int, bytes_total: int) -> None:
        if self._tty:
            now = time.monotonic()
            if now - self._last_drawn >= self._interval:
                self._last_drawn = now
                self._write("\r" + self._line(rows, bytes_read, bytes_total) + "\x1b[K")
            return
        percent = bytes_read * 100 / bytes_total if bytes_total else 100
        if percent >= self._next_percent:
            self._next_percent = (int(percent) // self._step + 1) * self._step
            self._write(self._line(rows, bytes_read, bytes_total) + "\n")

    def finish(self, *, rows: int, bytes_read: int, bytes_total: int) -> None:
        line = self._line(rows, bytes_read, bytes_total)
        self._write(("\r" + line + "\x1b[K" if self._tty else line) + "\n")


@dataclass(frozen=True)
class _Columns:
    count: int
    postcode: int
    latitude: int
    longitude: int
    terminated: int | None
    district: int | None


def _columns_from(header: list[str], path: Path) -> _Columns:
    names = [name.strip().lower() for name in header]
    postcode = next((names.index(name) for name in POSTCODE_COLUMNS if name in names), None)
    missing = [
        wanted
        for wanted, present in (
            (" or ".join(POSTCODE_COLUMNS), postcode is not None),
            (LATITUDE_COLUMN, LATITUDE_COLUMN in names),
            (LONGITUDE_COLUMN, LONGITUDE_COLUMN in names),
        )
        if not present
    ]
    if missing or postcode is None:
        raise ValidationFailed(
            f"{path} is not an ONS Postcode Directory CSV: its first line must name the "
            f"columns, and it has no {', '.join(missing)} column"
        )
    return _Columns(
        count=len(names),
        postcode=postcode,
        latitude=names.index(LATITUDE_COLUMN),
        longitude=names.index(LONGITUDE_COLUMN),
        terminated=names.index(TERMINATED_COLUMN) if TERMINATED_COLUMN in names else None,
        district=names.index(DISTRICT_COLUMN) if DISTRICT_COLUMN in names else None,
    )


def _coordinate(raw: str, name: str, limit: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} {raw!r} is not a number") from None
    if not -limit <= value <= limit:  # also refuses nan
        raise ValueError(f"{name} {raw!r} is out of range")
    return value


def postcodes_import_onspd(
    *,
    path: str | os.PathLike[str],
    progress: ImportProgress | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> ImportResult:
    """Import (or refresh) the centroid table from an ONS Postcode Directory CSV.

    The file is read row by row and written in batches of `batch_size` (COPY into a
    temporary table, then one INSERT ... ON CONFLICT per batch), so memory stays the
    same whatever the file's size. Each batch commits on its own: an interrupted
    import leaves whole batches, and running it again finishes the job (re-importing
    is idempotent: rows that did not change are not rewritten). Rows without
    coordinates are skipped and counted; malformed rows are skipped and reported
    with their line numbers. Raises ValidationFailed for a missing file or a CSV
    without the columns needed."""
    source = Path(path)
    if not source.is_file():
        raise ValidationFailed(f"{source} does not exist or is not a file")
    if batch_size < 1:
        raise ValidationFailed("The batch size must be at least 1")
    result = ImportResult(bytes_total=source.stat().st_size)
    started = time.monotonic()
    with source.open("rb") as raw:
        # utf-8-sig: the file may start with a byte order mark. errors="replace": a
        # stray byte makes its row bad rather than stopping the import.
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        reader = csv.reader(text)
        try:
            header = next(reader)
        except StopIteration:
            raise ValidationFailed(f"{source} is empty") from None
        except csv.Error as exc:
            raise ValidationFailed(f"{source} is not a CSV file: {exc}") from None
        columns = _columns_from(header, source)
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {_BATCH_TABLE} ("
                "line bigint, postcode varchar(8), latitude double precision, "
                "longitude double precision, district_code varchar(9), terminated boolean)"
            )
            try:
                _import_rows(reader, columns, raw, cursor, result, progress, batch_size)
            finally:
                cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{_BATCH_TABLE}")
        if progress is not None:
            progress.finish(rows=result.rows, bytes_read=raw.tell(), bytes_total=result.bytes_total)
    result.seconds = time.monotonic() - started
    return result


def _import_rows(
    reader: Any,
    columns: _Columns,
    raw: Any,
    cursor: Any,
    result: ImportResult,
    progress: ImportProgress | None,
    batch_size: int,
) -> None:
    batch = io.StringIO()
    in_batch = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.rows += 1
            result._bad_row(reader.line_num, f"not valid CSV: {exc}")
            continue
        result.rows += 1
        line = reader.line_num
        if progress is not None and result.rows % _PROGRESS_EVERY_ROWS == 0:
            progress.update(rows=result.rows, bytes_read=raw.tell(), bytes_total=result.bytes_total)
        if len(row) != columns.count:
            if not any(cell.strip() for cell in row):
                result.rows -= 1  # a blank line, e.g. at the end of the file
                continue
            result._bad_row(line, f"expected {columns.count} fields, found {len(row)}")
            continue
        raw_code = row[columns.postcode]
        code = _normalised_or_none(raw_code)
        if code is None:
            result._bad_row(line, f"{raw_code!r} is not a valid postcode")
            continue
        raw_lat, raw_lon = row[columns.latitude].strip(), row[columns.longitude].strip()
        if (not raw_lat and not raw_lon) or raw_lat == _NO_COORDINATES:
            result.no_coordinates += 1
            continue
        try:
            latitude = _coordinate(raw_lat, "latitude", 90)
            longitude = _coordinate(raw_lon, "longitude", 180)
        except ValueError as exc:
            result._bad_row(line, f"{code}: {exc}")
            continue
        district = row[columns.district].strip() if columns.district is not None else ""
        if not _DISTRICT_CODE.match(district):
            result._bad_row(line, f"{code}: district code {district!r} is not a GSS code")
            continue
        terminated = columns.terminated is not None and bool(row[columns.terminated].strip())
        result.terminated += terminated
        flag = "t" if terminated else "f"
        batch.write(f"{line}\t{code}\t{latitude!r}\t{longitude!r}\t{district}\t{flag}\n")
        in_batch += 1
        if in_batch >= batch_size:
            _write_batch(cursor, batch, in_batch, result)
            batch = io.StringIO()
            in_batch = 0
    if in_batch:
        _write_batch(cursor, batch, in_batch, result)


def _write_batch(cursor: Any, batch: io.StringIO, count: int, result: ImportResult) -> None:
    table = connection.ops.quote_name(Postcode._meta.db_table)
    batch.seek(0)
    with transaction.atomic():
        cursor.execute(f"TRUNCATE {_BATCH_TABLE}")
        cursor.copy_expert(
            f"COPY {_BATCH_TABLE} (line, postcode, latitude, longitude, district_code, "
            "terminated) FROM STDIN",
            batch,
        )
        # DISTINCT ON: ON CONFLICT cannot touch one row twice in a statement, and a
        # postcode repeated in the file should end as its last row says. The WHERE
        # leaves identical rows alone, so a re-import rewrites only what changed.
        cursor.execute(
            f"""
            WITH incoming AS (
                SELECT DISTINCT ON (postcode)
                    postcode, latitude, longitude, district_code, terminated
                FROM {_BATCH_TABLE}
                ORDER BY postcode, line DESC
            ), written AS (
                INSERT INTO {table} AS p (
                    postcode, latitude, longitude, district_code, terminated, source,
                    updated_at
                )
                SELECT postcode, latitude, longitude, district_code, terminated, %s, now()
                FROM incoming
                ON CONFLICT (postcode) DO UPDATE SET
                    latitude = EXCLUDED.latitude,
                    longitude = EXCLUDED.longitude,
                    district_code = EXCLUDED.district_code,
                    terminated = EXCLUDED.terminated,
                    source = EXCLUDED.source,
                    updated_at = EXCLUDED.updated_at
                WHERE (p.latitude, p.longitude, p.district_code, p.terminated, p.source)
                    IS DISTINCT FROM (EXCLUDED.latitude, EXCLUDED.longitude,
                        EXCLUDED.district_code, EXCLUDED.terminated, EXCLUDED.source)
                RETURNING xmax = 0 AS created
            )
            SELECT
                (SELECT count(*) FROM incoming),
                count(*) FILTER (WHERE created),
                count(*) FILTER (WHERE NOT created)
            FROM written
            """,  # noqa: S608 - the table names are ours; values are parameters
            [Postcode.Source.ONSPD.value],
        )
        distinct, created, updated = cursor.fetchone()
    result.duplicates += count - distinct
    result.created += created
    result.updated += updated
    result.unchanged += distinct - created - updated
