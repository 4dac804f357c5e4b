"""Plans, licences and a month of real ledger activity for invoicing tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tenants.utils import tenant_context

from billing.models import Licence, Plan
from purse.orders.models import Visit
from purse.orders.services import order_accept, order_place, visit_deliver
from tests.conftest import TenantUsers
from tests.purse.orders.support import Market, market


def plan_make(code: str = "standard", **prices: Any) -> Plan:
    defaults: dict[str, Any] = {
        "name": code.capitalize(),
        "platform_fee_pence": 50000,
        "holder_tiers": [{"up_to": 1, "pence": 300}, {"up_to": None, "pence": 200}],
        "order_fee_pence": 25,
        "minimum_monthly_pence": 0,
    }
    return Plan.objects.create(code=code, version=1, **{**defaults, **prices})


def licence_make(tenant: TenantUsers, plan: Plan, **fields: Any) -> Licence:
    defaults: dict[str, Any] = {
        "status": Licence.Status.ACTIVE,
        "starts_on": dt.date(2026, 1, 1),
        "billing_name": f"{tenant.tenant.name} Finance",  # type: ignore[attr-defined]
        "billing_email": f"accounts@{tenant.slug}.example",
        "billing_address": "Town Hall\nHigh Street\nAB1 2CD",
        "customer_vat_number": "GB123456789",
        "purchase_order": "PO-4471",
    }
    return Licence.objects.create(
        tenant=tenant.tenant,  # type: ignore[misc]
        plan=plan,
        **{**defaults, **fields},
    )


def captures_make(tenant: TenantUsers, count: int, *, funds: int = 20000) -> Market:
    """A budget holder funded by a one-off payment, and `count` one-hour visits (£18)
    delivered today: `count` capture transactions in the tenant's ledger."""
    m = market(tenant, funds=funds)
    with tenant_context(tenant.tenant):
        for _ in range(count):
            order = order_place(
                person=m.person,
                service_id=m.service.pk,
                price_option_id=m.price_id,
                units="1",
                starts_on=timezone.localdate() + dt.timedelta(days=3),
                at=dt.time(9),
                frequency="once",
                by=tenant.person,
            )
            order_accept(order=order, by=m.provider_owner)
            [visit] = order.visits.all()
            Visit.objects.filter(pk=visit.pk).update(on=timezone.localdate())
            visit.refresh_from_db()
            visit = visit_deliver(visit=visit, units="1", by=m.provider_owner)
            assert visit.status == "paid"
    return m
