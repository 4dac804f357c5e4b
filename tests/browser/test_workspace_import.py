"""The import pages in a real browser, without JavaScript's help needed: axe-core finds
nothing on the empty upload form, a refused file, the report of bad rows, the import
waiting to run, and the import done."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import FilePayload, Page, expect

from purse.imports import tasks
from purse.imports.models import ImportFile
from purse.imports.services import import_run
from tenants.models import Tenant
from tests.conftest import PASSWORD, TenantUsers, council_committed
from tests.purse.imports.support import csv_bytes, good_row

from .axe import assert_no_axe_violations
from .conftest import Site, off_the_event_loop

pytestmark = pytest.mark.browser

SLUG = "importmoor"


@pytest.fixture(scope="module")
def council(site: Site, django_db_blocker) -> Iterator[tuple[str, Any]]:
    with django_db_blocker.unblock():
        keeper = off_the_event_loop(
            lambda: TenantUsers(
                tenant=Tenant.objects.get(schema_name="northmoor"), host="", admin=None, person=None
            )
        )
        made = council_committed(SLUG, keeper)
        onboarded = off_the_event_loop(lambda: made.__enter__())
        try:
            yield f"http://{SLUG}.localhost:{site.port}", onboarded
        finally:
            off_the_event_loop(lambda: made.__exit__(None, None, None))


def sign_in(page: Page, url: str) -> None:
    page.goto(url + "/account/sign-in/")
    page.get_by_label("Email address").fill(f"admin@{SLUG}.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def choose_file(page: Page, name: str, content: bytes) -> None:
    payload: FilePayload = {"name": name, "mimeType": "text/csv", "buffer": content}
    page.get_by_label("Upload a CSV file").set_input_files(files=payload)
    page.get_by_role("button", name="Check the file").click()


def test_every_import_page_state_is_accessible(page: Page, council, monkeypatch) -> None:
    url, onboarded = council
    # The page's send of the task is caught here; the test runs the import itself.
    queued: list[tuple] = []
    monkeypatch.setattr(tasks.import_rows, "delay_on_commit", lambda *args: queued.append(args))
    sign_in(page, url)

    page.goto(url + "/workspace/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import budget holders")
    page.get_by_text("The columns the file needs").click()
    assert_no_axe_violations(page, "the upload form, empty")

    choose_file(page, "wrong.csv", b"name,budget\r\nAda,100\r\n")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The first row must name the columns"
    )
    assert_no_axe_violations(page, "the upload form with a refused file")

    rows = [good_row(n) for n in range(1, 6)] + [
        good_row(6, postcode="nowhere"),
        good_row(7, date_of_birth="yesterday", management="cash"),
    ]
    choose_file(page, "people.csv", csv_bytes(rows))
    expect(page.get_by_role("heading", level=1)).to_have_text("What the check found")
    expect(page.locator("#problems tbody tr")).to_have_count(3)
    assert_no_axe_violations(page, "the report of rows with problems")

    page.get_by_role("button", name="Import the 5 valid rows").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importing budget holders")
    assert_no_axe_violations(page, "the import waiting to run")

    def run() -> None:
        with tenant_context(onboarded.tenant):
            [(import_id,)] = queued
            import_run(import_id=import_id)

    off_the_event_loop(run)
    page.get_by_role("link", name="Refresh to see progress").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import complete")
    expect(page.locator(".govuk-panel__body")).to_have_text("5 budget holders imported")
    assert_no_axe_violations(page, "the import done")

    def status() -> str:
        with tenant_context(onboarded.tenant):
            return str(ImportFile.objects.get(name="people.csv").status)

    assert off_the_event_loop(status) == ImportFile.Status.DONE
