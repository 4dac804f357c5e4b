"""Writes for a council's notification settings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.errors import ValidationFailed
from core.services import SYSTEM, Origin, audit_record

from .models import MAX_REVIEW_REMINDER_DAYS, NotificationSettings

EMAIL_FORMAT = "Enter an email address in the correct format, like finance@council.example"


def _email_errors(value: str, *, required_message: str = "") -> list[str]:
    if not value:
        return [required_message] if required_message else []
    try:
        validate_email(value)
    except ValidationError:
        return [EMAIL_FORMAT]
    return []


def notification_settings_update(
    *,
    by: User,
    review_reminders_enabled: bool,
    review_reminder_days_ahead: int,
    exceptions_digest_enabled: bool,
    exceptions_digest_email: str,
    budget_holder_reply_to: str,
    origin: Origin = SYSTEM,
) -> NotificationSettings:
    """Save every setting at once (the page shows them all); nothing is saved if any
    one is wrong."""
    digest_email = exceptions_digest_email.strip().lower()
    reply_to = budget_holder_reply_to.strip().lower()
    errors: dict[str, list[str]] = {}
    days = review_reminder_days_ahead
    if isinstance(days, bool) or not isinstance(days, int):
        errors["review_reminder_days_ahead"] = ["Enter the number of days as a whole number"]
    elif not 1 <= days <= MAX_REVIEW_REMINDER_DAYS:
        errors["review_reminder_days_ahead"] = [
            f"The number of days must be between 1 and {MAX_REVIEW_REMINDER_DAYS}"
        ]
    if digest := _email_errors(
        digest_email,
        required_message=(
            "Enter the finance mailbox to send the digest to" if exceptions_digest_enabled else ""
        ),
    ):
        errors["exceptions_digest_email"] = digest
    if reply := _email_errors(reply_to):
        errors["budget_holder_reply_to"] = reply
    if errors:
        raise ValidationFailed("The notification settings were not saved.", field_errors=errors)
    values = {
        "review_reminders_enabled": bool(review_reminders_enabled),
        "review_reminder_days_ahead": days,
        "exceptions_digest_enabled": bool(exceptions_digest_enabled),
        "exceptions_digest_email": digest_email,
        "budget_holder_reply_to": reply_to,
    }
    with transaction.atomic():
        # Compared with the defaults until the first save.
        before = (
            NotificationSettings.objects.select_for_update().filter(pk=1).first()
            or NotificationSettings()
        )
        changed = sorted(name for name, value in values.items() if getattr(before, name) != value)
        saved, _ = NotificationSettings.objects.update_or_create(
            pk=1, defaults={**values, "updated_by": by, "updated_at": timezone.now()}
        )
        audit_record(
            action="notifications.settings_updated",
            actor=by,
            obj=saved,
            origin=origin,
            detail={"changed": changed},
        )
    return saved
