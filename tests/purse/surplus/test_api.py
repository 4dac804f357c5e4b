"""Surplus notices through the API: finance lists them; the person reads their own and
asks for a reconsideration; a care manager decides; finance returns money recovered,
once, with an Idempotency-Key; another council's staff get 404 for all of it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.models import AuditEntry
from purse.ledger.models import LedgerTransaction
from purse.surplus.models import SurplusNotice
from purse.surplus.services import surplus_notices_issue, surplus_recover_due
from tests.conftest import TenantUsers, signed_in_client
from tests.purse import plan_builders as b
from tests.purse.api_support import post
from tests.purse.ledger.conftest import assert_books_balance

from .support import THRESHOLD, Holder, available, holder

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
RECOVER_ON = TODAY + dt.timedelta(days=28)


def _reverse(client: Client, notice_id: str, key: str, reason: str = "Paid for respite") -> Any:
    return client.post(
        f"/api/purse/surplus-notices/{notice_id}/reverse/",
        json.dumps({"reason": reason}),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def _setup(tenant: TenantUsers, *, recovered: bool = False) -> tuple[Holder, Any, Any, str]:
    with tenant_context(tenant.tenant):
        carol = b.staff("Carol Manager")
        fay = b.staff("Fay Finance", role="finance_officer")
        over = holder(carol, funds=THRESHOLD + 10000, user=tenant.person)
        surplus_notices_issue(on=TODAY)
        if recovered:
            surplus_recover_due(on=RECOVER_ON)
        notice_id = str(SurplusNotice.objects.get(person=over.person).public_id)
    return over, carol, fay, notice_id


def test_finance_lists_and_the_person_reads_their_own(tenant_a) -> None:
    over, _carol, fay, notice_id = _setup(tenant_a)
    finance = signed_in_client(tenant_a, fay)
    person = signed_in_client(tenant_a, tenant_a.person)

    listed = finance.get("/api/purse/surplus-notices/", {"status": "issued"})
    none_recovered = finance.get("/api/purse/surplus-notices/", {"status": "recovered"})
    own = person.get("/api/purse/me/surplus-notices/")
    detail = person.get(f"/api/purse/surplus-notices/{notice_id}/")

    assert listed.status_code == 200, listed.content
    [row] = listed.json()["results"]
    assert (row["id"], row["person"], row["amount_pence"], row["recover_on"]) == (
        notice_id,
        str(over.person.public_id),
        10000,
        RECOVER_ON.isoformat(),
    )
    assert (row["status"], row["transaction"]) == ("issued", None)
    assert none_recovered.json()["results"] == []
    assert own.status_code == 200, own.content
    assert [n["id"] for n in own.json()] == [notice_id]
    assert detail.status_code == 200
    assert detail.json()["reasons"].startswith("You have £2,500 available")
    # The person may not list everyone's notices.
    assert person.get("/api/purse/surplus-notices/").status_code == 403
    with tenant_context(tenant_a.tenant):
        assert AuditEntry.objects.filter(action="surplus_notices.listed").count() == 2


def test_a_reconsideration_asked_for_and_decided(tenant_a) -> None:
    over, carol, _fay, notice_id = _setup(tenant_a)
    person = signed_in_client(tenant_a, tenant_a.person)
    manager = signed_in_client(tenant_a, carol)

    asked = post(
        person,
        f"/api/purse/surplus-notices/{notice_id}/reconsideration/",
        {"text": "I am saving for a short break"},
    )
    not_theirs = post(
        person,
        f"/api/purse/surplus-notices/{notice_id}/decision/",
        {"withdraw": True, "reason": "Mine"},
    )
    decided = post(
        manager,
        f"/api/purse/surplus-notices/{notice_id}/decision/",
        {"withdraw": True, "reason": "The break is in the plan"},
    )

    assert asked.status_code == 200, asked.content
    assert asked.json()["status"] == "reconsideration_requested"
    assert not_theirs.status_code == 403
    assert decided.status_code == 200, decided.content
    assert (decided.json()["status"], decided.json()["decision_reason"]) == (
        "withdrawn",
        "The break is in the plan",
    )
    with tenant_context(tenant_a.tenant):
        assert surplus_recover_due(on=RECOVER_ON).recovered == 0
        assert available(over.purse) == THRESHOLD + 10000


def test_finance_returns_money_recovered_once(tenant_a) -> None:
    over, carol, fay, notice_id = _setup(tenant_a, recovered=True)
    finance = signed_in_client(tenant_a, fay)

    first = _reverse(finance, notice_id, "reverse-1")
    replay = _reverse(finance, notice_id, "reverse-1")
    again = _reverse(finance, notice_id, "reverse-2")
    manager = _reverse(signed_in_client(tenant_a, carol), notice_id, "reverse-3")

    assert first.status_code == 200, first.content
    body = first.json()
    assert body["status"] == "reversed"
    assert body["reversal"] is not None
    assert (replay.status_code, replay.json(), replay["Idempotent-Replayed"]) == (
        200,
        body,
        "true",
    )
    assert again.status_code == 400
    assert again.json()["detail"].startswith("The money taken back under this notice was already")
    assert manager.status_code == 403
    with tenant_context(tenant_a.tenant):
        assert available(over.purse) == THRESHOLD + 10000
        reversal = LedgerTransaction.objects.get(kind=LedgerTransaction.Kind.REVERSAL)
        assert str(reversal.public_id) == body["reversal"]
        assert reversal.reverses is not None
        assert str(reversal.reverses.public_id) == body["transaction"]
        [audit] = AuditEntry.objects.filter(action="ledger.reversal")
        assert (audit.object_id, audit.actor_id, audit.ip_address) == (
            body["reversal"],
            fay.public_id,
            "127.0.0.1",
        )
        assert_books_balance()


def test_another_councils_staff_cannot_see_or_act_on_a_notice(tenant_a, tenant_b) -> None:
    over, _carol, _fay, notice_id = _setup(tenant_a, recovered=True)
    with tenant_context(tenant_b.tenant):
        other_fay = b.staff("Fay Finance", role="finance_officer")
        other_carol = b.staff("Carol Manager")
    finance_b = signed_in_client(tenant_b, other_fay)
    manager_b = signed_in_client(tenant_b, other_carol)
    path = f"/api/purse/surplus-notices/{notice_id}/"

    listed = finance_b.get("/api/purse/surplus-notices/")
    read = finance_b.get(path)
    reversed_ = _reverse(finance_b, notice_id, "b-1")
    asked = post(manager_b, f"{path}reconsideration/", {"text": "Please"})
    decided = post(manager_b, f"{path}decision/", {"withdraw": True, "reason": "No"})
    # B's staff signed in on A's host are not signed in there at all.
    cross = Client(HTTP_HOST=tenant_a.host, HTTP_COOKIE=finance_b.cookies.output(header=""))

    assert (listed.status_code, listed.json()["results"]) == (200, [])
    assert [read.status_code, reversed_.status_code, asked.status_code, decided.status_code] == [
        404,
        404,
        404,
        404,
    ]
    assert cross.get(path).status_code == 401
    with tenant_context(tenant_a.tenant):
        notice = SurplusNotice.objects.get(public_id=notice_id)
        assert notice.status == SurplusNotice.Status.RECOVERED
        assert available(over.purse) == THRESHOLD
        assert not LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.REVERSAL).exists()
