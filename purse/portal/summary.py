"""What the home page says about the money: what is left to spend, what is held for
booked care, what was spent since the last top-up, and when the next one comes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone

from core.dates import LONDON

from ..ledger.models import Account, Entry, LedgerTransaction
from ..models import Person
from ..orders.models import Order, Visit
from ..selectors import budget_active
from ..services.funding import topup_next


@dataclass(frozen=True)
class PurseSummary:
    has_budget: bool
    available_pence: int
    held_pence: int
    spent_pence: int  # since the period began
    period_start: dt.date | None
    next_topup_on: dt.date | None
    next_topup_pence: int | None
    to_confirm: int  # deliveries waiting for the person to confirm
    warnings: list[str]


def purse_summary(*, person: Person) -> PurseSummary:
    today = timezone.localdate()
    purse = Account.objects.filter(person=person).first()
    budget = budget_active(person=person)
    start = upcoming = None
    amount = None
    if budget is not None:
        start, upcoming, due = topup_next(budget=budget, today=today)
        amount = due if upcoming is not None else None
    spent = 0
    if purse is not None and start is not None:
        since = dt.datetime.combine(start, dt.time.min, tzinfo=LONDON)
        spent = (
            Entry.objects.filter(
                account=purse,
                side="D",
                transaction__kind=LedgerTransaction.Kind.CAPTURE,
                transaction__created_at__gte=since,
            ).aggregate(total=Sum("amount_pence"))["total"]
            or 0
        )
    orders = Order.objects.filter(person=person)
    return PurseSummary(
        has_budget=budget is not None,
        available_pence=purse.available_pence if purse else 0,
        held_pence=purse.debits_pending if purse else 0,
        spent_pence=int(spent),
        period_start=start,
        next_topup_on=upcoming,
        next_topup_pence=amount,
        to_confirm=Visit.objects.filter(
            order__person=person, status=Visit.Status.DELIVERED
        ).count(),
        warnings=list(
            orders.exclude(warning="")
            .filter(status__in=[Order.Status.PLACED, Order.Status.ACCEPTED])
            .values_list("warning", flat=True)
        ),
    )
