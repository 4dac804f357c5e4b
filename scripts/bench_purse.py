#!/usr/bin/env python
"""Benchmark of the e-purse against PostgreSQL's own yardsticks, in one run.

    DATABASE_URL=postgres://USER@HOST:PORT/anything .venv/bin/python scripts/bench_purse.py

1. Creates a fresh database (default epurse_bench_purse; only databases whose name
   contains "bench" are ever created or dropped) and sets up the platform.
2. pgbench, built-in tpcb-like script, on its own tables in that database: TPS with the
   same number of clients as the tests below (the baseline).
3. Ledger transfers through the service (purse.ledger.services.transfer), from that
   many threads with a connection each, each moving money between its own purses:
   transfers per second, and the ratio to pgbench's TPS.
4. Checkout through the API (POST /api/purse/orders/ with an Idempotency-Key, the
   whole Django stack: middleware, tenant routing, token auth, DRF, idempotency, spending
   rules, ledger hold), over HTTP to gunicorn as deployed (--web-workers processes, by
   default 2 per CPU + 1), from that many client threads, each for its own person:
   orders per second, p50/p95 latency, and the ratio to pgbench's TPS. Then, from the
   same server and clients, GET /api/me/ (routing, token and roles, which every API
   call does, and nothing else): the floor under any API operation on this machine.
5. A top-up run for --purses budgets spread over --tenants councils
   (purse.services.funding.topups_run in each, after ANALYZE as on a live database),
   against a bare INSERT ... SELECT of the same rows (a transaction and two entries per
   budget) into two kinds of table: plain tables with no index, trigger or constraint;
   and tables shaped like the ledger's own (their indexes, checks and defaults, but no
   trigger). The ratio of the times to each.
6. Checks the targets (checkout >= 25% of pgbench's TPS; the top-up run <= 5x the bare
   insert) and drops the database (unless --keep). --only checkout / --only topup runs
   one part.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR / "scripts"))

from bench_search import bench_url, database_recreate, django_setup  # noqa: E402

PASSWORD = "bench-" + secrets.token_urlsafe(12)
TARGET_CHECKOUT_RATIO = 0.25
TARGET_TOPUP_RATIO = 5.0
START = dt.date(2026, 1, 5)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database", default="epurse_bench_purse", help="must contain 'bench'")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each load")
    parser.add_argument("--purses", type=int, default=100_000, help="budgets in the top-up run")
    parser.add_argument("--tenants", type=int, default=20, help="councils they are spread over")
    parser.add_argument(
        "--web-workers",
        type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn processes serving the checkouts",
    )
    parser.add_argument(
        "--only",
        choices=["all", "checkout", "topup"],
        default="all",
        help="run only the throughput part (pgbench, ledger, checkout) or the top-up part",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def pgbench_tps(url: str, clients: int, seconds: float) -> float:
    parts = urllib.parse.urlsplit(url)
    env = dict(os.environ, PGPASSWORD=urllib.parse.unquote(parts.password or ""))
    target = [
        "-h",
        parts.hostname or "localhost",
        "-p",
        str(parts.port or 5432),
        "-U",
        urllib.parse.unquote(parts.username or "postgres"),
        parts.path.lstrip("/"),
    ]
    pgbench = shutil.which("pgbench")
    if pgbench is None:
        sys.exit("pgbench is needed for the baseline (Debian: postgresql-client)")
    subprocess.run(  # noqa: S603 - our own command line
        [pgbench, "-i", "-q", "-s", "1", *target], check=True, env=env, capture_output=True
    )
    done = subprocess.run(  # noqa: S603 - our own command line
        [pgbench, "-c", str(clients), "-j", str(clients), "-T", str(int(seconds)), *target],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )
    match = re.search(r"tps = ([0-9.]+)", done.stdout)
    if match is None:
        sys.exit(f"Could not read pgbench's TPS:\n{done.stdout}\n{done.stderr}")
    return float(match.group(1))


def _threads(count: int, work: Any) -> None:
    from django.db import connections

    def run(i: int) -> None:
        try:
            work(i)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def council_make(slug: str) -> Any:
    from tenants.services import tenant_create

    return tenant_create(
        name=f"{slug.title()} Borough Council",
        slug=slug,
        kind="council",
        admin_email=f"admin@{slug}.example",
        admin_password=PASSWORD,
        status="active",
    ).tenant


def budgets_make(count: int, *, weekly: int, users: list[Any] | None = None) -> list[Any]:
    """`count` people with an approved plan and an active budget, and their purses, in
    the current schema: bulk inserts (what matters here is the run, not the set-up)."""
    from django.utils import timezone

    from accounts.services import user_create
    from purse.ledger.models import Account
    from purse.models import Assessment, Budget, Person, SupportPlan
    from tenants.rules.models import RulesVersion

    version = RulesVersion.objects.get(number=1)
    manager = user_create(
        email=f"manager-{uuid.uuid4().hex[:8]}@bench.example",
        full_name="Bench Manager",
        role_codes=["care_manager"],
    )
    people = Person.objects.bulk_create(
        Person(
            given_name="Pat",
            family_name=f"Bench {n}",
            date_of_birth=dt.date(1950, 1, 1),
            user=users[n] if users else None,
        )
        for n in range(count)
    )
    assessments = Assessment.objects.bulk_create(
        Assessment(
            person=p,
            rules_version=version,
            status="completed",
            eligible=True,
            indicative_weekly_pence=weekly,
            assessed_by=manager,
            completed_at=timezone.now(),
        )
        for p in people
    )
    plans = SupportPlan.objects.bulk_create(
        SupportPlan(
            person=p,
            assessment=a,
            rules_version=version,
            status="approved",
            outcomes="Bench",
            management="council_managed",
            weekly_budget_pence=weekly,
            starts_on=START,
            created_by=manager,
        )
        for p, a in zip(people, assessments, strict=True)
    )
    Budget.objects.bulk_create(
        Budget(
            person=p,
            plan=plan,
            status="active",
            weekly_pence=weekly,
            management="council_managed",
            starts_on=START,
            first_topup_on=START,
        )
        for p, plan in zip(people, plans, strict=True)
    )
    Account.objects.bulk_create(
        Account(kind="purse", code=f"purse:{p.public_id}", person=p, must_not_go_negative=True)
        for p in people
    )
    return people


def ledger_transfers(tenant: Any, clients: int, seconds: float) -> float:
    """Posted transfers per second through the service, each thread between its own
    two purses (so they measure the ledger, not waiting for one another)."""
    from django_tenants.utils import tenant_context

    from purse.ledger.models import Account
    from purse.ledger.services import Leg, shared_account, transfer

    with tenant_context(tenant):
        people = budgets_make(clients * 2, weekly=10000)
        funding = shared_account(Account.Kind.FUNDING)
        purses = list(Account.objects.filter(person__in=people).order_by("pk"))
        for purse in purses:
            transfer(kind="one_off", legs=[Leg(funding, purse, 10**9)])
    counts = [0] * clients
    deadline = time.monotonic() + seconds

    def work(i: int) -> None:
        with tenant_context(tenant):
            a, b = purses[2 * i], purses[2 * i + 1]
            while time.monotonic() < deadline:
                transfer(kind="one_off", legs=[Leg(a, b, 1)])
                a, b = b, a
                counts[i] += 1

    _threads(clients, work)
    return sum(counts) / seconds


def checkouts(
    tenant: Any, clients: int, seconds: float, workers: int
) -> tuple[list[float], list[float]]:
    """Each checkout's latency (ms) through the API, and then, from the same server
    and clients, each latency of the least a signed-in API request does (GET /api/me/:
    routing, token, roles): the floor under any API operation here."""
    from django.db import connections
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from accounts.services import api_token_issue, user_create
    from catalogue.council.services import provider_approval_set, service_approval_set
    from catalogue.models import Service
    from core.services import SYSTEM
    from epurse.db import use_public_schema
    from purse.ledger.models import Account
    from purse.ledger.services import Leg, shared_account, transfer

    use_public_schema()
    service = Service.objects.filter(status="published").select_related("provider").first()
    if service is None:
        sys.exit("The demo registry has no published service to order")
    price = service.prices.order_by("amount_pence").first()
    if price is None:
        sys.exit(f"The demo service {service.name!r} has no price")
    price_id = str(price.pk)
    tokens, people = [], []
    with tenant_context(tenant):
        admin = user_create(
            email="approver@bench.example", full_name="Approver", role_codes=["council_admin"]
        )
        provider_approval_set(provider=service.provider, status="approved", by=admin)
        service_approval_set(service=service, status="approved", by=admin)
        users = [
            user_create(
                email=f"holder{i}@bench.example",
                full_name=f"Holder {i}",
                role_codes=["budget_holder"],
            )
            for i in range(clients)
        ]
        people = budgets_make(clients, weekly=10000, users=users)
        funding = shared_account(Account.Kind.FUNDING)
        for person in people:
            transfer(
                kind="one_off",
                legs=[Leg(funding, Account.objects.get(person=person), 10**10)],
            )
        tokens = [api_token_issue(user=u, origin=SYSTEM)[0] for u in users]
    use_public_schema()
    connections.close_all()
    host = f"{tenant.schema_name}.localhost"
    day = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    checkout_bodies = [
        json.dumps(
            {
                "person": str(person.public_id),
                "service": str(service.pk),
                "price_option": price_id,
                "units": "1",
                "starts_on": day,
                "at": "10:00",
                "frequency": "once",
            }
        ).encode()
        for person in people
    ]

    def checkout(port: int, i: int) -> tuple[int, bytes]:
        return _request(
            port,
            "POST",
            "/api/purse/orders/",
            checkout_bodies[i],
            {
                "Host": host,
                "Authorization": f"Token {tokens[i]}",
                "Content-Type": "application/json",
                "Idempotency-Key": str(uuid.uuid4()),
            },
        )

    def who_am_i(port: int, i: int) -> tuple[int, bytes]:
        return _request(
            port, "GET", "/api/me/", b"", {"Host": host, "Authorization": f"Token {tokens[i]}"}
        )

    with web_server(workers) as port:
        orders = _load(port, clients, seconds, checkout, expect=201, what="A checkout")
        floor = _load(port, clients, seconds, who_am_i, expect=200, what="GET /api/me/")
    return orders, floor


def _load(
    port: int,
    clients: int,
    seconds: float,
    send: Any,
    *,
    expect: int,
    what: str,
) -> list[float]:
    """`clients` threads calling send(port, i) for `seconds`, after a 5 s warm-up (every
    worker loads the application on its first requests): each measured latency (ms)."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures: list[str] = []
    warm = threading.Barrier(clients)
    deadline = 0.0

    def work(i: int) -> None:
        nonlocal deadline
        measured = False
        warm_until = time.monotonic() + 5
        while not measured or time.monotonic() < deadline:
            if not measured and time.monotonic() >= warm_until:
                try:
                    if warm.wait() == 0:
                        deadline = time.monotonic() + seconds
                    warm.wait()  # everyone starts with the deadline set
                except threading.BrokenBarrierError:
                    return  # another client failed: it says why
                measured = True
            started = time.perf_counter()
            status, answer = send(port, i)
            if measured:
                latencies[i].append((time.perf_counter() - started) * 1000)
            if status != expect:
                failures.append(f"{status} {answer[:200]!r}")
                warm.abort()
                return

    _threads(clients, work)
    if failures:
        sys.exit(f"{what} failed: {failures[0]}")
    return [ms for values in latencies for ms in values]


