"""A person with an active budget of £300 a week (so 8 weeks is £2,400) and money in
their purse, for surplus tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from accounts.models import User
from purse.ledger.models import Account
from purse.ledger.services import Leg, purse_open, shared_account, transfer
from purse.models import Budget, Person
from purse.services.plans import plan_approve, plan_create
from tests.purse import plan_builders as b

WEEKLY = 30000
THRESHOLD = 8 * WEEKLY  # £2,400


@dataclass(frozen=True)
class Holder:
    person: Person
    budget: Budget
    purse: Account


def holder(
    manager: User, *, funds: int, user: Any = None, given: str = "Ada", **rules: Any
) -> Holder:
    """Run inside the tenant's schema."""
    person = b.person(given=given, user=user, email=f"{given.lower()}@people.example")
    version = b.rules_version(**rules)
    plan = plan_create(
        assessment=b.assessment(person, version, manager, indicative=WEEKLY),
        outcomes="Stay at home",
        management="direct_payment",
        lines=[("home-care", "Mornings", WEEKLY)],
        weekly_budget_pence=WEEKLY,
        person_contribution_weekly_pence=0,
        starts_on=dt.date(2026, 1, 5),
        by=manager,
    )
    plan_approve(plan=plan, by=manager)
    purse = purse_open(person=person)
    if funds:
        transfer(kind="one_off", legs=[Leg(shared_account(Account.Kind.FUNDING), purse, funds)])
    budget = Budget.objects.get(person=person, status=Budget.Status.ACTIVE)
    return Holder(person=person, budget=budget, purse=purse)


def available(account: Account) -> int:
    account.refresh_from_db()
    return account.available_pence
