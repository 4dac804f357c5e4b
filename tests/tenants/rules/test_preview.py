"""Before publishing, the preview shows how each current budget would change; it
changes nothing itself."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from accounts.models import User
from core.models import AuditEntry
from purse.models import Assessment, AssessmentAnswer, Budget, Person, SupportPlan
from tenants.rules.models import Answer, Question, RulesVersion
from tenants.rules.selectors import rules_preview
from tenants.rules.services import rules_answer_update

from .factories import draft_of


def person_with_budget(
    version: RulesVersion,
    by: Any,
    *,
    name: str,
    weekly_pence: int,
    indicative_pence: int | None = None,
    chosen: dict[str, str],
    status: str = Budget.Status.ACTIVE,
    adjustments: list[str] | None = None,
) -> Person:
    """A person assessed under `version` (lowest answers except `chosen`; indicative
    `indicative_pence`, default the budget), with an approved plan and a budget of
    `weekly_pence`."""
    given, family = name.split()
    person = Person.objects.create(
        given_name=given, family_name=family, date_of_birth=date(1950, 5, 17)
    )
    assessment = Assessment.objects.create(
        person=person,
        rules_version=version,
        status=Assessment.Status.COMPLETED,
        assessed_by=by,
        completed_at=timezone.now(),
        adjustments=adjustments or [],
        indicative_weekly_pence=weekly_pence if indicative_pence is None else indicative_pence,
    )
    for question in Question.objects.filter(domain__version=version).prefetch_related("answers"):
        code = chosen.get(question.code, question.answers.all()[0].code)
        AssessmentAnswer.objects.create(
            assessment=assessment, question=question, answer=question.answers.get(code=code)
        )
    plan = SupportPlan.objects.create(
        person=person,
        assessment=assessment,
        rules_version=version,
        status=SupportPlan.Status.APPROVED,
        outcomes="Stay at home safely",
        management="direct_payment",
        weekly_budget_pence=weekly_pence,
        starts_on=timezone.localdate(),
        created_by=by,
    )
    Budget.objects.create(
        person=person,
        plan=plan,
        status=status,
        weekly_pence=weekly_pence,
        management="direct_payment",
        starts_on=timezone.localdate(),
        first_topup_on=timezone.localdate() + timedelta(days=7),
    )
    return person


def test_preview_shows_each_active_budget_under_the_draft(admin: User, v1: RulesVersion) -> None:
    # Given two people with budgets under version 1 (Ann's is the indicative 8 x £4.50;
    # Bob's was set above his indicative 37 x £4.50 = £166.50), and an ended budget.
    ann = person_with_budget(
        v1, admin, name="Ann Archer", weekly_pence=3600, chosen={"washing": "most"}
    )
    bob = person_with_budget(
        v1,
        admin,
        name="Bob Baker",
        weekly_pence=20000,
        indicative_pence=37 * 450,
        chosen={
            "washing": "most",
            "dressing": "some",
            "toilet": "some",
            "eating": "some",
            "moving-at-home": "most",
            "transfers": "some",
            "housework": "some",
            "medicines": "given",
            "community": "most",
            "carer-break": "sometimes",
        },
    )
    person_with_budget(
        v1,
        admin,
        name="Cat Cole",
        weekly_pence=9000,
        chosen={"toilet": "all"},
        status=Budget.Status.ENDED,
    )
    # and a draft at £5 a point, where washing "most" is worth 10 points, not 8.
    draft = draft_of(v1, admin, price_per_point_pence=500)
    rules_answer_update(
        answer=Answer.objects.get(
            question__domain__version=draft, question__code="washing", code="most"
        ),
        points=10,
        by=admin,
    )
    audit = AuditEntry.objects.count()

    # When the preview is made
    rows = rules_preview(draft=draft)

    # Then each active budget is reported, with the draft's amount from the same answers,
    # and the change measured from the indicative amount the plan was approved on (Bob's
    # budget stays £33.50 above his indicative one: that was the care manager's decision)
    assert [
        (
            r.person,
            r.current_weekly_pence,
            r.indicative_now_pence,
            r.draft_weekly_pence,
            r.difference_pence,
            r.note,
        )
        for r in rows
    ] == [
        (ann, 3600, 3600, 5000, 1400, ""),
        (bob, 20000, 16650, 39 * 500, 39 * 500 - 16650, ""),
    ]
    # and nothing changes: plans keep their version, budgets their amounts.
    assert set(SupportPlan.objects.values_list("rules_version__number", flat=True)) == {1}
    assert sorted(Budget.objects.values_list("weekly_pence", flat=True)) == [3600, 9000, 20000]
    assert AuditEntry.objects.count() == audit
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_preview_says_when_the_draft_needs_a_new_assessment(admin: User, v1: RulesVersion) -> None:
    dan = person_with_budget(v1, admin, name="Dan Dale", weekly_pence=1800, chosen={})
    draft = draft_of(v1, admin)
    # The draft's medicines question has a renamed answer, so Dan's answer does not match.
    Answer.objects.filter(
        question__domain__version=draft, question__code="medicines", code="none"
    ).update(code="no-help")

    rows = rules_preview(draft=draft)

    assert [(r.person, r.draft_weekly_pence, r.difference_pence) for r in rows] == [
        (dan, None, None)
    ]
    assert rows[0].note == (
        "Needs a new assessment: the draft asks 'How much help do you need to take your "
        "medicines?', which their assessment does not answer"
    )


def test_preview_reapplies_the_adjustments_the_draft_still_has(
    admin: User, v1: RulesVersion
) -> None:
    # Given Cy, assessed with carer support (+10%) and an adjustment the draft dropped
    cy = person_with_budget(
        v1,
        admin,
        name="Cy Cole",
        weekly_pence=3960,
        chosen={"washing": "most"},
        adjustments=["carer-support", "retired-adjustment"],
    )
    draft = draft_of(v1, admin, price_per_point_pence=500)
    # When the preview is made, then carer support is applied again: 8 x £5 + 10% = £44
    [row] = rules_preview(draft=draft)
    assert (row.person, row.draft_weekly_pence, row.difference_pence) == (cy, 4400, 440)


def test_preview_without_budgets_is_empty(admin: User, v1: RulesVersion) -> None:
    assert rules_preview(draft=draft_of(v1, admin)) == []
