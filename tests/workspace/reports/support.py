"""A council with a season of spending for the reports: two providers (home care at £18
an hour; day opportunities at £39.99 a session), two budget holders in two postcode
districts, visits delivered and paid in March, April and November 2026 (one paid a
penny's rounding: 1.5 sessions at £39.99), one visit disputed, one waiting for the
person, one payment refunded, and a published review. Each payment is made as the
service makes it, with the clock set to the day it is paid, so each capture lands in
its month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

from django.db.models import Sum
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.services import user_create
from catalogue.council.models import Review
from core.dates import LONDON
from epurse.db import use_public_schema
from purse.ledger.models import Account, Entry, LedgerTransaction
from purse.ledger.services import Leg, purse_open, shared_account, transaction_reverse, transfer
from purse.models import Person
from purse.orders.models import Order, Visit
from purse.orders.services import (
    order_accept,
    order_place,
    visit_confirm,
    visit_deliver,
    visit_dispute,
)
from purse.services.plans import plan_approve, plan_create
from tests.catalogue.api_support import approve
from tests.catalogue.factories import provider_with_place, service_made
from tests.conftest import TenantUsers
from tests.purse import plan_builders as b
from tests.purse.orders.support import Market, market


@contextmanager
def clock(when: dt.datetime) -> Iterator[None]:
    """Every `timezone.now()` (and so each row's created_at) reads `when`."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


@dataclass(frozen=True)
class Seeded:
    market: Market
    day_service: Any
    ada: Person
    bob: Person
    bob_user: Any
    refunded_pence: int


def holder_made(
    tenant: TenantUsers, user: Any, *, given: str, postcode: str, **rules: Any
) -> Person:
    """A person with an approved plan, an active budget and £1,000 in the purse."""
    with tenant_context(tenant.tenant):
        carol = b.staff(f"Carol {given}")
        person = b.person(given, "Holder", user=user, postcode=postcode)
        version = b.rules_version(**rules)
        plan = plan_create(
            assessment=b.assessment(person, version, carol, indicative=30000),
            outcomes="Stay well",
            management="council_managed",
            lines=[("home-care", "Care", 20000), ("day-opportunities", "Days out", 10000)],
            weekly_budget_pence=30000,
            starts_on=dt.date(2026, 1, 5),
            by=carol,
        )
        plan_approve(plan=plan, by=carol)
        transfer(
            kind="one_off",
            legs=[Leg(shared_account(Account.Kind.FUNDING), purse_open(person=person), 100000)],
        )
    use_public_schema()
    return person


def visit_paid(
    *,
    person: Person,
    service: Any,
    by: Any,
    provider_owner: Any,
    day: dt.date,
    units: str,
    delivered: str | None = None,
    confirm: bool = True,
    dispute: bool = False,
) -> Visit:
    """An order placed the week before `day`, accepted, delivered on `day` and (where
    the rules ask the person to) confirmed the next day."""
    with clock(at(day - dt.timedelta(days=7))):
        order = order_place(
            person=person,
            service_id=service.pk,
            price_option_id=service.prices.get().pk,
            units=units,
            starts_on=day,
            at=dt.time(10),
            frequency=Order.Frequency.ONCE,
            by=by,
        )
        order_accept(order=order, by=provider_owner)
    [visit] = order.visits.all()
    with clock(at(day, 15)):
        visit = visit_deliver(visit=visit, units=delivered or units, by=provider_owner)
    if visit.status == Visit.Status.DELIVERED:
        with clock(at(day + dt.timedelta(days=1))):
            if dispute:
                visit = visit_dispute(visit=visit, reason="Nobody came", by=by)
            elif confirm:
                visit = visit_confirm(visit=visit, by=by)
    return visit


def council_seeded(tenant: TenantUsers) -> Seeded:
    m = market(tenant, funds=100000, person_confirms_delivery=True)
    provider, owner, place = provider_with_place("Brightdays CIC", "NM2 3CC")
    days = service_made(
        provider,
        owner,
        location=place,
        name="Brightdays day centre",
        category="day-opportunities",
        prices=(3999,),
        unit="session",
    )
    approve(tenant, provider, days)
    with tenant_context(tenant.tenant):
        Person.objects.filter(pk=m.person.pk).update(postcode="NM1 2AB")
        bob_user = user_create(
            email=f"bob@{tenant.slug}.example", full_name="Bob Holder", role_codes=["budget_holder"]
        )
    bob = holder_made(tenant, bob_user, given="Bob", postcode="nm22 4xy")
    ada_user = tenant.person
    with tenant_context(tenant.tenant):
        home: dict[str, Any] = {"service": m.service, "provider_owner": m.provider_owner}
        visit_paid(person=m.person, by=ada_user, day=dt.date(2026, 3, 10), units="2", **home)
        refunded = visit_paid(
            person=m.person,
            by=ada_user,
            day=dt.date(2026, 4, 14),
            units="2",
            delivered="1.5",
            **home,
        )
        visit_paid(person=bob, by=bob_user, day=dt.date(2026, 4, 20), units="1.25", **home)
        visit_paid(
            person=bob,
            by=bob_user,
            service=days,
            provider_owner=owner,
            day=dt.date(2026, 11, 3),
            units="1.5",
        )
        visit_paid(
            person=m.person, by=ada_user, day=dt.date(2026, 11, 10), units="1", dispute=True, **home
        )
        visit_paid(
            person=m.person,
            by=ada_user,
            day=dt.date(2026, 11, 17),
            units="1",
            confirm=False,
            **home,
        )
        capture = LedgerTransaction.objects.get(resolves=refunded.hold)
        with clock(at(dt.date(2026, 5, 2))):
            reversal = transaction_reverse(original=capture, memo="Carer left early")
        refunded_pence = Entry.objects.get(transaction=reversal, side="D").amount_pence
        Review.objects.create(service=days, author=bob_user, rating=4, status="published")
    use_public_schema()
    return Seeded(
        market=m,
        day_service=days,
        ada=m.person,
        bob=bob,
        bob_user=bob_user,
        refunded_pence=refunded_pence,
    )


def ledger_captured(begins: dt.datetime, ends: dt.datetime) -> int:
    """The ledger's own sum of the money captured between two moments (the current
    schema): the debit entries of capture transactions, nothing else."""
    total = Entry.objects.filter(
        side="D",
        transaction__kind="capture",
        transaction__created_at__gte=begins,
        transaction__created_at__lt=ends,
    ).aggregate(total=Sum("amount_pence"))["total"]
    return int(total or 0)


def now_in_london() -> dt.datetime:
    return timezone.localtime(timezone.now(), LONDON)
