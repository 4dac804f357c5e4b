"""The top-up run: each budget's cycles are paid once, on their first day (advance) or
after their last (arrears), the council's share for each week, part cycles by the day;
the books balance and every top-up is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from core.models import AuditEntry
from purse.ledger.models import Account, LedgerTransaction
from purse.models import Budget
from purse.services.funding import topup_next, topups_due, topups_run
from purse.services.plans import plan_approve, plan_create
from tests.purse import plan_builders as b

from .conftest import assert_books_balance

pytestmark = pytest.mark.django_db

D = dt.date
START = D(2026, 1, 5)


def _budget(
    *,
    weekly: int = 30000,
    contribution: int = 0,
    starts_on: dt.date = START,
    **rules: object,
) -> Budget:
    carol = b.staff(f"Carol {Budget.objects.count()}")
    version = b.rules_version(**rules)
    plan = plan_create(
        assessment=b.assessment(b.person(), version, carol, indicative=weekly),
        outcomes="Stay at home",
        management="council_managed",
        lines=[("home-care", "Mornings", weekly)],
        weekly_budget_pence=weekly,
        person_contribution_weekly_pence=contribution,
        starts_on=starts_on,
        by=carol,
    )
    plan_approve(plan=plan, by=carol)
    return Budget.objects.get(plan=plan)


def _purse(budget: Budget) -> Account:
    return Account.objects.get(person=budget.person)


def _paid(budget: Budget) -> list[tuple[str, int]]:
    return [
        (str(t.key).rsplit(":", 1)[1], t.entries.get(side="C").amount_pence)
        for t in LedgerTransaction.objects.filter(key__startswith=f"topup:{budget.pk}:").order_by(
            "key"
        )
    ]


def test_cycles_in_advance_are_paid_once_each_and_missed_runs_catch_up(council):
    budget = _budget(weekly=30000, contribution=5000)  # the council pays £250 a week

    assert topups_run(on=D(2026, 1, 4)).topups == 0  # before it starts
    first = topups_run(on=D(2026, 1, 5))
    assert (first.topups, first.total_pence) == (1, 100000)
    assert topups_run(on=D(2026, 1, 5)).topups == 0  # not twice
    assert topups_run(on=D(2026, 1, 20)).topups == 0  # mid-cycle
    # No run for two cycles: the next catches up, each cycle with its own key.
    assert topups_run(on=D(2026, 3, 3)).topups == 2
    assert _paid(budget) == [("2026-01-05", 100000), ("2026-02-02", 100000), ("2026-03-02", 100000)]
    assert _purse(budget).available_pence == 300000
    assert Account.objects.get(code="funding").debits_posted == 300000
    # One audit entry per batch of budgets, naming each transaction it made.
    audits = AuditEntry.objects.filter(action="ledger.topup_batch").order_by("pk")
    assert [a.detail["topups"] for a in audits] == [1, 2]
    named = [public_id for a in audits for public_id in a.detail["transactions"]]
    assert sorted(named) == sorted(
        str(t.public_id) for t in LedgerTransaction.objects.filter(kind="topup")
    )
    assert_books_balance()


def test_in_arrears_a_cycle_is_paid_after_its_last_day(council):
    budget = _budget(topup_timing="arrears")
    assert topups_run(on=D(2026, 2, 1)).topups == 0  # 5 Jan to 1 Feb is not over yet
    assert topups_run(on=D(2026, 2, 2)).topups == 1
    assert _paid(budget) == [("2026-01-05", 120000)]


def test_a_cycle_the_budget_ends_in_pays_for_its_days(council):
    budget = _budget(weekly=30000)
    Budget.objects.filter(pk=budget.pk).update(ends_on=D(2026, 1, 14))  # 10 days

    assert [(d.starts, d.ends, d.amount_pence) for d in topups_due(on=D(2026, 3, 1))] == [
        (D(2026, 1, 5), D(2026, 1, 14), 42857)  # £300 x 10 / 7, rounded down
    ]
    topups_run(on=D(2026, 3, 1))
    assert _paid(budget) == [("2026-01-05", 42857)]
    assert topups_due(on=D(2026, 3, 1)) == []


@pytest.mark.parametrize(
    ("timing", "ends_on"),
    [("advance", None), ("arrears", None), ("advance", D(2026, 2, 12))],
    ids=["advance", "arrears", "ending-part-way"],
)
def test_the_next_top_up_shown_is_the_one_the_run_pays(council, timing, ends_on):
    budget = _budget(weekly=30000, contribution=5000, topup_timing=timing)
    Budget.objects.filter(pk=budget.pk).update(ends_on=ends_on)
    budget.refresh_from_db()
    today = D(2026, 1, 20)
    topups_run(on=today)

    _, day, amount = topup_next(budget=budget, today=today)

    assert day is not None
    assert topups_run(on=day - dt.timedelta(days=1)).topups == 0
    paid = topups_run(on=day)
    assert (paid.topups, paid.total_pence) == (1, amount)
    assert amount == (39285 if ends_on else 100000)  # 11 days of £250 a week, or 4 weeks


def test_no_next_top_up_is_shown_after_the_budgets_last_cycle(council):
    budget = _budget()
    Budget.objects.filter(pk=budget.pk).update(ends_on=D(2026, 1, 25))
    budget.refresh_from_db()

    assert topup_next(budget=budget, today=D(2026, 1, 20))[1:] == (None, 0)
    topups_run(on=D(2026, 1, 20))
    assert topups_run(on=D(2026, 6, 1)).topups == 0


def test_each_budget_follows_its_own_rules_cycle(council):
    two_weekly = _budget(weekly=7000, topup_cycle_weeks=2)
    four_weekly = _budget(weekly=7000)
    topups_run(on=D(2026, 2, 2))
    assert _paid(two_weekly) == [
        ("2026-01-05", 14000),
        ("2026-01-19", 14000),
        ("2026-02-02", 14000),
    ]
    assert _paid(four_weekly) == [("2026-01-05", 28000), ("2026-02-02", 28000)]
    assert_books_balance()


def test_the_hourly_task_pays_in_the_tenant_and_beat_sends_it_to_every_tenant(council):
    from django.conf import settings

    from purse.tasks import topups_pay

    entry = settings.CELERY_BEAT_SCHEDULE["topups-pay"]
    assert entry == {"task": topups_pay.name, "schedule": 3600.0}  # no tenant_schemas
    budget = _budget(weekly=7000)  # started 5 January 2026, before today
    paid = topups_pay.apply().get()
    assert paid["topups"] == len(_paid(budget)) > 0
    assert topups_pay.apply().get() == {"topups": 0, "total_pence": 0, "previewed": 0}


def test_a_replacement_budget_starts_paying_after_the_days_already_paid(council):
    from purse.services.plans import plan_approve, plan_create

    old = _budget(weekly=10000)  # £100 a week from 5 January, 4-weekly in advance
    topups_run(on=D(2026, 1, 5))  # pays 5 January to 1 February
    carol = b.staff("Carol Again")
    plan = plan_create(
        assessment=b.assessment(old.person, old.plan.rules_version, carol, indicative=10000),
        outcomes="Stay at home",
        management="council_managed",
        lines=[("home-care", "Mornings", 10000)],
        weekly_budget_pence=10000,
        starts_on=D(2026, 1, 19),  # mid-cycle
        by=carol,
    )
    plan_approve(plan=plan, by=carol)
    new = Budget.objects.get(plan=plan)

    assert (new.starts_on, new.first_topup_on) == (D(2026, 1, 19), D(2026, 2, 2))
    topups_run(on=D(2026, 2, 15))
    # Every day from 5 January to 1 March paid once: £100 x 8 weeks.
    assert _purse(old).available_pence == 80000
    assert _paid(old) == [("2026-01-05", 40000)]
    assert _paid(new) == [("2026-02-02", 40000)]


def _account_updates() -> tuple[int, int]:
    """Updates of ledger_account in this database transaction so far: all, and those
    that stayed on their page (HOT: no index touched)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables"
            " WHERE relid = 'ledger_account'::regclass"
        )
        return cursor.fetchone()


def test_a_run_moves_every_purse_on_a_page_without_leaving_it(council):
    # Given 60 purses side by side (at the old fillfactor, 70, a page held about 37
    # of them and room for only about 16 new versions).
    budgets = [_budget(weekly=1000) for _ in range(60)]
    before = _account_updates()

    # When one run tops them all up in one database transaction,
    assert topups_run(on=START).topups == 60

    # then each balance update (60 purses and the funding account) stayed on its page.
    updated, hot = (after - was for after, was in zip(_account_updates(), before, strict=True))
    assert (updated, hot) == (61, 61)
    assert {_purse(b).available_pence for b in budgets} == {4000}
