"""Support plans, their approval, and the budget an approved plan activates.

The personal budget is what the plan costs (Care Act 2014 s.26): the planned lines must
add up to exactly the weekly budget, so the plan is sufficient and no money sits in the
budget unplanned. The budget may differ from the indicative one with a reason; more than
the rules version's threshold above it needs a second, different approver.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.permissions import PLANS_MANAGE, user_has_permission
from core.dates import format_date
from core.errors import DomainError, ValidationFailed
from core.money import format_pence
from core.services import audit_record
from purse.ledger.services import purse_open
from purse.models import Assessment, Budget, Person, PlanLine, Review, SupportPlan
from purse.reviews_schedule import annual_review_due, direct_payment_review_due, first_review_due
from purse.services.funding import topups_paid_through
from tenants.rules.models import Management, RulesVersion
from tenants.rules.selectors import day_text

# (category, description, weekly_cost_pence) or with a chosen catalogue service's id.
LineInput = tuple[str, str, int] | tuple[str, str, int, uuid.UUID | str | None]

# £10,000 a week: more is surely a typing slip (and no top-up arithmetic comes near
# the database's integer limits).
MAX_WEEKLY_PENCE = 1_000_000
MAX_WEEKLY_MESSAGE = "Enter a weekly budget of £10,000 or less: check the amount"


@dataclass(frozen=True)
class PlanStatement:
    """The personal budget statement: what meeting the needs costs and who pays what."""

    cost_to_council_weekly_pence: int
    person_contribution_weekly_pence: int
    council_contribution_weekly_pence: int
    management: str
    # For direct payments: how much is paid, and how often.
    topup_cycle_weeks: int
    payment_per_topup_pence: int | None

    def lines(self) -> list[str]:
        text = [
            f"Your personal budget is {format_pence(self.cost_to_council_weekly_pence)} a week: "
            "this is what meeting your eligible needs costs.",
            f"You contribute {format_pence(self.person_contribution_weekly_pence)} a week.",
            f"The council contributes {format_pence(self.council_contribution_weekly_pence)} "
            "a week.",
        ]
        if self.payment_per_topup_pence is not None:
            text.append(
                f"Your direct payment is {format_pence(self.payment_per_topup_pence)} every "
                f"{self.topup_cycle_weeks} weeks."
            )
        return text


def plan_statement(plan: SupportPlan) -> PlanStatement:
    version = plan.rules_version
    council = plan.council_contribution_weekly_pence
    direct = plan.management == Management.DIRECT_PAYMENT
    return PlanStatement(
        cost_to_council_weekly_pence=plan.weekly_budget_pence,
        person_contribution_weekly_pence=plan.person_contribution_weekly_pence,
        council_contribution_weekly_pence=council,
        management=plan.management,
        topup_cycle_weeks=version.topup_cycle_weeks,
        payment_per_topup_pence=council * version.topup_cycle_weeks if direct else None,
    )


def contribution_from_income(*, version: RulesVersion, weekly_income_pence: int) -> int:
    """Simple financial assessment: the share of weekly income above the allowance,
    rounded half up to the penny."""
    above = max(0, weekly_income_pence - version.income_allowance_weekly_pence)
    return (above * version.contribution_percent + 50) // 100


def care_manager_required(user: Any, doing: str) -> None:
    if not user_has_permission(user, PLANS_MANAGE):
        raise DomainError(f"Only a care manager can {doing}.")


def _management_label(code: str) -> str:
    try:
        return str(Management(code).label)
    except ValueError:
        return code


def plan_create(
    *,
    assessment: Assessment,
    outcomes: str,
    management: str,
    lines: Sequence[LineInput],
    weekly_budget_pence: int,
    difference_reason: str = "",
    person_contribution_weekly_pence: int | None = None,
    weekly_income_pence: int | None = None,
    starts_on: dt.date,
    by: Any,
) -> SupportPlan:
    """Draft a support plan from a completed assessment of an eligible person. The plan
    keeps the assessment's rules version for good."""
    care_manager_required(by, "write a support plan")
    if assessment.status != Assessment.Status.COMPLETED:
        raise DomainError("Complete the assessment before writing a support plan.")
    if assessment.eligible is not True:
        raise DomainError(
            "The assessment found no eligible needs, so there is no personal budget to plan. "
            "The person can ask for the decision to be reconsidered."
        )
    version = assessment.rules_version
    errors: dict[str, list[str]] = {}
    reason = difference_reason.strip()

    if not outcomes.strip():
        errors["outcomes"] = ["Enter the outcomes the person wants to achieve"]
    if management not in version.allowed_management:
        allowed = ", ".join(_management_label(code) for code in version.allowed_management)
        errors["management"] = [f"Choose how the money is managed: {allowed}"]
    if weekly_budget_pence <= 0:
        errors["weekly_budget_pence"] = ["Enter a weekly budget of more than £0"]
    elif weekly_budget_pence > MAX_WEEKLY_PENCE:
        errors["weekly_budget_pence"] = [MAX_WEEKLY_MESSAGE]
    if start_error := _start_error(
        plan_person=assessment.person, assessment=assessment, starts_on=starts_on
    ):
        errors["starts_on"] = [start_error]

    indicative = assessment.indicative_weekly_pence
    if weekly_budget_pence != indicative and not reason:
        errors["difference_reason"] = [
            f"The budget differs from the indicative {format_pence(indicative or 0)} a week: "
            "say why"
        ]

    parsed, line_errors = _lines_parse(lines)
    line_errors += _excluded_categories(version=version, parsed=parsed)
    if line_errors:
        errors["lines"] = line_errors
    elif weekly_budget_pence > 0:
        total = sum(line.weekly_cost_pence for line in parsed)
        if total > weekly_budget_pence:
            errors["lines"] = [
                f"The planned support costs {format_pence(total)} a week, more than the budget "
                f"of {format_pence(weekly_budget_pence)}: the budget must be enough to meet "
                "the needs"
            ]
        elif total < weekly_budget_pence:
            errors["lines"] = [
                f"The planned support costs {format_pence(total)} a week, "
                f"{format_pence(weekly_budget_pence - total)} less than the budget of "
                f"{format_pence(weekly_budget_pence)}: plan how all of it will be used, "
                "or lower the budget"
            ]

    contribution = 0
    if version.contribution_method == RulesVersion.Contribution.SIMPLE_ASSESSMENT:
        if person_contribution_weekly_pence is not None:
            errors["person_contribution_weekly_pence"] = [
                "These rules work the contribution out from income: enter the weekly income instead"
            ]
        elif weekly_income_pence is None or weekly_income_pence < 0:
            errors["weekly_income_pence"] = [
                "Enter the person's weekly income, to work out their contribution"
            ]
        else:
            contribution = contribution_from_income(
                version=version, weekly_income_pence=weekly_income_pence
            )
            # Nobody pays more than the whole budget.
            contribution = min(contribution, max(weekly_budget_pence, 0))
    else:
        if weekly_income_pence is not None:
            errors["weekly_income_pence"] = [
                "These rules take the contribution as entered: enter the weekly contribution, "
                "not income"
            ]
        contribution = person_contribution_weekly_pence or 0
        if contribution < 0:
            errors["person_contribution_weekly_pence"] = ["The contribution cannot be negative"]
        elif contribution > weekly_budget_pence > 0:
            errors["person_contribution_weekly_pence"] = [
                "The person's contribution cannot be more than the budget of "
                f"{format_pence(weekly_budget_pence)} a week"
            ]

    if errors:
        raise ValidationFailed("The support plan could not be saved.", field_errors=errors)

    with transaction.atomic():
        plan = SupportPlan.objects.create(
            person=assessment.person,
            assessment=assessment,
            rules_version=version,
            outcomes=outcomes.strip(),
            management=management,
            weekly_budget_pence=weekly_budget_pence,
            difference_reason=reason,
            person_contribution_weekly_pence=contribution,
            starts_on=starts_on,
            created_by=by,
        )
        for line in parsed:
            line.plan = plan
        PlanLine.objects.bulk_create(parsed)
        audit_record(
            action="plan.created",
            actor=by,
            obj=plan,
            detail={
                "person": str(assessment.person.public_id),
                "weekly_budget_pence": weekly_budget_pence,
                "indicative_weekly_pence": indicative,
                "person_contribution_weekly_pence": contribution,
                "management": management,
                "rules_version": version.number,
            },
        )
    return plan


