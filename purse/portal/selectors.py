"""Reads for the portal's pages: a person's orders and visits, and the sentences the
home page says about the money."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from catalogue.council.models import Review
from catalogue.models import Service, TaxonomyTerm
from catalogue.taxonomy import CARE_TAXONOMY
from core.dates import format_date
from core.money import format_pence

from ..models import Person
from ..orders.models import Order, Visit
from .acting import Acting
from .summary import PurseSummary

OPEN_VISITS = (Visit.Status.HELD, Visit.Status.UNFUNDED)
PAST_SHOWN = 20


def money_sentence(*, summary: PurseSummary, acting: Acting) -> str:
    """ "You have £312 to spend until 14 December" (or "Margaret has ...")."""
    who = "You have" if acting.basis == "self" else f"{acting.person.given_name} has"
    amount = format_pence(summary.available_pence)
    if not summary.has_budget:
        return f"{who} {amount} in the purse. There is no budget paying into it now."
    if summary.next_topup_on is None:
        return f"{who} {amount} to spend. No more money is due to be added."
    until = format_date(summary.next_topup_on - dt.timedelta(days=1), year=False)
    return f"{who} {amount} to spend until {until}."


def picture_description(*, summary: PurseSummary) -> str:
    return (
        f"{format_pence(summary.available_pence)} to spend, "
        f"{format_pence(summary.held_pence)} held for booked care, and "
        f"{format_pence(summary.spent_pence)} spent since the last top-up."
    )


def home_points(*, summary: PurseSummary) -> list[tuple[str, str]]:
    """The money in short sentences, each with the name of its easy-read picture."""
    points = [
        ("money", f"To spend now: {format_pence(summary.available_pence)}."),
        ("held", f"Held for booked care: {format_pence(summary.held_pence)}."),
        ("spent", f"Spent since the last top-up: {format_pence(summary.spent_pence)}."),
    ]
    if summary.next_topup_on is not None and summary.next_topup_pence is not None:
        points.append(
            (
                "calendar",
                f"Next top-up: {format_pence(summary.next_topup_pence)} on "
                f"{format_date(summary.next_topup_on, weekday=True, year=False)}.",
            )
        )
    return points


def visits_upcoming(*, person: Person) -> QuerySet[Visit]:
    return (
        Visit.objects.filter(
            order__person=person, status__in=OPEN_VISITS, on__gte=timezone.localdate()
        )
        .select_related("order__service")
        .order_by("on", "order__at", "pk")
    )


def visit_for(*, person: Person, visit_id: Any) -> Visit | None:
    return (
        Visit.objects.filter(order__person=person, pk=visit_id)
        .select_related("order__service", "order__person")
        .first()
    )


def categories() -> list[tuple[str, str]]:
    """The kinds of service people can search for, as (code, name), by name."""
    return list(
        TaxonomyTerm.objects.filter(taxonomy__code=CARE_TAXONOMY)
        .order_by("name")
        .values_list("code", "name")
    )


def order_for(*, person: Person, reference: str) -> Order | None:
    """The person's order with this reference (ORD-000123), or None."""
    number = reference.removeprefix("ORD-")
    order = (
        Order.objects.filter(person=person, pk=int(number)).select_related("service").first()
        if number.isdigit()
        else None
    )
    return order


@dataclass(frozen=True)
class OrdersGrouped:
    upcoming: list[Visit]
    to_confirm: list[Visit]
    past: list[Visit]
    cancelled: list[Visit]
    orders_open: list[Order]


def orders_grouped(*, person: Person) -> OrdersGrouped:
    """Visits by what the person may do about them: upcoming (cancel), delivered and
    waiting for them (confirm or dispute), past, and cancelled; and the orders still
    running (stop)."""
    visits = list(
        Visit.objects.filter(order__person=person)
        .select_related("order__service")
        .order_by("on", "order__at", "pk")
    )
    today = timezone.localdate()
    past_states = (Visit.Status.PAID, Visit.Status.DISPUTED, Visit.Status.RELEASED)
    return OrdersGrouped(
        upcoming=[v for v in visits if v.status in OPEN_VISITS and v.on >= today],
        to_confirm=[v for v in visits if v.status == Visit.Status.DELIVERED],
        past=[v for v in reversed(visits) if v.status in past_states][:PAST_SHOWN],
        cancelled=[v for v in reversed(visits) if v.status == Visit.Status.CANCELLED][:PAST_SHOWN],
        orders_open=list(
            Order.objects.filter(
                person=person, status__in=[Order.Status.PLACED, Order.Status.ACCEPTED]
            )
            .select_related("service")
            .order_by("created_at")
        ),
    )


def reviews_published(*, service: Service) -> list[Review]:
    return list(
        Review.objects.filter(service=service, status=Review.Status.PUBLISHED).order_by(
            "-created_at"
        )[:10]
    )
