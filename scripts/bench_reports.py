#!/usr/bin/env python
"""The commissioner's reports on a council with 10,000 budget holders, and on the demo.

    DATABASE_URL=postgres://USER@HOST:PORT/anything .venv/bin/python scripts/bench_reports.py

1. Creates a fresh database (default epurse_bench_reports; only names containing
   "bench" are created or dropped), sets up the platform, seeds the demo (make demo's
   data) and makes a council of its own with a synthetic market (--providers providers
   and --services services, all approved there).
2. Generates a year of that council's life with set-based SQL (seconds, not hours of
   service calls): --holders budget holders in a dozen postcode districts, each with a
   budget from 13 months ago, a top-up every 4 weeks, about --orders weekly orders of
   home care, sessions or visits, and a visit each week of each order to yesterday:
   each held, most delivered and captured (the day after), some part-delivered, some
   disputed, some released, the last two days' waiting for confirmation; reviews of
   services and Care Act reviews. The purse balances are then set from the entries, so
   the books balance as the services would have left them. ANALYZE, as on a live
   database.
3. Checks every report against the ledger to the penny: each breakdown of spending
   (category, provider, month, area) and the savings report's total, for the default
   period (the last 12 months) and for one month, against the ledger's own sum of its
   capture entries (and against what the generator meant to capture); and the same for
   each demo council, after its demo budget holder has ordered a visit and it has been
   paid for (the demo's budgets start today, so it has no care paid for of its own).
   Prints each check.
4. Times each report page through the whole Django stack (middleware, tenant routing,
   session, permission, the view, the database), in this process, with DEBUG off:
   --requests requests each after a warm-up, signed in as a commissioner; p50 and p95,
   and the ratio of each p95 to the baseline, the sign-in page for a signed-out
   visitor, timed the same way in the same run. Before each request (untimed) one
   waiting delivery is paid through the ledger's service, so every report first folds
   a new payment into its rollup, as on a live council. The first fold of the whole
   generated ledger (once per council) is timed and printed on its own.
5. Checks the target (each report page p95 <= 500 ms) and drops the database (unless
   --keep).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR / "scripts"))
# As manage.py does: platform/'s packages, including any added since the last install.
sys.path.insert(0, str(BASE_DIR / "platform"))

from bench_search import bench_url, database_recreate, django_setup  # noqa: E402

PASSWORD = "bench-" + secrets.token_urlsafe(12)
SLUG = "benchreports"
MAX_P95_MS = 500.0
DISTRICTS = [f"NM{n}" for n in range(1, 13)]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database", default="epurse_bench_reports", help="must contain 'bench'")
    parser.add_argument("--holders", type=int, default=10_000, help="budget holders")
    parser.add_argument(
        "--orders", type=float, default=1.5, help="weekly orders per budget holder, on average"
    )
    parser.add_argument("--providers", type=int, default=300)
    parser.add_argument("--services", type=int, default=1500)
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    # As deployed: DEBUG off (no template debugging, no query log).
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


# --- The council and its year -----------------------------------------------------


def council_make(args: argparse.Namespace) -> Any:
    from django_tenants.utils import tenant_context

    from accounts.services import user_create
    from catalogue.synthetic import synthetic_registry_generate
    from tenants.services import tenant_create

    tenant = tenant_create(
        name="Benchreports Borough Council",
        slug=SLUG,
        kind="council",
        admin_email=f"admin@{SLUG}.example",
        admin_name="Bench Admin",
        admin_password=PASSWORD,
        status="active",
    ).tenant
    made = synthetic_registry_generate(
        providers=args.providers, services=args.services, approve_in=[SLUG]
    )
    with tenant_context(tenant):
        user_create(
            email=f"commissioner@{SLUG}.example",
            full_name="Bench Commissioner",
            role_codes=["commissioner"],
            password=PASSWORD,
        )
    print(f"  market: {made.providers:,} providers, {made.services:,} services approved")
    return tenant


def holders_make(count: int, started: dt.date) -> None:
    """`count` people in a dozen districts, each with an approved plan, an active
    budget from `started` and a purse: bulk inserts."""
    from django.utils import timezone

    from accounts.services import user_create
    from purse.ledger.models import Account
    from purse.models import Assessment, Budget, Person, SupportPlan
    from tenants.rules.models import RulesVersion

    version = RulesVersion.objects.order_by("number").first()
    manager = user_create(
        email=f"manager@{SLUG}.example", full_name="Bench Manager", role_codes=["care_manager"]
    )
    people = Person.objects.bulk_create(
        Person(
            given_name="Pat",
            family_name=f"Bench {n}",
            date_of_birth=dt.date(1940 + n % 50, 1 + n % 12, 1),
            # One in fifty with no postcode recorded, as imports leave some.
            postcode="" if n % 50 == 49 else f"{DISTRICTS[n % len(DISTRICTS)]} {n % 9 + 1}AB",
        )
        for n in range(count)
    )
    weekly = [20000 + (n % 7) * 5000 for n in range(count)]  # £200 to £500 a week
    assessments = Assessment.objects.bulk_create(
        Assessment(
            person=p,
            rules_version=version,
            status="completed",
            eligible=True,
            indicative_weekly_pence=w,
            assessed_by=manager,
            completed_at=timezone.now(),
        )
        for p, w in zip(people, weekly, strict=True)
    )
    plans = SupportPlan.objects.bulk_create(
        SupportPlan(
            person=p,
            assessment=a,
            rules_version=version,
            status="approved",
            outcomes="Bench",
            management="council_managed",
            weekly_budget_pence=w,
            starts_on=started,
            created_by=manager,
        )
        for p, a, w in zip(people, assessments, weekly, strict=True)
    )
    Budget.objects.bulk_create(
        Budget(
            person=p,
            plan=plan,
            status="active",
            weekly_pence=w,
            management="council_managed",
            starts_on=started,
            first_topup_on=started,
        )
        for p, plan, w in zip(people, plans, weekly, strict=True)
    )
    Account.objects.bulk_create(
        Account(kind="purse", code=f"purse:{p.public_id}", person=p, must_not_go_negative=True)
        for p in people
    )


# Each step is one statement over every row. Amounts and dates are deterministic
# functions of the ids (no random()), so a run is reproducible.
_LEDGER_STEPS = [
    # Top-ups: every 4 weeks from the budget's start to today, the council's share.
    """
    CREATE TEMP TABLE bench_topup AS
    SELECT nextval(%(seq)s::regclass) AS id, a.id AS purse_id, b.weekly_pence * 4 AS amount,
           (s + interval '6 hours') AS moment
      FROM purse_budget b JOIN ledger_account a ON a.person_id = b.person_id,
           generate_series(b.starts_on::timestamp, %(today)s::timestamp, interval '28 days') s
    """,
    """
    INSERT INTO ledger_transaction (id, public_id, kind, status, memo, created_at)
    SELECT id, gen_random_uuid(), 'topup', 'posted', 'Top-up (generated)',
           moment AT TIME ZONE 'Europe/London'
      FROM bench_topup
    """,
    """
    INSERT INTO ledger_entry (transaction_id, account_id, side, amount_pence)
    SELECT id, %(funding)s, 'D', amount FROM bench_topup
    UNION ALL SELECT id, purse_id, 'C', amount FROM bench_topup
    """,
    # Orders: one per person, a second for some (--orders), of a service picked by id.
    """
    CREATE TEMP TABLE bench_order AS
    SELECT nextval(pg_get_serial_sequence('purse_order', 'id')) AS id, p.id AS person_id,
           a.id AS purse_id, s.service_id, s.provider_id, s.payable_id, s.price, s.unit,
           CASE WHEN s.unit = 'hour' THEN 100 + ((p.id * 7 + k) %% 5) * 25 ELSE 100 END
               AS units_centi,
           (b.starts_on + ((p.id + k * 13) %% 60)::int) AS starts_on
      FROM purse_person p
      JOIN purse_budget b ON b.person_id = p.id
      JOIN ledger_account a ON a.person_id = p.id
      CROSS JOIN generate_series(0, %(most_orders)s - 1) AS g(k)
      JOIN bench_service s ON s.n = (p.id * 31 + k * 17) %% %(services)s
     WHERE k < floor(%(orders)s) OR (k = floor(%(orders)s) AND p.id %% 100 < %(extra)s)
    """,
    """
    INSERT INTO purse_order (id, public_id, person_id, service_id, provider_id,
                             unit_price_pence, unit, units_centi, frequency, starts_on, at,
                             status, placed_by_id, placed_as, decline_reason, warning,
                             created_at)
    SELECT id, gen_random_uuid(), person_id, service_id, provider_id, price, unit,
           units_centi, 'weekly', starts_on, '10:00', 'accepted', %(manager)s, 'staff', '', '',
           (starts_on - 7)::timestamp AT TIME ZONE 'Europe/London'
      FROM bench_order
    """,
    # Visits: each week of each order to yesterday. Most are paid for what was booked;
    # one in ten for half of it; 2 in 100 disputed, 1 in 100 nothing delivered; the
    # last week's still waiting for the person to confirm.
    """
    CREATE TEMP TABLE bench_visit AS
    SELECT o.id AS order_id, d::date AS day, o.purse_id, o.payable_id,
           (o.price * o.units_centi + 50) / 100 AS held,
           CASE WHEN d::date > %(today)s::date - 3 THEN 'delivered'
                WHEN (o.id * 7 + (d::date - o.starts_on)) %% 100 < 2 THEN 'disputed'
                WHEN (o.id * 7 + (d::date - o.starts_on)) %% 100 = 2 THEN 'released'
                ELSE 'paid' END AS status,
           CASE WHEN (o.id * 7 + (d::date - o.starts_on)) %% 100 = 2 THEN 0
                WHEN (o.id * 3 + (d::date - o.starts_on)) %% 10 = 0
                    THEN greatest(o.units_centi / 2, 25)
                ELSE o.units_centi END AS delivered,
           o.price,
           nextval(%(seq)s::regclass) AS hold_id, nextval(%(seq)s::regclass) AS done_id
      FROM bench_order o,
           generate_series(o.starts_on::timestamp, (%(today)s::date - 1)::timestamp,
                           interval '7 days') d
    """,
    "ALTER TABLE bench_visit ADD COLUMN paid bigint",
    "UPDATE bench_visit SET paid = (price * delivered + 50) / 100",
    """
    INSERT INTO ledger_transaction (id, public_id, kind, status, memo, created_at)
    SELECT hold_id, gen_random_uuid(), 'hold', 'pending', 'Held (generated)',
           (day - 7 + time '10:00') AT TIME ZONE 'Europe/London'
      FROM bench_visit
    """,
    """
    INSERT INTO ledger_entry (transaction_id, account_id, side, amount_pence)
    SELECT hold_id, purse_id, 'D', held FROM bench_visit
    UNION ALL SELECT hold_id, payable_id, 'C', held FROM bench_visit
    """,
    # Captured the day after the visit, at a minute that spreads them over the day.
    """
    INSERT INTO ledger_transaction (id, public_id, kind, status, resolves_id, memo, created_at)
    SELECT done_id, gen_random_uuid(),
           CASE status WHEN 'paid' THEN 'capture' ELSE 'release' END,
           CASE status WHEN 'paid' THEN 'posted' ELSE 'voided' END, hold_id,
           'Generated', (day + 1 + time '06:00' + (order_id %% 900) * interval '1 minute')
               AT TIME ZONE 'Europe/London'
      FROM bench_visit WHERE status IN ('paid', 'released')
    """,
    """
    INSERT INTO ledger_entry (transaction_id, account_id, side, amount_pence)
    SELECT done_id, purse_id, 'D', paid FROM bench_visit WHERE status = 'paid'
    UNION ALL SELECT done_id, payable_id, 'C', paid FROM bench_visit WHERE status = 'paid'
    """,
    """
    INSERT INTO purse_visit (order_id, "on", amount_pence, status, hold_id,
                             delivered_units_centi, delivered_at, dispute, updated_at)
    SELECT order_id, day, held, status, hold_id, delivered,
           (day + time '15:00') AT TIME ZONE 'Europe/London',
           CASE status WHEN 'disputed' THEN 'The carer did not come (generated)' ELSE '' END,
           now()
      FROM bench_visit
    """,
    # The cached balances, from the entries (as the services keep them).
    """
    UPDATE ledger_account a
       SET debits_posted = s.dp, credits_posted = s.cp, debits_pending = s.dh,
           credits_pending = s.ch, version = a.version + 1
      FROM (
        SELECT e.account_id,
               coalesce(sum(e.amount_pence)
                        FILTER (WHERE e.side = 'D' AND t.status = 'posted'), 0) dp,
               coalesce(sum(e.amount_pence)
                        FILTER (WHERE e.side = 'C' AND t.status = 'posted'), 0) cp,
               coalesce(sum(e.amount_pence) FILTER (WHERE e.side = 'D' AND t.status = 'pending'
                                                     AND r.id IS NULL), 0) dh,
               coalesce(sum(e.amount_pence) FILTER (WHERE e.side = 'C' AND t.status = 'pending'
                                                     AND r.id IS NULL), 0) ch
          FROM ledger_entry e
          JOIN ledger_transaction t ON t.id = e.transaction_id
          LEFT JOIN ledger_transaction r ON r.resolves_id = t.id
         GROUP BY e.account_id
      ) s
     WHERE s.account_id = a.id
    """,
    # Care Act reviews: the first, 8 weeks in, done for most (some late, some not yet).
    """
    INSERT INTO purse_review (person_id, plan_id, kind, due_on, reason, completed_on,
                              outcome)
    SELECT b.person_id, b.plan_id, 'first', b.starts_on + 56, '',
           CASE WHEN b.id %% 10 = 0 THEN NULL
                ELSE b.starts_on + 56 + (b.id %% 7)::int - 3 END, ''
      FROM purse_budget b
    """,
]


def year_generate(args: argparse.Namespace, today: dt.date) -> dict[str, Any]:
    """The council's year, in the current schema. Returns what it meant to capture."""
    from django.db import connection, transaction

    from accounts.models import User
    from catalogue.selectors import services_visible
    from purse.ledger.models import Account
    from purse.ledger.services import shared_account

    started = today - dt.timedelta(days=7 * 56)  # 13 months ago, a Monday or not
    holders_make(args.holders, started)
    # Services people buy by the week at up to £30 a unit (equipment and the like are
    # bought once, not weekly), each with its provider's payable account.
    services = list(
        services_visible()
        .filter(price_from_unit__in=["hour", "session", "visit"], price_from_pence__lte=3000)
        .values_list("pk", "provider_id", "price_from_pence", "price_from_unit")
        .order_by("pk")
    )
    if not services:
        sys.exit("the synthetic market has no weekly services at up to £30")
    payables = {
        provider_id: Account.objects.get_or_create(
            provider_id=provider_id,
            defaults={"kind": "payable", "code": f"payable:{provider_id}"},
        )[0].pk
        for provider_id in {s[1] for s in services}
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(
            "CREATE TEMP TABLE bench_service (n int, service_id uuid, provider_id uuid, "
            "payable_id bigint, price bigint, unit text) ON COMMIT DROP"
        )
        cursor.executemany(
            "INSERT INTO bench_service VALUES (%s, %s, %s, %s, %s, %s)",
            [(n, s[0], s[1], payables[s[1]], s[2], s[3]) for n, s in enumerate(services)],
        )
        cursor.execute("SELECT pg_get_serial_sequence('ledger_transaction', 'id')")
        (sequence,) = cursor.fetchone()
        params = {
            "seq": sequence,
            "today": today,
            "funding": shared_account(Account.Kind.FUNDING).pk,
            "orders": args.orders,
            "most_orders": int(args.orders) + 1,
            "extra": round((args.orders % 1) * 100),
            "services": len(services),
            "manager": User.objects.get(email=f"manager@{SLUG}.example").pk,
        }
        for step in _LEDGER_STEPS:
            cursor.execute(step, params)
        cursor.execute(
            "SELECT count(*) FILTER (WHERE status = 'paid'), "
            "coalesce(sum(paid) FILTER (WHERE status = 'paid'), 0), count(*) FROM bench_visit"
        )
        captures, captured, visits = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM bench_order")
        (orders,) = cursor.fetchone()
        for temp in ("bench_topup", "bench_order", "bench_visit"):
            cursor.execute(f"DROP TABLE {temp}")
    _reviews_make(services)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"orders": orders, "visits": visits, "captures": captures, "captured": captured}


