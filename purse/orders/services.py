"""Checkout, the provider's answer, delivery, confirmation, cancellation and the daily
upkeep of holds. Every refusal says why, in words the person can act on; money moves
only through purse.ledger.services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.permissions import PLANS_MANAGE, user_has_permission
from catalogue.council.models import ServiceApproval
from catalogue.models import PriceOption, Service
from catalogue.selectors import services_visible
from core.dates import format_date, format_time
from core.errors import DomainError, ValidationFailed
from core.money import format_pence
from core.services import SYSTEM, Origin, audit_record

from ..ledger.models import Account
from ..ledger.services import (
    NotEnoughMoney,
    hold_capture,
    hold_place,
    hold_void,
    payable_open,
    purse_open,
)
from ..models import Budget, Person, Representative, SupportPlan
from ..selectors import PersonNotFound, acting_basis, budget_active
from .models import Order, Visit

HORIZON_DAYS = 28  # weekly orders hold their visits this far ahead
HOLD_EXPIRY_DAYS = 14  # a visit nobody reports on is released this long after its day
# A delivery the person neither confirms nor disputes is taken as confirmed this long
# after the provider reported it, so the provider is not left unpaid.
CONFIRM_DAYS = 7
MAX_UNITS_CENTI = 2400  # 24 units a visit
LONDON = ZoneInfo("Europe/London")


class SpendingRefused(DomainError):
    code = "spending_refused"
    title = "This cannot be paid for from the budget"


def _units_centi(units: Any) -> int | None:
    """Hundredths of a unit from "1.5", 1.5 or 2; None unless positive, at most 24
    and a whole number of hundredths."""
    text = str(units).strip()
    if "e" in text.lower():  # no exponents: "1e9999" is not an amount of care
        return None
    try:
        value = Decimal(text)
        if not value.is_finite():
            return None
        centi = value * 100
        if centi != centi.to_integral_value() or not 0 < centi <= MAX_UNITS_CENTI:
            return None
    except (ArithmeticError, ValueError):  # InvalidOperation is an ArithmeticError
        return None
    return int(centi)


def visit_cost(*, unit_price_pence: int, units_centi: int) -> int:
    """The cost of some units, rounded to the nearest penny (half a penny up)."""
    return (unit_price_pence * units_centi + 50) // 100


def _budget(person: Person) -> Budget:
    budget = budget_active(person=person)
    if budget is None:
        raise SpendingRefused(
            "There is no active personal budget to pay from yet. Your care manager can "
            "tell you when it starts."
        )
    return budget


def _spending_refusals(*, service: Service, plan: SupportPlan) -> list[str]:
    """Why the person's rules do not let the budget pay for this service."""
    version = plan.rules_version
    category = service.category
    names = {category.code.casefold(), category.name.casefold()}
    refusals = [
        f"Personal budgets here cannot pay for {excluded.lower()}."
        for excluded in version.excluded_spending
        if excluded.casefold() in names
    ]
    if version.orders_within_plan:
        planned = {c.casefold() for c in plan.lines.values_list("category", flat=True)}
        if not names & planned:
            refusals.append(
                f"Your support plan does not include {category.name.lower()}. Ask your care "
                "manager if you would like it added."
            )
    return refusals


def _starts_at(on: dt.date, at: dt.time) -> dt.datetime:
    return dt.datetime.combine(on, at, tzinfo=LONDON)


def _visit_hold(*, order: Order, visit: Visit, actor: Any, origin: Origin) -> bool:
    """Hold the visit's cost; False (and the visit left unfunded) if the purse cannot
    cover it now."""
    try:
        visit.hold = hold_place(
            purse=purse_open(person=order.person),
            payable=payable_open(provider_id=order.provider_id),
            amount_pence=visit.amount_pence,
            memo=f"{order.reference}, {format_date(visit.on)}",
            actor=actor,
            origin=origin,
        )
    except NotEnoughMoney:
        visit.status = Visit.Status.UNFUNDED
        visit.save(update_fields=["status", "updated_at"])
        return False
    visit.status = Visit.Status.HELD
    visit.save(update_fields=["status", "hold", "updated_at"])
    return True


