"""Statements worked out from the ledger: every figure agrees with the purse's entries
and cached balances to the penny, and every movement is a line in plain English."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.errors import ValidationFailed
from purse.statements.selectors import (
    Figures,
    month_of,
    statement_for,
    statement_period,
)
from tests.purse.ledger.conftest import assert_books_balance

from .support import clock, deliver, history, noon, place, topup

pytestmark = pytest.mark.django_db

COUNCIL = "Northmoor Borough Council"


def _day(on: dt.date) -> str:
    return f"{on:%-d %B %Y}"


def test_a_months_figures_agree_with_the_ledger_to_the_penny(tenant_a):
    # Given top-ups, a visit paid in part and refunded, one held, one cancelled, a reversal
    h = history(tenant_a)
    start, end = month_of(timezone.localdate())
    with tenant_context(tenant_a.tenant):
        # When the person's statement for this month is worked out
        s = statement_for(person=h.m.person, start=start, end=end)
        h.m.purse.refresh_from_db()
        purse = h.m.purse
        assert_books_balance()
        paid_on, held_on = h.paid.visits.get().on, h.held.visits.get().on
        cancelled_on = h.cancelled.visits.get().on

    # Then the closing figures are the purse's own balances
    assert s.opening == Figures(0, 0)
    assert s.closing == Figures(
        total_pence=purse.credits_posted - purse.debits_posted, held_pence=purse.debits_pending
    )
    assert s.closing.available_pence == purse.available_pence == 16400
    # And opening + in - out = closing: £200 + £50 + £27 refunded in; £27 paid, £50 back out
    assert (s.money_in_pence, s.paid_pence, s.other_out_pence) == (27700, 2700, 5000)
    assert (s.newly_held_pence, s.released_pence) == (3600 + 3600 + 1800, 900 + 1800)
    assert s.closing == Figures(total_pence=20000, held_pence=3600)
    assert s.balanced

    # And each line says what happened, in order, with the money left to spend after it
    ref = {o: o.reference for o in (h.paid, h.held, h.cancelled)}
    assert [(x.kind, x.description, x.available_after_pence) for x in s.lines] == [
        ("in", f"One-off payment from {COUNCIL}: £50", 5000),
        ("in", f"Top-up from {COUNCIL} for 2 November 2026 to 29 November 2026: £200", 25000),
        (
            "held",
            f"Help at home visit on {_day(paid_on)}, {ref[h.paid]}: £36 held for it",
            21400,
        ),
        (
            "paid",
            f"Help at home visit on {_day(paid_on)}, {ref[h.paid]}: £27 paid, £9 back to spend",
            22300,
        ),
        ("held", f"Help at home visit on {_day(held_on)}, {ref[h.held]}: £36 held for it", 18700),
        (
            "held",
            f"Help at home visit on {_day(cancelled_on)}, {ref[h.cancelled]}: £18 held for it",
            16900,
        ),
        (
            "released",
            f"Help at home visit on {_day(cancelled_on)}, {ref[h.cancelled]}: visit cancelled, "
            "£18 back to spend",
            18700,
        ),
        ("out", f"Taken back: one-off payment from {COUNCIL}: £50", 13700),
        ("in", f"Refund: Help at home visit on {_day(paid_on)}, {ref[h.paid]}: £27", 16400),
    ]
    assert s.lines[-1].total_after_pence == s.closing.total_pence

    # And each order shows what was paid, released and still held
    by_ref = {o.reference: o for o in s.orders}
    assert (by_ref[ref[h.paid]].paid_pence, by_ref[ref[h.paid]].released_pence) == (0, 900)
    assert by_ref[ref[h.held]].held_at_end_pence == 3600
    assert by_ref[ref[h.cancelled]].released_pence == 1800
    assert by_ref[ref[h.held]].visits == (held_on,)
    [still_held] = s.held_at_end
    assert (still_held.order_reference, still_held.amount_pence) == (ref[h.held], 3600)
    assert s.summary[0] == f"At the start of {_day(start)} you had £0 in your purse."
    assert s.summary[-1] == (
        f"At the end of {_day(end)} you had £200 in your purse: £164 to spend and £36 held "
        "for booked visits."
    )


def test_the_opening_balance_counts_money_held_before_the_period(tenant_a):
    # Given a top-up and a visit booked last month, paid for this month
    first = timezone.localdate().replace(day=1)
    last_month = month_of(first - dt.timedelta(days=1))
    with clock(noon(first - dt.timedelta(days=12))):
        from tests.purse.orders.support import market

        m = market(tenant_a, funds=0)
        with tenant_context(tenant_a.tenant):
            topup(m, 10000)
            order = place(m, units="2", by=tenant_a.person)
    with tenant_context(tenant_a.tenant):
        deliver(m, order, "1.5")

        # When last month's and this month's statements are worked out
        before = statement_for(person=m.person, start=last_month[0], end=last_month[1])
        now = statement_for(person=m.person, start=first, end=month_of(first)[1])

    # Then last month closes with the visit's money held, and this month opens with it
    assert (before.opening, before.money_in_pence, before.newly_held_pence) == (
        Figures(0, 0),
        10000,
        3600,
    )
    assert before.closing == now.opening == Figures(total_pence=10000, held_pence=3600)
    assert [x.kind for x in now.lines] == ["paid"]
    assert (now.paid_pence, now.released_pence) == (2700, 900)
    assert now.closing == Figures(total_pence=7300, held_pence=0)
    assert before.balanced
    assert now.balanced
    assert now.summary[0] == (
        f"At the start of {_day(first)} you had £100 in your purse: £64 to spend and £36 "
        "held for booked visits."
    )


def test_a_person_with_no_purse_has_an_empty_statement(tenant_a):
    from tests.purse import plan_builders as b

    with tenant_context(tenant_a.tenant):
        s = statement_for(person=b.person(), start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31))
    assert (s.opening, s.closing, s.lines, s.balanced) == (Figures(0, 0), Figures(0, 0), (), True)


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("2026-13-01", None, "from", "Enter the first day as a date like 2026-11-01"),
        (None, "yesterday", "to", "Enter the last day as a date like 2026-11-01"),
        ("2026-10-02", "2026-10-01", "from", "The first day must be the same as or before"),
        ("2025-01-01", "2026-01-02", "to", "A statement covers at most 366 days"),
        ("2026-12-01", "2026-12-31", "from", "A statement cannot start after today"),
    ],
)
def test_periods_that_cannot_be_a_statement_are_refused_in_words(start, end, field, message):
    with pytest.raises(ValidationFailed) as refused:
        statement_period(start=start, end=end, today=dt.date(2026, 11, 23))
    assert refused.value.field_errors[field][0].startswith(message)


def test_the_period_defaults_to_this_month_or_the_month_of_the_day_given():
    today = dt.date(2026, 2, 10)
    assert statement_period(start=None, end=None, today=today) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
    )
    assert statement_period(start="2025-11-05", end="", today=today) == (
        dt.date(2025, 11, 5),
        dt.date(2025, 11, 30),
    )
    assert statement_period(start=None, end="2026-01-15", today=today) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 15),
    )
    # 366 days is allowed (a leap year)
    assert statement_period(start="2024-01-01", end="2024-12-31", today=today)[1] == dt.date(
        2024, 12, 31
    )