MAX_DAYS_AHEAD = 366


def _start_error(*, plan_person: Person, assessment: Assessment, starts_on: Any) -> str | None:
    """Why a plan cannot start on `starts_on`, or None. Not before its rules take
    effect or its assessment began, at most a year ahead, and after the start of the
    budget it will replace (budgets follow one another, never overlap)."""
    if not isinstance(starts_on, dt.date) or isinstance(starts_on, dt.datetime):
        return "Enter the date the plan starts"
    version = assessment.rules_version
    if starts_on < version.effective_from:
        return (
            f"The plan is worked out under budget rules version {version.number}, which takes "
            f"effect on {day_text(version.effective_from)}: it cannot start before then"
        )
    began = timezone.localdate(assessment.started_at)
    if starts_on < began:
        return f"The plan cannot start before the assessment began, on {day_text(began)}"
    if starts_on > timezone.localdate() + dt.timedelta(days=MAX_DAYS_AHEAD):
        return "A plan can start at most a year from today"
    latest = (
        Budget.objects.filter(
            person=plan_person, status__in=[Budget.Status.ACTIVE, Budget.Status.SCHEDULED]
        )
        .order_by("-starts_on")
        .first()
    )
    if latest is not None and starts_on <= latest.starts_on:
        return (
            f"The person's current budget starts on {day_text(latest.starts_on)}: a new plan "
            "must start after that day"
        )
    return None


