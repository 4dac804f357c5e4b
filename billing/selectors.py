"""Reads for licensing: plans, a tenant's licence, and what it uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django_tenants.utils import tenant_context

from epurse.db import PUBLIC_SCHEMA

from .models import Licence, Module, Plan

MODULE_NAMES: dict[str, str] = {
    Module.MARKETPLACE: "the marketplace (finding and ordering services)",
    Module.EPURSE: "the e-purse (budgets, assessments and support plans)",
    Module.PHB: "personal health budgets",
    Module.SOCIAL_PRESCRIBING: "social prescribing",
    Module.REPORTS: "reports for commissioners",
}


def module_name(module: str) -> str:
    """What a module is called in a sentence: "the marketplace (finding ...)"."""
    return MODULE_NAMES.get(module, module)


def is_tenant(tenant: Any) -> bool:
    """A council or NHS body (not the platform's own public schema, nor no tenant)."""
    return tenant is not None and getattr(tenant, "schema_name", PUBLIC_SCHEMA) != PUBLIC_SCHEMA


def licence_get(*, tenant: Any) -> Licence | None:
    """The tenant's licence with its plan, or None (a tenant made before licensing)."""
    if not is_tenant(tenant):
        return None
    return Licence.objects.select_related("plan").filter(tenant_id=tenant.pk).first()


def plan_latest(*, code: str) -> Plan | None:
    """The newest version of the plan `code`: what new licences are sold."""
    return Plan.objects.filter(code=code).order_by("-version").first()


def plans_current() -> QuerySet[Plan]:
    """The newest version of every plan, by name."""
    return Plan.objects.order_by("code", "-version").distinct("code")


@contextmanager
def _in_schema_of(tenant: Any) -> Iterator[None]:
    if getattr(connection, "schema_name", None) == tenant.schema_name:
        yield
    else:
        with tenant_context(tenant):
            yield


def active_holders_count(*, tenant: Any) -> int:
    """How many people have an active budget in the tenant now (each counts once)."""
    from purse.models import Budget

    with _in_schema_of(tenant):
        return (
            Budget.objects.filter(status=Budget.Status.ACTIVE)
            .values("person_id")
            .distinct()
            .count()
        )


@dataclass(frozen=True)
class Usage:
    period_start: dt.date
    period_end: dt.date  # the last day of the period
    holders: int  # active budget holders now
    orders: int  # orders placed in the period so far


def usage_this_period(*, tenant: Any, today: dt.date | None = None) -> Usage:
    """Usage in the calendar month containing `today` (the billing period)."""
    from purse.orders.models import Order

    today = today or timezone.localdate()
    start = today.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    after = end + dt.timedelta(days=1)
    with _in_schema_of(tenant):
        orders = Order.objects.filter(
            created_at__gte=_midnight(start), created_at__lt=_midnight(after)
        ).count()
    return Usage(
        period_start=start,
        period_end=end,
        holders=active_holders_count(tenant=tenant),
        orders=orders,
    )


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


@dataclass(frozen=True)
class Tier:
    first: int  # the first holder the tier's price applies to (1-based)
    last: int | None  # None: every holder after `first`
    pence: int


def plan_tiers(plan: Plan) -> list[Tier]:
    """The plan's graduated per-holder prices as ranges: 1-250, 251-1,000, 1,001 on."""
    tiers, first = [], 1
    for tier in plan.holder_tiers or []:
        last = tier.get("up_to")
        tiers.append(Tier(first=first, last=last, pence=int(tier["pence"])))
        if last is None:
            break
        first = int(last) + 1
    return tiers
