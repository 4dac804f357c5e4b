"""Make sure the configured database exists (a fresh PostgreSQL has none)."""

from __future__ import annotations

from typing import Any

import psycopg2
from psycopg2 import sql


def database_create_if_missing(db: dict[str, Any]) -> bool:
    """Create settings.DATABASES entry `db`'s database if absent; True if it did.
    The embedded server makes its own when it starts."""
    if db.get("EMBEDDED"):
        from .localdb import ensure_started

        ensure_started()
        return False
    params = {
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        **{k: v for k, v in (db.get("OPTIONS") or {}).items() if k in {"host", "sslmode"}},
    }
    return create_database_if_missing(params=params, name=db["NAME"])


def create_database_if_missing(*, params: dict[str, Any], name: str) -> bool:
    """Connect to the server's `postgres` database with `params` and create `name`."""
    conn = psycopg2.connect(dbname="postgres", **{k: v for k, v in params.items() if v is not None})
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is not None:
                return False
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    finally:
        conn.close()
