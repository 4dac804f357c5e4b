"""The embedded PostgreSQL: started on first use when no DATABASE_URL is set, and
stopped by the process that started it, never by one that merely used it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CONNECT = (
    "import django; django.setup()\n"
    "from django.db import connection\n"
    "with connection.cursor() as c:\n"
    "    c.execute('select version()'); print(c.fetchone()[0])\n"
)


def env_for(local: Path) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "EPURSE_LOCAL_DIR": str(local)}
    env.pop("DATABASE_URL", None)
    return env


def postgres_running(local: Path) -> bool:
    return (
        subprocess.run(["pgrep", "-f", str(local / "pgdata")], capture_output=True).returncode == 0
    )


def test_no_server_is_started_by_commands_that_do_not_need_it(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env_for(tmp_path),
        check=True,
        timeout=60,
    )

    assert not (tmp_path / "pgdata").exists()


def test_first_connection_starts_it_and_the_starter_stops_it(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CONNECT],
        env=env_for(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("PostgreSQL 16")
    assert (tmp_path / "pgdata" / "PG_VERSION").exists()
    assert not postgres_running(tmp_path)


def test_a_process_that_found_it_running_leaves_it_running(tmp_path: Path) -> None:
    starter = subprocess.Popen(
        [sys.executable, "-c", CONNECT + "print('ready', flush=True)\ninput()\n"],
        env=env_for(tmp_path),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert starter.stdout is not None
        deadline = time.monotonic() + 120
        while "ready" not in starter.stdout.readline():
            assert time.monotonic() < deadline
            assert starter.poll() is None

        subprocess.run(
            [sys.executable, "-c", CONNECT],
            env=env_for(tmp_path),
            check=True,
            timeout=60,
            capture_output=True,
        )

        assert postgres_running(tmp_path)
    finally:
        starter.communicate("\n", timeout=60)
    assert starter.returncode == 0
    assert not postgres_running(tmp_path)
