"""The pages in a real browser: accessibility (axe-core), signing in with and without
JavaScript, the error summary, target sizes and the password toggle."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from accounts.services import user_create
from accounts.tokens import set_password_tokens

from .axe import assert_no_axe_violations
from .conftest import Site, off_the_event_loop

pytestmark = pytest.mark.browser

SIGN_IN = "/account/sign-in/"
NEW_PASSWORD = "plum orchard lantern 42"


@dataclass(frozen=True)
class Invitation:
    user: User
    path: str


@pytest.fixture
def invitation(committed, site: Site) -> Iterator[Invitation]:
    """A new user of the council, with a valid link to set their password. Removed
    afterwards, so the next test can invite the same address."""

    def invite() -> Invitation:
        with tenant_context(site.tenant):
            user = user_create(
                email="invited@ashcombe.example",
                full_name="Invited Person",
                role_codes=["budget_holder"],
            )
            token = set_password_tokens.make_token(user)
        return Invitation(user=user, path=f"/account/set-password/{user.public_id}/{token}/")

    def remove(user: User) -> None:
        with tenant_context(site.tenant):
            User.objects.filter(pk=user.pk).delete()

    invited = off_the_event_loop(invite)
    yield invited
    off_the_event_loop(lambda: remove(invited.user))


def open_sign_in(page: Page, site: Site) -> None:
    response = page.goto(site.council_url + SIGN_IN)
    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sign in to Ashcombe Borough Council ePurse"
    )


def email_field(page: Page) -> Locator:
    return page.get_by_label("Email address")


def password_field(page: Page) -> Locator:
    return page.get_by_label("Password", exact=True)


def sign_in(page: Page, site: Site, email: str, password: str) -> None:
    open_sign_in(page, site)
    email_field(page).fill(email)
    password_field(page).fill(password)
    page.get_by_role("button", name="Sign in").click()


def error_summary(page: Page) -> Locator:
    return page.locator(".govuk-error-summary")


# --- Accessibility: axe-core finds nothing on any page, in any state --------------------


def test_sign_in_page_empty_is_accessible(page: Page, site: Site) -> None:
    open_sign_in(page, site)

    assert_no_axe_violations(page, "the sign-in page, empty")


def test_sign_in_page_filled_in_is_accessible(page: Page, site: Site) -> None:
    open_sign_in(page, site)

    email_field(page).fill(site.admin_email)
    password_field(page).fill("typed but not sent")

    assert_no_axe_violations(page, "the sign-in page, filled in")


def test_sign_in_page_with_empty_fields_submitted_is_accessible(page: Page, site: Site) -> None:
    open_sign_in(page, site)

    page.get_by_role("button", name="Sign in").click()

    expect(error_summary(page)).to_contain_text("Enter your email address")
    assert_no_axe_violations(page, "the sign-in page, submitted empty")


def test_sign_in_page_with_wrong_details_is_accessible(page: Page, site: Site) -> None:
    # One failure of the five that lock an account; the next right sign-in clears it.
    sign_in(page, site, site.admin_email, "not-the-password")

    expect(error_summary(page)).to_contain_text("Enter a correct email address and password.")
    assert_no_axe_violations(page, "the sign-in page, wrong details")


def test_signed_in_home_page_is_accessible(page: Page, site: Site) -> None:
    sign_in(page, site, site.admin_email, site.password)

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {site.admin_name}")
    assert_no_axe_violations(page, "the home page, signed in")


def test_platform_home_page_is_accessible(page: Page, site: Site) -> None:
    response = page.goto(site.platform_url + "/")

    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Personal budgets for councils and the NHS"
    )
    assert_no_axe_violations(page, "the platform's home page")


def test_page_not_found_is_accessible(page: Page, site: Site) -> None:
    response = page.goto(site.council_url + "/no-such-page/")

    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_no_axe_violations(page, "a council's page-not-found page")


def test_set_password_page_empty_is_accessible(
    page: Page, site: Site, invitation: Invitation
) -> None:
    response = page.goto(site.council_url + invitation.path)

    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Set your password")
    assert_no_axe_violations(page, "the set-password page, empty")


def test_set_password_page_with_errors_is_accessible(
    page: Page, site: Site, invitation: Invitation
) -> None:
    page.goto(site.council_url + invitation.path)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Confirm new password", exact=True).fill("different")

    page.get_by_role("button", name="Set password").click()

    expect(error_summary(page)).to_contain_text("The passwords do not match")
    assert_no_axe_violations(page, "the set-password page, with errors")


def test_set_password_page_submitted_empty_is_accessible(
    page: Page, site: Site, invitation: Invitation
) -> None:
    page.goto(site.council_url + invitation.path)

    page.get_by_role("button", name="Set password").click()

    expect(error_summary(page).get_by_role("link")).to_have_text(
        ["Enter a new password", "Enter the new password again"]
    )
    assert_no_axe_violations(page, "the set-password page, submitted empty")


def test_expired_link_page_is_accessible(page: Page, site: Site, invitation: Invitation) -> None:
    # A link works once: after the password is set, the same link has expired.
    page.goto(site.council_url + invitation.path)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your password has been set. You can now sign in."
    )

    response = page.goto(site.council_url + invitation.path)

    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has expired")
    assert_no_axe_violations(page, "the expired-link page")


# --- Signing in and out, with and without JavaScript -----------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_signing_in_and_out(request: pytest.FixtureRequest, site: Site, javascript: bool) -> None:
    page: Page = request.getfixturevalue("page" if javascript else "page_without_js")
    sign_in(page, site, site.admin_email, site.password)

    expect(page).to_have_url(site.council_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {site.admin_name}")

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(site.council_url + SIGN_IN)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sign in to Ashcombe Borough Council ePurse"
    )
    response = page.goto(site.council_url + "/")
    assert response is not None
    assert response.url == site.council_url + SIGN_IN + "?next=/"  # signed out for real


# --- The error summary -----------------------------------------------------------------


def test_error_summary_takes_focus_and_links_to_the_fields(page: Page, site: Site) -> None:
    open_sign_in(page, site)

    page.get_by_role("button", name="Sign in").click()

    summary = error_summary(page)
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", level=2)).to_have_text("There is a problem")
    links = summary.get_by_role("link")
    expect(links).to_have_text(["Enter your email address", "Enter your password"])
    assert [links.nth(i).get_attribute("href") for i in range(2)] == [
        "#id_email",
        "#id_password",
    ]
    links.nth(1).click()
    expect(password_field(page)).to_be_focused()


def test_error_summary_without_javascript_links_to_the_fields(
    page_without_js: Page, site: Site
) -> None:
    page = page_without_js
    open_sign_in(page, site)

    page.get_by_role("button", name="Sign in").click()

    links = error_summary(page).get_by_role("link")
    expect(links).to_have_text(["Enter your email address", "Enter your password"])
    assert [links.nth(i).get_attribute("href") for i in range(2)] == [
        "#id_email",
        "#id_password",
    ]
    assert page.title() == "Error: Sign in \u2013 Ashcombe Borough Council ePurse"


# --- Target size -----------------------------------------------------------------------


@pytest.mark.parametrize("width", [1280, 320], ids=["desktop", "narrow-phone"])
@pytest.mark.parametrize(
    ("url", "button"),
    [("council_url", SIGN_IN), ("platform_url", "/")],
    ids=["sign-in-page", "platform-home"],
)
def test_sign_in_button_is_at_least_44_by_44_pixels(
    page: Page, site: Site, width: int, url: str, button: str
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(getattr(site, url) + button)

    box = page.get_by_role("button", name="Sign in").bounding_box()

    assert box is not None
    assert box["width"] >= 44, box
    assert box["height"] >= 44, box


# --- The password toggle: progressive enhancement --------------------------------------


def test_password_toggle_is_not_offered_without_javascript(
    page_without_js: Page, site: Site
) -> None:
    open_sign_in(page_without_js, site)

    expect(page_without_js.locator(".govuk-password-input__toggle")).to_be_hidden()
    expect(password_field(page_without_js)).to_have_attribute("type", "password")


def test_password_toggle_shows_and_hides_the_password(page: Page, site: Site) -> None:
    open_sign_in(page, site)
    password_field(page).fill("secret words")
    toggle = page.get_by_role("button", name="Show password")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_text("Show")

    toggle.click()

    expect(password_field(page)).to_have_attribute("type", "text")
    hide = page.get_by_role("button", name="Hide password")
    expect(hide).to_have_text("Hide")

    hide.click()

    expect(password_field(page)).to_have_attribute("type", "password")
    expect(password_field(page)).to_have_value("secret words")


def test_password_reset_pages_are_accessible(page: Page, site: Site) -> None:
    open_sign_in(page, site)
    page.get_by_role("link", name="I have forgotten my password").click()
    assert_no_axe_violations(page, "the password reset page, empty")

    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Send the link").click()
    expect(error_summary(page)).to_contain_text("Enter an email address in the correct format")
    assert_no_axe_violations(page, "the password reset page, with an error")

    page.get_by_label("Email address").fill("nobody@ashcombe.example")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_no_axe_violations(page, "the password reset page, sent")


@pytest.fixture
def operator(committed, site: Site) -> Iterator[str]:
    """An operator of the platform (public schema), removed afterwards with their app."""
    from django.db import connection

    from accounts.models import TotpDevice
    from epurse.db import use_public_schema

    email = "mfa-operator@platform.example"

    def make() -> None:
        use_public_schema()
        user_create(
            email=email,
            full_name="Mfa Operator",
            role_codes=["platform_operator"],
            password=NEW_PASSWORD,
        )

    def remove() -> None:
        use_public_schema()
        ids = list(User.objects.filter(email=email).values_list("pk", flat=True))
        # Not User.delete(): it would look in council tables the public schema lacks.
        User.roles.through.objects.filter(user_id__in=ids).delete()
        TotpDevice.objects.filter(user_id__in=ids).delete()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM accounts_user WHERE id = ANY(%s)", [ids])

    off_the_event_loop(make)
    yield email
    off_the_event_loop(remove)


def test_the_second_factor_pages_are_accessible_and_work(
    page: Page, site: Site, operator: str
) -> None:
    from accounts.mfa import current_step, totp_code

    def platform_sign_in() -> None:
        page.goto(site.platform_url + SIGN_IN)
        email_field(page).fill(operator)
        password_field(page).fill(NEW_PASSWORD)
        page.get_by_role("button", name="Sign in").click()

    platform_sign_in()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    assert_no_axe_violations(page, "setting up the authenticator app")
    page.get_by_role("button", name="Continue").click()
    expect(error_summary(page)).to_contain_text("Enter the 6-digit code")
    assert_no_axe_violations(page, "setting up the authenticator app, no code")
    key = page.locator("#setup-key").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(totp_code(key, current_step()))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Personal budgets for councils and the NHS"
    )
    page.get_by_role("button", name="Sign out").click()
    platform_sign_in()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    assert_no_axe_violations(page, "entering the code")
