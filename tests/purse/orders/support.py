"""A council market for order tests: an approved home care service (£18 an hour) and a
person with an active budget whose purse holds some money."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django_tenants.utils import tenant_context

from accounts.models import User
from catalogue.models import Service
from epurse.db import use_public_schema
from purse.ledger.models import Account
from purse.ledger.services import Leg, purse_open, shared_account, transfer
from purse.models import Person
from purse.services.plans import plan_approve, plan_create
from tests.catalogue.api_support import approve
from tests.catalogue.factories import provider_with_place, service_made
from tests.conftest import TenantUsers
from tests.purse import plan_builders as b


@dataclass(frozen=True)
class Market:
    service: Service
    provider_owner: User
    person: Person
    purse: Account
    carol: User

    @property
    def price_id(self) -> Any:
        return self.service.prices.get().pk


def market(tenant: TenantUsers, *, funds: int, agreed: int | None = None, **rules: Any) -> Market:
    use_public_schema()
    provider, owner, place = provider_with_place()
    service = service_made(provider, owner, location=place, prices=(1800,), unit="hour")
    approve(tenant, provider, service, agreed=agreed)
    with tenant_context(tenant.tenant):
        carol = b.staff("Carol Orders")
        person = b.person(user=tenant.person)
        version = b.rules_version(**rules)
        plan = plan_create(
            assessment=b.assessment(person, version, carol, indicative=30000),
            outcomes="Stay at home",
            management="council_managed",
            lines=[("home-care", "Mornings", 30000)],
            weekly_budget_pence=30000,
            starts_on=dt.date(2026, 1, 5),
            by=carol,
        )
        plan_approve(plan=plan, by=carol)
        purse = purse_open(person=person)
        if funds:
            transfer(kind="one_off", legs=[Leg(shared_account(Account.Kind.FUNDING), purse, funds)])
    use_public_schema()
    return Market(service=service, provider_owner=owner, person=person, purse=purse, carol=carol)