def _request(
    port: int, method: str, path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@contextlib.contextmanager
def web_server(workers: int) -> Iterator[int]:
    """gunicorn serving the platform on a free local port, as deployed (sync workers)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [gunicorn, "epurse.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        cwd=BASE_DIR,
        env={**os.environ, "PYTHONPATH": f"{BASE_DIR / 'platform'}:{BASE_DIR}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                ready = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                ready.request("GET", "/readyz", headers={"Host": "localhost"})
                if ready.getresponse().status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                error = server.stderr.read().decode() if server.stderr else ""
                sys.exit(f"gunicorn did not start:\n{error[-2000:]}")
            time.sleep(0.3)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


_BARE_TABLES = {
    # Ordinary (logged) tables with the ledger's columns and nothing else: no index,
    # trigger or constraint.
    "bare": (
        "CREATE TABLE bare_transaction (id bigserial, public_id uuid, kind text,"
        " status text, key text, memo text, created_at timestamptz);"
        "CREATE TABLE bare_entry (transaction_id bigint, account_id bigint,"
        " side text, amount_pence bigint)"
    ),
    # The ledger's own tables' shape: their indexes, checks and defaults, but no
    # trigger (so no balance check) and nothing computed or locked.
    "shaped": (
        "CREATE TABLE bare_transaction (LIKE ledger_transaction INCLUDING ALL);"
        "CREATE TABLE bare_entry (LIKE ledger_entry INCLUDING ALL)"
    ),
}
_BARE_INSERT = """
WITH t AS (
    INSERT INTO bare_transaction (public_id, kind, status, key, memo, created_at)
    SELECT gen_random_uuid(), 'topup', 'posted',
           'bare:' || b.id || ':' || b.first_topup_on, 'Top-up', now()
      FROM purse_budget b
    RETURNING id
)
INSERT INTO bare_entry (transaction_id, account_id, side, amount_pence)
SELECT t.id, 1, 'D', 120000 FROM t
UNION ALL
SELECT t.id, 2, 'C', 120000 FROM t
"""


def _bare_insert(tables: str) -> float:
    """Seconds for the bare INSERT ... SELECT of a transaction and two entries per
    budget of the current schema into `tables`, dropped with the rollback."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_BARE_TABLES[tables])
        started = time.perf_counter()
        cursor.execute(_BARE_INSERT)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def topup_run_vs_bare(purses: int, tenants: int) -> tuple[float, dict[str, float], int]:
    """Seconds for the top-up runs over all councils, and for the bare INSERT ... SELECT
    of the same rows into each kind of bare table; and how many top-ups were paid."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    from purse.services.funding import topups_run

    each = purses // tenants
    councils = [council_make(f"benchtopup{n:02d}") for n in range(tenants)]
    for council in councils:
        with tenant_context(council):
            budgets_make(each, weekly=30000)
            with connection.cursor() as cursor:
                # Planner statistics, as autovacuum keeps them on a live database.
                cursor.execute("ANALYZE")
    on = START  # the first cycle of every budget is due
    run_seconds = 0.0
    bare = dict.fromkeys(_BARE_TABLES, 0.0)
    paid = 0
    for council in councils:
        with tenant_context(council):
            started = time.perf_counter()
            paid += topups_run(on=on).topups
            run_seconds += time.perf_counter() - started
            for tables in bare:
                bare[tables] += _bare_insert(tables)
    return run_seconds, bare, paid


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _throughput(url: str, args: argparse.Namespace) -> list[str]:
    """pgbench, ledger transfers and checkouts; the result lines."""
    tps = pgbench_tps(url, args.clients, args.seconds)
    print(f"  pgbench tpcb-like: {tps:.1f} TPS ({args.clients} clients)")
    council = council_make("benchledger")
    transfers = ledger_transfers(council, args.clients, args.seconds)
    print(f"  ledger transfers (service): {transfers:.1f}/s")
    latencies, floor = checkouts(council, args.clients, args.seconds, args.web_workers)
    orders = len(latencies) / args.seconds
    p50 = statistics.median(latencies)
    p95 = statistics.quantiles(latencies, n=100)[94]
    print(
        f"  checkouts (API over HTTP, {args.web_workers} gunicorn workers): {orders:.1f}/s, "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"
    )
    floor_rate = len(floor) / args.seconds
    print(
        f"  GET /api/me/ (same server and clients): {floor_rate:.1f}/s, "
        f"p50 {statistics.median(floor):.1f} ms, "
        f"p95 {statistics.quantiles(floor, n=100)[94]:.1f} ms"
    )
    ratio = orders / tps
    return [
        f"ledger transfers / pgbench TPS: {transfers / tps:.3f}",
        f"GET /api/me/ / pgbench TPS: {floor_rate / tps:.3f} (the floor: routing, token, roles)",
        f"checkouts / GET /api/me/: {orders / floor_rate:.3f}",
        f"checkouts / pgbench TPS: {ratio:.3f} (target >= {TARGET_CHECKOUT_RATIO}) "
        + _verdict(ratio >= TARGET_CHECKOUT_RATIO),
    ]


def _topup(args: argparse.Namespace) -> list[str]:
    """The top-up run against the bare inserts; the result lines."""
    run_s, bare, paid = topup_run_vs_bare(args.purses, args.tenants)
    print(
        f"  top-up run: {paid:,} top-ups in {run_s:.2f}s; bare INSERT ... SELECT of the "
        f"same rows: {bare['bare']:.2f}s into tables with no index, "
        f"{bare['shaped']:.2f}s into tables shaped like the ledger's"
    )
    lines = []
    for tables, label in (("bare", "no index"), ("shaped", "the ledger's shape")):
        ratio = run_s / bare[tables] if bare[tables] else float("inf")
        lines.append(
            f"top-up run / bare insert ({label}): {ratio:.2f}x "
            f"(target <= {TARGET_TOPUP_RATIO}x) {_verdict(ratio <= TARGET_TOPUP_RATIO)}"
        )
    return lines


def main() -> None:
    args = parse_args()
    url = bench_url(args.database)
    print("E-purse benchmark")
    print(
        f"  machine: {os.cpu_count()} CPUs; clients={args.clients} seconds={args.seconds:g} "
        f"purses={args.purses:,} tenants={args.tenants} database={args.database}"
    )
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("EMAIL_BACKEND", "memory")
    os.environ["DEMO_PASSWORD"] = PASSWORD
    database_recreate(url)
    try:
        django_setup(url)
        from django.core.management import call_command
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            print(f"  PostgreSQL {cursor.fetchone()[0]}")
        call_command("setup", verbosity=0)
        call_command("demo", verbosity=0)  # a registry to order from
        connection.close()

        results: list[str] = []
        if args.only in ("all", "checkout"):
            results += _throughput(url, args)
        if args.only in ("all", "topup"):
            results += _topup(args)
        print()
        print("Results")
        for line in results:
            print(f"  {line}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            database_recreate(url, drop_only=True)


if __name__ == "__main__":
    main()
