"""One-off payments into a purse through the API, and the Idempotency-Key that makes
every money-moving POST safe to retry: a replay answers the same and moves nothing; the
same key with another body is 422; a key still in use is 409; no key is 400."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.services import user_create
from core.models import AuditEntry
from purse.ledger.models import LedgerTransaction
from purse.models import Budget
from purse.services.plans import plan_approve, plan_create
from tests.conftest import TenantUsers, signed_in_client
from tests.purse import plan_builders as b

pytestmark = pytest.mark.django_db


def pay(client: Client, budget: int, body: Any, key: str | None) -> Any:
    return client.post(
        f"/api/purse/budgets/{budget}/payments/",
        json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key} if key else None,
    )


def active_budget() -> Budget:
    carol = b.staff(f"Carol {uuid.uuid4().hex[:6]}")
    person = b.person()
    plan = plan_create(
        assessment=b.assessment(person, b.rules_version(), carol),
        outcomes="Stay at home",
        management="direct_payment",
        lines=[("home-care", "Mornings", 30000)],
        weekly_budget_pence=30000,
        starts_on=dt.date(2026, 1, 5),
        by=carol,
    )
    plan_approve(plan=plan, by=carol)
    return Budget.objects.get(plan=plan)


@pytest.fixture
def budget(tenant_a: TenantUsers) -> Budget:
    with tenant_context(tenant_a.tenant):
        return active_budget()


@pytest.fixture
def finance(tenant_a: TenantUsers) -> Client:
    with tenant_context(tenant_a.tenant):
        user = user_create(email="fin@a.example", full_name="Fin", role_codes=["finance_officer"])
    return signed_in_client(tenant_a, user)


def _transactions(tenant: TenantUsers) -> int:
    with tenant_context(tenant.tenant):
        return LedgerTransaction.objects.filter(kind="one_off").count()


def test_a_retried_payment_is_answered_the_same_and_pays_once(tenant_a, budget, finance):
    body = {"amount_pence": 12500, "reason": "A riser chair agreed at the review"}

    first = pay(finance, budget.pk, body, "pay-riser-chair-1")
    again = pay(finance, budget.pk, body, "pay-riser-chair-1")

    assert first.status_code == 201, first.content
    assert (first.json()["amount_pence"], first.json()["available_pence"]) == (12500, 12500)
    assert (again.status_code, again.json()) == (201, first.json())
    assert again["Idempotent-Replayed"] == "true"
    assert _transactions(tenant_a) == 1

    other = pay(finance, budget.pk, body | {"amount_pence": 99}, "pay-riser-chair-1")
    assert other.status_code == 422
    assert other.json()["detail"].startswith("This Idempotency-Key was already used")
    # Key order and spacing in the body do not make it a different request.
    reordered = finance.post(
        f"/api/purse/budgets/{budget.pk}/payments/",
        '{ "reason": "A riser chair agreed at the review", "amount_pence": 12500 }',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="pay-riser-chair-1",
    )
    assert reordered.status_code == 201
    assert _transactions(tenant_a) == 1


def test_payments_need_a_key_a_finance_officer_and_a_sensible_amount(tenant_a, budget, finance):
    missing = pay(finance, budget.pk, {"amount_pence": 100, "reason": "x"}, None)
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"Idempotency-Key": ["Required"]}
    for amount in (0, -1, 10_000_001):
        refused = pay(
            finance, budget.pk, {"amount_pence": amount, "reason": "x"}, str(uuid.uuid4())
        )
        assert refused.status_code == 400
        assert "amount_pence" in refused.json()["errors"]
    blank = pay(finance, budget.pk, {"amount_pence": 100, "reason": " "}, str(uuid.uuid4()))
    assert blank.json()["errors"] == {
        "reason": ["Say what the payment is for: the person will see it"]
    }
    with tenant_context(tenant_a.tenant):
        carol = user_create(email="cm@a.example", full_name="Cm", role_codes=["care_manager"])
    manager = signed_in_client(tenant_a, carol)
    assert pay(manager, budget.pk, {"amount_pence": 100, "reason": "x"}, "k").status_code == 403
    assert pay(finance, 999999, {"amount_pence": 100, "reason": "x"}, "k2").status_code == 404
    assert _transactions(tenant_a) == 0
    # A failed request does not use up its key: corrected, it goes through.
    fixed = pay(finance, budget.pk, {"amount_pence": 100, "reason": "Taxi"}, "k2")
    assert fixed.status_code == 201


def test_old_idempotency_keys_are_forgotten(tenant_a, budget, finance, settings):
    import datetime as dt

    from django.utils import timezone

    from core.models import IdempotencyKey
    from core.tasks import idempotency_keys_purge_task

    assert settings.CELERY_BEAT_SCHEDULE["idempotency-keys-purge"]["task"] == (
        idempotency_keys_purge_task.name
    )
    pay(finance, budget.pk, {"amount_pence": 100, "reason": "Taxi"}, "old-key")
    pay(finance, budget.pk, {"amount_pence": 100, "reason": "Taxi"}, "new-key")
    with tenant_context(tenant_a.tenant):
        IdempotencyKey.objects.filter(key="old-key").update(
            created_at=timezone.now() - dt.timedelta(days=settings.IDEMPOTENCY_KEEP_DAYS, hours=1)
        )
        assert idempotency_keys_purge_task.apply().get() == 1
        assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new-key"]


def test_the_persons_own_contribution_is_recorded_into_their_purse(tenant_a, budget, finance):
    path = f"/api/purse/budgets/{budget.pk}/contributions/"

    def record(body: Any, key: str) -> Any:
        return finance.post(
            path, json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
        )

    body = {"amount_pence": 4000, "reason": "Standing order 12 November"}
    first = record(body, "contribution-1")
    assert first.status_code == 201, first.content
    assert first.json()["kind"] == "contribution"
    assert first.json()["available_pence"] == 4000
    assert record(body, "contribution-1").content == first.content
    blank = record({"amount_pence": 4000, "reason": ""}, "contribution-2")
    assert blank.json()["errors"] == {
        "reason": ["Give the payment's reference, e.g. from the bank statement"]
    }
    with tenant_context(tenant_a.tenant):
        [txn] = LedgerTransaction.objects.filter(kind="contribution")
        legs = [(e.side, e.account.code, e.amount_pence) for e in txn.entries.order_by("pk")]
        assert legs == [
            ("D", "contributions", 4000),
            ("C", f"purse:{budget.person.public_id}", 4000),
        ]
        # Done by the finance officer, for the person.
        [entry] = AuditEntry.objects.filter(action="ledger.contribution")
        assert entry.object_id == str(txn.public_id)
        assert entry.acting_for_id == budget.person.public_id
        assert entry.actor_label == "fin@a.example"
