"""A purse with some history for statement tests: a top-up and a one-off payment in;
one visit paid for part of what was held (the rest released), then refunded; one
visit still held; one visit cancelled (its money released); the one-off reversed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone
from django_tenants.utils import tenant_context

from purse.ledger.models import Account, LedgerTransaction
from purse.ledger.services import Leg, shared_account, transaction_reverse, transfer
from purse.orders.models import Order, Visit
from purse.orders.services import order_accept, order_place, visit_cancel, visit_deliver
from tests.conftest import TenantUsers
from tests.purse.orders.support import Market, market

NINE = dt.time(9)
LONDON = ZoneInfo("Europe/London")
TOPUP_MEMO = "Top-up for 2 November 2026 to 29 November 2026"


@contextmanager
def clock(moment: dt.datetime) -> Iterator[None]:
    """Everything done inside happens at `moment` (the ledger's created_at included)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def topup(m: Market, amount: int, memo: str = TOPUP_MEMO) -> LedgerTransaction:
    return transfer(
        kind="topup", legs=[Leg(shared_account(Account.Kind.FUNDING), m.purse, amount)], memo=memo
    )


def place(m: Market, *, units: str, by: object, in_days: int = 3) -> Order:
    return order_place(
        person=m.person,
        service_id=m.service.pk,
        price_option_id=m.price_id,
        units=units,
        starts_on=timezone.localdate() + dt.timedelta(days=in_days),
        at=NINE,
        frequency="once",
        by=by,
    )


def deliver(m: Market, order: Order, units: str) -> Visit:
    """The provider accepts and reports the visit as on today (so it may be reported)."""
    order_accept(order=order, by=m.provider_owner)
    [visit] = order.visits.all()
    Visit.objects.filter(pk=visit.pk).update(on=timezone.localdate())
    visit.refresh_from_db()
    return visit_deliver(visit=visit, units=units, by=m.provider_owner)


@dataclass(frozen=True)
class History:
    m: Market
    paid: Order  # 2 hours held (£36), 1.5 delivered (£27 paid, £9 back), then refunded
    held: Order  # 2 hours held (£36), still held
    cancelled: Order  # 1 hour held (£18), cancelled


def history(tenant: TenantUsers) -> History:
    m = market(tenant, funds=5000)  # a one-off payment of £50
    with tenant_context(tenant.tenant):
        topup(m, 20000)
        paid = place(m, units="2", by=tenant.person)
        visit = deliver(m, paid, "1.5")
        held = place(m, units="2", by=tenant.person, in_days=4)
        cancelled = place(m, units="1", by=tenant.person, in_days=5)
        visit_cancel(visit=cancelled.visits.get(), by=tenant.person)
        one_off = LedgerTransaction.objects.get(kind="one_off", entries__account=m.purse)
        transaction_reverse(original=one_off, memo="Paid twice by mistake")
        capture = LedgerTransaction.objects.get(resolves=visit.hold)
        transaction_reverse(original=capture, memo="Carer did not stay the full time")
    return History(m=m, paid=paid, held=held, cancelled=cancelled)


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=LONDON)
