"""Care Act needs assessments: the eligibility decision on its three conditions and the
RAS questionnaire that gives an indicative budget, explained in plain English.

An assessment uses the rules version in effect on the day it starts, to the end; once
completed it is a record of a decision and never changes (a new assessment replaces it).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.dates import format_date
from core.errors import DomainError, ValidationFailed
from core.services import SYSTEM, Origin, audit_record
from tenants.rules.models import Adjustment, Answer, Question

from ..models import OUTCOMES, Assessment, AssessmentAnswer, Person

# Care and Support (Eligibility Criteria) Regulations 2014, reg. 2: unable to achieve
# two or more of the outcomes.
OUTCOMES_NEEDED = 2


class AssessmentCompleted(DomainError):
    status = 409
    code = "conflict"
    title = "This assessment is complete"


def _draft(assessment: Assessment) -> Assessment:
    """The assessment, locked for this transaction, if it may still change."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status == Assessment.Status.COMPLETED:
        completed = timezone.localtime(assessment.completed_at) if assessment.completed_at else None
        when = f" on {format_date(completed)}" if completed else ""
        raise AssessmentCompleted(
            f"This assessment was completed{when} and cannot be changed. "
            "Start a new assessment to record what has changed."
        )
    return assessment


def assessment_start(
    *, person: Person, by: User, on: datetime.date | None = None, origin: Origin = SYSTEM
) -> Assessment:
    """Start a needs assessment under the rules in effect on `on` (default today)."""
    from tenants.rules.selectors import rules_for

    # A DomainError saying so when no published version has taken effect by then.
    version = rules_for(on=on or timezone.localdate())
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one draft at a time
        if Assessment.objects.filter(person=person, status=Assessment.Status.DRAFT).exists():
            raise DomainError(
                f"An assessment of {person} is already in progress: "
                "continue that one or complete it first"
            )
        assessment = Assessment.objects.create(person=person, rules_version=version, assessed_by=by)
        audit_record(
            action="assessment.started",
            actor=by,
            obj=assessment,
            origin=origin,
            detail={"person": str(person.public_id), "rules_version": version.number},
        )
    return assessment


def assessment_answer(
    *,
    assessment: Assessment,
    question: Question,
    answer: Answer,
    by: User,
    origin: Origin = SYSTEM,
) -> AssessmentAnswer:
    """Record (or change) the answer to one question of the assessment's questionnaire."""
    version_id = (
        Question.objects.filter(pk=question.pk).values_list("domain__version_id", flat=True).first()
    )
    if version_id is None or version_id != assessment.rules_version_id:
        message = "This question is not part of the questionnaire for this assessment"
        raise ValidationFailed(message, field_errors={"question": [message]})
    if answer.question_id != question.pk:
        message = f"Choose one of the answers to: {question.text}"
        raise ValidationFailed(message, field_errors={"answer": [message]})
    with transaction.atomic():
        assessment = _draft(assessment)
        recorded, _ = AssessmentAnswer.objects.update_or_create(
            assessment=assessment, question=question, defaults={"answer": answer}
        )
        audit_record(
            action="assessment.answered",
            actor=by,
            obj=assessment,
            origin=origin,
            detail={"question": question.code, "answer": answer.code, "points": answer.points},
        )
    return recorded


def assessment_record_eligibility(
    *,
    assessment: Assessment,
    outcomes_not_achieved: Iterable[str],
    needs_from_condition: bool,
    wellbeing_impact_significant: bool,
    notes: str,
    by: User,
    origin: Origin = SYSTEM,
) -> Assessment:
    """Record the three eligibility conditions: whether the needs arise from a physical or
    mental impairment or illness, which of the ten outcomes the person cannot achieve,
    and whether that has a significant impact on their wellbeing."""
    chosen = (
        [outcomes_not_achieved] if isinstance(outcomes_not_achieved, str) else outcomes_not_achieved
    )
    codes = set(chosen)
    errors: dict[str, list[str]] = {}
    unknown = sorted(codes - OUTCOMES.keys())
    if unknown:
        errors["outcomes_not_achieved"] = [
            f"{code!r} is not one of the ten Care Act outcomes" for code in unknown
        ]
    if not isinstance(needs_from_condition, bool):
        errors["needs_from_condition"] = [
            "Say whether the needs arise from a physical or mental impairment or illness"
        ]
    if not isinstance(wellbeing_impact_significant, bool):
        errors["wellbeing_impact_significant"] = [
            "Say whether there is a significant impact on the person's wellbeing"
        ]
    if errors:
        raise ValidationFailed("Check the eligibility decision.", field_errors=errors)
    with transaction.atomic():
        assessment = _draft(assessment)
        assessment.outcomes_not_achieved = [code for code in OUTCOMES if code in codes]
        assessment.needs_from_condition = needs_from_condition
        assessment.wellbeing_impact_significant = wellbeing_impact_significant
        assessment.notes = (notes or "").strip()
        assessment.save(
            update_fields=[
                "outcomes_not_achieved",
                "needs_from_condition",
                "wellbeing_impact_significant",
                "notes",
            ]
        )
        # The decision's shape, not the person's needs: the log is read more widely.
        audit_record(
            action="assessment.eligibility_recorded",
            actor=by,
            obj=assessment,
            origin=origin,
            detail={
                "outcomes_not_achieved": len(assessment.outcomes_not_achieved),
                "needs_from_condition": needs_from_condition,
                "wellbeing_impact_significant": wellbeing_impact_significant,
            },
        )
    return assessment


