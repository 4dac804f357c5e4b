"""Checkout and orders through the API: a budget holder orders with an Idempotency-Key
(a retry orders nothing more), sees the order and the money held, cancels a visit in
time and sees the money come back; refusals are clear 4xx answers."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from purse.orders.models import Order, Visit
from tests.conftest import signed_in_client

from .support import market

pytestmark = pytest.mark.django_db


def checkout(client: Client, body: dict[str, Any], key: str | None = None) -> Any:
    return client.post(
        "/api/purse/orders/",
        json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key or str(uuid.uuid4())},
    )


def order_body(m: Any, **changes: Any) -> dict[str, Any]:
    return {
        "person": str(m.person.public_id),
        "service": str(m.service.pk),
        "price_option": str(m.price_id),
        "units": "1.5",
        "starts_on": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
        "at": "10:30",
        "frequency": "once",
    } | changes


def test_a_budget_holder_orders_sees_it_and_cancels_a_visit(tenant_a) -> None:
    m = market(tenant_a, funds=10000)
    holder = signed_in_client(tenant_a, tenant_a.person)

    placed = checkout(holder, order_body(m), key="order-1")
    again = checkout(holder, order_body(m), key="order-1")

    assert placed.status_code == 201, placed.content
    order = placed.json()
    assert (again.status_code, again.json()) == (201, order)
    assert order["reference"].startswith("ORD-")
    assert (order["unit_price_pence"], order["units_centi"]) == (1800, 150)
    [visit] = order["visits"]
    assert (visit["amount_pence"], visit["status"]) == (2700, "held")
    with tenant_context(tenant_a.tenant):
        assert Order.objects.count() == 1
        m.purse.refresh_from_db()
        assert m.purse.available_pence == 10000 - 2700

    listed = holder.get("/api/purse/orders/", {"person": str(m.person.public_id)})
    assert [o["id"] for o in listed.json()] == [order["id"]]
    assert holder.get(f"/api/purse/orders/{order['id']}/").json() == order

    cancelled = holder.post(
        f"/api/purse/visits/{visit['id']}/cancel/", headers={"Idempotency-Key": "cancel-1"}
    )
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["visits"][0]["status"] == "cancelled"
    with tenant_context(tenant_a.tenant):
        m.purse.refresh_from_db()
        assert m.purse.available_pence == 10000


def test_checkout_refusals_are_clear(tenant_a) -> None:
    m = market(tenant_a, funds=1000)
    holder = signed_in_client(tenant_a, tenant_a.person)

    poor = checkout(holder, order_body(m))
    assert poor.status_code == 400
    assert poor.json()["detail"] == (
        "There is not enough money in the purse: £10 is available and this needs £27."
    )
    unknown = checkout(holder, order_body(m, service=str(uuid.uuid4())))
    assert unknown.status_code == 400
    assert unknown.json()["errors"]["service"] == [
        "This service is not one your council has approved, so the budget cannot pay for it"
    ]
    for units in ("lots", "1e99999999", "sNaN", "-1", "1.005", "Infinity"):
        bad_units = checkout(holder, order_body(m, units=units))
        assert bad_units.status_code == 400, units
        assert bad_units.json()["errors"] == {
            "units": ["Enter how much: more than 0 and at most 24, like 1 or 1.5"]
        }
    stranger = checkout(signed_in_client(tenant_a, tenant_a.admin), order_body(m))
    assert stranger.status_code == 404  # not told whether the person exists
    with tenant_context(tenant_a.tenant):
        assert not Order.objects.exists()


def test_a_delivery_is_disputed_and_settled_through_the_api(tenant_a, tenant_b) -> None:
    from accounts.services import user_create
    from purse.orders.services import order_accept, visit_deliver

    m = market(tenant_a, funds=10000, person_confirms_delivery=True)
    holder = signed_in_client(tenant_a, tenant_a.person)
    order = checkout(holder, order_body(m, units="2")).json()
    [visit] = order["visits"]
    with tenant_context(tenant_a.tenant):
        placed = Order.objects.get(public_id=order["id"])
        order_accept(order=placed, by=m.provider_owner)
        Visit.objects.filter(pk=visit["id"]).update(on=timezone.localdate())
        visit_deliver(visit=Visit(pk=visit["id"]), units="2", by=m.provider_owner)

    dispute = f"/api/purse/visits/{visit['id']}/dispute/"
    said = holder.post(
        dispute,
        json.dumps({"reason": "The carer left after an hour"}),
        content_type="application/json",
        headers={"Idempotency-Key": "dispute-1"},
    )
    assert said.status_code == 200, said.content
    assert said.json()["visits"][0]["status"] == "disputed"

    settle = f"/api/purse/visits/{visit['id']}/settle/"
    body = json.dumps({"units": "1"})
    # The person cannot settle their own dispute; another council cannot see it.
    assert holder.post(
        settle, body, content_type="application/json", headers={"Idempotency-Key": "s-0"}
    ).status_code in (403, 404)
    with tenant_context(tenant_b.tenant):
        manager_b = user_create(email="cm@b.example", full_name="Cm B", role_codes=["care_manager"])
    other = signed_in_client(tenant_b, manager_b)
    assert (
        other.post(
            settle, body, content_type="application/json", headers={"Idempotency-Key": "s-1"}
        ).status_code
        == 404
    )
    manager = signed_in_client(tenant_a, m.carol)
    settled = manager.post(
        settle, body, content_type="application/json", headers={"Idempotency-Key": "s-2"}
    )
    replay = manager.post(
        settle, body, content_type="application/json", headers={"Idempotency-Key": "s-2"}
    )
    assert settled.status_code == 200, settled.content
    assert replay.content == settled.content
    assert settled.json()["visits"][0]["status"] == "paid"
    with tenant_context(tenant_a.tenant):
        m.purse.refresh_from_db()
        assert m.purse.available_pence == 10000 - 1800
