"""An NHS body onboarded today works on day one with the NHS personal health budget
rules: notional, third-party or direct payment budgets and the NHS exclusions, and a
plan managed another way is refused in words the care manager can act on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from accounts.services import user_create
from purse.models import Budget, SupportPlan
from tenants.rules.defaults import NHS_EXCLUDED_SPENDING
from tenants.services import tenant_create
from tests.conftest import TenantUsers, signed_in_client, tenant_drop
from tests.purse.api_support import assessed, person_made, plan_body, post

SLUG = "fenwick"


def _nhs_plan_body(assessment: dict[str, Any], management: str) -> dict[str, Any]:
    # NHS care is free where it is given: no income is asked for, nothing contributed.
    body = plan_body(
        assessment,
        assessment["indicative_weekly_pence"],
        management=management,
        person_contribution_weekly_pence=0,
    )
    del body["weekly_income_pence"]
    return body


@pytest.fixture
def nhs(committed) -> Iterator[TenantUsers]:
    tenant_drop(SLUG)
    onboarded = tenant_create(
        name="Fenwick Integrated Care Board",
        slug=SLUG,
        kind="nhs",
        admin_email=f"admin@{SLUG}.example",
        admin_password="an-admin-password-for-tests",
        status="active",
    )
    yield TenantUsers(
        tenant=onboarded.tenant, host=f"{SLUG}.localhost", admin=onboarded.admin, person=None
    )
    tenant_drop(SLUG)


def test_an_nhs_care_manager_plans_a_notional_budget_and_not_a_council_managed_one(
    nhs: TenantUsers,
) -> None:
    with tenant_context(nhs.tenant):
        nina = user_create(
            email=f"nina@{SLUG}.example", full_name="Nina", role_codes=["care_manager"]
        )
    client = signed_in_client(nhs, nina)

    # Given the NHS body's first rules version
    version = client.get("/api/rules/versions/1/")
    assert version.status_code == 200, version.content
    assert version.json()["status"] == "published"
    # Then it offers exactly the NHS ways of holding the money, and the NHS exclusions
    assert version.json()["allowed_management"] == ["notional", "third_party", "direct_payment"]
    assert version.json()["excluded_spending"] == list(NHS_EXCLUDED_SPENDING)

    # When a care manager assesses a person and plans a council-managed budget
    assessment = assessed(client, person_made(client))
    weekly = assessment["indicative_weekly_pence"]
    refused = post(client, "/api/purse/plans/", _nhs_plan_body(assessment, "council_managed"))

    # Then it is refused, naming the options this NHS body allows, and nothing is written
    assert refused.status_code == 400
    assert refused.json()["errors"] == {
        "management": [
            "Choose how the money is managed: Notional budget (held by the NHS), "
            "Third-party budget, Direct payment"
        ]
    }
    with tenant_context(nhs.tenant):
        assert not SupportPlan.objects.exists()

    # When the plan is a notional budget
    made = post(client, "/api/purse/plans/", _nhs_plan_body(assessment, "notional"))
    assert made.status_code == 201, made.content
    assert made.json()["management"] == "notional"
    assert made.json()["person_contribution_weekly_pence"] == 0
    approved = post(client, f"/api/purse/plans/{made.json()['id']}/approve/", None)

    # Then one approval is enough (the budget is the indicative one) and it is active
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    with tenant_context(nhs.tenant):
        budget = Budget.objects.get()
        assert (budget.status, budget.management, budget.weekly_pence) == (
            "active",
            "notional",
            weekly,
        )
