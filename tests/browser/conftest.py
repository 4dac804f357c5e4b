"""Fixtures for the browser tests: a live server, a council of their own, and Chromium.

The pages are served by Django's WSGI app (WhiteNoise serving /static/, as in
production) from a thread on 127.0.0.1, on a free port, and driven with Playwright
through Debian's Chromium. Chromium resolves every *.localhost name to the loopback
address, so a council is reached at http://<slug>.localhost:<port>/ with no DNS set-up.

Why not pytest-django's `live_server`: it forces `transactional_db`, which empties the
tables with TRUNCATE after each test, and the audit log's trigger refuses TRUNCATE.
The server here instead sees committed data, like every other process would.

Why a council of their own (not northmoor): every sign-in commits audit rows, sessions
and login-throttle rows, and the audit log cannot be cleaned (it is append-only). Other
tests read northmoor's audit log and throttle rows exactly (`.get(action="auth.login")`),
so committing there would make them depend on test order. This council is dropped,
schema and all, when the browser tests finish.

Cookies: the test settings send Secure cookies (PLATFORM_SCHEME is https), and they are
kept over plain http here because Chromium treats http://localhost and every
http://*.localhost as a secure context. So the live server runs the real cookie
settings, with no override.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from epurse.paths import BASE_DIR
from tests.conftest import PASSWORD, tenant_drop

from .axe import AXE_JS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BUILT_CSS = BASE_DIR / "assets" / "build" / "css" / "epurse.css"

SLUG = "ashcombe"
COUNCIL = "Ashcombe Borough Council"
ADMIN_EMAIL = f"admin@{SLUG}.example"
ADMIN_NAME = "Ashcombe Admin"
TIMEOUT_MS = 10_000  # for actions and for expect(); generous for a busy CI machine

T = TypeVar("T")


def off_the_event_loop(work: Callable[[], T]) -> T:
    """Run database work in a thread of its own and return its result.

    Playwright's sync API keeps an asyncio loop running in the main thread, and Django
    refuses database calls from a thread with a running loop (SynchronousOnlyOperation).
    The thread's connection is closed when the work is done."""

    def run() -> T:
        try:
            return work()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="browser-db") as pool:
        return pool.submit(run).result()


@pytest.fixture(scope="session", autouse=True)
def _chromium_available() -> None:
    """Skip these tests on a machine without Chromium; fail instead where it must be
    there (CI sets EPURSE_REQUIRE_BROWSER=1)."""
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install it with `apt-get install chromium`"
    if os.environ.get("EPURSE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (EPURSE_REQUIRE_BROWSER=1 says the browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _front_end_built(_chromium_available: None) -> None:
    # Without the built CSS every page would be unstyled, and axe would judge the wrong
    # page; without axe-core there is nothing to judge with. Both are `make test`'s job.
    for needed, how in ((BUILT_CSS, "npm run build"), (AXE_JS, "npm ci")):
        if not needed.exists():
            pytest.fail(f"{needed} is missing: run `{how}` first")


class _QuietRequestHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass(frozen=True)
class Site:
    """The live server's port and the council the browser tests use."""

    port: int
    slug: str
    tenant: object
    admin_email: str
    admin_name: str
    password: str

    @property
    def council_url(self) -> str:
        return f"http://{self.slug}.localhost:{self.port}"

    @property
    def platform_url(self) -> str:
        return f"http://localhost:{self.port}"


@pytest.fixture(scope="package")
def site(django_db_setup, django_db_blocker) -> Iterator[Site]:
    """A council committed to the test database, and a live server on a free port.

    Package-scoped, so it cannot use the function-scoped `committed`; it does the same
    thing for its whole life: database access without a wrapping transaction, for the
    main thread and for the server's request threads alike."""
    from tenants.services import tenant_create

    def onboard() -> object:
        tenant_drop(SLUG)  # left over from an interrupted run on a kept database
        return tenant_create(
            name=COUNCIL,
            slug=SLUG,
            kind="council",
            admin_email=ADMIN_EMAIL,
            admin_name=ADMIN_NAME,
            admin_password=PASSWORD,
            status="active",
        ).tenant

    with django_db_blocker.unblock():
        tenant = off_the_event_loop(onboard)
        # connections_override=None: each request thread opens its own connection and
        # closes it when the request ends.
        server = ThreadedWSGIServer(
            ("127.0.0.1", 0), _QuietRequestHandler, allow_reuse_address=False
        )
        server.set_app(WSGIHandler())
        thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
        thread.start()
        try:
            yield Site(
                port=server.server_address[1],
                slug=SLUG,
                tenant=tenant,
                admin_email=ADMIN_EMAIL,
                admin_name=ADMIN_NAME,
                password=PASSWORD,
            )
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            off_the_event_loop(lambda: tenant_drop(SLUG))


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def _context(browser: Browser, *, javascript: bool) -> BrowserContext:
    context = browser.new_context(java_script_enabled=javascript)
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh tab (no cookies) with JavaScript on."""
    context = _context(browser, javascript=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def page_without_js(browser: Browser) -> Iterator[Page]:
    """A fresh tab (no cookies) with JavaScript off."""
    context = _context(browser, javascript=False)
    yield context.new_page()
    context.close()
