"""Money into purses: one-off payments, the person's own contributions and the
scheduled top-ups."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from accounts.models import User
from accounts.permissions import FINANCE_MANAGE, user_has_permission
from core.errors import DomainError, ValidationFailed
from core.services import SYSTEM, Origin
from purse.ledger.models import Account, LedgerTransaction
from purse.ledger.services import Leg, purse_open, shared_account, transfer
from purse.models import Budget

MAX_ONE_OFF_PENCE = 10_000_000  # £100,000: more is surely a typing slip


def _money_in(
    *,
    budget: Budget,
    amount_pence: Any,
    reason: str,
    by: User,
    origin: Origin,
    kind: str,
    source: str,
    reason_missing: str,
) -> LedgerTransaction:
    """Move money into the person's purse from one of the council's shared accounts,
    as a finance officer, after checking the amount and the reason in words."""
    if not user_has_permission(by, FINANCE_MANAGE):
        raise DomainError("Only a finance officer can pay money into a purse.")
    errors: dict[str, list[str]] = {}
    if (
        not isinstance(amount_pence, int)
        or isinstance(amount_pence, bool)
        or not 0 < amount_pence <= MAX_ONE_OFF_PENCE
    ):
        errors["amount_pence"] = ["Enter an amount in pence, more than £0 and at most £100,000"]
    if not str(reason).strip():
        errors["reason"] = [reason_missing]
    if errors:
        raise ValidationFailed("The payment was not made.", field_errors=errors)
    if budget.status != Budget.Status.ACTIVE:
        raise DomainError("Payments go only into a purse with an active budget.")
    return transfer(
        kind=kind,
        legs=[Leg(shared_account(source), purse_open(person=budget.person), amount_pence)],
        memo=str(reason).strip(),
        actor=by,
        origin=origin,
        audit={"budget": budget.pk},
    )


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
    return _money_in(
        budget=budget,
        amount_pence=amount_pence,
        reason=reason,
        by=by,
        origin=origin,
        kind=LedgerTransaction.Kind.ONE_OFF,
        source=Account.Kind.FUNDING,
        reason_missing="Say what the payment is for: the person will see it",
    )


def contribution_record(
    *,
    budget: Budget,
    amount_pence: Any,
    reason: str,
    by: User,
    origin: Origin = SYSTEM,
) -> LedgerTransaction:
    """Record the person's own contribution, paid in by them (their top-ups are the
    budget less the contribution), into their purse. Finance officers only; `reason`
    is what identifies the payment, e.g. its bank reference."""
    return _money_in(
        budget=budget,
        amount_pence=amount_pence,
        reason=reason,
        by=by,
        origin=origin,
        kind=LedgerTransaction.Kind.CONTRIBUTION,
        source=Account.Kind.CONTRIBUTIONS,
        reason_missing="Give the payment's reference, e.g. from the bank statement",
    )


# --- Top-ups --------------------------------------------------------------------

# Each budget's cycles run every `topup_cycle_weeks` (its plan's rules version) from its
# first top-up date, up to its last day. A cycle is due on its first day (in advance)
# or once its last day has passed (in arrears). It pays the council's share of the
# weekly budget (the budget less the person's contribution) for each week; a cycle the
# budget ends part-way through pays for its days only, rounded down to the penny. Each
# cycle's key ("topup:<budget>:<first day>") is unique in the ledger, so a cycle is
# paid once however often the run goes.
_DUE = """
WITH budgets AS (
    SELECT b.id AS budget_id, b.first_topup_on, b.ends_on, a.id AS purse_id,
           b.weekly_pence - p.person_contribution_weekly_pence AS weekly_share,
           rv.topup_cycle_weeks AS weeks, rv.topup_timing AS timing
      FROM purse_budget b
      JOIN purse_supportplan p ON p.id = b.plan_id
      JOIN budget_rules_rulesversion rv ON rv.id = p.rules_version_id
      JOIN ledger_account a ON a.person_id = b.person_id
     WHERE b.first_topup_on <= %(on)s
       AND b.id > %(after)s AND b.id <= %(upto)s
),
cycles AS (
    SELECT budgets.*, s.start::date AS start,
           LEAST(s.start::date + weeks * 7 - 1, COALESCE(ends_on, s.start::date + weeks * 7 - 1))
               AS pays_to
      FROM budgets,
           LATERAL generate_series(
               first_topup_on::timestamp, LEAST(%(on)s, COALESCE(ends_on, %(on)s))::timestamp,
               make_interval(days => weeks * 7)) AS s(start)
),
due AS (
    SELECT budget_id, purse_id, start, pays_to,
           CASE WHEN pays_to - start + 1 = weeks * 7 THEN weekly_share * weeks
                ELSE weekly_share * (pays_to - start + 1) / 7 END AS amount_pence,
           'topup:' || budget_id || ':' || to_char(start, 'YYYY-MM-DD') AS key
      FROM cycles
     WHERE weekly_share > 0
       AND (timing = 'advance' OR pays_to < %(on)s)
)
"""

# Constant SQL put together from constant parts; every value is a bound parameter.
_PREVIEW = (
    _DUE  # noqa: S608
    + """
