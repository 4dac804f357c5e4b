"""The provider portal and the vetting pages in a real browser: a provider registers,
uploads its documents, adds a place and a service with a picture, and an operator
approves it. axe-core finds nothing on any page, empty, with errors and filled in;
the primary buttons are at least 44 by 44 pixels.

Everything here is committed to the public schema (the live server must see it) and
removed afterwards: the shared registry is read exactly by other tests. Audit rows stay
(the log is append-only); they name only this file's own organisations and people."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import FilePayload, Page, expect

from accounts.mfa import current_step, totp_code
from accounts.models import TotpDevice, User
from accounts.services import user_create
from catalogue.council.models import ProviderApproval
from catalogue.models import (
    CqcLocation,
    Postcode,
    Provider,
    ProviderMember,
    Service,
    ServiceImage,
    Upload,
    VettingDocument,
)
from tests.catalogue.factories import PDF, png_bytes
from tests.conftest import PASSWORD

from .axe import assert_no_axe_violations
from .conftest import Site, off_the_event_loop

pytestmark = pytest.mark.browser

SIGN_IN = "/account/sign-in/"
LEGAL_NAME = "Ashcombe Home Help Ltd"
OWNER_EMAIL = "owner@ashcombe-home-help.example"
OWNER_PASSWORD = "kettle on the windowsill 7"
OPERATOR_EMAIL = "vetting@platform-browser.example"
READY_NAME = "Ready Care Ltd"
READY_EMAIL = "owner@ready-care.example"
POSTCODE = "AC1 1AA"  # a postcode of this file's own, removed afterwards
CQC_LOCATION = "1-000000777"
EXPIRES = timezone.localdate() + dt.timedelta(days=400)


@dataclass(frozen=True)
class People:
    operator: User
    ready_provider: Provider  # made through the services, for the button checks
    ready_owner: User


def _clean_up(site: Site) -> None:
    """Delete this file's providers and everything they made, in the order the foreign
    keys allow, and its people, postcode and CQC location."""
    providers = list(
        Provider.objects.filter(legal_name__in=[LEGAL_NAME, READY_NAME]).values_list(
            "pk", flat=True
        )
    )
    members = list(
        ProviderMember.objects.filter(provider_id__in=providers).values_list("user_id", flat=True)
    )
    # Deleting a service or a provider makes Django look for councils' approvals of it,
    # and those tables exist only in a council's schema (the public tables are seen
    # from there too).
    with tenant_context(site.tenant):
        ProviderApproval.objects.filter(provider_id__in=providers).delete()
        images = ServiceImage.objects.filter(service__provider_id__in=providers)
        documents = VettingDocument.objects.filter(provider_id__in=providers)
        uploads = [
            *images.values_list("upload_id", flat=True),
            *documents.values_list("upload_id", flat=True),
        ]
        images.delete()
        documents.delete()
        Upload.objects.filter(pk__in=uploads).delete()
        Service.objects.filter(provider_id__in=providers).delete()
        Provider.objects.filter(pk__in=providers).delete()  # members and places go too
        Postcode.objects.filter(postcode=POSTCODE).delete()
        CqcLocation.objects.filter(location_id=CQC_LOCATION).delete()
    users = members + list(
        User.objects.filter(email__in=[OPERATOR_EMAIL, OWNER_EMAIL, READY_EMAIL]).values_list(
            "pk", flat=True
        )
    )
    # Not User.delete(): Django would look for councils' decisions made by these users,
    # in tables only a council's schema has, and public users are not seen from there.
    User.roles.through.objects.filter(user_id__in=users).delete()
    TotpDevice.objects.filter(user_id__in=users).delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_user WHERE id = ANY(%s)", [users])


@pytest.fixture
def people(committed, site: Site) -> Iterator[People]:
    """An operator, a postcode and CQC rating for the journey, and a second provider
    with a service (for the pages the button checks open)."""
    from catalogue.services.listings import PriceInput, location_save, service_save
    from catalogue.services.providers import provider_register, vetting_document_upload

    def make() -> People:
        _clean_up(site)  # left over from an interrupted run on a kept database
        operator = user_create(
            email=OPERATOR_EMAIL,
            full_name="Vetting Operator",
            role_codes=["platform_operator"],
            password=PASSWORD,
        )
        Postcode.objects.create(postcode=POSTCODE, latitude=51.0, longitude=-1.5)
        CqcLocation.objects.create(
            location_id=CQC_LOCATION,
            name="Ashcombe Home Help",
            overall="Good",
            report_date=dt.date(2024, 5, 14),
            safe="Good",
            effective="Good",
            caring="Outstanding",
            responsive="Good",
            well_led="Requires improvement",
            overall_rank=3,
            synced_at=timezone.now(),
        )
        provider, owner = provider_register(
            legal_name=READY_NAME,
            email="office@ready-care.example",
            owner_email=READY_EMAIL,
            owner_name="Ready Owner",
            owner_password=PASSWORD,
        )
        place = location_save(
            provider=provider,
            name="Office",
            address_1="1 Market Place",
            city="Ashcombe",
            postcode=POSTCODE,
            area_radius_miles=5,
            by=owner,
        )
        service_save(
            provider=provider,
            by=owner,
            name="Shopping trips",
            summary="Help with the weekly shop",
            description="We take you shopping and help carry it home.",
            category="community-activities",
            delivery_mode="at_home",
            location=place,
            prices=[PriceInput(amount_pence=1500, unit="hour")],
        )
        vetting_document_upload(
            provider=provider,
            kind="insurance",
            content=PDF,
            name="insurance.pdf",
            expires_on=EXPIRES,
            by=owner,
        )
        return People(operator=operator, ready_provider=provider, ready_owner=owner)

    def left_behind() -> list[str]:
        names = [LEGAL_NAME, READY_NAME]
        return [
            *Provider.objects.filter(legal_name__in=names).values_list("legal_name", flat=True),
            *User.objects.filter(email__in=[OPERATOR_EMAIL, OWNER_EMAIL, READY_EMAIL]).values_list(
                "email", flat=True
            ),
            *Postcode.objects.filter(postcode=POSTCODE).values_list("postcode", flat=True),
        ]

    made = off_the_event_loop(make)
    yield made
    off_the_event_loop(lambda: _clean_up(site))
    assert off_the_event_loop(left_behind) == []


# --- Helpers ------------------------------------------------------------------------


def sign_in(page: Page, site: Site, email: str, password: str, next_path: str) -> None:
    page.goto(f"{site.platform_url}{SIGN_IN}?next={next_path}")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    if page.get_by_role("heading", name="Set up your authenticator app").count():
        # An operator: the code an authenticator app would show for the key on the page.
        key = page.locator("#setup-key").inner_text().replace(" ", "")
        page.get_by_label("Code from your authenticator app").fill(totp_code(key, current_step()))
        page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(site.platform_url + next_path)


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def summary_links(page: Page):
    return page.locator(".govuk-error-summary").get_by_role("link")


def check(page: Page, state: str) -> None:
    assert_no_axe_violations(page, state)


def submit(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def upload(page: Page, selector: str, name: str, mime: str, content: bytes) -> None:
    payload: FilePayload = {"name": name, "mimeType": mime, "buffer": content}
    page.set_input_files(selector, files=[payload])


# --- The journey --------------------------------------------------------------------


def test_a_provider_registers_lists_a_service_and_is_approved(
    page: Page, browser, site: Site, people: People
) -> None:
    base = site.platform_url

    # Register: empty, with errors, filled in.
    response = page.goto(base + "/providers/register/")
    assert response is not None
    assert response.status == 200
    expect(heading(page)).to_have_text("Register your organisation")
    check(page, "the registration page, empty")
    submit(page, "Register")
    expect(summary_links(page)).to_have_text(
        [
            "Enter the organisation's legal name",
            "Enter the organisation's email address",
            "Enter your full name",
            "Enter your email address",
            "Create a password",
            "Enter your password again",
        ]
    )
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check(page, "the registration page, with errors")
    page.get_by_label("Legal name of the organisation").fill(LEGAL_NAME)
    page.get_by_label("Companies House number (optional)").fill("AC123456")
    page.get_by_label("Organisation's email address").fill("office@ashcombe-home-help.example")
    page.get_by_label("Your full name").fill("Alex Ashcombe")
    page.get_by_label("Your email address").fill(OWNER_EMAIL)
    page.get_by_label("Create a password").fill(OWNER_PASSWORD)
    page.get_by_label("Confirm your password").fill(OWNER_PASSWORD)
    check(page, "the registration page, filled in")
    submit(page, "Register")
    expect(page).to_have_url(base + "/providers/registered/")
    expect(heading(page)).to_have_text("Registration complete")
    check(page, "the registration confirmation")

    # The dashboard before anything is added.
    page.get_by_role("button", name="Go to your dashboard").click()
    expect(heading(page)).to_have_text(LEGAL_NAME)
    expect(page.locator(".govuk-tag").first).to_have_text("Applied")
    check(page, "the dashboard, empty")

    # Upload the documents: empty, with errors, filled in.
    page.get_by_role("button", name="Upload a document").click()
    expect(heading(page)).to_have_text("Upload a document")
    check(page, "the upload page, empty")
    submit(page, "Upload document")
    expect(summary_links(page)).to_have_text(
        ["Choose which document you are uploading", "Select the document to upload"]
    )
    check(page, "the upload page, with errors")
    page.get_by_label("Public liability insurance").check()
    upload(page, "#id_document", "insurance.pdf", "application/pdf", PDF)
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill(str(EXPIRES.year))
    submit(page, "Upload document")
    expect(summary_links(page)).to_have_text(["The expiry date must be a real date"])
    check(page, "the upload page, with a date that does not exist")
    page.get_by_label("Public liability insurance").check()
    upload(page, "#id_document", "insurance.pdf", "application/pdf", PDF)
    page.get_by_label("Day").fill(str(EXPIRES.day))
    page.get_by_label("Month").fill(str(EXPIRES.month))
    page.get_by_label("Year").fill(str(EXPIRES.year))
    check(page, "the upload page, filled in")
    submit(page, "Upload document")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Public liability insurance uploaded. We will review it."
    )
    # Home care is regulated by CQC, so the CQC registration is needed too.
    for label, kind in (
        ("DBS checks policy", "dbs_policy"),
        ("Safeguarding policy", "safeguarding_policy"),
        ("CQC registration", "cqc_registration"),
    ):
        page.goto(f"{base}/providers/documents/upload/?kind={kind}")
        expect(page.get_by_label(label)).to_be_checked()
        upload(page, "#id_document", f"{kind}.pdf", "application/pdf", PDF)
        submit(page, "Upload document")
        expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{label} uploaded.")

    # Add a place: empty, with an error, filled in.
    page.get_by_role("button", name="Add a place").click()
    expect(heading(page)).to_have_text("Add a place you work from")
    check(page, "the place page, empty")
    page.get_by_label("Name of this place").fill("Ashcombe office")
    page.get_by_label("Address line 1").fill("3 Church Street")
    page.get_by_label("Town or city").fill("Ashcombe")
    page.get_by_label("Postcode").fill("NOT A POSTCODE")
    page.get_by_label("CQC location ID (optional)").fill(CQC_LOCATION)
    page.get_by_label("How many miles do you travel?").fill("8")
    submit(page, "Save place")
    expect(summary_links(page)).to_have_text(["Enter a full UK postcode, like SW1A 1AA"])
    check(page, "the place page, with an error")
    page.get_by_label("Postcode").fill(POSTCODE.lower())
    check(page, "the place page, filled in")
    submit(page, "Save place")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Ashcombe office saved.")

    # Add a service: empty, with errors, filled in.
    page.get_by_role("button", name="Add a service").click()
    expect(heading(page)).to_have_text("Add a service")
    check(page, "the service page, empty")
    page.get_by_label("Name of the service").fill("Help at home")
    page.get_by_label("Amount").first.fill("-12")
    submit(page, "Save service")
    expect(summary_links(page)).to_have_text(
        [
            "Enter a short summary in plain English",
            "Describe the service",
            "Choose the category of the service",
            "Choose how the service is delivered: at home, at a venue or online",
            "Price 1 cannot be negative: enter an amount like 18.50",
        ]
    )
    check(page, "the service page, with errors")
    page.get_by_label("Summary").fill("Help with washing, dressing and meals, at home")
    page.get_by_label("Full description").fill("Kind, trained carers who live locally.")
    page.get_by_label("Home care", exact=True).check()
    page.get_by_label("At home").check()
    page.get_by_label("Which place is it delivered from?").select_option(
        label=f"Ashcombe office, {POSTCODE}"
    )
    page.get_by_label("Amount").first.fill("18.50")
    page.get_by_label("What it is for").first.select_option("hour")
    page.get_by_label("Opens on Monday").fill("9:00")
    page.get_by_label("Closes on Monday").fill("17:30")
    page.get_by_label("English", exact=True).check()
    page.get_by_label("Step-free access").check()
    check(page, "the service page, filled in")
    submit(page, "Save service")

    # Add a picture: empty, with an error, filled in.
    expect(heading(page)).to_have_text("Pictures")
    check(page, "the pictures page, empty")
    upload(page, "#id_image", "garden.png", "image/png", png_bytes(64, 48))
    submit(page, "Add picture")
    expect(summary_links(page)).to_have_text(["Describe the picture for people who cannot see it"])
    check(page, "the pictures page, with an error")
    upload(page, "#id_image", "garden.png", "image/png", png_bytes(64, 48))
    page.get_by_label("Describe the picture").fill("A carer and a man laughing in a kitchen")
    check(page, "the pictures page, filled in")
    submit(page, "Add picture")
    expect(page.get_by_role("img", name="A carer and a man laughing in a kitchen")).to_be_visible()
    check(page, "the pictures page, with a picture")

    # The dashboard with everything, and the service published.
    page.get_by_role("link", name="Back to your dashboard").click()
    page.get_by_role("button", name="Publish Help at home").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Help at home is published.")
    expect(page.get_by_text("Ashcombe office (CQC location 1-000000777)")).to_be_visible()
    expect(page.get_by_text("Contains CQC data © Care Quality Commission")).to_be_visible()
    check(page, "the dashboard, filled in")
    page.get_by_role("link", name="See which councils approve you").click()
    expect(heading(page)).to_have_text("Councils that approve you")
    check(page, "the councils page")

    # An operator vets and approves the provider.
    operator_page = browser.new_page()
    try:
        sign_in(
            operator_page, site, OPERATOR_EMAIL, PASSWORD, "/providers/vetting/?status=suspended"
        )
        expect(
            operator_page.get_by_text("There are no providers that are suspended.")
        ).to_be_visible()
        check(operator_page, "the vetting list, empty")
        operator_page.get_by_role("link", name="Applied").click()
        expect(heading(operator_page)).to_have_text("Vet providers")
        check(operator_page, "the vetting list")
        operator_page.get_by_role("link", name=LEGAL_NAME).click()
        expect(heading(operator_page)).to_have_text(LEGAL_NAME)
        check(operator_page, "a provider's vetting page")

        operator_page.get_by_role("link", name="Review the public liability insurance").click()
        expect(heading(operator_page)).to_have_text("Review the public liability insurance")
        check(operator_page, "the document review page, empty")
        operator_page.get_by_label("No, reject it").check()
        submit(operator_page, "Save decision")
        expect(summary_links(operator_page)).to_have_text(["Say why the document is not accepted"])
        check(operator_page, "the document review page, with an error")
        operator_page.get_by_label("Yes, accept it").check()
        check(operator_page, "the document review page, filled in")
        submit(operator_page, "Save decision")
        for label in ("DBS checks policy", "safeguarding policy", "CQC registration"):
            operator_page.get_by_role("link", name=f"Review the {label.lower()}").click()
            operator_page.get_by_label("Yes, accept it").check()
            submit(operator_page, "Save decision")
            expect(operator_page.locator(".govuk-notification-banner")).to_contain_text("accepted")

        operator_page.get_by_role("button", name="Change status").click()
        check(operator_page, "the status page, empty")
        operator_page.get_by_label("Approved").check()
        submit(operator_page, "Change status")
        expect(summary_links(operator_page)).to_have_text(
            ["A provider that is applied cannot be approved"]
        )
        check(operator_page, "the status page, with an error")
        operator_page.get_by_label("Under review").check()
        operator_page.get_by_label("Reason").fill("Documents received")
        check(operator_page, "the status page, filled in")
        submit(operator_page, "Change status")
        operator_page.get_by_role("button", name="Change status").click()
        operator_page.get_by_label("Approved").check()
        submit(operator_page, "Change status")
        expect(operator_page.locator(".govuk-notification-banner")).to_contain_text(
            f"{LEGAL_NAME} is now approved."
        )
        check(operator_page, "a provider's vetting page, approved")
    finally:
        operator_page.close()

    page.goto(base + "/providers/")
    expect(page.locator(".govuk-summary-list .govuk-tag").first).to_have_text("Approved")
    checklist = page.locator("table").first
    expect(checklist.get_by_text("Accepted", exact=True)).to_have_count(4)

    # The council approves it too, and the provider sees that.
    off_the_event_loop(lambda: _council_approves(site, LEGAL_NAME))
    page.goto(base + "/providers/councils/")
    expect(page.get_by_role("row", name="Ashcombe Borough Council Approved")).to_be_visible()
    check(page, "the councils page, with a council's approval")


def _council_approves(site: Site, legal_name: str) -> None:
    from catalogue.council.services import provider_approval_set

    provider = Provider.objects.get(legal_name=legal_name)
    with tenant_context(site.tenant):
        admin = User.objects.get(email=site.admin_email)
        provider_approval_set(provider=provider, status="approved", by=admin)


# --- Target size --------------------------------------------------------------------


def _assert_big_enough(page: Page, name: str) -> None:
    box = page.get_by_role("button", name=name, exact=True).bounding_box()
    assert box is not None, name
    assert box["width"] >= 44, (page.url, name, box)
    assert box["height"] >= 44, (page.url, name, box)


@pytest.mark.parametrize("width", [1280, 320], ids=["desktop", "narrow-phone"])
def test_primary_buttons_are_at_least_44_by_44_pixels(
    page: Page, browser, site: Site, people: People, width: int
) -> None:
    base = site.platform_url
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(base + "/providers/register/")
    _assert_big_enough(page, "Register")

    sign_in(page, site, READY_EMAIL, PASSWORD, "/providers/")
    service = off_the_event_loop(lambda: Service.objects.get(provider=people.ready_provider))
    for path, button in (
        ("/providers/", "Add a service"),
        ("/providers/documents/upload/", "Upload document"),
        ("/providers/places/add/", "Save place"),
        ("/providers/services/add/", "Save service"),
        (f"/providers/services/{service.pk}/", "Save service"),
        (f"/providers/services/{service.pk}/pictures/", "Add picture"),
    ):
        page.goto(base + path)
        _assert_big_enough(page, button)

    operator_page = browser.new_page()
    try:
        operator_page.set_viewport_size({"width": width, "height": 800})
        sign_in(operator_page, site, OPERATOR_EMAIL, PASSWORD, "/providers/vetting/")
        provider_id = people.ready_provider.pk
        document = off_the_event_loop(lambda: VettingDocument.objects.get(provider_id=provider_id))
        for path, button in (
            (f"/providers/vetting/{provider_id}/", "Change status"),
            (f"/providers/vetting/{provider_id}/status/", "Change status"),
            (f"/providers/vetting/{provider_id}/documents/{document.pk}/", "Save decision"),
        ):
            operator_page.goto(base + path)
            _assert_big_enough(operator_page, button)
    finally:
        operator_page.close()
