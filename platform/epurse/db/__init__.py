"""Database backend: django-tenants' PostgreSQL backend, starting the embedded server
(when no DATABASE_URL is set) just before the first connection. Also typed helpers for
the schema the shared connection is using."""

from typing import Any

from django.db import connection

PUBLIC_SCHEMA = "public"


def _tenant_connection() -> Any:
    # django-tenants adds these methods to the connection; the stubs do not know them.
    return connection


def current_schema() -> str:
    return str(getattr(connection, "schema_name", PUBLIC_SCHEMA))


def use_public_schema() -> None:
    _tenant_connection().set_schema_to_public()


def use_schema(name: str, *, include_public: bool = True) -> None:
    _tenant_connection().set_schema(name, include_public=include_public)
