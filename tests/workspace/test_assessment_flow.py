"""A care manager takes a person from a needs assessment to an approved plan in the
workspace's pages, without JavaScript: answers saved as they go, the eligibility
decision recorded, the indicative budget shown, a plan checked against the services'
rules, approved, and the budget made."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from purse.models import Assessment, Budget, SupportPlan
from tenants.rules.models import Question
from tests.conftest import signed_in_client
from tests.purse import plan_builders as b

pytestmark = pytest.mark.django_db


def test_from_assessment_to_an_approved_plan(tenant_a):
    with tenant_context(tenant_a.tenant):
        carol = b.staff("Carol Flow")
        ada = b.person()
    client = signed_in_client(tenant_a, carol)

    # Start: the assessment uses the rules in effect today.
    started = client.post(f"/workspace/caseload/people/{ada.public_id}/assessment/")
    with tenant_context(tenant_a.tenant):
        assessment = Assessment.objects.get(person=ada)
        questions = list(
            Question.objects.filter(domain__version=assessment.rules_version)
            .prefetch_related("answers")
            .order_by("domain__position", "position")
        )
    url = f"/workspace/caseload/assessments/{assessment.public_id}/"
    assert started["Location"] == url
    assert len(questions) >= 2
    page = client.get(url).content.decode()
    assert all(q.text in page for q in questions)

    # Answer one question, save, come back: it is kept; the rest are still to answer.
    most = {q.pk: max(q.answers.all(), key=lambda a: a.points) for q in questions}
    first = questions[0]
    saved = client.post(url, {f"q{first.pk}": most[first.pk].pk}, follow=True)
    assert "Your answers are saved. Come back to finish." in saved.content.decode()
    assert client.post(f"/workspace/caseload/people/{ada.public_id}/assessment/")["Location"] == url

    done = client.post(url, {f"q{q.pk}": most[q.pk].pk for q in questions})
    assert done["Location"] == f"{url}eligibility/"

    # The eligibility decision: both questions must be answered.
    missing = client.post(f"{url}eligibility/", {"outcomes_not_achieved": ["nutrition"]})
    assert missing.status_code == 400
    assert "Say whether the needs arise from a physical or mental impairment" in (
        missing.content.decode()
    )
    with tenant_context(tenant_a.tenant):
        assert Assessment.objects.get(pk=assessment.pk).status == "draft"
    completed = client.post(
        f"{url}eligibility/",
        {
            "needs_from_condition": "yes",
            "outcomes_not_achieved": ["nutrition", "hygiene"],
            "wellbeing_impact_significant": "yes",
        },
        follow=True,
    )
    with tenant_context(tenant_a.tenant):
        assessment.refresh_from_db()
    indicative = assessment.indicative_weekly_pence
    assert assessment.eligible is True
    assert indicative
    assert indicative > 0
    assert "Eligible" in completed.content.decode()

    # The plan: lines that do not add up to the budget are refused in words.
    pounds = f"{indicative / 100:.2f}"
    start = timezone.localdate() + dt.timedelta(days=7)
    plan_form = {
        "outcomes": "Stay living at home",
        "management": "council_managed",
        "weekly_budget": pounds,
        "weekly_income": "200",  # below the allowance: no contribution
        "line1_category": "home-care",
        "line1_description": "Morning visits",
        "line1_cost": "1.00",
        "starts_day": str(start.day),
        "starts_month": str(start.month),
        "starts_year": str(start.year),
    }
    short = client.post(f"{url}plan/", plan_form)
    assert short.status_code == 400
    assert "less than the budget" in short.content.decode()
    with tenant_context(tenant_a.tenant):
        assert not SupportPlan.objects.filter(person=ada).exists()

    written = client.post(f"{url}plan/", plan_form | {"line1_cost": pounds})
    with tenant_context(tenant_a.tenant):
        plan = SupportPlan.objects.get(person=ada)
    assert written["Location"] == f"/workspace/caseload/plans/{plan.public_id}/"
    assert plan.status == "draft"
    assert plan.weekly_budget_pence == indicative
    page = client.get(written["Location"]).content.decode()
    assert "Personal budget statement" in page
    assert "Approve the plan" in page

    approved = client.post(f"/workspace/caseload/plans/{plan.public_id}/approve/", follow=True)
    assert f"The plan for {ada} is approved." in approved.content.decode()
    with tenant_context(tenant_a.tenant):
        plan.refresh_from_db()
        budget = Budget.objects.get(plan=plan)
    assert plan.status == "approved"
    assert (budget.weekly_pence, budget.starts_on) == (indicative, start)


def test_another_councils_assessment_is_not_found(tenant_a, tenant_b):
    with tenant_context(tenant_a.tenant):
        carol = b.staff("Carol Here")
        ada = b.person()
        assessment = b.assessment(ada, b.rules_version(), carol, status="draft")
    with tenant_context(tenant_b.tenant):
        theirs = b.staff("Carol There")
    client = signed_in_client(tenant_b, theirs)
    for path in ("", "eligibility/", "plan/"):
        assert (
            client.get(f"/workspace/caseload/assessments/{assessment.public_id}/{path}").status_code
            == 404
        )
    assert client.post(f"/workspace/caseload/people/{ada.public_id}/assessment/").status_code == 404