def _excluded_categories(*, version: RulesVersion, parsed: Sequence[PlanLine]) -> list[str]:
    """Lines whose category the rules exclude from personal budgets."""
    excluded = {entry.casefold(): entry for entry in version.excluded_spending}
    return [
        f"Line {number}: {excluded[line.category.casefold()]} cannot be paid for from a "
        "personal budget under these rules"
        for number, line in enumerate(parsed, start=1)
        if line.category.casefold() in excluded
    ]


def _lines_parse(lines: Sequence[LineInput]) -> tuple[list[PlanLine], list[str]]:
    from catalogue.selectors import services_visible

    parsed: list[PlanLine] = []
    errors: list[str] = []
    if not lines:
        return parsed, ["Add at least one way the needs will be met, with its weekly cost"]
    for number, line in enumerate(lines, start=1):
        category, description, cost = line[0], line[1], line[2]
        raw_service = line[3] if len(line) > 3 else None
        service_id: uuid.UUID | None = None
        if not str(category).strip():
            errors.append(f"Line {number}: enter a category")
        if not str(description).strip():
            errors.append(f"Line {number}: describe the support")
        if not isinstance(cost, int) or isinstance(cost, bool) or cost < 0:
            errors.append(f"Line {number}: enter a weekly cost of £0 or more, in pence")
        elif cost > MAX_WEEKLY_PENCE:
            errors.append(f"Line {number}: enter a weekly cost of £10,000 or less")
        if raw_service:
            try:
                service_id = uuid.UUID(str(raw_service))
            except ValueError:
                service_id = None
            if service_id is None or not services_visible().filter(pk=service_id).exists():
                errors.append(f"Line {number}: the chosen service is not available here")
        parsed.append(
            PlanLine(
                category=str(category).strip(),
                description=str(description).strip(),
                weekly_cost_pence=cost,
                service_id=service_id,
            )
        )
    return parsed, errors


def plan_needs_second_approval(plan: SupportPlan) -> bool:
    indicative = plan.assessment.indicative_weekly_pence or 0
    return plan.weekly_budget_pence - indicative > plan.rules_version.second_approval_above_pence


