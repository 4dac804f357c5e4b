"""Paying providers through each gateway: what is owed goes out once, in one batch per
provider per day; the ledger follows the gateway's answers (paid: clearing -> paid out;
returned: the payout reversed, owed again); retries and crashes never pay twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.errors import DomainError
from epurse.db import use_public_schema
from purse.ledger.models import LedgerTransaction
from purse.payouts import services
from purse.payouts.models import PaymentFile, PayoutBatch, ReconciliationException
from purse.payouts.selectors import remittance_for
from tests.conftest import TenantUsers
from tests.purse.ledger.conftest import assert_books_balance

from .conftest import balance, gateway_use, owe, provider_paid_by
from .paypal_server import PayPalServer

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)
Status = PayoutBatch.Status


def test_sandbox_pays_what_is_owed_once_and_the_books_follow(tenant_a: TenantUsers) -> None:
    provider = provider_paid_by()
    other = provider_paid_by()
    with tenant_context(tenant_a.tenant):
        payable = owe(provider, 4500)
        owe(provider, 1250)
        owe(other, 900)
        made = services.payouts_make(on=TODAY)
        assert sorted(b.amount_pence for b in made.batches) == [900, 5750]
        assert balance("clearing") == 6650
        sent = services.payouts_send()
        assert (sent.sent, sent.paid) == (2, 2)
        assert balance(payable) == 0
        assert balance("clearing") == 0
        assert balance("paid_out") == 6650
        # The same day again: nothing new is made or sent.
        assert services.payouts_make(on=TODAY).batches == []
        assert services.payouts_send().sent == 0
        batch = PayoutBatch.objects.get(provider_id=provider.pk)
        assert batch.status == Status.PAID
        assert batch.settlement is not None
        assert LedgerTransaction.objects.filter(kind="settlement").count() == 2
        assert [line.amount_pence for line in remittance_for(batch=batch)] == [4500, 1250]
        assert_books_balance()


def test_only_posted_money_is_paid_not_money_still_held(tenant_a: TenantUsers) -> None:
    from purse.ledger.services import (
        Leg,
        hold_place,
        payable_open,
        purse_open,
        shared_account,
        transfer,
    )
    from tests.purse import plan_builders as b

    provider = provider_paid_by()
    with tenant_context(tenant_a.tenant):
        owe(provider, 1000)
        purse = purse_open(person=b.person())
        transfer(kind="one_off", legs=[Leg(shared_account("funding"), purse, 700)])
        hold_place(purse=purse, payable=payable_open(provider_id=provider.pk), amount_pence=700)
        [batch] = services.payouts_make(on=TODAY).batches
        assert batch.amount_pence == 1000


def test_paypal_batch_sent_then_paid_when_paypal_says_so(
    tenant_a: TenantUsers, paypal: PayPalServer
) -> None:
    provider = provider_paid_by(email="care@provider.example")
    with tenant_context(tenant_a.tenant):
        gateway_use(tenant_a.tenant, "paypal")
        owe(provider, 3000)
        [batch] = services.payouts_make(on=TODAY).batches
        assert services.payouts_send().sent == 1
        batch.refresh_from_db()
        assert batch.status == Status.SENT
        assert batch.gateway_batch_id.startswith("BATCH")
        [item] = paypal.payouts_to("care@provider.example")
        assert item["amount"] == {"value": "30.00", "currency": "GBP"}
        assert item["sender_item_id"] == batch.key
        assert services.payouts_refresh() == 0  # still PENDING at PayPal
        paypal.item_status(batch.key, "SUCCESS")
        assert services.payouts_refresh() == 1
        batch.refresh_from_db()
        assert batch.status == Status.PAID
        assert balance("paid_out") == 3000
        assert balance("clearing") == 0
        assert paypal.tokens_issued == 1  # the token is reused
        assert_books_balance()


def test_paypal_unreachable_is_retried_later_and_pays_once(
    tenant_a: TenantUsers, paypal: PayPalServer
) -> None:
    provider = provider_paid_by(email="retry@provider.example")
    with tenant_context(tenant_a.tenant):
        gateway_use(tenant_a.tenant, "paypal")
        owe(provider, 2000)
        services.payouts_make(on=TODAY)
        paypal.fail_next("/v1/payments/payouts", 503)
        now = timezone.now()
        assert services.payouts_send(now=now).deferred == 1
        batch = PayoutBatch.objects.get()
        assert batch.status == Status.PENDING
        assert batch.attempts == 1
        assert "503" in batch.last_error
        assert batch.next_attempt_at == now + dt.timedelta(minutes=5)
        # Not before its time ...
        assert services.payouts_send(now=now + dt.timedelta(minutes=1)).sent == 0
        # ... then once.
        assert services.payouts_send(now=now + dt.timedelta(minutes=6)).sent == 1
        assert len(paypal.payouts_to("retry@provider.example")) == 1
        assert balance("clearing") == 2000


def test_a_lost_answer_is_retried_under_the_same_key_and_pays_once(
    tenant_a: TenantUsers, paypal: PayPalServer
) -> None:
    """PayPal makes the payout but its answer comes after our timeout: the retry is
    refused as a duplicate with a link to the first batch, which is followed."""
    provider = provider_paid_by(email="slow@provider.example")
    with tenant_context(tenant_a.tenant):
        gateway_use(tenant_a.tenant, "paypal")
        owe(provider, 2500)
        services.payouts_make(on=TODAY)
        paypal.hang_next("/v1/payments/payouts", 2.5)  # our timeout is 1 s
        now = timezone.now()
        assert services.payouts_send(now=now).deferred == 1
        assert len(paypal.payouts_to("slow@provider.example")) == 1  # PayPal paid
        assert services.payouts_send(now=now + dt.timedelta(hours=1)).sent == 1
        batch = PayoutBatch.objects.get()
        assert batch.status == Status.SENT
        assert batch.gateway_batch_id == paypal.by_sender_id[batch.key]
        assert paypal.posts("/v1/payments/payouts") == 2
        assert len(paypal.payouts_to("slow@provider.example")) == 1


def test_a_failed_payout_is_owed_again_and_listed(
    tenant_a: TenantUsers, paypal: PayPalServer
) -> None:
    provider = provider_paid_by(email="fails@provider.example")
    with tenant_context(tenant_a.tenant):
        gateway_use(tenant_a.tenant, "paypal")
        payable = owe(provider, 1800)
        services.payouts_make(on=TODAY)
        services.payouts_send()
        services.payouts_refresh()
        batch = PayoutBatch.objects.get()
        assert batch.status == Status.RETURNED
        assert "unregistered" in batch.failure_reason.lower()
        assert batch.returned is not None
        assert batch.returned.reverses_id == batch.payout_id
        assert balance(payable) == 1800
        assert balance("clearing") == 0
        [found] = ReconciliationException.objects.filter(kind="returned")
        assert found.batch == batch
        assert "owed to the provider again" in found.message
        # The next day's run pays it again, in a new batch with its own key.
        [again] = services.payouts_make(on=TODAY + dt.timedelta(days=1)).batches
        assert again.amount_pence == 1800
        assert again.key != batch.key
        assert [line.amount_pence for line in remittance_for(batch=again)] == [1800]
        assert_books_balance()


def test_a_refused_payment_waits_for_finance_and_is_never_returned_by_itself(
    tenant_a: TenantUsers, paypal: PayPalServer
) -> None:
    """PayPal refusing a request is not proof an earlier try was not paid: the batch
    waits, listed, until finance fixes the details or returns it."""
    provider = provider_paid_by(email="ok@provider.example")
    with tenant_context(tenant_a.tenant):
        gateway_use(tenant_a.tenant, "paypal")
        payable = owe(provider, 1200)
        services.payouts_make(on=TODAY)
        paypal.fail_next("/v1/payments/payouts", 422)
        now = timezone.now()
        assert services.payouts_send(now=now).refused == 1
        batch = PayoutBatch.objects.get()
        assert batch.status == Status.PENDING
        assert batch.next_attempt_at == now + services.RETRY_MOST
        assert balance(payable) == 0
        assert balance("clearing") == 1200
        [found] = ReconciliationException.objects.filter(kind="not_sent")
        assert "refused" in found.message
        from tests.purse import plan_builders as b

        finance = b.staff("Fiona Returns", role="finance_officer")
        with pytest.raises(DomainError):
            services.payout_return(batch=batch, reason=" ", by=finance)
        batch = services.payout_return(batch=batch, reason="PayPal has no such batch", by=finance)
        assert batch.status == Status.RETURNED
        assert balance(payable) == 1200
        assert balance("clearing") == 0
        with pytest.raises(DomainError):
            services.payout_return(batch=batch, reason="Again", by=finance)
        # What it owed goes in the next day's batch, which says why.
        [again] = services.payouts_make(on=TODAY + dt.timedelta(days=1)).batches
        [line] = remittance_for(batch=again)
        assert line.amount_pence == 1200
        assert line.description == f"Payment {batch.key} returned, paid again"
        assert_books_balance()


def test_refused_credentials_leave_the_payment_waiting(
    tenant_a: TenantUsers, paypal: PayPalServer
) -> None:
    provider = provider_paid_by(email="creds@provider.example")
    with tenant_context(tenant_a.tenant):
        gateway_use(tenant_a.tenant, "paypal")
        owe(provider, 500)
        services.payouts_make(on=TODAY)
        paypal.fail_next("/v1/oauth2/token", 401)
        assert services.payouts_send().deferred == 1
        assert PayoutBatch.objects.get().status == Status.PENDING
        paypal.fail_next("/v1/payments/payouts", 429)
        assert services.payouts_send(now=timezone.now() + dt.timedelta(hours=1)).deferred == 1
        assert paypal.batches == {}


def test_an_expired_token_is_renewed_once(tenant_a: TenantUsers, paypal: PayPalServer) -> None:
    provider = provider_paid_by(email="token@provider.example")
    with tenant_context(tenant_a.tenant):
        gateway_use(tenant_a.tenant, "paypal")
        owe(provider, 100)
        services.payouts_make(on=TODAY)
        services.payouts_send()
        paypal.tokens_forget()
        paypal.item_status(PayoutBatch.objects.get().key, "SUCCESS")
        assert services.payouts_refresh() == 1
        assert paypal.tokens_issued == 2


def test_providers_without_details_are_not_paid_and_are_listed(
    tenant_a: TenantUsers, paypal: PayPalServer
) -> None:
    provider = provider_paid_by(bank=("Care Ltd", "112233", "12345678"))  # no PayPal email
    with tenant_context(tenant_a.tenant):
        gateway_use(tenant_a.tenant, "paypal")
        owe(provider, 600)
        made = services.payouts_make(on=TODAY)
        assert made.batches == []
        assert provider.pk in made.not_ready
        run = services.reconcile(on=TODAY)
        [found] = ReconciliationException.objects.filter(kind="no_details")
        assert found.amount_pence == 600
        assert "PayPal" in found.message
        assert run.exceptions_found == 1
        # Listed once while open, however often reconciliation runs.
        services.reconcile(on=TODAY + dt.timedelta(days=1))
        assert ReconciliationException.objects.filter(kind="no_details").count() == 1


def test_bacs_file_then_paid_when_finance_confirms_once(tenant_a: TenantUsers) -> None:
    a = provider_paid_by(bank=("=HYPERLINK(1)", "201575", "41234567"))
    c = provider_paid_by(bank=("Birch Support", "309634", "87654321"))
    use_public_schema()
    with tenant_context(tenant_a.tenant):
        gateway_use(tenant_a.tenant, "bacs")
        owe(a, 12050)
        owe(c, 999)
        services.payouts_make(on=TODAY)
        services.payouts_send()
        [payment_file] = PaymentFile.objects.all()
        assert payment_file.total_pence == 13049
        assert payment_file.payments == 2
        rows = [line.split(",") for line in payment_file.content.strip().split("\r\n")]
        assert rows[0] == services.PAYMENT_FILE_COLUMNS
        # A name a spreadsheet would run as a formula is kept as text.
        assert rows[1][1:6] == ["'=HYPERLINK(1)", "201575", "41234567", "120.50", "12050"]
        assert rows[2][1:6] == ["Birch Support", "309634", "87654321", "9.99", "999"]
        assert all(len(row[0]) <= 18 for row in rows[1:])
        assert set(PayoutBatch.objects.values_list("status", flat=True)) == {Status.SENT}
        assert services.payouts_refresh() == 0  # only finance settles BACS
        from tests.purse import plan_builders as b

        finance = b.staff("Fiona Finance", role="finance_officer")
        assert services.payment_file_paid(payment_file=payment_file, by=finance) == 2
        assert services.payment_file_paid(payment_file=payment_file, by=finance) == 0
        assert balance("paid_out") == 13049
        assert balance("clearing") == 0
        assert_books_balance()


def test_reconciliation_lists_disagreements_once(
    tenant_a: TenantUsers, paypal: PayPalServer
) -> None:
    provider = provider_paid_by(email="later@provider.example")
    with tenant_context(tenant_a.tenant):
        gateway_use(tenant_a.tenant, "paypal")
        owe(provider, 4000)
        services.payouts_make(on=TODAY)
        services.payouts_send()
        batch = PayoutBatch.objects.get()
        # A missed answer is caught up with, not listed.
        paypal.item_status(batch.key, "SUCCESS")
        services.reconcile(on=TODAY)
        batch.refresh_from_db()
        assert batch.status == Status.PAID
        assert not ReconciliationException.objects.exists()
        # PayPal later says the paid money came back: listed for finance, no money moved.
        paypal.item_status(batch.key, "RETURNED")
        services.reconcile(on=TODAY + dt.timedelta(days=1))
        services.reconcile(on=TODAY + dt.timedelta(days=2))
        [found] = ReconciliationException.objects.all()
        assert found.kind == "status_mismatch"
        assert "RETURNED" in found.message
        assert balance("paid_out") == 4000
        assert_books_balance()


def test_a_batch_sent_days_ago_and_not_paid_is_listed(
    tenant_a: TenantUsers, paypal: PayPalServer
) -> None:
    provider = provider_paid_by(email="stuck@provider.example")
    with tenant_context(tenant_a.tenant):
        gateway_use(tenant_a.tenant, "paypal")
        owe(provider, 700)
        services.payouts_make(on=TODAY)
        services.payouts_send()
        services.reconcile(on=TODAY, now=timezone.now() + dt.timedelta(days=4))
        [found] = ReconciliationException.objects.all()
        assert found.kind == "stuck"
        assert found.amount_pence == 700
