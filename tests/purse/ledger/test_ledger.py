"""The ledger: holds, captures, releases and reversals keep the books balanced and the
cached balances true; a purse never goes below nothing; and the database itself refuses
changed entries, unbalanced transactions and a hold resolved twice."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from core.errors import DomainError
from core.models import AuditEntry
from purse.ledger.models import Account, Entry, LedgerTransaction
from purse.ledger.selectors import hold_state
from purse.ledger.services import (
    AlreadyResolved,
    Leg,
    NotEnoughMoney,
    hold_capture,
    hold_place,
    hold_void,
    transaction_reverse,
    transfer,
)

from .conftest import assert_books_balance, fresh, fund

pytestmark = pytest.mark.django_db


def test_a_hold_then_a_capture_pays_what_was_delivered_and_frees_the_rest(purse, payable, funding):
    fund(purse, funding, 30000)
    hold = hold_place(purse=purse, payable=payable, amount_pence=4500, memo="Home care, 3 hours")

    assert fresh(purse).available_pence == 25500
    assert (fresh(purse).debits_pending, fresh(payable).credits_pending) == (4500, 4500)
    assert hold_state(hold) == "held"

    capture = hold_capture(hold=hold, amount_pence=2250)  # 1.5 hours delivered

    purse, payable = fresh(purse), fresh(payable)
    assert purse.available_pence == 30000 - 2250
    assert (purse.debits_pending, purse.debits_posted) == (0, 2250)
    assert (payable.credits_pending, payable.credits_posted) == (0, 2250)
    assert (capture.resolves, hold_state(hold)) == (hold, "captured")
    entry = AuditEntry.objects.get(action="ledger.capture")
    assert entry.object_id == str(capture.public_id)
    assert (entry.detail["held_pence"], entry.detail["released_pence"]) == (4500, 2250)
    assert_books_balance()


def test_a_hold_resolves_once_and_never_for_more_than_was_held(purse, payable, funding):
    fund(purse, funding, 10000)
    hold = hold_place(purse=purse, payable=payable, amount_pence=3000)

    with pytest.raises(DomainError, match="more than the £30 held for it"):
        hold_capture(hold=hold, amount_pence=3001)
    hold_void(hold=hold, memo="Declined by the provider")
    with pytest.raises(AlreadyResolved, match="already released"):
        hold_capture(hold=hold, amount_pence=1000)
    with pytest.raises(AlreadyResolved):
        hold_void(hold=hold)

    assert fresh(purse).available_pence == 10000
    assert hold_state(hold) == "released"
    # The database keeps the rule too: a second resolution of the same hold.
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerTransaction.objects.create(kind="release", status="voided", resolves=hold)
    assert_books_balance()


def test_not_enough_money_is_refused_in_words_and_writes_nothing(purse, payable, funding):
    fund(purse, funding, 5000)
    hold_place(purse=purse, payable=payable, amount_pence=4000)
    before = (LedgerTransaction.objects.count(), Entry.objects.count(), AuditEntry.objects.count())

    with pytest.raises(NotEnoughMoney) as refused:
        hold_place(purse=purse, payable=payable, amount_pence=1001)

    assert refused.value.detail == (
        "There is not enough money in the purse: £10 is available and this needs £10.01."
    )
    assert (
        LedgerTransaction.objects.count(),
        Entry.objects.count(),
        AuditEntry.objects.count(),
    ) == before
    # Spending exactly what is available is fine.
    hold_place(purse=purse, payable=payable, amount_pence=1000)
    assert fresh(purse).available_pence == 0
    assert_books_balance()


def test_the_database_refuses_a_purse_below_nothing(purse, funding):
    fund(purse, funding, 100)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=purse.pk).update(debits_posted=101)
    assert fresh(purse).debits_posted == 0


def test_entries_and_transactions_never_change(purse, funding):
    fund(purse, funding, 100)
    attempts = [
        lambda: Entry.objects.all().delete(),
        lambda: Entry.objects.update(amount_pence=1),
        lambda: _sql("DELETE FROM ledger_transaction"),
        lambda: _sql("SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE ledger_entry CASCADE"),
        lambda: LedgerTransaction.objects.update(memo="changed"),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            attempt()
    assert [e.amount_pence for e in Entry.objects.all()] == [100, 100]


def _sql(statement: str, params: list[int] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _unbalanced(purse, funding) -> None:
    with transaction.atomic():
        txn = LedgerTransaction.objects.create(kind="topup", status="posted")
        Entry.objects.bulk_create(
            [
                Entry(transaction=txn, account=purse, side="C", amount_pence=500),
                Entry(transaction=txn, account=funding, side="D", amount_pence=499),
            ]
        )


def _added_later(purse, funding) -> None:
    txn = transfer(kind="topup", legs=[Leg(funding, purse, 100)])
    with transaction.atomic():
        Entry.objects.create(transaction=txn, account=purse, side="C", amount_pence=1)


def test_an_unbalanced_transaction_is_refused(purse, funding):
    with pytest.raises(IntegrityError, match="does not balance"):
        _unbalanced(purse, funding)
    assert not LedgerTransaction.objects.exists()
    # Nor can an entry be added to a transaction that balanced.
    with pytest.raises(IntegrityError, match="does not balance"):
        _added_later(purse, funding)
    assert Entry.objects.count() == 2


def test_entries_must_name_a_transaction_and_accounts_that_exist(purse, funding):
    txn = LedgerTransaction.objects.create(kind="topup", status="posted")
    insert = (
        "INSERT INTO ledger_entry (transaction_id, account_id, side, amount_pence)"
        " VALUES (%s, %s, 'D', 5), (%s, %s, 'C', 5)"
    )
    nowhere = [
        [txn.pk, funding.pk, txn.pk, 999999],  # no such account
        [999999, funding.pk, 999999, purse.pk],  # no such transaction
    ]
    for params in nowhere:
        with pytest.raises(IntegrityError, match="does not exist"), transaction.atomic():
            _sql(insert, params)
    assert not Entry.objects.exists()


def test_accounts_are_never_deleted_or_renumbered(purse, funding):
    fund(purse, funding, 100)
    attempts = [
        lambda: _sql("DELETE FROM ledger_account WHERE id = %s", [purse.pk]),
        lambda: _sql("UPDATE ledger_account SET id = 999999 WHERE id = %s", [purse.pk]),
        lambda: _sql("SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE ledger_account CASCADE"),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            attempt()
    # Balances still move.
    fund(purse, funding, 50)
    assert fresh(purse).available_pence == 150


def test_a_new_councils_accounts_keep_room_for_balance_updates(council):
    # The schema is cloned from the template; the table's fillfactor comes with it.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE oid = %s::regclass",
            [f'"{council.slug}".ledger_account'],
        )
        assert cursor.fetchone()[0] == ["fillfactor=45"]


def test_a_key_moves_money_once(purse, funding):
    first = transfer(kind="topup", legs=[Leg(funding, purse, 1200)], key="topup:1:2026-11-02")
    again = transfer(kind="topup", legs=[Leg(funding, purse, 1200)], key="topup:1:2026-11-02")
    assert again == first
    assert fresh(purse).available_pence == 1200
    assert LedgerTransaction.objects.count() == 1


def test_a_reversal_mirrors_the_original_once(purse, payable, funding):
    topup = transfer(kind="topup", legs=[Leg(funding, purse, 800)])
    reversal = transaction_reverse(original=topup, memo="Paid in error")
    assert (reversal.reverses, fresh(purse).available_pence) == (topup, 0)
    with pytest.raises(AlreadyResolved):
        transaction_reverse(original=topup)
    # A reversal that would take a purse below nothing is refused.
    topup = transfer(kind="topup", legs=[Leg(funding, purse, 800)])
    hold_place(purse=purse, payable=payable, amount_pence=500)
    with pytest.raises(NotEnoughMoney):
        transaction_reverse(original=topup)
    assert_books_balance()


def test_bad_amounts_are_refused(purse, payable, funding):
    for amount in (0, -5, 1.5, True):
        with pytest.raises(DomainError):
            transfer(kind="topup", legs=[Leg(funding, purse, amount)])  # type: ignore[arg-type]
    with pytest.raises(DomainError, match="two different accounts"):
        transfer(kind="topup", legs=[Leg(purse, purse, 5)])
    assert not LedgerTransaction.objects.exists()
