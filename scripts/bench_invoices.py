#!/usr/bin/env python
"""The monthly invoice run for 300 tenants with realistic usage.

    DATABASE_URL=postgres://USER@HOST:PORT/anything .venv/bin/python scripts/bench_invoices.py

1. Creates a fresh database (default epurse_bench_invoices; only names containing
   "bench" are created or dropped) and sets up the platform (public schema, the
   migrated template).
2. Makes --tenants licensed councils and 10 without a licence (not invoiced): the
   Tenant rows in bulk; for the first --schemas (default 10) a real schema cloned from
   the template, as onboarding does (about 1.7 s each, so not for all 310), with its
   budget holders as purse_person rows; for the rest a schema holding only the
   ledger's three tables, created LIKE the template's (columns, identity, CHECK
   constraints, indexes), which is all metering reads, their purses numbered. Each
   licensed tenant gets a licence on one of three plans (graduated holder tiers, an
   order fee, a minimum commitment; one in ten starting on the 11th, so prorated; one
   in twenty zero rated). In every schema, a month of ledger activity written with
   set-based SQL: between 50 and 1,500 budget holders (a skewed spread, 535 on
   average; --scale multiplies it), each purse funded by one top-up in the month, and
   --visits (default 4) captured visits per holder: capture transactions debiting the
   purse and crediting a provider's payable, spread over the month. Entries balance
   per transaction; cached balances are not updated, as metering reads only
   transactions and entries. ANALYZE.
3. Times the run (`billing.invoicing.services.invoices_run`) for that month: metering
   every tenant's ledger (one usage record per capture, one for the month's holders),
   drafting and finalising every invoice; then the same run again (must bill nothing)
   and every tenant's month metered again (a replay of its usage events: must record
   nothing). Prints seconds for the whole run and for its parts.
4. Baseline, timed in the same run: the least any metering must do, one read per
   tenant of its month's captures and funded purses (the same two queries' counts,
   nothing written). Prints the ratio.
5. Checks: every licensed tenant invoiced once, numbers consecutive, each invoice's
   totals the sum of its lines, usage records = captures + one per tenant, the replay
   added nothing; and the target (the run <= 30 s). Drops the database (unless --keep).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR / "scripts"))
sys.path.insert(0, str(BASE_DIR / "platform"))

from bench_search import bench_url, database_recreate, django_setup  # noqa: E402

TARGET_SECONDS = 30.0
PERIOD = dt.date(2026, 10, 1)  # a 31-day month that has ended


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database", default="epurse_bench_invoices", help="must contain 'bench'")
    parser.add_argument("--tenants", type=int, default=300, help="licensed tenants")
    parser.add_argument(
        "--schemas",
        type=int,
        default=10,
        help="tenants with a full schema cloned from the template (1.7 s each); the rest "
        "get a schema of the ledger's tables only",
    )
    parser.add_argument("--visits", type=int, default=4, help="captured visits a holder a month")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies holders per tenant")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
    os.environ["DEBUG"] = "0"
    url = bench_url(args.database)
    database_recreate(url)
    django_setup(url)
    try:
        return run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            database_recreate(url, drop_only=True)


def holders_for(n: int, scale: float) -> int:
    """50 to 1,500, most councils small, a few large (a skewed, reproducible spread)."""
    return round((50 + ((n * 7919) % 1000) ** 2 // 690) * scale)


PURSES_FROM_PEOPLE = """
INSERT INTO ledger_account (kind, code, person_id, must_not_go_negative, debits_posted,
                            credits_posted, debits_pending, credits_pending, version,
                            created_at)
SELECT 'purse', 'purse:' || p.public_id, p.id, true, 0, 0, 0, 0, 0, now()
  FROM purse_person p
"""

# A ledger-only schema has no people table: its purses name people by number.
PURSES_NUMBERED = """
INSERT INTO ledger_account (kind, code, person_id, must_not_go_negative, debits_posted,
                            credits_posted, debits_pending, credits_pending, version,
                            created_at)
SELECT 'purse', 'purse:' || n, n, true, 0, 0, 0, 0, 0, now()
  FROM generate_series(1, %(holders)s) n
