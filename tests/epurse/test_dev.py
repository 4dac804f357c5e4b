"""`epurse dev` (what `make run` runs) stops everything it started, however it ends."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from tests.conftest import database_url

pytestmark = pytest.mark.slow
EPURSE = str(Path(sys.executable).parent / "epurse")


def descendants(pid: int) -> set[int]:
    children = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    found = {int(child) for child in children}
    for child in list(found):
        found |= descendants(child)
    return found


def alive(pids: set[int]) -> set[int]:
    still = set()
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        status = (
            Path(f"/proc/{pid}/stat").read_text().split()[2]
            if Path(f"/proc/{pid}/stat").exists()
            else "X"
        )
        if status != "Z":
            still.add(pid)
    return still


@pytest.fixture
def own_database(committed) -> Iterator[str]:
    """A database of its own on the test server: `dev` migrates and seeds the demo."""
    name = f"{connection.settings_dict['NAME']}_dev"
    yield database_url().rsplit("/", 1)[0] + "/" + name
    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    admin = psycopg2.connect(**params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.mark.parametrize(
    "ending", [signal.SIGINT, signal.SIGHUP], ids=["ctrl-c", "terminal-closed"]
)
def test_dev_stops_web_worker_and_beat(own_database: str, tmp_path: Path, ending: int) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": own_database,
        "DEBUG": "1",
        "EPURSE_LOCAL_DIR": str(tmp_path),
        "EMAIL_BACKEND": "memory",
    }
    dev = subprocess.Popen(
        [EPURSE, "dev", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert dev.poll() is None, dev.communicate()[0]
            assert time.monotonic() < deadline, "dev did not become ready"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        started = descendants(dev.pid)
        assert len(started) >= 3  # web (and its reloader child), worker (and pool), beat

        dev.send_signal(ending)
        output, _ = dev.communicate(timeout=60)
    finally:
        if dev.poll() is None:
            dev.kill()

    assert "Stopping web, worker and beat" in output
    time.sleep(0.5)
    assert alive(started) == set()
