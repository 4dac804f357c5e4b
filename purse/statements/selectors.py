"""A person's budget statement, worked out from the ledger entries on their purse.

Days are Europe/London days: a period from `start` to `end` runs from midnight at the
start of `start` to midnight at the end of `end`. Two figures describe the purse at a
moment: the total (posted money) and what is held of it for booked visits; what is
left to spend is the difference. Each movement of money in the period is a line:

    money in        top-ups, one-off payments, contributions, money given back
    held            a visit booked: its cost stops being available
    paid            a visit paid for from its held money (the rest comes back)
    released        held money back to spend (cancelled, declined, nobody reported)
    money out       anything else taken from the purse (a correction, surplus recovered)

Opening and closing figures are summed from the entries on their own, so that
`Statement.balanced` is a real check that the lines account for every penny.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from core.errors import ValidationFailed
from core.money import format_pence

from ..ledger.models import Account, Entry, LedgerTransaction
from ..models import Person
from ..orders.models import Order, Visit

LONDON = ZoneInfo("Europe/London")
LONGEST_DAYS = 366
Kind = LedgerTransaction.Kind
Status = LedgerTransaction.Status


def day_text(day: dt.date, *, year: bool = True) -> str:
    """The GOV.UK style: "3 November 2026" (or "3 November")."""
    return f"{day:%-d %B %Y}" if year else f"{day:%-d %B}"


@dataclass(frozen=True)
class Figures:
    """The purse at one moment: all its money, and how much of that is held."""

    total_pence: int
    held_pence: int

    @property
    def available_pence(self) -> int:
        return self.total_pence - self.held_pence


@dataclass(frozen=True)
class Line:
    """One movement of money. `held_pence` is the change in money held (more when a
    visit is booked, less when it is paid or released)."""

    on: dt.date
    kind: str  # "in", "held", "paid", "released" or "out"
    description: str
    money_in_pence: int = 0
    money_out_pence: int = 0
    held_pence: int = 0
    released_pence: int = 0
    order_reference: str = ""
    service: str = ""
    visit_on: dt.date | None = None
    available_after_pence: int = 0
    total_after_pence: int = 0

    @property
    def available_change_pence(self) -> int:
        return self.money_in_pence - self.money_out_pence - self.held_pence


@dataclass(frozen=True)
class HeldVisit:
    """A visit whose money is still held at the end of the period."""

    order_reference: str
    service: str
    visit_on: dt.date | None
    amount_pence: int
    description: str


@dataclass(frozen=True)
class OrderSummary:
    reference: str
    service: str
    visits: tuple[dt.date, ...]
    held_pence: int  # newly held in the period
    paid_pence: int
    released_pence: int
    held_at_end_pence: int


@dataclass(frozen=True)
class Statement:
    person_id: str
    person_name: str
    council: str
    start: dt.date
    end: dt.date
    made_at: dt.datetime
    opening: Figures
    closing: Figures
    lines: tuple[Line, ...]
    held_at_end: tuple[HeldVisit, ...]
    orders: tuple[OrderSummary, ...]
    money_in_pence: int = 0
    paid_pence: int = 0  # paid for care, from held money
    other_out_pence: int = 0
    newly_held_pence: int = 0
    released_pence: int = 0
    large_print: bool = False  # the person's communication needs ask for it
    summary: tuple[str, ...] = field(default=())

    @property
    def money_out_pence(self) -> int:
        return self.paid_pence + self.other_out_pence

    @property
    def balanced(self) -> bool:
        """Opening + in - out = closing, for all the money and for the money held."""
        total = (
            self.opening.total_pence + self.money_in_pence - self.money_out_pence
            == self.closing.total_pence
        )
        held = (
            self.opening.held_pence + self.newly_held_pence - self.paid_pence - self.released_pence
            == self.closing.held_pence
        )
        return total and held

    def figures(self) -> dict[str, Any]:
        """The statement's totals in pence (what a monthly statement keeps)."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "opening_total_pence": self.opening.total_pence,
            "opening_held_pence": self.opening.held_pence,
            "opening_available_pence": self.opening.available_pence,
            "money_in_pence": self.money_in_pence,
            "paid_pence": self.paid_pence,
            "other_out_pence": self.other_out_pence,
            "money_out_pence": self.money_out_pence,
            "newly_held_pence": self.newly_held_pence,
            "released_pence": self.released_pence,
            "closing_total_pence": self.closing.total_pence,
            "closing_held_pence": self.closing.held_pence,
            "closing_available_pence": self.closing.available_pence,
            "lines": len(self.lines),
            "balanced": self.balanced,
        }


