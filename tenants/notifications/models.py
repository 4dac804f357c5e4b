"""Which emails a council sends, and to whom. One row per council schema, made the
first time an administrator saves the settings; until then the defaults apply."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

DEFAULT_REVIEW_REMINDER_DAYS = 14
MAX_REVIEW_REMINDER_DAYS = 90


class NotificationSettings(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    # Care managers are emailed about each review due within this many days (or overdue).
    review_reminders_enabled = models.BooleanField(default=True)
    review_reminder_days_ahead = models.PositiveSmallIntegerField(
        default=DEFAULT_REVIEW_REMINDER_DAYS
    )
    # A daily digest of open reconciliation exceptions, to a finance mailbox.
    exceptions_digest_enabled = models.BooleanField(default=False)
    exceptions_digest_email = models.EmailField(blank=True)
    # Replies to emails sent to budget holders and their representatives go here.
    budget_holder_reply_to = models.EmailField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "notification settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="notification_settings_one_row"),
            models.CheckConstraint(
                condition=Q(review_reminder_days_ahead__gte=1)
                & Q(review_reminder_days_ahead__lte=MAX_REVIEW_REMINDER_DAYS),
                name="notification_review_days_range",
            ),
            models.CheckConstraint(
                condition=Q(exceptions_digest_enabled=False) | ~Q(exceptions_digest_email=""),
                name="notification_digest_has_mailbox",
            ),
        ]

    def __str__(self) -> str:
        return "Notification settings"
