"""The market, feedback and outcomes reports and the published performance figures
(reads only, each summed in the database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Avg, Case, Count, F, Q, Value, When
from django.utils import timezone

from catalogue.council.models import Approval, ProviderApproval
from catalogue.council.models import Review as ServiceReview
from catalogue.models import CqcLocation
from catalogue.selectors import providers_visible, services_visible
from core.money import format_pence
from purse.models import Review as CareReview
from purse.orders.models import Order, Visit

from .period import Period, month_add, this_month
from .selectors import budget_holders_by_month, plain_plans, spend_total

FEWER_THAN = 5  # published counts below this are shown as "fewer than 5"
NOT_REGISTERED = "Not registered with the CQC"
NOT_RATED = "Registered, not yet rated"
RATINGS = [*CqcLocation.Rating.values, NOT_RATED, NOT_REGISTERED]


@dataclass(frozen=True)
class Tally:
    label: str
    count: int


@dataclass(frozen=True)
class Entrant:
    name: str
    approved_at: dt.datetime


@dataclass(frozen=True)
class Market:
    providers: int
    services: int
    entrants: list[Entrant]
    by_category: list[Tally]
    ratings: list[Tally]  # approved services by their location's CQC overall rating


def market(*, period: Period) -> Market:
    """The providers and services this council approves (as residents see them), the
    providers first approved in the period, and the CQC rating mix of the services."""
    services = services_visible()
    rating = Case(
        When(location__cqc__isnull=True, then=Value(NOT_REGISTERED)),
        When(location__cqc__overall="", then=Value(NOT_RATED)),
        default="location__cqc__overall",
    )
    mix = dict(
        services.annotate(rating=rating).values_list("rating").annotate(n=Count("id")).order_by()
    )
    by_category = [
        Tally(name, n)
        for name, n in services.values_list("category__name")
        .annotate(n=Count("id"))
        .order_by("-n", "category__name")
    ]
    entrants = [
        Entrant(a.provider.trading_name or a.provider.legal_name, a.decided_at)
        for a in ProviderApproval.objects.filter(
            status=Approval.APPROVED,
            decided_at__gte=period.begins,
            decided_at__lt=period.ends,
            provider__in=providers_visible(),
        )
        .select_related("provider")
        .order_by("decided_at")
    ]
    return Market(
        providers=providers_visible().count(),
        services=sum(mix.values()),
        entrants=entrants,
        by_category=by_category,
        ratings=[Tally(r, mix.get(r, 0)) for r in RATINGS],
    )


@dataclass(frozen=True)
class Rated:
    label: str
    count: int
    average: float | None


@dataclass(frozen=True)
class Feedback:
    count: int
    average: float | None
    by_category: list[Rated]
    by_stars: list[Tally]  # 5 stars first


def _average(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def feedback(*, period: Period) -> Feedback:
    """Published reviews written in the period: how many, the average rating (1 to 5),
    by category and by number of stars."""
    published = ServiceReview.objects.filter(
        status=ServiceReview.Status.PUBLISHED,
        created_at__gte=period.begins,
        created_at__lt=period.ends,
    )
    overall = published.aggregate(count=Count("id"), average=Avg("rating"))
    by_category = [
        Rated(name, n, _average(avg))
        for name, n, avg in published.values_list("service__category__name")
        .annotate(n=Count("id"), avg=Avg("rating"))
        .order_by("-n", "service__category__name")
        .values_list("service__category__name", "n", "avg")
    ]
    stars = dict(published.values_list("rating").annotate(n=Count("id")).order_by())
    return Feedback(
        count=overall["count"],
        average=_average(overall["average"]),
        by_category=by_category,
        by_stars=[
            Tally(f"{s} star{'s' if s > 1 else ''}", stars.get(s, 0)) for s in (5, 4, 3, 2, 1)
        ],
    )


@dataclass(frozen=True)
class Deliveries:
    """Visits (by their day) whose provider reported what was delivered."""

    reported: int = 0
    confirmed: int = 0  # paid with no dispute (confirmed, or taken as confirmed)
    not_delivered: int = 0  # the provider reported nothing delivered
    waiting: int = 0  # within the week the person has to confirm
    disputed: int = 0  # disputed, the council still to decide
    settled: int = 0  # disputed, then decided by the council

    @property
    def decided(self) -> int:
        return self.confirmed + self.disputed + self.settled

    @property
    def confirmed_share(self) -> float | None:
        """Of the deliveries confirmed or disputed, the share confirmed (0 to 1)."""
        return self.confirmed / self.decided if self.decided else None


@dataclass(frozen=True)
class Reviews:
    """Care Act reviews due in the period."""

    due: int = 0
    completed: int = 0
    on_time: int = 0
    overdue: int = 0  # due and still not done today


@dataclass(frozen=True)
class Outcomes:
    deliveries: Deliveries
    reviews: Reviews
    orders: list[Tally] = field(default_factory=list)  # placed in the period, by status


def deliveries(*, period: Period) -> Deliveries:
    status = Visit.Status
    disputed_once = ~Q(dispute="")
    with plain_plans():
        counts = Visit.objects.filter(
            on__gte=period.first,
            on__lt=month_add(period.last, 1),
            delivered_units_centi__isnull=False,
        ).aggregate(
            reported=Count("id"),
            confirmed=Count("id", filter=Q(status=status.PAID, dispute="")),
            not_delivered=Count("id", filter=Q(status=status.RELEASED, dispute="")),
            waiting=Count("id", filter=Q(status=status.DELIVERED)),
            disputed=Count("id", filter=Q(status=status.DISPUTED)),
            settled=Count(
                "id", filter=disputed_once & Q(status__in=[status.PAID, status.RELEASED])
            ),
        )
    return Deliveries(**counts)


def outcomes(*, period: Period, today: dt.date | None = None) -> Outcomes:
    """What happened to the visits, the Care Act reviews and the orders of the period."""
    today = today or timezone.localdate()
    due = CareReview.objects.filter(due_on__gte=period.first, due_on__lt=month_add(period.last, 1))
    reviews = due.aggregate(
        due=Count("id"),
        completed=Count("id", filter=Q(completed_on__isnull=False)),
        on_time=Count("id", filter=Q(completed_on__lte=F("due_on"))),
        overdue=Count("id", filter=Q(completed_on__isnull=True, due_on__lt=today)),
    )
    labels = dict(Order.Status.choices)
    placed = dict(
        Order.objects.filter(created_at__gte=period.begins, created_at__lt=period.ends)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Outcomes(
        deliveries=deliveries(period=period),
        reviews=Reviews(**reviews),
        orders=[Tally(labels[s], placed.get(s, 0)) for s in Order.Status.values],
    )


# --- The published performance figures ------------------------------------------


@dataclass(frozen=True)
class Published:
    """A figure for everyone to read: None when it rests on fewer than 5 people or
    events, so nobody can be picked out."""

    label: str
    value: str | None
    basis: int  # the count it rests on (never published itself when small)

    @property
    def suppressed(self) -> bool:
        return self.value is None


def _published(label: str, basis: int, value: str) -> Published:
    return Published(label, value if basis >= FEWER_THAN else None, basis)


@dataclass(frozen=True)
class Performance:
    month: dt.date
    figures: list[Published]


def performance(*, today: dt.date | None = None) -> Performance:
    """The last whole month's figures: budget holders, orders, spending, deliveries
    confirmed and satisfaction."""
    month = month_add(this_month(today), -1)
    period = Period(month, month)
    [holders] = budget_holders_by_month(period=period)
    orders = Order.objects.filter(created_at__gte=period.begins, created_at__lt=period.ends).count()
    spent, _ = spend_total(period=period)
    done = deliveries(period=period)
    rated = ServiceReview.objects.filter(
        status=ServiceReview.Status.PUBLISHED,
        created_at__gte=period.begins,
        created_at__lt=period.ends,
    ).aggregate(count=Count("id"), average=Avg("rating"))
    share = done.confirmed_share
    average = _average(rated["average"])
    return Performance(
        month=month,
        figures=[
            _published(
                "Budget holders using the service", holders.with_budget, f"{holders.with_budget:,}"
            ),
            _published("Orders placed", orders, f"{orders:,}"),
            # Money is published only when enough people paid it that no one's spending shows.
            _published("Spent through the service", holders.spending, format_pence(spent)),
            _published(
                "Deliveries confirmed by the person (of those confirmed or disputed)",
                done.decided,
                f"{round(100 * share)}%" if share is not None else "",
            ),
            _published(
                "User satisfaction (average rating of services, out of 5)",
                rated["count"],
                f"{average:.1f} out of 5" if average is not None else "",
            ),
        ],
    )
