"""CQC ratings: the API client against a local server that speaks CQC's protocol, the
bulk directory import, the incremental sync and the alerts a downgrade raises."""

from __future__ import annotations

import io
import json
import logging
import math
import os
import smtplib
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.services import user_create
from catalogue.council.models import ProviderApproval, RatingAlert
from catalogue.cqc import (
    OGL_ATTRIBUTION,
    cqc_csv_import,
    cqc_location_apply,
    cqc_location_parse,
    cqc_sync_changes,
)
from catalogue.integrations.cqc import (
    KEY_HEADER,
    CqcClient,
    CqcNotFound,
    CqcRejected,
    CqcUnavailable,
    TokenBucket,
)
from catalogue.models import CqcLocation, CqcRatingChange, CqcSyncState, Location, Provider
from catalogue.tasks import cqc_sync
from core.errors import ValidationFailed
from core.models import AuditEntry
from epurse.db import use_public_schema
from tests.conftest import PASSWORD, database_url

FIXTURE = Path(__file__).parent / "fixtures" / "cqc_directory_sample.csv"
KEY = "test-subscription-key"
NOW = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)


# --- A local CQC ----------------------------------------------------------------------


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    key: str | None


@dataclass
class FakeCqc:
    """Serves /public/v1/locations/{id}, /providers/{id} and /changes/location like
    CQC: the subscription key is required, the changes are paged and filtered by time.
    `script` queues responses to give first for a path; `broken` paths always fail."""

    url: str = ""
    locations: dict[str, dict[str, Any]] = field(default_factory=dict)
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)
    changes: list[tuple[datetime, str]] = field(default_factory=list)
    script: dict[str, list[tuple[int, dict[str, str], bytes]]] = field(default_factory=dict)
    broken: dict[str, int] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [request.path for request in self.seen]

    def respond(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if self.script.get(path):
            return self.script[path].pop(0)
        if path in self.broken:
            return self.broken[path], {}, b"<html>Backend unavailable</html>"
        prefix = "/public/v1"
        if path.startswith(prefix + "/locations/"):
            found = self.locations.get(path.rsplit("/", 1)[1])
            return _json(200, found) if found else _not_found(path)
        if path.startswith(prefix + "/providers/"):
            found = self.providers.get(path.rsplit("/", 1)[1])
            return _json(200, found) if found else _not_found(path)
        if path == prefix + "/changes/location":
            start = _parse_ts(query["startTimestamp"])
            end = _parse_ts(query["endTimestamp"])
            ids = [lid for when, lid in self.changes if start <= when <= end]
            page, per_page = int(query.get("page", "1")), int(query.get("perPage", "1000"))
            return _json(
                200,
                {
                    "total": len(ids),
                    "page": page,
                    "perPage": per_page,
                    "totalPages": max(1, math.ceil(len(ids) / per_page)),
                    "changes": ids[(page - 1) * per_page : page * per_page],
                },
            )
        return _not_found(path)


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> Any:
    return (
        status,
        {"Content-Type": "application/json", **(headers or {})},
        json.dumps(body).encode(),
    )


def _not_found(path: str) -> Any:
    return _json(404, {"statusCode": 404, "message": f"Resource not found: {path}"})


def _parse_ts(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@pytest.fixture
def cqc() -> Iterator[FakeCqc]:
    fake = FakeCqc()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query))
            key = self.headers.get(KEY_HEADER)
            fake.seen.append(Seen(parts.path, query, key))
            if key != KEY:
                status, headers, body = _json(
                    401,
                    {
                        "statusCode": 401,
                        "message": "Access denied due to missing subscription key.",
                    },
                )
            else:
                status, headers, body = fake.respond(parts.path, query)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/public/v1"
    yield fake
    server.shutdown()
    server.server_close()


def client_for(fake: FakeCqc, sleeps: list[float] | None = None, **options: Any) -> CqcClient:
    # A high rate, so only the retries sleep (into `sleeps`, not really).
    sink = sleeps if sleeps is not None else []
    options.setdefault("rate_per_minute", 60_000)
    return CqcClient(base_url=fake.url, api_key=KEY, sleep=sink.append, **options)


