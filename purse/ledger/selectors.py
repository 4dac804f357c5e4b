"""Reads of the ledger: balances worked out again from the entries (to check the
cached ones), a purse's figures, a hold's state."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from .models import Account, LedgerTransaction


@dataclass(frozen=True)
class Balances:
    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0


def balances_from_entries() -> dict[int, Balances]:
    """Every account's balances summed from its entries: posted transactions count as
    posted; holds count as pending until something resolves them."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT e.account_id,
                   COALESCE(SUM(e.amount_pence) FILTER (WHERE e.side = 'D' AND posted), 0),
                   COALESCE(SUM(e.amount_pence) FILTER (WHERE e.side = 'C' AND posted), 0),
                   COALESCE(SUM(e.amount_pence) FILTER (WHERE e.side = 'D' AND held), 0),
                   COALESCE(SUM(e.amount_pence) FILTER (WHERE e.side = 'C' AND held), 0)
              FROM (
                SELECT e.*, t.status = 'posted' AS posted,
                       t.status = 'pending' AND r.id IS NULL AS held
                  FROM ledger_entry e
                  JOIN ledger_transaction t ON t.id = e.transaction_id
                  LEFT JOIN ledger_transaction r ON r.resolves_id = t.id
              ) e
             GROUP BY e.account_id
            """
        )
        return {row[0]: Balances(*row[1:]) for row in cursor.fetchall()}


def balances_cached() -> dict[int, Balances]:
    return {
        a.pk: Balances(a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending)
        for a in Account.objects.all()
        if (a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending) != (0, 0, 0, 0)
    }


def hold_state(hold: LedgerTransaction) -> str:
    """ "held", "captured" or "released"."""
    resolution = LedgerTransaction.objects.filter(resolves=hold).first()
    if resolution is None:
        return "held"
    return "captured" if resolution.status == LedgerTransaction.Status.POSTED else "released"
