"""Usage, invoices, credit notes, payments and reminders (public schema).

Money is integer pence. An invoice is a draft until it is finalised: finalising gives it
the next number of its series (the series row is locked FOR UPDATE in the finalising
transaction, so numbers are consecutive and a rolled-back finalise leaves no gap) and
from then on the database refuses any change to it or its lines except its status
moving to "paid" (migration 0003's triggers). Payments, reminders and credit notes are
rows of their own, so what was invoiced is never rewritten; credit notes are numbered
in their own series and never change once issued.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import Q


class UsageRecord(models.Model):
    """One metered quantity. `key` makes metering idempotent: "<tenant>:holders:<period>"
    for the month's count of active budget holders, "<tenant>:orders:<ledger transaction
    public id>" for each captured order, so metering the same events again adds nothing."""

    class Metric(models.TextChoices):
        HOLDERS = "holders", "Active budget holders"
        ORDERS = "orders", "Captured orders"

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.PROTECT, related_name="usage_records"
    )
    metric = models.CharField(max_length=10, choices=Metric.choices)
    period_start = models.DateField()  # the first day of the month it is billed in
    quantity = models.PositiveIntegerField()
    key = models.CharField(max_length=200, unique=True, db_collation="C")
    source_id = models.UUIDField(null=True, blank=True)  # the ledger transaction
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "period_start", "metric"], name="billing_usage_period")
        ]

    def __str__(self) -> str:
        return self.key


class InvoiceSeries(models.Model):
    """A numbering series. `next_number` is taken and advanced under FOR UPDATE in the
    transaction that finalises the invoice or issues the credit note."""

    INVOICES = "INV"
    CREDIT_NOTES = "CN"

    code = models.CharField(max_length=10, unique=True)
    next_number = models.PositiveBigIntegerField(default=1)

    class Meta:
        verbose_name_plural = "invoice series"

    def __str__(self) -> str:
        return self.code


VAT_STANDARD_RATE = Decimal("0.20")


class Invoice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Issued, awaiting payment"
        PAID = "paid", "Paid"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="invoices")
    licence = models.ForeignKey(
        "billing.Licence", on_delete=models.PROTECT, related_name="invoices"
    )
    period_start = models.DateField()
    period_end = models.DateField()  # inclusive: the last day of the month
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    series = models.ForeignKey(InvoiceSeries, on_delete=models.PROTECT, null=True, blank=True)
    number = models.CharField(max_length=30, null=True, blank=True, unique=True)
    # The tax point (time of supply) and issue date: the day it was finalised.
    issued_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    # What HMRC requires on a full VAT invoice, as it stood when it was issued.
    supplier_name = models.CharField(max_length=200, blank=True)
    supplier_address = models.TextField(blank=True)
    supplier_vat_number = models.CharField(max_length=20, blank=True)
    customer_name = models.CharField(max_length=200)
    customer_address = models.TextField(blank=True)
    customer_vat_number = models.CharField(max_length=20, blank=True)
    purchase_order = models.CharField(max_length=100, blank=True)
    vat_treatment = models.CharField(max_length=15)
    plan_name = models.CharField(max_length=200)
    net_pence = models.BigIntegerField(default=0)
    vat_pence = models.BigIntegerField(default=0)
    gross_pence = models.BigIntegerField(default=0)
    finalised_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "tenant__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "period_start"], name="billing_invoice_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(status="draft", number__isnull=True)
                | (~Q(status="draft") & Q(number__isnull=False) & Q(issued_on__isnull=False)),
                name="billing_invoice_numbered_when_issued",
            ),
            models.CheckConstraint(
                condition=Q(gross_pence=models.F("net_pence") + models.F("vat_pence")),
                name="billing_invoice_gross_is_net_plus_vat",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft invoice {self.public_id}"


class InvoiceLine(models.Model):
    class Kind(models.TextChoices):
        PLATFORM_FEE = "platform_fee", "Platform fee"
        HOLDERS = "holders", "Active budget holders"
        ORDERS = "orders", "Captured orders"
        MINIMUM = "minimum", "Minimum monthly commitment"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=15, choices=Kind.choices)
    description = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField()
    unit_price_pence = models.BigIntegerField()
    # Proration by days: the line is charged for `days` of the period's `period_days`.
    days = models.PositiveSmallIntegerField(null=True, blank=True)
    period_days = models.PositiveSmallIntegerField(null=True, blank=True)
    net_pence = models.BigIntegerField()
    vat_rate = models.DecimalField(max_digits=5, decimal_places=4)
    vat_pence = models.BigIntegerField()
    gross_pence = models.BigIntegerField()

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "position"], name="billing_invoiceline_position_once"
            ),
            models.CheckConstraint(
                condition=Q(gross_pence=models.F("net_pence") + models.F("vat_pence")),
                name="billing_invoiceline_gross_is_net_plus_vat",
            ),
        ]

    def __str__(self) -> str:
        return self.description


