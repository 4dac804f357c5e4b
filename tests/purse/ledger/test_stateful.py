"""Random sequences of fund / hold / capture / release / expire / reverse keep the
ledger's invariants: every transaction balances, debits equal credits, cached balances
equal what the entries add up to, no purse is below nothing, a hold resolves at most
once and a capture is never more than its hold. A model of what each purse should have
available is checked at every step."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from core.errors import DomainError
from purse.ledger.models import Account, LedgerTransaction
from purse.ledger.services import (
    AlreadyResolved,
    Leg,
    NotEnoughMoney,
    hold_amount,
    hold_capture,
    hold_place,
    hold_void,
    payable_open,
    purse_open,
    shared_account,
    transaction_reverse,
    transfer,
)
from tests.purse import plan_builders as b

from .conftest import assert_books_balance

pytestmark = pytest.mark.django_db

AMOUNTS = st.integers(min_value=1, max_value=50_000)


class LedgerMachine(RuleBasedStateMachine):
    holds = Bundle("holds")
    topups = Bundle("topups")

    def __init__(self) -> None:
        super().__init__()
        self.funding = shared_account(Account.Kind.FUNDING)
        self.purses = [purse_open(person=b.person(f"P{uuid.uuid4().hex[:6]}")) for _ in range(2)]
        self.payable = payable_open(provider_id=uuid.uuid4())
        self.available = {p.pk: 0 for p in self.purses}

    @rule(target=topups, who=st.integers(0, 1), amount=AMOUNTS)
    def fund(self, who: int, amount: int) -> tuple[LedgerTransaction, int, int]:
        purse = self.purses[who]
        txn = transfer(kind="topup", legs=[Leg(self.funding, purse, amount)])
        self.available[purse.pk] += amount
        return txn, purse.pk, amount

    @rule(target=holds, who=st.integers(0, 1), amount=AMOUNTS)
    def hold(self, who: int, amount: int) -> tuple[LedgerTransaction | None, int, int]:
        purse = self.purses[who]
        try:
            txn = hold_place(purse=purse, payable=self.payable, amount_pence=amount)
        except NotEnoughMoney:
            assert amount > self.available[purse.pk]
            return None, purse.pk, amount
        assert amount <= self.available[purse.pk]
        self.available[purse.pk] -= amount
        return txn, purse.pk, amount

    @rule(held=consumes(holds), fraction=st.floats(0, 1.2))
    def capture(self, held: tuple[LedgerTransaction | None, int, int], fraction: float) -> None:
        txn, purse_pk, amount = held
        if txn is None:
            return
        wanted = int(amount * fraction)
        try:
            hold_capture(hold=txn, amount_pence=wanted)
        except AlreadyResolved:
            raise AssertionError("a hold consumed once cannot have been resolved") from None
        except DomainError:
            assert wanted > amount  # only refused when more than was held
            hold_void(hold=txn)
            wanted = 0
        self.available[purse_pk] += amount - wanted

    @rule(held=consumes(holds), expired=st.booleans())
    def release(self, held: tuple[LedgerTransaction | None, int, int], expired: bool) -> None:
        txn, purse_pk, amount = held
        if txn is None:
            return
        hold_void(hold=txn, expired=expired)
        self.available[purse_pk] += amount
        with pytest.raises(AlreadyResolved):  # and never twice
            hold_void(hold=txn)

    @rule(topup=consumes(topups))
    def reverse(self, topup: tuple[LedgerTransaction, int, int]) -> None:
        txn, purse_pk, amount = topup
        try:
            transaction_reverse(original=txn)
        except NotEnoughMoney:
            assert amount > self.available[purse_pk]
            return
        self.available[purse_pk] -= amount

    @invariant()
    def purses_match_the_model(self) -> None:
        for purse in self.purses:
            purse.refresh_from_db()
            assert purse.available_pence == self.available[purse.pk] >= 0

    @invariant()
    def books_balance(self) -> None:
        assert_books_balance()
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT count(*) FROM (
                  SELECT transaction_id FROM ledger_entry GROUP BY transaction_id
                  HAVING SUM(CASE side WHEN 'D' THEN amount_pence ELSE -amount_pence END) <> 0
                ) unbalanced
                """
            )
            assert cursor.fetchone()[0] == 0
        for capture in LedgerTransaction.objects.filter(kind="capture").select_related("resolves"):
            assert capture.resolves is not None
            assert hold_amount(capture) <= hold_amount(capture.resolves)


def test_the_ledger_keeps_its_invariants(council) -> None:
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
