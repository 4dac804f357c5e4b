"""/healthz (the process is up) and /readyz (database and broker reachable)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import host_client


@pytest.mark.parametrize(
    "host", ["northmoor.localhost", "localhost", "10.1.2.3", "unknown.example"]
)
def test_healthz_answers_on_every_host(db, host: str) -> None:
    response = host_client(host).get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("host", ["northmoor.localhost", "localhost"])
def test_readyz_checks_database_and_broker(db, host: str) -> None:
    response = host_client(host).get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "broker": "ok"}}


def test_readyz_is_503_when_the_broker_is_unreachable(db, monkeypatch) -> None:
    from epurse.celery import app

    unreachable = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    # Celery prefers the CELERY_BROKER_URL environment variable over its config.
    monkeypatch.setenv("CELERY_BROKER_URL", unreachable)
    monkeypatch.setitem(app.conf, "broker_url", unreachable)

    response = host_client("northmoor.localhost").get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "not ready",
        "checks": {"database": "ok", "broker": "unreachable"},
    }


def test_readyz_is_503_when_the_database_is_unreachable() -> None:
    # In a process of its own: this one's connection is the test database's.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nothing",
    }
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client(HTTP_HOST='northmoor.localhost').get('/readyz')\n"
        "print(r.status_code, r.content.decode())"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )

    status, body = result.stdout.strip().split(" ", 1)
    assert status == "503"
    assert '"database": "unreachable"' in body
