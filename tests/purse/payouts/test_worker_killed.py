"""A Celery worker killed with SIGKILL in the middle of a payout batch: PayPal has made
the payout it was waiting on, but the worker never heard. After a restart the next run
sends what was left, the killed request again under its own key, and every provider is
paid exactly once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context

from purse.ledger.models import LedgerTransaction
from purse.payouts.models import PayoutBatch
from purse.tasks import payouts_progress, payouts_run
from tests.celery_worker import Worker
from tests.conftest import TenantUsers, council_committed
from tests.purse.ledger.conftest import assert_books_balance

from .conftest import balance, gateway_use, owe, provider_paid_by
from .paypal_server import CLIENT_ID, CLIENT_SECRET, WEBHOOK_ID, PayPalServer, serve

SLUG = "payoutkill"
PROVIDERS = 5
POST = "/v1/payments/payouts"


@pytest.fixture
def council(committed, django_db_setup) -> Iterator[TenantUsers]:
    with council_committed(SLUG, django_db_setup["a"]) as onboarded:
        yield TenantUsers(
            tenant=onboarded.tenant, host=f"{SLUG}.localhost", admin=onboarded.admin, person=None
        )


@pytest.fixture
def paypal_http() -> Iterator[PayPalServer]:
    server = PayPalServer()
    http = serve(server)
    yield server
    http.shutdown()
    http.server_close()


def start_worker(paypal: PayPalServer) -> Worker:
    return Worker(
        f"test-{uuid.uuid4().hex}",
        PAYPAL_API_URL=paypal.url,
        PAYPAL_CLIENT_ID=CLIENT_ID,
        PAYPAL_CLIENT_SECRET=CLIENT_SECRET,
        PAYPAL_WEBHOOK_ID=WEBHOOK_ID,
        PAYPAL_TIMEOUT_SECONDS="30",
    )


def batches() -> list[PayoutBatch]:
    return list(PayoutBatch.objects.order_by("pk"))


@pytest.mark.slow
def test_sigkill_mid_batch_then_restart_pays_each_provider_once(
    council: TenantUsers, paypal_http: PayPalServer
) -> None:
    paypal = paypal_http
    owed = {f"p{n}@provider.example": 1000 * (n + 1) + n for n in range(PROVIDERS)}
    providers = {email: provider_paid_by(email=email) for email in owed}
    with tenant_context(council.tenant):
        gateway_use(council.tenant, "paypal")
        for email, pence in owed.items():
            owe(providers[email], pence)
    # PayPal pays the third batch and keeps its answer back until the worker is dead.
    paypal.hang_next(POST, 120, after=2)

    first = start_worker(paypal)
    try:
        with tenant_context(council.tenant):
            payouts_run.apply_async(queue=first.queue)
        first.wait_for(lambda: len(paypal.batches) == 3, "the third payout to be made")
        first.kill()
    finally:
        first.stop()
    with tenant_context(council.tenant):
        states = [b.status for b in batches()]
        assert states == ["sent", "sent", "pending", "pending", "pending"]

    second = start_worker(paypal)
    try:
        with tenant_context(council.tenant):
            payouts_progress.apply_async(queue=second.queue)
            second.wait_for(
                lambda: all(b.status == "sent" for b in batches()), "every batch to be sent"
            )
            for batch in batches():
                paypal.item_status(batch.key, "SUCCESS")
            payouts_progress.apply_async(queue=second.queue)
            second.wait_for(
                lambda: all(b.status == "paid" for b in batches()), "every batch to be paid"
            )
    finally:
        second.stop()

    for email, pence in owed.items():
        [item] = paypal.payouts_to(email)
        assert item["amount"]["value"] == f"{pence / 100:.2f}"
    assert len(paypal.batches) == PROVIDERS
    assert paypal.posts(POST) == PROVIDERS + 1  # the killed one, once more
    with tenant_context(council.tenant):
        assert LedgerTransaction.objects.filter(kind="payout").count() == PROVIDERS
        assert LedgerTransaction.objects.filter(kind="settlement").count() == PROVIDERS
        assert balance("paid_out") == sum(owed.values())
        assert balance("clearing") == 0
        third = batches()[2]
        assert third.gateway_batch_id == paypal.by_sender_id[third.key]
        assert_books_balance()
