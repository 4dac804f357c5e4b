"""The embedded PostgreSQL used when no DATABASE_URL is configured.

pgserver ships real PostgreSQL binaries in its wheel. The server listens on a Unix
socket only (no TCP port to collide with) and keeps its data under .local/pgdata.

Every process that uses it registers itself in .local/pgusers; when a process exits it
removes itself, and the last one out stops the server. So `make run` and `make test`
leave nothing running, and closing an `epurse shell` in one terminal does not pull the
database from under `make run` in another. A file lock serialises starting, joining and
stopping between processes.
"""

from __future__ import annotations

import atexit
import fcntl
import logging
import os
import subprocess
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .paths import LOCAL_DIR

logger = logging.getLogger(__name__)

DATABASE_NAME = "epurse"
PGDATA = LOCAL_DIR / "pgdata"
USERS_DIR = LOCAL_DIR / "pgusers"
LOCK_FILE = LOCAL_DIR / "pgserver.lock"
# Unix socket paths are limited to ~107 bytes; pgserver puts the socket in PGDATA when
# it fits (it nearly always does), so its URL is known before the server runs.
_SOCKET_FITS = len(str(PGDATA / ".s.PGSQL.5432")) < 100

_registered_pid: int | None = None


def embedded_database_url() -> str:
    """The URL of the embedded server's `epurse` database. When the socket path fits
    (nearly always), the server itself starts on the first connection (see epurse.db),
    so commands that never touch the database (linting, --help) never start it."""
    socket_dir = PGDATA if _SOCKET_FITS else ensure_started()
    return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DATABASE_NAME}"


def ensure_started() -> Path:
    """Start the server if it is not running and register this process as a user of
    it; returns its socket directory."""
    global _registered_pid
    with _lock():
        server = _server()
        socket_dir = Path(server.get_postmaster_info().socket_dir)
        if _registered_pid != os.getpid():
            _registered_pid = os.getpid()
            USERS_DIR.mkdir(parents=True, exist_ok=True)
            (USERS_DIR / str(_registered_pid)).touch()
            atexit.register(_leave, _registered_pid)
            from .database import create_database_if_missing

            create_database_if_missing(
                params={"host": str(socket_dir), "user": "postgres"}, name=DATABASE_NAME
            )
    return socket_dir


def is_running() -> bool:
    info = _postmaster_info()
    return info is not None and info.is_running()


def stop() -> None:
    """Stop the server if it runs (fast shutdown: open sessions are ended)."""
    if not is_running():
        return
    from pgserver._commands import POSTGRES_BIN_PATH

    result = subprocess.run(  # noqa: S603 - our own binary and arguments
        [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(PGDATA), "-w", "-m", "fast", "stop"],
        user=_system_user(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:  # it may have stopped between the check and here
        logger.debug("embedded PostgreSQL did not stop cleanly: %s", result.stderr)


def live_users() -> list[int]:
    """Processes registered as using the server; entries of dead ones are removed."""
    alive = []
    for entry in USERS_DIR.glob("*") if USERS_DIR.exists() else []:
        pid = int(entry.name) if entry.name.isdigit() else 0
        if pid and _pid_alive(pid):
            alive.append(pid)
        else:
            entry.unlink(missing_ok=True)
    return sorted(alive)


def _leave(pid: int) -> None:
    # Forked children (Celery's pool) inherit atexit handlers: only `pid` itself leaves.
    if os.getpid() != pid:
        return
    with _lock():
        (USERS_DIR / str(pid)).unlink(missing_ok=True)
        if not live_users():
            stop()


@contextmanager
def _lock() -> Iterator[None]:
    LOCAL_DIR.mkdir(parents=True, exist_ok=True)
    with open(LOCK_FILE, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _postmaster_info() -> Any:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); harmless.
        warnings.simplefilter("ignore")
        from pgserver.utils import PostmasterInfo
    return PostmasterInfo.read_from_pgdata(PGDATA) if PGDATA.exists() else None


def _system_user() -> str | None:
    # PostgreSQL refuses to run as root; pgserver then runs it as its own user.
    return "pgserver" if os.geteuid() == 0 else None


def _server() -> Any:
    was_running = is_running()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        # cleanup_mode=None: stopping is ours (see _leave), not pgserver's own list of
        # processes, which never forgets one killed by SIGKILL.
        server = pgserver.get_server(PGDATA, cleanup_mode=None)
    if not was_running:
        logger.info("Started embedded PostgreSQL in %s", PGDATA)
    return server
