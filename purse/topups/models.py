"""A top-up run as finance sees it: previewed, then approved (and so paid) once."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class TopupRun(models.Model):
    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Waiting for approval"
        PAID = "paid", "Approved and paid"
        AUTOMATIC = "automatic", "Paid automatically"
        REPLACED = "replaced", "Replaced by a newer preview"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    run_on = models.DateField()  # pays every cycle due by this day
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    # What the preview showed, and a digest of its rows: approval pays exactly that, or
    # is refused if what is due has changed since.
    due_count = models.PositiveIntegerField()
    due_total_pence = models.BigIntegerField()
    due_digest = models.CharField(max_length=64)
    previewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    previewed_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True)
    paid_count = models.PositiveIntegerField(default=0)
    paid_total_pence = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-previewed_at", "-id"]
        constraints = [
            # At most one preview waiting at a time: a new one replaces the old.
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="previewed"), name="topuprun_one_waiting"
            ),
            models.CheckConstraint(
                condition=Q(due_total_pence__gte=0) & Q(paid_total_pence__gte=0),
                name="topuprun_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Top-up run for {self.run_on} ({self.status})"