class CreditNote(models.Model):
    """Issued (numbered in its own series) in the transaction that creates it; never
    changed afterwards. Its gross never exceeds what is due on the invoice."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    series = models.ForeignKey(InvoiceSeries, on_delete=models.PROTECT)
    number = models.CharField(max_length=30, unique=True)
    issued_on = models.DateField()
    reason = models.CharField(max_length=300)
    net_pence = models.BigIntegerField()
    vat_pence = models.BigIntegerField()
    gross_pence = models.BigIntegerField()
    created_by_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(net_pence__gt=0)
                & Q(gross_pence=models.F("net_pence") + models.F("vat_pence")),
                name="billing_creditnote_amounts",
            )
        ]

    def __str__(self) -> str:
        return self.number


class CreditNoteLine(models.Model):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=300)
    net_pence = models.BigIntegerField()
    vat_rate = models.DecimalField(max_digits=5, decimal_places=4)
    vat_pence = models.BigIntegerField()
    gross_pence = models.BigIntegerField()

    class Meta:
        ordering = ["credit_note", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(net_pence__gt=0)
                & Q(gross_pence=models.F("net_pence") + models.F("vat_pence")),
                name="billing_creditnoteline_amounts",
            )
        ]

    def __str__(self) -> str:
        return self.description


class Payment(models.Model):
    """Money received against an invoice, e.g. by BACS with the remittance's reference.
    Recording the same reference for the same invoice twice records it once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount_pence = models.BigIntegerField()
    reference = models.CharField(max_length=100)
    received_on = models.DateField()
    recorded_by_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "reference"], name="billing_payment_reference_once"
            ),
            models.CheckConstraint(
                condition=Q(amount_pence__gt=0), name="billing_payment_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount_pence}p"


class Reminder(models.Model):
    """A reminder that an invoice is overdue, sent once at each stage (days overdue)."""

    STAGES = (7, 14, 30)

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reminders")
    days_overdue = models.PositiveSmallIntegerField()
    sent_to = models.EmailField(blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["invoice", "days_overdue"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "days_overdue"], name="billing_reminder_once_per_stage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} +{self.days_overdue}d"


class PlanChange(models.Model):
    """The licence moved to `plan` from `effective_on`: the fixed fees of a month it
    falls in are prorated by days between the plans (written by
    `services.licence_plan_change`, with the licence's own plan moved in the same
    transaction)."""

    licence = models.ForeignKey(
        "billing.Licence", on_delete=models.PROTECT, related_name="plan_changes"
    )
    from_plan = models.ForeignKey("billing.Plan", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey("billing.Plan", on_delete=models.PROTECT, related_name="+")
    effective_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["licence", "effective_on", "pk"]

    def __str__(self) -> str:
        return f"{self.licence_id} -> {self.plan_id} from {self.effective_on}"
