"""Reads for budget rules: which version applies on a day, and what a draft would do to
the budgets people have now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from django.db.models import Prefetch, QuerySet

from core.errors import DomainError, ValidationFailed

from .compute import indicative_budget
from .models import Answer, Domain, Question, RulesVersion


def day_text(day: date) -> str:
    """3 March 2026."""
    return f"{day.day} {day:%B %Y}"


def rules_in_effect(*, on: date) -> RulesVersion | None:
    """The published version in effect on `on`: the one with the latest effective date
    on or before it. None when no rules had taken effect by then."""
    return (
        RulesVersion.objects.filter(status=RulesVersion.Status.PUBLISHED, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def rules_for(*, on: date) -> RulesVersion:
    """The published version in effect on `on`; a DomainError when there is none."""
    version = rules_in_effect(on=on)
    if version is None:
        raise DomainError(
            f"No budget rules are in effect on {day_text(on)}. Publish a rules version "
            "that takes effect on or before that day."
        )
    return version


def rules_version_list() -> QuerySet[RulesVersion]:
    return RulesVersion.objects.order_by("-number")


def rules_questionnaire(*, version: RulesVersion) -> QuerySet[Domain]:
    """The version's domains in order, each with its questions and their answers."""
    return Domain.objects.filter(version=version).prefetch_related("questions__answers")


@dataclass(frozen=True)
class PreviewRow:
    """One budget under a draft. `indicative_now_pence` is the indicative amount of the
    assessment the plan was approved on; `draft_weekly_pence` what the draft would give
    from the same answers; `difference_pence` the change between the two. The budget
    itself may differ from its indicative amount (with a reason), and changes only
    when a new plan is approved."""

    person: object  # purse.models.Person
    current_weekly_pence: int
    indicative_now_pence: int | None
    # None when the draft cannot be worked out from the person's answers (see `note`).
    draft_weekly_pence: int | None
    difference_pence: int | None
    note: str = ""


def rules_preview(*, draft: RulesVersion) -> list[PreviewRow]:
    """For every current budget (active or scheduled): its weekly amount, its plan's
    indicative amount, what the draft would give from the same assessment, and the
    change. Reports only: budgets and plans keep the version they were approved under.

    Answers are matched to the draft by domain, question and answer code, so a draft
    copied from an earlier version reads the same answers. The adjustments applied at
    the assessment are applied again where the draft still has them."""
    from purse.models import AssessmentAnswer, Budget

    draft_adjustments = set(draft.adjustments.values_list("code", flat=True))
    draft_answers: dict[tuple[str, str, str], Answer] = {
        (a.question.domain.code, a.question.code, a.code): a
        for a in Answer.objects.filter(question__domain__version=draft).select_related(
            "question__domain"
        )
    }
    draft_questions = list(Question.objects.filter(domain__version=draft).select_related("domain"))
    rows: list[PreviewRow] = []
    budgets = (
        Budget.objects.filter(status__in=[Budget.Status.ACTIVE, Budget.Status.SCHEDULED])
        .select_related("person", "plan__assessment")
        .prefetch_related(
            Prefetch(
                "plan__assessment__answers",
                queryset=AssessmentAnswer.objects.select_related("question__domain", "answer"),
            )
        )
        .order_by("person__family_name", "person__given_name", "person_id", "starts_on")
    )
    for budget in budgets:
        assessment = budget.plan.assessment
        row = partial(
            PreviewRow, budget.person, budget.weekly_pence, assessment.indicative_weekly_pence
        )
        answers: dict[str | Question, str | Answer] = {}
        for given in assessment.answers.all():
            key = (given.question.domain.code, given.question.code, given.answer.code)
            if key in draft_answers:
                answers[draft_answers[key].question] = draft_answers[key]
        answered = {q.pk for q in answers if isinstance(q, Question)}
        missing = [q.text for q in draft_questions if q.pk not in answered]
        if missing:
            rows.append(
                row(
                    None,
                    None,
                    f"Needs a new assessment: the draft asks {missing[0]!r}, "
                    "which their assessment does not answer",
                )
            )
            continue
        try:
            # The adjustments the care manager applied, where the draft still has them.
            kept = [code for code in assessment.adjustments if code in draft_adjustments]
            weekly = indicative_budget(
                version=draft, answers=answers, adjustments=kept
            ).weekly_pence
        except (DomainError, ValidationFailed) as error:
            rows.append(row(None, None, error.detail))
            continue
        now = assessment.indicative_weekly_pence
        rows.append(row(weekly, None if now is None else weekly - now))
    return rows
