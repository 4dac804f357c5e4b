"""The commissioner's figures: spending, budget holders and savings (reads only).

Spending is what the ledger captured: each capture is the money paid to a provider for
a delivered visit, posted when the delivery was confirmed (or taken as confirmed). A
capture resolves the visit's hold, and the visit names its order, so each payment is
traced to its service, category, provider and budget holder. The ledger's captures are
summed by month into a rollup (rollup.py, brought up to date by every read here), and
every figure is summed from it in the database (GROUP BY): a report costs a few small
queries however many payments it covers, and each breakdown adds up to the ledger's own
capture total for the period, to the penny. Refunds (reversals of captures) are shown
beside spending, never netted into it, so the figures stay the sum of the captures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from catalogue.models import PriceOption, Provider, TaxonomyTerm
from purse.models import Budget

from ..models import PurseMonth, SpendMonth, UnitCost
from .period import Period
from .rollup import ledger_fold

UNLINKED = "Not linked to an order"
NO_POSTCODE = "No postcode recorded"
DIMENSIONS = ("category", "provider", "month", "area")


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    pence: int
    count: int  # payments


@dataclass(frozen=True)
class Breakdown:
    by: str
    rows: list[Row]
    total_pence: int
    payments: int
    refunds_pence: int


@contextmanager
def plain_plans() -> Iterator[None]:
    """No JIT compilation for the statements inside: a year's budgets or visits put
    their estimated cost above the JIT's threshold, and compiling costs several times
    what the statement does."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield


def _months(period: Period) -> Any:
    ledger_fold()
    return SpendMonth.objects.filter(month__gte=period.first, month__lte=period.last)


