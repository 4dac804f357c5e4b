"""Asking for an assessment or a budget to be reconsidered, tracked to a decision."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from core.dates import format_date
from core.errors import DomainError, ValidationFailed
from core.services import audit_record
from purse.models import (
    Assessment,
    Challenge,
    Person,
    Representative,
    Review,
    SupportPlan,
)

from ..selectors import acting_basis
from .plans import care_manager_required
from .reviews import review_trigger


def _may_act_for(user: Any, person: Person) -> str | None:
    """How `user` may raise a challenge for `person`: a representative needs the view
    scope."""
    return acting_basis(user=user, person=person, scope=Representative.Scope.VIEW)


def challenge_raise(
    *,
    person: Person,
    by: Any,
    reason: str,
    assessment: Assessment | None = None,
    plan: SupportPlan | None = None,
) -> Challenge:
    """The person, a representative who may see their record, or staff on their behalf
    ask for the assessment or the budget (plan) to be reconsidered."""
    acting_as = _may_act_for(by, person)
    if acting_as is None:
        raise DomainError(
            "You can only ask for a reconsideration for yourself or someone you act for."
        )
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = ["Say what you think is wrong and why"]
    if assessment is None and plan is None:
        errors["subject"] = ["Say whether the assessment or the budget should be reconsidered"]
    if assessment is not None and assessment.person_id != person.pk:
        errors["assessment"] = ["That assessment is of someone else"]
    if plan is not None and plan.person_id != person.pk:
        errors["plan"] = ["That plan is someone else's"]
    if errors:
        raise ValidationFailed("The request could not be made.", field_errors=errors)
    with transaction.atomic():
        Person.objects.select_for_update().get(pk=person.pk)
        if Challenge.objects.filter(
            person=person, assessment=assessment, plan=plan, status=Challenge.Status.OPEN
        ).exists():
            raise DomainError(
                "There is already an open request to reconsider this. You will hear the "
                "decision on it."
            )
        challenge = Challenge.objects.create(
            person=person,
            assessment=assessment,
            plan=plan,
            raised_by=by,
            raised_on=timezone.localdate(),
            reason=reason.strip(),
        )
        audit_record(
            action="challenge.raised",
            actor=by,
            obj=challenge,
            detail={
                "person": str(person.public_id),
                "as": acting_as,
                "assessment": str(assessment.public_id) if assessment else None,
                "plan": str(plan.public_id) if plan else None,
            },
        )
    return challenge


def challenge_decide(*, challenge: Challenge, upheld: bool, decision: str, by: Any) -> Challenge:
    """A care manager decides: upheld (the assessment or budget will change) or not,
    with the reasons the person will read."""
    care_manager_required(by, "decide on a reconsideration")
    if not decision.strip():
        raise ValidationFailed(
            "The decision could not be recorded.",
            field_errors={"decision": ["Give the reasons for the decision"]},
        )
    with transaction.atomic():
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if locked.status != Challenge.Status.OPEN:
            decided = format_date(locked.decided_on) if locked.decided_on else "an earlier day"
            raise DomainError(f"This request was already decided on {decided}.")
        locked.status = Challenge.Status.UPHELD if upheld else Challenge.Status.NOT_UPHELD
        locked.decision = decision.strip()
        locked.decided_by = by
        locked.decided_on = timezone.localdate()
        locked.save(update_fields=["status", "decision", "decided_by", "decided_on"])
        follow_up = _review_after_upheld(locked, by=by) if upheld else None
        audit_record(
            action="challenge.decided",
            actor=by,
            obj=locked,
            detail={
                "status": locked.status,
                "raised_on": locked.raised_on.isoformat(),
                "decided_on": locked.decided_on.isoformat(),
                "review": follow_up.pk if follow_up else None,
            },
        )
    challenge.refresh_from_db()
    return challenge


def _review_after_upheld(challenge: Challenge, *, by: Any) -> Review | None:
    """An upheld request changes the assessment or budget: the person's current plan
    gets a review due today, so the change is made and lands on the due list. With no
    approved plan (say, the person was found not eligible) there is nothing to review:
    the care manager assesses again."""
    plan = challenge.plan
    if plan is None or plan.status != SupportPlan.Status.APPROVED:
        plan = SupportPlan.objects.filter(
            person_id=challenge.person_id, status=SupportPlan.Status.APPROVED
        ).first()
    if plan is None:
        return None
    return review_trigger(
        plan=plan,
        reason=(
            f"Reconsideration upheld on {format_date(challenge.decided_on or timezone.localdate())}"
            f": {challenge.decision}"
        ),
        by=by,
    )