# --- The period -----------------------------------------------------------------


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def _date(value: str | None, name: str, label: str) -> dt.date | None:
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        message = f"Enter the {label} as a date like 2026-11-01"
        raise ValidationFailed(message, field_errors={name: [message]}) from None


def statement_period(
    *, start: str | None, end: str | None, today: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """The period asked for (`from` and `to`, as YYYY-MM-DD): by default this month;
    one day alone gives the rest of its month (or its month up to it). Refused, in
    words, when a date cannot be read, the first day is after the last or after
    today, or the period is longer than 366 days."""
    today = today or timezone.localdate()
    first = _date(start, "from", "first day")
    last = _date(end, "to", "last day")
    if first is None and last is None:
        first, last = month_of(today)
    elif first is None:
        assert last is not None  # noqa: S101 - for mypy: one of the two is set
        first = month_of(last)[0]
    elif last is None:
        last = month_of(first)[1]
    if first > last:
        message = "The first day must be the same as or before the last day"
        raise ValidationFailed(message, field_errors={"from": [message]})
    if first > today:
        message = "A statement cannot start after today: choose a first day up to today"
        raise ValidationFailed(message, field_errors={"from": [message]})
    if (last - first).days + 1 > LONGEST_DAYS:
        message = f"A statement covers at most {LONGEST_DAYS} days: choose a shorter period"
        raise ValidationFailed(message, field_errors={"to": [message]})
    return first, last


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=LONDON)


# --- Working it out -------------------------------------------------------------


def _figures_at(purse: Account | None, moment: dt.datetime) -> Figures:
    if purse is None:
        return Figures(0, 0)
    posted = Entry.objects.filter(
        account=purse, transaction__status=Status.POSTED, transaction__created_at__lt=moment
    ).aggregate(
        credits=Sum("amount_pence", filter=Q(side=Entry.Side.CREDIT)),
        debits=Sum("amount_pence", filter=Q(side=Entry.Side.DEBIT)),
    )
    held = _holds_open_at(purse, moment).aggregate(total=Sum("amount_pence"))
    return Figures(
        total_pence=int(posted["credits"] or 0) - int(posted["debits"] or 0),
        held_pence=int(held["total"] or 0),
    )


def _visit_text(visit: Visit | None, fallback: str) -> str:
    if visit is None:
        return fallback or "Money held"
    order = visit.order
    return f"{order.service.name} visit on {day_text(visit.on)}, {order.reference}"


def _why_released(txn: LedgerTransaction, visit: Visit | None) -> str:
    if txn.kind == Kind.EXPIRY:
        return "nobody reported on the visit"
    if visit is None:
        return "released"
    if visit.status == Visit.Status.CANCELLED:
        return "visit cancelled"
    if visit.order.status == Order.Status.DECLINED:
        return "the provider declined the order"
    return "not delivered"


def _lowered(text: str) -> str:
    """The words made to go inside a sentence; a word in capitals (ORD-...) stays."""
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


class _Describer:
    """Plain-English words for each movement of money on the purse."""

    def __init__(self, council: str, visits: dict[int, Visit]) -> None:
        self.council = council
        self.visits = visits

    def money(self, txn: LedgerTransaction) -> str:
        memo = txn.memo.strip()
        if txn.kind == Kind.TOPUP:
            # The top-up run's memo names the days paid for: "Top-up for 2 November..."
            if memo.startswith("Top-up for "):
                return f"Top-up from {self.council} {memo.removeprefix('Top-up ')}"
            return f"Top-up from {self.council}" + (f": {memo}" if memo else "")
        if txn.kind == Kind.ONE_OFF:
            return f"One-off payment from {self.council}" + (f": {memo}" if memo else "")
        if txn.kind == Kind.CONTRIBUTION:
            return "Your own contribution" + (f": {memo}" if memo else "")
        if txn.kind == Kind.RECOVERY:
            return f"Money not needed, returned to {self.council}" + (f": {memo}" if memo else "")
        return memo or txn.get_kind_display()

    def reversal(self, txn: LedgerTransaction, coming_in: bool) -> str:
        original = txn.reverses
        if original is not None and original.kind == Kind.CAPTURE:
            visit = self.visits.get(original.resolves_id or 0)
            return f"Refund: {_visit_text(visit, original.memo)}"
        what = _lowered(self.money(original)) if original is not None else "an earlier payment"
        return f"{'Given back' if coming_in else 'Taken back'}: {what}"


def _visits_for(hold_ids: set[int]) -> dict[int, Visit]:
    return {
        v.hold_id: v
        for v in Visit.objects.filter(hold_id__in=hold_ids).select_related(
            "order__service", "order"
        )
        if v.hold_id is not None
    }


