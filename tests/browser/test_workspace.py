"""The care managers' and finance officers' workspace pages in a real browser: axe-core
on each page in its empty, error and filled states, and a finance officer approving a
top-up run by keyboard."""

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
from purse.ledger.models import Account
from purse.ledger.services import Leg, purse_open, shared_account, transfer
from purse.models import Review
from purse.services.plans import plan_approve, plan_create
from purse.surplus.models import SurplusNotice
from purse.surplus.services import surplus_notices_issue, surplus_reconsideration_request
from tenants.models import Tenant
from tests.conftest import PASSWORD, TenantUsers, council_committed
from tests.purse import plan_builders as b

from .axe import assert_no_axe_violations
from .conftest import Site, off_the_event_loop

pytestmark = pytest.mark.browser

SLUG = "deskmoor"
TODAY = timezone.localdate()


@dataclass(frozen=True)
class Desk:
    url: str
    person_id: str
    notice_id: str


def _seed(onboarded: Any) -> tuple[str, str]:
    """Ada, over the surplus limit with a notice she asked to reconsider, a review
    overdue and top-ups due; Bob, whose plan waits for a second approver."""
    with tenant_context(onboarded.tenant):
        carol = user_create(
            email=f"carol@{SLUG}.example",
            full_name="Carol Desk",
            role_codes=["care_manager"],
            password=PASSWORD,
        )
        user_create(
            email=f"fin@{SLUG}.example",
            full_name="Fin Desk",
            role_codes=["finance_officer"],
            password=PASSWORD,
        )
        version = b.rules_version(second_approval_above_pence=1000)
        ada = b.person()
        plan = plan_create(
            assessment=b.assessment(ada, version, carol, indicative=10000),
            outcomes="Stay at home",
            management="council_managed",
            lines=[("home-care", "Mornings", 10000)],
            weekly_budget_pence=10000,
            starts_on=TODAY - dt.timedelta(weeks=5),
            by=carol,
        )
        plan_approve(plan=plan, by=carol)
        Review.objects.filter(person=ada).update(due_on=TODAY - dt.timedelta(days=2))
        purse = purse_open(person=ada)
        transfer(kind="one_off", legs=[Leg(shared_account(Account.Kind.FUNDING), purse, 200_000)])
        surplus_notices_issue(on=TODAY)
        notice = SurplusNotice.objects.get(person=ada)
        surplus_reconsideration_request(
            notice=notice, text="I am saving for a holiday with my carer.", by=carol
        )
        bob = b.person("Bob", "Brown")
        waiting = plan_create(
            assessment=b.assessment(bob, version, carol, indicative=10000),
            outcomes="Get out more",
            management="council_managed",
            lines=[("day-activities", "Club", 20000)],
            weekly_budget_pence=20000,
            difference_reason="Needs two carers",
            starts_on=TODAY,
            by=carol,
        )
        plan_approve(plan=waiting, by=carol)
        return str(ada.public_id), str(notice.public_id)


@pytest.fixture(scope="module")
def desk(site: Site, django_db_blocker) -> Iterator[Desk]:
    with django_db_blocker.unblock():
        keeper = off_the_event_loop(
            lambda: TenantUsers(
                tenant=Tenant.objects.get(schema_name="northmoor"), host="", admin=None, person=None
            )
        )
        council = council_committed(SLUG, keeper)
        onboarded = off_the_event_loop(lambda: council.__enter__())
        try:
            person_id, notice_id = off_the_event_loop(lambda: _seed(onboarded))
            yield Desk(f"http://{SLUG}.localhost:{site.port}", person_id, notice_id)
        finally:
            off_the_event_loop(lambda: council.__exit__(None, None, None))


def sign_in(page: Page, desk: Desk, who: str) -> None:
    page.goto(desk.url + "/account/sign-in/?next=/workspace/")
    page.get_by_label("Email address").fill(f"{who}@{SLUG}.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What needs doing today")


