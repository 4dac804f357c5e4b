"""An order of one catalogue service for one person, and its visits (occurrences).

Each visit holds its cost in the purse from checkout (a one-off order) or up to four
weeks ahead (a weekly order). The provider accepts or declines the order; after a visit
the provider says how much was delivered (say 1.5 hours) and, where the council asks
for it, the person or a representative confirms; then the cost of what was delivered
is paid (never more than was held) and the rest goes back to the purse.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Order(models.Model):
    class Frequency(models.TextChoices):
        ONCE = "once", "Once"
        WEEKLY = "weekly", "Every week"

    class Status(models.TextChoices):
        PLACED = "placed", "Waiting for the provider"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined by the provider"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Finished"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("purse.Person", on_delete=models.PROTECT, related_name="orders")
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("catalogue.Provider", on_delete=models.PROTECT, related_name="+")
    # The price when ordered (the council's agreed price where it has one), per unit.
    unit_price_pence = models.BigIntegerField()
    unit = models.CharField(max_length=10)
    # Units per visit, in hundredths (150 = 1.5 hours).
    units_centi = models.PositiveIntegerField()
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    starts_on = models.DateField()
    at = models.TimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLACED)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # "self", "representative" or "staff": who placed it, for the person.
    placed_as = models.CharField(max_length=20)
    decline_reason = models.TextField(blank=True)
    # Told to the person when the purse will not cover the next four weeks.
    warning = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_price_pence__gt=0) & Q(units_centi__gt=0),
                name="order_price_and_units_positive",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """What the person quotes: short and unique within the council."""
        return f"ORD-{self.pk:06d}"


class Visit(models.Model):
    class Status(models.TextChoices):
        HELD = "held", "Booked (money held)"
        UNFUNDED = "unfunded", "Not booked: not enough money yet"
        DELIVERED = "delivered", "Delivered, waiting for confirmation"
        DISPUTED = "disputed", "Delivery disputed: the council will decide"
        PAID = "paid", "Delivered and paid"
        CANCELLED = "cancelled", "Cancelled"
        RELEASED = "released", "Money released"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="visits")
    on = models.DateField()
    amount_pence = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices)
    hold = models.OneToOneField(
        "purse.LedgerTransaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit",
    )
    delivered_units_centi = models.PositiveIntegerField(null=True, blank=True)
    # When the provider reported the delivery: the person has a week from then.
    delivered_at = models.DateTimeField(null=True, blank=True)
    dispute = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "on"], name="visit_one_per_order_day"),
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="visit_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} on {self.on}"
