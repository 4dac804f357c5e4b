#!/usr/bin/env python
"""Benchmark of the catalogue search against a trivial endpoint on the same server.

    DATABASE_URL=postgres://USER@HOST:PORT/anything .venv/bin/python scripts/bench_search.py

1. Creates a fresh database (default epurse_bench, on DATABASE_URL's server; only
   databases whose name contains "bench" are ever created or dropped), sets up the
   platform and one council ("bench"), and adds a synthetic registry (5,000 providers,
   50,000 services) approved in that council.
2. Starts gunicorn as production runs it (epurse.processes.WEB) on a free port, and
   gets an API token for a budget holder of the council (POST /api/auth/token/).
3. Loads the server from concurrent client processes (http.client, one connection
   each), in alternating rounds: GET /healthz (the baseline) and GET
   /api/catalogue/services/?q=<word>&category=<code>&postcode=<pc>&within_miles=10
   with varied words, categories and postcodes. Prints p50/p95/p99 latency and
   throughput of each as the client saw them, and the server's own time per request
   (gunicorn's access log, %(D)s), and the ratio of the throughputs.
4. For a sample of the same searches, runs every SELECT the request makes under
   EXPLAIN (ANALYZE) and reports the database time per request, and the slowest plan.
5. Checks the targets (search p95 <= 100 ms server-side; search throughput >= 40% of
   the trivial endpoint's), stops the server and drops the database (unless --keep).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import platform
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parents[1]
TENANT = "bench"
HOST = f"{TENANT}.localhost"
PASSWORD = "bench-" + secrets.token_urlsafe(12)
SEARCH_PATH = "/api/catalogue/services/"
TRIVIAL_PATH = "/healthz"
# A second, informative baseline: a tiny API view through the same middleware, tenant
# routing, token authentication and DRF as the search (one small query).
API_PATH = "/api/catalogue/categories/"
TARGET_P95_MS = 100.0
TARGET_RATIO = 0.40


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database", default="epurse_bench", help="must contain 'bench'")
    parser.add_argument("--providers", type=int, default=5000)
    parser.add_argument("--services", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client processes")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of each")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of warm-up each")
    parser.add_argument("--queries", type=int, default=500, help="distinct searches")
    parser.add_argument("--explain", type=int, default=60, help="searches to EXPLAIN ANALYZE")
    parser.add_argument("--within-miles", type=float, default=10.0)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="use the database a --keep run left (no rebuild)"
    )
    return parser.parse_args()


# --- The database ---------------------------------------------------------------------


def bench_url(name: str) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base:
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL server (any database on it); the "
            "benchmark creates its own database there."
        )
    if "bench" not in name:
        sys.exit(f"Refusing to use the database {name!r}: its name must contain 'bench'.")
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def database_recreate(url: str, *, drop_only: bool = False) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    assert "bench" in name  # noqa: S101 - the one guard that matters: never drop others
    conn = psycopg2.connect(urllib.parse.urlunsplit(parts._replace(path="/postgres")))
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if not drop_only:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "epurse.settings"
    import django

    django.setup()


def registry_build(args: argparse.Namespace) -> dict[str, float]:
    """Platform, one council with a budget holder, and the synthetic registry."""
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.utils import tenant_context

    from accounts.services import user_create
    from catalogue.synthetic import synthetic_registry_generate
    from tenants.services import tenant_create

    timings = {}
    started = time.monotonic()
    call_command("setup", verbosity=0)
    tenant = tenant_create(
        name="Benchmark Borough Council",
        slug=TENANT,
        kind="council",
        admin_email=f"admin@{TENANT}.example",
        admin_name="Bench Admin",
        admin_password=PASSWORD,
        status="active",
    ).tenant
    with tenant_context(tenant):
        user_create(
            email=f"person@{TENANT}.example",
            full_name="Bench Person",
            role_codes=["budget_holder"],
            password=PASSWORD,
        )
    timings["setup"] = time.monotonic() - started
    made = synthetic_registry_generate(
        providers=args.providers, services=args.services, seed=args.seed, approve_in=[TENANT]
    )
    timings["synthetic"] = made.seconds
    print(
        f"  registry: {made.providers:,} providers, {made.services:,} services, "
        f"{made.prices:,} prices, {made.schedules:,} opening times, "
        f"{made.cqc_locations:,} CQC ratings, {made.postcodes:,} postcodes; "
        f"{made.approvals[TENANT]:,} services approved in {TENANT!r}"
    )
    connection.close()
    return timings


def registry_reuse() -> None:
    """An earlier run's database: give its budget holder this run's password."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from accounts.models import User
    from catalogue.models import Service

    with schema_context(TENANT):
        person = User.objects.get(email=f"person@{TENANT}.example")
        person.set_password(PASSWORD)
        person.save(update_fields=["password"])
    print(f"  reusing the registry: {Service.objects.count():,} services")
    connection.close()