def test_care_manager_pages_pass_axe_in_every_state(page: Page, desk: Desk) -> None:
    sign_in(page, desk, "carol")
    assert_no_axe_violations(page, "care manager's home")
    expect(page.get_by_text("1 review overdue")).to_be_visible()
    page.get_by_role("link", name="Caseload").first.click()
    assert_no_axe_violations(page, "caseload, filled")
    page.get_by_label("Name").fill("Nobody of that name")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Nobody matches.")).to_be_visible()
    assert_no_axe_violations(page, "caseload, nobody matches")
    page.goto(f"{desk.url}/workspace/caseload/people/{desk.person_id}/")
    assert_no_axe_violations(page, "person page, no notes")
    page.get_by_role("button", name="Save the note").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Write the note")
    assert_no_axe_violations(page, "person page, note error")
    page.get_by_label("Add a case note").fill("Visited Ada at home: all well.")
    page.get_by_role("button", name="Save the note").click()
    expect(page.get_by_text("Visited Ada at home: all well.")).to_be_visible()
    assert_no_axe_violations(page, "person page, with a note")
    page.goto(desk.url + "/workspace/caseload/plans/")
    assert_no_axe_violations(page, "plans waiting, filled")


def test_the_assessment_to_plan_pages_pass_axe_in_every_state(page: Page, desk: Desk) -> None:
    sign_in(page, desk, "carol")
    page.goto(f"{desk.url}/workspace/caseload/people/{desk.person_id}/")
    page.get_by_role("button", name="Start a needs assessment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Needs assessment of")
    assert_no_axe_violations(page, "questionnaire, empty")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your answers are saved")
    for group in page.locator(".govuk-radios").all():
        group.locator("input").last.check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Eligibility of")
    assert_no_axe_violations(page, "eligibility, empty")
    page.get_by_role("button", name="Complete the assessment").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_no_axe_violations(page, "eligibility, errors")
    page.get_by_label("Yes").first.check()
    page.get_by_label("Managing and maintaining nutrition").check()
    page.get_by_label("Maintaining personal hygiene").check()
    page.locator("input[name=wellbeing_impact_significant][value=yes]").check()
    page.get_by_role("button", name="Complete the assessment").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Eligible")
    assert_no_axe_violations(page, "assessment result")
    page.get_by_role("button", name="Write the support plan").click()
    assert_no_axe_violations(page, "plan form, empty")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_no_axe_violations(page, "plan form, errors")


def test_finance_pages_pass_axe_in_every_state(page: Page, desk: Desk) -> None:
    sign_in(page, desk, "fin")
    assert_no_axe_violations(page, "finance officer's home")
    for path, state in (
        ("/workspace/finance/", "finance"),
        ("/workspace/finance/top-ups/", "top-up runs, none yet"),
        ("/workspace/finance/payments/", "payments, none yet"),
        ("/workspace/finance/reconciliation/", "reconciliation, nothing open"),
        ("/workspace/finance/surplus/", "surplus notices, filled"),
        ("/workspace/finance/export/", "export form"),
    ):
        page.goto(desk.url + path)
        assert_no_axe_violations(page, state)
    page.get_by_label("Day", exact=True).first.fill("31")
    page.get_by_label("Month", exact=True).first.fill("2")
    page.get_by_role("button", name="Download the CSV file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The first day must be a real date"
    )
    assert_no_axe_violations(page, "export, error")
    page.goto(f"{desk.url}/workspace/finance/surplus/{desk.notice_id}/")
    assert_no_axe_violations(page, "surplus decision, empty")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose whether to withdraw")
    assert_no_axe_violations(page, "surplus decision, error")


def test_a_finance_officer_previews_and_approves_a_run_by_keyboard(page: Page, desk: Desk) -> None:
    sign_in(page, desk, "fin")
    page.goto(desk.url + "/workspace/finance/top-ups/")
    page.get_by_role("button", name="Preview a run for today").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Top-up run for")
    assert_no_axe_violations(page, "top-up run preview")
    approve = page.get_by_role("button", name="Approve and pay £800")
    approve.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Approved: 2 top-ups paid, £800 in all."
    )
    assert_no_axe_violations(page, "top-up run, paid")
    page.goto(desk.url + "/workspace/finance/top-ups/")
    expect(page.get_by_role("cell", name="Approved and paid")).to_be_visible()
    assert_no_axe_violations(page, "top-up runs, with history")
