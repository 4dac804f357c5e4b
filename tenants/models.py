"""Tenants (councils and NHS bodies) and the host names that reach them. Public schema."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class Tenant(TenantMixin):
    """A council or NHS body. Its slug is its schema name and the first label of its
    host name: kingsmere -> schema "kingsmere" -> kingsmere.<PLATFORM_DOMAIN>."""

    class Kind(models.TextChoices):
        COUNCIL = "council", "Council"
        NHS = "nhs", "NHS body"
        PLATFORM = "platform", "Platform (public schema)"

    class Status(models.TextChoices):
        TRIAL = "trial", "Trial"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        OFFBOARDING = "offboarding", "Offboarding"
        CLOSED = "closed", "Closed"

    class PayoutGateway(models.TextChoices):
        SANDBOX = "sandbox", "Sandbox (demonstration: paid at once)"
        PAYPAL = "paypal", "PayPal Payouts"
        BACS = "bacs", "A BACS payment file for the council's finance system"

    # Annotated by hand: TenantMixin has no type stubs, so mypy cannot infer them.
    name: models.CharField[str, str] = models.CharField(max_length=200)
    kind: models.CharField[str, str] = models.CharField(max_length=10, choices=Kind.choices)
    status: models.CharField[str, str] = models.CharField(
        max_length=12, choices=Status.choices, default=Status.TRIAL
    )
    # How this council pays its providers (purse.payouts).
    payout_gateway: models.CharField[str, str] = models.CharField(
        max_length=10, choices=PayoutGateway.choices, default=PayoutGateway.SANDBOX
    )
    created_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(auto_now_add=True)
    updated_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(auto_now=True)

    # Schemas are made by tenants.services.schemas (cloned from a template, inside the
    # creating transaction), never as a side effect of save(); never dropped by delete().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.schema_name})"


class Domain(DomainMixin):
    """A host name routed to a tenant (the public tenant has PLATFORM_DOMAIN)."""