"""

LEDGER_TABLES = ("ledger_account", "ledger_transaction", "ledger_entry")

# One tenant's month, in its schema; amounts and times are functions of the ids.
_MONTH_STEPS = [
    """
    INSERT INTO ledger_account (kind, code, provider_id, must_not_go_negative, debits_posted,
                                credits_posted, debits_pending, credits_pending, version,
                                created_at)
    VALUES ('payable', 'payable:bench', gen_random_uuid(), false, 0, 0, 0, 0, 0, now()),
           ('funding', 'funding', NULL, false, 0, 0, 0, 0, 0, now())
    ON CONFLICT (code) DO NOTHING
    """,
    # One top-up per purse in the month; visits captured over the month.
    """
    CREATE TEMP TABLE bench_move ON COMMIT DROP AS
    SELECT nextval(pg_get_serial_sequence('ledger_transaction', 'id')) AS id,
           'topup' AS kind, f.id AS debit, a.id AS credit, 120000 AS amount,
           %(start)s::timestamptz + (a.id %% 28) * interval '1 day' AS moment
      FROM ledger_account a, ledger_account f
     WHERE a.kind = 'purse' AND f.code = 'funding'
    UNION ALL
    SELECT nextval(pg_get_serial_sequence('ledger_transaction', 'id')), 'capture', a.id,
           pay.id, 1800 + (a.id * 7 + v) %% 5 * 450,
           %(start)s::timestamptz + ((a.id * 13 + v * 7) %% 30) * interval '1 day'
               + ((a.id + v) %% 600) * interval '1 minute'
      FROM ledger_account a, ledger_account pay, generate_series(1, %(visits)s) v
     WHERE a.kind = 'purse' AND pay.code = 'payable:bench'
    """,
    """
    INSERT INTO ledger_transaction (id, public_id, kind, status, memo, created_at)
    SELECT id, gen_random_uuid(), kind, 'posted', 'Generated', moment FROM bench_move
    """,
    """
    INSERT INTO ledger_entry (transaction_id, account_id, side, amount_pence)
    SELECT id, debit, 'D', amount FROM bench_move
    UNION ALL SELECT id, credit, 'C', amount FROM bench_move
    """,
]


def ledger_schema_make(name: str) -> None:
    """A schema with only the ledger's three tables, as the template defines them
    (columns, defaults, identity, CHECK constraints, indexes): what metering reads."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{name}"')
        for table in LEDGER_TABLES:
            cursor.execute(
                f'CREATE TABLE "{name}".{table} (LIKE tenant_template.{table} INCLUDING ALL)'
            )


