"""The budgets flow tried on the demo data itself, as a care manager would: signed in
with the demo password, through the API, in Kingsmere (a council) and Riverside (an NHS
body), each under its own day-one rules."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from core.models import AuditEntry
from epurse.demo import demo_seed
from purse.models import Budget, SupportPlan
from tenants.rules.compute import indicative_budget
from tenants.rules.defaults import COUNCIL_EXCLUDED_SPENDING, NHS_EXCLUDED_SPENDING
from tenants.rules.models import Answer, RulesVersion
from tests.purse.api_support import assessed, post

pytestmark = pytest.mark.django_db
PASSWORD = "demo-password-for-tests"


def _signed_in(slug: str, mailbox: str) -> Client:
    client = Client(HTTP_HOST=f"{slug}.localhost")
    issued = client.post(
        "/api/auth/token/",
        {"email": f"{mailbox}@{slug}.example", "password": PASSWORD},
        content_type="application/json",
    )
    assert issued.status_code == 200, issued.content
    return Client(
        HTTP_HOST=f"{slug}.localhost", HTTP_AUTHORIZATION=f"Token {issued.json()['token']}"
    )


def _plan_body(assessment: dict[str, Any], weekly: int, management: str, **more: Any) -> dict:
    return {
        "assessment": assessment["id"],
        "outcomes": "Keep living at home, and get out to the shops each week",
        "management": management,
        "lines": [
            {
                "category": "home-care",
                "description": "Help each morning",
                "weekly_cost_pence": weekly - 4000,
            },
            {
                "category": "transport",
                "description": "Taxi to the shops",
                "weekly_cost_pence": 4000,
            },
        ],
        "weekly_budget_pence": weekly,
        "starts_on": assessment["completed_at"][:10],
        **more,
    }


@pytest.mark.parametrize(
    ("slug", "management", "excluded"),
    [
        ("kingsmere", "direct_payment", COUNCIL_EXCLUDED_SPENDING),
        ("riverside", "notional", NHS_EXCLUDED_SPENDING),
    ],
)
def test_a_demo_care_manager_takes_a_demo_person_to_an_active_budget(
    slug: str, management: str, excluded: tuple[str, ...]
) -> None:
    demo_seed(password=PASSWORD)
    manager, lead = _signed_in(slug, "manager"), _signed_in(slug, "lead")

    # A demo person without a budget, found on the care manager's list
    people = manager.get("/api/purse/people/").json()["results"]
    person = next(p for p in people if p["given_name"] != "Margaret")

    # Eligibility and the indicative budget come from this tenant's own rules, explained
    assessment = assessed(manager, person["id"], answer_index=2)
    assert assessment["eligible"] is True
    with schema_context(slug):
        version = RulesVersion.objects.get(number=assessment["rules_version"])
        chosen = Answer.objects.in_bulk([a["answer"] for a in assessment["answers"]])
        expected = indicative_budget(
            version=version, answers={a.question: a for a in chosen.values()}
        )
    indicative = assessment["indicative_weekly_pence"]
    assert indicative == expected.weekly_pence > 0
    # "Why is my budget £X?": the eligibility decision, then the sum line by line
    assert assessment["explanation"][0].startswith("You are eligible for care and support")
    assert assessment["explanation"][1:] == expected.lines
    assert assessment["explanation"][-1].startswith("Indicative budget: £")
    rules = manager.get(f"/api/rules/versions/{version.number}/").json()
    assert rules["excluded_spending"] == list(excluded)
    if slug == "riverside":  # the PHB ways of holding the money
        assert rules["allowed_management"] == ["notional", "third_party", "direct_payment"]

    # A different amount needs a reason; above the threshold, a second approver
    weekly = indicative + rules["second_approval_above_pence"] + 100
    if rules["contribution_method"] == "simple_assessment":
        body = _plan_body(assessment, weekly, management, weekly_income_pence=20000)
    else:
        body = _plan_body(assessment, weekly, management, person_contribution_weekly_pence=0)
    no_reason = post(manager, "/api/purse/plans/", body)
    assert no_reason.status_code == 400
    assert list(no_reason.json()["errors"]) == ["difference_reason"]
    made = post(manager, "/api/purse/plans/", body | {"difference_reason": "Two carers needed"})
    assert made.status_code == 201, made.content
    plan_id = made.json()["id"]
    first = post(manager, f"/api/purse/plans/{plan_id}/approve/", None)
    assert first.json()["status"] == "awaiting_second_approval"
    assert post(manager, f"/api/purse/plans/{plan_id}/approve/", None).status_code == 400
    with schema_context(slug):
        assert not Budget.objects.filter(plan__public_id=plan_id).exists()
    second = post(lead, f"/api/purse/plans/{plan_id}/approve/", None)
    assert second.status_code == 200, second.content

    # Approval activates the budget, under the rules version it was worked out with
    assert second.json()["status"] == "approved"
    with schema_context(slug):
        budget = Budget.objects.select_related("plan").get(plan__public_id=plan_id)
        assert (budget.status, budget.weekly_pence, budget.management) == (
            "active",
            weekly,
            management,
        )
        assert budget.plan.rules_version == version
        approvers = SupportPlan.objects.filter(public_id=plan_id).values_list(
            "approved_by__email", "second_approved_by__email"
        )
        assert list(approvers) == [(f"manager@{slug}.example", f"lead@{slug}.example")]
        # (The demo budget holder's budget was activated when the demo was seeded.)
        activated = AuditEntry.objects.filter(action="budget.activated", object_id=str(budget.pk))
        assert activated.count() == 1


def test_the_demo_holder_finds_care_near_home_under_20_pounds_an_hour_rated_good() -> None:
    """The portal's acceptance journey starts here: Margaret (person@kingsmere) searches
    within a mile of home, at most £20, rated Good or better, and finds home care she can
    order by the hour."""
    from django.utils.html import strip_tags

    demo_seed(password=PASSWORD)
    client = Client(HTTP_HOST="kingsmere.localhost", secure=True)
    client.post("/account/sign-in/", {"email": "person@kingsmere.example", "password": PASSWORD})

    found = client.get(
        "/services/", {"within": "1", "max_price": "20", "min_rating": "good"}
    ).content.decode()
    service = client.get("/services/", {"q": "Home care visits", "within": "1"})
    link = re.search(r'href="(/services/[0-9a-f-]{36}/)"', service.content.decode())
    assert link is not None
    page = strip_tags(client.get(link.group(1)).content.decode())

    assert "Home care visits" in found
    assert re.search(r"CQC rating</dt><dd[^>]*>(Good|Outstanding)</dd>", found)
    assert "£19.50 an hour" in page