def _reviews_make(services: list[tuple[Any, ...]]) -> None:
    """Two hundred reviewers, each reviewing up to ten services, over the year."""
    from accounts.models import User
    from catalogue.council.models import Review

    reviewers = User.objects.bulk_create(
        User(email=f"reviewer{n}@{SLUG}.example", full_name=f"Reviewer {n}") for n in range(200)
    )
    Review.objects.bulk_create(
        Review(
            service_id=services[(r * 10 + k) % len(services)][0],
            author=reviewer,
            rating=1 + (r * 3 + k) % 5 if k % 3 else 5 - (r % 2),
            status="published" if (r + k) % 8 else "pending",
        )
        for r, reviewer in enumerate(reviewers)
        for k in range(10)
    )
    from django.db import connection

    with connection.cursor() as cursor:
        # Written over the last year, not all today.
        cursor.execute(
            f"UPDATE {Review._meta.db_table} "  # noqa: S608 - the model's own table
            "SET created_at = now() - (id % 360) * interval '1 day'"
        )


# --- The checks ------------------------------------------------------------------


def ledger_sum(begins: dt.datetime, ends: dt.datetime) -> int:
    """The ledger's own sum of captures: the debit entries of capture transactions."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(e.amount_pence), 0) FROM ledger_entry e "
            "JOIN ledger_transaction t ON t.id = e.transaction_id "
            "WHERE t.kind = 'capture' AND e.side = 'D' "
            "AND t.created_at >= %s AND t.created_at < %s",
            [begins, ends],
        )
        return int(cursor.fetchone()[0])


def demo_payment() -> str:
    """The demo has no care paid for yet (its budget starts today): the demo budget
    holder orders a visit of the first service she may order, as the portal would, and
    its hold is captured as a delivery would be, so the demo's reports have a payment
    to agree with the ledger about."""
    from django.utils import timezone

    from catalogue.selectors import services_visible
    from core.errors import DomainError
    from core.money import format_pence
    from purse.ledger.services import hold_capture
    from purse.models import Person
    from purse.orders.services import order_place

    person = Person.objects.filter(user__email__startswith="person@").first()
    if person is None:
        return "no demo budget holder"
    for service in services_visible().prefetch_related("prices").order_by("name"):
        price = service.prices.first()
        if price is None:
            continue
        try:
            order = order_place(
                person=person,
                service_id=service.pk,
                price_option_id=price.pk,
                units="1",
                starts_on=timezone.localdate() + dt.timedelta(days=3),
                at=dt.time(10),
                frequency="once",
                by=person.user,
            )
        except DomainError:
            continue  # not one she may order (her plan, her money): try the next
        visit = order.visits.get()
        hold_capture(hold=visit.hold, amount_pence=visit.amount_pence)
        return f"paid {format_pence(visit.amount_pence)} for a visit of {service.name}"
    return "no service she could order"


def reports_check(label: str, periods: list[Any]) -> list[str]:
    """Each breakdown and the savings total against the ledger, in the current schema."""
    from core.money import format_pence
    from workspace.reports import selectors

    failures = []
    for period in periods:
        ledger = ledger_sum(period.begins, period.ends)
        figures = {
            f"spend by {by}": selectors.spend_by(by=by, period=period).total_pence
            for by in selectors.DIMENSIONS
        }
        figures["savings (all spending)"] = selectors.savings(period=period).spent_pence
        figures["spend total"] = selectors.spend_total(period=period)[0]
        for name, pence in figures.items():
            ok = pence == ledger
            print(
                f"  {label}, {period.words}: {name:<24} {format_pence(pence):>16} "
                f"= ledger {format_pence(ledger):>16}  {'ok' if ok else 'DIFFERENT'}"
            )
            if not ok:
                failures.append(f"{label} {period.words} {name}: {pence} != {ledger}")
    return failures


# --- The timings -------------------------------------------------------------------


def timed(client: Any, url: str, count: int, before: Any = None) -> list[float]:
    times = []
    for _ in range(count):
        if before is not None:
            before()
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


PAGES = [
    "/workspace/reports/",
    "/workspace/reports/spend/category/",
    "/workspace/reports/spend/provider/",
    "/workspace/reports/spend/month/",
    "/workspace/reports/spend/area/",
    "/workspace/reports/spend/category/?format=csv",
    "/workspace/reports/budget-holders/",
    "/workspace/reports/market/",
    "/workspace/reports/savings/",
    "/workspace/reports/feedback/",
    "/workspace/reports/outcomes/",
    "/workspace/reports/unit-costs/",
    "/performance/",
]


def run(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from core.money import format_pence
    from epurse.demo import demo_seed
    from purse.ledger.models import LedgerTransaction
    from purse.ledger.services import hold_amount, hold_capture
    from purse.orders.models import Visit
    from tenants.models import Tenant
    from workspace.reports.period import Period
    from workspace.reports.rollup import ledger_fold

    setup_test_environment()
    started = time.monotonic()
    call_command("setup", verbosity=0)
    demo_seed(password=PASSWORD)
    print(f"set-up and demo data: {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    tenant = council_make(args)
    today = timezone.localdate()
    with tenant_context(tenant):
        made = year_generate(args, today)
    print(
        f"generated in {time.monotonic() - started:.1f} s: {args.holders:,} budget holders, "
        f"{made['orders']:,} weekly orders, {made['visits']:,} visits, "
        f"{made['captures']:,} captured payments ({format_pence(made['captured'])})"
    )
    with tenant_context(tenant):
        started = time.monotonic()
        folded = ledger_fold()
        print(
            f"first fold of the ledger into the reports' rollup: {folded:,} transactions in "
            f"{time.monotonic() - started:.1f} s (once per council; then only what is new)"
        )
        waiting = list(
            Visit.objects.filter(status="delivered").values_list("hold_id", flat=True)[
                : args.requests * len(PAGES) + 10 * len(PAGES)
            ]
        )
    print()

    default = Period.default()
    this = Period(default.last, default.last)
    whole = Period(Period.default(today - dt.timedelta(days=400)).first, default.last)
    print("checks against the ledger")
    with tenant_context(tenant):
        failures = reports_check(SLUG, [default, this, whole])
        generated = ledger_sum(whole.begins, whole.ends)
        meant = made["captured"] == generated
        print(
            f"  {SLUG}: the generator meant to capture {format_pence(made['captured'])}; the "
            f"ledger holds {format_pence(generated)} of captures  {'ok' if meant else 'DIFFERENT'}"
        )
        if not meant:
            failures.append("generated captures differ from the ledger")
    for demo in Tenant.objects.exclude(schema_name__in=["public", SLUG]).exclude(
        schema_name__startswith="template"
    ):
        with tenant_context(demo):
            print(f"  demo {demo.schema_name}: {demo_payment()}")
            failures += reports_check(f"demo {demo.schema_name}", [default])
    print()

    host = f"{SLUG}.{settings.PLATFORM_DOMAIN}"
    visitor = Client(HTTP_HOST=host, secure=True)
    client = Client(HTTP_HOST=host, secure=True)
    with tenant_context(tenant):
        # A session as the sign-in form leaves it (signing in is not what is measured).
        client.force_login(User.objects.get(email=f"commissioner@{SLUG}.example"))
    # Between requests, one waiting delivery is paid (through the ledger's service, not
    # timed), so each report folds in a new payment first, as on a live council.
    holds = iter(waiting)

    def pay_one() -> None:
        with tenant_context(tenant):
            hold = LedgerTransaction.objects.get(pk=next(holds))
            hold_capture(hold=hold, amount_pence=hold_amount(hold))

    for page in PAGES:
        timed(client, page, 2, before=pay_one)  # warm-up: templates compiled, connections open
    base = timed(visitor, "/account/sign-in/", args.requests)
    base_p95 = p95(base)
    print(
        f"baseline, sign-in page signed out: p50 {statistics.median(base):.1f} ms, "
        f"p95 {base_p95:.1f} ms"
    )
    print()
    print(f"{'page (last 12 months)':<50} {'p50 ms':>8} {'p95 ms':>8} {'p95 / baseline':>15}")
    for page in PAGES:
        times = timed(client, page, args.requests, before=pay_one)
        ninety_fifth = p95(times)
        print(
            f"{page:<50} {statistics.median(times):>8.1f} {ninety_fifth:>8.1f} "
            f"{ninety_fifth / base_p95:>14.1f}x"
        )
        if ninety_fifth > MAX_P95_MS:
            failures.append(f"{page}: p95 {ninety_fifth:.1f} ms > {MAX_P95_MS:.0f} ms")
    print()
    if failures:
        print("targets missed:\n  " + "\n  ".join(failures))
        return 1
    print(
        "every report agrees with the ledger to the penny and every report page has "
        f"p95 <= {MAX_P95_MS:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
