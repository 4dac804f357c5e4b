"""A provider's orders inbox, on the platform's host: its orders from every live
council, read from each council's schema, with only what delivery needs (the person's
name, their address for visits at home, their communication needs, the schedule).
Nothing about residents is copied into the public schema. Its answers (accept,
decline, report a visit) are written in the council's schema, by the same services
the council's own side uses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django_tenants.utils import schema_context

from catalogue.council.reviews import LIVE_COUNCILS
from catalogue.models import Provider, Service
from core.errors import DomainError
from core.services import SYSTEM, Origin
from tenants.models import Tenant
from tenants.selectors import tenant_list

from .models import Order, Visit
from .services import order_accept, order_decline, visit_deliver


class OrderNotFound(DomainError):
    status = 404
    code = "not_found"
    title = "Not found"


@dataclass(frozen=True)
class InboxVisit:
    id: int
    on: dt.date
    amount_pence: int
    status: str
    delivered_units_centi: int | None


@dataclass(frozen=True)
class InboxOrder:
    council: str
    council_name: str
    id: Any
    reference: str
    status: str
    service_name: str
    person_name: str
    # Only for visits at the person's home.
    address: str
    communication_needs: list[str]
    preferred_language: str
    unit: str
    units_centi: int
    unit_price_pence: int
    frequency: str
    starts_on: dt.date
    at: dt.time
    visits: list[InboxVisit] = field(default_factory=list)


def _row(tenant: Tenant, order: Order) -> InboxOrder:
    person = order.person
    at_home = order.service.delivery_mode == Service.DeliveryMode.AT_HOME
    address = ", ".join(
        part for part in (person.address_1, person.address_2, person.city, person.postcode) if part
    )
    return InboxOrder(
        council=tenant.schema_name,
        council_name=tenant.name,
        id=order.public_id,
        reference=order.reference,
        status=order.status,
        service_name=order.service.name,
        person_name=f"{person.given_name} {person.family_name}",
        address=address if at_home else "",
        communication_needs=list(person.communication_needs),
        preferred_language=person.preferred_language,
        unit=order.unit,
        units_centi=order.units_centi,
        unit_price_pence=order.unit_price_pence,
        frequency=order.frequency,
        starts_on=order.starts_on,
        at=order.at,
        visits=[
            InboxVisit(v.pk, v.on, v.amount_pence, v.status, v.delivered_units_centi)
            for v in order.visits.all()
        ],
    )


def _orders(provider: Provider) -> Any:
    return (
        Order.objects.filter(provider_id=provider.pk)
        .select_related("person", "service")
        .prefetch_related("visits")
    )


def provider_inbox(*, provider: Provider, status: str | None = None) -> list[InboxOrder]:
    """The provider's orders in every live council, newest first."""
    found: list[tuple[Any, InboxOrder]] = []
    for tenant in tenant_list().filter(status__in=LIVE_COUNCILS):
        with schema_context(tenant.schema_name):
            orders = _orders(provider)
            if status:
                orders = orders.filter(status=status)
            found += [(order.created_at, _row(tenant, order)) for order in orders]
    return [row for _, row in sorted(found, key=lambda pair: pair[0], reverse=True)]


def provider_order_answer(
    *,
    provider: Provider,
    council: str,
    order_id: Any,
    answer: str,
    by: Any,
    reason: str = "",
    visit_id: int | None = None,
    units: Any = None,
    origin: Origin = SYSTEM,
) -> InboxOrder:
    """Accept or decline an order, or report a visit ("deliver"), in the council's
    schema. Another provider's order, or an unknown council, is simply not found."""
    tenant = tenant_list().filter(schema_name=council, status__in=LIVE_COUNCILS).first()
    if tenant is None:
        raise OrderNotFound("There is no such order of yours: check the council and the order")
    with schema_context(tenant.schema_name):
        order = _orders(provider).filter(public_id=order_id).first()
        if order is None:
            raise OrderNotFound("There is no such order of yours: check the council and the order")
        if answer == "accept":
            order_accept(order=order, by=by, origin=origin)
        elif answer == "decline":
            order_decline(order=order, reason=reason, by=by, origin=origin)
        elif answer == "deliver":
            visit = Visit.objects.filter(order=order, pk=visit_id).first() if visit_id else None
            if visit is None:
                raise OrderNotFound("This order has no such visit")
            visit_deliver(visit=visit, units=units, by=by, origin=origin)
        else:
            raise DomainError("Answer accept, decline or deliver")
        return _row(tenant, _orders(provider).get(pk=order.pk))
