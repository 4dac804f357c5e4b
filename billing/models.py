"""What the platform sells to councils and NHS bodies (public schema): plans, which are
versioned (a licence keeps its plan version until it is moved), and one licence per
tenant with its term, purchase order, billing contact, VAT treatment and status."""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q


class Module(models.TextChoices):
    MARKETPLACE = "marketplace", "Marketplace (find and order services)"
    EPURSE = "epurse", "E-purse (budgets, ledger, payments to providers)"
    PHB = "phb", "Personal health budgets"
    SOCIAL_PRESCRIBING = "social_prescribing", "Social prescribing"
    REPORTS = "reports", "Reports for commissioners"


class Plan(models.Model):
    """One version of a plan. Prices in pence a month, before VAT. Per budget holder
    prices are graduated: `holder_tiers` is a list of {"up_to": n or null, "pence": p},
    each tier's price for the holders within it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(max_length=50)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    modules = ArrayField(models.CharField(max_length=30, choices=Module.choices), default=list)
    platform_fee_pence = models.BigIntegerField(default=0)
    holder_tiers = models.JSONField(default=list, blank=True)
    order_fee_pence = models.BigIntegerField(default=0)
    minimum_monthly_pence = models.BigIntegerField(default=0)
    trial_days = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="billing_plan_version_once"),
            models.CheckConstraint(
                condition=Q(platform_fee_pence__gte=0)
                & Q(order_fee_pence__gte=0)
                & Q(minimum_monthly_pence__gte=0),
                name="billing_plan_prices_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class Licence(models.Model):
    class Status(models.TextChoices):
        TRIAL = "trial", "Trial"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Past due"
        SUSPENDED = "suspended", "Suspended"
        CANCELLED = "cancelled", "Cancelled"

    class VatTreatment(models.TextChoices):
        STANDARD = "standard", "Standard rate (20%)"
        ZERO = "zero", "Zero rate"
        OUTSIDE_SCOPE = "outside_scope", "Outside the scope of UK VAT"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tenant = models.OneToOneField(
        "tenants.Tenant", on_delete=models.PROTECT, related_name="licence"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="licences")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TRIAL)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    trial_ends_on = models.DateField(null=True, blank=True)
    purchase_order = models.CharField(max_length=100, blank=True)
    billing_name = models.CharField(max_length=200, blank=True)
    billing_email = models.EmailField(blank=True)
    billing_address = models.TextField(blank=True)
    customer_vat_number = models.CharField(max_length=20, blank=True)
    vat_treatment = models.CharField(
        max_length=15, choices=VatTreatment.choices, default=VatTreatment.STANDARD
    )
    # Seat cap: how many budget holders the licence covers, and how far over it a
    # council may go (warned) before onboarding more people stops.
    holder_cap = models.PositiveIntegerField(null=True, blank=True)
    grace_percent = models.PositiveSmallIntegerField(default=10)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant__name"]

    def __str__(self) -> str:
        return f"Licence of {self.tenant_id} ({self.status})"


from .invoicing.models import Invoice, UsageRecord  # noqa: E402, F401  (registers them all)
