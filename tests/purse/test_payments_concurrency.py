"""Idempotency on real parallel connections: twenty requests with one key at the same
moment pay once and all get the same answer; a key whose first request is still
running gets 409, then its answer once that request has finished."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest
from django.db import connection, connections
from django_tenants.utils import tenant_context

from accounts.services import user_create
from purse.ledger.models import Account, LedgerTransaction
from tenants.services import tenant_create
from tests.conftest import PASSWORD, TenantUsers, signed_in_client, tenant_drop
from tests.purse.test_payments_api import active_budget, pay

SLUG = "idemrace"


@pytest.fixture
def racing(committed) -> Iterator[Any]:
    tenant_drop(SLUG)
    tenant = tenant_create(
        name="Idemrace Borough Council",
        slug=SLUG,
        kind="council",
        admin_email=f"admin@{SLUG}.example",
        admin_password=PASSWORD,
    ).tenant
    with tenant_context(tenant):
        finance = user_create(
            email=f"fin@{SLUG}.example", full_name="Fin", role_codes=["finance_officer"]
        )
        budget = active_budget()
    users = TenantUsers(tenant=tenant, host=f"{SLUG}.localhost", admin=None, person=None)
    yield users, finance, budget
    tenant_drop(SLUG)


def test_twenty_concurrent_replays_pay_once_and_answer_alike(racing) -> None:
    users, finance, budget = racing
    body = {"amount_pence": 4000, "reason": "Bus pass"}
    start = threading.Barrier(20)
    answers: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def replay() -> None:
        try:
            client = signed_in_client(users, finance)
            start.wait()
            response = pay(client, budget.pk, body, "bus-pass-2026")
            with lock:
                answers.append((response.status_code, response.content))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=replay) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(answers) == 20
    assert {status for status, _ in answers} == {201}
    assert len({content for _, content in answers}) == 1
    with tenant_context(users.tenant):
        assert LedgerTransaction.objects.filter(kind="one_off").count() == 1
        purse = Account.objects.get(person=budget.person)
        assert purse.available_pence == 4000


def test_a_key_still_in_use_gets_409_and_then_its_answer(racing, settings) -> None:
    users, finance, budget = racing
    settings.IDEMPOTENCY_WAIT_SECONDS = 0.5
    client = signed_in_client(users, finance)
    body = {"amount_pence": 700, "reason": "Taxi"}
    # Another request with the key is running: its row is written but not committed.
    params = connection.get_connection_params()
    other = psycopg2.connect(**params)
    try:
        with other.cursor() as cursor:
            cursor.execute(f'SET search_path TO "{SLUG}", public')
            cursor.execute(
                "INSERT INTO core_idempotencykey (user_id, key, fingerprint, status, created_at)"
                " VALUES (%s, 'taxi-1', 'x', 'running', now())",
                [str(finance.public_id)],
            )
        busy = pay(client, budget.pk, body, "taxi-1")
        assert busy.status_code == 409
        assert "still being processed" in busy.json()["detail"]
    finally:
        other.rollback()  # the other request failed: nothing of it is kept
        other.close()
    done = pay(client, budget.pk, body, "taxi-1")
    assert done.status_code == 201, done.content


def test_a_new_key_waits_for_a_busy_purse_rather_than_answering_409(racing, settings) -> None:
    users, finance, budget = racing
    settings.IDEMPOTENCY_WAIT_SECONDS = 0.2
    client = signed_in_client(users, finance)
    with tenant_context(users.tenant):
        purse = Account.objects.get(person=budget.person)
    other = psycopg2.connect(**connection.get_connection_params())
    try:
        with other.cursor() as cursor:
            cursor.execute(f'SET search_path TO "{SLUG}", public')
            cursor.execute("SELECT 1 FROM ledger_account WHERE id = %s FOR UPDATE", [purse.pk])
        # The purse is busy for a second, longer than the key's wait.
        threading.Timer(1.0, other.rollback).start()
        paid = pay(client, budget.pk, {"amount_pence": 300, "reason": "Taxi"}, "new-key-1")
    finally:
        time.sleep(1.1)
        other.close()
    assert paid.status_code == 201, paid.content
