"""The notifications page: what has happened lately and what needs the person, worked
out from the records themselves (orders, visits, the ledger, surplus notices and
statements), so nothing has to be written twice to tell someone about it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from core.dates import format_date, local
from core.money import format_pence

from ..ledger.models import Entry, LedgerTransaction
from ..models import Person
from ..orders.models import Order, Visit
from ..orders.services import CONFIRM_DAYS
from ..statements.models import StatementIssued
from ..surplus.models import SurplusNotice

WINDOW_DAYS = 60
MOST = 30


@dataclass(frozen=True)
class Notification:
    on: dt.date
    title: str
    text: str
    needs_action: bool = False
    link: str = ""  # a page of the portal, by URL name


def notifications_for(*, person: Person) -> list[Notification]:
    since = timezone.now() - dt.timedelta(days=WINDOW_DAYS)
    found: list[Notification] = []
    for visit in Visit.objects.filter(
        order__person=person, status=Visit.Status.DELIVERED
    ).select_related("order__service"):
        reported = local(visit.delivered_at).date() if visit.delivered_at else visit.on
        found.append(
            Notification(
                on=reported,
                title="Please confirm a visit",
                text=(
                    f"{visit.order.service.name} says the visit on {format_date(visit.on)} "
                    f"happened. Confirm it, or tell us if something was wrong, by "
                    f"{format_date(reported + dt.timedelta(days=CONFIRM_DAYS))}."
                ),
                needs_action=True,
                link="portal:orders",
            )
        )
    orders = Order.objects.filter(person=person, created_at__gte=since).select_related("service")
    for order in orders:
        if order.status == Order.Status.DECLINED:
            found.append(
                Notification(
                    on=local(order.created_at).date(),
                    title="An order was declined",
                    text=(
                        f"{order.service.name} could not take order {order.reference}"
                        + (f": {order.decline_reason}" if order.decline_reason else ".")
                        + " The money held for it is back in the purse."
                    ),
                    link="portal:orders",
                )
            )
        elif order.warning:
            found.append(
                Notification(
                    on=local(order.created_at).date(),
                    title="Not enough money for every visit yet",
                    text=order.warning,
                    needs_action=True,
                    link="portal:orders",
                )
            )
    topups = Entry.objects.filter(
        account__person=person,
        side="C",
        transaction__kind=LedgerTransaction.Kind.TOPUP,
        transaction__created_at__gte=since,
    ).select_related("transaction")
    for entry in topups:
        found.append(
            Notification(
                on=local(entry.transaction.created_at).date(),
                title="Money was added to the purse",
                text=f"{format_pence(entry.amount_pence)}: {entry.transaction.memo}.",
            )
        )
    for notice in SurplusNotice.objects.filter(person=person, issued_on__gte=since.date()):
        found.append(
            Notification(
                on=notice.issued_on,
                title="Notice about money not spent",
                text=(
                    f"The council plans to take back {format_pence(notice.amount_pence)} on "
                    f"{format_date(notice.recover_on)}. You can ask it to think again before then."
                ),
                needs_action=notice.status == SurplusNotice.Status.ISSUED,
            )
        )
    for issued in StatementIssued.objects.filter(person=person, created_at__gte=since):
        found.append(
            Notification(
                on=local(issued.created_at).date(),
                title="A new statement is ready",
                text=(
                    f"Your statement for {format_date(issued.period_start)} to "
                    f"{format_date(issued.period_end)}."
                ),
                link="portal:statement",
            )
        )
    found.sort(key=lambda n: (not n.needs_action, -n.on.toordinal()))
    return found[:MOST]
