"""The personal budgets and budget rules API: the care manager's flow from a new
person to an active budget, who may read what (and the audit of staff reads), bad
input, and hosts (a council's own only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.services import user_create
from core.money import format_pence
from purse.models import Assessment, Budget, Person, Representative, Review, SupportPlan
from tenants.rules.compute import indicative_budget
from tenants.rules.models import Question, RulesVersion
from tests.conftest import TenantUsers, host_client, signed_in_client
from tests.purse.api_support import (
    INCOME,
    assessed,
    audits,
    count,
    patch,
    person_made,
    plan_body,
    post,
)

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Staff:
    carol: User  # care manager
    dev: User  # a second care manager
    finance: User
    holder: User  # a budget holder's own account
    rep_view: User
    rep_order: User  # a representative without the view scope


def _user(tenant: TenantUsers, name: str, role: str) -> User:
    with tenant_context(tenant.tenant):
        return user_create(
            email=f"{name}@{tenant.slug}.example", full_name=name.title(), role_codes=[role]
        )


@pytest.fixture
def staff(tenant_a: TenantUsers) -> Staff:
    return Staff(
        carol=_user(tenant_a, "carol", "care_manager"),
        dev=_user(tenant_a, "dev", "care_manager"),
        finance=_user(tenant_a, "fin", "finance_officer"),
        holder=_user(tenant_a, "holly", "budget_holder"),
        rep_view=_user(tenant_a, "rita", "representative"),
        rep_order=_user(tenant_a, "oscar", "representative"),
    )


def _as(tenant: TenantUsers, user: User) -> Client:
    return signed_in_client(tenant, user)


def test_a_care_manager_takes_a_person_from_assessment_to_an_active_budget(
    tenant_a: TenantUsers, staff: Staff
) -> None:
    carol, dev = _as(tenant_a, staff.carol), _as(tenant_a, staff.dev)
    person_id = person_made(carol, holder=staff.holder)

    # Given the assessment under tenant_a's default rules (version 1)
    assessment = assessed(carol, person_id)

    # Then eligibility and the indicative budget come from those rules, explained
    with tenant_context(tenant_a.tenant):
        version = RulesVersion.objects.get(number=1)
        answers: dict[str | Question, str] = {
            q: q.answers.all()[1].code
            for q in Question.objects.filter(domain__version=version).prefetch_related("answers")
        }
        expected = indicative_budget(version=version, answers=answers)  # type: ignore[arg-type]
    indicative = expected.weekly_pence
    assert assessment["status"] == "completed"
    assert assessment["eligible"] is True
    assert assessment["total_points"] == expected.total_points
    assert assessment["indicative_weekly_pence"] == indicative
    assert assessment["explanation"][0].startswith("You are eligible for care and support")
    assert assessment["explanation"][1:] == list(expected.lines)
    assert len(assessment["answers"]) == len(answers)

    # When the plan's budget differs from the indicative one without a reason
    weekly = indicative + 5001  # just over the default threshold of £50 above it
    refused = post(carol, "/api/purse/plans/", plan_body(assessment, weekly))

    # Then 400 with the service's words, and no plan is written
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json() == {
        "type": "validation_error",
        "title": "There is a problem with what was sent",
        "status": 400,
        "detail": "The support plan could not be saved.",
        "errors": {
            "difference_reason": [
                f"The budget differs from the indicative {format_pence(indicative)} a week: say why"
            ]
        },
    }
    assert count(tenant_a, SupportPlan) == 0

    # When there is a reason
    made = post(
        carol,
        "/api/purse/plans/",
        plan_body(assessment, weekly, difference_reason="Two carers needed for transfers"),
    )
    assert made.status_code == 201, made.content
    plan = made.json()
    assert (plan["status"], plan["needs_second_approval"]) == ("draft", True)
    assert plan["indicative_weekly_pence"] == indicative
    contribution = INCOME - 21435
    assert plan["person_contribution_weekly_pence"] == contribution
    assert plan["statement"] == {
        "cost_to_council_weekly_pence": weekly,
        "person_contribution_weekly_pence": contribution,
        "council_contribution_weekly_pence": weekly - contribution,
        "management": "direct_payment",
        "topup_cycle_weeks": 4,
        "payment_per_topup_pence": (weekly - contribution) * 4,
        "lines": [
            f"Your personal budget is {format_pence(weekly)} a week: this is what meeting "
            "your eligible needs costs.",
            f"You contribute {format_pence(contribution)} a week.",
            f"The council contributes {format_pence(weekly - contribution)} a week.",
            f"Your direct payment is {format_pence((weekly - contribution) * 4)} every 4 weeks.",
        ],
    }

    # Then above the threshold one approval is not enough, and not twice by the same person
    first = post(carol, f"/api/purse/plans/{plan['id']}/approve/", None)
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "awaiting_second_approval"
    assert first.json()["needs_second_approval"] is True
    assert count(tenant_a, Budget) == 0
    # and it is on the list of plans waiting for a second approver, with who approved first
    waiting = carol.get("/api/purse/plans/?status=awaiting_second_approval").json()["results"]
    assert [(p["id"], p["first_approver"], p["person"]["id"]) for p in waiting] == [
        (plan["id"], "Carol", person_id)
    ]
    assert carol.get("/api/purse/plans/?status=draft").json()["results"] == []
    assert carol.get("/api/purse/plans/?status=nonsense").status_code == 400
    again = post(carol, f"/api/purse/plans/{plan['id']}/approve/", None)
    assert again.status_code == 400
    assert again.json()["detail"] == (
        "This budget needs a second approver: someone other than Carol, who approved it first."
    )

    # And the second approver's approval activates the budget and schedules the reviews
    second = post(dev, f"/api/purse/plans/{plan['id']}/approve/", None)
    assert second.status_code == 200, second.content
    assert second.json()["status"] == "approved"
    with tenant_context(tenant_a.tenant):
        budget = Budget.objects.get()
        assert (budget.status, budget.weekly_pence, budget.management) == (
            "active",
            weekly,
            "direct_payment",
        )
        assert str(budget.plan.public_id) == plan["id"]
        assert sorted(Review.objects.values_list("kind", flat=True)) == [
            "annual",
            "direct_payment",
            "first",
        ]

    # And the budget holder reads their own plan, and no staff read is audited for it
    viewed = len(audits(tenant_a, "person.viewed"))
    own = _as(tenant_a, staff.holder).get(f"/api/purse/plans/{plan['id']}/")
    assert own.status_code == 200
    assert own.json()["statement"]["cost_to_council_weekly_pence"] == weekly
    assert len(audits(tenant_a, "person.viewed")) == viewed

    # And finance reads budgets, but not the plan or the person
    finance = _as(tenant_a, staff.finance)
    budgets = finance.get("/api/purse/budgets/")
    assert budgets.status_code == 200
    assert [(b["person"]["id"], b["weekly_pence"]) for b in budgets.json()["results"]] == [
        (person_id, weekly)
    ]
    assert finance.get(f"/api/purse/plans/{plan['id']}/").status_code == 404
    assert finance.get(f"/api/purse/people/{person_id}/").status_code == 404


@pytest.fixture
def recorded(tenant_a: TenantUsers, staff: Staff) -> dict[str, Any]:
    """A person with an approved plan, made through the API."""
    carol = _as(tenant_a, staff.carol)
    person_id = person_made(carol, holder=staff.holder)
    assessment = assessed(carol, person_id)
    weekly = assessment["indicative_weekly_pence"]
    plan = post(carol, "/api/purse/plans/", plan_body(assessment, weekly)).json()
    approved = post(carol, f"/api/purse/plans/{plan['id']}/approve/", None)
    assert approved.json()["status"] == "approved"
    return {"person": person_id, "assessment": assessment["id"], "plan": plan["id"]}


def test_every_staff_read_of_a_record_writes_an_audit_entry(
    tenant_a: TenantUsers, staff: Staff, recorded: dict[str, Any]
) -> None:
    carol = _as(tenant_a, staff.carol)
    before = len(audits(tenant_a, "person.viewed"))

    reads = [
        f"/api/purse/people/{recorded['person']}/",
        f"/api/purse/assessments/{recorded['assessment']}/",
        f"/api/purse/plans/{recorded['plan']}/",
    ]
    for path in reads:
        assert carol.get(path).status_code == 200

    entries = audits(tenant_a, "person.viewed")[before:]
    assert [(e.actor_id, e.object_id, e.detail) for e in entries] == [
        (staff.carol.public_id, recorded["person"], {"basis": "council"}),
        (
            staff.carol.public_id,
            recorded["person"],
            {"basis": "council", "reading": "assessment", "id": recorded["assessment"]},
        ),
        (
            staff.carol.public_id,
            recorded["person"],
            {"basis": "council", "reading": "supportplan", "id": recorded["plan"]},
        ),
    ]
    # Lists that name people are audited too, with the query asked.
    for path, action in (
        ("/api/purse/people/", "people.listed"),
        ("/api/purse/plans/?status=approved", "plans.listed"),
        ("/api/purse/reviews/?overdue=true", "reviews.listed"),
        ("/api/purse/budgets/", "budgets.listed"),
    ):
        assert carol.get(path).status_code == 200
        [entry] = audits(tenant_a, action)
        assert (entry.actor_id, entry.detail["query"]) == (
            staff.carol.public_id,
            path.partition("?")[2],
        )
    listed = carol.get("/api/purse/people/")
    assert [p["id"] for p in listed.json()["results"]] == [recorded["person"]]


def test_representatives_read_only_with_the_view_scope(
    tenant_a: TenantUsers, staff: Staff, recorded: dict[str, Any]
) -> None:
    carol = _as(tenant_a, staff.carol)
    today = timezone.localdate().isoformat()
    for user, scopes in ((staff.rep_view, ["view"]), (staff.rep_order, ["order"])):
        added = post(
            carol,
            f"/api/purse/people/{recorded['person']}/representatives/",
            {
                "user": str(user.public_id),
                "relationship": "family",
                "scopes": scopes,
                "starts_on": today,
            },
        )
        assert added.status_code == 201, added.content
        assert added.json()["scopes"] == scopes
    viewed = len(audits(tenant_a, "person.viewed"))

    with_view = _as(tenant_a, staff.rep_view)
    without_view = _as(tenant_a, staff.rep_order)
    for path in (
        f"/api/purse/people/{recorded['person']}/",
        f"/api/purse/plans/{recorded['plan']}/",
    ):
        assert with_view.get(path).status_code == 200
        refused = without_view.get(path)
        assert refused.status_code == 404
        assert refused.json()["detail"] == (
            "We could not find that person. Check the link or search again."
        )
    # Neither is a staff read.
    assert len(audits(tenant_a, "person.viewed")) == viewed

    # Ending the representation takes the access away from the next day on.
    with tenant_context(tenant_a.tenant):
        rep_id = Representative.objects.get(user=staff.rep_view).pk
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    ended = post(carol, f"/api/purse/representatives/{rep_id}/end/", {"ends_on": yesterday})
    assert ended.status_code == 400  # before it started: the service's words
    assert ended.json()["errors"] == {"ends_on": ["Must be on or after the start date"]}
    ended = post(carol, f"/api/purse/representatives/{rep_id}/end/", {"ends_on": today})
    assert ended.status_code == 200
    assert ended.json()["ends_on"] == today


def test_a_person_is_not_found_from_another_councils_host_or_the_platforms(
    tenant_a: TenantUsers, tenant_b: TenantUsers, staff: Staff, recorded: dict[str, Any]
) -> None:
    b_manager = _user(tenant_b, "bob", "care_manager")
    other = _as(tenant_b, b_manager)

    for path in (
        f"/api/purse/people/{recorded['person']}/",
        f"/api/purse/plans/{recorded['plan']}/",
        f"/api/purse/assessments/{recorded['assessment']}/",
    ):
        response = other.get(path)
        assert response.status_code == 404
        assert recorded["person"] not in response.content.decode()
    assert post(other, f"/api/purse/plans/{recorded['plan']}/approve/", None).status_code == 404
    assert audits(tenant_b, "person.viewed") == []

    platform = host_client("localhost")
    assert platform.get("/api/purse/people/").status_code == 404
    assert platform.get("/api/rules/versions/").status_code == 404


def test_only_care_managers_change_records(
    tenant_a: TenantUsers, staff: Staff, recorded: dict[str, Any]
) -> None:
    holder = _as(tenant_a, staff.holder)
    finance = _as(tenant_a, staff.finance)
    people_before = count(tenant_a, Person)

    assert post(holder, "/api/purse/people/", {"given_name": "X"}).status_code == 403
    assert (
        post(finance, "/api/purse/assessments/", {"person": recorded["person"]}).status_code == 403
    )
    assert (
        patch(holder, f"/api/purse/people/{recorded['person']}/", {"given_name": "Y"}).status_code
        == 403
    )
    assert holder.get("/api/purse/people/").status_code == 403
    assert holder.get("/api/purse/budgets/").status_code == 403
    assert count(tenant_a, Person) == people_before


def test_bad_input_gets_the_services_words_and_writes_nothing(
    tenant_a: TenantUsers, staff: Staff, recorded: dict[str, Any]
) -> None:
    carol = _as(tenant_a, staff.carol)
    people_before = count(tenant_a, Person)

    bad_nhs = post(
        carol,
        "/api/purse/people/",
        {
            "given_name": "Bo",
            "family_name": "Bell",
            "date_of_birth": "1960-01-01",
            "nhs_number": "943 476 5910",
        },
    )
    assert bad_nhs.status_code == 400
    assert list(bad_nhs.json()["errors"]) == ["nhs_number"]
    assert count(tenant_a, Person) == people_before

    # An answer from another question of the questionnaire
    started = post(carol, "/api/purse/assessments/", {"person": recorded["person"]})
    assessment_id = started.json()["id"]
    questions = [
        q
        for d in carol.get("/api/rules/versions/1/").json()["questionnaire"]
        for q in d["questions"]
    ]
    wrong = post(
        carol,
        f"/api/purse/assessments/{assessment_id}/answers/",
        {"question": questions[0]["id"], "answer": questions[1]["answers"][0]["id"]},
    )
    assert wrong.status_code == 400
    assert wrong.json()["errors"] == {
        "answer": [f"Choose one of the answers to: {questions[0]['text']}"]
    }
    unknown = post(
        carol,
        f"/api/purse/assessments/{assessment_id}/answers/",
        {"question": questions[0]["id"], "answer": 10**9},
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {"answer": ["We could not find that answer. Check the id."]}
    with tenant_context(tenant_a.tenant):
        assert Assessment.objects.get(public_id=assessment_id).answers.count() == 0

    # Completing too early says what is missing
    early = post(carol, f"/api/purse/assessments/{assessment_id}/complete/", {})
    assert early.status_code == 400
    assert early.json()["detail"] == "The assessment is not finished yet."
    assert early.json()["errors"]["eligibility"] == [
        "Record the eligibility decision before completing"
    ]


def test_reviews_and_challenges(
    tenant_a: TenantUsers, staff: Staff, recorded: dict[str, Any]
) -> None:
    carol = _as(tenant_a, staff.carol)
    holder = _as(tenant_a, staff.holder)

    due = carol.get("/api/purse/reviews/")
    assert due.status_code == 200
    assert [r["kind"] for r in due.json()["results"]] == ["first", "direct_payment", "annual"]
    triggered = post(carol, f"/api/purse/plans/{recorded['plan']}/reviews/", {"reason": "A fall"})
    assert triggered.status_code == 201
    assert triggered.json()["kind"] == "event"
    review_id = triggered.json()["id"]
    blank = post(carol, f"/api/purse/reviews/{review_id}/complete/", {"outcome": " "})
    assert blank.status_code == 400
    assert blank.json()["errors"] == {"outcome": ["Enter what the review found"]}
    done = post(carol, f"/api/purse/reviews/{review_id}/complete/", {"outcome": "No change"})
    assert done.status_code == 200
    assert done.json()["completed_on"] == timezone.localdate().isoformat()

    # The budget holder asks for their budget to be reconsidered; a care manager decides
    raised = post(
        holder,
        "/api/purse/challenges/",
        {"person": recorded["person"], "plan": recorded["plan"], "reason": "Too little"},
    )
    assert raised.status_code == 201, raised.content
    assert raised.json()["status"] == "open"
    assert raised.json()["plan"] == recorded["plan"]
    challenge_id = raised.json()["id"]
    assert (
        post(
            holder,
            f"/api/purse/challenges/{challenge_id}/decision/",
            {"upheld": True, "decision": "x"},
        ).status_code
        == 403
    )
    decided = post(
        carol,
        f"/api/purse/challenges/{challenge_id}/decision/",
        {"upheld": False, "decision": "The plan meets the assessed needs"},
    )
    assert decided.status_code == 200
    assert (decided.json()["status"], decided.json()["decided_on"]) == (
        "not_upheld",
        timezone.localdate().isoformat(),
    )
    # Someone who does not act for the person is told nothing about them
    stranger = _as(tenant_a, staff.rep_order)
    refused = post(
        stranger,
        "/api/purse/challenges/",
        {"person": recorded["person"], "plan": recorded["plan"], "reason": "x"},
    )
    assert refused.status_code == 404


def test_rules_versions_drafted_changed_previewed_and_published(
    tenant_a: TenantUsers, staff: Staff, recorded: dict[str, Any]
) -> None:
    admin = _as(tenant_a, tenant_a.admin)  # type: ignore[arg-type]
    listed = admin.get("/api/rules/versions/")
    assert [v["number"] for v in listed.json()["results"]] == [1]
    effective = (timezone.localdate() + dt.timedelta(days=30)).isoformat()

    draft = post(
        admin,
        "/api/rules/versions/",
        {"effective_from": effective, "price_per_point_pence": 500},
    )
    assert draft.status_code == 201, draft.content
    assert (draft.json()["number"], draft.json()["status"]) == (2, "draft")
    assert len(draft.json()["questionnaire"]) == len(
        admin.get("/api/rules/versions/1/").json()["questionnaire"]
    )
    negative = patch(admin, "/api/rules/versions/2/", {"minimum_weekly_pence": -1})
    assert negative.status_code == 400
    assert negative.json()["errors"] == {
        "minimum_weekly_pence": ["Give a whole number of pence, 0 or more"]
    }
    changed = patch(admin, "/api/rules/versions/2/", {"second_approval_above_pence": 10000})
    assert changed.json()["second_approval_above_pence"] == 10000

    preview = admin.get("/api/rules/versions/2/preview/")
    assert preview.status_code == 200
    [row] = preview.json()
    assert row["person"]["id"] == recorded["person"]
    assert row["difference_pence"] == row["draft_weekly_pence"] - row["indicative_now_pence"]
    assert audits(tenant_a, "rules.previewed")[-1].detail == {"number": 2, "budgets": 1}

    published = post(admin, "/api/rules/versions/2/publish/", None)
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    unchanged = patch(admin, "/api/rules/versions/2/", {"notes": "x"})
    assert unchanged.status_code == 400
    # Care managers read the rules but do not change them.
    carol = _as(tenant_a, staff.carol)
    assert carol.get("/api/rules/versions/2/").status_code == 200
    assert post(carol, "/api/rules/versions/", {"effective_from": effective}).status_code == 403
