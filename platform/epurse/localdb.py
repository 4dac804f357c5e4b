"""The embedded PostgreSQL used when no DATABASE_URL is configured.

pgserver ships real PostgreSQL binaries in its wheel. The server listens on a Unix
socket only (no TCP port to collide with), keeps its data under .local/pgdata, and is
stopped at exit by the process that started it, so `make run` and `make test` leave
nothing running. A process that finds it already running (a child of `make run`, a
second terminal) uses it and leaves it alone.
"""

from __future__ import annotations

import atexit
import logging
import os
import subprocess
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .paths import LOCAL_DIR

logger = logging.getLogger(__name__)

DATABASE_NAME = "epurse"
PGDATA = LOCAL_DIR / "pgdata"
# Unix socket paths are limited to ~107 bytes; pgserver puts the socket in PGDATA when
# it fits (it nearly always does), so its URL is known before the server runs.
_SOCKET_FITS = len(str(PGDATA / ".s.PGSQL.5432")) < 100

_started = False


def embedded_database_url() -> str:
    """The URL of the embedded server's `epurse` database. The server itself starts on
    the first connection (see epurse.db), so commands that never touch the database
    (linting, --help) never start it."""
    socket_dir = PGDATA if _SOCKET_FITS else ensure_started()
    return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DATABASE_NAME}"


def ensure_started() -> Path:
    """Start the embedded server if it is not running; returns its socket directory.
    The process that starts it stops it when that process exits."""
    global _started
    server, started_here = _ensure_running(PGDATA)
    socket_dir = Path(server.get_postmaster_info().socket_dir)
    if not _started:
        _started = True
        if started_here:
            atexit.register(_stop_if_owner, os.getpid())
        _ensure_database(str(socket_dir), DATABASE_NAME)
    return socket_dir


def is_running() -> bool:
    info = _postmaster_info()
    return info is not None and info.is_running()


def stop() -> None:
    """Stop the embedded server if it runs (fast shutdown: open sessions are ended)."""
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


def _postmaster_info() -> Any:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); harmless.
        warnings.simplefilter("ignore")
        from pgserver.utils import PostmasterInfo
    return PostmasterInfo.read_from_pgdata(PGDATA) if PGDATA.exists() else None


def _system_user() -> str | None:
    # PostgreSQL refuses to run as root; pgserver then runs it as its own user.
    return "pgserver" if os.geteuid() == 0 else None


def _ensure_running(pgdata: Path) -> tuple[Any, bool]:
    was_running = is_running()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        pgdata.parent.mkdir(parents=True, exist_ok=True)
        # cleanup_mode=None: the starting process stops it (see _stop_if_owner), not
        # pgserver's per-process list, which never forgets a process killed by SIGKILL.
        server = pgserver.get_server(pgdata, cleanup_mode=None)
    if not was_running:
        logger.info("Started embedded PostgreSQL in %s", pgdata)
    return server, not was_running


def _ensure_database(socket_dir: str, name: str) -> None:
    import psycopg2

    conn = psycopg2.connect(host=socket_dir, user="postgres", dbname="postgres")
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def _stop_if_owner(owner_pid: int) -> None:
    # Forked children (Celery's pool) inherit atexit handlers; only the starter stops.
    if os.getpid() == owner_pid:
        stop()
