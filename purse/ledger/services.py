"""Every movement of money goes through here (BRIEF §3.4).

Each function runs in one database transaction: it locks the accounts it touches in
primary-key order (except the tenant's shared accounts: funding, clearing and the like
are never row-locked on the per-order path, only updated, in pk order, at the end),
checks what the money allows, writes the transaction and its entries, updates the
cached balances and writes an audit entry naming the transaction and who acted. The
database refuses what the code must never do: unbalanced transactions, changed or
deleted entries, a purse below nothing, a hold resolved twice.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from core.errors import DomainError
from core.money import format_pence
from core.services import SYSTEM, Origin, audit_record

from .models import Account, Entry, LedgerTransaction

SHARED_KINDS = frozenset(
    {
        Account.Kind.FUNDING,
        Account.Kind.CONTRIBUTIONS,
        Account.Kind.CLEARING,
        Account.Kind.PAID_OUT,
        Account.Kind.RECOVERIES,
        Account.Kind.FEES,
    }
)
Kind = LedgerTransaction.Kind
Status = LedgerTransaction.Status


class NotEnoughMoney(DomainError):
    code = "not_enough_money"
    title = "Not enough money"


class AlreadyResolved(DomainError):
    code = "already_resolved"
    title = "Already done"


@dataclass(frozen=True)
class Leg:
    """`amount_pence` leaves `debit` and arrives in `credit`."""

    debit: Account
    credit: Account
    amount_pence: int


# --- Accounts -------------------------------------------------------------------


def purse_open(*, person: Any) -> Account:
    """The person's purse, made the first time it is needed."""
    account, _ = Account.objects.get_or_create(
        person=person,
        defaults={
            "kind": Account.Kind.PURSE,
            "code": f"purse:{person.public_id}",
            "must_not_go_negative": True,
        },
    )
    return account


def payable_open(*, provider_id: Any) -> Account:
    """What this council owes one provider (a catalogue.Provider id)."""
    account, _ = Account.objects.get_or_create(
        provider_id=provider_id,
        defaults={"kind": Account.Kind.PAYABLE, "code": f"payable:{provider_id}"},
    )
    return account


def shared_account(kind: str) -> Account:
    """The tenant's one account of a shared kind (made by the ledger's migration)."""
    return Account.objects.get(code=kind)


# --- Moving money ---------------------------------------------------------------


def _lock(accounts: Iterable[Account]) -> dict[int, Account]:
    """Lock the accounts that are not shared, in primary-key order (so two transfers
    never wait for each other in a circle), and return them fresh."""
    pks = sorted({a.pk for a in accounts if a.kind not in SHARED_KINDS})
    return {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=pks).order_by("pk")}


def _need(locked: dict[int, Account], outgoing: dict[int, int]) -> None:
    """Refuse, in words, a movement that would leave a purse with less than nothing."""
    for pk, amount in outgoing.items():
        account = locked.get(pk)
        if account is None or not account.must_not_go_negative:
            continue
        if amount > account.available_pence:
            raise NotEnoughMoney(
                f"There is not enough money in the purse: {format_pence(account.available_pence)} "
                f"is available and this needs {format_pence(amount)}."
            )


def _apply(deltas: dict[int, dict[str, int]]) -> None:
    for pk in sorted(deltas):
        changes: dict[str, Any] = {name: F(name) + value for name, value in deltas[pk].items()}
        Account.objects.filter(pk=pk).update(**changes, version=F("version") + 1)


def _write(
    *,
    kind: str,
    status: str,
    legs: Sequence[Leg],
    releases: LedgerTransaction | None = None,
    reverses: LedgerTransaction | None = None,
    key: str | None,
    memo: str,
    actor: Any,
    origin: Origin,
    audit: dict[str, Any] | None = None,
) -> LedgerTransaction:
    """Write one transaction with its entries and move the cached balances; `releases`
    is a hold whose pending amounts this transaction takes off."""
    txn = LedgerTransaction.objects.create(
        kind=kind,
        status=status,
        resolves=releases,
        reverses=reverses,
        key=key,
        memo=memo[:300],
        actor_id=actor.public_id if getattr(actor, "is_authenticated", False) else None,
    )
    bucket = "pending" if status == Status.PENDING else "posted"
    deltas: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    entries: list[Entry] = []
    for leg in legs:
        entries.append(
            Entry(transaction=txn, account=leg.debit, side="D", amount_pence=leg.amount_pence)
        )
        entries.append(
            Entry(transaction=txn, account=leg.credit, side="C", amount_pence=leg.amount_pence)
        )
        deltas[leg.debit.pk][f"debits_{bucket}"] += leg.amount_pence
        deltas[leg.credit.pk][f"credits_{bucket}"] += leg.amount_pence
    if releases is not None:
        for entry in releases.entries.all():
            side = "debits" if entry.side == "D" else "credits"
            deltas[entry.account_id][f"{side}_pending"] -= entry.amount_pence
    Entry.objects.bulk_create(entries)
    _apply(deltas)
    audit_record(
        action=f"ledger.{kind}",
        actor=actor,
        obj=txn,
        origin=origin,
        acting_for_id=_purse_owner(legs, releases),
        detail={
            "status": status,
            "amount_pence": sum(leg.amount_pence for leg in legs),
            "legs": [[leg.debit.code, leg.credit.code, leg.amount_pence] for leg in legs],
            **({"resolves": str(releases.public_id)} if releases else {}),
            **({"reverses": str(reverses.public_id)} if reverses else {}),
            **(audit or {}),
        },
    )
    return txn


