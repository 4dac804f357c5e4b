"""The workspace's own settings, per council."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from catalogue.models import PriceOption, TaxonomyTerm


class UnitCost(models.Model):
    """What one unit of a kind of care costs the council when it commissions it the
    traditional way (a block contract, say): "an hour of home care costs £24". The
    savings report compares what budget holders paid for the same units with it."""

    category = models.ForeignKey(TaxonomyTerm, on_delete=models.PROTECT, related_name="+")
    unit = models.CharField(max_length=10, choices=PriceOption.Unit.choices)
    traditional_pence = models.BigIntegerField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category__name", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["category", "unit"], name="unit_cost_once_per_unit"),
            models.CheckConstraint(condition=Q(traditional_pence__gt=0), name="unit_cost_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.category_id} {self.unit}: {self.traditional_pence}p"


# --- The reports' rollup of the ledger ------------------------------------------
# The ledger is append-only, so what it has captured can be summed once and added to as
# it grows (workspace.reports.rollup): a report then reads a few thousand monthly rows,
# not every entry of the year. Rows are only ever written by the fold.


class SpendMonth(models.Model):
    """Payments captured (and refunds of them) in one month, summed by what they paid
    for: the category and service, the provider, the budget holder's postcode district
    and the unit, as they were when the payment was folded in. NULLs: a payment not
    linked to an order (and for district, a person with no postcode: "")."""

    month = models.DateField()
    category_id = models.UUIDField(null=True)
    service_id = models.UUIDField(null=True)
    provider_id = models.UUIDField(null=True)
    district = models.CharField(max_length=8, null=True)  # noqa: DJ001 - NULL: no order
    unit = models.CharField(max_length=10, null=True)  # noqa: DJ001 - NULL: no order
    paid_pence = models.BigIntegerField(default=0)
    payments = models.IntegerField(default=0)
    units_centi = models.BigIntegerField(default=0)  # delivered, of the payments
    refunded_pence = models.BigIntegerField(default=0)
    refunds = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "category_id", "service_id", "provider_id", "district", "unit"],
                nulls_distinct=False,
                name="spend_month_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.service_id}: {self.paid_pence}p"


class PurseMonth(models.Model):
    """A purse in a month: whether the council paid money in, and whether it paid for care."""

    month = models.DateField()
    account_id = models.BigIntegerField()  # purse.ledger.Account, a purse
    topped_up = models.BooleanField(default=False)
    paid = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "account_id"], name="purse_month_once")
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.account_id}"


class LedgerFold(models.Model):
    """How far the fold has read the ledger: the highest transaction id folded in."""

    through_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"through {self.through_id}"


class FoldedTransaction(models.Model):
    """The ledger transactions folded in, kept only for the ids near the top (see
    rollup.WINDOW): a transaction that commits after one with a higher id is still
    folded once, and only once."""

    id = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return str(self.id)
