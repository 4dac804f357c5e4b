"""Fifty checkouts at the same moment, through the API on real parallel connections,
against a purse that can afford ten: exactly ten orders, forty clear "not enough money"
answers, and the balance exact to the penny."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django_tenants.utils import tenant_context

from accounts.services import user_create
from purse.ledger.models import LedgerTransaction
from purse.orders.models import Order
from tests.conftest import TenantUsers, council_committed, signed_in_client
from tests.purse.ledger.conftest import assert_books_balance

from .support import market
from .test_orders_api import checkout, order_body

SLUG = "checkoutrace"
CHECKOUTS = 50
AFFORDABLE = 10
VISIT = 2700  # 1.5 hours at £18


@pytest.fixture
def council(committed, django_db_setup) -> Iterator[TenantUsers]:
    with council_committed(SLUG, django_db_setup["a"]) as onboarded:
        with tenant_context(onboarded.tenant):
            holder = user_create(
                email=f"person@{SLUG}.example", full_name="Pat Holder", role_codes=["budget_holder"]
            )
        yield TenantUsers(
            tenant=onboarded.tenant, host=f"{SLUG}.localhost", admin=onboarded.admin, person=holder
        )


def test_fifty_checkouts_on_a_purse_that_affords_ten(council: TenantUsers) -> None:
    m = market(council, funds=AFFORDABLE * VISIT)
    start = threading.Barrier(CHECKOUTS)
    answers: Counter[Any] = Counter()
    lock = threading.Lock()

    def buy() -> None:
        try:
            client = signed_in_client(council, council.person)
            start.wait()
            response = checkout(client, order_body(m), key=str(uuid.uuid4()))
            outcome = (response.status_code, response.json().get("title"))
        finally:
            connections.close_all()
        with lock:
            answers[outcome] += 1

    threads = [threading.Thread(target=buy) for _ in range(CHECKOUTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    assert answers == {
        (201, None): AFFORDABLE,
        (400, "Not enough money"): CHECKOUTS - AFFORDABLE,
    }
    with tenant_context(council.tenant):
        m.purse.refresh_from_db()
        assert (m.purse.available_pence, m.purse.debits_pending) == (0, AFFORDABLE * VISIT)
        assert Order.objects.count() == AFFORDABLE
        assert LedgerTransaction.objects.filter(kind="hold").count() == AFFORDABLE
        assert_books_balance()