def _purse_owner(legs: Sequence[Leg], releases: LedgerTransaction | None) -> uuid.UUID | None:
    """The person whose purse the money moves in or out of (for "done by X for Y"):
    a purse's code carries its owner's public id."""
    accounts: Iterable[Account] = [a for leg in legs for a in (leg.debit, leg.credit)]
    if releases is not None and not legs:  # a release: the hold's accounts
        accounts = [e.account for e in releases.entries.select_related("account")]
    for account in accounts:
        if account.kind == Account.Kind.PURSE:
            return uuid.UUID(account.code.removeprefix("purse:"))
    return None


def _legs_check(legs: Sequence[Leg]) -> None:
    if not legs:
        raise DomainError("A transaction moves some money: give at least one amount")
    for leg in legs:
        if not isinstance(leg.amount_pence, int) or isinstance(leg.amount_pence, bool):
            raise DomainError("Amounts are whole numbers of pence")
        if leg.amount_pence <= 0:
            raise DomainError("Each amount must be more than £0")
        if leg.debit.pk == leg.credit.pk:
            raise DomainError("Money must move between two different accounts")


def _outgoing(legs: Sequence[Leg]) -> dict[int, int]:
    outgoing: dict[int, int] = defaultdict(int)
    for leg in legs:
        outgoing[leg.debit.pk] += leg.amount_pence
    return outgoing


def _existing(key: str | None) -> LedgerTransaction | None:
    return LedgerTransaction.objects.filter(key=key).first() if key else None


def transfer(
    *,
    kind: str,
    legs: Sequence[Leg],
    key: str | None = None,
    memo: str = "",
    actor: Any = None,
    origin: Origin = SYSTEM,
    pending: bool = False,
    audit: dict[str, Any] | None = None,
) -> LedgerTransaction:
    """Move money now (posted), or hold it (`pending`). With a `key`, a second call
    with the same key moves nothing and returns the first transaction."""
    _legs_check(legs)
    with transaction.atomic():
        if (done := _existing(key)) is not None:
            return done
        locked = _lock([account for leg in legs for account in (leg.debit, leg.credit)])
        # A retry with this key may have finished while this one waited for the locks.
        if (done := _existing(key)) is not None:
            return done
        _need(locked, _outgoing(legs))
        try:
            with transaction.atomic():
                return _write(
                    kind=kind,
                    status=Status.PENDING if pending else Status.POSTED,
                    legs=legs,
                    key=key,
                    memo=memo,
                    actor=actor,
                    origin=origin,
                    audit=audit,
                )
        except IntegrityError:
            # The same key, written meanwhile by another request: that one stands.
            if (done := _existing(key)) is not None:
                return done
            raise


def hold_place(
    *,
    purse: Account,
    payable: Account,
    amount_pence: int,
    key: str | None = None,
    memo: str = "",
    actor: Any = None,
    origin: Origin = SYSTEM,
) -> LedgerTransaction:
    """Hold money in a purse for an order: it stops being available, and is owed to
    the provider only when captured."""
    return transfer(
        kind=Kind.HOLD,
        legs=[Leg(purse, payable, amount_pence)],
        key=key,
        memo=memo,
        actor=actor,
        origin=origin,
        pending=True,
    )


def hold_amount(hold: LedgerTransaction) -> int:
    total = hold.entries.filter(side="D").aggregate(total=Sum("amount_pence"))["total"]
    return int(total or 0)


