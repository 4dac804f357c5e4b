"""The reports in a real browser: axe-core finds nothing on the index, on each report
(with its chart and table, and with a period in error), on the unit-cost form empty,
with an error and filled, and on the published performance page, signed out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from accounts.services import user_create
from tenants.models import Tenant
from tests.conftest import PASSWORD, TenantUsers, council_committed
from tests.workspace.reports.support import council_seeded

from .axe import assert_no_axe_violations
from .conftest import Site, off_the_event_loop

pytestmark = pytest.mark.browser

SLUG = "commsmoor"
ADMIN_EMAIL = f"admin@{SLUG}.example"
REPORTS = [
    "spend/category/",
    "spend/provider/",
    "spend/month/",
    "spend/area/",
    "budget-holders/",
    "market/",
    "savings/",
    "feedback/",
    "outcomes/",
]


def _seed(onboarded: Any) -> None:
    with tenant_context(onboarded.tenant):
        holder = user_create(
            email=f"ada@{SLUG}.example", full_name="Ada Holder", role_codes=["budget_holder"]
        )
    council_seeded(
        TenantUsers(tenant=onboarded.tenant, host="", admin=onboarded.admin, person=holder)
    )


@pytest.fixture(scope="module")
def council_url(site: Site, django_db_blocker) -> Iterator[str]:
    with django_db_blocker.unblock():
        keeper = off_the_event_loop(
            lambda: TenantUsers(
                tenant=Tenant.objects.get(schema_name="northmoor"), host="", admin=None, person=None
            )
        )
        made = council_committed(SLUG, keeper)
        onboarded = off_the_event_loop(lambda: made.__enter__())
        try:
            off_the_event_loop(lambda: _seed(onboarded))
            yield f"http://{SLUG}.localhost:{site.port}"
        finally:
            off_the_event_loop(lambda: made.__exit__(None, None, None))


def _states(page: Page, url: str) -> Iterator[str]:
    page.goto(url + "/performance/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Performance data")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Fewer than 5")
    yield "performance data, signed out"

    page.goto(url + "/account/sign-in/")
    page.get_by_label("Email address").fill(ADMIN_EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")

    base = url + "/workspace/reports/"
    page.goto(base)
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    yield "reports index"
    for report in REPORTS:
        page.goto(base + report)
        expect(page.locator("table.govuk-table").first).to_be_visible()
        yield f"report {report}"
    page.goto(base + "spend/category/")
    expect(page.locator("svg[role=img] title")).to_have_text("Spending by kind of care")
    page.get_by_label("Month").first.fill("13")
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("number from 1 to 12")
    yield "report with a period in error"

    page.goto(base + "unit-costs/")
    yield "unit costs, empty"
    page.get_by_role("button", name="Save cost").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    yield "unit costs, with errors"
    page.get_by_label("Kind of care").select_option(label="Home care")
    page.get_by_label("Unit", exact=True).select_option("hour")
    page.get_by_label("What one unit costs when commissioned the traditional way").fill("24")
    yield "unit costs, filled in"
    page.get_by_role("button", name="Save cost").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Home care: £24 an hour")
    yield "unit costs, saved"
    page.goto(base + "savings/")
    expect(page.locator("main")).to_contain_text("Estimated saving")
    yield "savings with a traditional cost set"


def test_every_reports_page_and_state_is_accessible(page: Page, council_url: str) -> None:
    for state in _states(page, council_url):
        assert_no_axe_violations(page, state)
