"""Approving a top-up run on real parallel connections: eight approvals of one run
at the same moment, by two officers, pay it once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.services import user_create
from core.models import AuditEntry
from purse.ledger.models import Entry, LedgerTransaction
from purse.services.funding import topups_due
from purse.topups.services import topup_run_preview
from tests.conftest import PASSWORD, TenantUsers, signed_in_client, tenant_drop
from tests.purse.ledger.test_topups import _budget

TODAY = timezone.localdate()
STARTED = TODAY - dt.timedelta(weeks=5)


def _topups() -> int:
    return LedgerTransaction.objects.filter(kind="topup").count()


SLUG = "approvrace"


@pytest.fixture
def racing(committed) -> Iterator[Any]:
    from tenants.services import tenant_create

    tenant_drop(SLUG)
    tenant = tenant_create(
        name="Approvrace Borough Council",
        slug=SLUG,
        kind="council",
        admin_email=f"admin@{SLUG}.example",
        admin_password=PASSWORD,
    ).tenant
    with tenant_context(tenant):
        officers = [
            user_create(
                email=f"fin{i}@{SLUG}.example", full_name=f"Fin {i}", role_codes=["finance_officer"]
            )
            for i in range(2)
        ]
        for weekly in (10000, 7000, 3000):
            _budget(weekly=weekly, starts_on=STARTED)
        run = topup_run_preview(on=TODAY, by=officers[0])
    yield (
        TenantUsers(tenant=tenant, host=f"{SLUG}.localhost", admin=None, person=None),
        officers,
        run,
    )
    tenant_drop(SLUG)


def test_two_officers_approving_at_the_same_moment_pay_once(racing) -> None:
    users, officers, run = racing
    start = threading.Barrier(len(officers) * 4)
    answers: list[int] = []
    lock = threading.Lock()

    def approve(officer: Any) -> None:
        try:
            client = signed_in_client(users, officer)
            start.wait()
            response = client.post(f"/workspace/finance/top-ups/{run.public_id}/approve/")
            with lock:
                answers.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(o,)) for o in officers * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert answers == [302] * 8
    with tenant_context(users.tenant):
        assert _topups() == 6  # three budgets, two cycles each: once
        assert AuditEntry.objects.filter(action="topup_run.approved").count() == 1
        assert sum(
            e.amount_pence for e in Entry.objects.filter(transaction__kind="topup", side="C")
        ) == 2 * 4 * (10000 + 7000 + 3000)
        assert len(topups_due(on=TODAY)) == 0