# --- The searches -----------------------------------------------------------------------


def searches(args: argparse.Namespace) -> list[str]:
    """Varied searches: a word, a category, and a postcode near one of the synthetic
    towns (80%) or anywhere in England."""
    from catalogue.synthetic import (
        CATEGORIES,
        EAST,
        NORTH,
        SOUTH,
        VOCABULARY,
        WEST,
        synthetic_postcode_near,
        synthetic_towns,
    )

    rng = random.Random(f"bench:{args.seed}")  # noqa: S311 - not secrets
    towns = synthetic_towns(seed=args.seed)
    paths = []
    for _ in range(args.queries):
        category = rng.choice(list(CATEGORIES))
        # Half the time a word naming that kind of service ("swimming", "respite"),
        # otherwise any word of the descriptions (common, middling or rare).
        kinds = [w for n in CATEGORIES[category].names for w in n.split() if len(w) > 3]
        word = rng.choice(kinds) if rng.random() < 0.5 else rng.choice(VOCABULARY)
        if rng.random() < 0.8:
            lat, lon = rng.choice(towns)
            lat, lon = lat + rng.uniform(-0.1, 0.1), lon + rng.uniform(-0.15, 0.15)
        else:
            lat, lon = rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)
        query = urllib.parse.urlencode(
            {
                "q": word,
                "category": category,
                "postcode": synthetic_postcode_near(lat, lon),
                "within_miles": f"{args.within_miles:g}",
            }
        )
        paths.append(f"{SEARCH_PATH}?{query}")
    return paths


