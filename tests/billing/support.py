"""Licences for billing tests: a tenant put on a plan (a seeded one or one made for
the test) in any status, through the services."""

from __future__ import annotations

from typing import Any

from billing.models import Licence, Plan
from billing.selectors import plan_latest
from billing.services import licence_create, licence_status_set, plan_version_create
from epurse.db import use_public_schema
from tests.conftest import TenantUsers

# The way each status is reached from a new trial.
PATHS = {
    "trial": [],
    "active": ["active"],
    "past_due": ["active", "past_due"],
    "suspended": ["active", "past_due", "suspended"],
    "cancelled": ["cancelled"],
}


def plan_with(modules: list[str], *, code: str = "test-plan") -> Plan:
    return plan_version_create(
        code=code,
        name="Test plan",
        modules=modules,
        platform_fee_pence=10_000,
        holder_tiers=[{"up_to": None, "pence": 100}],
        by=None,
    )


def licensed(
    users: TenantUsers,
    *,
    plan: Plan | str = "complete",
    status: str = "active",
    **fields: Any,
) -> Licence:
    use_public_schema()
    chosen = plan_latest(code=plan) if isinstance(plan, str) else plan
    assert chosen is not None
    licence = licence_create(tenant=users.tenant, plan=chosen, by=None, **fields)
    for step in PATHS[status]:
        licence = licence_status_set(licence=licence, status=step, reason="In the test", by=None)
    return licence


def holders_made(users: TenantUsers, n: int) -> None:
    """`n` more people with an active budget in the tenant (through the plan services)."""
    import datetime as dt

    from django.db.models import Max
    from django_tenants.utils import tenant_context

    from purse.models import Person
    from purse.services.plans import plan_approve, plan_create
    from tenants.rules.models import RulesVersion
    from tests.purse import plan_builders as b

    with tenant_context(users.tenant):
        carol = b.staff(f"Carol Cap {Person.objects.count()}")
        version = RulesVersion.objects.filter(status="published").order_by("number").first()
        if version is None or version.second_approval_above_pence < 30000:
            version = b.rules_version(second_approval_above_pence=100_000)
        start = Person.objects.aggregate(n=Max("pk"))["n"] or 0
        for i in range(n):
            person = b.person(given=f"Holder{start + i}")
            plan = plan_create(
                assessment=b.assessment(person, version, carol, indicative=30000),
                outcomes="Stay at home",
                management="council_managed",
                lines=[("home-care", "Mornings", 30000)],
                weekly_budget_pence=30000,
                starts_on=dt.date(2026, 1, 5),
                by=carol,
            )
            plan_approve(plan=plan, by=carol)
    use_public_schema()
