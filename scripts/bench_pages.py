#!/usr/bin/env python
"""Weight and server time of the portal's pages, with the demo data.

    DATABASE_URL=postgres://USER@HOST:PORT/anything .venv/bin/python scripts/bench_pages.py

1. Creates a fresh database (default epurse_bench_pages; only names containing "bench"
   are created or dropped), sets up the platform and seeds the demo (make demo's data).
2. Signs in as the demo budget holder of Kingsmere (person@kingsmere.example) through
   the sign-in form, and opens each page of the portal once to warm up.
3. Weight: each page's HTML, plus every stylesheet and script it loads (and the
   modules those import), as sent: HTML as the app sends it (uncompressed), CSS and JS
   gzip-compressed as WhiteNoise serves them with STATIC_MANIFEST on; images aside.
   The baseline is the same page's bare GOV.UK Frontend CSS and JS alone.
4. Server time: --requests requests of each page through the whole Django stack
   (middleware, tenant routing, sessions, the view, the database), in this process; p50
   and p95. The baseline is GET /healthz-like work: the sign-in page for a signed-out
   visitor, measured the same way.
5. Checks the targets (each page <= 150 KB transferred; p95 <= 150 ms) and drops the
   database (unless --keep).
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import secrets
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR / "scripts"))

from bench_search import bench_url, database_recreate, django_setup  # noqa: E402

PASSWORD = "bench-pages-password-2026"  # noqa: S105 - a throwaway database
MAX_BYTES = 150 * 1024
MAX_P95_MS = 150.0
ASSETS = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"')
IMPORTS = re.compile(r'import[^"\']*["\']([^"\']+\.m?js)["\']')


def static_file(url: str) -> Path | None:
    from django.conf import settings
    from django.contrib.staticfiles import finders

    path = url.split("?")[0]
    if not path.startswith(settings.STATIC_URL):
        return None
    found = finders.find(path[len(settings.STATIC_URL) :])
    return Path(found) if found else None


def asset_bytes(client: object, url: str, seen: set[str]) -> int:
    """Bytes of one stylesheet or script as sent (gzip), and of the modules it imports.
    A URL that is not a static file (the council's branding.css) is fetched."""
    if url in seen:
        return 0
    seen.add(url)
    path = static_file(url)
    body = path.read_bytes() if path is not None else client.get(url).content  # type: ignore[attr-defined]
    total = len(gzip.compress(body, compresslevel=9))
    if url.endswith((".js", ".mjs")):
        base = url.rsplit("/", 1)[0]
        for module in IMPORTS.findall(body.decode("utf-8", "replace")):
            target = module
            while target.startswith("../"):
                base, target = base.rsplit("/", 1)[0], target[3:]
            target = target.removeprefix("./")
            total += asset_bytes(client, f"{base}/{target}", seen)
    return total


def page_weight(client: object, html: bytes) -> tuple[int, int]:
    seen: set[str] = set()
    extra = sum(asset_bytes(client, url, seen) for url in ASSETS.findall(html.decode()))
    return len(html), extra


def timed(client: object, url: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="epurse_bench_pages")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

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


def run(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from epurse.demo import demo_seed

    setup_test_environment()  # the test client's cookies and responses; not the settings
    started = time.monotonic()
    call_command("setup", verbosity=0)
    demo_seed(password=PASSWORD)
    print(f"set-up and demo data: {time.monotonic() - started:.1f} s")

    host = f"kingsmere.{settings.PLATFORM_DOMAIN}"
    visitor = Client(HTTP_HOST=host, secure=True)
    client = Client(HTTP_HOST=host, secure=True)
    signed_in = client.post(
        "/account/sign-in/", {"email": "person@kingsmere.example", "password": PASSWORD}
    )
    if signed_in.status_code != 302:
        sys.exit(f"could not sign in as the demo budget holder ({signed_in.status_code})")

    search = "/services/?within=3&max_price=20&min_rating=good"
    found = re.search(r'href="/services/([0-9a-f-]{36})/"', client.get(search).content.decode())
    if found is None:
        sys.exit("the demo search found no service near home under £20 rated Good")
    service = f"/services/{found.group(1)}/"
    pages = [
        "/",
        "/services/",
        search,
        service,
        service + "order/",
        "/orders/",
        "/notifications/",
        "/purse/me/statement/",
        "/act-for/",
        "/help/",
        "/accessibility/",
    ]
    for page in pages:
        timed(client, page, 2)  # warm-up: templates compiled, connections open
    base_times = timed(visitor, "/account/sign-in/", args.requests)
    print(
        f"baseline, sign-in page signed out: p50 {statistics.median(base_times):.1f} ms, "
        f"p95 {p95(base_times):.1f} ms"
    )
    bare_css = len(
        gzip.compress(
            (
                BASE_DIR / "node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css"
            ).read_bytes(),
            9,
        )
    )
    bare_js = len(
        gzip.compress(
            (
                BASE_DIR / "node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js"
            ).read_bytes(),
            9,
        )
    )
    print(f"baseline, GOV.UK Frontend's own CSS + JS (gzip): {(bare_css + bare_js) / 1024:.1f} KB")
    print()
    print(
        f"{'page':<55} {'HTML KB':>8} {'CSS+JS KB':>10} {'total KB':>9} {'p50 ms':>7} {'p95 ms':>7}"
    )
    failures = []
    for page in pages:
        html = client.get(page).content
        html_bytes, extra = page_weight(client, html)
        times = timed(client, page, args.requests)
        total = html_bytes + extra
        ninety_fifth = p95(times)
        print(
            f"{page[:55]:<55} {html_bytes / 1024:>8.1f} {extra / 1024:>10.1f} "
            f"{total / 1024:>9.1f} {statistics.median(times):>7.1f} {ninety_fifth:>7.1f}"
        )
        if total > MAX_BYTES:
            failures.append(f"{page}: {total / 1024:.1f} KB > 150 KB")
        if ninety_fifth > MAX_P95_MS:
            failures.append(f"{page}: p95 {ninety_fifth:.1f} ms > 150 ms")
    print()
    if failures:
        print("targets missed:\n  " + "\n  ".join(failures))
        return 1
    print("every page <= 150 KB transferred and p95 <= 150 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
