"""Paying providers: one payout batch per provider per day, the BACS payment files
that carry them, and the daily reconciliation's findings (tenant schema).

A batch moves what the council owes the provider (its payable account) into clearing
when it is made; the gateway's answer settles it (clearing -> paid out) or returns it
(the payout reversed: the money is owed again and goes in a later batch). Its key is
the gateway's idempotency key (PayPal's sender_batch_id), so sending it again can never
pay twice.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from ..ledger.models import LedgerTransaction


class PaymentFile(models.Model):
    """A BACS payment file for the council's finance system: made by the payout run,
    confirmed as paid by a finance officer once their system has sent it."""

    class Status(models.TextChoices):
        READY = "ready", "Ready for the finance system"
        PAID = "paid", "Paid"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=40, unique=True)
    on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    content = models.TextField()  # the CSV, kept exactly as first written
    total_pence = models.BigIntegerField()
    payments = models.PositiveIntegerField()
    confirmed_by_id = models.UUIDField(null=True, blank=True)  # a user's public id
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "payouts_payment_file"
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return self.reference


class PayoutBatch(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent, waiting for the gateway"
        PAID = "paid", "Paid"
        RETURNED = "returned", "Not paid: the money is owed again"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The gateway's idempotency key: "<schema>.<provider>.<YYYYMMDD>".
    key = models.CharField(max_length=120, unique=True)
    provider_id = models.UUIDField()  # catalogue.Provider
    on = models.DateField()
    gateway = models.CharField(max_length=10)
    amount_pence = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The last payable entry this batch pays for: its remittance advice lists the
    # entries after the previous batch's and up to this one.
    through_entry_id = models.BigIntegerField()
    payout = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="payout_batch"
    )
    settlement = models.OneToOneField(
        LedgerTransaction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="settled_batch",
    )
    returned = models.OneToOneField(
        LedgerTransaction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returned_batch",
    )
    # Where the money was sent, as the provider's details stood when it was sent.
    payee = models.JSONField(default=dict, blank=True)
    gateway_batch_id = models.CharField(max_length=120, blank=True)
    gateway_status = models.CharField(max_length=40, blank=True)
    failure_reason = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    payment_file = models.ForeignKey(
        PaymentFile, on_delete=models.PROTECT, null=True, blank=True, related_name="batches"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "payouts_batch"
        ordering = ["-on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider_id", "on"], name="payouts_one_per_day"),
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="payouts_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(settlement__isnull=False),
                name="payouts_paid_is_settled",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | Q(returned__isnull=False),
                name="payouts_returned_is_reversed",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return self.key


class ReconciliationRun(models.Model):
    on = models.DateField(unique=True)
    batches_checked = models.PositiveIntegerField(default=0)
    exceptions_found = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "payouts_reconciliation_run"
        ordering = ["-on"]

    def __str__(self) -> str:
        return f"reconciliation of {self.on}"


class ReconciliationException(models.Model):
    """Something the ledger and the gateway disagree about, or a payment that cannot
    be made, for a finance officer to look into. Each is listed once while open."""

    class Kind(models.TextChoices):
        STATUS_MISMATCH = "status_mismatch", "The gateway and the ledger disagree"
        STUCK = "stuck", "Sent more than 3 days ago and still not paid"
        NOT_SENT = "not_sent", "Could not be sent"
        NO_DETAILS = "no_details", "Owed to a provider with no payment details"
        CLEARING = "clearing", "Money in clearing does not match the batches in flight"
        RETURNED = "returned", "The gateway returned the payment"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    run = models.ForeignKey(ReconciliationRun, on_delete=models.PROTECT, related_name="found")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What it is about, so a later run does not list it again while it is open.
    subject = models.CharField(max_length=120)
    batch = models.ForeignKey(
        PayoutBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="exceptions"
    )
    provider_id = models.UUIDField(null=True, blank=True)
    amount_pence = models.BigIntegerField(null=True, blank=True)
    message = models.TextField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by_id = models.UUIDField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "payouts_reconciliation_exception"
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject"],
                condition=Q(resolved_at__isnull=True),
                name="payouts_exception_open_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}"