def plan_approve(*, plan: SupportPlan, by: Any) -> SupportPlan:
    """Approve a plan. A budget more than the threshold above the indicative one waits
    for a second care manager; the final approval supersedes the person's previous plan,
    activates the budget and schedules the reviews, all in one transaction."""
    care_manager_required(by, "approve a support plan")
    with transaction.atomic():
        # One approval at a time per person: they have only one active budget.
        Person.objects.select_for_update().get(pk=plan.person_id)
        locked = (
            SupportPlan.objects.select_for_update(of=("self",))
            .select_related("assessment", "rules_version", "approved_by")
            .get(pk=plan.pk)
        )
        if locked.status in (SupportPlan.Status.DRAFT, SupportPlan.Status.AWAITING_SECOND_APPROVAL):
            start_error = _start_error(
                plan_person=locked.person, assessment=locked.assessment, starts_on=locked.starts_on
            )
            if start_error:
                raise ValidationFailed(
                    "This plan cannot be approved as it stands: write a new one.",
                    field_errors={"starts_on": [start_error]},
                )
        if locked.status == SupportPlan.Status.DRAFT:
            locked.approved_by = by
            if plan_needs_second_approval(locked):
                locked.status = SupportPlan.Status.AWAITING_SECOND_APPROVAL
                locked.save(update_fields=["approved_by", "status"])
                audit_record(
                    action="plan.first_approval",
                    actor=by,
                    obj=locked,
                    detail={"weekly_budget_pence": locked.weekly_budget_pence},
                )
                plan.refresh_from_db()
                return plan
        elif locked.status == SupportPlan.Status.AWAITING_SECOND_APPROVAL:
            if locked.approved_by_id == by.pk:
                first = locked.approved_by.full_name if locked.approved_by else "the first approver"
                raise DomainError(
                    f"This budget needs a second approver: someone other than {first}, "
                    "who approved it first."
                )
            locked.second_approved_by = by
        elif locked.status == SupportPlan.Status.APPROVED:
            raise DomainError("This plan is already approved.")
        else:
            raise DomainError("This plan was replaced by a newer one, so it cannot be approved.")

        previous = list(
            SupportPlan.objects.select_for_update()
            .filter(person_id=locked.person_id, status=SupportPlan.Status.APPROVED)
            .exclude(pk=locked.pk)
        )
        for old in previous:
            old.status = SupportPlan.Status.SUPERSEDED
            old.save(update_fields=["status"])
            audit_record(
                action="plan.superseded",
                actor=by,
                obj=old,
                detail={"by_plan": str(locked.public_id)},
            )
        locked.status = SupportPlan.Status.APPROVED
        locked.approved_at = timezone.now()
        locked.save(update_fields=["status", "approved_by", "second_approved_by", "approved_at"])
        audit_record(
            action="plan.approved",
            actor=by,
            obj=locked,
            detail={
                "weekly_budget_pence": locked.weekly_budget_pence,
                "second_approval": locked.second_approved_by_id is not None,
            },
        )
        budget_activate(plan=locked, by=by)
        _reviews_schedule(plan=locked, by=by)
    plan.refresh_from_db()
    return plan


def budget_activate(*, plan: SupportPlan, by: Any) -> Budget:
    """Give the approved plan's budget to the person: active now if the plan has
    started, otherwise scheduled for its start day. The budget it replaces pays up to
    the day before. The e-purse's ledger hangs off this one place."""
    if plan.status != SupportPlan.Status.APPROVED:
        raise DomainError("Only an approved plan can set the person's budget.")
    today = timezone.localdate()
    with transaction.atomic():
        # One change to a person's budgets at a time.
        person = Person.objects.select_for_update().get(pk=plan.person_id)
        if Budget.objects.filter(plan=plan).exists():
            raise DomainError("This plan's budget is already set up.")
        if start_error := _start_error(
            plan_person=person, assessment=plan.assessment, starts_on=plan.starts_on
        ):
            raise ValidationFailed(
                "The budget could not be set up.", field_errors={"starts_on": [start_error]}
            )
        last_day = plan.starts_on - dt.timedelta(days=1)
        first_topup = plan.starts_on
        for old in Budget.objects.select_for_update().filter(
            person=person,
            status__in=[Budget.Status.ACTIVE, Budget.Status.SCHEDULED],
        ):
            # Days the old budget's top-ups already paid for are not paid again.
            paid_to = topups_paid_through(budget=old)
            if paid_to is not None and paid_to >= first_topup:
                first_topup = paid_to + dt.timedelta(days=1)
            if old.ends_on is not None and old.ends_on <= last_day:
                continue
            old.ends_on = last_day
            if last_day < today:
                old.status = Budget.Status.ENDED
            old.save(update_fields=["status", "ends_on"])
            audit_record(
                action="budget.ending",
                actor=by,
                obj=old,
                detail={
                    "ends_on": last_day.isoformat(),
                    "status": old.status,
                    "replaced_by_plan": str(plan.public_id),
                },
            )
            _ledger_open_or_update(old)
        budget = Budget.objects.create(
            person=person,
            plan=plan,
            status=Budget.Status.ACTIVE if plan.starts_on <= today else Budget.Status.SCHEDULED,
            weekly_pence=plan.weekly_budget_pence,
            management=plan.management,
            starts_on=plan.starts_on,
            first_topup_on=first_topup,
        )
        audit_record(
            action="budget.activated",
            actor=by,
            obj=budget,
            detail={
                "plan": str(plan.public_id),
                "status": budget.status,
                "weekly_pence": budget.weekly_pence,
                "management": budget.management,
                "starts_on": budget.starts_on.isoformat(),
                "first_topup_on": budget.first_topup_on.isoformat(),
                "topup_cycle_weeks": plan.rules_version.topup_cycle_weeks,
            },
        )
        _ledger_open_or_update(budget)
    return budget