def statement_for(
    *, person: Person, start: dt.date, end: dt.date, council: str | None = None
) -> Statement:
    """The person's statement from the start of `start` to the end of `end`."""
    purse = Account.objects.filter(person=person, kind=Account.Kind.PURSE).first()
    council = council or getattr(getattr(connection, "tenant", None), "name", "") or "the council"
    begins, ends = _midnight(start), _midnight(end + dt.timedelta(days=1))
    opening, closing = _figures_at(purse, begins), _figures_at(purse, ends)

    # Every transaction in the period touching the purse: with entries on it, or
    # releasing a hold that had (a release has no entries of its own).
    txns: list[LedgerTransaction] = []
    if purse is not None:
        moved = Entry.objects.filter(
            account=purse, transaction__created_at__gte=begins, transaction__created_at__lt=ends
        ).values("transaction_id")
        holds = Entry.objects.filter(
            account=purse, side=Entry.Side.DEBIT, transaction__kind=Kind.HOLD
        ).values("transaction_id")
        txns = list(
            LedgerTransaction.objects.filter(
                Q(pk__in=moved)
                | Q(
                    status=Status.VOIDED,
                    resolves_id__in=holds,
                    created_at__gte=begins,
                    created_at__lt=ends,
                )
            )
            .select_related("reverses")
            .order_by("created_at", "pk")
        )
    mine: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))  # txn -> (credits, debits)
    related = {t.pk for t in txns} | {t.resolves_id for t in txns if t.resolves_id}
    for entry in Entry.objects.filter(account=purse, transaction_id__in=related):
        credits, debits = mine[entry.transaction_id]
        if entry.side == Entry.Side.CREDIT:
            mine[entry.transaction_id] = (credits + entry.amount_pence, debits)
        else:
            mine[entry.transaction_id] = (credits, debits + entry.amount_pence)
    hold_ids = {t.pk for t in txns if t.kind == Kind.HOLD} | {
        t.resolves_id for t in txns if t.resolves_id
    }
    hold_ids |= {t.reverses.resolves_id for t in txns if t.reverses and t.reverses.resolves_id}
    visits = _visits_for(hold_ids)
    words = _Describer(council, visits)

    lines: list[Line] = []
    total, held = opening.total_pence, opening.held_pence
    for txn in txns:
        credits, debits = mine[txn.pk]
        on = timezone.localtime(txn.created_at, LONDON).date()
        visit = visits.get(txn.resolves_id or txn.pk)
        about: dict[str, Any] = {}
        if visit is not None:
            about = {
                "order_reference": visit.order.reference,
                "service": visit.order.service.name,
                "visit_on": visit.on,
            }
        line: Line
        if txn.kind == Kind.HOLD:
            line = Line(
                on,
                "held",
                f"{_visit_text(visit, txn.memo)}: {format_pence(debits)} held for it",
                held_pence=debits,
                **about,
            )
        elif txn.status == Status.VOIDED:
            was_held = mine[txn.resolves_id or 0][1]
            line = Line(
                on,
                "released",
                f"{_visit_text(visit, txn.memo)}: {_why_released(txn, visit)}, "
                f"{format_pence(was_held)} back to spend",
                held_pence=-was_held,
                released_pence=was_held,
                **about,
            )
        elif txn.kind == Kind.CAPTURE:
            was_held = mine[txn.resolves_id or 0][1]
            rest = was_held - debits
            text = f"{_visit_text(visit, txn.memo)}: {format_pence(debits)} paid"
            if rest:
                text += f", {format_pence(rest)} back to spend"
            line = Line(
                on,
                "paid",
                text,
                money_out_pence=debits,
                held_pence=-was_held,
                released_pence=rest,
                **about,
            )
        else:
            net = credits - debits
            if txn.kind == Kind.REVERSAL:
                text = words.reversal(txn, coming_in=net > 0)
                if txn.reverses is not None and txn.reverses.kind == Kind.CAPTURE:
                    refunded = visits.get(txn.reverses.resolves_id or 0)
                    if refunded is not None:
                        about = {
                            "order_reference": refunded.order.reference,
                            "service": refunded.order.service.name,
                            "visit_on": refunded.on,
                        }
            else:
                text = words.money(txn)
            line = Line(
                on,
                "in" if net >= 0 else "out",
                f"{text}: {format_pence(abs(net))}",
                money_in_pence=max(net, 0),
                money_out_pence=max(-net, 0),
                **about,
            )
        total += line.money_in_pence - line.money_out_pence
        held += line.held_pence
        lines.append(replace(line, available_after_pence=total - held, total_after_pence=total))

    held_at_end = _held_at_end(person, purse, ends)
    statement = Statement(
        person_id=str(person.public_id),
        person_name=str(person),
        large_print="large_print" in (person.communication_needs or []),
        council=council,
        start=start,
        end=end,
        made_at=timezone.now(),
        opening=opening,
        closing=closing,
        lines=tuple(lines),
        held_at_end=held_at_end,
        orders=_orders(lines, held_at_end),
        money_in_pence=sum(x.money_in_pence for x in lines),
        paid_pence=sum(x.money_out_pence for x in lines if x.kind == "paid"),
        other_out_pence=sum(x.money_out_pence for x in lines if x.kind != "paid"),
        newly_held_pence=sum(x.held_pence for x in lines if x.kind == "held"),
        released_pence=sum(x.released_pence for x in lines),
    )
    return replace(statement, summary=_summary(statement))