def people_make(cursor: Any, holders: int) -> None:
    """`holders` people copied from one made by the ORM (so every column, whatever later
    migrations add, has a proper value), with new ids."""
    from purse.models import Person

    seed = Person.objects.create(
        given_name="Pat", family_name="Bench", date_of_birth=dt.date(1950, 1, 1)
    )
    cursor.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = 'purse_person' "
        "AND column_name <> 'id' ORDER BY ordinal_position"
    )
    columns = [row[0] for row in cursor.fetchall()]
    made = {"public_id": "gen_random_uuid()", "family_name": "'Bench ' || n"}
    values = ", ".join(made.get(c, f'p."{c}"') for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    cursor.execute(
        f"INSERT INTO purse_person ({names}) SELECT {values} "  # noqa: S608 - our own names
        "FROM purse_person p, generate_series(2, %s) n WHERE p.id = %s",
        [holders, seed.pk],
    )


def tenants_make(args: argparse.Namespace) -> tuple[list[Any], int]:
    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    from billing.invoicing.metering import period_bounds
    from billing.models import Licence, Plan
    from tenants.models import Tenant
    from tenants.schemas import schema_clone_from_template, template_lock

    plans = [
        Plan.objects.create(
            code="small",
            version=1,
            name="Small council",
            platform_fee_pence=150000,
            holder_tiers=[{"up_to": 250, "pence": 400}, {"up_to": None, "pence": 300}],
            order_fee_pence=20,
            minimum_monthly_pence=250000,
        ),
        Plan.objects.create(
            code="standard",
            version=1,
            name="Standard",
            platform_fee_pence=300000,
            holder_tiers=[
                {"up_to": 500, "pence": 350},
                {"up_to": 1000, "pence": 250},
                {"up_to": None, "pence": 150},
            ],
            order_fee_pence=15,
            minimum_monthly_pence=400000,
        ),
        Plan.objects.create(
            code="nhs",
            version=1,
            name="Personal health budgets",
            platform_fee_pence=250000,
            holder_tiers=[{"up_to": None, "pence": 300}],
            order_fee_pence=25,
        ),
    ]
    count = args.tenants + 10
    tenants = Tenant.objects.bulk_create(
        Tenant(
            schema_name=f"bench{n:04d}",
            name=f"Bench Council {n:04d}",
            kind="nhs" if n % 7 == 0 else "council",
            status="active",
        )
        for n in range(count)
    )
    start, _ = period_bounds(PERIOD)
    captures = 0
    clone_seconds = 0.0
    started = time.monotonic()
    for n, tenant in enumerate(tenants):
        holders = holders_for(n, args.scale)
        full = n < args.schemas
        cloning = time.monotonic()
        if full:
            with template_lock(), transaction.atomic():
                schema_clone_from_template(target=tenant.schema_name)
        else:
            ledger_schema_make(tenant.schema_name)
        clone_seconds += time.monotonic() - cloning
        with (
            schema_context(tenant.schema_name),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            params = {"holders": holders, "visits": args.visits, "start": start}
            if full:
                people_make(cursor, holders)
                cursor.execute(PURSES_FROM_PEOPLE)
            else:
                cursor.execute(PURSES_NUMBERED, params)
            for step in _MONTH_STEPS:
                cursor.execute(step, params)
        captures += holders * args.visits
        if n < args.tenants:
            Licence.objects.create(
                tenant=tenant,
                plan=plans[0 if holders < 400 else (2 if tenant.kind == "nhs" else 1)],
                status="active",
                starts_on=dt.date(2026, 10, 11) if n % 10 == 3 else dt.date(2025, 4, 1),
                billing_name=f"{tenant.name} Finance",
                billing_email=f"accounts@{tenant.schema_name}.example",
                billing_address="Town Hall\nHigh Street",
                customer_vat_number="" if n % 3 else f"GB{100000000 + n}",
                vat_treatment="zero" if n % 20 == 7 else "standard",
            )
        else:
            captures -= holders * args.visits  # not licensed: not metered
        if n and n % 50 == 0:
            rate = n / (time.monotonic() - started)
            print(f"  {n} tenants made ({rate:.1f} a second)", flush=True)
    print(f"  of which making schemas: {clone_seconds:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return tenants, captures


def baseline(tenants: list[Any]) -> float:
    from django.db import connection
    from django_tenants.utils import schema_context

    from billing.invoicing.metering import HOLDERS_SQL, period_bounds
    from billing.models import Licence

    start, end = period_bounds(PERIOD)
    licensed = set(Licence.objects.values_list("tenant_id", flat=True))
    began = time.perf_counter()
    for tenant in tenants:
        if tenant.pk not in licensed:
            continue
        with schema_context(tenant.schema_name), connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM ledger_transaction WHERE kind = 'capture' "
                "AND status = 'posted' AND created_at >= %s AND created_at < %s",
                [start, end],
            )
            cursor.fetchone()
            cursor.execute(HOLDERS_SQL, {"start": start, "end": end})
            cursor.fetchone()
    return time.perf_counter() - began


def timed_run() -> tuple[float, float, float, Any]:
    """The run, with its metering and invoicing parts timed separately."""
    from billing.invoicing import services

    meter_seconds = 0.0
    original = services.usage_meter

    def usage_meter(**kwargs: Any) -> Any:
        nonlocal meter_seconds
        began = time.perf_counter()
        try:
            return original(**kwargs)
        finally:
            meter_seconds += time.perf_counter() - began

    services.usage_meter = usage_meter
    try:
        from billing.invoicing.metering import period_bounds

        now = period_bounds(PERIOD)[1] + dt.timedelta(hours=2)
        began = time.perf_counter()
        result = services.invoices_run(period=PERIOD, now=now)
        total = time.perf_counter() - began
    finally:
        services.usage_meter = original
    return total, meter_seconds, total - meter_seconds, result


def remeter_all() -> float:
    """Every licensed tenant's month metered again, as a replay of its usage events."""
    from billing.invoicing.metering import period_bounds, usage_meter
    from billing.models import Licence

    now = period_bounds(PERIOD)[1] + dt.timedelta(hours=3)
    began = time.perf_counter()
    for licence in Licence.objects.select_related("tenant"):
        metered = usage_meter(tenant=licence.tenant, period=PERIOD, now=now)
        if metered.orders_recorded or metered.holders_recorded:
            sys.exit(f"metering {licence.tenant.schema_name} again recorded usage")
    return time.perf_counter() - began


def checks(args: argparse.Namespace, captures: int, first_number: int) -> list[tuple[str, bool]]:
    from django.db.models import Count, Sum

    from billing.invoicing.models import Invoice, InvoiceLine, UsageRecord

    invoices = Invoice.objects.filter(period_start=PERIOD)
    numbers = sorted(int(str(n).split("-")[1]) for n in invoices.values_list("number", flat=True))
    lines = InvoiceLine.objects.filter(invoice__period_start=PERIOD).values("invoice_id")
    sums = {
        row["invoice_id"]: (row["net"], row["vat"])
        for row in lines.annotate(net=Sum("net_pence"), vat=Sum("vat_pence"))
    }
    totals_ok = all(
        sums.get(i.pk, (0, 0)) == (i.net_pence, i.vat_pence)
        and i.gross_pence == i.net_pence + i.vat_pence
        for i in invoices
    )
    usage = UsageRecord.objects.filter(period_start=PERIOD)
    per_tenant = invoices.values("tenant_id").annotate(n=Count("id")).filter(n__gt=1)
    return [
        (
            f"every licensed tenant invoiced once ({invoices.count()})",
            invoices.count() == args.tenants and not per_tenant.exists(),
        ),
        ("numbers consecutive", numbers == list(range(first_number, first_number + args.tenants))),
        ("all finalised", not invoices.filter(status="draft").exists()),
        ("each invoice's totals = sum of its lines, gross = net + VAT", totals_ok),
        (
            f"usage records = captures + one holders' count per tenant ({usage.count():,})",
            usage.filter(metric="orders").count() == captures
            and usage.filter(metric="holders").count() == args.tenants,
        ),
    ]


def run(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.db.models import Sum

    from billing.invoicing.models import Invoice, InvoiceSeries, UsageRecord

    began = time.monotonic()
    call_command("setup", verbosity=0)
    print(f"set-up: {time.monotonic() - began:.1f} s")
    began = time.monotonic()
    tenants, captures = tenants_make(args)
    print(
        f"made {len(tenants)} tenants ({args.tenants} licensed) with {captures:,} captures "
        f"in {PERIOD:%B %Y} by licensed tenants: {time.monotonic() - began:.1f} s"
    )
    first_number = InvoiceSeries.objects.get(code="INV").next_number

    base = baseline(tenants)
    total, meter, invoicing, result = timed_run()
    usage_after = UsageRecord.objects.count()
    replay_total, _, _, replay = timed_run()
    remeter = remeter_all()

    gross = Invoice.objects.filter(period_start=PERIOD).aggregate(g=Sum("gross_pence"))["g"]
    print()
    print(f"baseline, one read per tenant of its month's captures and holders: {base:.2f} s")
    print(
        f"invoice run for {args.tenants} tenants: {total:.2f} s "
        f"(metering {meter:.2f} s, drafting + finalising {invoicing:.2f} s); "
        f"{total / base:.1f}x the baseline"
    )
    print(
        f"  metered {result.metered}, drafted {result.drafted}, finalised {result.finalised}, "
        f"not billable {result.not_billable}, failed {len(result.failed)}; "
        f"invoiced £{gross / 100:,.2f} gross"
    )
    added = UsageRecord.objects.count() - usage_after
    print(
        f"replay of the run: {replay_total:.2f} s, drafted {replay.drafted}, "
        f"finalised {replay.finalised}, usage records added {added}"
    )
    print(
        f"metering every tenant's month again: {remeter:.2f} s, usage records added "
        f"{UsageRecord.objects.count() - usage_after}"
    )
    results = checks(args, captures, first_number)
    results.append(
        (
            "the replay billed nothing",
            replay.drafted == 0
            and replay.finalised == 0
            and UsageRecord.objects.count() == usage_after,
        )
    )
    results.append((f"target: the run <= {TARGET_SECONDS:.0f} s", total <= TARGET_SECONDS))
    print()
    for label, ok in results:
        print(f"  [{'ok' if ok else 'FAIL'}] {label}")
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
