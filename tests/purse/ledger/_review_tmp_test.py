"""Throwaway review tests (review5)."""
from __future__ import annotations

import datetime as dt

import pytest

from purse.ledger.models import Account, LedgerTransaction
from purse.models import Budget
from purse.services.funding import topups_run
from purse.services.plans import plan_approve, plan_create
from purse.orders.services import _units_centi
from tests.purse import plan_builders as b
from tests.purse.ledger.conftest import assert_books_balance

pytestmark = pytest.mark.django_db
D = dt.date


def _plan(person, carol, weekly, starts_on, **rules):
    version = b.rules_version(**rules)
    plan = plan_create(
        assessment=b.assessment(person, version, carol, indicative=weekly),
        outcomes="Stay at home",
        management="council_managed",
        lines=[("home-care", "Mornings", weekly)],
        weekly_budget_pence=weekly,
        person_contribution_weekly_pence=0,
        starts_on=starts_on,
        by=carol,
    )
    plan_approve(plan=plan, by=carol)
    return Budget.objects.get(plan=plan)


@pytest.mark.parametrize("timing", ["advance", "arrears"])
def test_replacement_mid_cycle_double_funds(council, timing):
    carol = b.staff("Carol R")
    ada = b.person()
    old = _plan(ada, carol, 10000, D(2026, 1, 5), topup_timing=timing)  # £100/wk
    topups_run(on=D(2026, 2, 3))  # pays cycle Jan 5 - Feb 1 (both modes)
    # Backdated/mid-cycle replacement: a new plan starting Jan 19 at the same rate
    new = _plan(ada, carol, 10000, D(2026, 1, 19), topup_timing=timing)
    old.refresh_from_db()
    print("old ends", old.ends_on, old.status, "new", new.first_topup_on)
    topups_run(on=D(2026, 3, 20))
    purse = Account.objects.get(person=ada)
    keys = list(LedgerTransaction.objects.filter(kind="topup").values_list("key", "memo"))
    print(keys)
    # Days Jan 5 .. Mar 15 (new's cycles to Mar 15 in advance) at £100/wk:
    print("credits", purse.credits_posted)
    # From Jan 5 to Feb 15 (new's first cycle end) is 6 weeks = 60000 if no overlap
    paid_to_feb15 = sum(
        t.entries.get(side="C").amount_pence
        for t in LedgerTransaction.objects.filter(kind="topup")
        if t.key.endswith("2026-01-05") or t.key.endswith("2026-01-19")
    )
    assert paid_to_feb15 == 60000, paid_to_feb15
    assert_books_balance()


@pytest.mark.parametrize("units", ["sNaN", "-sNaN", "1e999999999", "Infinity"])
def test_units_bad(units):
    assert _units_centi(units) is None
