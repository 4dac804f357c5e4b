"""Errors reach Sentry tagged with the tenant, and without personal data.

A local HTTP server stands in for Sentry's ingest endpoint and receives the real
envelope the SDK sends."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import brotli  # type: ignore[import-untyped]
import pytest
import sentry_sdk
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory, override_settings

from epurse.sentry import scrub_event, sentry_init


class Ingest(BaseHTTPRequestHandler):
    envelopes: list[bytes]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":  # the SDK's choice when brotli is installed (WeasyPrint's)
            body = brotli.decompress(body)
        self.server.envelopes.append(body)  # type: ignore[attr-defined]
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def ingest() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Ingest)
    server.envelopes = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sentry_init(dsn=f"http://publickey@127.0.0.1:{server.server_port}/42", environment="test")
    yield server
    sentry_sdk.get_global_scope().set_client(None)  # off again
    assert not sentry_sdk.get_client().is_active()
    server.shutdown()


def events(envelopes: list[bytes]) -> list[dict[str, Any]]:
    found = []
    for envelope in envelopes:
        lines = envelope.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                found.append(json.loads(payload))
    return found


def wsgi_post(path: str, data: dict[str, str], **headers: Any) -> int:
    """Through Django's WSGIHandler, as gunicorn calls it (the test client skips the
    WSGI layer, where Sentry reads the URL and headers)."""
    environ = RequestFactory().post(path, data, **headers).environ
    status: list[str] = []

    def start_response(code: str, headers: Any, exc_info: Any = None) -> Any:
        status.append(code)
        return lambda data: None

    # As Django's test client does: keep the test's transaction open across the call.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        WSGIHandler()(environ, start_response)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return int(status[0].split()[0])


@override_settings(ROOT_URLCONF="tests.epurse.sentry_urls")
def test_an_error_in_a_tenant_request_arrives_tagged_and_scrubbed(ingest, tenant_a) -> None:
    status = wsgi_post(
        "/fail/?email=margaret@example.org",
        {
            "email": "margaret@example.org",
            "password": "hunter2-hunter2",
            "nhs_number": "9434765919",
        },
        HTTP_HOST=tenant_a.host,
        HTTP_AUTHORIZATION="Token very-secret-token",
        HTTP_COOKIE="sessionid=secret-session-cookie",
    )
    sentry_sdk.flush(timeout=10)

    assert status == 500
    [event] = events(ingest.envelopes)  # type: ignore[attr-defined]
    assert event["tags"]["tenant"] == "northmoor"
    raw = json.dumps(event)
    for secret in (
        "margaret@example.org",
        "hunter2",
        "943 476 5919",
        "9434765919",
        "very-secret-token",
        "secret-session-cookie",
    ):
        assert secret not in raw, f"{secret!r} reached Sentry"
    request = event["request"]
    assert request["url"] == "http://northmoor.localhost/fail/"
    assert request["method"] == "POST"
    assert request["headers"]["Authorization"] == "[Filtered]"
    assert request.get("data", "") == ""  # bodies are never read (max_request_body_size)
    assert "cookies" not in request
    assert "user" not in event
    [exception] = event["exception"]["values"]
    assert exception["type"] == "ValueError"
    assert exception["value"] == "could not plan care for [Filtered], NHS number [Filtered]"


@pytest.mark.parametrize(("dsn", "active"), [("", False), ("http://key@127.0.0.1:9/1", True)])
def test_sentry_is_initialised_only_when_sentry_dsn_is_set(dsn: str, active: bool) -> None:
    code = (
        "import django, sentry_sdk; django.setup(); "
        "client = sentry_sdk.get_client(); "
        "print(client.is_active(), client.options.get('send_default_pii'), "
        "getattr(client.options.get('before_send'), '__name__', None))"
    )
    env = {**os.environ, "SENTRY_DSN": dsn, "DJANGO_SETTINGS_MODULE": "tests.settings"}

    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )

    expected = "True False scrub_event" if active else "False None None"
    assert result.stdout.split("\n")[-2] == expected


def test_set_password_link_tokens_are_masked_wherever_they_appear() -> None:
    link = "/account/set-password/0b9e3a0c-6f1e-4d2b-9a55-3d2f1c0e7a11/dih1ov-5590cdad9d76f85130/"
    event = {
        "request": {"url": "https://northmoor.localhost" + link},
        "breadcrumbs": {"values": [{"message": f"GET {link} 404"}]},
    }

    scrubbed = scrub_event(event)

    masked = "/account/set-password/0b9e3a0c-6f1e-4d2b-9a55-3d2f1c0e7a11/[Filtered]/"
    assert scrubbed["request"]["url"] == "https://northmoor.localhost" + masked
    assert scrubbed["breadcrumbs"]["values"][0]["message"] == f"GET {masked} 404"
