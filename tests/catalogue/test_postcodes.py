"""Postcodes: normalising, importing the ONS Postcode Directory, and postcodes.io for
postcodes the directory does not have (against a local server speaking its API)."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from catalogue import postcodes
from catalogue.models import Postcode
from catalogue.postcodes import (
    PostcodeLookupUnavailable,
    ProgressBar,
    RowError,
    postcode_lookup,
    postcode_normalise,
    postcodes_import_onspd,
)
from core.errors import DomainError, ValidationFailed
from tests.conftest import database_url

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "onspd_sample.csv"
DEMO = Path(__file__).resolve().parents[2] / "catalogue" / "fixtures" / "postcodes_demo.csv"
INVALID = "Enter a full UK postcode, like SW1A 1AA"
SAMPLE_COLUMNS = 53


def write_csv(path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding=encoding)
    return path


# --- Normalising ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ln1 1ab", "LN1 1AB"),  # lower case
        ("LN11AB", "LN1 1AB"),  # no space
        ("  sw1a   1aa ", "SW1A 1AA"),  # extra spaces, outside and in
        ("sw1a\t1aa", "SW1A 1AA"),
        ("ng319zz", "NG31 9ZZ"),
        ("M11AE", "M1 1AE"),
        ("w1a 0ax", "W1A 0AX"),
        ("EC1A 1BB", "EC1A 1BB"),
    ],
)
def test_normalise_gives_the_written_form(typed: str, expected: str) -> None:
    assert postcode_normalise(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "   ", "SW1A", "LN1 1A", "LN1 1ABC", "LN1-1AB", "12345", "1N1 1AB", "LN1 AAB"]
)
def test_normalise_refuses_what_is_not_a_full_postcode(typed: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        postcode_normalise(typed)

    assert caught.value.detail == INVALID
    assert caught.value.field_errors == {"postcode": [INVALID]}


# --- Importing the ONS Postcode Directory --------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("batch_size", [3, 20_000])
def test_import_counts_and_stores_the_sample(batch_size: int) -> None:
    result = postcodes_import_onspd(path=SAMPLE, batch_size=batch_size)

    assert (result.rows, result.created, result.updated, result.unchanged) == (39, 37, 0, 0)
    assert (result.terminated, result.no_coordinates, result.bad) == (1, 1, 1)
    assert result.duplicates == 0
    assert result.errors == [RowError(40, f"expected {SAMPLE_COLUMNS} fields, found 6")]
    assert result.bytes_total == SAMPLE.stat().st_size
    assert Postcode.objects.count() == 37
    lincoln = Postcode.objects.get(postcode="LN1 1AB")
    assert (lincoln.latitude, lincoln.longitude) == (53.234128, -0.538941)
    assert (lincoln.district_code, lincoln.terminated, lincoln.source) == (
        "E07000138",
        False,
        "onspd",
    )
    assert Postcode.objects.get(postcode="NG31 6AZ").district_code == "E07000141"


@pytest.mark.django_db
def test_terminated_postcodes_are_kept_and_marked() -> None:
    postcodes_import_onspd(path=SAMPLE)

    old = Postcode.objects.get(postcode="LN2 4QT")
    assert old.terminated is True
    assert (old.latitude, old.longitude) == (53.238815, -0.53227)
    assert list(Postcode.objects.filter(terminated=True).values_list("postcode", flat=True)) == [
        "LN2 4QT"
    ]


@pytest.mark.django_db
def test_postcodes_without_coordinates_and_bad_rows_are_not_stored() -> None:
    postcodes_import_onspd(path=SAMPLE)

    # NG31 9ZZ has ONSPD's 99.999999 / 0.000000; LN6 7TS is the row cut short.
    assert not Postcode.objects.filter(postcode__in=["NG31 9ZZ", "LN6 7TS"]).exists()


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing() -> None:
    postcodes_import_onspd(path=SAMPLE)
    before = {p.postcode: p.updated_at for p in Postcode.objects.all()}

    again = postcodes_import_onspd(path=SAMPLE, batch_size=7)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 37)
    assert (again.terminated, again.no_coordinates, again.bad) == (1, 1, 1)
    # Not rewritten either: unchanged rows keep their updated_at.
    assert {p.postcode: p.updated_at for p in Postcode.objects.all()} == before


@pytest.mark.django_db
def test_a_newer_directory_updates_what_changed(tmp_path: Path) -> None:
    postcodes_import_onspd(path=SAMPLE)
    Postcode.objects.create(
        postcode="LN1 9ZZ", latitude=53.2, longitude=-0.5, source=Postcode.Source.POSTCODES_IO
    )
    lines = SAMPLE.read_text().splitlines()
    moved = next(line for line in lines if line.startswith('"LN1 1AB"'))
    ended = next(line for line in lines if line.startswith('"NG316AZ"'))
    newer = write_csv(
        tmp_path / "newer.csv",
        lines[0],
        moved.replace("53.234128", "53.234500"),
        ended.replace('"198001",""', '"198001","202405"'),
        moved.replace("LN1 1AB", "LN1 9ZZ").replace("LN1  1AB", "LN1  9ZZ"),
        moved.replace("LN1 1AB", "LN1 8ZZ").replace("LN1  1AB", "LN1  8ZZ"),
    )

    result = postcodes_import_onspd(path=newer)

    assert (result.rows, result.created, result.updated, result.unchanged) == (4, 1, 3, 0)
    assert Postcode.objects.get(postcode="LN1 1AB").latitude == 53.2345
    assert Postcode.objects.get(postcode="NG31 6AZ").terminated is True
    # The directory is authoritative over an answer cached from postcodes.io.
    cached = Postcode.objects.get(postcode="LN1 9ZZ")
    assert (cached.source, cached.latitude) == ("onspd", 53.234128)
    assert Postcode.objects.count() == 39


@pytest.mark.django_db
def test_a_postcode_repeated_in_the_file_ends_as_its_last_row(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "repeated.csv",
        "pcds,lat,long",
        "LN1 1AB,53.1,-0.5",
        "LN1 1AB,53.2,-0.6",
        "LN1 1AD,53.3,-0.7",
    )

    result = postcodes_import_onspd(path=path)

    assert (result.created, result.duplicates) == (2, 1)
    found = Postcode.objects.get(postcode="LN1 1AB")
    assert (found.latitude, found.longitude) == (53.2, -0.6)


@pytest.mark.django_db
def test_bad_rows_are_reported_with_their_line_numbers(tmp_path: Path) -> None:
    # pcd (the fixed-width form) instead of pcds, and no oslaua or doterm column.
    path = write_csv(
        tmp_path / "bad.csv",
        "pcd,lat,long",
        "LN1 1AB,53.234128,-0.538941",  # line 2: fine
        "LN1 XYZ,53.2,-0.5",  # 3
        "LN11AD,north,-0.5",  # 4
        "LN1 1AE,95.5,-0.5",  # 5
        "LN1 1AF,53.2",  # 6
        "",  # 7: a blank line is not a row
        "LN1 1AG,53.2,-0.5,extra",  # 8
        "LN11AH,53.240001,-0.530001",  # 9: fine, no space in pcd
        "LN1 1AJ,nan,-0.5",  # 10
    )

    result = postcodes_import_onspd(path=path)

    assert result.errors == [
        RowError(3, "'LN1 XYZ' is not a valid postcode"),
        RowError(4, "LN1 1AD: latitude 'north' is not a number"),
        RowError(5, "LN1 1AE: latitude '95.5' is out of range"),
        RowError(6, "expected 3 fields, found 2"),
        RowError(8, "expected 3 fields, found 4"),
        RowError(10, "LN1 1AJ: latitude 'nan' is out of range"),
    ]
    assert str(result.errors[0]) == "line 3: 'LN1 XYZ' is not a valid postcode"
    assert (result.rows, result.created, result.bad) == (8, 2, 6)
    assert sorted(Postcode.objects.values_list("postcode", "district_code", "terminated")) == [
        ("LN1 1AB", "", False),
        ("LN1 1AH", "", False),
    ]


@pytest.mark.django_db
def test_only_the_first_hundred_bad_rows_are_kept_but_all_are_counted(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "many.csv", "pcds,lat,long", *["nonsense,1,1"] * 150)

    result = postcodes_import_onspd(path=path)

    assert (result.bad, len(result.errors)) == (150, 100)
    assert result.errors[-1] == RowError(101, "'nonsense' is not a valid postcode")


@pytest.mark.django_db
def test_upper_case_headers_and_a_byte_order_mark_are_accepted(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "upper.csv",
        "PCDS,DOTERM,OSLAUA,LAT,LONG",
        "LN1 1AB,,E07000138,53.234128,-0.538941",
        "LN2 4QT,201206,E07000138,53.238815,-0.532270",
        encoding="utf-8-sig",
    )

    result = postcodes_import_onspd(path=path)

    assert (result.created, result.terminated, result.bad) == (2, 1, 0)
    assert Postcode.objects.get(postcode="LN2 4QT").terminated is True


@pytest.mark.django_db
def test_the_demo_postcodes_import_cleanly() -> None:
    result = postcodes_import_onspd(path=DEMO)

    assert (result.rows, result.created, result.bad, result.no_coordinates) == (60, 60, 0, 0)
    assert Postcode.objects.filter(district_code="E07000901").count() == 30
    assert Postcode.objects.filter(district_code="E07000902").count() == 30


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ["postcode,latitude,longitude", "LN1 1AB,53.2,-0.5"],
            "is not an ONS Postcode Directory CSV: its first line must name the columns, "
            "and it has no pcds or pcd or pcd2, lat, long column",
        ),
        (
            # No header row: the first postcode is taken for column names.
            ['"LN1 1AB","LN1  1AB","LN1 1AB","198001","",53.2,-0.5'],
            "and it has no pcds or pcd or pcd2, lat, long column",
        ),
        (["pcds,lat,easting", "LN1 1AB,53.2,497711"], "and it has no long column"),
        ([], "is empty"),
    ],
)
def test_a_file_without_the_needed_columns_is_refused(
    tmp_path: Path, lines: list[str], message: str
) -> None:
    path = write_csv(tmp_path / "wrong.csv", *lines)

    with pytest.raises(ValidationFailed, match=message):
        postcodes_import_onspd(path=path)

    assert not Postcode.objects.exists()


@pytest.mark.django_db
def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as caught:
        postcodes_import_onspd(path=tmp_path / "ONSPD.csv")

    assert caught.value.detail == f"{tmp_path / 'ONSPD.csv'} does not exist or is not a file"


# --- The progress bar -----------------------------------------------------------------


@pytest.mark.django_db
def test_progress_off_a_terminal_is_plain_lines_every_ten_percent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(postcodes, "_PROGRESS_EVERY_ROWS", 1)
    written: list[str] = []
    size = SAMPLE.stat().st_size

    postcodes_import_onspd(path=SAMPLE, progress=ProgressBar(write=written.append, tty=False))

    assert all(text.endswith("\n") and "\r" not in text for text in written)
    # Bytes are counted as the file is read, 8 KB at a time: each of the 20 KB
    # sample's three chunks crosses a ten percent step once, then the final line.
    percents = [text.split("]")[1].split("%")[0].strip() for text in written]
    assert percents == [f"{8192 * 100 / size:.1f}", f"{16384 * 100 / size:.1f}", "100.0", "100.0"]
    final = written[-1]
    assert final.startswith("Postcodes [########################] 100.0%  39 rows  ")
    assert f"{size / 1000:.1f} KB / {size / 1000:.1f} KB" in final


def test_progress_on_a_terminal_redraws_one_line() -> None:
    written: list[str] = []
    bar = ProgressBar(write=written.append, tty=True, interval=0, width=10)

    bar.update(rows=1_000, bytes_read=250_000, bytes_total=1_000_000)
    bar.update(rows=2_000, bytes_read=500_000, bytes_total=1_000_000)
    bar.finish(rows=4_000, bytes_read=1_000_000, bytes_total=1_000_000)

    assert [text.startswith("\r") for text in written] == [True, True, True]
    assert ["\n" in text for text in written] == [False, False, True]
    assert written[0].startswith("\rPostcodes [##........]  25.0%  1,000 rows  250.0 KB / 1.0 MB")
    assert written[1].startswith("\rPostcodes [#####.....]  50.0%  2,000 rows  500.0 KB / 1.0 MB")


def test_progress_on_a_terminal_redraws_at_most_every_interval() -> None:
    written: list[str] = []
    bar = ProgressBar(write=written.append, tty=True, interval=60)

    for step in range(1, 100):
        bar.update(rows=step, bytes_read=step, bytes_total=100)

    assert len(written) == 1


def test_progress_off_a_terminal_prints_each_step_once() -> None:
    written: list[str] = []
    bar = ProgressBar(write=written.append, tty=False, width=4)

    for read in range(0, 1_000_001, 10_000):
        bar.update(rows=read // 100, bytes_read=read, bytes_total=1_000_000)

    assert [text.split("]")[1].split("%")[0].strip() for text in written] == [
        f"{percent:.1f}" for percent in range(10, 101, 10)
    ]


# --- epurse postcodes import ----------------------------------------------------------


@pytest.mark.django_db
def test_the_command_imports_and_reports() -> None:
    out, err = io.StringIO(), io.StringIO()

    call_command("postcodes", "import", str(SAMPLE), stdout=out, stderr=err)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Imported 37 postcodes from onspd_sample.csv in ")
    assert lines[0].endswith("s: 37 new, 0 changed, 0 unchanged; 1 of them terminated.")
    assert lines[1:] == ["Skipped 1 postcode with no coordinates."]
    progress, *report = err.getvalue().splitlines()
    assert progress.startswith("Postcodes [########################] 100.0%  39 rows")
    assert report == [
        "Skipped 1 bad row:",
        f"  line 40: expected {SAMPLE_COLUMNS} fields, found 6",
    ]
    assert Postcode.objects.count() == 37


@pytest.mark.django_db
def test_the_command_is_quiet_about_progress_at_verbosity_zero() -> None:
    err = io.StringIO()

    call_command("postcodes", "import", str(DEMO), verbosity=0, stdout=io.StringIO(), stderr=err)

    assert err.getvalue() == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "lines", "message"),
    [
        ("absent.csv", None, "absent.csv does not exist or is not a file"),
        ("columns.csv", ["postcode,x,y"], "columns.csv is not an ONS Postcode Directory CSV"),
    ],
)
def test_the_command_refuses_a_missing_file_or_wrong_columns(
    tmp_path: Path, name: str, lines: list[str] | None, message: str
) -> None:
    path = tmp_path / name
    if lines is not None:
        write_csv(path, *lines)

    with pytest.raises(CommandError, match=message) as caught:
        call_command("postcodes", "import", str(path), stdout=io.StringIO())

    assert caught.value.returncode == 1
    assert not Postcode.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (None, "does not exist or is not a file"),
        (["pcds,lat"], "is not an ONS Postcode Directory CSV: its first line must name"),
    ],
)
def test_the_command_exits_1_with_the_reason(
    tmp_path: Path, lines: list[str] | None, message: str
) -> None:
    path = tmp_path / "ONSPD.csv"
    if lines is not None:
        write_csv(path, *lines)
    env = {**os.environ, "DATABASE_URL": database_url()}
    env.pop("DEBUG", None)

    result = subprocess.run(
        [str(Path(sys.executable).parent / "epurse"), "postcodes", "import", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )

    assert result.returncode == 1
    assert f"CommandError: {path} {message}" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


# --- postcodes.io ---------------------------------------------------------------------


class PostcodesIo(BaseHTTPRequestHandler):
    """GET /postcodes/{postcode} as postcodes.io documents it."""

    def do_GET(self) -> None:
        server: Any = self.server
        server.requests.append(self.path)
        if server.delay:
            time.sleep(server.delay)
        if server.fail_with:
            self._send(server.fail_with, {"status": server.fail_with, "error": "Server error"})
            return
        if server.garbled:
            self._send(200, None)
            return
        prefix = "/postcodes/"
        code = (
            urllib.parse.unquote(self.path[len(prefix) :]) if self.path.startswith(prefix) else ""
        )
        known = server.known.get(code.replace(" ", "").upper())
        if known is None:
            self._send(404, {"status": 404, "error": "Invalid postcode"})
            return
        self._send(200, {"status": 200, "result": known})

    def _send(self, status: int, body: dict[str, Any] | None) -> None:
        data = json.dumps(body).encode() if body is not None else b"<html>Bad gateway</html>"
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except ConnectionError:
            pass  # the client gave up waiting (the timeout test)

    def log_message(self, *args: Any) -> None:
        pass


def postcodes_io_result(
    postcode: str, latitude: float | None, longitude: float | None
) -> dict[str, Any]:
    return {
        "postcode": postcode,
        "quality": 1,
        "eastings": 453800,
        "northings": 319600,
        "country": "England",
        "longitude": longitude,
        "latitude": latitude,
        "region": "East Midlands",
        "admin_district": "Charnwood",
        "admin_ward": "Loughborough Southfields",
        "codes": {"admin_district": "E07000130", "admin_ward": "E05013890"},
    }


@pytest.fixture
def postcodes_io(settings: Any) -> Iterator[Any]:
    server: Any = ThreadingHTTPServer(("127.0.0.1", 0), PostcodesIo)
    server.requests = []
    server.delay = 0
    server.fail_with = 0
    server.garbled = False
    server.known = {
        "LE113XX": postcodes_io_result("LE11 3XX", 52.770361, -1.204217),
        "LE119ZX": postcodes_io_result("LE11 9ZX", None, None),
    }
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.POSTCODES_IO_URL = f"http://127.0.0.1:{server.server_port}/"
    codes = ["LE11 3XX", "LE11 9ZX", "ZZ1 1ZZ"]
    for code in codes:
        cache.delete(postcodes._not_found_cache_key(code))
    yield server
    server.shutdown()
    server.server_close()
    for code in codes:
        cache.delete(postcodes._not_found_cache_key(code))


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.django_db
def test_a_postcode_missing_from_the_table_is_fetched_and_kept(postcodes_io: Any) -> None:
    found = postcode_lookup(postcode="le113xx")

    assert (found.postcode, found.latitude, found.longitude) == ("LE11 3XX", 52.770361, -1.204217)
    assert (found.district_code, found.terminated, found.source) == (
        "E07000130",
        False,
        "postcodes_io",
    )
    assert postcodes_io.requests == ["/postcodes/LE11%203XX"]
    again = postcode_lookup(postcode="LE11 3XX")
    assert (again.postcode, again.latitude) == ("LE11 3XX", 52.770361)
    assert postcodes_io.requests == ["/postcodes/LE11%203XX"]  # from the table this time
    assert Postcode.objects.filter(postcode="LE11 3XX", source="postcodes_io").count() == 1


@pytest.mark.django_db
def test_a_postcode_postcodes_io_does_not_know_is_remembered_briefly(postcodes_io: Any) -> None:
    message = "We could not find the postcode ZZ1 1ZZ. Check it and try again"

    for _ in range(2):
        with pytest.raises(ValidationFailed) as caught:
            postcode_lookup(postcode="zz1 1zz")
        assert caught.value.detail == message
        assert caught.value.field_errors == {"postcode": [message]}

    assert postcodes_io.requests == ["/postcodes/ZZ1%201ZZ"]  # the second came from the cache
    assert cache.get(postcodes._not_found_cache_key("ZZ1 1ZZ")) is True
    assert not Postcode.objects.filter(postcode="ZZ1 1ZZ").exists()


@pytest.mark.django_db
def test_a_postcodes_io_answer_without_coordinates_counts_as_not_found(postcodes_io: Any) -> None:
    with pytest.raises(ValidationFailed, match="We could not find the postcode LE11 9ZX"):
        postcode_lookup(postcode="LE11 9ZX")

    assert not Postcode.objects.filter(postcode="LE11 9ZX").exists()
    assert cache.get(postcodes._not_found_cache_key("LE11 9ZX")) is True


@pytest.mark.django_db
def test_a_postcode_in_the_table_never_asks_postcodes_io(postcodes_io: Any) -> None:
    Postcode.objects.create(postcode="LE11 3XX", latitude=52.7, longitude=-1.2)

    assert postcode_lookup(postcode="LE11 3XX").source == "onspd"
    assert postcodes_io.requests == []


@pytest.mark.django_db
def test_without_postcodes_io_configured_only_the_table_is_used(
    postcodes_io: Any, settings: Any
) -> None:
    settings.POSTCODES_IO_URL = ""

    with pytest.raises(ValidationFailed, match="We could not find the postcode LE11 3XX"):
        postcode_lookup(postcode="LE11 3XX")

    assert postcodes_io.requests == []
    assert cache.get(postcodes._not_found_cache_key("LE11 3XX")) is None


@pytest.mark.django_db
def test_an_invalid_postcode_is_refused_before_any_request(postcodes_io: Any) -> None:
    with pytest.raises(ValidationFailed, match=INVALID):
        postcode_lookup(postcode="LE11")

    assert postcodes_io.requests == []


def _assert_unavailable(caught: pytest.ExceptionInfo[PostcodeLookupUnavailable], reason: str):
    message = f"We cannot look up the postcode LE11 3XX just now ({reason}). Try again later"
    assert caught.value.detail == message
    assert caught.value.field_errors == {"postcode": [message]}
    # A DomainError the API maps to a problem response, not a server error.
    assert isinstance(caught.value, DomainError)
    assert (caught.value.status, caught.value.code) == (503, "postcode_lookup_unavailable")


@pytest.mark.django_db
def test_postcodes_io_down_is_a_clear_error_and_nothing_is_kept(
    postcodes_io: Any, settings: Any
) -> None:
    settings.POSTCODES_IO_URL = f"http://127.0.0.1:{_closed_port()}"

    with pytest.raises(PostcodeLookupUnavailable) as caught:
        postcode_lookup(postcode="LE11 3XX")

    _assert_unavailable(caught, "postcodes.io cannot be reached")
    assert not Postcode.objects.filter(postcode="LE11 3XX").exists()
    assert cache.get(postcodes._not_found_cache_key("LE11 3XX")) is None
    # Back up: the next lookup asks again rather than remembering the failure.
    settings.POSTCODES_IO_URL = f"http://127.0.0.1:{postcodes_io.server_port}"
    assert postcode_lookup(postcode="LE11 3XX").latitude == 52.770361


@pytest.mark.django_db
def test_postcodes_io_failing_is_a_clear_error(postcodes_io: Any) -> None:
    postcodes_io.fail_with = 500

    with pytest.raises(PostcodeLookupUnavailable) as caught:
        postcode_lookup(postcode="LE11 3XX")

    _assert_unavailable(caught, "postcodes.io answered HTTP 500")
    assert cache.get(postcodes._not_found_cache_key("LE11 3XX")) is None


@pytest.mark.django_db
def test_postcodes_io_too_slow_is_a_clear_error(
    postcodes_io: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postcodes, "POSTCODES_IO_TIMEOUT_SECONDS", 0.2)
    postcodes_io.delay = 1.0

    with pytest.raises(PostcodeLookupUnavailable) as caught:
        postcode_lookup(postcode="LE11 3XX")

    _assert_unavailable(caught, "postcodes.io did not answer in time")
    assert not Postcode.objects.filter(postcode="LE11 3XX").exists()


@pytest.mark.django_db
def test_an_answer_that_is_not_postcodes_io_json_is_a_clear_error(postcodes_io: Any) -> None:
    postcodes_io.garbled = True

    with pytest.raises(PostcodeLookupUnavailable) as caught:
        postcode_lookup(postcode="LE11 3XX")

    _assert_unavailable(caught, "postcodes.io sent an answer we could not read")
    assert not Postcode.objects.filter(postcode="LE11 3XX").exists()
