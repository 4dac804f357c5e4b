"""The council administrator's pages in a real browser: axe-core finds nothing on any
of them in its empty, error and filled states, walked through as an administrator
would (invite, change roles, make and check a rules draft, vet a provider and its
service, see a CQC alert, moderate a review, change the notification settings)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from accounts.services import user_create
from catalogue.council.models import RatingAlert, Review
from tenants.models import Tenant
from tenants.rules.models import RulesVersion
from tenants.rules.services import rules_version_create
from tests.catalogue.factories import provider_with_place, service_made
from tests.conftest import PASSWORD, TenantUsers, council_committed
from tests.tenants.rules.test_preview import person_with_budget

from .axe import assert_no_axe_violations
from .conftest import Site, off_the_event_loop

pytestmark = pytest.mark.browser

SLUG = "adminmoor"
ADMIN_EMAIL = f"admin@{SLUG}.example"


@dataclass(frozen=True)
class Seeded:
    url: str  # the administration section on the council's host
    admin_id: str
    staff_id: str
    past_draft: int  # a draft whose date has gone by: publishing it is refused


def _seed(onboarded: Any) -> dict[str, Any]:
    """A council with an invited care manager, a vetted provider with a published
    service (both undecided), a CQC downgrade, a review to check, and a draft dated
    yesterday."""
    tenant = onboarded.tenant
    provider, owner, place = provider_with_place(
        "Adminmoor Care Ltd", details={"cqc_provider_id": "1-555000222"}
    )
    service = service_made(provider, owner, location=place, name="Morning help", prices=(1900,))
    with tenant_context(tenant):
        staff = user_create(
            email=f"sam@{SLUG}.example", full_name="Sam Invited", role_codes=["care_manager"]
        )
        holder = user_create(
            email=f"rita@{SLUG}.example",
            full_name="Rita Holder",
            role_codes=["budget_holder"],
            password=PASSWORD,
        )
        RatingAlert.objects.create(
            provider=provider,
            cqc_location_id="1-000000999",
            previous="Good",
            current="Inadequate",
            report_date=dt.date(2026, 10, 1),
        )
        Review.objects.create(service=service, author=holder, rating=1, comment="Never came")
        past = rules_version_create(
            based_on=RulesVersion.objects.get(number=1),
            effective_from=timezone.localdate() + dt.timedelta(days=3),
            by=onboarded.admin,
        )
        RulesVersion.objects.filter(pk=past.pk).update(
            effective_from=timezone.localdate() - dt.timedelta(days=1)
        )
    return {
        "admin_id": str(onboarded.admin.public_id),
        "staff_id": str(staff.public_id),
        "past_draft": past.number,
    }


def _budget_added(tenant: Any, admin: Any) -> None:
    with tenant_context(tenant):
        person_with_budget(
            RulesVersion.objects.get(number=1),
            admin,
            name="Ann Archer",
            weekly_pence=3600,
            chosen={"washing": "most"},
        )


@pytest.fixture(scope="module")
def council(site: Site, django_db_blocker) -> Iterator[tuple[Seeded, Any]]:
    with django_db_blocker.unblock():
        keeper = off_the_event_loop(
            lambda: TenantUsers(
                tenant=Tenant.objects.get(schema_name="northmoor"), host="", admin=None, person=None
            )
        )
        made = council_committed(SLUG, keeper)
        onboarded = off_the_event_loop(lambda: made.__enter__())
        try:
            seeded = off_the_event_loop(lambda: _seed(onboarded))
            yield (
                Seeded(
                    url=f"http://{SLUG}.localhost:{site.port}/workspace/administration",
                    **seeded,
                ),
                onboarded,
            )
        finally:
            off_the_event_loop(lambda: made.__exit__(None, None, None))


def sign_in(page: Page, seeded: Seeded) -> None:
    page.goto(seeded.url.replace("/workspace/administration", "/account/sign-in/"))
    page.get_by_label("Email address").fill(ADMIN_EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def submit(page: Page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state("load")


def error_shown(page: Page) -> None:
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _states(page: Page, seeded: Seeded, onboarded: Any) -> Iterator[str]:
    url = seeded.url
    sign_in(page, seeded)
    page.goto(url + "/")
    expect(page.locator("#admin-tasks")).to_contain_text("1 provider is waiting")
    yield "administration, with work waiting"

    # Users and roles
    page.goto(url + "/users/")
    yield "users, filled"
    page.goto(url + "/users/?status=deactivated")
    expect(page.locator("#users")).to_contain_text("No accounts match")
    yield "users, none match"
    page.goto(url + "/users/invite/")
    yield "invite, empty"
    submit(page, "Send the invitation")
    error_shown(page)
    yield "invite, with errors"
    page.get_by_label("Full name").fill("Nia New")
    page.get_by_label("Email address").fill("nia@adminmoor.example")
    page.get_by_label("Care manager").check()
    yield "invite, filled in"
    page.goto(url + f"/users/{seeded.staff_id}/roles/")
    yield "roles, filled"
    page.get_by_label("Care manager").uncheck()
    submit(page, "Save the roles")
    error_shown(page)
    yield "roles, with an error"
    page.goto(url + f"/users/{seeded.staff_id}/deactivate/")
    yield "deactivate, confirm"
    page.goto(url + f"/users/{seeded.admin_id}/deactivate/")
    submit(page, "Deactivate the account")
    error_shown(page)
    yield "deactivate yourself, refused"
    page.goto(url + f"/users/{seeded.staff_id}/invite-again/")
    yield "invite again, confirm"

    # Budget rules
    page.goto(url + "/rules/")
    yield "rules versions"
    page.goto(url + "/rules/1/")
    yield "a published version"
    page.goto(url + "/rules/1/new-draft/")
    yield "new draft, empty"
    submit(page, "Make the draft")
    error_shown(page)
    yield "new draft, with an error"
    when = timezone.localdate() + dt.timedelta(days=30)
    page.locator("#id_effective_from_day").fill(str(when.day))
    page.locator("#id_effective_from_month").fill(str(when.month))
    page.locator("#id_effective_from_year").fill(str(when.year))
    yield "new draft, filled in"
    submit(page, "Make the draft")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change draft version")
    yield "draft settings, filled"
    draft_url = page.url.removesuffix("settings/")
    page.get_by_label("Smallest weekly budget").fill("100")
    page.get_by_label("Largest weekly budget (optional)").fill("50")
    page.get_by_label("Price of one point").fill("lots")
    submit(page, "Save the draft")
    error_shown(page)
    yield "draft settings, with errors"
    page.goto(draft_url)
    yield "a draft version"
    page.goto(draft_url + "preview/")
    expect(page.locator("#preview")).to_contain_text("no current budgets")
    yield "impact preview, no budgets"
    off_the_event_loop(lambda: _budget_added(onboarded.tenant, onboarded.admin))
    page.reload()
    expect(page.locator("#preview")).to_contain_text("Ann Archer")
    yield "impact preview, filled"
    page.goto(draft_url + "publish/")
    yield "publish, confirm"
    page.goto(url + f"/rules/{seeded.past_draft}/publish/")
    submit(page, f"Publish version {seeded.past_draft}")
    error_shown(page)
    yield "publish, refused"

    # Providers
    page.goto(url + "/providers/")
    yield "providers waiting, filled"
    page.goto(url + "/providers/?status=suspended")
    yield "providers suspended, empty"
    page.goto(url + "/services/waiting/")
    yield "services waiting, empty"
    page.goto(url + "/providers/")
    page.get_by_role("link", name="Adminmoor Care Ltd").click()
    yield "provider page"
    page.get_by_role("link", name="Decide about Adminmoor Care Ltd").click()
    yield "provider decision, empty"
    page.get_by_label("Suspend").check()
    submit(page, "Save the decision")
    error_shown(page)
    yield "provider decision, with an error"
    page.get_by_label("Approve").check()
    page.get_by_label("Reason").fill("Checked by the commissioning team")
    yield "provider decision, filled in"
    submit(page, "Save the decision")
    page.goto(url + "/services/waiting/")
    expect(page.locator("#services")).to_contain_text("Morning help")
    yield "services waiting, filled"
    page.get_by_role("link", name="Decide about Morning help").click()
    yield "service decision, empty"
    page.get_by_label("Approve").check()
    page.get_by_label("Price agreed with the provider (optional)").fill("0")
    submit(page, "Save the decision")
    error_shown(page)
    yield "service decision, with an error"
    page.get_by_label("Price agreed with the provider (optional)").fill("17.50")
    yield "service decision, filled in"
    submit(page, "Save the decision")
    yield "provider page, approved"

    # CQC alerts and reviews
    page.goto(url + "/cqc-alerts/")
    yield "CQC alerts, filled"
    page.get_by_role("button", name="Mark as seen").click()
    expect(page.locator("#alerts")).to_contain_text("There are no new alerts.")
    yield "CQC alerts, all seen"
    page.goto(url + "/reviews/")
    yield "reviews, filled"
    page.get_by_role("link", name="Check the review of Morning help").click()
    yield "moderate, empty"
    page.get_by_label("No, keep it unpublished").check()
    submit(page, "Save the decision")
    error_shown(page)
    yield "moderate, with an error"
    page.get_by_label("Yes, publish it").check()
    submit(page, "Save the decision")
    expect(page.locator("#reviews")).to_contain_text("No reviews are waiting.")
    yield "reviews, empty"

    # Notifications
    page.goto(url + "/notifications/")
    yield "notifications, defaults"
    page.get_by_label("How many days before a review is due?").fill("0")
    submit(page, "Save the settings")
    error_shown(page)
    yield "notifications, with an error"
    page.get_by_label("How many days before a review is due?").fill("21")
    page.get_by_label("Finance mailbox for the digest").fill("finance@adminmoor.example")
    yield "notifications, filled in"
    submit(page, "Save the settings")
    yield "notifications, saved"


def test_every_administration_page_and_state_is_accessible(
    page: Page, council: tuple[Seeded, Any]
) -> None:
    seeded, onboarded = council
    checked = []
    for state in _states(page, seeded, onboarded):
        assert_no_axe_violations(page, state)
        checked.append(state)
    assert len(checked) == 45
