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


class User:
    """A process that uses the embedded database until told to exit."""

    def __init__(self, local: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", CONNECT + "print('ready', flush=True)\ninput()\n"],
            env=env_for(local),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        deadline = time.monotonic() + 120
        while "ready" not in self.process.stdout.readline():
            assert time.monotonic() < deadline
            assert self.process.poll() is None

    def exit(self) -> None:
        self.process.communicate("\n", timeout=60)
        assert self.process.returncode == 0


def test_the_last_process_using_it_stops_it_whoever_started_it(tmp_path: Path) -> None:
    starter = User(tmp_path)
    joiner = User(tmp_path)
    subprocess.run(  # a third comes and goes
        [sys.executable, "-c", CONNECT],
        env=env_for(tmp_path),
        check=True,
        timeout=60,
        capture_output=True,
    )
    assert postgres_running(tmp_path)

    starter.exit()
    assert postgres_running(tmp_path)  # the joiner still uses it

    joiner.exit()
    assert not postgres_running(tmp_path)


def test_a_user_that_was_killed_does_not_keep_it_running(tmp_path: Path) -> None:
    killed = User(tmp_path)
    killed.process.kill()
    killed.process.wait()
    assert postgres_running(tmp_path)

    User(tmp_path).exit()

    assert not postgres_running(tmp_path)
