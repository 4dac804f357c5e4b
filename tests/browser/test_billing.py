"""The billing page and the licence's refusals in a real browser: axe-core finds
nothing on the billing page without a licence, with a suspended one over its cap, nor
on the page that refuses an unlicensed section."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from billing.models import Licence, Plan
from tenants.models import Tenant
from tests.billing.support import holders_made

from .axe import assert_no_axe_violations
from .conftest import Site, off_the_event_loop

pytestmark = pytest.mark.browser


@pytest.fixture
def signed_in(page: Page, site: Site) -> tuple[Page, str]:
    base = f"http://{site.slug}.localhost:{site.port}"
    page.goto(base + "/account/sign-in/")
    page.get_by_label("Email address").fill(site.admin_email)
    page.get_by_label("Password", exact=True).fill(site.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    return page, base


def _licence_suspended_over_its_cap(site: Site) -> None:
    # Rows made directly: what is committed here outlives the test (the audit log too).
    plan = Plan.objects.create(
        code="browser-test", version=1, name="Marketplace only", modules=["marketplace"]
    )
    Licence.objects.create(
        tenant=cast(Tenant, site.tenant),
        plan=plan,
        status="suspended",
        starts_on=timezone.localdate(),
        holder_cap=1,
        grace_percent=0,
        purchase_order="PO-1",
    )


def _licence_removed(site: Site) -> None:
    Licence.objects.filter(tenant=cast(Tenant, site.tenant)).delete()
    Plan.objects.filter(code="browser-test").delete()


def test_the_billing_page_and_refusals_are_accessible(
    signed_in: tuple[Page, str], site: Site, django_db_blocker: Any
) -> None:
    page, base = signed_in
    users: Any = type("Users", (), {"tenant": site.tenant})
    page.goto(base + "/workspace/administration/billing/")
    assert page.locator("#no-licence").is_visible()
    assert_no_axe_violations(page, "billing, no licence")

    with django_db_blocker.unblock():
        off_the_event_loop(lambda: _licence_suspended_over_its_cap(site))
        try:
            off_the_event_loop(lambda: holders_made(users, 1))
            page.goto(base + "/workspace/administration/billing/")
            assert page.locator("#licence-stopped").is_visible()
            assert page.locator("#holders-warning").is_visible()
            assert_no_axe_violations(page, "billing, suspended and over the cap")

            response = page.goto(base + "/workspace/reports/")
            assert response is not None
            assert response.status == 403
            assert_no_axe_violations(page, "reports, not licensed")
        finally:
            off_the_event_loop(lambda: _licence_removed(site))
