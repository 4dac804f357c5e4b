"""Reviews of approved plans: the due and overdue lists, completing one (which sets
the next yearly review), reviews after a change, and reminders to care managers."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.permissions import PLANS_MANAGE
from core.dates import format_date
from core.errors import DomainError, ValidationFailed
from core.services import audit_record
from purse.models import Review, SupportPlan
from purse.reviews_schedule import annual_review_due
from tenants.notifications.selectors import notification_settings_get

from .plans import care_manager_required


def _open_reviews() -> QuerySet[Review]:
    # A replaced plan's reviews are moot: the new plan has its own schedule.
    return Review.objects.filter(
        completed_on__isnull=True, plan__status=SupportPlan.Status.APPROVED
    ).select_related("person", "plan")


def reviews_due(
    *, on: dt.date, overdue: bool = False, within_days: int | None = None
) -> QuerySet[Review]:
    """Open reviews, soonest first: with `overdue`, those whose due date is before `on`;
    otherwise those due on `on` or later (up to `within_days` after it, if given)."""
    if overdue:
        return _open_reviews().filter(due_on__lt=on).order_by("due_on", "pk")
    qs = _open_reviews().filter(due_on__gte=on)
    if within_days is not None:
        qs = qs.filter(due_on__lte=on + dt.timedelta(days=within_days))
    return qs.order_by("due_on", "pk")


def review_complete(
    *, review: Review, outcome: str, by: Any, completed_on: dt.date | None = None
) -> Review:
    """Record a review as done. The plan's next yearly review falls 12 months after it."""
    care_manager_required(by, "record a review")
    today = timezone.localdate()
    completed_on = completed_on or today
    errors: dict[str, list[str]] = {}
    if not outcome.strip():
        errors["outcome"] = ["Enter what the review found"]
    if completed_on > today:
        errors["completed_on"] = ["A review cannot be recorded as done in the future"]
    if errors:
        raise ValidationFailed("The review could not be recorded.", field_errors=errors)
    with transaction.atomic():
        # The plan first: two reviews of one plan completed together must not both
        # decide the next yearly review.
        SupportPlan.objects.select_for_update().filter(pk=review.plan_id).first()
        locked = (
            Review.objects.select_for_update(of=("self",)).select_related("plan").get(pk=review.pk)
        )
        if completed_on < locked.plan.starts_on:
            raise ValidationFailed(
                "The review could not be recorded.",
                field_errors={
                    "completed_on": [
                        "A review cannot be done before the plan started, on "
                        f"{format_date(locked.plan.starts_on)}"
                    ]
                },
            )
        if locked.completed_on is not None:
            raise DomainError(
                f"This review was already recorded on {format_date(locked.completed_on)}."
            )
        if locked.plan.status != SupportPlan.Status.APPROVED:
            raise DomainError(
                "This review belongs to a plan that has been replaced; the new plan has its "
                "own reviews."
            )
        locked.completed_on = completed_on
        locked.completed_by = by
        locked.outcome = outcome.strip()
        locked.save(update_fields=["completed_on", "completed_by", "outcome"])
        next_due = annual_review_due(completed_on)
        annual = (
            Review.objects.select_for_update()
            .filter(plan=locked.plan, kind=Review.Kind.ANNUAL, completed_on__isnull=True)
            .first()
        )
        if annual is None:
            annual = Review.objects.create(
                person_id=locked.person_id,
                plan=locked.plan,
                kind=Review.Kind.ANNUAL,
                due_on=next_due,
            )
        elif annual.due_on != next_due:
            annual.due_on = next_due
            annual.reminded_on = None
            annual.save(update_fields=["due_on", "reminded_on"])
        audit_record(
            action="review.completed",
            actor=by,
            obj=locked.plan,
            detail={
                "review": locked.pk,
                "kind": locked.kind,
                "completed_on": completed_on.isoformat(),
                "next_annual_due_on": next_due.isoformat(),
            },
        )
    review.refresh_from_db()
    return review


def review_trigger(*, plan: SupportPlan, reason: str, by: Any) -> Review:
    """A review after a change (a fall, a hospital stay, a carer stopping): due today."""
    care_manager_required(by, "ask for a review")
    if not reason.strip():
        raise ValidationFailed(
            "The review could not be arranged.",
            field_errors={"reason": ["Say what has changed"]},
        )
    if plan.status != SupportPlan.Status.APPROVED:
        raise DomainError("Only the person's current, approved plan can be reviewed.")
    with transaction.atomic():
        review = Review.objects.create(
            person_id=plan.person_id,
            plan=plan,
            kind=Review.Kind.EVENT,
            due_on=timezone.localdate(),
            reason=reason.strip(),
        )
        audit_record(
            action="review.triggered",
            actor=by,
            obj=plan,
            detail={"review": review.pk, "reason": review.reason},
        )
    return review


def care_managers() -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, roles__permissions__contains=[PLANS_MANAGE]
    ).distinct()


def review_reminders_send(*, today: dt.date | None = None) -> int:
    """Email the care managers about each open review due within the council's
    reminder days (14 unless its notification settings say otherwise), or already
    overdue, that nobody was reminded of yet. None are sent while the council has
    turned the reminders off. Returns how many reviews were announced."""
    chosen = notification_settings_get()
    if not chosen.review_reminders_enabled:
        return 0  # not marked as reminded: turning them back on sends what is due
    today = today or timezone.localdate()
    recipients = sorted(care_managers().values_list("email", flat=True))
    if not recipients:
        return 0  # nobody to tell; try again tomorrow
    sent = 0
    horizon = today + dt.timedelta(days=chosen.review_reminder_days_ahead)
    for review in _open_reviews().filter(reminded_on__isnull=True, due_on__lte=horizon):
        with transaction.atomic():
            locked = Review.objects.select_for_update().get(pk=review.pk)
            if locked.reminded_on is not None or locked.completed_on is not None:
                continue
            locked.reminded_on = today
            locked.save(update_fields=["reminded_on"])
            transaction.on_commit(partial(_reminder_send, review, today, recipients), robust=True)
            sent += 1
    return sent


def _reminder_send(review: Review, today: dt.date, recipients: list[str]) -> None:
    kind = review.get_kind_display()
    kind = kind[0].lower() + kind[1:]
    when = (
        f"was due on {format_date(review.due_on)}"
        if review.due_on < today
        else f"is due on {format_date(review.due_on)}"
    )
    # No name in an email: it goes to every care manager, and email is not a safe place
    # for a person's details. The reference finds the review in the list when signed in.
    send_mail(
        subject=f"A review is {'overdue' if review.due_on < today else 'due'} (ref. R{review.pk})",
        message=(
            f"The {kind} of a support plan {when}. Sign in to ePurse and open the list of "
            f"reviews due to see whose it is: its reference is R{review.pk}."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )
