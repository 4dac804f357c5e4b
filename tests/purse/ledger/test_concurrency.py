"""Holds placed at the same moment, on real parallel database connections, against a
purse that can afford only some of them: exactly those succeed, the rest are told there
is not enough money, and the balance is exact."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
from django.db import connections
from django_tenants.utils import tenant_context

from core.errors import DomainError
from purse.ledger.models import Account, LedgerTransaction
from purse.ledger.services import (
    Leg,
    hold_capture,
    hold_place,
    payable_open,
    purse_open,
    shared_account,
    transfer,
)
from tenants.services import tenant_create
from tests.conftest import PASSWORD, tenant_drop
from tests.purse import plan_builders as b

from .conftest import assert_books_balance

SLUG = "ledgerrace"
CHECKOUTS = 50
AFFORDABLE = 10
PRICE = 1250


@pytest.fixture
def racing(committed) -> Iterator[object]:
    tenant_drop(SLUG)
    yield tenant_create(
        name="Ledgerrace Borough Council",
        slug=SLUG,
        kind="council",
        admin_email=f"admin@{SLUG}.example",
        admin_password=PASSWORD,
    ).tenant
    tenant_drop(SLUG)


def _in_parallel(tenant: object, work, count: int) -> Counter[str]:  # type: ignore[no-untyped-def]
    """Run `work(i)` on `count` threads, each with its own connection, all released at
    once; count how each ended."""
    start = threading.Barrier(count)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            with tenant_context(tenant):
                start.wait()
                work(i)
            outcome = "ok"
        except DomainError as error:
            outcome = type(error).__name__
        finally:
            connections.close_all()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_fifty_holds_on_a_purse_that_affords_ten(racing) -> None:
    with tenant_context(racing):
        purse = purse_open(person=b.person())
        payables = [payable_open(provider_id=uuid.uuid4()) for _ in range(3)]
        transfer(
            kind="topup",
            legs=[Leg(shared_account(Account.Kind.FUNDING), purse, AFFORDABLE * PRICE)],
        )

    outcomes = _in_parallel(
        racing,
        lambda i: hold_place(purse=purse, payable=payables[i % 3], amount_pence=PRICE),
        CHECKOUTS,
    )

    assert outcomes == {"ok": AFFORDABLE, "NotEnoughMoney": CHECKOUTS - AFFORDABLE}
    with tenant_context(racing):
        purse.refresh_from_db()
        assert (purse.available_pence, purse.debits_pending) == (0, AFFORDABLE * PRICE)
        assert LedgerTransaction.objects.filter(kind="hold").count() == AFFORDABLE
        assert_books_balance()


def test_one_hold_captured_by_many_at_once_is_paid_once(racing) -> None:
    with tenant_context(racing):
        purse = purse_open(person=b.person())
        payable = payable_open(provider_id=uuid.uuid4())
        transfer(kind="topup", legs=[Leg(shared_account(Account.Kind.FUNDING), purse, 5000)])
        hold = hold_place(purse=purse, payable=payable, amount_pence=3000)

    outcomes = _in_parallel(racing, lambda i: hold_capture(hold=hold, amount_pence=2000), 20)

    assert outcomes == {"ok": 1, "AlreadyResolved": 19}
    with tenant_context(racing):
        payable.refresh_from_db()
        assert (payable.credits_posted, payable.credits_pending) == (2000, 0)
        assert_books_balance()


def test_top_up_runs_at_the_same_moment_pay_each_cycle_once(racing) -> None:
    from purse.models import Budget
    from purse.services.funding import topups_run
    from purse.services.plans import plan_approve, plan_create

    with tenant_context(racing):
        carol = b.staff("Carol Racer")
        version = b.rules_version()
        for _ in range(30):
            plan = plan_create(
                assessment=b.assessment(b.person(), version, carol, indicative=7000),
                outcomes="Stay at home",
                management="council_managed",
                lines=[("home-care", "Mornings", 7000)],
                weekly_budget_pence=7000,
                starts_on=b.dt.date(2026, 1, 5),
                by=carol,
            )
            plan_approve(plan=plan, by=carol)
        due = Budget.objects.count() * 28000 * 3  # three cycles by 2 March

    outcomes = _in_parallel(racing, lambda i: topups_run(on=b.dt.date(2026, 3, 2)), 6)

    assert outcomes == {"ok": 6}
    with tenant_context(racing):
        assert LedgerTransaction.objects.filter(kind="topup").count() == 30 * 3
        assert Account.objects.get(code="funding").debits_posted == due
        assert_books_balance()
