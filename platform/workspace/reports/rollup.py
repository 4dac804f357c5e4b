"""The reports' rollup of the ledger, kept up to date as it is read.

Ledger transactions are never changed or deleted, so what the ledger captured can be
summed into monthly rows once, and each new transaction added as it appears. Each
report first folds in what is new (usually nothing, or a handful: milliseconds) and
then reads the monthly rows, so a year of a council with 10,000 budget holders is a
few thousand rows to add up, not millions of entries.

What is new: ids come from a sequence, but transactions commit in any order, so one
can become visible after another with a higher id was folded. The fold therefore
remembers the ids it folded near the top (FoldedTransaction: within WINDOW ids of the
highest) and takes every relevant transaction in that range it has not folded. A
transaction is folded exactly once provided it commits before WINDOW more ids are
drawn (the ledger's writes commit within milliseconds of drawing their id, and the
largest batch, a top-up run's, draws 10,000).

One fold at a time in a council (an advisory lock): a second waits for the first and
then finds nothing left to do.
"""

from __future__ import annotations

from django.db import connection, transaction

from catalogue.models import Service
from purse.ledger.models import Account, Entry, LedgerTransaction
from purse.models import Person
from purse.orders.models import Order, Visit

from ..models import FoldedTransaction, LedgerFold, PurseMonth, SpendMonth

WINDOW = 100_000
FOLD_LOCK = 0x7265706F  # "repo": with the schema, one fold at a time in a council

# The postcode district ("NM1" of "NM1 2AB"): the outward code, everything before the
# last three characters once spaces are gone; "" for no postcode.
_DISTRICT = (
    "CASE WHEN coalesce(btrim(p.postcode), '') = '' THEN '' "
    "ELSE left(upper(replace(p.postcode, ' ', '')), "
    "greatest(length(replace(p.postcode, ' ', '')) - 3, 1)) END"
)
_MONTH = "(date_trunc('month', x.created_at AT TIME ZONE 'Europe/London'))::date"

_T = {
    "txn": LedgerTransaction._meta.db_table,
    "entry": Entry._meta.db_table,
    "account": Account._meta.db_table,
    "visit": Visit._meta.db_table,
    "order": Order._meta.db_table,
    "person": Person._meta.db_table,
    "spend": SpendMonth._meta.db_table,
    "purses": PurseMonth._meta.db_table,
    "fold": LedgerFold._meta.db_table,
    "folded": FoldedTransaction._meta.db_table,
    "service": Service._meta.db_table,
}

_FRESH = """
    CREATE TEMP TABLE reports_fresh ON COMMIT DROP AS
    SELECT t.id, t.kind, t.created_at, t.resolves_id, t.reverses_id
      FROM {txn} t
     WHERE t.id > %(floor)s AND t.status = 'posted'
       AND t.kind IN ('capture', 'reversal', 'topup', 'one_off')
       AND NOT EXISTS (SELECT 1 FROM {folded} f WHERE f.id = t.id)
"""

# Payments (captures: the money debited from the purse) and refunds (reversals of a
# capture: the money given back), each traced through the hold to its visit and order.
_SPEND = f"""
    INSERT INTO {{spend}} AS r (month, category_id, service_id, provider_id, district, unit,
                             paid_pence, payments, units_centi, refunded_pence, refunds)
    SELECT {_MONTH}, s.category_id, o.service_id, o.provider_id,
           CASE WHEN o.id IS NULL THEN NULL ELSE {_DISTRICT} END, o.unit,
           coalesce(sum(x.paid), 0), count(x.paid),
           coalesce(sum(v.delivered_units_centi) FILTER (WHERE x.paid IS NOT NULL), 0),
           coalesce(sum(x.refund), 0), count(x.refund)
      FROM (
        SELECT f.created_at, f.resolves_id AS hold_id, e.amount_pence AS paid,
               NULL::bigint AS refund
          FROM reports_fresh f JOIN {{entry}} e ON e.transaction_id = f.id AND e.side = 'D'
         WHERE f.kind = 'capture'
        UNION ALL
        SELECT f.created_at, c.resolves_id, NULL, e.amount_pence
          FROM reports_fresh f
          JOIN {{txn}} c ON c.id = f.reverses_id AND c.kind = 'capture'
          JOIN {{entry}} e ON e.transaction_id = f.id AND e.side = 'D'
         WHERE f.kind = 'reversal'
      ) x
      LEFT JOIN {{visit}} v ON v.hold_id = x.hold_id
      LEFT JOIN {{order}} o ON o.id = v.order_id
      LEFT JOIN {{service}} s ON s.id = o.service_id
      LEFT JOIN {{person}} p ON p.id = o.person_id
     GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (month, category_id, service_id, provider_id, district, unit) DO UPDATE
       SET paid_pence = r.paid_pence + EXCLUDED.paid_pence,
           payments = r.payments + EXCLUDED.payments,
           units_centi = r.units_centi + EXCLUDED.units_centi,
           refunded_pence = r.refunded_pence + EXCLUDED.refunded_pence,
           refunds = r.refunds + EXCLUDED.refunds
"""  # noqa: S608 - constant SQL: table names from the models, values bound

# Purses the council paid into (top-ups, one-off payments) and purses that paid for care.
_PURSES = f"""
    INSERT INTO {{purses}} AS r (month, account_id, topped_up, paid)
    SELECT {_MONTH}, e.account_id, bool_or(x.kind <> 'capture'), bool_or(x.kind = 'capture')
      FROM reports_fresh x
      JOIN {{entry}} e ON e.transaction_id = x.id
      JOIN {{account}} a ON a.id = e.account_id AND a.kind = 'purse'
     WHERE (x.kind IN ('topup', 'one_off') AND e.side = 'C')
        OR (x.kind = 'capture' AND e.side = 'D')
     GROUP BY 1, 2
    ON CONFLICT (month, account_id) DO UPDATE
       SET topped_up = r.topped_up OR EXCLUDED.topped_up, paid = r.paid OR EXCLUDED.paid
"""  # noqa: S608 - constant SQL

_STEPS = [
    _SPEND.format(**_T),
    _PURSES.format(**_T),
    """
    INSERT INTO {folded} (id)
    SELECT id FROM reports_fresh WHERE id > %(through)s - %(window)s
    """.format(**_T),  # noqa: S608 - constant SQL
    "DELETE FROM {folded} WHERE id <= %(through)s - %(window)s".format(**_T),  # noqa: S608
]


def ledger_fold() -> int:
    """Add to the rollup every relevant ledger transaction not yet in it; returns how
    many were added."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # compiling costs more than these statements
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))", [FOLD_LOCK])
        fold, _ = LedgerFold.objects.get_or_create(pk=1)
        cursor.execute(_FRESH.format(**_T), {"floor": fold.through_id - WINDOW})
        cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM reports_fresh")
        count, highest = cursor.fetchone()
        if count:
            through = max(fold.through_id, highest)
            for step in _STEPS:
                cursor.execute(step, {"through": through, "window": WINDOW})
            LedgerFold.objects.filter(pk=1).update(through_id=through)
        cursor.execute("DROP TABLE reports_fresh")
    return int(count)