def budgets_roll(*, today: dt.date | None = None) -> tuple[int, int]:
    """The daily change-over: budgets whose last day has passed end; scheduled budgets
    whose first day has come become active. Returns (ended, started). Safe to run more
    than once a day: a second run finds nothing to do."""
    today = today or timezone.localdate()
    with transaction.atomic():
        ending = list(
            Budget.objects.select_for_update()
            .filter(status__in=[Budget.Status.ACTIVE, Budget.Status.SCHEDULED], ends_on__lt=today)
            .order_by("pk")
        )
        for budget in ending:
            budget.status = Budget.Status.ENDED
        Budget.objects.bulk_update(ending, ["status"])
        starting = list(
            Budget.objects.select_for_update()
            .filter(status=Budget.Status.SCHEDULED, starts_on__lte=today)
            .order_by("pk")
        )
        for budget in starting:
            budget.status = Budget.Status.ACTIVE
        Budget.objects.bulk_update(starting, ["status"])
        for budget in [*ending, *starting]:
            audit_record(
                action=f"budget.{budget.status}",
                obj=budget,
                detail={"on": today.isoformat()},
            )
            _ledger_open_or_update(budget)
    return len(ending), len(starting)


def budget_topup_on(*, budget: Budget, on_or_after: dt.date) -> dt.date:
    """The first top-up date on or after a day: every `topup_cycle_weeks` weeks from the
    first top-up, as the plan's rules version says."""
    cycle = dt.timedelta(weeks=budget.plan.rules_version.topup_cycle_weeks)
    if on_or_after <= budget.first_topup_on:
        return budget.first_topup_on
    cycles = -(-(on_or_after - budget.first_topup_on) // cycle)  # ceiling
    return budget.first_topup_on + cycles * cycle


def _ledger_open_or_update(budget: Budget) -> None:
    """The person's purse exists from their first budget on; top-ups follow the
    budget's dates and amount (purse.services.funding)."""
    purse_open(person=budget.person)


def _reviews_schedule(*, plan: SupportPlan, by: Any) -> list[Review]:
    """A new plan starts its own review schedule, counted from its start date."""
    window = first_review_due(plan.starts_on)
    reviews = [
        Review(
            kind=Review.Kind.FIRST,
            due_on=window.due,
            reason=f"Light-touch review, from {format_date(window.earliest)}",
        )
    ]
    # A mix usually includes a direct payment, so it is reviewed as one too.
    if plan.management in (Management.DIRECT_PAYMENT, Management.MIXED):
        reviews.append(
            Review(
                kind=Review.Kind.DIRECT_PAYMENT, due_on=direct_payment_review_due(plan.starts_on)
            )
        )
    reviews.append(Review(kind=Review.Kind.ANNUAL, due_on=annual_review_due(plan.starts_on)))
    for review in reviews:
        review.person_id = plan.person_id
        review.plan = plan
    Review.objects.bulk_create(reviews)
    audit_record(
        action="reviews.scheduled",
        actor=by,
        obj=plan,
        detail={"due": {r.kind: r.due_on.isoformat() for r in reviews}},
    )
    return reviews
