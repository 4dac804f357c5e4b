"""A notice that money above the council's limit will be taken back, and what became
of it.

A notice is issued when a purse holds more than the rules' number of weeks of the
budget; the money is recovered only once the notice period has passed (never while a
reconsideration is waiting for its decision), as a ledger transaction linked to the
notice, which finance can reverse. A person has at most one open notice at a time (a
partial unique index).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class SurplusNotice(models.Model):
    class Status(models.TextChoices):
        ISSUED = "issued", "Money will be taken back after the notice period"
        RECONSIDERATION_REQUESTED = (
            "reconsideration_requested",
            "Reconsideration asked for: nothing is taken back until it is decided",
        )
        WITHDRAWN = "withdrawn", "Withdrawn after reconsideration"
        RECOVERED = "recovered", "Money taken back"
        LAPSED = "lapsed", "Nothing taken back: the money was no longer over the limit"
        REVERSED = "reversed", "Money taken back and then returned"

    OPEN = (Status.ISSUED, Status.RECONSIDERATION_REQUESTED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "purse.Person", on_delete=models.PROTECT, related_name="surplus_notices"
    )
    budget = models.ForeignKey(
        "purse.Budget", on_delete=models.PROTECT, related_name="surplus_notices"
    )
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.ISSUED)
    # The figures on the day of issue: what was available, the limit, and the surplus.
    available_pence = models.BigIntegerField()
    threshold_weeks = models.PositiveSmallIntegerField()
    threshold_pence = models.BigIntegerField()
    amount_pence = models.BigIntegerField()
    reasons = models.TextField()
    issued_on = models.DateField()
    recover_on = models.DateField()
    reconsideration = models.TextField(blank=True)
    reconsideration_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reconsideration_requested_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    # What was actually taken back (less than the notice said if money was spent).
    recovered_pence = models.BigIntegerField(null=True, blank=True)
    transaction = models.OneToOneField(
        "purse.LedgerTransaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surplus_notice",
    )
    reversal_reason = models.TextField(blank=True)
    # The day it was withdrawn, recovered, lapsed or reversed.
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["issued", "reconsideration_requested"]),
                name="surplus_one_open_notice_per_person",
            ),
            models.CheckConstraint(
                condition=Q(amount_pence__gt=0)
                & Q(threshold_pence__gte=0)
                & Q(available_pence=models.F("threshold_pence") + models.F("amount_pence"))
                & Q(recover_on__gte=models.F("issued_on")),
                name="surplus_notice_figures_consistent",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["recovered", "reversed"])
                | (
                    Q(transaction__isnull=False)
                    & Q(recovered_pence__gt=0)
                    & Q(recovered_pence__lte=models.F("amount_pence"))
                ),
                name="surplus_recovery_has_transaction",
            ),
        ]

    def __str__(self) -> str:
        return f"Surplus notice {self.public_id} ({self.status})"

    @property
    def reference(self) -> str:
        return f"S{self.pk}"
