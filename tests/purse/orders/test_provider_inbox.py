"""The provider's orders inbox on the platform's host: orders from each council that
approves it, with only what delivery needs; its answers are written in the council's
schema; another provider, or another host, sees and changes nothing."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from epurse.db import use_public_schema
from purse.ledger.models import Account
from purse.orders.models import Order, Visit
from tests.catalogue.api_support import public_signed_in
from tests.catalogue.factories import provider_with_place
from tests.conftest import signed_in_client

from .support import market
from .test_orders_api import checkout, order_body

pytestmark = pytest.mark.django_db
INBOX = "/api/purse/provider/orders/"


def answer(client: Client, body: dict[str, Any]) -> Any:
    return client.post(
        INBOX,
        json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )


def test_a_provider_sees_accepts_and_reports_delivery_of_an_order(tenant_a) -> None:
    m = market(tenant_a, funds=10000)
    placed = checkout(signed_in_client(tenant_a, tenant_a.person), order_body(m, units="2"))
    assert placed.status_code == 201, placed.content
    order = placed.json()
    use_public_schema()
    provider = public_signed_in(m.provider_owner)

    [row] = provider.get(INBOX).json()
    assert (row["council"], row["reference"], row["status"]) == (
        tenant_a.slug,
        order["reference"],
        "placed",
    )
    assert row["person_name"] == f"{m.person.given_name} {m.person.family_name}"
    # What delivery needs, and nothing else about the person.
    person_fields = {k for k in row if k.startswith("person") or k in {"address"}}
    assert person_fields == {"person_name", "address"}
    assert set(row) >= {"communication_needs", "preferred_language", "visits"}

    accepted = answer(
        provider, {"council": tenant_a.slug, "order": order["id"], "answer": "accept"}
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    with tenant_context(tenant_a.tenant):
        Visit.objects.update(on=timezone.localdate())
    use_public_schema()
    visit = row["visits"][0]["id"]
    delivered = answer(
        provider,
        {
            "council": tenant_a.slug,
            "order": order["id"],
            "answer": "deliver",
            "visit": visit,
            "units": "1.5",
        },
    )
    assert delivered.status_code == 200, delivered.content
    assert delivered.json()["visits"][0]["status"] == "paid"
    with tenant_context(tenant_a.tenant):
        payable = Account.objects.get(kind="payable", provider_id=m.service.provider_id)
        assert payable.credits_posted == 2700
        assert Order.objects.get().status == "accepted"


def test_another_provider_finds_nothing_and_changes_nothing(tenant_a) -> None:
    m = market(tenant_a, funds=10000)
    order = checkout(signed_in_client(tenant_a, tenant_a.person), order_body(m)).json()
    use_public_schema()
    _, other_owner, _ = provider_with_place("Other Care Ltd")
    other = public_signed_in(other_owner)

    assert other.get(INBOX).json() == []
    refused = answer(other, {"council": tenant_a.slug, "order": order["id"], "answer": "accept"})
    assert refused.status_code == 404
    missing = answer(other, {"council": "nowhere", "order": order["id"], "answer": "accept"})
    assert missing.status_code == 404
    # The council's host does not serve the inbox.
    on_council = signed_in_client(tenant_a, tenant_a.person).get(INBOX)
    assert on_council.status_code == 404
    with tenant_context(tenant_a.tenant):
        assert Order.objects.get().status == "placed"


def test_declining_gives_the_money_back(tenant_a) -> None:
    m = market(tenant_a, funds=10000)
    order = checkout(signed_in_client(tenant_a, tenant_a.person), order_body(m)).json()
    use_public_schema()
    provider = public_signed_in(m.provider_owner)
    no_reason = answer(
        provider, {"council": tenant_a.slug, "order": order["id"], "answer": "decline"}
    )
    assert no_reason.status_code == 400
    declined = answer(
        provider,
        {
            "council": tenant_a.slug,
            "order": order["id"],
            "answer": "decline",
            "reason": "No carers free then",
        },
    )
    assert declined.json()["status"] == "declined"
    with tenant_context(tenant_a.tenant):
        m.purse.refresh_from_db()
        assert m.purse.available_pence == 10000
