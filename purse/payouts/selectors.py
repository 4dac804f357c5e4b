"""What finance and providers read about payments: batches, remittance advice and the
reconciliation's open exceptions (tenant schema)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from ..ledger.models import Entry
from ..orders.models import Visit
from .models import PayoutBatch, ReconciliationException


@dataclass(frozen=True)
class RemittanceLine:
    """One thing a payment pays for (or takes off, as a minus amount)."""

    order_reference: str
    visit_on: Any
    description: str
    amount_pence: int


def batches_listed(*, status: str = "") -> QuerySet[PayoutBatch]:
    """Batches, newest first; with `status`, only those (an unknown one matches none)."""
    batches = PayoutBatch.objects.select_related("payment_file")
    if not status:
        return batches
    if status not in PayoutBatch.Status.values:
        return batches.none()
    return batches.filter(status=status)


def remittance_for(*, batch: PayoutBatch) -> list[RemittanceLine]:
    """The care a payment covers: the provider's payable entries after the previous
    batch's and up to this batch's (each batch is made with the payable locked, so
    these are exactly what its amount adds up to)."""
    previous = (
        PayoutBatch.objects.filter(provider_id=batch.provider_id, pk__lt=batch.pk)
        .order_by("-pk")
        .values_list("through_entry_id", flat=True)
        .first()
    ) or 0
    entries = (
        Entry.objects.filter(
            account__provider_id=batch.provider_id,
            pk__gt=previous,
            pk__lte=batch.through_entry_id,
            transaction__status="posted",
        )
        # Payments out are not care; a payment that came back is listed (as what it
        # adds to what is owed), so the lines add up to the batch's amount.
        .exclude(transaction__kind="payout")
        .select_related("transaction", "transaction__reverses__payout_batch")
        .order_by("pk")
    )
    holds = {e.transaction.resolves_id for e in entries if e.transaction.resolves_id}
    visits = {
        v.hold_id: v
        for v in Visit.objects.filter(hold_id__in=holds).select_related("order", "order__service")
    }
    lines = []
    for entry in entries:
        sign = 1 if entry.side == "C" else -1
        visit = visits.get(entry.transaction.resolves_id)
        if visit is not None:
            lines.append(
                RemittanceLine(
                    order_reference=visit.order.reference,
                    visit_on=visit.on,
                    description=visit.order.service.name,
                    amount_pence=sign * entry.amount_pence,
                )
            )
        else:
            returned = getattr(entry.transaction.reverses, "payout_batch", None)
            description = (
                f"Payment {returned.key} returned, paid again"
                if returned is not None
                else entry.transaction.get_kind_display()
            )
            lines.append(
                RemittanceLine(
                    order_reference="",
                    visit_on=None,
                    description=description,
                    amount_pence=sign * entry.amount_pence,
                )
            )
    return lines


def exceptions_listed(*, open_only: bool = False) -> QuerySet[ReconciliationException]:
    found = ReconciliationException.objects.select_related("batch", "run")
    return found.filter(resolved_at__isnull=True) if open_only else found
