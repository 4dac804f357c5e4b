"""Monthly statements issued: each person's figures for each month, kept as they were
when issued (the ledger can later gain reversals, but what the person was sent
stays on record)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class StatementIssued(models.Model):
    person = models.ForeignKey(
        "purse.Person", on_delete=models.PROTECT, related_name="statements_issued"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    # Statement.figures(): opening, money in and out, held and closing, in pence.
    figures = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period_start"], name="statement_issued_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="statement_issued_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Statement {self.person_id} {self.period_start}"