def location_json(
    location_id: str,
    *,
    rating: str | None = "Good",
    report_date: str = "2024-03-14",
    provider_id: str = "1-2000000001",
    name: str = "Brookside Home Care",
    key_questions: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A location as CQC's API returns it (the fields we read, and some we do not)."""
    body: dict[str, Any] = {
        "locationId": location_id,
        "providerId": provider_id,
        "organisationType": "Location",
        "type": "Social Care Org",
        "name": name,
        "registrationStatus": "Registered",
        "postalAddressLine1": "1 High Street",
        "postalAddressTownCity": "Northmoor",
        "postalCode": "nm1 1aa",
        "onspdLatitude": 52.9548,
        "onspdLongitude": -1.1581,
        "gacServiceTypes": [
            {"name": "Homecare agencies", "description": "Homecare agencies"},
        ],
        "regulatedActivities": [{"name": "Personal care", "code": "RA2"}],
    }
    if rating is not None:
        questions = key_questions or dict.fromkeys(
            ["Safe", "Effective", "Caring", "Responsive", "Well-led"], rating
        )
        body["currentRatings"] = {
            "overall": {
                "rating": rating,
                "reportDate": report_date,
                "reportLinkId": "abc-123",
                "keyQuestionRatings": [
                    {"name": name_, "rating": value, "reportDate": report_date}
                    for name_, value in questions.items()
                ],
            },
            "reportDate": report_date,
        }
    return body


# --- The client -----------------------------------------------------------------------


def test_location_sends_the_subscription_key_and_returns_cqcs_json(cqc: FakeCqc) -> None:
    cqc.locations["1-101"] = location_json("1-101")

    body = client_for(cqc).location("1-101")

    assert body == location_json("1-101")
    assert [(s.path, s.key) for s in cqc.seen] == [("/public/v1/locations/1-101", KEY)]


def test_provider_is_fetched_by_id(cqc: FakeCqc) -> None:
    cqc.providers["1-2000000001"] = {"providerId": "1-2000000001", "name": "Brookside Care Ltd"}

    body = client_for(cqc).provider("1-2000000001")

    assert body == {"providerId": "1-2000000001", "name": "Brookside Care Ltd"}


def test_without_the_right_key_cqc_refuses_and_the_client_does_not_retry(cqc: FakeCqc) -> None:
    sleeps: list[float] = []
    client = CqcClient(base_url=cqc.url, api_key="wrong", sleep=sleeps.append)

    with pytest.raises(CqcRejected, match=r"refused the API key \(HTTP 401\).*CQC_API_KEY"):
        client.location("1-101")

    assert len(cqc.seen) == 1
    assert sleeps == []


def test_an_unknown_location_is_not_found_without_retrying(cqc: FakeCqc) -> None:
    sleeps: list[float] = []

    with pytest.raises(CqcNotFound, match="HTTP 404"):
        client_for(cqc, sleeps).location("1-999")

    assert len(cqc.seen) == 1
    assert sleeps == []


def test_changed_locations_walks_every_page_of_the_window(cqc: FakeCqc) -> None:
    start, end = NOW - timedelta(days=1), NOW
    cqc.changes = [(start + timedelta(hours=n), f"1-{n}") for n in range(1, 6)]
    cqc.changes.append((end + timedelta(seconds=1), "1-after"))  # outside the window

    ids = list(client_for(cqc, per_page=2).changed_locations(start=start, end=end))

    assert ids == ["1-1", "1-2", "1-3", "1-4", "1-5"]
    assert [s.query for s in cqc.seen] == [
        {
            "startTimestamp": "2026-03-09T06:00:00Z",
            "endTimestamp": "2026-03-10T06:00:00Z",
            "page": str(page),
            "perPage": "2",
        }
        for page in (1, 2, 3)
    ]


def test_an_empty_window_is_one_request(cqc: FakeCqc) -> None:
    ids = list(client_for(cqc).changed_locations(start=NOW - timedelta(days=1), end=NOW))

    assert ids == []
    assert len(cqc.seen) == 1


def test_429_waits_as_long_as_retry_after_says_then_succeeds(cqc: FakeCqc) -> None:
    cqc.locations["1-101"] = location_json("1-101")
    path = "/public/v1/locations/1-101"
    cqc.script[path] = [_json(429, {"statusCode": 429}, {"Retry-After": "7"})]
    sleeps: list[float] = []

    body = client_for(cqc, sleeps).location("1-101")

    assert body["locationId"] == "1-101"
    assert cqc.paths() == [path, path]
    assert sleeps == [7.0]


def test_a_retry_after_date_already_past_retries_at_once(cqc: FakeCqc) -> None:
    cqc.locations["1-101"] = location_json("1-101")
    path = "/public/v1/locations/1-101"
    retry_at = "Wed, 21 Oct 2015 07:28:00 GMT"
    cqc.script[path] = [_json(429, {"statusCode": 429}, {"Retry-After": retry_at})]
    sleeps: list[float] = []

    assert client_for(cqc, sleeps).location("1-101")["locationId"] == "1-101"
    assert sleeps == [0.0]


def test_a_retry_after_longer_than_we_wait_gives_up_at_once(cqc: FakeCqc) -> None:
    path = "/public/v1/locations/1-101"
    cqc.script[path] = [_json(429, {"statusCode": 429}, {"Retry-After": "3600"})]
    sleeps: list[float] = []

    with pytest.raises(CqcUnavailable, match="wait 3600s"):
        client_for(cqc, sleeps, max_retry_after=300).location("1-101")

    assert sleeps == []
    assert len(cqc.seen) == 1


def test_a_server_error_is_retried_after_a_backoff(cqc: FakeCqc) -> None:
    cqc.locations["1-101"] = location_json("1-101")
    path = "/public/v1/locations/1-101"
    cqc.script[path] = [(500, {}, b"oops"), (503, {}, b"busy")]
    sleeps: list[float] = []

    body = client_for(cqc, sleeps, backoff_base=0.5).location("1-101")

    assert body["locationId"] == "1-101"
    assert len(cqc.seen) == 3
    assert sleeps == [0.5, 1.0]


def test_an_unreadable_answer_is_retried(cqc: FakeCqc) -> None:
    cqc.locations["1-101"] = location_json("1-101")
    path = "/public/v1/locations/1-101"
    cqc.script[path] = [(200, {"Content-Type": "text/html"}, b"<html>maintenance</html>")]
    sleeps: list[float] = []

    assert client_for(cqc, sleeps).location("1-101")["locationId"] == "1-101"
    assert sleeps == [1.0]


def test_a_permanent_server_error_gives_up_after_max_attempts(cqc: FakeCqc) -> None:
    path = "/public/v1/locations/1-101"
    cqc.broken[path] = 500
    sleeps: list[float] = []

    with pytest.raises(CqcUnavailable, match=r"HTTP 500 .*gave up after 4 attempts"):
        client_for(cqc, sleeps, max_attempts=4, backoff_base=1, backoff_max=3).location("1-101")

    assert len(cqc.seen) == 4
    assert sleeps == [1.0, 2.0, 3.0]  # doubling, capped at backoff_max


def test_connection_errors_are_retried_then_reported() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps: list[float] = []
    client = CqcClient(
        base_url=f"http://127.0.0.1:{port}/public/v1",
        api_key=KEY,
        max_attempts=3,
        sleep=sleeps.append,
    )

    with pytest.raises(CqcUnavailable, match=r"could not reach CQC.*gave up after 3 attempts"):
        client.location("1-101")

    assert sleeps == [1.0, 2.0]


# --- Rate limiting --------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_token_bucket_allows_a_burst_then_spaces_requests_out() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate_per_minute=60, capacity=2, clock=clock, sleep=clock.sleep)

    waits = [bucket.acquire() for _ in range(5)]

    assert waits == [0.0, 0.0, 1.0, 1.0, 1.0]
    assert clock.now == 1003.0


def test_the_token_bucket_refills_while_idle_up_to_its_capacity() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate_per_minute=60, capacity=2, clock=clock, sleep=clock.sleep)
    bucket.acquire()
    bucket.acquire()

    clock.now += 60  # a minute idle refills 2 tokens, not 60

    assert [bucket.acquire() for _ in range(3)] == [0.0, 0.0, 1.0]


def test_the_client_keeps_to_its_rate_per_minute(cqc: FakeCqc) -> None:
    cqc.locations["1-101"] = location_json("1-101")
    clock = FakeClock()
    # 120 a minute: bursts of 2 (a second's worth), then one every half second.
    client = CqcClient(
        base_url=cqc.url, api_key=KEY, rate_per_minute=120, clock=clock, sleep=clock.sleep
    )

    for _ in range(6):
        client.location("1-101")

    assert len(cqc.seen) == 6
    assert clock.slept == [0.5, 0.5, 0.5, 0.5]


def test_retries_count_against_the_rate_limit(cqc: FakeCqc) -> None:
    cqc.locations["1-101"] = location_json("1-101")
    cqc.script["/public/v1/locations/1-101"] = [(500, {}, b"oops")]
    clock = FakeClock()
    client = CqcClient(
        base_url=cqc.url,
        api_key=KEY,
        rate_per_minute=60,
        backoff_base=0.25,
        clock=clock,
        sleep=clock.sleep,
    )

    client.location("1-101")

    # The backoff (0.25s), then the limiter makes up the rest of the second.
    assert clock.slept == [0.25, 0.75]


