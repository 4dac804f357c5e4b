"""Reads for finance's top-up pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from purse.models import Budget
from purse.services.funding import topups_due

from .models import TopupRun


@dataclass(frozen=True)
class DueLine:
    person: str
    reference: str  # the person's id, as finance quotes it
    starts: dt.date
    ends: dt.date
    amount_pence: int


def topup_runs_listed() -> QuerySet[TopupRun]:
    return TopupRun.objects.select_related("previewed_by", "approved_by")


def topup_run_waiting() -> TopupRun | None:
    return TopupRun.objects.filter(status=TopupRun.Status.PREVIEWED).first()


def topup_run_lines(*, run: TopupRun, limit: int) -> tuple[list[DueLine], int]:
    """What the run would pay now, person by person (the first `limit` lines), and how
    many lines there are in all."""
    rows = topups_due(on=run.run_on)
    shown = rows[:limit]
    budgets = Budget.objects.select_related("person").in_bulk([r.budget_id for r in shown])
    lines = [
        DueLine(
            person=str(budgets[r.budget_id].person),
            reference=str(budgets[r.budget_id].person.public_id)[:8],
            starts=r.starts,
            ends=r.ends,
            amount_pence=r.amount_pence,
        )
        for r in shown
    ]
    return lines, len(rows)