def eligibility_explained(
    *, outcomes_not_achieved: Sequence[str], needs_from_condition: bool, wellbeing_significant: bool
) -> tuple[bool, str]:
    """Whether the needs are eligible (all three conditions), and why, for the person."""
    count = len(outcomes_not_achieved)
    eligible = needs_from_condition and count >= OUTCOMES_NEEDED and wellbeing_significant
    if eligible:
        listed = "; ".join(OUTCOMES[code].lower() for code in outcomes_not_achieved)
        return True, (
            "You are eligible for care and support: your needs come from a physical or "
            f"mental condition, you need help to achieve {count} of the 10 outcomes in the "
            f"Care Act ({listed}), and this has a significant impact on your wellbeing."
        )
    reasons = []
    if not needs_from_condition:
        reasons.append("your needs do not come from a physical or mental impairment or illness")
    if count < OUTCOMES_NEEDED:
        reasons.append(
            "you do not need help with any of the 10 outcomes in the Care Act"
            if count == 0
            else f"you need help with only {count} of the 10 outcomes in the Care Act, "
            f"and it takes at least {OUTCOMES_NEEDED}"
        )
    if not wellbeing_significant:
        reasons.append("the impact on your wellbeing is not significant")
    joined = reasons[0] if len(reasons) == 1 else ", ".join(reasons[:-1]) + " and " + reasons[-1]
    return False, f"Your needs are not eligible for care and support, because {joined}."


def assessment_complete(
    *,
    assessment: Assessment,
    adjustments: Iterable[str] = (),
    by: User,
    origin: Origin = SYSTEM,
) -> Assessment:
    """Decide eligibility and, for eligible needs, work out the indicative budget from the
    assessment's rules version with the chosen adjustments (their codes).

    Needs all questions answered and the eligibility conditions recorded. Not eligible:
    the points are kept but there is no indicative budget.
    """
    from tenants.rules.compute import indicative_budget

    codes = list(dict.fromkeys([adjustments] if isinstance(adjustments, str) else adjustments))
    with transaction.atomic():
        assessment = _draft(assessment)
        version = assessment.rules_version
        # In the order the rules define them, whatever order they were chosen in.
        chosen = list(Adjustment.objects.filter(version=version, code__in=codes).order_by("pk"))
        unknown = sorted(set(codes) - {adjustment.code for adjustment in chosen})
        errors: dict[str, list[str]] = {}
        if unknown:
            errors["adjustments"] = [
                f"{code!r} is not an adjustment in rules version {version.number}"
                for code in unknown
            ]
        if (
            assessment.needs_from_condition is None
            or assessment.wellbeing_impact_significant is None
        ):
            errors["eligibility"] = ["Record the eligibility decision before completing"]
        rows = list(
            AssessmentAnswer.objects.filter(assessment=assessment).select_related(
                "question", "answer"
            )
        )
        answered = {row.question_id for row in rows}
        given: dict[str | Question, str | Answer] = {row.question: row.answer for row in rows}
        missing = [
            question.text
            for question in Question.objects.filter(domain__version=version).order_by(
                "domain__position", "position", "pk"
            )
            if question.pk not in answered
        ]
        if missing:
            errors["answers"] = [f"Answer: {text}" for text in missing]
        if errors:
            raise ValidationFailed("The assessment is not finished yet.", field_errors=errors)

        eligible, why = eligibility_explained(
            outcomes_not_achieved=assessment.outcomes_not_achieved,
            needs_from_condition=bool(assessment.needs_from_condition),
            wellbeing_significant=bool(assessment.wellbeing_impact_significant),
        )
        budget = indicative_budget(
            version=version, answers=given, adjustments=[adjustment.code for adjustment in chosen]
        )
        assessment.eligible = eligible
        assessment.adjustments = [adjustment.code for adjustment in chosen]
        assessment.total_points = budget.total_points
        if eligible:
            assessment.indicative_weekly_pence = budget.weekly_pence
            assessment.explanation = [why, *budget.lines]
        else:
            assessment.indicative_weekly_pence = None
            assessment.explanation = [
                why,
                "So there is no indicative personal budget. You can ask us to look at this "
                "decision again, and we can tell you about other help nearby.",
            ]
        assessment.status = Assessment.Status.COMPLETED
        assessment.completed_at = timezone.now()
        assessment.save(
            update_fields=[
                "eligible",
                "adjustments",
                "total_points",
                "indicative_weekly_pence",
                "explanation",
                "status",
                "completed_at",
            ]
        )
        audit_record(
            action="assessment.completed",
            actor=by,
            obj=assessment,
            origin=origin,
            detail={
                "eligible": eligible,
                "total_points": budget.total_points,
                "indicative_weekly_pence": assessment.indicative_weekly_pence,
                "adjustments": [adjustment.code for adjustment in chosen],
            },
        )
    return assessment