SELECT budget_id, start, pays_to, amount_pence FROM due
 WHERE NOT EXISTS (SELECT 1 FROM ledger_transaction t WHERE t.key = due.key)
 ORDER BY budget_id, start
"""
)

_RUN = (
    _DUE  # noqa: S608
    + """,
fresh AS (
    -- Each top-up's transaction id is drawn here, so its entries, balances and audit
    -- need no join back to the rows the INSERT returns.
    SELECT nextval(%(sequence)s::regclass) AS txn_id, gen_random_uuid() AS public_id, due.*
      FROM due
     WHERE NOT EXISTS (SELECT 1 FROM ledger_transaction t WHERE t.key = due.key)
),
txn AS (
    -- No ON CONFLICT: runs in a council take turns (RUN_LOCK) and this run's snapshot
    -- sees every key the last one wrote; a key written some other way fails the
    -- batch on the unique index, and nothing in it is paid.
    INSERT INTO ledger_transaction (id, public_id, kind, status, key, memo, created_at)
    SELECT txn_id, public_id, 'topup', 'posted', key,
           'Top-up for ' || to_char(start, 'FMDD FMMonth YYYY') || ' to '
               || to_char(pays_to, 'FMDD FMMonth YYYY'),
           now()
      FROM fresh
),
entries AS (
    INSERT INTO ledger_entry (transaction_id, account_id, side, amount_pence)
    SELECT txn_id, %(funding)s, 'D', amount_pence FROM fresh
    UNION ALL
    SELECT txn_id, purse_id, 'C', amount_pence FROM fresh
),
purses AS (
    UPDATE ledger_account acc
       SET credits_posted = acc.credits_posted + m.total, version = acc.version + 1
      FROM (SELECT purse_id, SUM(amount_pence) AS total FROM fresh GROUP BY purse_id) m
     WHERE acc.id = m.purse_id
),
funding AS (
    UPDATE ledger_account
       SET debits_posted = debits_posted + (SELECT COALESCE(SUM(amount_pence), 0) FROM fresh),
           version = version + 1
     WHERE id = %(funding)s AND EXISTS (SELECT 1 FROM fresh)
),
audit AS (
    -- One entry per batch, naming every transaction it made (each one's key and memo
    -- say the budget and the days it pays for): a row per top-up would cost more than
    -- the top-up itself.
    INSERT INTO core_auditentry (occurred_at, actor_label, acting_for_label, action,
                                 object_type, object_id, result, user_agent, detail)
    SELECT now(), %(actor)s, '', 'ledger.topup_batch', 'purse.ledgertransaction',
           '', 'success', '',
           jsonb_build_object('status', 'posted', 'run_on', %(on)s, 'topups', count(*),
                              'amount_pence', SUM(amount_pence),
                              'transactions', jsonb_agg(public_id ORDER BY txn_id))
      FROM fresh
    HAVING count(*) > 0
)
SELECT count(*), COALESCE(SUM(amount_pence), 0)::bigint FROM fresh
"""
)

RUN_LOCK = 0x746F7075  # "topu": with the schema, one top-up run at a time in a council
_LOCK_PURSES = """
SELECT a.id FROM ledger_account a JOIN purse_budget b ON b.person_id = a.person_id
 WHERE b.id > %(after)s AND b.id <= %(upto)s
 ORDER BY a.id FOR UPDATE OF a