# --- The server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_start(
    args: argparse.Namespace, url: str, port: int, access_log: Path
) -> subprocess.Popen[bytes]:
    from epurse import processes

    command = list(processes.WEB)
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = str(args.workers)
    command[command.index("--access-logfile") + 1] = str(access_log)
    command += ["--access-logformat", "%(U)s %(D)s %(s)s", "--worker-class", args.worker_class]
    command[0] = str(Path(sys.executable).parent / command[0])
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "PYTHONUNBUFFERED": "1"}
    print(f"  server: {' '.join(command[1:])}")
    server = subprocess.Popen(  # noqa: S603 - our own command line
        command,
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped: {server.stderr.read().decode() if server.stderr else ''}")
        with contextlib.suppress(OSError):
            status, _ = request(port, TRIVIAL_PATH)
            if status == 200:
                return server
        time.sleep(0.2)
    server_stop(server)
    sys.exit("gunicorn did not answer /healthz within 60 seconds")


def server_stop(server: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def request(
    port: int, path: str, *, method: str = "GET", body: bytes | None = None, token: str = ""
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": HOST, "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def token_get(port: int) -> str:
    body = json.dumps({"email": f"person@{TENANT}.example", "password": PASSWORD}).encode()
    status, answer = request(port, "/api/auth/token/", method="POST", body=body)
    if status != 200:
        sys.exit(f"POST /api/auth/token/ answered {status}: {answer[:500]!r}")
    return str(json.loads(answer)["token"])


# --- Load ----------------------------------------------------------------------------------


def _client(
    port: int,
    paths: list[str],
    token: str,
    start_at: float,
    stop_at: float,
    offset: int,
    results: Any,
) -> None:
    headers = {"Host": HOST, "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    i = offset
    while time.time() < start_at:
        time.sleep(0.001)
    while True:
        began = time.perf_counter()
        if time.time() >= stop_at:
            break
        path = paths[i % len(paths)]
        i += 1
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors[str(response.status)] = errors.get(str(response.status), 0) + 1
                continue
            if response.will_close:
                conn.close()  # the sync worker closes; reconnect on the next request
        except (OSError, http.client.HTTPException) as exc:
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            conn.close()
            continue
        latencies.append(time.perf_counter() - began)
    conn.close()
    results.put((latencies, errors))


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, other: Load) -> None:
        self.latencies += other.latencies
        for key, n in other.errors.items():
            self.errors[key] = self.errors.get(key, 0) + n
        self.seconds += other.seconds

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def load_run(port: int, paths: list[str], token: str, clients: int, seconds: float) -> Load:
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + 0.5  # every client starts at once
    stop_at = start_at + seconds
    workers = [
        context.Process(
            target=_client, args=(port, paths, token, start_at, stop_at, n * 97, results)
        )
        for n in range(clients)
    ]
    for worker in workers:
        worker.start()
    load = Load(seconds=seconds)
    for _ in workers:
        latencies, errors = results.get()
        load.add(Load(latencies, errors))
    for worker in workers:
        worker.join()
    return load


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def server_times(log: Path, start: int, end: int) -> dict[str, list[float]]:
    """Milliseconds gunicorn measured per request, by path, from a slice of its log."""
    times: dict[str, list[float]] = {}
    with log.open("rb") as f:
        f.seek(start)
        chunk = f.read(end - start).decode(errors="replace")
    for line in chunk.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == "200":
            times.setdefault(parts[0], []).append(int(parts[1]) / 1000)
    return times


# --- Database time of the same searches --------------------------------------------------


def explain_sample(paths: list[str], token: str, count: int) -> dict[str, Any]:
    """Run each sampled search once in-process (Django's test client, as the server
    would), capture every SQL statement it makes, and EXPLAIN ANALYZE the SELECTs."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from epurse.db import use_public_schema

    client = Client(HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Token {token}")
    per_request: list[float] = []
    hits: list[int] = []
    slowest: tuple[float, str, str] = (0.0, "", "")
    statements = 0
    jit_ms = 0.0
    for path in paths[:count]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            sys.exit(f"GET {path} answered {response.status_code}: {response.content[:500]!r}")
        hits.append(response.json()["count"])
        total = 0.0
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            statements += 1
            with connection.cursor() as cursor:
                cursor.execute(f"SET search_path = {connection.ops.quote_name(TENANT)}, public")
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0][0]
            took = plan["Planning Time"] + plan["Execution Time"]
            jit_ms += plan.get("JIT", {}).get("Timing", {}).get("Total", 0.0)
            total += took
            if took > slowest[0]:
                slowest = (took, path, sql)
        per_request.append(total)
        use_public_schema()
    text_plan = ""
    if slowest[2]:
        with connection.cursor() as cursor:
            cursor.execute(f"SET search_path = {connection.ops.quote_name(TENANT)}, public")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest[2])
            text_plan = "\n".join(row[0] for row in cursor.fetchall())
    use_public_schema()
    return {
        "per_request": per_request,
        "hits": hits,
        "slowest": slowest,
        "plan": text_plan,
        "statements": statements / max(len(per_request), 1),
        "jit_ms": jit_ms,
    }


# --- Report --------------------------------------------------------------------------------


def line(name: str, load: Load, server: list[float]) -> str:
    ms = [v * 1000 for v in load.latencies]
    return (
        f"  {name:<8} {len(ms):>7,} req  {load.throughput:>8.1f} req/s   client p50 "
        f"{percentile(ms, 50):6.1f}  p95 {percentile(ms, 95):6.1f}  "
        f"p99 {percentile(ms, 99):6.1f} ms"
        f"   server p50 {percentile(server, 50):6.1f}  p95 {percentile(server, 95):6.1f}  "
        f"p99 {percentile(server, 99):6.1f} ms   errors {load.errors or 0}"
    )


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    args = parse_args()
    url = bench_url(args.database)
    print("Catalogue search benchmark")
    print(
        f"  machine: {os.cpu_count()} CPUs ({platform.machine()}), "
        f"Python {platform.python_version()}, load average {_load()} at the start"
    )
    print(
        f"  settings: providers={args.providers} services={args.services} seed={args.seed} "
        f"workers={args.workers} worker_class={args.worker_class} clients={args.clients} "
        f"rounds={args.rounds}x{args.duration:g}s warmup={args.warmup:g}s "
        f"queries={args.queries} within_miles={args.within_miles:g} "
        f"database={args.database}"
    )
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("EMAIL_BACKEND", "memory")
    if not args.reuse:
        database_recreate(url)
    server = None
    try:
        django_setup(url)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            print(f"  PostgreSQL {cursor.fetchone()[0]}")
        if args.reuse:
            registry_reuse()
        else:
            timings = registry_build(args)
            print(
                f"  built in {timings['setup']:.1f}s (platform and council) + "
                f"{timings['synthetic']:.1f}s (synthetic registry)"
            )
        paths = searches(args)
        port = free_port()
        access_log = Path(tempfile.mkstemp(prefix="bench-access-", suffix=".log")[1])
        server = server_start(args, url, port, access_log)
        token = token_get(port)

        print("Warming up")
        load_run(port, [TRIVIAL_PATH], "", args.clients, args.warmup)
        load_run(port, paths, token, args.clients, args.warmup)

        trivial, api, search = Load(), Load(), Load()
        server_ms: dict[str, list[float]] = {TRIVIAL_PATH: [], API_PATH: [], SEARCH_PATH: []}
        for round_number in range(1, args.rounds + 1):
            for name, target, phase_paths, phase_token in (
                ("trivial", trivial, [TRIVIAL_PATH], ""),
                ("api", api, [API_PATH], token),
                ("search", search, paths, token),
            ):
                start = access_log.stat().st_size
                load = load_run(port, phase_paths, phase_token, args.clients, args.duration)
                time.sleep(0.3)  # let gunicorn flush its log
                for path, values in server_times(
                    access_log, start, access_log.stat().st_size
                ).items():
                    server_ms.setdefault(path, []).extend(values)
                target.add(load)
                print(f"  round {round_number} {name}: {load.throughput:.1f} req/s")

        print("Searching the same queries in-process under EXPLAIN ANALYZE")
        explained = explain_sample(paths, token, args.explain)
        server_stop(server)
        server = None
        access_log.unlink(missing_ok=True)

        ratio = search.throughput / trivial.throughput if trivial.throughput else 0.0
        search_p95 = percentile(server_ms[SEARCH_PATH], 95)
        db = explained["per_request"]
        hits = explained["hits"]
        print()
        print("Results (latency in ms)")
        print(line("trivial", trivial, server_ms[TRIVIAL_PATH]) + f"   {TRIVIAL_PATH}")
        print(line("api", api, server_ms[API_PATH]) + f"   {API_PATH}")
        print(line("search", search, server_ms[SEARCH_PATH]) + f"   {SEARCH_PATH}?q=...")
        print(f"  throughput ratio search/trivial: {ratio:.3f}")
        print(f"  throughput ratio search/api: {search.throughput / api.throughput:.3f}")
        print(
            f"  database time per search request ({len(db)} searches, "
            f"{explained['statements']:.1f} SELECTs each, planning + execution): "
            f"p50 {percentile(db, 50):.2f}  p95 {percentile(db, 95):.2f}  max {max(db):.2f}"
        )
        print(f"  of which JIT compilation: {explained['jit_ms']:.1f} ms in all")
        print(
            f"  results per search: median {statistics.median(hits):g}, min {min(hits)}, "
            f"max {max(hits)}, empty {sum(1 for h in hits if h == 0)} of {len(hits)}"
        )
        took, path, sql = explained["slowest"]
        print(f"  slowest statement: {took:.2f} ms, in {path}")
        print("    " + re.sub(r"\s+", " ", sql)[:600])
        print("\n".join("    " + row for row in explained["plan"].splitlines()))
        print()
        print(f"  load average {_load()} at the end (other processes compete for the CPUs)")
        p95_ok = search_p95 <= TARGET_P95_MS
        ratio_ok = ratio >= TARGET_RATIO
        print(
            f"{'PASS' if p95_ok else 'FAIL'}: search p95 server-side {search_p95:.1f} ms "
            f"(target <= {TARGET_P95_MS:g} ms)"
        )
        print(
            f"{'PASS' if ratio_ok else 'FAIL'}: search throughput {ratio:.1%} of the trivial "
            f"endpoint's (target >= {TARGET_RATIO:.0%})"
        )
        exit_code = 0 if p95_ok and ratio_ok else 1
    finally:
        if server is not None:
            server_stop(server)
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if args.keep:
            print(f"Kept the database {args.database}.")
        else:
            database_recreate(url, drop_only=True)
            print(f"Dropped the database {args.database}.")
    sys.exit(exit_code)


if __name__ == "__main__":
    main()
