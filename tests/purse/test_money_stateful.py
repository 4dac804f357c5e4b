"""Random runs of the real money services keep the purse's books right.

Two people (one whose council asks them to confirm deliveries and whose orders must be
within their plan) and two providers; a clock that only moves forward. Rules: fund (a
one-off payment or the top-up run), order, accept, decline, deliver (with what was
really delivered: less, nothing, or more than was booked), confirm, cancel a visit or
a whole order, let time pass, expire holds, keep weekly orders booked, pay providers
out, issue surplus notices and recover the surplus. After every step: every ledger
transaction balances, debits equal credits, cached balances are what the entries add up
to, no purse is below nothing, a hold resolves at most once and a capture is never
more than its hold; each visit's status agrees with its hold; and the purses, the
providers' payables and the council's shared accounts hold what a model of the rules
says they should. Refusals must be the expected ones and move nothing.

Each example runs in a savepoint rolled back at its end, from the same people and
providers, at the same time of day."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.models import User
from catalogue.models import Service
from core.errors import DomainError, ValidationFailed
from epurse.db import use_public_schema
from purse.ledger.models import Account, Entry, LedgerTransaction
from purse.ledger.services import (
    AlreadyResolved,
    NotEnoughMoney,
    hold_capture,
    hold_void,
    purse_open,
    shared_account,
)
from purse.models import Budget, Person
from purse.orders.models import Order, Visit
from purse.orders.services import (
    HOLD_EXPIRY_DAYS,
    HORIZON_DAYS,
    SpendingRefused,
    holds_expire,
    order_accept,
    order_cancel,
    order_decline,
    order_place,
    visit_cancel,
    visit_confirm,
    visit_cost,
    visit_deliver,
    weekly_orders_extend,
)
from purse.payouts.services import payouts_make, payouts_send
from purse.services.funding import payment_one_off, topups_run
from purse.services.plans import plan_approve, plan_create
from purse.surplus import services as surplus
from purse.surplus.models import SurplusNotice
from tests.catalogue.api_support import approve
from tests.catalogue.factories import provider_with_place, service_made
from tests.conftest import TenantUsers
from tests.purse import plan_builders as b

from .ledger.conftest import assert_books_balance

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
START = dt.datetime(2026, 11, 23, 8, 30, tzinfo=LONDON)  # a Monday morning
ORDER_UNITS = ["0.5", "1", "1.25", "2", "3"]
DELIVERED_UNITS = ["0", "0.5", "1", "1.25", "2", "3", "4"]
TIMES = [dt.time(7), dt.time(9), dt.time(13, 30), dt.time(19)]
HELD = (Visit.Status.HELD, Visit.Status.DELIVERED)  # money still held for the visit
# An order's choices: who, from whom, how much, when, how often.
ORDERS: dict[str, st.SearchStrategy[Any]] = {
    "who": st.integers(0, 1),
    "seller": st.integers(0, 1),
    "units": st.sampled_from(ORDER_UNITS),
    "in_days": st.integers(0, 10),
    "at": st.sampled_from(TIMES),
    "weekly": st.booleans(),
    "accepted": st.booleans(),  # the provider accepts at once
}


class Clock:
    """What timezone.now() says while the machine runs: moved only forward, by rules."""

    def __init__(self) -> None:
        self.at = START

    def __call__(self) -> dt.datetime:
        return self.at.astimezone(dt.UTC)

    @property
    def today(self) -> dt.date:
        return self.at.date()

    def forward(self, delta: dt.timedelta) -> None:
        assert delta >= dt.timedelta(0)
        self.at = (self.at + delta).astimezone(LONDON)

    def to(self, when: dt.datetime) -> None:
        if when > self.at:
            self.at = when.astimezone(LONDON)


# --- The people and providers every example starts from ------------------------------


@dataclass(frozen=True)
class Seller:
    provider_id: uuid.UUID
    owner: User  # the provider's user, who answers orders and reports visits
    service_id: Any
    price_id: Any
    unit_price: int  # what orders are charged (the council's agreed price if any)
    notice_hours: int


@dataclass(frozen=True)
class Holder:
    person: Person
    budget: Budget
    purse_pk: int
    actor: User  # who orders, cancels and confirms for them
    confirms: bool  # the council asks the person to confirm each delivery
    may_buy: frozenset[int]  # the sellers their rules let the budget pay
    weekly_share: int  # what each week's top-up pays
    cycle_weeks: int
    threshold: int  # a surplus is money available above this
    notice_days: int  # a surplus notice's period


@dataclass(frozen=True)
class World:
    sellers: tuple[Seller, ...]
    holders: tuple[Holder, ...]
    finance: User


def _seller(tenant: TenantUsers, *, name: str, category: str, price: int, **terms: Any) -> Seller:
    use_public_schema()
    provider, owner, place = provider_with_place()
    service = service_made(
        provider, owner, location=place, name=name, category=category, prices=(price,)
    )
    Service.objects.filter(pk=service.pk).update(cancellation_notice_hours=terms["notice"])
    approve(tenant, provider, service, agreed=terms.get("agreed"))
    return Seller(
        provider_id=provider.pk,
        owner=owner,
        service_id=service.pk,
        price_id=service.prices.get().pk,
        unit_price=terms.get("agreed") or price,
        notice_hours=terms["notice"],
    )


def _holder(*, person: Person, actor: User, manager: User, weekly: int, **rules: Any) -> Holder:
    version = b.rules_version(**rules)
    plan = plan_create(
        assessment=b.assessment(person, version, manager, indicative=weekly),
        outcomes="Stay at home",
        management="council_managed",
        lines=[("home-care", "Mornings", weekly)],
        weekly_budget_pence=weekly,
        starts_on=START.date() - dt.timedelta(days=10),
        by=manager,
    )
    plan_approve(plan=plan, by=manager)
    budget = Budget.objects.select_related("plan").get(person=person, status="active")
    return Holder(
        person=person,
        budget=budget,
        purse_pk=purse_open(person=person).pk,
        actor=actor,
        confirms=version.person_confirms_delivery,
        # Only the first seller's home care is in the plan.
        may_buy=frozenset({0}) if version.orders_within_plan else frozenset({0, 1}),
        weekly_share=weekly - budget.plan.person_contribution_weekly_pence,
        cycle_weeks=version.topup_cycle_weeks,
        threshold=weekly * version.surplus_threshold_weeks,
        notice_days=version.surplus_notice_days,
    )


def _world(tenant: TenantUsers) -> World:
    sellers = (
        _seller(tenant, name="Help at home", category="home-care", price=1800, notice=24),
        _seller(
            tenant, name="Swimming", category="health-fitness", price=1500, agreed=1250, notice=48
        ),
    )
    with tenant_context(tenant.tenant):
        carol = b.staff("Carol Orders")
        ada = _holder(
            person=b.person(user=tenant.person),
            actor=tenant.person,  # type: ignore[arg-type]
            manager=carol,
            weekly=20000,
        )
        bo = _holder(
            person=b.person(given="Bo", family="Hale"),
            actor=carol,
            manager=carol,
            weekly=6000,
            person_confirms_delivery=True,
            orders_within_plan=True,
            surplus_threshold_weeks=4,
            surplus_notice_days=14,
        )
        finance = b.staff("Fay Finance", role="finance_officer")
    use_public_schema()
    return World(sellers=sellers, holders=(ada, bo), finance=finance)


# --- The machine's model ---------------------------------------------------------------


@dataclass
class OrderModel:
    pk: int
    holder: int
    seller: int
    at: dt.time
    weekly: bool
    cost: int
    created: dt.datetime
    status: str = Order.Status.PLACED
    visits: list[int] = field(default_factory=list)


@dataclass
class VisitModel:
    order: int
    on: dt.date
    amount: int
    status: str
    held: bool  # a hold was placed for it
    paid: int = 0  # what its capture paid


@dataclass
class NoticeModel:
    amount: int
    threshold: int
    recover_on: dt.date


def _starts(on: dt.date, at: dt.time) -> dt.datetime:
    return dt.datetime.combine(on, at, tzinfo=LONDON)


def _centi(units: str) -> int:
    return round(float(units) * 100)


class PurseMachine(RuleBasedStateMachine):
    world: World
    clock: Clock
    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        # Every example starts from the same people and providers, at the same time.
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.clock.at = START
        self.available = [0 for _ in self.world.holders]
        self.cycles_paid = [0 for _ in self.world.holders]
        self.notices: list[NoticeModel | None] = [None for _ in self.world.holders]
        self.owed = [0 for _ in self.world.sellers]  # posted in each provider's payable
        self.order_models: dict[int, OrderModel] = {}
        self.visit_models: dict[int, VisitModel] = {}
        self.shared_start = {k: self._shared(k) for k in ("funding", "paid_out", "recoveries")}
        self.funded = self.paid_out = self.recovered = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    # --- helpers ---

    @staticmethod
    def _shared(kind: str) -> int:
        account = shared_account(kind)
        return account.credits_posted - account.debits_posted

    @staticmethod
    def _moved() -> tuple[int, int, int]:
        return (
            LedgerTransaction.objects.count(),
            Order.objects.count(),
            Visit.objects.count(),
        )

    def _refused(self, error: type[Exception], call: Callable[[], object]) -> None:
        """`call` is refused with exactly `error`, and nothing is written."""
        before = self._moved()
        with pytest.raises(error) as caught:
            call()
        assert type(caught.value) is error, caught.value
        assert self._moved() == before

    def _hold(self, who: int, amount: int) -> bool:
        if amount > self.available[who]:
            return False
        self.available[who] -= amount
        return True

    def _visits(self, order: OrderModel, nth: int) -> tuple[int, VisitModel]:
        pk = order.visits[nth % len(order.visits)]
        return pk, self.visit_models[pk]

    def _give_back(self, visit: VisitModel, status: str) -> None:
        if visit.held:
            self.available[self.order_models[visit.order].holder] += visit.amount
        visit.status = status

    def _pay(self, visit: VisitModel, amount: int) -> None:
        order = self.order_models[visit.order]
        self.available[order.holder] += visit.amount - amount
        self.owed[order.seller] += amount
        visit.paid = amount
        visit.status = Visit.Status.PAID if amount else Visit.Status.RELEASED

    # --- fund ---

    @initialize(
        target=orders,
        ada=st.integers(10_000, 150_000),
        bo=st.integers(5_000, 40_000),
        first=st.fixed_dictionaries(ORDERS),
    )
    def begin(self, ada: int, bo: int, first: dict[str, Any]) -> Any:
        """Some money in each purse, and a first order."""
        for who, amount in enumerate((ada, bo)):
            self.fund(who, amount, topups=False)
        return self.order(**first)

    @rule(who=st.integers(0, 1), amount=st.integers(1, 120_000), topups=st.booleans())
    def fund(self, who: int, amount: int, topups: bool) -> None:
        """A one-off payment into one purse, or the top-up run (for every budget)."""
        if not topups:
            payment_one_off(
                budget=self.world.holders[who].budget,
                amount_pence=amount,
                reason="Equipment",
                by=self.world.finance,
            )
            self.available[who] += amount
            self.funded += amount
            return
        today = self.clock.today
        count = total = 0
        for who_, holder in enumerate(self.world.holders):
            first = holder.budget.first_topup_on
            cycle = holder.cycle_weeks * 7
            due = (today - first).days // cycle + 1 if today >= first else 0
            new = due - self.cycles_paid[who_]
            amount = new * holder.weekly_share * holder.cycle_weeks
            self.cycles_paid[who_] = due
            self.available[who_] += amount
            count += new
            total += amount
        run = topups_run(on=today)
        assert (run.topups, run.total_pence) == (count, total)
        self.funded += total

    # --- order, accept, decline ---

    @rule(target=orders, **ORDERS)  # type: ignore[call-overload]  # keys unknown to mypy
    def order(
        self,
        who: int,
        seller: int,
        units: str,
        in_days: int,
        at: dt.time,
        weekly: bool,
        accepted: bool,
    ) -> Any:
        holder, sold = self.world.holders[who], self.world.sellers[seller]
        today = self.clock.today
        starts_on = today + dt.timedelta(days=in_days)

        def place() -> Order:
            return order_place(
                person=holder.person,
                service_id=sold.service_id,
                price_option_id=sold.price_id,
                units=units,
                starts_on=starts_on,
                at=at,
                frequency="weekly" if weekly else "once",
                by=holder.actor,
            )

        cost = visit_cost(unit_price_pence=sold.unit_price, units_centi=_centi(units))
        if seller not in holder.may_buy:
            self._refused(SpendingRefused, place)
            return multiple()
        if _starts(starts_on, at) <= self.clock():
            self._refused(ValidationFailed, place)
            return multiple()
        if cost > self.available[who]:
            self._refused(NotEnoughMoney, place)
            return multiple()
        placed = place()
        days = [starts_on]
        while weekly and days[-1] + dt.timedelta(weeks=1) <= today + dt.timedelta(HORIZON_DAYS):
            days.append(days[-1] + dt.timedelta(weeks=1))
        model = OrderModel(
            pk=placed.pk,
            holder=who,
            seller=seller,
            at=at,
            weekly=weekly,
            cost=cost,
            created=self.clock(),
        )
        for visit in placed.visits.order_by("on"):
            held = self._hold(who, cost)
            status = Visit.Status.HELD if held else Visit.Status.UNFUNDED
            self.visit_models[visit.pk] = VisitModel(placed.pk, visit.on, cost, status, held)
            model.visits.append(visit.pk)
        assert [self.visit_models[pk].on for pk in model.visits] == days
        assert self.visit_models[model.visits[0]].held  # the first visit is always covered
        assert bool(placed.warning) == any(not self.visit_models[v].held for v in model.visits)
        self.order_models[placed.pk] = model
        if accepted:  # the provider answers at once
            self._accept(model)
        return model

    def _accept(self, order: OrderModel) -> None:
        owner = self.world.sellers[order.seller].owner
        call = lambda: order_accept(order=Order(pk=order.pk), by=owner)  # noqa: E731
        if order.status != Order.Status.PLACED:
            self._refused(DomainError, call)
            return
        call()
        order.status = Order.Status.ACCEPTED

    @rule(order=orders, accept=st.booleans())
    def answer(self, order: OrderModel, accept: bool) -> None:
        """The provider accepts the order, or declines it (every held visit's money
        goes back)."""
        if accept:
            self._accept(order)
            return
        owner = self.world.sellers[order.seller].owner
        call = lambda: order_decline(  # noqa: E731
            order=Order(pk=order.pk), reason="No carers free", by=owner
        )
        if order.status != Order.Status.PLACED:
            self._refused(DomainError, call)
            return
        call()
        order.status = Order.Status.DECLINED
        for pk in order.visits:
            visit = self.visit_models[pk]
            if visit.status in (Visit.Status.HELD, Visit.Status.UNFUNDED):
                self._give_back(visit, Visit.Status.RELEASED)

    # --- deliver, confirm ---

    @rule(
        order=orders,
        nth=st.integers(0, 5),
        units=st.sampled_from(DELIVERED_UNITS),
        wait=st.booleans(),
        confirm=st.booleans(),
    )
    def deliver(self, order: OrderModel, nth: int, units: str, wait: bool, confirm: bool) -> None:
        """The provider reports a visit (`wait`: once its day has come), and then
        (`confirm`) the person confirms it."""
        pk, visit = self._visits(order, nth)
        if wait:
            self.clock.to(_starts(visit.on, order.at) + dt.timedelta(hours=2))
        amount = visit_cost(
            unit_price_pence=self.world.sellers[order.seller].unit_price,
            units_centi=_centi(units),
        )
        owner = self.world.sellers[order.seller].owner
        call = lambda: visit_deliver(visit=Visit(pk=pk), units=units, by=owner)  # noqa: E731
        # A stopped order's visits kept within the notice can still be reported.
        if (
            order.status not in (Order.Status.ACCEPTED, Order.Status.CANCELLED)
            or visit.status != Visit.Status.HELD
            or visit.on > self.clock.today
        ):
            self._refused(DomainError, call)
        elif amount > visit.amount:
            self._refused(ValidationFailed, call)
        else:
            done = call()
            if self.world.holders[order.holder].confirms and amount:
                visit.status = Visit.Status.DELIVERED
                visit.paid = amount  # once confirmed
            else:
                self._pay(visit, amount)
            assert done.status == visit.status
        if confirm:
            self._confirm(pk, visit)

    def _confirm(self, pk: int, visit: VisitModel) -> None:
        actor = self.world.holders[self.order_models[visit.order].holder].actor
        call = lambda: visit_confirm(visit=Visit(pk=pk), by=actor)  # noqa: E731
        if visit.status != Visit.Status.DELIVERED:
            self._refused(DomainError, call)
            return
        call()
        self._pay(visit, visit.paid)

    # --- cancel ---

    def _in_notice(self, order: OrderModel, visit: VisitModel) -> bool:
        notice = dt.timedelta(hours=self.world.sellers[order.seller].notice_hours)
        return _starts(visit.on, order.at) - self.clock() < notice

    @rule(order=orders, nth=st.integers(0, 5), whole=st.booleans())
    def cancel(self, order: OrderModel, nth: int, whole: bool) -> None:
        """The person cancels one visit, or stops the whole order (visits within the
        service's notice stay booked)."""
        actor = self.world.holders[order.holder].actor
        if whole:
            stop = lambda: order_cancel(order=Order(pk=order.pk), by=actor)  # noqa: E731
            if order.status not in (Order.Status.PLACED, Order.Status.ACCEPTED):
                self._refused(DomainError, stop)
                return
            stop()
            # Kept for the notice: only money held for a provider that accepted.
            accepted = order.status == Order.Status.ACCEPTED
            order.status = Order.Status.CANCELLED
            for pk in order.visits:
                visit = self.visit_models[pk]
                if visit.status not in (Visit.Status.HELD, Visit.Status.UNFUNDED):
                    continue
                kept = (
                    accepted and visit.status == Visit.Status.HELD and self._in_notice(order, visit)
                )
                if not kept:
                    self._give_back(visit, Visit.Status.CANCELLED)
            return
        pk, visit = self._visits(order, nth)
        call = lambda: visit_cancel(visit=Visit(pk=pk), by=actor)  # noqa: E731
        if visit.status not in (Visit.Status.HELD, Visit.Status.UNFUNDED) or self._in_notice(
            order, visit
        ):
            self._refused(DomainError, call)
            if visit.held and visit.status not in HELD:
                # Its hold is resolved: the ledger refuses to pay or release it again.
                hold = LedgerTransaction.objects.get(visit__pk=pk)
                self._refused(AlreadyResolved, lambda: hold_void(hold=hold))
                self._refused(AlreadyResolved, lambda: hold_capture(hold=hold, amount_pence=1))
            return
        call()
        self._give_back(visit, Visit.Status.CANCELLED)

    # --- time, expiry, upkeep ---

    @rule(hours=st.integers(1, 240))
    def time_passes(self, hours: int) -> None:
        self.clock.forward(dt.timedelta(hours=hours))

    @precondition(lambda self: any(v.status == "held" for v in self.visit_models.values()))
    @rule(days=st.integers(0, 30))
    def expire(self, days: int) -> None:
        self.clock.forward(dt.timedelta(days=days))
        cutoff = self.clock.today - dt.timedelta(days=HOLD_EXPIRY_DAYS)
        due = [
            v for v in self.visit_models.values() if v.status == Visit.Status.HELD and v.on < cutoff
        ]
        assert holds_expire(today=self.clock.today) == len(due)
        for visit in due:
            self._give_back(visit, Visit.Status.RELEASED)

    @precondition(
        lambda self: any(
            o.weekly and o.status in ("placed", "accepted") for o in self.order_models.values()
        )
    )
    @rule()
    def upkeep(self) -> None:
        today = self.clock.today
        until = today + dt.timedelta(days=HORIZON_DAYS)
        running = [
            o
            for o in self.order_models.values()
            if o.weekly and o.status in (Order.Status.PLACED, Order.Status.ACCEPTED)
        ]
        running.sort(key=lambda o: (o.created, o.pk), reverse=True)  # as the run goes
        new_days: dict[int, list[dt.date]] = {}
        for order in running:
            # From the week after its last visit, but none on days gone by.
            day = max(self.visit_models[pk].on for pk in order.visits) + dt.timedelta(weeks=1)
            while day < today:
                day += dt.timedelta(weeks=1)
            new_days[order.pk] = []
            while day <= until:
                new_days[order.pk].append(day)
                day += dt.timedelta(weeks=1)
        newly_held = weekly_orders_extend()
        held = 0
        for order in running:
            made = list(
                Visit.objects.filter(order_id=order.pk)
                .exclude(pk__in=order.visits)
                .order_by("on")
                .values_list("pk", "on")
            )
            assert [on for _, on in made] == new_days[order.pk]
            for pk, on in made:
                self.visit_models[pk] = VisitModel(
                    order.pk, on, order.cost, Visit.Status.UNFUNDED, False
                )
                order.visits.append(pk)
            for pk in sorted(order.visits, key=lambda p: (self.visit_models[p].on, p)):
                visit = self.visit_models[pk]
                if visit.status != Visit.Status.UNFUNDED or not today <= visit.on <= until:
                    continue
                if self._hold(order.holder, visit.amount):
                    visit.status, visit.held = Visit.Status.HELD, True
                    held += 1
        assert newly_held == held

    # --- payout ---

    @precondition(lambda self: any(self.owed))
    @rule(days=st.integers(1, 3))
    def payout(self, days: int) -> None:
        self.clock.forward(dt.timedelta(days=days))  # a new day each time
        clearing, paid_out = self._shared("clearing"), self._shared("paid_out")
        made = payouts_make(on=self.clock.today)
        assert sorted(batch.amount_pence for batch in made.batches) == sorted(
            owed for owed in self.owed if owed
        )
        assert made.not_ready == {}
        sent = payouts_send()
        batches = len(made.batches)
        assert (sent.sent, sent.paid, sent.returned, sent.deferred) == (batches, batches, 0, 0)
        assert self._shared("paid_out") == paid_out + sum(self.owed)
        assert self._shared("clearing") == clearing
        self.paid_out += sum(self.owed)
        self.owed = [0 for _ in self.owed]
        # The same day again: nothing more is paid.
        assert payouts_make(on=self.clock.today).batches == []
        for seller in self.world.sellers:
            payable = Account.objects.filter(provider_id=seller.provider_id).first()
            assert payable is None or payable.credits_posted == payable.debits_posted

    # --- surplus ---

    @precondition(
        lambda self: any(
            n is not None or self.available[who] > self.world.holders[who].threshold
            for who, n in enumerate(self.notices)
        )
    )
    @rule(days=st.integers(0, 30))
    def surplus(self, days: int) -> None:
        """Some days pass; the surplus due is recovered, then new notices issued."""
        self.clock.forward(dt.timedelta(days=days))
        today = self.clock.today
        recovered = taken = lapsed = 0
        for who, notice in enumerate(self.notices):
            if notice is None or notice.recover_on > today:
                continue
            amount = min(notice.amount, self.available[who] - notice.threshold)
            if amount > 0:
                recovered += 1
                taken += amount
                self.available[who] -= amount
            else:
                lapsed += 1
            self.notices[who] = None
        run = surplus.surplus_recover_due(on=today)
        assert (run.recovered, run.recovered_pence, run.lapsed) == (recovered, taken, lapsed)
        self.recovered += taken
        issued = 0
        for who, holder in enumerate(self.world.holders):
            if self.notices[who] is None and self.available[who] > holder.threshold:
                self.notices[who] = NoticeModel(
                    amount=self.available[who] - holder.threshold,
                    threshold=holder.threshold,
                    recover_on=today + dt.timedelta(days=holder.notice_days),
                )
                issued += 1
        assert surplus.surplus_notices_issue(on=today) == issued

    # --- invariants ---

    @invariant()
    def books_balance(self) -> None:
        assert_books_balance()
        with connection.cursor() as cursor:
            # The ledger's own deferred check, made now rather than at commit.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(
                """
                SELECT count(*) FROM (
                  SELECT transaction_id FROM ledger_entry GROUP BY transaction_id
                  HAVING SUM(CASE side WHEN 'D' THEN amount_pence ELSE -amount_pence END) <> 0
                ) unbalanced
                """
            )
            assert cursor.fetchone() == (0,)
            # A resolution resolves an open hold, at most one per hold; a capture is
            # never more than its hold.
            cursor.execute(
                """
                SELECT r.id FROM ledger_transaction r
                  LEFT JOIN ledger_transaction h ON h.id = r.resolves_id
                 WHERE (r.kind IN ('capture', 'release', 'expiry') OR r.resolves_id IS NOT NULL)
                   AND (h.id IS NULL OR h.kind <> 'hold' OR h.status <> 'pending'
                        OR r.kind NOT IN ('capture', 'release', 'expiry')
                        OR (SELECT count(*) FROM ledger_transaction o
                             WHERE o.resolves_id = h.id) <> 1
                        OR (SELECT COALESCE(SUM(amount_pence), 0) FROM ledger_entry
                             WHERE transaction_id = r.id AND side = 'D')
                         > (SELECT SUM(amount_pence) FROM ledger_entry
                             WHERE transaction_id = h.id AND side = 'D'))
                """
            )
            assert cursor.fetchall() == []

    @invariant()
    def visits_agree_with_their_holds(self) -> None:
        held = dict(
            Entry.objects.filter(transaction__kind="hold", side="D").values_list(
                "transaction_id", "amount_pence"
            )
        )
        captured = dict(
            Entry.objects.filter(transaction__kind="capture", side="D").values_list(
                "transaction__resolves_id", "amount_pence"
            )
        )
        rows = Visit.objects.values_list(
            "pk", "status", "amount_pence", "hold_id", "hold__status", "hold__resolution__status"
        )
        seen = {}
        for pk, status, amount, hold, hold_status, resolution in rows:
            seen[pk] = status
            model = self.visit_models[pk]
            assert (status, amount, hold is not None) == (model.status, model.amount, model.held)
            if hold is None:
                assert status in ("unfunded", "cancelled", "released")
                continue
            assert (hold_status, held[hold]) == ("pending", amount)
            if status in HELD:
                assert resolution is None
            elif status == "paid":
                assert resolution == "posted"
                assert captured[hold] == model.paid <= amount
            else:
                assert status in ("cancelled", "released")
                assert resolution == "voided"
        assert seen.keys() == self.visit_models.keys()
        statuses = dict(Order.objects.values_list("pk", "status"))
        assert statuses == {pk: o.status for pk, o in self.order_models.items()}

    @invariant()
    def accounts_hold_what_the_model_says(self) -> None:
        for who, holder in enumerate(self.world.holders):
            purse = Account.objects.get(pk=holder.purse_pk)
            assert purse.available_pence == self.available[who] >= 0
            assert purse.debits_pending == sum(
                v.amount
                for v in self.visit_models.values()
                if v.status in HELD and self.order_models[v.order].holder == who
            )
        for index, seller in enumerate(self.world.sellers):
            payable = Account.objects.filter(provider_id=seller.provider_id).first()
            pending = sum(
                v.amount
                for v in self.visit_models.values()
                if v.status in HELD and self.order_models[v.order].seller == index
            )
            if payable is None:
                assert (self.owed[index], pending) == (0, 0)
                continue
            posted = payable.credits_posted - payable.debits_posted
            assert (posted, payable.credits_pending) == (self.owed[index], pending)
        assert self._shared("funding") == self.shared_start["funding"] - self.funded
        assert self._shared("paid_out") == self.shared_start["paid_out"] + self.paid_out
        assert self._shared("recoveries") == self.shared_start["recoveries"] + self.recovered
        notices = SurplusNotice.objects.filter(status__in=SurplusNotice.OPEN)
        assert sorted(notices.values_list("person_id", "amount_pence", "recover_on")) == sorted(
            (self.world.holders[who].person.pk, n.amount, n.recover_on)
            for who, n in enumerate(self.notices)
            if n is not None
        )


def test_the_purse_keeps_its_invariants(tenant_a: TenantUsers, monkeypatch) -> None:
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    world = _world(tenant_a)

    class Machine(PurseMachine):
        pass

    Machine.world = world
    Machine.clock = clock
    with tenant_context(tenant_a.tenant):
        assert tenant_a.tenant.payout_gateway == "sandbox"  # type: ignore[attr-defined]
        run_state_machine_as_test(
            Machine,
            settings=settings(
                max_examples=25,
                stateful_step_count=35,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
