"""Support plans: what a plan must say, approval (with a second approver above the
threshold), the budget it activates and the reviews it schedules."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.errors import DomainError, ValidationFailed
from core.models import AuditEntry
from purse.models import Budget, PlanLine, Review, SupportPlan
from purse.services.plans import (
    budget_activate,
    budget_topup_on,
    budgets_roll,
    contribution_from_income,
    plan_approve,
    plan_create,
    plan_statement,
)
from purse.services.reviews import (
    review_complete,
    review_reminders_send,
    review_trigger,
    reviews_due,
)
from tenants.rules.models import Management, RulesVersion

from . import plan_builders as b

pytestmark = pytest.mark.django_db

D = dt.date
LINES = [
    ("home-care", "Help to wash and dress each morning", 20000),
    ("day-opportunities", "Two days at the community centre", 10000),
]


@pytest.fixture
def council(tenant_a):
    with tenant_context(tenant_a.tenant):
        yield tenant_a


@pytest.fixture
def carol(council):
    return b.staff("Carol Manager")


@pytest.fixture
def dev(council):
    return b.staff("Dev Manager")


@pytest.fixture
def version(council):
    return b.rules_version()


@pytest.fixture
def ada(council):
    return b.person()


@pytest.fixture
def assessed(ada, version, carol):
    return b.assessment(ada, version, carol)


def _plan(assessed, by, **changes):
    fields = {
        "assessment": assessed,
        "outcomes": "Stay living at home and see friends twice a week",
        "management": Management.COUNCIL_MANAGED,
        "lines": LINES,
        "weekly_budget_pence": 30000,
        "starts_on": D(2026, 5, 4),
        "by": by,
    }
    return plan_create(**(fields | changes))


def _nothing_written(audit_before):
    assert SupportPlan.objects.count() == 0
    assert PlanLine.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def _field_error(excinfo, field):
    return excinfo.value.field_errors[field]


def test_a_plan_at_the_indicative_budget_needs_one_approver_and_activates_the_budget(
    assessed, carol, ada, version
):
    plan = _plan(assessed, carol)

    assert (plan.status, plan.rules_version, plan.weekly_budget_pence) == ("draft", version, 30000)
    assert sorted(plan.lines.values_list("category", "weekly_cost_pence")) == [
        ("day-opportunities", 10000),
        ("home-care", 20000),
    ]
    assert not Budget.objects.exists()

    plan_approve(plan=plan, by=carol)

    assert plan.status == SupportPlan.Status.APPROVED
    assert (plan.approved_by, plan.second_approved_by) == (carol, None)
    assert plan.approved_at is not None
    budget = Budget.objects.get()
    assert (budget.person, budget.plan, budget.status) == (ada, plan, "active")
    assert (budget.weekly_pence, budget.management) == (30000, "council_managed")
    assert (budget.starts_on, budget.first_topup_on, budget.ends_on) == (
        D(2026, 5, 4),
        D(2026, 5, 4),
        None,
    )
    # Council-managed: the first review and the yearly one, no direct-payment review.
    assert list(plan.reviews.values_list("kind", "due_on")) == [
        ("first", D(2026, 6, 29)),
        ("annual", D(2027, 5, 4)),
    ]
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-4:] == [
        "plan.created",
        "plan.approved",
        "budget.activated",
        "reviews.scheduled",
    ]


def test_the_statement_shows_who_pays_what_and_the_direct_payment(assessed, carol):
    plan = _plan(
        assessed,
        carol,
        management=Management.DIRECT_PAYMENT,
        person_contribution_weekly_pence=2550,
    )

    statement = plan_statement(plan)

    assert statement.cost_to_council_weekly_pence == 30000
    assert statement.person_contribution_weekly_pence == 2550
    assert statement.council_contribution_weekly_pence == 27450
    assert (statement.topup_cycle_weeks, statement.payment_per_topup_pence) == (4, 109800)
    assert statement.lines() == [
        "Your personal budget is £300 a week: this is what meeting your eligible needs costs.",
        "You contribute £25.50 a week.",
        "The council contributes £274.50 a week.",
        "Your direct payment is £1,098 every 4 weeks.",
    ]
    managed = _plan(assessed, carol)
    assert plan_statement(managed).payment_per_topup_pence is None
    assert len(plan_statement(managed).lines()) == 3


def test_a_direct_payment_plan_also_gets_its_six_month_review(assessed, carol):
    plan = _plan(assessed, carol, management=Management.DIRECT_PAYMENT, starts_on=D(2026, 8, 31))

    plan_approve(plan=plan, by=carol)

    assert list(plan.reviews.values_list("kind", "due_on")) == [
        ("first", D(2026, 10, 26)),
        ("direct_payment", D(2027, 2, 28)),
        ("annual", D(2027, 8, 31)),
    ]
    assert plan.budget.management == "direct_payment"


def test_a_different_budget_needs_a_reason_and_an_error_writes_nothing(assessed, carol):
    before = AuditEntry.objects.count()
    lines = [*LINES, ("transport", "Taxi to the centre", 2000)]

    with pytest.raises(ValidationFailed) as excinfo:
        _plan(assessed, carol, weekly_budget_pence=32000, lines=lines, difference_reason="  ")

    assert _field_error(excinfo, "difference_reason") == [
        "The budget differs from the indicative £300 a week: say why"
    ]
    _nothing_written(before)
    plan = _plan(
        assessed, carol, weekly_budget_pence=32000, lines=lines, difference_reason=" Transport "
    )
    assert (plan.weekly_budget_pence, plan.difference_reason) == (32000, "Transport")


def test_management_must_be_one_the_rules_allow(ada, carol, council):
    version = b.rules_version(
        allowed_management=[Management.COUNCIL_MANAGED, Management.DIRECT_PAYMENT]
    )
    assessed = b.assessment(ada, version, carol)
    before = AuditEntry.objects.count()

    with pytest.raises(ValidationFailed) as excinfo:
        _plan(assessed, carol, management=Management.NOTIONAL)

    assert _field_error(excinfo, "management") == [
        "Choose how the money is managed: Managed by the council, Direct payment"
    ]
    _nothing_written(before)


def test_the_planned_support_must_cost_exactly_the_budget(assessed, carol):
    before = AuditEntry.objects.count()

    with pytest.raises(ValidationFailed) as over:
        _plan(assessed, carol, lines=[*LINES, ("transport", "Taxi", 1)])
    with pytest.raises(ValidationFailed) as under:
        _plan(assessed, carol, lines=LINES[:1])

    assert _field_error(over, "lines") == [
        "The planned support costs £300.01 a week, more than the budget of £300: the budget "
        "must be enough to meet the needs"
    ]
    assert _field_error(under, "lines") == [
        "The planned support costs £200 a week, £100 less than the budget of £300: plan how "
        "all of it will be used, or lower the budget"
    ]
    _nothing_written(before)


def test_bad_lines_are_named_by_number(assessed, carol):
    with pytest.raises(ValidationFailed) as excinfo:
        _plan(
            assessed,
            carol,
            lines=[
                (" ", "Help", 100),
                ("home-care", "", -1),
                ("home-care", "Visits", 29900, uuid.uuid4()),
            ],
        )

    assert _field_error(excinfo, "lines") == [
        "Line 1: enter a category",
        "Line 2: describe the support",
        "Line 2: enter a weekly cost of £0 or more, in pence",
        "Line 3: the chosen service is not available here",
    ]
    with pytest.raises(ValidationFailed) as empty:
        _plan(assessed, carol, lines=[])
    assert _field_error(empty, "lines") == [
        "Add at least one way the needs will be met, with its weekly cost"
    ]
    assert SupportPlan.objects.count() == 0


def test_only_a_completed_assessment_of_eligible_needs_gets_a_plan(ada, version, carol):
    draft = b.assessment(ada, version, carol, status="draft")
    not_eligible = b.assessment(ada, version, carol, eligible=False)

    with pytest.raises(DomainError, match="Complete the assessment before"):
        _plan(draft, carol)
    with pytest.raises(DomainError, match="found no eligible needs"):
        _plan(not_eligible, carol)
    assert SupportPlan.objects.count() == 0


def test_only_a_care_manager_writes_or_approves_plans(assessed, carol, council):
    worker = b.staff("Sam Worker", role="support_worker")

    with pytest.raises(DomainError, match="Only a care manager can write a support plan"):
        _plan(assessed, worker)
    plan = _plan(assessed, carol)
    with pytest.raises(DomainError, match="Only a care manager can approve a support plan"):
        plan_approve(plan=plan, by=council.person)

    plan.refresh_from_db()
    assert (plan.status, plan.approved_by) == ("draft", None)
    assert not Budget.objects.exists()


def test_simple_financial_assessment_works_the_contribution_out(ada, carol, council):
    version = b.rules_version(
        contribution_method=RulesVersion.Contribution.SIMPLE_ASSESSMENT,
        income_allowance_weekly_pence=20000,
        contribution_percent=50,
    )
    assessed = b.assessment(ada, version, carol)

    # (35001 - 20000) x 50% = 7500.5p, rounded half up.
    assert (
        _plan(assessed, carol, weekly_income_pence=35001).person_contribution_weekly_pence == 7501
    )
    assert (
        _plan(assessed, carol, weekly_income_pence=35000).person_contribution_weekly_pence == 7500
    )
    assert _plan(assessed, carol, weekly_income_pence=20000).person_contribution_weekly_pence == 0
    assert _plan(assessed, carol, weekly_income_pence=15000).person_contribution_weekly_pence == 0
    # Never more than the whole budget.
    assert (
        _plan(assessed, carol, weekly_income_pence=10**7).person_contribution_weekly_pence == 30000
    )

    count = SupportPlan.objects.count()
    with pytest.raises(ValidationFailed) as missing:
        _plan(assessed, carol)
    with pytest.raises(ValidationFailed) as entered:
        _plan(assessed, carol, weekly_income_pence=30000, person_contribution_weekly_pence=100)
    assert _field_error(missing, "weekly_income_pence") == [
        "Enter the person's weekly income, to work out their contribution"
    ]
    assert _field_error(entered, "person_contribution_weekly_pence") == [
        "These rules work the contribution out from income: enter the weekly income instead"
    ]
    assert SupportPlan.objects.count() == count


def test_contribution_rounding_is_half_up_to_the_penny(council):
    version = RulesVersion(income_allowance_weekly_pence=0, contribution_percent=15)

    assert contribution_from_income(version=version, weekly_income_pence=10) == 2  # 1.5
    assert contribution_from_income(version=version, weekly_income_pence=9) == 1  # 1.35
    assert contribution_from_income(version=version, weekly_income_pence=0) == 0


def test_an_entered_contribution_stays_within_the_budget(assessed, carol):
    with pytest.raises(ValidationFailed) as too_much:
        _plan(assessed, carol, person_contribution_weekly_pence=30001)
    with pytest.raises(ValidationFailed) as negative:
        _plan(assessed, carol, person_contribution_weekly_pence=-1)
    with pytest.raises(ValidationFailed) as income:
        _plan(assessed, carol, weekly_income_pence=40000)

    assert _field_error(too_much, "person_contribution_weekly_pence") == [
        "The person's contribution cannot be more than the budget of £300 a week"
    ]
    assert _field_error(negative, "person_contribution_weekly_pence") == [
        "The contribution cannot be negative"
    ]
    assert "weekly_income_pence" in income.value.field_errors
    assert SupportPlan.objects.count() == 0
    assert (
        _plan(
            assessed, carol, person_contribution_weekly_pence=30000
        ).council_contribution_weekly_pence
        == 0
    )


def test_exactly_the_threshold_above_the_indicative_needs_one_approver(assessed, carol):
    lines = [*LINES, ("transport", "Taxi", 5000)]
    plan = _plan(assessed, carol, weekly_budget_pence=35000, lines=lines, difference_reason="Taxi")

    plan_approve(plan=plan, by=carol)

    assert (plan.status, plan.second_approved_by) == ("approved", None)
    assert Budget.objects.get().weekly_pence == 35000


def test_above_the_threshold_a_second_different_care_manager_approves(assessed, carol, dev):
    lines = [*LINES, ("transport", "Taxi", 5001)]
    plan = _plan(assessed, carol, weekly_budget_pence=35001, lines=lines, difference_reason="Taxi")

    plan_approve(plan=plan, by=carol)

    assert (plan.status, plan.approved_by, plan.approved_at) == (
        "awaiting_second_approval",
        carol,
        None,
    )
    assert not Budget.objects.exists()
    assert not Review.objects.exists()
    audit_before = AuditEntry.objects.count()

    with pytest.raises(DomainError) as excinfo:
        plan_approve(plan=plan, by=carol)

    assert excinfo.value.detail == (
        "This budget needs a second approver: someone other than Carol Manager, who approved "
        "it first."
    )
    plan.refresh_from_db()
    assert (plan.status, plan.second_approved_by) == ("awaiting_second_approval", None)
    assert AuditEntry.objects.count() == audit_before
    assert not Budget.objects.exists()

    plan_approve(plan=plan, by=dev)

    assert (plan.status, plan.approved_by, plan.second_approved_by) == ("approved", carol, dev)
    assert Budget.objects.get(status="active").weekly_pence == 35001
    assert AuditEntry.objects.filter(action="plan.first_approval").count() == 1


def test_the_database_refuses_one_person_as_both_approvers(assessed, carol):
    plan = _plan(assessed, carol)

    with pytest.raises(IntegrityError), transaction.atomic():
        SupportPlan.objects.filter(pk=plan.pk).update(approved_by=carol, second_approved_by=carol)


def test_a_new_plan_supersedes_the_old_one_and_restarts_the_schedule(ada, version, carol, council):
    old = _plan(b.assessment(ada, version, carol), carol)
    plan_approve(plan=old, by=carol)
    newer_rules = b.rules_version(topup_cycle_weeks=2)
    reassessed = b.assessment(ada, newer_rules, carol, indicative=40000)
    new = _plan(
        reassessed,
        carol,
        weekly_budget_pence=40000,
        lines=[*LINES, ("transport", "Taxi", 10000)],
        management=Management.DIRECT_PAYMENT,
        starts_on=D(2026, 9, 7),
    )

    plan_approve(plan=new, by=carol)

    old.refresh_from_db()
    assert (old.status, old.rules_version) == ("superseded", version)  # keeps its version
    assert (new.status, new.rules_version) == ("approved", newer_rules)
    ended, active = Budget.objects.order_by("pk")
    assert (ended.plan, ended.status, ended.ends_on) == (old, "ended", D(2026, 9, 6))
    assert (active.plan, active.status, active.weekly_pence) == (new, "active", 40000)
    assert Budget.objects.filter(person=ada, status="active").count() == 1
    # The old plan's reviews drop off the lists; the new plan counts from its own start.
    assert [(r.plan, r.kind, r.due_on) for r in reviews_due(on=D(2026, 1, 1))] == [
        (new, "first", D(2026, 11, 2)),
        (new, "direct_payment", D(2027, 3, 7)),
        (new, "annual", D(2027, 9, 7)),
    ]
    assert budget_topup_on(budget=active, on_or_after=D(2026, 9, 8)) == D(2026, 9, 21)
    with pytest.raises(DomainError, match="replaced by a newer one"):
        plan_approve(plan=old, by=carol)
    with pytest.raises(DomainError, match="already approved"):
        plan_approve(plan=new, by=carol)
    with pytest.raises(DomainError, match="already set up"):
        budget_activate(plan=new, by=carol)


def test_only_one_active_budget_per_person_in_the_database(assessed, carol, ada):
    plan = _plan(assessed, carol)
    plan_approve(plan=plan, by=carol)
    other = _plan(assessed, carol, starts_on=D(2026, 6, 1))

    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.create(
            person=ada,
            plan=other,
            weekly_pence=1,
            management="council_managed",
            starts_on=D(2026, 1, 1),
            first_topup_on=D(2026, 1, 1),
        )


def test_only_an_approved_plan_activates_a_budget(assessed, carol):
    with pytest.raises(DomainError, match="Only an approved plan"):
        budget_activate(plan=_plan(assessed, carol), by=carol)
    assert not Budget.objects.exists()


def test_top_ups_follow_the_rules_version_cycle(assessed, carol):
    plan = _plan(assessed, carol)
    plan_approve(plan=plan, by=carol)
    budget = plan.budget

    assert budget_topup_on(budget=budget, on_or_after=D(2026, 4, 1)) == D(2026, 5, 4)
    assert budget_topup_on(budget=budget, on_or_after=D(2026, 5, 4)) == D(2026, 5, 4)
    assert budget_topup_on(budget=budget, on_or_after=D(2026, 5, 5)) == D(2026, 6, 1)
    assert budget_topup_on(budget=budget, on_or_after=D(2026, 6, 1)) == D(2026, 6, 1)
    assert budget_topup_on(budget=budget, on_or_after=D(2026, 6, 2)) == D(2026, 6, 29)


# --- reviews --------------------------------------------------------------------------


@pytest.fixture
def leap_day_plan(assessed, carol):
    """A direct payment starting on 29 February 2024."""
    plan = _plan(assessed, carol, management=Management.DIRECT_PAYMENT, starts_on=D(2024, 2, 29))
    plan_approve(plan=plan, by=carol)
    return plan


def test_completing_a_review_sets_the_next_yearly_one_from_that_day(leap_day_plan, carol):
    assert list(leap_day_plan.reviews.values_list("kind", "due_on")) == [
        ("first", D(2024, 4, 25)),
        ("direct_payment", D(2024, 8, 29)),
        ("annual", D(2025, 2, 28)),
    ]
    first = leap_day_plan.reviews.get(kind="first")

    review_complete(review=first, outcome=" Going well ", by=carol, completed_on=D(2024, 4, 20))

    assert (first.completed_on, first.completed_by, first.outcome) == (
        D(2024, 4, 20),
        carol,
        "Going well",
    )
    annual = leap_day_plan.reviews.get(kind="annual")
    assert (annual.due_on, annual.completed_on) == (D(2025, 4, 20), None)

    review_complete(review=annual, outcome="Still right", by=carol, completed_on=D(2025, 4, 22))

    open_annual = leap_day_plan.reviews.get(kind="annual", completed_on__isnull=True)
    assert open_annual.due_on == D(2026, 4, 22)
    assert leap_day_plan.reviews.filter(kind="annual").count() == 2
    with pytest.raises(DomainError, match="already recorded on 22 April 2025"):
        review_complete(review=annual, outcome="Again", by=carol, completed_on=D(2025, 4, 23))


def test_a_review_needs_an_outcome_and_cannot_be_dated_in_the_future(leap_day_plan, carol):
    first = leap_day_plan.reviews.get(kind="first")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    with pytest.raises(ValidationFailed) as excinfo:
        review_complete(review=first, outcome=" ", by=carol, completed_on=tomorrow)

    assert excinfo.value.field_errors == {
        "outcome": ["Enter what the review found"],
        "completed_on": ["A review cannot be recorded as done in the future"],
    }
    first.refresh_from_db()
    assert first.completed_on is None
    assert leap_day_plan.reviews.get(kind="annual").due_on == D(2025, 2, 28)

    # Nor before the plan started (29 February 2024), which would pull the next yearly
    # review earlier.
    with pytest.raises(ValidationFailed) as before_start:
        review_complete(review=first, outcome="Fine", by=carol, completed_on=D(2024, 2, 28))
    assert before_start.value.field_errors == {
        "completed_on": ["A review cannot be done before the plan started, on 29 February 2024"]
    }
    assert leap_day_plan.reviews.get(kind="annual").due_on == D(2025, 2, 28)


def test_due_and_overdue_lists(leap_day_plan, carol):
    on = D(2024, 8, 29)

    assert [r.kind for r in reviews_due(on=on, overdue=True)] == ["first"]
    assert [r.kind for r in reviews_due(on=on)] == ["direct_payment", "annual"]
    assert [r.kind for r in reviews_due(on=on, within_days=0)] == ["direct_payment"]
    assert [r.kind for r in reviews_due(on=D(2024, 4, 26), within_days=125)] == ["direct_payment"]
    assert list(reviews_due(on=D(2024, 4, 26), within_days=124)) == []
    review_complete(
        review=leap_day_plan.reviews.get(kind="first"),
        outcome="Fine",
        by=carol,
        completed_on=D(2024, 4, 25),
    )
    assert list(reviews_due(on=on, overdue=True)) == []


def test_an_event_triggers_a_review_due_today(leap_day_plan, carol):
    review = review_trigger(plan=leap_day_plan, reason=" Fell at home ", by=carol)

    assert (review.kind, review.due_on, review.reason) == (
        "event",
        timezone.localdate(),
        "Fell at home",
    )
    assert AuditEntry.objects.filter(action="review.triggered").count() == 1
    with pytest.raises(ValidationFailed):
        review_trigger(plan=leap_day_plan, reason="", by=carol)
    draft = _plan(leap_day_plan.assessment, carol)
    with pytest.raises(DomainError, match="current, approved plan"):
        review_trigger(plan=draft, reason="Moved house", by=carol)
    assert Review.objects.filter(kind="event").count() == 1


def test_reminders_go_to_care_managers_once_per_review(
    leap_day_plan, carol, dev, django_capture_on_commit_callbacks
):
    b.staff("Sam Worker", role="support_worker")  # not a care manager: not told

    with django_capture_on_commit_callbacks(execute=True):
        # 14 days before the first review is due: that one only.
        assert review_reminders_send(today=D(2024, 4, 11)) == 1
        assert review_reminders_send(today=D(2024, 4, 11)) == 0  # not twice
        assert review_reminders_send(today=D(2024, 8, 14)) == 0  # 15 days before the next
        assert review_reminders_send(today=D(2024, 8, 15)) == 1

    first, dp = (
        leap_day_plan.reviews.get(kind="first"),
        leap_day_plan.reviews.get(kind="direct_payment"),
    )
    managers = ["carol.manager@staff.example", "dev.manager@staff.example"]
    assert sorted((m.subject, m.to) for m in mail.outbox) == sorted(
        [
            (f"A review is due (ref. R{first.pk})", managers),
            (f"A review is due (ref. R{dp.pk})", managers),
        ]
    )
    message = next(m for m in mail.outbox if f"R{first.pk})" in m.subject)
    assert message.body == (
        "The first review (6 to 8 weeks) of a support plan is due on 25 April 2024. Sign in "
        f"to ePurse and open the list of reviews due to see whose it is: its reference is "
        f"R{first.pk}."
    )
    # Nobody's name goes by email.
    assert not any("Lovelace" in f"{m.subject} {m.body}" for m in mail.outbox)
    assert leap_day_plan.reviews.get(kind="first").reminded_on == D(2024, 4, 11)
    assert leap_day_plan.reviews.get(kind="annual").reminded_on is None


def test_an_overdue_review_nobody_was_told_about_is_reminded_as_overdue(
    leap_day_plan, carol, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert review_reminders_send(today=D(2024, 5, 1)) == 1

    [message] = mail.outbox
    assert message.subject.startswith("A review is overdue (ref. R")
    assert "of a support plan was due on 25 April 2024." in message.body


def test_the_daily_task_runs_in_the_tenant_and_beat_sends_it_to_every_tenant(
    leap_day_plan, django_capture_on_commit_callbacks
):
    from django.conf import settings

    from purse.tasks import review_reminders

    entry = settings.CELERY_BEAT_SCHEDULE["review-reminders"]
    assert entry == {"task": review_reminders.name, "schedule": 86400.0}  # no tenant_schemas
    with django_capture_on_commit_callbacks(execute=True):
        # Every review of a 2024 plan is due or overdue by now.
        assert review_reminders.apply().get() == 3
    assert len(mail.outbox) == 3


def _start_refused(excinfo):
    return excinfo.value.field_errors["starts_on"][0]


def test_a_plan_starts_within_its_rules_and_its_assessment_and_within_a_year(ada, version, carol):
    assessed = b.assessment(ada, version, carol)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as too_soon:
        _plan(assessed, carol, starts_on=version.effective_from - dt.timedelta(days=1))
    assert _start_refused(too_soon).startswith(
        f"The plan is worked out under budget rules version {version.number}, which takes effect"
    )
    with pytest.raises(ValidationFailed) as before_assessment:
        _plan(assessed, carol, starts_on=D(2019, 12, 31))
    assert _start_refused(before_assessment) == (
        "The plan cannot start before the assessment began, on 1 January 2020"
    )
    for far in (timezone.localdate() + dt.timedelta(days=367), D(9999, 12, 1)):
        with pytest.raises(ValidationFailed) as too_far:
            _plan(assessed, carol, starts_on=far)
        assert _start_refused(too_far) == "A plan can start at most a year from today"
    _nothing_written(audit_before)


def test_a_new_plan_must_start_after_the_budget_it_replaces(ada, version, carol):
    first = _plan(b.assessment(ada, version, carol), carol, starts_on=D(2026, 5, 4))
    plan_approve(plan=first, by=carol)
    for day in (D(2026, 5, 4), D(2026, 4, 1)):
        with pytest.raises(ValidationFailed) as same_day:
            _plan(b.assessment(ada, version, carol), carol, starts_on=day)
        assert _start_refused(same_day) == (
            "The person's current budget starts on 4 May 2026: a new plan must start after that day"
        )


def test_an_older_draft_cannot_replace_a_newer_approved_plan(ada, version, carol):
    older = _plan(b.assessment(ada, version, carol), carol, starts_on=D(2026, 3, 2))
    newer = _plan(b.assessment(ada, version, carol), carol, starts_on=D(2026, 6, 1))
    plan_approve(plan=newer, by=carol)

    with pytest.raises(ValidationFailed) as refused:
        plan_approve(plan=older, by=carol)

    assert "must start after that day" in _start_refused(refused)
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.status, newer.status) == ("draft", "approved")
    assert Budget.objects.get().plan == newer


def test_a_plan_starting_later_is_scheduled_and_the_old_budget_pays_until_then(ada, version, carol):
    today = timezone.localdate()
    old = _plan(b.assessment(ada, version, carol), carol, starts_on=today - dt.timedelta(days=30))
    plan_approve(plan=old, by=carol)
    starts = today + dt.timedelta(days=10)
    new = _plan(b.assessment(ada, version, carol), carol, starts_on=starts)

    plan_approve(plan=new, by=carol)

    current, scheduled = Budget.objects.order_by("pk")
    assert (current.status, current.ends_on) == ("active", starts - dt.timedelta(days=1))
    assert (scheduled.status, scheduled.starts_on) == ("scheduled", starts)
    # Nothing changes until the old budget's last day has passed.
    assert budgets_roll(today=starts - dt.timedelta(days=1)) == (0, 0)
    assert budgets_roll(today=starts) == (1, 1)
    current.refresh_from_db()
    scheduled.refresh_from_db()
    assert (current.status, scheduled.status) == ("ended", "active")
    assert budgets_roll(today=starts) == (0, 0)
    assert AuditEntry.objects.filter(action__in=["budget.ended", "budget.active"]).count() == 2


def test_a_plan_cannot_pay_for_what_the_rules_exclude(ada, version, carol):
    version.excluded_spending = ["Gambling", "Anything illegal"]
    version.save()
    with pytest.raises(ValidationFailed) as refused:
        _plan(
            b.assessment(ada, version, carol),
            carol,
            lines=[("home-care", "Mornings", 20000), ("gambling", "Bingo", 10000)],
        )
    assert refused.value.field_errors["lines"] == [
        "Line 2: Gambling cannot be paid for from a personal budget under these rules"
    ]


def test_a_mixed_budget_gets_the_direct_payment_review(assessed, carol):
    plan = _plan(assessed, carol, management=Management.MIXED, starts_on=D(2026, 1, 31))
    plan_approve(plan=plan, by=carol)
    assert Review.objects.get(plan=plan, kind="direct_payment").due_on == D(2026, 7, 31)
