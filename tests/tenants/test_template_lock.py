"""Onboarding and template migrations never overlap, across processes: a clone never
copies a template that is half-way through a migration."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.db import connection, connections

from tenants.models import Tenant
from tenants.schemas import TEMPLATE_LOCK_KEY
from tenants.services import tenant_create
from tests.conftest import tenant_drop


@pytest.fixture
def lockwood(committed) -> Iterator[str]:
    tenant_drop("lockwood")
    yield "lockwood"
    tenant_drop("lockwood")


def test_onboarding_waits_for_whoever_holds_the_template(lockwood: str) -> None:
    holder = connection.get_new_connection(connection.get_connection_params())
    with holder.cursor() as cursor:  # as a deploy migrating the template would
        cursor.execute("SELECT pg_advisory_lock(%s)", [TEMPLATE_LOCK_KEY])
    finished = threading.Event()
    errors: list[BaseException] = []

    def onboard() -> None:
        try:
            tenant_create(
                name="Lockwood Borough Council",
                slug=lockwood,
                kind="council",
                admin_email="lead@lockwood.example",
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()
            finished.set()

    thread = threading.Thread(target=onboard)
    thread.start()
    try:
        assert not finished.wait(1.5), "onboarding did not wait for the template lock"
        assert not Tenant.objects.filter(schema_name=lockwood).exists()
    finally:
        holder.close()  # the deploy is done: the lock goes with its session

    assert finished.wait(60)
    thread.join()
    assert errors == []
    assert Tenant.objects.filter(schema_name=lockwood).exists()
