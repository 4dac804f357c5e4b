"""Per-tenant approvals, reviews and alerts. They refer to the public registry by
foreign key: tenant schemas see public tables through the search path."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from catalogue.models import Location, Provider, Service


class Approval(models.TextChoices):
    APPROVED = "approved", "Approved"
    SUSPENDED = "suspended", "Suspended"


class ProviderApproval(models.Model):
    """This council lets its residents buy from the provider."""

    provider = models.OneToOneField(Provider, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Approval.choices)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status="approved") | ~Q(reason=""),
                name="provider_approval_suspension_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider_id}: {self.status}"


class ServiceApproval(models.Model):
    """This council approves one service, optionally at a price it agreed."""

    service = models.OneToOneField(Service, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Approval.choices)
    agreed_price_pence = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["status", "service"], name="service_approval_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(agreed_price_pence__isnull=True) | Q(agreed_price_pence__gt=0),
                name="service_approval_price_positive",
            ),
            models.CheckConstraint(
                condition=Q(status="approved") | ~Q(reason=""),
                name="service_approval_suspension_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}: {self.status}"


class Review(models.Model):
    """A budget holder's (or their representative's) rating of a service."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for moderation"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Not published"

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Set when a representative writes on the budget holder's behalf.
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderation_reason = models.TextField(blank=True)
    provider_reply = models.TextField(blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["service", "status"], name="review_service_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"
            ),
            models.UniqueConstraint(
                fields=["service", "author", "on_behalf_of"],
                nulls_distinct=False,
                name="review_one_per_person_per_service",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 for {self.service_id}"


class RatingAlert(models.Model):
    """A CQC downgrade of a location of a provider this council approves."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, related_name="+")
    cqc_location_id = models.CharField(max_length=20)
    previous = models.CharField(max_length=30, blank=True)
    current = models.CharField(max_length=30)
    report_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The sync may run twice over the same change; alert once.
            models.UniqueConstraint(
                fields=["cqc_location_id", "current", "report_date"],
                nulls_distinct=False,
                name="rating_alert_once_per_change",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cqc_location_id}: {self.previous} to {self.current}"
