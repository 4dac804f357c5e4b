"""PayPal's webhooks on the platform's host (verified, stored once, acted on without a
second effect however often or late they come) and finance's payout API on a council's
host (its own council's batches only)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.services import user_create
from core.models import GatewayEvent
from purse.ledger.models import LedgerTransaction
from purse.payouts import services
from purse.payouts.models import PaymentFile, PayoutBatch, ReconciliationException
from tests.conftest import TenantUsers, host_client, signed_in_client

from .conftest import balance, gateway_use, owe, provider_paid_by
from .paypal_server import PayPalServer

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)
HOOK = "/api/purse/paypal/webhook/"


def deliver(headers: dict[str, str], body: bytes) -> Any:
    return host_client("localhost").post(
        HOOK, body, content_type="application/json", headers=headers
    )


@pytest.fixture
def sent(tenant_a: TenantUsers, paypal: PayPalServer) -> PayoutBatch:
    provider = provider_paid_by(email="hooked@provider.example")
    with tenant_context(tenant_a.tenant):
        gateway_use(tenant_a.tenant, "paypal")
        owe(provider, 5200)
        services.payouts_make(on=TODAY)
        services.payouts_send()
        return PayoutBatch.objects.get()


def test_a_webhook_settles_once_however_often_it_comes(
    tenant_a: TenantUsers, paypal: PayPalServer, sent: PayoutBatch
) -> None:
    paypal.item_status(sent.key, "SUCCESS")
    headers, body = paypal.webhook("PAYMENT.PAYOUTS-ITEM.SUCCEEDED", sent.key)
    first = deliver(headers, body)
    assert first.status_code == 200
    assert first.json()["new"] is True
    again = deliver(headers, body)
    assert again.status_code == 200
    assert again.json()["new"] is False
    assert GatewayEvent.objects.count() == 1
    event = GatewayEvent.objects.get()
    assert event.processed_at is not None
    assert event.schema_name == tenant_a.slug
    with tenant_context(tenant_a.tenant):
        sent.refresh_from_db()
        assert sent.status == PayoutBatch.Status.PAID
        assert LedgerTransaction.objects.filter(kind="settlement").count() == 1
        assert balance("paid_out") == 5200


def test_a_late_out_of_order_webhook_changes_nothing(
    tenant_a: TenantUsers, paypal: PayPalServer, sent: PayoutBatch
) -> None:
    # Signed while the item was still unclaimed, delivered after it was paid.
    paypal.item_status(sent.key, "UNCLAIMED")
    late = paypal.webhook("PAYMENT.PAYOUTS-ITEM.UNCLAIMED", sent.key)
    paypal.item_status(sent.key, "SUCCESS")
    assert deliver(*paypal.webhook("PAYMENT.PAYOUTS-ITEM.SUCCEEDED", sent.key)).status_code == 200
    assert deliver(*late).status_code == 200
    assert GatewayEvent.objects.count() == 2
    with tenant_context(tenant_a.tenant):
        sent.refresh_from_db()
        assert sent.status == PayoutBatch.Status.PAID
        assert LedgerTransaction.objects.filter(kind__in=["settlement", "reversal"]).count() == 1
        assert not ReconciliationException.objects.exists()


def test_a_bad_signature_is_refused_and_nothing_is_written(
    tenant_a: TenantUsers, paypal: PayPalServer, sent: PayoutBatch
) -> None:
    paypal.item_status(sent.key, "SUCCESS")
    headers, body = paypal.webhook("PAYMENT.PAYOUTS-ITEM.SUCCEEDED", sent.key)
    forged = {**headers, "PAYPAL-TRANSMISSION-SIG": "bm90IHRoZSBzaWduYXR1cmU="}
    refused = deliver(forged, body)
    assert refused.status_code == 400
    assert "signature" in refused.json()["detail"].lower()
    # The body changed after signing: refused too.
    tampered = body.replace(b"SUCCEEDED", b"FAILED")
    assert deliver(headers, tampered).status_code == 400
    unsigned = {k: v for k, v in headers.items() if k != "PAYPAL-TRANSMISSION-SIG"}
    assert deliver(unsigned, body).status_code == 400
    assert not GatewayEvent.objects.exists()
    with tenant_context(tenant_a.tenant):
        sent.refresh_from_db()
        assert sent.status == PayoutBatch.Status.SENT
        assert not LedgerTransaction.objects.filter(kind="settlement").exists()


def test_junk_is_refused_before_paypal_is_asked(paypal: PayPalServer, sent: PayoutBatch) -> None:
    headers, body = paypal.webhook("PAYMENT.PAYOUTS-ITEM.SUCCEEDED", sent.key)
    elsewhere = {**headers, "PAYPAL-CERT-URL": "https://certs.example.com/cert.pem"}
    assert deliver(elsewhere, body).status_code == 400
    other_kind = paypal.sign({**json.loads(body), "event_type": "CUSTOMER.DISPUTE.CREATED"})
    assert deliver(*other_kind).status_code == 400
    assert deliver(headers, b"[1, 2]").status_code == 400
    assert paypal.posts("/v1/notifications/verify-webhook-signature") == 0
    assert not GatewayEvent.objects.exists()


def test_a_webhook_is_not_taken_on_a_councils_host(
    tenant_a: TenantUsers, paypal: PayPalServer, sent: PayoutBatch
) -> None:
    headers, body = paypal.webhook("PAYMENT.PAYOUTS-ITEM.SUCCEEDED", sent.key)
    answer = host_client(tenant_a.host).post(
        HOOK, body, content_type="application/json", headers=headers
    )
    assert answer.status_code == 404
    assert not GatewayEvent.objects.exists()


def test_when_paypal_cannot_be_asked_the_webhook_is_refused_for_a_resend(
    paypal: PayPalServer, sent: PayoutBatch
) -> None:
    headers, body = paypal.webhook("PAYMENT.PAYOUTS-ITEM.SUCCEEDED", sent.key)
    paypal.fail_next("/v1/notifications/verify-webhook-signature", 500, 500)
    assert deliver(headers, body).status_code == 503
    assert not GatewayEvent.objects.exists()


def finance_client(tenant: TenantUsers) -> Client:
    with tenant_context(tenant.tenant):
        user = user_create(
            email=f"fin{uuid.uuid4().hex[:6]}@council.example",
            full_name="Fin Officer",
            role_codes=["finance_officer"],
        )
    return signed_in_client(tenant, user)


def test_finance_reads_batches_and_remittance_of_its_council_only(
    tenant_a: TenantUsers, tenant_b: TenantUsers
) -> None:
    provider = provider_paid_by()
    with tenant_context(tenant_a.tenant):
        owe(provider, 3300)
        services.payouts_make(on=TODAY)
        services.payouts_send()
        batch = PayoutBatch.objects.get()
    finance_a, finance_b = finance_client(tenant_a), finance_client(tenant_b)
    listed = finance_a.get("/api/purse/payouts/?status=paid").json()
    assert [row["id"] for row in listed["results"]] == [str(batch.public_id)]
    assert finance_a.get("/api/purse/payouts/?status=returned").json()["results"] == []
    detail = finance_a.get(f"/api/purse/payouts/{batch.public_id}/").json()
    assert detail["amount_pence"] == 3300
    assert detail["status"] == "paid"
    assert [line["amount_pence"] for line in detail["remittance"]] == [3300]
    # Another council's finance officer: not there.
    assert finance_b.get(f"/api/purse/payouts/{batch.public_id}/").status_code == 404
    assert finance_b.get("/api/purse/payouts/").json()["results"] == []
    # A care manager is not finance.
    with tenant_context(tenant_a.tenant):
        carer = user_create(
            email="cm@council.example", full_name="Cara", role_codes=["care_manager"]
        )
    assert signed_in_client(tenant_a, carer).get("/api/purse/payouts/").status_code == 403


def test_finance_confirms_a_payment_file_idempotently_and_resolves_exceptions(
    tenant_a: TenantUsers, tenant_b: TenantUsers
) -> None:
    provider = provider_paid_by(bank=("Oak Care", "401122", "11223344"))
    nobody = provider_paid_by()
    with tenant_context(tenant_a.tenant):
        gateway_use(tenant_a.tenant, "bacs")
        owe(provider, 2100)
        owe(nobody, 400)
        services.payouts_make(on=TODAY)
        services.payouts_send()
        services.reconcile(on=TODAY)
        payment_file = PaymentFile.objects.get()
    finance = finance_client(tenant_a)
    csv_answer = finance.get(f"/api/purse/payment-files/{payment_file.public_id}/csv/")
    assert csv_answer["Content-Type"].startswith("text/csv")
    assert csv_answer.content.decode().startswith("payment_reference,payee_name")
    path = f"/api/purse/payment-files/{payment_file.public_id}/paid/"
    assert finance.post(path).status_code == 400  # no Idempotency-Key
    first = finance.post(path, headers={"Idempotency-Key": "file-1"})
    replay = finance.post(path, headers={"Idempotency-Key": "file-1"})
    assert first.status_code == 200
    assert first.json()["status"] == "paid"
    assert replay.content == first.content
    assert finance.post(path, headers={"Idempotency-Key": "file-2"}).status_code == 200
    assert finance_client(tenant_b).post(path, headers={"Idempotency-Key": "x"}).status_code == 404
    with tenant_context(tenant_a.tenant):
        assert LedgerTransaction.objects.filter(kind="settlement").count() == 1
        assert balance("paid_out") == 2100
    [found] = finance.get("/api/purse/reconciliation/exceptions/?open=true").json()["results"]
    assert found["kind"] == "no_details"
    assert found["amount_pence"] == 400
    resolve = f"/api/purse/reconciliation/exceptions/{found['id']}/resolve/"
    empty = finance.post(resolve, json.dumps({"resolution": ""}), content_type="application/json")
    assert empty.status_code == 400
    done = finance.post(
        resolve,
        json.dumps({"resolution": "Asked the provider for its bank details"}),
        content_type="application/json",
    )
    assert done.status_code == 200
    assert done.json()["resolved_at"]
    assert finance.get("/api/purse/reconciliation/exceptions/?open=true").json()["results"] == []
    twice = finance.post(
        resolve, json.dumps({"resolution": "Again"}), content_type="application/json"
    )
    assert twice.status_code == 400


def test_a_webhook_for_a_batch_whose_answer_was_lost_records_and_settles_it(
    tenant_a: TenantUsers, paypal: PayPalServer
) -> None:
    provider = provider_paid_by(email="lost@provider.example")
    with tenant_context(tenant_a.tenant):
        gateway_use(tenant_a.tenant, "paypal")
        owe(provider, 2600)
        services.payouts_make(on=TODAY)
        paypal.hang_next("/v1/payments/payouts", 2.5)  # PayPal pays; we time out at 1 s
        assert services.payouts_send().deferred == 1
        batch = PayoutBatch.objects.get()
        assert batch.status == PayoutBatch.Status.PENDING
    paypal.item_status(batch.key, "SUCCESS")
    assert deliver(*paypal.webhook("PAYMENT.PAYOUTS-ITEM.SUCCEEDED", batch.key)).status_code == 200
    with tenant_context(tenant_a.tenant):
        batch.refresh_from_db()
        assert batch.status == PayoutBatch.Status.PAID
        assert batch.gateway_batch_id == paypal.by_sender_id[batch.key]
        assert balance("paid_out") == 2600
        # The retry later finds nothing left to send.
        assert services.payouts_send(now=timezone.now() + dt.timedelta(hours=1)).sent == 0
    assert paypal.posts("/v1/payments/payouts") == 1


def test_finance_returns_a_refused_payment_through_the_api(
    tenant_a: TenantUsers, paypal: PayPalServer
) -> None:
    provider = provider_paid_by(email="refused@provider.example")
    with tenant_context(tenant_a.tenant):
        gateway_use(tenant_a.tenant, "paypal")
        owe(provider, 700)
        services.payouts_make(on=TODAY)
        paypal.fail_next("/v1/payments/payouts", 422)
        services.payouts_send()
        batch = PayoutBatch.objects.get()
    finance = finance_client(tenant_a)
    path = f"/api/purse/payouts/{batch.public_id}/return/"
    body = json.dumps({"reason": "PayPal confirmed it has no such payment"})
    first = finance.post(
        path, body, content_type="application/json", headers={"Idempotency-Key": "r1"}
    )
    replay = finance.post(
        path, body, content_type="application/json", headers={"Idempotency-Key": "r1"}
    )
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "returned"
    assert replay.content == first.content
    again = finance.post(
        path, body, content_type="application/json", headers={"Idempotency-Key": "r2"}
    )
    assert again.status_code == 400
    with tenant_context(tenant_a.tenant):
        assert LedgerTransaction.objects.filter(kind="reversal").count() == 1
