"""The branding on every page of a council's host: its stylesheet, logo, name, help
and accessibility statement; and the admin's page that changes them."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from core.models import AuditEntry
from tenants.branding.demo import demo_logo_png
from tenants.branding.models import Branding
from tenants.branding.services import branding_update
from tests.conftest import host_client, signed_in_client

pytestmark = pytest.mark.django_db

FORM = {
    "service_name": "",
    "header_colour": "#1d5c2e",
    "logo_alt": "",
    "contact_phone": "",
    "contact_email": "",
    "contact_address": "",
    "contact_hours": "",
    "help_text": "",
}


def _brand(council, **changes):
    with tenant_context(council.tenant):
        return branding_update(by=council.admin, **(FORM | changes))


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_two_councils_look_different(tenant_a, tenant_b):
    logo = demo_logo_png(text="Northmoor")
    _brand(
        tenant_a,
        service_name="Northmoor Care Wallet",
        header_colour="#00205b",
        logo_content=logo,
        logo_name="n.png",
        logo_alt="Northmoor Borough Council",
    )
    _brand(tenant_b, header_colour="#6f2c91")
    a, b = host_client(tenant_a.host), host_client(tenant_b.host)

    page_a, page_b = text(a.get("/account/sign-in/")), text(b.get("/account/sign-in/"))
    assert "<title>Sign in \u2013 Northmoor Care Wallet</title>" in page_a
    assert "<title>Sign in \u2013 Southbay District Council ePurse</title>" in page_b
    assert 'alt="Northmoor Borough Council"' in page_a
    assert "branding/logo" not in page_b  # no logo: the council's name instead
    assert 'govuk-generic-header__homepage-link">Southbay District Council</a>' in page_b

    css_a, css_b = a.get("/branding.css?v=2"), b.get("/branding.css")
    assert css_a["Content-Type"] == "text/css; charset=utf-8"
    assert ".govuk-generic-header{background:#00205b}" in css_a.content.decode()
    assert ".govuk-generic-header{background:#6f2c91}" in css_b.content.decode()
    # The current version may be kept for a year; any other address only briefly.
    assert css_a["Cache-Control"] == "public, max-age=31536000, immutable"
    assert css_b["Cache-Control"] == "public, max-age=300"

    served = a.get("/branding/logo?v=2")
    assert (served.status_code, served["Content-Type"], served.content) == (200, "image/png", logo)
    again = a.get("/branding/logo?v=2", HTTP_IF_NONE_MATCH=served["ETag"])
    assert again.status_code == 304
    assert b.get("/branding/logo").status_code == 404


def test_help_and_the_accessibility_statement_are_linked_from_every_page(tenant_a):
    _brand(
        tenant_a,
        contact_phone="020 7946 0999",
        contact_hours="Monday to Friday, 9am to 5pm",
        help_text="First paragraph.\n\nSecond paragraph.",
    )
    client = host_client(tenant_a.host)
    sign_in = text(client.get("/account/sign-in/"))
    assert '<a class="govuk-footer__link" href="/help/">Help and contact</a>' in sign_in
    assert '<a class="govuk-footer__link" href="/accessibility/">Accessibility statement</a>' in (
        sign_in
    )
    page = text(client.get("/help/"))
    assert '<p class="govuk-body">First paragraph.</p>' in page
    assert '<p class="govuk-body">Second paragraph.</p>' in page
    assert "020 7946 0999" in page
    assert "Monday to Friday, 9am to 5pm" in page
    statement = text(client.get("/accessibility/"))
    assert "Accessibility statement for Northmoor Borough Council ePurse" in statement
    assert "partially compliant with the Web Content Accessibility Guidelines version 2.2" in (
        statement
    )


def test_the_admin_changes_the_colour_and_a_low_contrast_one_is_refused(tenant_a):
    admin = signed_in_client(tenant_a, tenant_a.admin)
    assert admin.get("/admin/branding/").status_code == 200

    refused = admin.post("/admin/branding/", FORM | {"header_colour": "#ffdd00"})
    assert refused.status_code == 400
    page = text(refused)
    assert (
        '<li><a href="#id_header_colour">White text on #ffdd00 has a contrast ratio of 1.34 '
        "to 1, and needs at least 4.5 to 1 to be easy to read. Choose a darker colour</a></li>"
    ) in page
    with tenant_context(tenant_a.tenant):
        assert Branding.objects.get().header_colour == "#0b0c0c"

    logo = SimpleUploadedFile("logo.png", demo_logo_png(text="N"), content_type="image/png")
    saved = admin.post(
        "/admin/branding/",
        FORM | {"header_colour": "#1d5c2e", "logo": logo, "logo_alt": "Northmoor"},
    )
    assert (saved.status_code, saved["Location"]) == (302, "/admin/branding/")
    with tenant_context(tenant_a.tenant):
        branding = Branding.objects.get()
        assert (branding.header_colour, branding.logo_alt) == ("#1d5c2e", "Northmoor")
        assert AuditEntry.objects.filter(action="branding.updated").count() == 1


def test_only_council_admins_reach_the_admin_pages(tenant_a):
    person = signed_in_client(tenant_a, tenant_a.person)
    for path in ("/admin/branding/", "/admin/accessibility-statement/"):
        assert person.get(path).status_code == 403
        assert person.post(path, FORM).status_code == 403
        anonymous = host_client(tenant_a.host).get(path)
        assert (anonymous.status_code, anonymous["Location"]) == (
            302,
            f"/account/sign-in/?next={path}",
        )
    with tenant_context(tenant_a.tenant):
        assert Branding.objects.get().version == 1
        assert AuditEntry.objects.filter(action="web.access_denied").count() == 4


def test_the_statement_form_writes_the_statement(tenant_a):
    admin = signed_in_client(tenant_a, tenant_a.admin)
    form = {
        "compliance": "partial",
        "problems": "Old PDFs are not tagged\nSome maps have no text version",
        "burden": "",
        "plans": "",
        "contact_email": "access@northmoor.example",
        "contact_phone": "",
        "response_days": "5",
        "tested_by": "Our team",
        "tested_on_day": "2",
        "tested_on_month": "11",
        "tested_on_year": "2026",
        "prepared_on_day": "31",
        "prepared_on_month": "2",
        "prepared_on_year": "2026",
        "reviewed_on_day": "",
        "reviewed_on_month": "",
        "reviewed_on_year": "",
    }
    refused = admin.post("/admin/accessibility-statement/", form)
    assert refused.status_code == 400
    assert '<a href="#id_prepared_on_day">The date it was prepared must be a real date</a>' in (
        text(refused)
    )
    saved = admin.post("/admin/accessibility-statement/", form | {"prepared_on_day": "28"})
    assert (saved.status_code, saved["Location"]) == (302, "/accessibility/")
    statement = text(host_client(tenant_a.host).get("/accessibility/"))
    assert "<li>Some maps have no text version</li>" in statement
    assert "get back to you in 5 working days" in statement
    assert "This statement was prepared on 28 February 2026." in statement
    assert "last tested on 2 November 2026 by Our team." in statement
