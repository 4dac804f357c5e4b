"""Make sure the configured database exists (a fresh PostgreSQL has none)."""

from __future__ import annotations

from typing import Any

import psycopg2
from psycopg2 import sql


def database_create_if_missing(db: dict[str, Any]) -> bool:
    """Connect to the server's `postgres` database and create db["NAME"] if absent.
    Returns True when it created it. The embedded server makes its own on start."""
    if db.get("EMBEDDED"):
        from .localdb import ensure_started

        ensure_started()
        return False
    params = {
        "dbname": "postgres",
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        **{k: v for k, v in (db.get("OPTIONS") or {}).items() if k in {"host", "sslmode"}},
    }
    conn = psycopg2.connect(**{k: v for k, v in params.items() if v is not None})
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
            if cur.fetchone() is not None:
                return False
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            return True
    finally:
        conn.close()