# --- Reading CQC's JSON ---------------------------------------------------------------


def test_a_location_is_read_with_its_ratings_and_rank() -> None:
    data = location_json(
        "1-101",
        rating="Requires improvement",
        key_questions={
            "Safe": "Inadequate",
            "Effective": "Good",
            "Caring": "Outstanding",
            "Responsive": "Good",
            "Well-led": "Requires improvement",
        },
    )

    location = cqc_location_parse(data=data)

    assert {
        "location_id": location.location_id,
        "provider_id": location.provider_id,
        "name": location.name,
        "postcode": location.postcode,
        "latitude": location.latitude,
        "longitude": location.longitude,
        "registration_status": location.registration_status,
        "service_types": location.service_types,
        "overall": location.overall,
        "overall_rank": location.overall_rank,
        "report_date": location.report_date,
        "key": [
            location.safe,
            location.effective,
            location.caring,
            location.responsive,
            location.well_led,
        ],
    } == {
        "location_id": "1-101",
        "provider_id": "1-2000000001",
        "name": "Brookside Home Care",
        "postcode": "NM1 1AA",
        "latitude": 52.9548,
        "longitude": -1.1581,
        "registration_status": "Registered",
        "service_types": ["Homecare agencies"],
        "overall": "Requires improvement",
        "overall_rank": 2,
        "report_date": date(2024, 3, 14),
        "key": ["Inadequate", "Good", "Outstanding", "Good", "Requires improvement"],
    }


@pytest.mark.parametrize(
    ("rating", "rank"),
    [("Outstanding", 4), ("Good", 3), ("Requires improvement", 2), ("Inadequate", 1), (None, 0)],
)
def test_the_overall_rank_orders_ratings(rating: str | None, rank: int) -> None:
    assert cqc_location_parse(data=location_json("1-1", rating=rating)).overall_rank == rank


def test_a_location_without_ratings_is_not_rated() -> None:
    location = cqc_location_parse(data=location_json("1-101", rating=None))

    assert (location.overall, location.report_date, location.safe) == ("", None, "")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"locationId": ""}, "location ID is missing"),
        ({"name": "x" * 301}, "name is longer than 300 characters"),
        ({"onspdLatitude": 123.0}, "latitude 123.0 is out of range"),
        (
            {"currentRatings": {"overall": {"rating": "Brilliant"}}},
            "unknown CQC rating 'Brilliant'",
        ),
        ({"currentRatings": {"overall": {"rating": "Good", "reportDate": "soon"}}}, "'soon'"),
    ],
)
def test_unreadable_location_data_is_refused_with_a_reason(
    change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationFailed, match=message):
        cqc_location_parse(data={**location_json("1-101"), **change})