"""
BATCH_BUDGETS = 10_000


@dataclass(frozen=True)
class TopupDue:
    budget_id: int
    starts: dt.date
    ends: dt.date
    amount_pence: int


@dataclass(frozen=True)
class TopupRun:
    on: dt.date
    topups: int
    total_pence: int


def _bounds() -> list[tuple[int, int]]:
    """Budget id ranges of at most BATCH_BUDGETS budgets each."""
    ids = list(Budget.objects.order_by("pk").values_list("pk", flat=True))
    return [
        (ids[i - 1] if i else 0, ids[min(i + BATCH_BUDGETS, len(ids)) - 1])
        for i in range(0, len(ids), BATCH_BUDGETS)
    ]


def _plain_plans(cursor: Any) -> None:
    """No JIT compilation for these statements (this transaction only). Their row
    estimates (a series of cycles per budget) run far above the JIT's threshold, and
    compiling costs the best part of a second, several times what the statement does."""
    cursor.execute("SET LOCAL jit = off")


def topups_due(*, on: dt.date) -> list[TopupDue]:
    """What a run on `on` would pay, cycle by cycle (for finance to preview)."""
    rows: list[TopupDue] = []
    with transaction.atomic(), connection.cursor() as cursor:
        _plain_plans(cursor)
        for after, upto in _bounds():
            cursor.execute(_PREVIEW, {"on": on, "after": after, "upto": upto})
            rows += [TopupDue(*row) for row in cursor.fetchall()]
    return rows


def topups_run(*, on: dt.date, by: User | None = None) -> TopupRun:
    """Pay every top-up due by `on` that has not been paid: one SQL statement per batch
    of budgets, each batch its own database transaction (a batch is paid whole or not
    at all, and a later run finishes what an interrupted one left)."""
    funding = shared_account(Account.Kind.FUNDING)
    actor = by.email if by is not None else "top-up run"
    topups = total = 0
    for after, upto in _bounds():
        with transaction.atomic(), connection.cursor() as cursor:
            _plain_plans(cursor)
            cursor.execute("SELECT pg_get_serial_sequence('ledger_transaction', 'id')")
            (sequence,) = cursor.fetchone()
            # One run at a time in this council (other councils' runs go on meanwhile).
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))", [RUN_LOCK]
            )
            # The batch's purses first, in primary-key order, and the funding account only
            # after them (as every other movement of money does): never a deadlock with a
            # payment or a hold made meanwhile.
            cursor.execute(_LOCK_PURSES, {"after": after, "upto": upto})
            cursor.execute(
                _RUN,
                {
                    "on": on,
                    "after": after,
                    "upto": upto,
                    "funding": funding.pk,
                    "actor": actor,
                    "sequence": sequence,
                },
            )
            count, amount = cursor.fetchone()
            topups += count
            total += amount
    return TopupRun(on=on, topups=topups, total_pence=total)


def _cycle_amount(budget: Budget, start: dt.date, weeks: int) -> int:
    """What the cycle from `start` pays, as `_DUE` says: the council's share of the weekly
    budget, by the day (rounded down) for the cycle the budget ends in."""
    share = budget.weekly_pence - budget.plan.person_contribution_weekly_pence
    end = start + dt.timedelta(days=weeks * 7 - 1)
    if budget.ends_on is not None and budget.ends_on < end:
        return max(share * ((budget.ends_on - start).days + 1) // 7, 0)
    return share * weeks


def topup_next(*, budget: Budget, today: dt.date) -> tuple[dt.date | None, dt.date | None, int]:
    """(the current cycle's first day, the day of the next top-up, its amount), by the
    rule the run's SQL above applies; (…, None, 0) when no top-up is to come."""
    version = budget.plan.rules_version
    weeks = version.topup_cycle_weeks
    cycle = dt.timedelta(weeks=weeks)
    first = budget.first_topup_on
    if today < first:
        start, upcoming = None, first
    else:
        start = first + ((today - first) // cycle) * cycle
        upcoming = start + cycle
    # In advance, a day's top-up pays the cycle starting then; in arrears, the one
    # that has just ended (so the first is paid a cycle after the first day).
    advance = version.topup_timing == "advance"
    if not advance and upcoming - cycle < first:
        upcoming += cycle
    paid_cycle = upcoming if advance else upcoming - cycle
    if budget.ends_on is not None and paid_cycle > budget.ends_on:
        return start, None, 0
    return start, upcoming, _cycle_amount(budget, paid_cycle, weeks)


def topups_paid_through(*, budget: Budget) -> dt.date | None:
    """The last day the budget's top-ups so far pay for, or None if none was paid. (A
    replacement budget's top-ups start the day after, so no day is paid twice.)"""
    prefix = f"topup:{budget.pk}:"
    keys = LedgerTransaction.objects.filter(key__startswith=prefix).values_list("key", flat=True)
    starts = [dt.date.fromisoformat(str(key)[len(prefix) :]) for key in keys]
    if not starts:
        return None
    weeks = budget.plan.rules_version.topup_cycle_weeks
    return max(starts) + dt.timedelta(days=weeks * 7 - 1)
