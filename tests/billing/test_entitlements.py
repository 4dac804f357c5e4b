"""Entitlements in one place: a tenant without a licence has every module and no cap;
a licensed one has its plan's modules; a suspended or cancelled licence stops changes
to the set-up and new people; the cap on budget holders warns, then refuses beyond its
grace margin."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from billing.entitlements import (
    ALL_MODULES,
    HolderState,
    configuration_allowed,
    configuration_refusal,
    holders_status,
    licence_for,
    module_enabled,
    modules_for,
    people_onboarding_allowed,
    people_onboarding_refusal,
    route_refusal,
)
from tenants.models import Tenant

from .support import holders_made, licensed, plan_with

pytestmark = pytest.mark.django_db


def test_a_tenant_without_a_licence_has_every_module_and_no_cap(tenant_a):
    assert licence_for(tenant_a.tenant) is None
    assert modules_for(tenant=tenant_a.tenant) == ALL_MODULES
    assert all(module_enabled(tenant=tenant_a.tenant, module=m) for m in ALL_MODULES)
    assert configuration_allowed(tenant=tenant_a.tenant)
    assert people_onboarding_allowed(tenant=tenant_a.tenant)
    status = holders_status(tenant=tenant_a.tenant)
    assert (status.state, status.cap, status.warning, status.message) == (
        HolderState.UNCAPPED,
        None,
        False,
        "",
    )
    # The platform's own host is no tenant: module checks do not apply there.
    public = Tenant.objects.get(schema_name="public")
    assert modules_for(tenant=public) == ALL_MODULES
    assert route_refusal(tenant=public, view_name="portal:services", method="GET") is None


def test_a_licensed_tenant_has_its_plans_modules_and_the_other_all_of_them(tenant_a, tenant_b):
    licensed(tenant_a, plan="personal-health-budgets")

    assert modules_for(tenant=tenant_a.tenant) == {"epurse", "phb", "reports"}
    assert not module_enabled(tenant=tenant_a.tenant, module="marketplace")
    assert module_enabled(tenant=tenant_b.tenant, module="marketplace")
    refusal = route_refusal(tenant=tenant_a.tenant, view_name="portal:services", method="GET")
    assert refusal is not None
    assert refusal.code == "module_not_licensed"
    assert refusal.detail.startswith(
        "This council's licence does not include the marketplace (finding and ordering services)"
    )
    # Orders already placed are listed; a new one needs the marketplace.
    assert (
        route_refusal(tenant=tenant_a.tenant, view_name="api:purse-order-list", method="GET")
        is None
    )
    assert route_refusal(tenant=tenant_a.tenant, view_name="api:purse-order-list", method="POST")
    # Balances and statements belong to no module: never refused.
    for name in ("portal:home", "api:purse-my-statement", "statements:my-statement"):
        assert route_refusal(tenant=tenant_a.tenant, view_name=name, method="GET") is None


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        ("trial", True),
        ("active", True),
        ("past_due", True),
        ("suspended", False),
        ("cancelled", False),
    ],
)
def test_only_a_suspended_or_cancelled_licence_stops_changes(tenant_a, status, allowed):
    licensed(tenant_a, status=status)

    assert configuration_allowed(tenant=tenant_a.tenant) is allowed
    assert people_onboarding_allowed(tenant=tenant_a.tenant) is allowed
    refusal = route_refusal(
        tenant=tenant_a.tenant, view_name="api:rules-version-list", method="POST"
    )
    assert (refusal is None) is allowed
    # Reading is never stopped.
    assert (
        route_refusal(tenant=tenant_a.tenant, view_name="api:rules-version-list", method="GET")
        is None
    )
    if not allowed:
        assert refusal is not None
        word = "suspended" if status == "suspended" else "has been cancelled"
        assert refusal.code == f"licence_{'suspended' if status == 'suspended' else 'cancelled'}"
        assert str(configuration_refusal(tenant=tenant_a.tenant)).startswith(
            f"This council's licence {'is ' if status == 'suspended' else ''}{word}: budget rules"
        )
        assert "People can still see their balances and statements" in refusal.detail


def test_the_cap_warns_near_and_over_it_and_refuses_new_people_beyond_the_grace(tenant_a):
    # Given a cap of 10 with 20% grace (up to 12), and 9 budget holders
    licence = licensed(tenant_a, holder_cap=10, grace_percent=20)
    holders_made(tenant_a, 9)

    near = holders_status(tenant=tenant_a.tenant)
    assert (near.state, near.holders, near.cap, near.limit) == (HolderState.WITHIN, 9, 10, 12)
    assert near.near_cap
    assert near.warning
    assert near.message == (
        "This council has 9 budget holders of the 10 its licence covers. "
        "Ask the platform's team to raise the cap before it is reached."
    )

    over = holders_status(tenant=tenant_a.tenant, licence=licence, holders=11)
    assert over.state == HolderState.OVER_CAP
    assert over.message.startswith(
        "This council has 11 budget holders, more than the 10 its licence covers. "
        "1 more can be added within the grace margin"
    )
    assert people_onboarding_allowed(tenant=tenant_a.tenant)

    # When 12 people have budgets, no more can be added; configuration still can
    holders_made(tenant_a, 3)
    full = holders_status(tenant=tenant_a.tenant)
    assert (full.state, full.holders) == (HolderState.OVER_GRACE, 12)
    assert people_onboarding_refusal(tenant=tenant_a.tenant) == (
        "This council has 12 budget holders and its licence covers 10 (with a grace margin "
        "up to 12): no more people can be added until the licence covers more or budgets "
        "end. Contact the platform's team to raise the cap."
    )
    assert configuration_allowed(tenant=tenant_a.tenant)
    refusal = route_refusal(
        tenant=tenant_a.tenant, view_name="api:purse-person-list", method="POST"
    )
    assert refusal is not None
    assert refusal.code == "holder_cap_reached"
    assert (
        route_refusal(tenant=tenant_a.tenant, view_name="api:purse-person-list", method="GET")
        is None
    )


def test_only_people_with_an_active_budget_count_once_each(tenant_a):
    from purse.models import Budget

    licensed(tenant_a, holder_cap=5)
    holders_made(tenant_a, 2)
    with tenant_context(tenant_a.tenant):
        first = Budget.objects.order_by("pk").values_list("pk", flat=True)[0]
        Budget.objects.filter(pk=first).update(status="ended")
    assert holders_status(tenant=tenant_a.tenant).holders == 1


def test_a_plan_made_for_one_module_gives_only_that(tenant_a):
    licensed(tenant_a, plan=plan_with(["reports"]))
    assert modules_for(tenant=tenant_a.tenant) == {"reports"}
