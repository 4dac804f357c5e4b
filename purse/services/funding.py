"""Money into purses: one-off payments (and, with the funding run, the top-ups)."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from accounts.permissions import FINANCE_MANAGE, user_has_permission
from core.errors import DomainError, ValidationFailed
from core.services import SYSTEM, Origin
from purse.ledger.models import Account, LedgerTransaction
from purse.ledger.services import Leg, purse_open, shared_account, transfer
from purse.models import Budget

MAX_ONE_OFF_PENCE = 10_000_000  # £100,000: more is surely a typing slip


def payment_one_off(
    *,
    budget: Budget,
    amount_pence: Any,
    reason: str,
    by: User,
    origin: Origin = SYSTEM,
) -> LedgerTransaction:
    """Pay a one-off amount from the council's funding into the person's purse (say,
    equipment agreed at a review). Finance officers only."""
    if not user_has_permission(by, FINANCE_MANAGE):
        raise DomainError("Only a finance officer can make a one-off payment.")
    errors: dict[str, list[str]] = {}
    if (
        not isinstance(amount_pence, int)
        or isinstance(amount_pence, bool)
        or not 0 < amount_pence <= MAX_ONE_OFF_PENCE
    ):
        errors["amount_pence"] = ["Enter an amount in pence, more than £0 and at most £100,000"]
    if not str(reason).strip():
        errors["reason"] = ["Say what the payment is for: the person will see it"]
    if errors:
        raise ValidationFailed("The payment was not made.", field_errors=errors)
    if budget.status != Budget.Status.ACTIVE:
        raise DomainError("Payments go only into a purse with an active budget.")
    return transfer(
        kind=LedgerTransaction.Kind.ONE_OFF,
        legs=[
            Leg(
                shared_account(Account.Kind.FUNDING),
                purse_open(person=budget.person),
                amount_pence,
            )
        ],
        memo=str(reason).strip(),
        actor=by,
        origin=origin,
        audit={"budget": budget.pk},
    )
