"""The budget holder's portal in a real browser: the whole journey with and without
JavaScript (find a service near home under £20 an hour rated Good or better, order a
weekly visit, see the purse change, cancel a visit and see the money come back), a
keyboard-only order, axe-core on every page in its empty, error and filled states,
target sizes, and screenshots of the key pages kept in test-artefacts/portal/."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from accounts.services import user_create
from catalogue.models import CqcLocation
from epurse.paths import BASE_DIR
from purse.ledger.models import Account
from purse.ledger.services import Leg, purse_open, shared_account, transfer
from purse.orders.models import Order
from purse.services.plans import plan_approve, plan_create
from tenants.models import Tenant
from tests.catalogue.api_support import approve
from tests.catalogue.factories import cqc_rated, provider_with_place, service_made
from tests.conftest import PASSWORD, TenantUsers, council_committed
from tests.purse import plan_builders as b

from .axe import assert_no_axe_violations
from .conftest import Site, off_the_event_loop

pytestmark = pytest.mark.browser

SLUG = "ashmoor"
FUNDS = 31_200  # £312
GOOD_LOCATION = "1-000000881"
PRICEY_LOCATION = "1-000000882"
ARTEFACTS = BASE_DIR / "test-artefacts" / "portal"


@dataclass(frozen=True)
class Holder:
    council_url: str
    email: str
    service_name: str
    pricey_name: str
    far_name: str


def _seed(onboarded: Any) -> Holder:
    """A council with three approved home care services: one near home at £18 an hour
    rated Good, one near at £25 an hour rated Good, one 6 miles away at £16 rated
    Requires improvement; and a budget holder near the first with £312 to spend."""
    tenant = onboarded.tenant
    with tenant_context(tenant):
        user = user_create(
            email=f"margaret@{SLUG}.example",
            full_name="Margaret Holt",
            role_codes=["budget_holder"],
            password=PASSWORD,
        )
    users = TenantUsers(tenant=tenant, host="", admin=onboarded.admin, person=user)
    made = []
    for number, (name, price, postcode, location, rating) in enumerate(
        (
            ("Willow Home Care", 1800, "NM1 1AA", GOOD_LOCATION, "Good"),
            ("Oakfield Premium Care", 2500, "NM1 1AA", PRICEY_LOCATION, "Good"),
            ("Distant Helpers", 1600, "NM2 3CC", "", ""),
        )
    ):
        provider, owner, place = provider_with_place(
            f"{name} Ltd",
            postcode,
            details={"cqc_provider_id": f"1-10000088{number}"},
            cqc_location_id=location,
        )
        if location:
            CqcLocation.objects.filter(location_id=location).delete()
            cqc_rated(location, name, rating, provider_id=provider.cqc_provider_id)
        service = service_made(
            provider, owner, location=place, name=name, prices=(price,), unit="hour"
        )
        approve(users, provider, service)
        made.append(service)
    with tenant_context(tenant):
        carol = b.staff("Carol Ashmoor")
        person = b.person("Margaret", "Holt", user=user, postcode="NM1 2BB")
        version = b.rules_version()
        plan = plan_create(
            assessment=b.assessment(person, version, carol, indicative=30000),
            outcomes="Stay at home",
            management="council_managed",
            lines=[("home-care", "Mornings", 30000)],
            weekly_budget_pence=30000,
            starts_on=dt.date(2026, 1, 5),
            by=carol,
        )
        plan_approve(plan=plan, by=carol)
        purse = purse_open(person=person)
        transfer(kind="one_off", legs=[Leg(shared_account(Account.Kind.FUNDING), purse, FUNDS)])
    return Holder(
        council_url="",
        email=user.email,
        service_name=made[0].name,
        pricey_name=made[1].name,
        far_name=made[2].name,
    )


@pytest.fixture(scope="module")
def holder(site: Site, django_db_blocker) -> Iterator[Holder]:
    with django_db_blocker.unblock():
        keeper = off_the_event_loop(
            lambda: TenantUsers(
                tenant=Tenant.objects.get(schema_name="northmoor"), host="", admin=None, person=None
            )
        )
        council = council_committed(SLUG, keeper)
        onboarded = off_the_event_loop(lambda: council.__enter__())
        try:
            made = off_the_event_loop(lambda: _seed(onboarded))
            yield Holder(
                council_url=f"http://{SLUG}.localhost:{site.port}",
                email=made.email,
                service_name=made.service_name,
                pricey_name=made.pricey_name,
                far_name=made.far_name,
            )
        finally:

            def clean() -> None:
                council.__exit__(None, None, None)
                CqcLocation.objects.filter(
                    location_id__in=[GOOD_LOCATION, PRICEY_LOCATION]
                ).delete()

            off_the_event_loop(clean)


def shot(page: Page, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, holder: Holder) -> None:
    page.goto(holder.council_url + "/account/sign-in/")
    page.get_by_label("Email address").fill(holder.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your purse")


def money_sentence(page: Page) -> str:
    return page.locator("#money-sentence").inner_text()


def purse_description(page: Page) -> str:
    return page.locator("svg.epurse-purse desc").text_content() or ""


def search_near_and_cheap(page: Page) -> None:
    page.get_by_role("link", name="Find services").first.click()
    page.get_by_label("Distance from home").select_option("1")
    page.get_by_label("Most you want to pay").fill("20")
    page.get_by_label("CQC rating").select_option("good")
    page.get_by_role("button", name="Search").click()


def first_visit_day() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=3)


def fill_order(page: Page, *, units: str = "1") -> None:
    day = first_visit_day()
    page.get_by_label("Day", exact=True).fill(str(day.day))
    page.get_by_label("Month", exact=True).fill(str(day.month))
    page.get_by_label("Year", exact=True).fill(str(day.year))
    page.get_by_label("What time?").fill("10am")
    page.get_by_label("Every week").check()
    page.get_by_label("How much?").fill(units)


def _orders_cleared() -> None:
    """Each journey starts with the purse as seeded: the orders of an earlier journey
    are stopped (their money goes back through the ledger, not by deleting anything)."""
    from purse.orders.services import order_cancel

    tenant = Tenant.objects.get(schema_name=SLUG)
    with tenant_context(tenant):
        for order in Order.objects.filter(status__in=["placed", "accepted"]):
            order_cancel(order=order, by=order.placed_by)


@pytest.fixture
def fresh_purse(holder: Holder) -> Holder:
    off_the_event_loop(_orders_cleared)
    return holder


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_whole_journey(
    request: pytest.FixtureRequest, fresh_purse: Holder, javascript: bool
) -> None:
    holder = fresh_purse
    page: Page = request.getfixturevalue("page" if javascript else "page_without_js")
    sign_in(page, holder)
    expect(page.locator("#money-sentence")).to_contain_text("You have £312 to spend until")
    before = purse_description(page)

    search_near_and_cheap(page)
    results = page.locator(".epurse-card")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(holder.service_name)
    expect(results.first).to_contain_text("£18 an hour")
    expect(results.first).to_contain_text("Good")
    expect(results.first).to_contain_text("miles from home")
    results.first.get_by_role("link", name=holder.service_name).click()
    expect(page.get_by_role("link", name=re.compile("Read the CQC report"))).to_have_attribute(
        "href", f"https://www.cqc.org.uk/location/{GOOD_LOCATION}"
    )

    page.get_by_role("button", name="Order this service").click()
    fill_order(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your order")
    expect(page.locator("#cost")).to_have_text("£18")
    expect(page.locator("#left")).to_have_text("£240")  # four weeks held at £18
    page.get_by_role("button", name="Confirm order").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Order placed")
    expect(page.locator("#reference")).to_have_text(re.compile(r"ORD-\d{6}"))

    page.get_by_role("link", name="go back to your purse").click()
    expect(page.locator("#money-sentence")).to_contain_text("You have £240 to spend")
    after = purse_description(page)
    assert after != before
    assert "£72 held for booked care" in after

    page.get_by_role("link", name="My orders").first.click()
    page.get_by_role("link", name=re.compile("^Cancel")).last.click()
    page.get_by_role("button", name="Cancel the visit").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("£18 went back to the purse")
    page.get_by_role("link", name="Home").first.click()
    expect(page.locator("#money-sentence")).to_contain_text("You have £258 to spend")
    assert "£54 held for booked care" in purse_description(page)


def test_keyboard_only_from_search_to_a_confirmed_order(page: Page, fresh_purse: Holder) -> None:
    holder = fresh_purse
    sign_in(page, holder)

    def tab_to(name: str, role: str = "link") -> None:
        target = page.get_by_role(role, name=name).first  # type: ignore[arg-type]
        for _ in range(80):
            page.keyboard.press("Tab")
            if target.evaluate("el => el === document.activeElement"):
                return
        pytest.fail(f"{role} {name!r} cannot be reached with the Tab key")

    tab_to("Find services")
    page.keyboard.press("Enter")
    tab_to("What are you looking for?", "searchbox")
    page.keyboard.type("Willow")
    page.keyboard.press("Enter")
    tab_to(holder.service_name)
    page.keyboard.press("Enter")
    tab_to("Order this service", "button")
    page.keyboard.press("Enter")
    day = first_visit_day()
    tab_to("Day", "textbox")
    page.keyboard.type(str(day.day))
    page.keyboard.press("Tab")
    page.keyboard.type(str(day.month))
    page.keyboard.press("Tab")
    page.keyboard.type(str(day.year))
    page.keyboard.press("Tab")
    page.keyboard.type("2:30pm")
    tab_to("Once", "radio")  # Tab reaches a group of radios; the arrow keys choose
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Every week")).to_be_checked()
    tab_to("How much?", "textbox")
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your order")
    tab_to("Confirm order", "button")
    page.keyboard.press("Enter")

    expect(page.locator(".govuk-panel__title")).to_have_text("Order placed")


def _states(page: Page, holder: Holder) -> Iterator[str]:
    """Visit every portal page in its states, yielding a name for each after loading it."""
    sign_in(page, holder)
    yield "home"
    shot(page, "home")
    page.goto(holder.council_url + "/services/")
    yield "search, empty"
    page.get_by_label("Most you want to pay").fill("lots")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    yield "search, with an error"
    search_near_and_cheap(page)
    yield "search, with results"
    shot(page, "search-results")
    page.get_by_role("link", name=holder.service_name).click()
    yield "service page"
    shot(page, "service")
    page.get_by_role("button", name="Order this service").click()
    yield "order form, empty"
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    yield "order form, with errors"
    shot(page, "order-errors")
    fill_order(page)
    yield "order form, filled in"
    page.get_by_role("button", name="Continue").click()
    yield "check your order"
    shot(page, "check-your-order")
    page.get_by_role("button", name="Confirm order").click()
    yield "order placed"
    shot(page, "order-placed")
    page.goto(holder.council_url + "/orders/")
    yield "my orders"
    shot(page, "my-orders")
    page.get_by_role("link", name=re.compile("^Cancel")).last.click()
    yield "cancel a visit"
    page.goto(holder.council_url + "/notifications/")
    yield "messages"
    page.goto(holder.council_url + "/purse/me/statement/")
    yield "statement"
    page.goto(holder.council_url + "/act-for/")
    yield "who are you helping"
    page.goto(holder.council_url + "/help/")
    yield "help and contact"
    page.goto(holder.council_url + "/accessibility/")
    yield "accessibility statement"
    page.goto(holder.council_url + "/")
    page.get_by_role("button", name="Use easy read").click()
    yield "home, easy read"
    shot(page, "home-easy-read")
    page.goto(holder.council_url + "/orders/")
    yield "my orders, easy read"
    page.get_by_role("button", name="Use the standard pages").click()


def test_every_portal_page_and_state_is_accessible(page: Page, fresh_purse: Holder) -> None:
    checked = []
    for state in _states(page, fresh_purse):
        assert_no_axe_violations(page, state)
        checked.append(state)
    assert len(checked) == 19


def test_axe_finds_a_violation_put_into_a_portal_page(page: Page, holder: Holder) -> None:
    # The check above would be worthless if axe could not see problems on these pages.
    sign_in(page, holder)
    page.evaluate(
        "() => { const svg = document.querySelector('svg.epurse-purse');"
        " svg.querySelector('title').remove(); svg.removeAttribute('aria-labelledby'); }"
    )
    with pytest.raises(pytest.fail.Exception, match="svg-img-alt"):
        assert_no_axe_violations(page, "home with the picture's text alternative removed")


@pytest.mark.parametrize("width", [1280, 320], ids=["desktop", "narrow-phone"])
def test_primary_buttons_and_links_are_at_least_44_by_44(
    page: Page, holder: Holder, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, holder)
    targets = [
        page.get_by_role("link", name="Find services").last,  # the start button
        page.get_by_role("button", name="Use easy read"),
        page.get_by_role("link", name="Home").first,
    ]
    page.goto(holder.council_url + "/services/")
    targets_search = [page.get_by_role("button", name="Search")]
    for target in targets_search:
        box = target.bounding_box()
        assert box is not None
        assert box["width"] >= 44
        assert box["height"] >= 44, box
    page.go_back()
    for target in targets:
        box = target.bounding_box()
        assert box is not None, target
        assert box["width"] >= 44, (target, box)
        assert box["height"] >= 44, (target, box)