def _holds_open_at(purse: Account, moment: dt.datetime) -> QuerySet[Entry]:
    """The purse's held entries of holds placed before `moment` and not yet paid or
    released by then."""
    return Entry.objects.filter(
        account=purse,
        side=Entry.Side.DEBIT,
        transaction__status=Status.PENDING,
        transaction__created_at__lt=moment,
    ).filter(
        Q(transaction__resolution__isnull=True) | Q(transaction__resolution__created_at__gte=moment)
    )


def _held_at_end(person: Person, purse: Account | None, ends: dt.datetime) -> tuple[HeldVisit, ...]:
    if purse is None:
        return ()
    holds = (
        _holds_open_at(purse, ends)
        .select_related("transaction")
        .order_by("transaction__created_at", "pk")
    )
    found = list(holds)
    visits = _visits_for({e.transaction_id for e in found})
    held: list[HeldVisit] = []
    for entry in found:
        visit = visits.get(entry.transaction_id)
        text = f"{_visit_text(visit, entry.transaction.memo)}: {format_pence(entry.amount_pence)}"
        held.append(
            HeldVisit(
                order_reference=visit.order.reference if visit else "",
                service=visit.order.service.name if visit else "",
                visit_on=visit.on if visit else None,
                amount_pence=entry.amount_pence,
                description=text,
            )
        )
    held.sort(key=lambda h: (h.visit_on or dt.date.max, h.order_reference))
    return tuple(held)


def _orders(lines: list[Line], held_at_end: tuple[HeldVisit, ...]) -> tuple[OrderSummary, ...]:
    """Each order with money moved in the period or held at its end."""
    found: dict[str, dict[str, Any]] = {}

    def entry(reference: str, service: str) -> dict[str, Any]:
        return found.setdefault(
            reference,
            {"service": service, "visits": set(), "held": 0, "paid": 0, "released": 0, "end": 0},
        )

    for line in lines:
        if not line.order_reference:
            continue
        row = entry(line.order_reference, line.service)
        if line.visit_on:
            row["visits"].add(line.visit_on)
        if line.kind == "held":
            row["held"] += line.held_pence
        elif line.kind == "paid":
            row["paid"] += line.money_out_pence
        elif line.kind == "in":  # a refund for a visit paid for
            row["paid"] -= line.money_in_pence
        row["released"] += line.released_pence
    for held in held_at_end:
        if not held.order_reference:
            continue
        row = entry(held.order_reference, held.service)
        if held.visit_on:
            row["visits"].add(held.visit_on)
        row["end"] += held.amount_pence
    return tuple(
        OrderSummary(
            reference=reference,
            service=row["service"],
            visits=tuple(sorted(row["visits"])),
            held_pence=row["held"],
            paid_pence=row["paid"],
            released_pence=row["released"],
            held_at_end_pence=row["end"],
        )
        for reference, row in sorted(found.items())
    )


def _summary(s: Statement) -> tuple[str, ...]:
    """The statement in a few sentences."""

    def purse(figures: Figures) -> str:
        text = f"{format_pence(figures.total_pence)} in your purse"
        if figures.held_pence:
            text += (
                f": {format_pence(figures.available_pence)} to spend and "
                f"{format_pence(figures.held_pence)} held for booked visits"
            )
        return text

    said = [f"At the start of {day_text(s.start)} you had {purse(s.opening)}."]
    said.append(
        f"{format_pence(s.money_in_pence)} came in."
        if s.money_in_pence
        else "No money came in during this period."
    )
    if s.newly_held_pence:
        said.append(f"{format_pence(s.newly_held_pence)} was held for visits you booked.")
    if s.paid_pence:
        said.append(f"{format_pence(s.paid_pence)} was paid for care you had.")
    if s.released_pence:
        said.append(f"{format_pence(s.released_pence)} of held money came back to spend.")
    if s.other_out_pence:
        said.append(f"{format_pence(s.other_out_pence)} else went out of your purse.")
    said.append(f"At the end of {day_text(s.end)} you had {purse(s.closing)}.")
    return tuple(said)