def _names(by: str, keys: list[Any]) -> dict[Any, str]:
    if by == "category":
        return dict(TaxonomyTerm.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "provider":
        return {
            pk: trading or legal
            for pk, trading, legal in Provider.objects.filter(pk__in=keys).values_list(
                "pk", "trading_name", "legal_name"
            )
        }
    return {}


def spend_by(*, by: str, period: Period) -> Breakdown:
    """Money captured in `period`, by category, provider, month or area (the postcode
    district of the budget holder), largest first (months in order, every month shown)."""
    if by not in DIMENSIONS:
        raise ValueError(f"no such breakdown: {by}")
    months = _months(period)
    refunds = months.aggregate(total=Sum("refunded_pence"))["total"] or 0
    field = {"category": "category_id", "provider": "provider_id", "area": "district"}.get(
        by, "month"
    )
    found = list(
        months.filter(payments__gt=0)
        .values_list(field)
        .annotate(pence=Sum("paid_pence"), count=Sum("payments"))
        .order_by()
    )
    if by == "month":
        paid = {month: (int(p), int(n)) for month, p, n in found}
        rows = [Row(f"{m:%Y-%m}", f"{m:%B %Y}", *paid.get(m, (0, 0))) for m in period.months]
    else:
        names = _names(by, [key for key, _, _ in found if key is not None])

        def label(key: Any) -> str:
            if key is None:
                return UNLINKED
            if by == "area":
                return key or NO_POSTCODE
            return names.get(key, UNLINKED)

        rows = sorted(
            (Row("" if k is None else str(k), label(k), int(p), int(n)) for k, p, n in found),
            key=lambda r: (-r.pence, r.label),
        )
    return Breakdown(
        by=by,
        rows=rows,
        total_pence=sum(r.pence for r in rows),
        payments=sum(r.count for r in rows),
        refunds_pence=int(refunds),
    )


def spend_total(*, period: Period) -> tuple[int, int]:
    """Money captured in `period` and the number of payments."""
    found = _months(period).aggregate(pence=Sum("paid_pence"), count=Sum("payments"))
    return int(found["pence"] or 0), int(found["count"] or 0)


# --- Budget holders -------------------------------------------------------------


@dataclass(frozen=True)
class HoldersMonth:
    month: dt.date
    with_budget: int  # a budget active on some day of the month
    topped_up: int  # their purse received money from the council in the month
    spending: int  # paid for care from it in the month


def budget_holders_by_month(*, period: Period) -> list[HoldersMonth]:
    """For each month, how many people had an active budget, had their purse funded
    and paid for care from it."""
    # Each budget's months within the period, one row per person and month (a person
    # whose budget changed in a month has two budgets in it, and counts once).
    sql = f"""
        SELECT month, count(*)
          FROM (
            SELECT DISTINCT m::date AS month, b.person_id
              FROM {Budget._meta.db_table} b,
                   generate_series(
                       greatest(date_trunc('month', b.starts_on), %(first)s::timestamp),
                       least(date_trunc('month', coalesce(b.ends_on, %(last)s)),
                             %(last)s::timestamp),
                       interval '1 month') m
             WHERE b.status IN ('active', 'ended')
               AND b.starts_on < (%(last)s::date + interval '1 month')
               AND (b.ends_on IS NULL OR b.ends_on >= %(first)s)
          ) held
         GROUP BY month
    """  # noqa: S608 - the model's table; values bound
    with plain_plans(), connection.cursor() as cursor:
        cursor.execute(sql, {"first": period.first, "last": period.last})
        budgets = dict(cursor.fetchall())
    ledger_fold()
    purses = {
        month: (topped, paid)
        for month, topped, paid in PurseMonth.objects.filter(
            month__gte=period.first, month__lte=period.last
        )
        .values_list("month")
        .annotate(
            topped=Count("id", filter=Q(topped_up=True)), paid=Count("id", filter=Q(paid=True))
        )
        .order_by()
    }
    return [HoldersMonth(m, int(budgets.get(m, 0)), *purses.get(m, (0, 0))) for m in period.months]


# --- Savings --------------------------------------------------------------------


@dataclass(frozen=True)
class SavingsRow:
    category: str
    unit: str  # PriceOption.Unit value
    unit_words: str  # "an hour"
    units_centi: int  # delivered and paid for, in hundredths
    spent_pence: int
    traditional_unit_pence: int | None  # None: no traditional cost set for it
    traditional_pence: int | None  # what the same units would have cost

    @property
    def units_text(self) -> str:
        """1,234.5 units: at most two decimals, none when whole."""
        whole, rest = divmod(self.units_centi, 100)
        return f"{whole:,}" + (f".{rest:02d}".rstrip("0") if rest else "")

    @property
    def saved_pence(self) -> int | None:
        if self.traditional_pence is None:
            return None
        return self.traditional_pence - self.spent_pence


@dataclass(frozen=True)
class Savings:
    rows: list[SavingsRow]
    spent_pence: int  # every capture in the period
    compared_spent_pence: int  # of which compared with a traditional cost
    traditional_pence: int
    saved_pence: int


def savings(*, period: Period) -> Savings:
    """What the units paid for in `period` would have cost at the council's traditional
    unit costs, against what was paid. Units are what the provider delivered (the
    visit's delivered amount); the traditional cost of them is rounded to the penny."""
    found = (
        _months(period)
        .filter(payments__gt=0)
        .values_list("category_id", "unit")
        .annotate(units=Sum("units_centi"), pence=Sum("paid_pence"))
        .order_by()
    )
    costs = {(u.category_id, u.unit): u.traditional_pence for u in UnitCost.objects.all()}
    names = _names("category", [c for c, *_ in found if c is not None])
    units = dict(PriceOption.Unit.choices)
    rows: list[SavingsRow] = []
    for category_id, unit, centi, spent in found:
        cost = costs.get((category_id, unit))
        traditional = None if cost is None else (int(centi) * cost + 50) // 100
        rows.append(
            SavingsRow(
                category=names.get(category_id, UNLINKED),
                unit=unit or "",
                unit_words=units.get(unit, "") if unit else "",
                units_centi=int(centi),
                spent_pence=int(spent),
                traditional_unit_pence=cost,
                traditional_pence=traditional,
            )
        )
    rows.sort(key=lambda r: (-r.spent_pence, r.category, r.unit))
    compared = [r for r in rows if r.traditional_pence is not None]
    traditional_total = sum(r.traditional_pence or 0 for r in compared)
    compared_spent = sum(r.spent_pence for r in compared)
    return Savings(
        rows=rows,
        spent_pence=sum(r.spent_pence for r in rows),
        compared_spent_pence=compared_spent,
        traditional_pence=traditional_total,
        saved_pence=traditional_total - compared_spent,
    )


def unit_costs() -> list[UnitCost]:
    return list(UnitCost.objects.select_related("category", "updated_by"))