def _warning(order: Order, unfunded: list[Visit]) -> str:
    if not unfunded:
        return ""
    days = ", ".join(f"{format_date(v.on, year=False)}" for v in unfunded)
    short = sum(v.amount_pence for v in unfunded)
    return (
        f"Your purse does not yet cover the visits on {days}: {format_pence(short)} more is "
        "needed. They will be booked when the money is there."
    )


@dataclass(frozen=True)
class Quote:
    """What an order would be, checked as checkout checks it, before anything is held."""

    basis: str
    service: Service
    price: PriceOption
    unit_price_pence: int
    units_centi: int
    cost_pence: int  # of each visit
    days: list[dt.date]  # the visits held now (a weekly order: four weeks ahead)
    available_pence: int  # in the purse now

    @property
    def affordable_days(self) -> list[dt.date]:
        """The visits the money covers now, in order (the first must be)."""
        count = min(len(self.days), self.available_pence // self.cost_pence)
        return self.days[:count]

    @property
    def held_pence(self) -> int:
        return self.cost_pence * len(self.affordable_days)

    @property
    def left_pence(self) -> int:
        return self.available_pence - self.held_pence


def order_quote(
    *,
    person: Person,
    service_id: Any,
    price_option_id: Any,
    units: Any,
    starts_on: dt.date,
    at: dt.time,
    frequency: str,
    by: Any,
) -> Quote:
    """Check an order as checkout would (who may order, the date, time and amount, the
    council's approval, the spending rules, the money for the first visit) and say
    what it would cost and leave, without holding anything."""
    basis = acting_basis(user=by, person=person, scope=Representative.Scope.ORDER)
    if basis is None:
        raise PersonNotFound()
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    units_centi = _units_centi(units)
    if units_centi is None:
        errors["units"] = ["Enter how much: more than 0 and at most 24, like 1 or 1.5"]
    if frequency not in Order.Frequency.values:
        errors["frequency"] = ["Choose once or every week"]
    if not isinstance(starts_on, dt.date) or starts_on < today:
        errors["starts_on"] = ["Choose a day from today on"]
    elif starts_on > today + dt.timedelta(days=366):
        errors["starts_on"] = ["Choose a day within the next year"]
    service = (
        services_visible().filter(pk=service_id).select_related("category", "provider").first()
    )
    if service is None:
        errors["service"] = [
            "This service is not one your council has approved, so the budget cannot pay for it"
        ]
    price = (
        PriceOption.objects.filter(pk=price_option_id, service=service).first()
        if service is not None
        else None
    )
    if service is not None and price is None:
        errors["price_option"] = ["Choose one of this service's prices"]
    if errors or service is None or price is None or units_centi is None:
        raise ValidationFailed("The order was not placed.", field_errors=errors)
    budget = _budget(person)
    if refusals := _spending_refusals(service=service, plan=budget.plan):
        raise SpendingRefused(" ".join(refusals))
    if not isinstance(at, dt.time):
        raise ValidationFailed(
            "The order was not placed.", field_errors={"at": ["Choose a time of day"]}
        )
    if _starts_at(starts_on, at) <= timezone.now():
        raise ValidationFailed(
            "The order was not placed.", field_errors={"at": ["Choose a time later than now"]}
        )
    unit_price = _agreed_price(service) or price.amount_pence
    cost = visit_cost(unit_price_pence=unit_price, units_centi=units_centi)
    days = [starts_on]
    if frequency == Order.Frequency.WEEKLY:
        horizon = today + dt.timedelta(days=HORIZON_DAYS)
        while days[-1] + dt.timedelta(weeks=1) <= horizon:
            days.append(days[-1] + dt.timedelta(weeks=1))
    purse = Account.objects.filter(person=person).first()
    available = purse.available_pence if purse is not None else 0
    if cost > available:
        raise NotEnoughMoney(
            f"There is not enough money in the purse: {format_pence(available)} is available "
            f"and this needs {format_pence(cost)}."
        )
    return Quote(
        basis=basis,
        service=service,
        price=price,
        unit_price_pence=unit_price,
        units_centi=units_centi,
        cost_pence=cost,
        days=days,
        available_pence=available,
    )


def order_place(
    *,
    person: Person,
    service_id: Any,
    price_option_id: Any,
    units: Any,
    starts_on: dt.date,
    at: dt.time,
    frequency: str,
    by: Any,
    origin: Origin = SYSTEM,
) -> Order:
    """Check out: the person (or someone who may order for them) orders a service.
    The first visit's cost must be available; a weekly order also holds its visits for
    the next four weeks, as far as the money goes, and warns about the rest."""
    quote = order_quote(
        person=person,
        service_id=service_id,
        price_option_id=price_option_id,
        units=units,
        starts_on=starts_on,
        at=at,
        frequency=frequency,
        by=by,
    )
    service, price, days, cost = quote.service, quote.price, quote.days, quote.cost_pence
    basis, unit_price, units_centi = quote.basis, quote.unit_price_pence, quote.units_centi

    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        order = Order.objects.create(
            person=person,
            service=service,
            provider=service.provider,
            unit_price_pence=unit_price,
            unit=price.unit,
            units_centi=units_centi,
            frequency=frequency,
            starts_on=starts_on,
            at=at,
            placed_by=by,
            placed_as=basis,
        )
        visits = Visit.objects.bulk_create(
            Visit(order=order, on=day, amount_pence=cost, status=Visit.Status.UNFUNDED)
            for day in days
        )
        # The first visit must be covered: otherwise nothing is ordered.
        first = hold_place(
            purse=purse_open(person=person),
            payable=payable_open(provider_id=service.provider_id),
            amount_pence=cost,
            memo=f"{order.reference}, {format_date(starts_on)}",
            actor=by,
            origin=origin,
        )
        visits[0].hold = first
        visits[0].status = Visit.Status.HELD
        visits[0].save(update_fields=["hold", "status", "updated_at"])
        unfunded = [
            v for v in visits[1:] if not _visit_hold(order=order, visit=v, actor=by, origin=origin)
        ]
        order.warning = _warning(order, unfunded)
        order.save(update_fields=["warning"])
        audit_record(
            action="order.placed",
            actor=by,
            obj=order,
            origin=origin,
            acting_for_id=person.public_id,
            acting_for_label=str(person),
            detail={
                "reference": order.reference,
                "service": str(service.pk),
                "visits": len(visits),
                "held_pence": cost * (len(visits) - len(unfunded)),
                "hold": str(first.public_id),
                "as": basis,
            },
        )
    return order


def _agreed_price(service: Service) -> int | None:
    """The price the council agreed with the provider for this service, if any."""
    approval = ServiceApproval.objects.filter(service=service).first()
    return approval.agreed_price_pence if approval else None


# --- The provider's answer -------------------------------------------------------

# Locks are always taken in one order: the order's row, then its visits' rows, then the
# ledger's accounts (purse.ledger.services, in primary-key order). No two of these
# services can then wait for each other in a circle.


def _visit_locked(visit: Visit) -> Visit:
    """The visit, fresh, with its order's row and then its own row locked."""
    order_id = Visit.objects.filter(pk=visit.pk).values_list("order_id", flat=True).get()
    Order.objects.select_for_update().filter(pk=order_id).first()
    return (
        Visit.objects.select_for_update(of=("self",))
        .select_related("order__person", "order__service")
        .get(pk=visit.pk)
    )


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


def order_accept(*, order: Order, by: Any, origin: Origin = SYSTEM) -> Order:
    with transaction.atomic():
        order = _locked(order)
        if order.status != Order.Status.PLACED:
            raise DomainError(
                f"This order is {order.get_status_display().lower()}: it cannot be accepted"
            )
        order.status = Order.Status.ACCEPTED
        order.save(update_fields=["status"])
        audit_record(action="order.accepted", actor=by, obj=order, origin=origin)
    return order


def order_decline(*, order: Order, reason: str, by: Any, origin: Origin = SYSTEM) -> Order:
    """The provider cannot take the order: every held visit's money goes back."""
    if not reason.strip():
        raise ValidationFailed(
            "Say why the order is declined.",
            field_errors={"reason": ["Say why, so the person can find another service"]},
        )
    with transaction.atomic():
        order = _locked(order)
        if order.status != Order.Status.PLACED:
            raise DomainError(
                f"This order is {order.get_status_display().lower()}: it cannot be declined"
            )
        _release_open_visits(order, by=by, origin=origin, status=Visit.Status.RELEASED)
        order.status = Order.Status.DECLINED
        order.decline_reason = reason.strip()
        order.save(update_fields=["status", "decline_reason"])
        audit_record(
            action="order.declined", actor=by, obj=order, origin=origin, detail={"reason": reason}
        )
    return order


def _release_open_visits(order: Order, *, by: Any, origin: Origin, status: str) -> int:
    released = 0
    for visit in order.visits.select_for_update().filter(
        status__in=[Visit.Status.HELD, Visit.Status.UNFUNDED]
    ):
        if visit.hold is not None:
            hold_void(hold=visit.hold, actor=by, origin=origin, memo=f"{order.reference}: {status}")
            released += visit.amount_pence
        visit.status = status
        visit.save(update_fields=["status", "updated_at"])
    return released


# --- Delivery and payment --------------------------------------------------------


def _units_given(units: Any, *, failed: str, ask: str) -> int:
    """Units as hundredths; 0 (nothing delivered: the money goes back) is allowed."""
    units_centi = 0 if str(units).strip() in ("0", "0.0", "0.00") else _units_centi(units)
    if units_centi is None:
        raise ValidationFailed(failed, field_errors={"units": [f"{ask}, from 0 to 24, like 1.5"]})
    return units_centi


def _cost_within_hold(visit: Visit, units_centi: int, *, failed: str, beyond: str) -> int:
    """What `units_centi` of the visit's order cost, refused if more than was held."""
    amount = visit_cost(unit_price_pence=visit.order.unit_price_pence, units_centi=units_centi)
    if amount > visit.amount_pence:
        raise ValidationFailed(
            failed,
            field_errors={
                "units": [
                    f"That costs {format_pence(amount)}, more than the "
                    f"{format_pence(visit.amount_pence)} {beyond}"
                ]
            },
        )
    return amount


def visit_deliver(*, visit: Visit, units: Any, by: Any, origin: Origin = SYSTEM) -> Visit:
    """The provider reports what was delivered. Paid now, or once the person confirms
    where the council asks for that; never more than was held."""
    failed = "The delivery was not recorded."
    units_centi = _units_given(units, failed=failed, ask="Enter how much was delivered")
    with transaction.atomic():
        visit = _visit_locked(visit)
        order = visit.order
        # A stopped order's visits inside the notice period stay booked: the provider
        # may still come, and is paid for what it reports.
        kept = order.status == Order.Status.CANCELLED and visit.status == Visit.Status.HELD
        if order.status != Order.Status.ACCEPTED and not kept:
            raise DomainError("Accept the order before reporting a visit")
        if visit.status != Visit.Status.HELD:
            raise DomainError(f"This visit is {visit.get_status_display().lower()}")
        if visit.on > timezone.localdate():
            raise DomainError("A visit can be reported only on or after its day")
        amount = _cost_within_hold(
            visit, units_centi, failed=failed, beyond="booked: the person must order more"
        )
        visit.delivered_units_centi = units_centi
        confirm = _budget_rules_confirm(order)
        if confirm and units_centi:
            visit.status = Visit.Status.DELIVERED
            visit.delivered_at = timezone.now()
            visit.save(
                update_fields=["delivered_units_centi", "delivered_at", "status", "updated_at"]
            )
        else:
            _pay(visit, amount, by=by, origin=origin)
        audit_record(
            action="visit.delivered",
            actor=by,
            obj=order,
            origin=origin,
            detail={"visit": visit.pk, "units_centi": units_centi, "amount_pence": amount},
        )
    return visit


def _budget_rules_confirm(order: Order) -> bool:
    budget = (
        Budget.objects.filter(person=order.person_id)
        .select_related("plan__rules_version")
        .order_by("-starts_on")
        .first()
    )
    return bool(budget and budget.plan.rules_version.person_confirms_delivery)


def _pay(visit: Visit, amount: int, *, by: Any, origin: Origin) -> None:
    if visit.hold is None:
        raise DomainError("This visit has no money held to pay from")
    hold_capture(hold=visit.hold, amount_pence=amount, actor=by, origin=origin)
    visit.status = Visit.Status.PAID if amount else Visit.Status.RELEASED
    visit.save(update_fields=["delivered_units_centi", "status", "updated_at"])


def visit_confirm(*, visit: Visit, by: Any, origin: Origin = SYSTEM) -> Visit:
    """The person (or someone who may order for them) confirms a delivery: paid now."""
    with transaction.atomic():
        visit = _visit_locked(visit)
        order = visit.order
        if acting_basis(user=by, person=order.person, scope=Representative.Scope.ORDER) is None:
            raise PersonNotFound()
        if visit.status != Visit.Status.DELIVERED or visit.delivered_units_centi is None:
            raise DomainError(f"This visit is {visit.get_status_display().lower()}")
        amount = visit_cost(
            unit_price_pence=order.unit_price_pence, units_centi=visit.delivered_units_centi
        )
        _pay(visit, amount, by=by, origin=origin)
        audit_record(
            action="visit.confirmed",
            actor=by,
            obj=order,
            origin=origin,
            acting_for_id=order.person.public_id,
            detail={"visit": visit.pk, "amount_pence": amount},
        )
    return visit


def visit_dispute(*, visit: Visit, reason: str, by: Any, origin: Origin = SYSTEM) -> Visit:
    """The person (or someone who may order for them) says a reported delivery is
    wrong: the money stays held until a care manager decides."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "The dispute was not recorded.",
            field_errors={"reason": ["Say what was wrong with the visit"]},
        )
    with transaction.atomic():
        visit = _visit_locked(visit)
        order = visit.order
        if acting_basis(user=by, person=order.person, scope=Representative.Scope.ORDER) is None:
            raise PersonNotFound()
        if visit.status != Visit.Status.DELIVERED:
            raise DomainError(f"This visit is {visit.get_status_display().lower()}")
        visit.status = Visit.Status.DISPUTED
        visit.dispute = reason[:2000]
        visit.save(update_fields=["status", "dispute", "updated_at"])
        audit_record(
            action="visit.disputed",
            actor=by,
            obj=order,
            origin=origin,
            acting_for_id=order.person.public_id,
            detail={"visit": visit.pk},
        )
    return visit


def visit_dispute_settle(*, visit: Visit, units: Any, by: Any, origin: Origin = SYSTEM) -> Visit:
    """A care manager settles a disputed visit: the provider is paid for `units` (at
    most what was held; 0 gives all the money back to the purse)."""
    if not user_has_permission(by, PLANS_MANAGE):
        raise DomainError("Only a care manager can settle a disputed visit.")
    failed = "The dispute was not settled."
    units_centi = _units_given(units, failed=failed, ask="Enter how much to pay for")
    with transaction.atomic():
        visit = _visit_locked(visit)
        order = visit.order
        if visit.status != Visit.Status.DISPUTED:
            raise DomainError(f"This visit is {visit.get_status_display().lower()}")
        amount = _cost_within_hold(visit, units_centi, failed=failed, beyond="held for the visit")
        visit.delivered_units_centi = units_centi
        _pay(visit, amount, by=by, origin=origin)
        audit_record(
            action="visit.dispute_settled",
            actor=by,
            obj=order,
            origin=origin,
            acting_for_id=order.person.public_id,
            detail={"visit": visit.pk, "units_centi": units_centi, "amount_pence": amount},
        )
    return visit


def visit_cancel(*, visit: Visit, by: Any, origin: Origin = SYSTEM) -> Visit:
    """Cancel one visit, with the service's notice: its money goes back to the purse."""
    with transaction.atomic():
        visit = _visit_locked(visit)
        order = visit.order
        if acting_basis(user=by, person=order.person, scope=Representative.Scope.ORDER) is None:
            raise PersonNotFound()
        if visit.status not in (Visit.Status.HELD, Visit.Status.UNFUNDED):
            raise DomainError(f"This visit is {visit.get_status_display().lower()}")
        notice = order.service.cancellation_notice_hours
        starts = _starts_at(visit.on, order.at)
        if starts - timezone.now() < dt.timedelta(hours=notice):
            raise DomainError(
                f"This visit starts at {format_time(starts)} on {format_date(starts, year=False)}; "
                f"{order.service.name} needs "
                f"{notice} hours' notice to cancel. Please call the provider."
            )
        if visit.hold is not None:
            hold_void(
                hold=visit.hold, actor=by, origin=origin, memo=f"{order.reference}: cancelled"
            )
        visit.status = Visit.Status.CANCELLED
        visit.save(update_fields=["status", "updated_at"])
        audit_record(
            action="visit.cancelled",
            actor=by,
            obj=order,
            origin=origin,
            acting_for_id=order.person.public_id,
            detail={"visit": visit.pk, "released_pence": visit.amount_pence if visit.hold else 0},
        )
    return visit


def order_cancel(*, order: Order, by: Any, origin: Origin = SYSTEM) -> Order:
    """Stop an order: every visit not yet delivered and not within the service's notice
    is cancelled and its money goes back; visits within the notice stay booked (the
    provider may still come). A weekly order books nothing more."""
    with transaction.atomic():
        order = (
            Order.objects.select_for_update().select_related("person", "service").get(pk=order.pk)
        )
        if acting_basis(user=by, person=order.person, scope=Representative.Scope.ORDER) is None:
            raise PersonNotFound()
        if order.status not in (Order.Status.PLACED, Order.Status.ACCEPTED):
            raise DomainError(f"This order is {order.get_status_display().lower()} already")
        notice = dt.timedelta(hours=order.service.cancellation_notice_hours)
        # Only a provider that accepted has set time aside, and only a visit with money
        # held can be paid: nothing else is kept for the notice period.
        accepted = order.status == Order.Status.ACCEPTED
        kept = []
        released = 0
        for visit in order.visits.select_for_update().filter(
            status__in=[Visit.Status.HELD, Visit.Status.UNFUNDED]
        ):
            within_notice = _starts_at(visit.on, order.at) - timezone.now() < notice
            if accepted and visit.status == Visit.Status.HELD and within_notice:
                kept.append(visit.on)
                continue
            if visit.hold is not None:
                hold_void(
                    hold=visit.hold, actor=by, origin=origin, memo=f"{order.reference}: cancelled"
                )
                released += visit.amount_pence
            visit.status = Visit.Status.CANCELLED
            visit.save(update_fields=["status", "updated_at"])
        order.status = Order.Status.CANCELLED
        order.warning = ""
        order.save(update_fields=["status", "warning"])
        audit_record(
            action="order.cancelled",
            actor=by,
            obj=order,
            origin=origin,
            acting_for_id=order.person.public_id,
            detail={"released_pence": released, "kept": [d.isoformat() for d in kept]},
        )
    return order


# --- Daily upkeep ---------------------------------------------------------------


def holds_expire(*, today: dt.date | None = None) -> int:
    """Release the money of visits nobody reported on within HOLD_EXPIRY_DAYS."""
    today = today or timezone.localdate()
    cutoff = today - dt.timedelta(days=HOLD_EXPIRY_DAYS)
    expired = 0
    for visit_id in Visit.objects.filter(status=Visit.Status.HELD, on__lt=cutoff).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            visit = _visit_locked(Visit(pk=visit_id))
            if visit.status != Visit.Status.HELD or visit.hold is None:
                continue
            hold_void(hold=visit.hold, expired=True, memo="Nobody reported on this visit")
            visit.status = Visit.Status.RELEASED
            visit.save(update_fields=["status", "updated_at"])
            expired += 1
    return expired


def deliveries_confirm_due(*, now: dt.datetime | None = None) -> int:
    """Take as confirmed the deliveries nobody confirmed or disputed within
    CONFIRM_DAYS of the provider's report, and pay for them."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=CONFIRM_DAYS)
    confirmed = 0
    reported_before = Q(delivered_at__lt=cutoff) | Q(
        delivered_at__isnull=True,
        updated_at__lt=cutoff,  # reported before it was recorded
    )
    for visit_id in (
        Visit.objects.filter(status=Visit.Status.DELIVERED)
        .filter(reported_before)
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            visit = _visit_locked(Visit(pk=visit_id))
            if visit.status != Visit.Status.DELIVERED or visit.delivered_units_centi is None:
                continue
            order = visit.order
            amount = visit_cost(
                unit_price_pence=order.unit_price_pence, units_centi=visit.delivered_units_centi
            )
            _pay(visit, amount, by=None, origin=SYSTEM)
            audit_record(
                action="visit.deemed_confirmed",
                actor_label=f"nobody disputed it within {CONFIRM_DAYS} days",
                obj=order,
                acting_for_id=order.person.public_id,
                detail={"visit": visit.pk, "amount_pence": amount},
            )
            confirmed += 1
    return confirmed


def weekly_orders_extend(*, today: dt.date | None = None) -> int:
    """Keep each weekly order's visits booked four weeks ahead, as far as the money
    goes, and keep its warning true. Returns how many visits were newly held."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=HORIZON_DAYS)
    held = 0
    for order_id in Order.objects.filter(
        frequency=Order.Frequency.WEEKLY, status__in=[Order.Status.PLACED, Order.Status.ACCEPTED]
    ).values_list("pk", flat=True):
        with transaction.atomic():
            order = Order.objects.select_for_update().select_related("person").get(pk=order_id)
            last = order.visits.order_by("-on").first()
            day = (last.on if last else order.starts_on - dt.timedelta(weeks=1)) + dt.timedelta(
                weeks=1
            )
            # After a gap (the task did not run), nothing is booked on days gone by.
            if day < today:
                day += dt.timedelta(weeks=-(-(today - day).days // 7))
            cost = visit_cost(
                unit_price_pence=order.unit_price_pence, units_centi=order.units_centi
            )
            # Nothing is booked beyond the day the person's budget ends.
            budget = budget_active(person=order.person)
            if budget is None:
                until = today - dt.timedelta(days=1)  # no budget: book nothing new
            else:
                until = min(horizon, budget.ends_on or horizon)
            while day <= until:
                Visit.objects.create(
                    order=order, on=day, amount_pence=cost, status=Visit.Status.UNFUNDED
                )
                day += dt.timedelta(weeks=1)
            unfunded = []
            # Locked, and read after the order's lock: a visit cancelled meanwhile stays so.
            for visit in order.visits.select_for_update().filter(
                status=Visit.Status.UNFUNDED, on__gte=today, on__lte=until
            ):
                if _visit_hold(order=order, visit=visit, actor=None, origin=SYSTEM):
                    held += 1
                else:
                    unfunded.append(visit)
            warning = _warning(order, unfunded)
            if warning != order.warning:
                order.warning = warning
                order.save(update_fields=["warning"])
    return held