def _ratings(overall: Any) -> dict[str, Any]:
    return {"currentRatings": {"overall": overall}}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "Brook\x00side"}, "name has a control character (U+0000)"),
        ({"name": "Brook\ud800side"}, "name is not valid Unicode"),
        ({"name": ["Brookside"]}, "name must be text, not a list"),
        ({"locationId": {"id": "1-101"}}, "location ID must be text, not an object"),
        ({"providerId": 12}, "provider ID must be text, not a number"),
        ({"registrationStatus": "Regis\x1btered"}, "registration status has a control"),
        ({"postalCode": "NM1\x00"}, "postcode has a control character"),
        ({"postalCode": 11}, "postcode must be text, not a number"),
        ({"onspdLatitude": True}, "latitude True is not a number"),
        ({"gacServiceTypes": 5}, "gacServiceTypes must be a list, not a number"),
        ({"gacServiceTypes": "Homecare agencies"}, "gacServiceTypes must be a list, not text"),
        ({"gacServiceTypes": [{"name": "Home\x00care"}]}, "service type has a control"),
        ({"gacServiceTypes": [{"name": 7}]}, "service type must be text, not a number"),
        ({"currentRatings": "Good"}, "currentRatings must be an object, not text"),
        (_ratings([]), "currentRatings.overall must be an object, not a list"),
        (
            _ratings({"rating": "Good", "keyQuestionRatings": 7}),
            "keyQuestionRatings must be a list, not a number",
        ),
        (
            _ratings({"rating": "Good", "keyQuestionRatings": {"Safe": "Good"}}),
            "keyQuestionRatings must be a list, not an object",
        ),
        (
            _ratings({"rating": "Good", "keyQuestionRatings": [{"name": ["Safe"]}]}),
            "key question name must be text, not a list",
        ),
        (_ratings({"rating": ["Good"]}), "rating must be text, not a list"),
        (_ratings({"rating": "Good", "reportDate": 20240314}), "report date must be text"),
    ],
)
def test_cqc_data_of_the_wrong_type_is_refused_with_a_reason(
    change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        cqc_location_parse(data={**location_json("1-101"), **change})

    assert message in raised.value.detail


def test_tabs_and_new_lines_in_names_are_only_white_space() -> None:
    location = cqc_location_parse(data=location_json("1-101", name="Brookside\tHome\r\nCare"))

    assert location.name == "Brookside Home Care"


# --- Applying, and the alerts a downgrade raises -----------------------------------------


def provider_with_location(cqc_location_id: str, name: str = "Brookside Care Ltd") -> Provider:
    provider = Provider.objects.create(
        legal_name=name, email="office@brookside.example", status=Provider.Status.APPROVED
    )
    Location.objects.create(
        provider=provider,
        name="Brookside office",
        address_1="1 High Street",
        city="Northmoor",
        postcode="NM1 1AA",
        latitude=52.9548,
        longitude=-1.1581,
        cqc_id=cqc_location_id,
    )
    return provider


def decide(tenant_users: Any, provider: Provider, status: str, reason: str = "") -> None:
    with tenant_context(tenant_users.tenant):
        ProviderApproval.objects.create(
            provider=provider,
            status=status,
            reason=reason,
            decided_by=tenant_users.admin,
            decided_at=timezone.now(),
        )


def alerts_in(tenant_users: Any) -> list[tuple[str, str, str, date | None]]:
    with tenant_context(tenant_users.tenant):
        return list(
            RatingAlert.objects.values_list("cqc_location_id", "previous", "current", "report_date")
        )


def test_a_new_location_is_created_without_history_or_alerts(tenant_a) -> None:
    provider = provider_with_location("1-101")
    decide(tenant_a, provider, "approved")

    result = cqc_location_apply(data=location_json("1-101", rating="Inadequate"), source="api")

    assert (result.created, result.updated, result.rating_changes, result.alerts) == (1, 0, 0, 0)
    stored = CqcLocation.objects.get(pk="1-101")
    assert (stored.overall, stored.overall_rank, stored.name) == (
        "Inadequate",
        1,
        "Brookside Home Care",
    )
    assert not CqcRatingChange.objects.exists()
    assert alerts_in(tenant_a) == []


def test_a_downgrade_alerts_the_councils_that_approve_the_provider_and_no_other(
    tenant_a, tenant_b, django_capture_on_commit_callbacks
) -> None:
    provider = provider_with_location("1-101")
    decide(tenant_a, provider, "approved")
    decide(tenant_b, provider, "suspended", reason="Paused while we review prices")
    cqc_location_apply(data=location_json("1-101", rating="Good"), source="api")

    with django_capture_on_commit_callbacks(execute=True):
        result = cqc_location_apply(
            data=location_json("1-101", rating="Inadequate", report_date="2026-03-02"),
            source="api",
        )

    assert (result.updated, result.rating_changes, result.alerts) == (1, 1, 1)
    assert list(
        CqcRatingChange.objects.values_list("location_id", "previous", "current", "source")
    ) == [("1-101", "Good", "Inadequate", "api")]
    assert alerts_in(tenant_a) == [("1-101", "Good", "Inadequate", date(2026, 3, 2))]
    assert alerts_in(tenant_b) == []
    with tenant_context(tenant_a.tenant):
        alert = RatingAlert.objects.select_related("location").get()
        assert alert.location is not None
        assert (alert.provider_id, alert.location.name) == (provider.pk, "Brookside office")
        assert AuditEntry.objects.filter(action="catalogue.rating_alert.created").count() == 1
    with tenant_context(tenant_b.tenant):
        assert not AuditEntry.objects.filter(action="catalogue.rating_alert.created").exists()
    # Only Northmoor's administrator approves providers; its budget holder is not told,
    # and nobody at Southbay is.
    assert [message.to for message in mail.outbox] == [["admin@northmoor.example"]]
    message = mail.outbox[0]
    assert message.subject == "CQC rating now Inadequate: Brookside Care Ltd"
    assert "Rating: Good to Inadequate (report published 2 March 2026)" in message.body
    assert "https://www.cqc.org.uk/location/1-101" in message.body
    assert "Northmoor Borough Council approves" in message.body
    assert OGL_ATTRIBUTION in message.body


def test_a_fall_from_good_to_requires_improvement_also_alerts(tenant_a) -> None:
    provider = provider_with_location("1-101")
    decide(tenant_a, provider, "approved")
    cqc_location_apply(data=location_json("1-101", rating="Good"), source="api")

    result = cqc_location_apply(
        data=location_json("1-101", rating="Requires improvement"), source="api"
    )

    assert result.alerts == 1
    assert alerts_in(tenant_a) == [("1-101", "Good", "Requires improvement", date(2024, 3, 14))]


def test_a_first_rating_of_inadequate_for_a_known_location_alerts(tenant_a) -> None:
    provider = provider_with_location("1-101")
    decide(tenant_a, provider, "approved")
    cqc_location_apply(data=location_json("1-101", rating=None), source="api")

    result = cqc_location_apply(data=location_json("1-101", rating="Inadequate"), source="api")

    assert (result.rating_changes, result.alerts) == (1, 1)
    assert alerts_in(tenant_a) == [("1-101", "", "Inadequate", date(2024, 3, 14))]


def test_an_upgrade_records_the_change_but_alerts_no_one(
    tenant_a, django_capture_on_commit_callbacks
) -> None:
    provider = provider_with_location("1-101")
    decide(tenant_a, provider, "approved")
    cqc_location_apply(data=location_json("1-101", rating="Inadequate"), source="api")

    with django_capture_on_commit_callbacks(execute=True):
        result = cqc_location_apply(
            data=location_json("1-101", rating="Requires improvement", report_date="2026-01-05"),
            source="api",
        )

    assert (result.rating_changes, result.alerts) == (1, 0)
    assert list(CqcRatingChange.objects.values_list("previous", "current")) == [
        ("Inadequate", "Requires improvement")
    ]
    assert alerts_in(tenant_a) == []
    assert mail.outbox == []


def test_a_fall_to_good_alerts_no_one(tenant_a) -> None:
    provider = provider_with_location("1-101")
    decide(tenant_a, provider, "approved")
    cqc_location_apply(data=location_json("1-101", rating="Outstanding"), source="api")

    result = cqc_location_apply(data=location_json("1-101", rating="Good"), source="api")

    assert (result.rating_changes, result.alerts) == (1, 0)
    assert alerts_in(tenant_a) == []


def test_the_same_downgrade_seen_again_alerts_once(
    tenant_a, django_capture_on_commit_callbacks
) -> None:
    provider = provider_with_location("1-101")
    decide(tenant_a, provider, "approved")
    good = location_json("1-101", rating="Good")
    bad = location_json("1-101", rating="Inadequate", report_date="2026-03-02")
    cqc_location_apply(data=good, source="api")
    cqc_location_apply(data=bad, source="api")

    # Applied again unchanged; then CQC's record bounces back and forth with the same
    # report (as a re-run over the same window, or the CSV after the API, would see it).
    with django_capture_on_commit_callbacks(execute=True):
        again = cqc_location_apply(data=bad, source="api")
        cqc_location_apply(data=good, source="csv")
        bounced = cqc_location_apply(data=bad, source="api")

    assert (again.unchanged, again.alerts) == (1, 0)
    assert (bounced.rating_changes, bounced.alerts) == (1, 0)
    assert alerts_in(tenant_a) == [("1-101", "Good", "Inadequate", date(2026, 3, 2))]
    assert mail.outbox == []


def test_a_downgrade_of_a_location_no_provider_of_ours_has_touches_no_council(tenant_a) -> None:
    cqc_location_apply(data=location_json("1-555", rating="Good"), source="api")

    result = cqc_location_apply(data=location_json("1-555", rating="Inadequate"), source="api")

    assert (result.rating_changes, result.alerts) == (1, 0)
    assert alerts_in(tenant_a) == []


def test_a_location_is_applied_whole_or_not_at_all(tenant_a, monkeypatch) -> None:
    provider = provider_with_location("1-101")
    decide(tenant_a, provider, "approved")
    cqc_location_apply(data=location_json("1-101", rating="Good"), source="api")

    def broken_audit(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr("catalogue.cqc.audit_record", broken_audit)
    with pytest.raises(RuntimeError, match="audit log unavailable"):
        cqc_location_apply(data=location_json("1-101", rating="Inadequate"), source="api")

    # The alert failed, so neither the new rating nor its history was kept.
    assert CqcLocation.objects.get(pk="1-101").overall == "Good"
    assert not CqcRatingChange.objects.exists()
    assert alerts_in(tenant_a) == []


# --- The bulk directory file ----------------------------------------------------------


def test_the_directory_csv_is_imported_and_bad_rows_are_reported_by_line(db) -> None:
    result = cqc_csv_import(path=FIXTURE)

    assert (result.rows, result.created, result.updated, result.unchanged, result.bad) == (
        12,
        7,
        0,
        0,
        5,
    )
    assert [(bad.line, bad.message) for bad in result.bad_rows] == [
        (8, "unknown CQC rating 'Brilliant'"),
        (9, "latitude 'north' is not a number"),
        (10, "location ID is missing"),
        (12, "date '31/02/2024' is not a date like 2024-03-01"),
        (13, "has 4 fields; the header has 21"),
    ]
    assert dict(CqcLocation.objects.values_list("location_id", "overall_rank")) == {
        "1-1000000001": 3,
        "1-1000000002": 4,
        "1-1000000003": 2,
        "1-1000000004": 1,
        "1-1000000005": 0,
        "1-1000000009": 3,
        "1-1000000012": 2,
    }
    willow = CqcLocation.objects.get(pk="1-1000000002")
    assert (
        willow.name,
        willow.provider_id,
        willow.postcode,
        willow.latitude,
        willow.longitude,
        willow.service_types,
        willow.overall,
        willow.report_date,
    ) == (
        "Willow House",
        "1-2000000002",
        "NM1 2BB",
        52.96,
        -1.15,
        ["Care home service without nursing"],
        "Outstanding",
        date(2023, 11, 2),
    )
    assert CqcLocation.objects.get(pk="1-1000000001").postcode == "NM1 1AA"
    assert CqcLocation.objects.get(pk="1-1000000009").name == "Smith, Jones & Co Care"
    assert CqcLocation.objects.get(pk="1-1000000012").overall == "Requires improvement"
    assert not CqcRatingChange.objects.exists()


def test_importing_the_same_file_again_changes_nothing(db) -> None:
    cqc_csv_import(path=FIXTURE)
    written = dict(CqcLocation.objects.values_list("location_id", "synced_at"))

    again = cqc_csv_import(path=FIXTURE)

    assert (again.created, again.updated, again.unchanged, again.bad) == (0, 0, 7, 5)
    assert dict(CqcLocation.objects.values_list("location_id", "synced_at")) == written
    assert not CqcRatingChange.objects.exists()


def test_a_newer_file_with_a_downgrade_alerts_the_approving_council(
    tenant_a, tenant_b, tmp_path: Path
) -> None:
    cqc_csv_import(path=FIXTURE)
    provider = provider_with_location("1-1000000001")
    decide(tenant_a, provider, "approved")
    newer = tmp_path / "newer.csv"
    newer.write_text(
        FIXTURE.read_text().replace(
            "Brookside Home Care,N,Social Care Org,Adult social care,"
            "Community based adult social care services,Good,14/03/2024",
            "Brookside Home Care,N,Social Care Org,Adult social care,"
            "Community based adult social care services,Inadequate,01/03/2026",
        )
    )

    result = cqc_csv_import(path=newer)

    assert (result.updated, result.unchanged, result.rating_changes, result.alerts) == (1, 6, 1, 1)
    assert list(CqcRatingChange.objects.values_list("location_id", "current", "source")) == [
        ("1-1000000001", "Inadequate", "csv")
    ]
    assert alerts_in(tenant_a) == [("1-1000000001", "Good", "Inadequate", date(2026, 3, 1))]
    assert alerts_in(tenant_b) == []


def test_the_csv_keeps_the_apis_key_questions_for_the_same_report(db, tmp_path: Path) -> None:
    cqc_location_apply(
        data=location_json(
            "1-1000000001",
            rating="Good",
            report_date="2024-03-14",
            key_questions={"Safe": "Requires improvement", "Well-led": "Outstanding"},
        ),
        source="api",
    )

    cqc_csv_import(path=FIXTURE)

    stored = CqcLocation.objects.get(pk="1-1000000001")
    # The directory has no key-question columns and names the same report.
    assert (stored.safe, stored.well_led, stored.effective) == (
        "Requires improvement",
        "Outstanding",
        "",
    )
    assert stored.service_types == ["Domiciliary care service"]


def test_a_file_with_key_question_columns_sets_them(db, tmp_path: Path) -> None:
    path = tmp_path / "with_key_questions.csv"
    path.write_text(
        "Location ID,Location Name,Location Latest Overall Rating,Publication Date,"
        "Safe,Effective,Caring,Responsive,Well-led\n"
        "1-300,Harbour View,Good,2025-01-20,Good,Good,Outstanding,Good,Requires improvement\n",
        encoding="utf-8-sig",
    )

    result = cqc_csv_import(path=path)

    assert result.created == 1
    stored = CqcLocation.objects.get(pk="1-300")
    assert [stored.safe, stored.effective, stored.caring, stored.responsive, stored.well_led] == [
        "Good",
        "Good",
        "Outstanding",
        "Good",
        "Requires improvement",
    ]


def test_a_row_with_a_nul_is_a_bad_row_and_the_rest_is_imported(db, tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_text(
        "Location ID,Location Name,Location Latest Overall Rating,Service types\n"
        "1-401,Harbour View,Good,Homecare agencies\n"
        "1-402,Brook\x00side,Good,\n"
        "1-403,Willow House,Outstanding,\n"
        "1-404,Oak Lodge,Good,Homecare agencies|Nursing\x00homes\n"
    )

    result = cqc_csv_import(path=path)

    assert (result.rows, result.created, result.bad) == (4, 2, 2)
    assert [(bad.line, bad.message) for bad in result.bad_rows] == [
        (3, "name has a control character (U+0000); CQC's data should not have one"),
        (5, "service type has a control character (U+0000); CQC's data should not have one"),
    ]
    assert sorted(CqcLocation.objects.values_list("location_id", flat=True)) == ["1-401", "1-403"]


def test_a_row_the_database_refuses_loses_only_that_row(db, tmp_path: Path, monkeypatch) -> None:
    # Reading is meant to refuse anything the database would; to reach the database's
    # own refusal, let an over-long postcode through as if reading had missed it.
    monkeypatch.setattr("catalogue.cqc._postcode", lambda raw: str(raw))
    path = tmp_path / "refused.csv"
    path.write_text(
        "Location ID,Location Name,Location Latest Overall Rating,Location Postal Code\n"
        "1-401,Harbour View,Good,NM1 1AA\n"
        "1-402,Brookside,Good,NOT A POSTCODE AT ALL\n"
        "1-403,Willow House,Outstanding,NM1 2BB\n"
    )

    result = cqc_csv_import(path=path)

    assert (result.rows, result.created, result.bad) == (3, 2, 1)
    assert [(bad.line, bad.message) for bad in result.bad_rows] == [
        (3, "the database refused it: value too long for type character varying(8)")
    ]
    assert sorted(CqcLocation.objects.values_list("location_id", flat=True)) == ["1-401", "1-403"]


def test_a_new_rating_in_a_file_without_dates_clears_the_old_reports_date_and_questions(
    tenant_a, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:
    provider = provider_with_location("1-1000000001")
    decide(tenant_a, provider, "approved")
    cqc_location_apply(
        data=location_json(
            "1-1000000001",
            rating="Good",
            report_date="2024-03-14",
            key_questions={"Safe": "Good", "Well-led": "Outstanding"},
        ),
        source="api",
    )
    header = "Location ID,Location Name,Location Latest Overall Rating\n"
    same = tmp_path / "same.csv"
    same.write_text(header + "1-1000000001,Brookside Home Care,Good\n")
    fallen = tmp_path / "fallen.csv"
    fallen.write_text(header + "1-1000000001,Brookside Home Care,Inadequate\n")

    # The same rating: the date and key questions we hold are still this report's.
    cqc_csv_import(path=same)
    stored = CqcLocation.objects.get(pk="1-1000000001")
    assert (stored.report_date, stored.safe, stored.well_led) == (
        date(2024, 3, 14),
        "Good",
        "Outstanding",
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = cqc_csv_import(path=fallen)

    assert (result.updated, result.rating_changes, result.alerts) == (1, 1, 1)
    stored = CqcLocation.objects.get(pk="1-1000000001")
    assert (stored.overall, stored.report_date, stored.safe, stored.well_led) == (
        "Inadequate",
        None,
        "",
        "",
    )
    assert list(CqcRatingChange.objects.values_list("previous", "current", "report_date")) == [
        ("Good", "Inadequate", None)
    ]
    assert alerts_in(tenant_a) == [("1-1000000001", "Good", "Inadequate", None)]
    [message] = mail.outbox
    assert "Rating: Good to Inadequate (report date unknown)" in message.body
    assert "2024" not in message.body


def test_a_windows_1252_file_is_read(db, tmp_path: Path) -> None:
    path = tmp_path / "cp1252.csv"
    path.write_bytes(
        "Location ID,Location Name,Location Latest Overall Rating\n"
        "1-301,Crème Café Support,Good\n".encode("cp1252")
    )

    cqc_csv_import(path=path)

    assert CqcLocation.objects.get(pk="1-301").name == "Crème Café Support"


def test_a_large_file_is_written_in_batches_with_progress(db, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    lines = ["Location ID,Location Name,Location Latest Overall Rating"]
    lines += [f"1-{n},Location {n},Good" for n in range(250)]
    path.write_text("\n".join(lines) + "\n")
    updates: list[int] = []

    class Progress:
        def update(self, *, rows: int, bytes_read: int, bytes_total: int) -> None:
            updates.append(rows)

        def finish(self, *, rows: int, bytes_read: int, bytes_total: int) -> None:
            updates.append(-rows)
            assert bytes_read == bytes_total == path.stat().st_size

    result = cqc_csv_import(path=path, progress=Progress(), batch_size=100)

    assert result.created == 250
    assert updates == [100, 200, 250, -250]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Name,Rating\nA,Good\n", "no header with 'Location ID' in its first 10 lines"),
        ("Location ID,Location Name\n1-1,A\n", "has no 'Location Latest Overall Rating' column"),
    ],
)
def test_a_file_that_is_not_the_directory_is_refused(
    db, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "other.csv"
    path.write_text(content)

    with pytest.raises(ValidationFailed, match=message):
        cqc_csv_import(path=path)

    assert not CqcLocation.objects.exists()


def test_a_missing_file_is_refused(db, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match=r"Cannot read .*missing\.csv: No such file"):
        cqc_csv_import(path=tmp_path / "missing.csv")


# --- Incremental sync -------------------------------------------------------------------


def test_changes_since_the_last_sync_are_applied_and_the_state_advances(
    tenant_a, cqc: FakeCqc
) -> None:
    provider = provider_with_location("1-101")
    decide(tenant_a, provider, "approved")
    cqc_location_apply(data=location_json("1-101", rating="Good"), source="api")
    last = NOW - timedelta(hours=20)
    CqcSyncState.objects.create(feed="locations", synced_until=last)
    cqc.locations["1-101"] = location_json("1-101", rating="Inadequate", report_date="2026-03-09")
    cqc.locations["1-102"] = location_json("1-102", name="Willow House")
    cqc.changes = [
        (last - timedelta(hours=1), "1-before"),  # already synced: not asked for
        (last + timedelta(hours=1), "1-101"),
        (last + timedelta(hours=2), "1-102"),
        (last + timedelta(hours=3), "1-gone"),  # listed, but CQC no longer has it
        (last + timedelta(hours=4), "1-101"),  # listed twice: fetched once
    ]

    result = cqc_sync_changes(client=client_for(cqc), now=NOW)

    assert result.status == "succeeded"
    assert (result.changed, result.created, result.updated, result.alerts) == (3, 1, 1, 1)
    assert result.missing == ["1-gone"]
    assert cqc.paths() == [
        "/public/v1/changes/location",
        "/public/v1/locations/1-101",
        "/public/v1/locations/1-102",
        "/public/v1/locations/1-gone",
    ]
    assert cqc.seen[0].query["startTimestamp"] == "2026-03-09T10:00:00Z"
    assert CqcLocation.objects.get(pk="1-101").overall == "Inadequate"
    assert CqcLocation.objects.get(pk="1-102").name == "Willow House"
    assert alerts_in(tenant_a) == [("1-101", "Good", "Inadequate", date(2026, 3, 9))]
    state = CqcSyncState.objects.get(feed="locations")
    assert (state.synced_until, state.last_run_at, state.last_result, state.last_error) == (
        NOW,
        NOW,
        "succeeded",
        "",
    )


def test_the_first_sync_starts_a_day_back(db, cqc: FakeCqc) -> None:
    result = cqc_sync_changes(client=client_for(cqc), now=NOW)

    assert (result.status, result.start, result.synced_until) == (
        "succeeded",
        NOW - timedelta(days=1),
        NOW,
    )
    assert cqc.seen[0].query["startTimestamp"] == "2026-03-09T06:00:00Z"


def test_when_cqc_keeps_failing_nothing_is_written_and_the_state_stays(db, cqc: FakeCqc) -> None:
    last = NOW - timedelta(hours=20)
    CqcSyncState.objects.create(feed="locations", synced_until=last)
    cqc.locations["1-102"] = location_json("1-102")
    cqc.changes = [(last + timedelta(hours=1), "1-101"), (last + timedelta(hours=2), "1-102")]
    cqc.broken["/public/v1/locations/1-101"] = 500

    result = cqc_sync_changes(client=client_for(cqc, max_attempts=3), now=NOW)

    assert result.status == "failed"
    assert "HTTP 500 from /locations/1-101" in result.error
    assert cqc.paths().count("/public/v1/locations/1-101") == 3
    assert "/public/v1/locations/1-102" not in cqc.paths()
    assert not CqcLocation.objects.exists()
    state = CqcSyncState.objects.get(feed="locations")
    assert (state.synced_until, state.last_run_at, state.last_result) == (last, NOW, "failed")
    assert "gave up after 3 attempts" in state.last_error


def test_a_failure_keeps_the_days_already_synced(db, cqc: FakeCqc) -> None:
    start = NOW - timedelta(days=3)
    CqcSyncState.objects.create(feed="locations", synced_until=start)
    cqc.locations["1-101"] = location_json("1-101")
    cqc.changes = [(start + timedelta(hours=2), "1-101")]
    # The first day's changes list answers; the second day's never does.
    changes = "/public/v1/changes/location"
    cqc.script[changes] = [cqc.respond(changes, _window(start, start + timedelta(days=1)))]
    cqc.broken[changes] = 503

    result = cqc_sync_changes(client=client_for(cqc, max_attempts=2), now=NOW)

    assert result.status == "failed"
    assert list(CqcLocation.objects.values_list("location_id", flat=True)) == ["1-101"]
    assert CqcSyncState.objects.get(feed="locations").synced_until == start + timedelta(days=1)

    # The next run, with CQC back, starts where the last complete day ended.
    del cqc.broken[changes]
    cqc.seen.clear()
    again = cqc_sync_changes(client=client_for(cqc), now=NOW)

    assert again.status == "succeeded"
    assert cqc.seen[0].query["startTimestamp"] == "2026-03-08T06:00:00Z"
    assert CqcSyncState.objects.get(feed="locations").synced_until == NOW


def _window(start: datetime, end: datetime) -> dict[str, str]:
    return {
        "startTimestamp": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "endTimestamp": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def test_a_location_cqc_describes_badly_is_skipped_and_reported(db, cqc: FakeCqc) -> None:
    CqcSyncState.objects.create(feed="locations", synced_until=NOW - timedelta(hours=1))
    cqc.locations["1-101"] = {**location_json("1-101"), "onspdLatitude": "north"}
    cqc.locations["1-102"] = location_json("1-102")
    cqc.changes = [(NOW - timedelta(minutes=30), "1-101"), (NOW - timedelta(minutes=20), "1-102")]

    result = cqc_sync_changes(client=client_for(cqc), now=NOW)

    assert result.status == "succeeded"
    assert result.invalid == ["1-101: latitude 'north' is not a number"]
    assert list(CqcLocation.objects.values_list("location_id", flat=True)) == ["1-102"]
    state = CqcSyncState.objects.get(feed="locations")
    assert state.synced_until == NOW
    assert state.last_error == "Skipped 1 unreadable: 1-101: latitude 'north' is not a number"


def test_locations_cqc_describes_with_the_wrong_types_are_skipped_and_the_sync_moves_on(
    db, cqc: FakeCqc
) -> None:
    CqcSyncState.objects.create(feed="locations", synced_until=NOW - timedelta(hours=1))
    good = location_json("1-104")
    cqc.locations["1-101"] = location_json("1-101", name="Brook\x00side")
    cqc.locations["1-102"] = {**good, "locationId": "1-102", "gacServiceTypes": 5}
    cqc.locations["1-103"] = {
        **good,
        "locationId": "1-103",
        "currentRatings": {"overall": {"rating": "Good", "keyQuestionRatings": 7}},
    }
    cqc.locations["1-104"] = good
    cqc.changes = [
        (NOW - timedelta(minutes=50 - n), location_id)
        for n, location_id in enumerate(["1-101", "1-102", "1-103", "1-104"])
    ]

    result = cqc_sync_changes(client=client_for(cqc), now=NOW)

    assert (result.status, result.changed, result.created) == ("succeeded", 4, 1)
    assert result.invalid == [
        "1-101: name has a control character (U+0000); CQC's data should not have one",
        "1-102: gacServiceTypes must be a list, not a number",
        "1-103: keyQuestionRatings must be a list, not a number",
    ]
    assert list(CqcLocation.objects.values_list("location_id", flat=True)) == ["1-104"]
    state = CqcSyncState.objects.get(feed="locations")
    assert (state.synced_until, state.last_result) == (NOW, "succeeded")
    assert state.last_error.startswith("Skipped 3 unreadable: 1-101: name has a control")


def test_a_location_the_database_refuses_is_rolled_back_alone(
    tenant_a, cqc: FakeCqc, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    provider = provider_with_location("1-101")
    decide(tenant_a, provider, "approved")
    cqc_location_apply(data=location_json("1-101", rating="Good"), source="api")
    CqcSyncState.objects.create(feed="locations", synced_until=NOW - timedelta(hours=1))
    # As in the CSV test: let a value through that the database, not reading, refuses.
    monkeypatch.setattr("catalogue.cqc._postcode", lambda raw: str(raw))
    cqc.locations["1-101"] = {
        **location_json("1-101", rating="Inadequate", report_date="2026-03-09"),
        "postalCode": "NOT A POSTCODE AT ALL",
    }
    cqc.locations["1-102"] = {**location_json("1-102"), "postalCode": "NM1 2BB"}
    cqc.changes = [(NOW - timedelta(minutes=30), "1-101"), (NOW - timedelta(minutes=20), "1-102")]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = cqc_sync_changes(client=client_for(cqc), now=NOW)

    assert (result.status, result.created, result.updated, result.alerts) == (
        "succeeded",
        1,
        0,
        0,
    )
    assert result.invalid == [
        "1-101: the database refused it: value too long for type character varying(8)"
    ]
    # Everything that followed from 1-101 went with it: rating, history, alert, email.
    assert CqcLocation.objects.get(pk="1-101").overall == "Good"
    assert CqcLocation.objects.get(pk="1-102").postcode == "NM1 2BB"
    assert not CqcRatingChange.objects.exists()
    assert alerts_in(tenant_a) == []
    with tenant_context(tenant_a.tenant):
        assert not AuditEntry.objects.filter(action="catalogue.rating_alert.created").exists()
    assert callbacks == []
    assert mail.outbox == []
    assert CqcSyncState.objects.get(feed="locations").synced_until == NOW


class SmtpDownFor(locmem.EmailBackend):
    """Delivers to the outbox like the test backend, but the mail server hangs up on
    messages to the addresses in `DOWN`."""

    DOWN = frozenset({"admin@northmoor.example"})

    def send_messages(self, messages: Any) -> int:
        for message in messages:
            if self.DOWN.intersection(message.to):
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def test_an_email_that_cannot_be_sent_is_logged_and_the_others_still_go(
    tenant_a, tenant_b, cqc: FakeCqc, settings, caplog, django_capture_on_commit_callbacks
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.SmtpDownFor"
    provider = provider_with_location("1-101")
    decide(tenant_a, provider, "approved")
    decide(tenant_b, provider, "approved")
    with tenant_context(tenant_a.tenant):
        user_create(
            email="zoe@northmoor.example",
            full_name="Zoe Approver",
            role_codes=["council_admin"],
            password=PASSWORD,
        )
    use_public_schema()
    cqc_location_apply(data=location_json("1-101", rating="Good"), source="api")
    CqcSyncState.objects.create(feed="locations", synced_until=NOW - timedelta(hours=1))
    cqc.locations["1-101"] = location_json("1-101", rating="Inadequate", report_date="2026-03-09")
    cqc.locations["1-102"] = location_json("1-102")
    cqc.changes = [(NOW - timedelta(minutes=30), "1-101"), (NOW - timedelta(minutes=20), "1-102")]

    with django_capture_on_commit_callbacks(execute=True):
        result = cqc_sync_changes(client=client_for(cqc), now=NOW)

    assert (result.status, result.created, result.updated, result.alerts) == (
        "succeeded",
        1,
        1,
        2,
    )
    # Northmoor's administrator could not be emailed; Northmoor's other approver and
    # Southbay's still were, and the alerts stand for the council to see.
    assert [message.to for message in mail.outbox] == [
        ["zoe@northmoor.example"],
        ["admin@southbay.example"],
    ]
    assert alerts_in(tenant_a) == [("1-101", "Good", "Inadequate", date(2026, 3, 9))]
    assert alerts_in(tenant_b) == [("1-101", "Good", "Inadequate", date(2026, 3, 9))]
    failures = [r for r in caplog.records if r.levelno == logging.ERROR and r.exc_info]
    assert len(failures) == 1
    assert "Connection unexpectedly closed" in failures[0].getMessage()
    assert CqcSyncState.objects.get(feed="locations").synced_until == NOW


# --- The periodic task and the command ---------------------------------------------------


def test_the_task_does_nothing_while_the_sync_is_off(db, settings, caplog) -> None:
    settings.CQC_SYNC_ENABLED = False
    caplog.set_level(logging.INFO, logger="catalogue.tasks")

    assert cqc_sync() is None

    assert "CQC sync skipped: CQC_SYNC_ENABLED is off" in caplog.messages
    assert not CqcSyncState.objects.exists()


def test_the_task_syncs_from_the_configured_api(db, settings, cqc: FakeCqc) -> None:
    settings.CQC_SYNC_ENABLED = True
    settings.CQC_API_URL = cqc.url
    settings.CQC_API_KEY = KEY
    cqc.locations["1-101"] = location_json("1-101")
    cqc.changes = [(timezone.now() - timedelta(hours=1), "1-101")]

    summary = cqc_sync()

    assert summary is not None
    assert (summary["status"], summary["changed"], summary["created"]) == ("succeeded", 1, 1)
    assert CqcLocation.objects.filter(pk="1-101").exists()
    assert CqcSyncState.objects.get(feed="locations").last_result == "succeeded"


def test_beat_runs_the_sync_daily_in_the_public_schema() -> None:
    entry = django_settings.CELERY_BEAT_SCHEDULE["cqc-sync"]

    assert entry == {
        "task": "catalogue.tasks.cqc_sync",
        "schedule": 86400.0,
        "tenant_schemas": ["public"],
    }
    assert cqc_sync.name == "catalogue.tasks.cqc_sync"


def test_the_command_imports_the_directory_and_summarises(db) -> None:
    out, err = io.StringIO(), io.StringIO()

    call_command("cqc", "import-csv", str(FIXTURE), stdout=out, stderr=err)

    summary = out.getvalue().splitlines()
    assert summary[0].startswith("Read 12 rows from cqc_directory_sample.csv in ")
    assert summary[0].endswith("s: 7 new, 0 changed, 0 unchanged, 5 bad.")
    assert summary[1] == "0 overall ratings changed; 0 council alerts raised."
    errors = err.getvalue()
    assert "CQC locations [" in errors  # the progress bar
    assert "Skipped 5 bad rows:" in errors
    assert "  line 8: unknown CQC rating 'Brilliant'" in errors


def test_the_command_refuses_a_missing_file(db, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"Cannot read .*nope\.csv: No such file"):
        call_command("cqc", "import-csv", str(tmp_path / "nope.csv"), verbosity=0)


def test_the_command_syncs_and_says_how_far(db, settings, cqc: FakeCqc) -> None:
    settings.CQC_API_URL = cqc.url
    settings.CQC_API_KEY = KEY
    cqc.locations["1-101"] = location_json("1-101")
    yesterday = timezone.localdate() - timedelta(days=1)
    cqc.changes = [(timezone.now() - timedelta(minutes=5), "1-101")]
    out = io.StringIO()

    call_command("cqc", "sync", "--since", yesterday.isoformat(), stdout=out)

    assert out.getvalue().startswith(f"Synced {yesterday.isoformat()} 00:00 to ")
    assert "1 changed location listed; 1 new, 0 changed, 0 unchanged" in out.getvalue()


def test_the_command_fails_when_cqc_does(db, settings, cqc: FakeCqc) -> None:
    settings.CQC_API_URL = cqc.url
    settings.CQC_API_KEY = "wrong"

    with pytest.raises(CommandError, match=r"CQC sync failed.*HTTP 401"):
        call_command("cqc", "sync", stdout=io.StringIO())

    assert CqcSyncState.objects.get(feed="locations").last_result == "failed"


@pytest.mark.slow
def test_the_command_exits_1_for_a_missing_file(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": database_url()}
    env.pop("DEBUG", None)

    result = subprocess.run(
        [str(Path(sys.executable).parent / "epurse"), "cqc", "import-csv", str(tmp_path / "x.csv")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert f"Cannot read {tmp_path / 'x.csv'}: No such file or directory" in result.stderr