def _resolvable(hold: LedgerTransaction) -> tuple[LedgerTransaction, list[Entry]]:
    """The hold and its entries, with its accounts locked; refused if it is not an
    open hold."""
    hold = LedgerTransaction.objects.get(pk=hold.pk)
    if hold.status != Status.PENDING:
        raise DomainError("Only held money can be paid or released")
    entries = list(hold.entries.select_related("account"))
    _lock(entry.account for entry in entries)
    if (done := LedgerTransaction.objects.filter(resolves=hold).first()) is not None:
        verb = "paid" if done.status == Status.POSTED else "released"
        raise AlreadyResolved(f"This money was already {verb}")
    return hold, entries


def hold_capture(
    *,
    hold: LedgerTransaction,
    amount_pence: int,
    actor: Any = None,
    origin: Origin = SYSTEM,
    memo: str = "",
) -> LedgerTransaction:
    """Pay for what was delivered: at most what was held; the rest goes back to the
    purse. Capturing nothing releases the hold instead."""
    if not isinstance(amount_pence, int) or isinstance(amount_pence, bool) or amount_pence < 0:
        raise DomainError("The amount delivered is a whole number of pence, £0 or more")
    if amount_pence == 0:
        return hold_void(hold=hold, actor=actor, origin=origin, memo=memo or "Nothing delivered")
    with transaction.atomic():
        hold, entries = _resolvable(hold)
        held = sum(e.amount_pence for e in entries if e.side == "D")
        if amount_pence > held:
            raise DomainError(
                f"The amount for the care delivered, {format_pence(amount_pence)}, is more than "
                f"the {format_pence(held)} held for it"
            )
        [debit] = [e.account for e in entries if e.side == "D"]
        [credit] = [e.account for e in entries if e.side == "C"]
        try:
            with transaction.atomic():
                return _write(
                    kind=Kind.CAPTURE,
                    status=Status.POSTED,
                    legs=[Leg(debit, credit, amount_pence)],
                    releases=hold,
                    key=None,
                    memo=memo,
                    actor=actor,
                    origin=origin,
                    audit={"held_pence": held, "released_pence": held - amount_pence},
                )
        except IntegrityError:
            if LedgerTransaction.objects.filter(resolves=hold).exists():
                raise AlreadyResolved("This money was already paid or released") from None
            raise


def hold_void(
    *,
    hold: LedgerTransaction,
    actor: Any = None,
    origin: Origin = SYSTEM,
    memo: str = "",
    expired: bool = False,
) -> LedgerTransaction:
    """Release held money back to the purse (a declined or cancelled order, or an
    expired hold)."""
    with transaction.atomic():
        hold, entries = _resolvable(hold)
        try:
            with transaction.atomic():
                return _write(
                    kind=Kind.EXPIRY if expired else Kind.RELEASE,
                    status=Status.VOIDED,
                    legs=[],
                    releases=hold,
                    key=None,
                    memo=memo,
                    actor=actor,
                    origin=origin,
                    audit={"released_pence": sum(e.amount_pence for e in entries if e.side == "D")},
                )
        except IntegrityError:
            if LedgerTransaction.objects.filter(resolves=hold).exists():
                raise AlreadyResolved("This money was already paid or released") from None
            raise


def transaction_reverse(
    *,
    original: LedgerTransaction,
    actor: Any = None,
    origin: Origin = SYSTEM,
    memo: str = "",
) -> LedgerTransaction:
    """Undo a posted transaction with its mirror image, linked to it (once only)."""
    if original.status != Status.POSTED or original.kind == Kind.REVERSAL:
        raise DomainError("Only posted money movements can be reversed, and not a reversal")
    entries = list(original.entries.select_related("account").order_by("pk"))
    debits = [e for e in entries if e.side == "D"]
    credits = [e for e in entries if e.side == "C"]
    # Mirror each pair of the original's legs (entries were written a debit, then its credit).
    legs = [Leg(c.account, d.account, d.amount_pence) for d, c in zip(debits, credits, strict=True)]
    with transaction.atomic():
        if LedgerTransaction.objects.filter(reverses=original).exists():
            raise AlreadyResolved("This was already reversed")
        locked = _lock([account for leg in legs for account in (leg.debit, leg.credit)])
        _need(locked, _outgoing(legs))
        try:
            with transaction.atomic():
                return _write(
                    kind=Kind.REVERSAL,
                    status=Status.POSTED,
                    legs=legs,
                    reverses=original,
                    key=None,
                    memo=memo,
                    actor=actor,
                    origin=origin,
                )
        except IntegrityError:
            if LedgerTransaction.objects.filter(reverses=original).exists():
                raise AlreadyResolved("This was already reversed") from None
            raise
