"""Usage metered from each tenant's own ledger, with set-based SQL, into `UsageRecord`s
in the public schema.

Two metrics, per calendar month (in the platform's time zone):

- Active budget holders: the number of distinct purses credited by a posted top-up or
  one-off payment in the month. We count money arriving rather than budgets whose
  status is "active": the ledger is immutable, so the count can be recomputed and
  checked against the tenant's books at any time, whereas a budget's status is current
  state, not history (a budget ended on the 3rd was active in the month but no longer
  says so); and a person whose purse received nothing used nothing of the platform.
  Recorded once, after the month has ended, under "<tenant>:holders:<YYYY-MM>".
- Captured orders: each posted capture transaction in the month (a visit delivered and
  paid for) is one unit, under "<tenant>:orders:<ledger transaction public id>".
  A capture reversed later stays billed: the platform carried the order either way.

Every record's key is unique (ON CONFLICT DO NOTHING), so metering the same month
again, or events that were already metered, records nothing twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.models import Tenant

HOLDERS_SQL = """
SELECT count(DISTINCT e.account_id)
  FROM ledger_transaction t
  JOIN ledger_entry e ON e.transaction_id = t.id AND e.side = 'C'
  JOIN ledger_account a ON a.id = e.account_id AND a.kind = 'purse'
 WHERE t.kind IN ('topup', 'one_off')
   AND t.status = 'posted'
   AND t.created_at >= %(start)s AND t.created_at < %(end)s
"""

CAPTURES_SQL = """
INSERT INTO public.billing_usagerecord
       (tenant_id, metric, period_start, quantity, key, source_id, occurred_at, created_at)
SELECT %(tenant)s, 'orders', %(period)s, 1, %(prefix)s || t.public_id::text, t.public_id,
       t.created_at, now()
  FROM ledger_transaction t
 WHERE t.kind = 'capture'
   AND t.status = 'posted'
   AND t.created_at >= %(start)s AND t.created_at < %(end)s
ON CONFLICT (key) DO NOTHING
"""

HOLDERS_INSERT_SQL = """
INSERT INTO public.billing_usagerecord
       (tenant_id, metric, period_start, quantity, key, source_id, occurred_at, created_at)
VALUES (%(tenant)s, 'holders', %(period)s, %(quantity)s, %(key)s, NULL, %(end)s, now())
ON CONFLICT (key) DO NOTHING
"""


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_after(period: dt.date) -> dt.date:
    return (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_before(period: dt.date) -> dt.date:
    return month_start(period.replace(day=1) - dt.timedelta(days=1))


def period_bounds(period: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month's first instant and the next month's, in the platform's time zone."""
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(period, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(month_after(period), dt.time(), tzinfo=zone)
    return start, end


def period_key(period: dt.date) -> str:
    return f"{period:%Y-%m}"


def usage_key(*, tenant: Tenant, metric: str, suffix: str) -> str:
    return f"{tenant.schema_name}:{metric}:{suffix}"


@dataclass(frozen=True)
class Metered:
    holders: int | None  # None: the month has not ended, so not counted yet
    holders_recorded: bool  # False when the month's count was already recorded
    orders_recorded: int  # captures newly recorded by this run


def usage_meter(*, tenant: Tenant, period: dt.date, now: dt.datetime | None = None) -> Metered:
    """Meter `tenant`'s month `period` (its first day) from its ledger. Captures are
    recorded as they are found (so it may run during the month); the holders' count
    only once the month has ended."""
    if period.day != 1:
        raise ValueError(f"a period is given by its first day, not {period}")
    now = now or timezone.now()
    start, end = period_bounds(period)
    params = {"tenant": tenant.pk, "period": period, "start": start, "end": min(end, now)}
    holders: int | None = None
    holders_recorded = False
    with schema_context(tenant.schema_name), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            CAPTURES_SQL, {**params, "prefix": usage_key(tenant=tenant, metric="orders", suffix="")}
        )
        orders = cursor.rowcount
        if now >= end:
            cursor.execute(HOLDERS_SQL, params)
            holders = int(cursor.fetchone()[0])
            cursor.execute(
                HOLDERS_INSERT_SQL,
                {
                    **params,
                    "end": end,
                    "quantity": holders,
                    "key": usage_key(tenant=tenant, metric="holders", suffix=period_key(period)),
                },
            )
            holders_recorded = cursor.rowcount == 1
    return Metered(holders=holders, holders_recorded=holders_recorded, orders_recorded=orders)
