"""What the home page says about the money: what is left to spend, what is held for
booked care, what was spent since the last top-up, and when the next one comes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone

from core.dates import LONDON

from ..ledger.models import Account, Entry, LedgerTransaction
from ..models import Budget, Person
from ..orders.models import Order, Visit
from ..selectors import budget_active


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


def _cycle_amount(budget: Budget, start: dt.date, weeks: int) -> int:
    """What a cycle from `start` pays (the top-up run's rule: the council's share of the
    weekly budget, by the day for a cycle the budget ends in, rounded down)."""
    share = budget.weekly_pence - budget.plan.person_contribution_weekly_pence
    end = start + dt.timedelta(days=weeks * 7 - 1)
    if budget.ends_on is not None and budget.ends_on < end:
        return max(share * ((budget.ends_on - start).days + 1) // 7, 0)
    return share * weeks


def _next_topup(budget: Budget, today: dt.date) -> tuple[dt.date | None, dt.date | None, int]:
    """(the current period's first day, the next top-up's day, its amount)."""
    version = budget.plan.rules_version
    weeks = version.topup_cycle_weeks
    cycle = dt.timedelta(weeks=weeks)
    first = budget.first_topup_on
    if today < first:
        start, upcoming = None, first
    else:
        start = first + ((today - first) // cycle) * cycle
        upcoming = start + cycle
    # In advance, a day's top-up pays the cycle starting then; in arrears, the one
    # that has just ended (so the first is paid a cycle after the first day).
    advance = version.topup_timing == "advance"
    if not advance and upcoming - cycle < first:
        upcoming += cycle
    paid_cycle = upcoming if advance else upcoming - cycle
    if budget.ends_on is not None and paid_cycle > budget.ends_on:
        return start, None, 0
    return start, upcoming, _cycle_amount(budget, paid_cycle, weeks)


def purse_summary(*, person: Person) -> PurseSummary:
    today = timezone.localdate()
    purse = Account.objects.filter(person=person).first()
    budget = budget_active(person=person)
    start = upcoming = None
    amount = None
    if budget is not None:
        start, upcoming, due = _next_topup(budget, today)
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
