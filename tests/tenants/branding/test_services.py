"""Changing the branding and the accessibility statement: what is refused, in words,
and that nothing changes then; who may do it; the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.services import user_create
from catalogue.models import Upload
from core.errors import DomainError, ValidationFailed
from core.models import AuditEntry
from tenants.branding.demo import demo_logo_png
from tenants.branding.models import Branding
from tenants.branding.services import branding_update, statement_update

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _fields(**changes):
    fields = {
        "service_name": "Northmoor Care Wallet",
        "header_colour": "#1d5c2e",
        "logo_alt": "",
        "contact_phone": "020 7946 0999",
        "contact_email": "help@northmoor.example",
        "contact_address": "Town Hall",
        "contact_hours": "9am to 5pm",
        "help_text": "Call us.",
    }
    return fields | changes


def _statement(**changes):
    fields = {
        "compliance": "partial",
        "problems": "Old PDFs are not tagged",
        "burden": "",
        "plans": "Re-issue them",
        "contact_email": "access@northmoor.example",
        "contact_phone": "",
        "response_days": 10,
        "tested_on": TODAY,
        "tested_by": "Our team",
        "prepared_on": TODAY,
        "reviewed_on": None,
    }
    return fields | changes


def test_an_admin_changes_the_branding_and_it_is_audited(tenant_a):
    with tenant_context(tenant_a.tenant):
        branding = branding_update(by=tenant_a.admin, **_fields())
        assert (branding.service_name, branding.header_colour, branding.version) == (
            "Northmoor Care Wallet",
            "#1d5c2e",
            2,
        )
        [entry] = AuditEntry.objects.filter(action="branding.updated")
        assert entry.detail["before"]["header_colour"] == "#0b0c0c"
        assert entry.detail["after"]["header_colour"] == "#1d5c2e"


def test_a_header_colour_white_text_cannot_be_read_on_is_refused_with_the_reason(tenant_a):
    with tenant_context(tenant_a.tenant):
        with pytest.raises(ValidationFailed) as refused:
            branding_update(by=tenant_a.admin, **_fields(header_colour="#ffdd00"))
        assert refused.value.field_errors == {
            "header_colour": [
                "White text on #ffdd00 has a contrast ratio of 1.34 to 1, and needs at least "
                "4.5 to 1 to be easy to read. Choose a darker colour"
            ]
        }
        # Just under the line is refused too, never shown as meeting it; nothing at all
        # was saved.
        with pytest.raises(ValidationFailed) as refused:
            branding_update(by=tenant_a.admin, **_fields(header_colour="#777777"))
        assert "a contrast ratio of 4.47 to 1" in refused.value.field_errors["header_colour"][0]
        branding = Branding.objects.get()
        assert (branding.header_colour, branding.service_name, branding.version) == (
            "#0b0c0c",
            "",
            1,
        )
        assert not AuditEntry.objects.filter(action="branding.updated").exists()
        # Just over it is accepted.
        assert branding_update(by=tenant_a.admin, **_fields(header_colour="#767676"))


def test_a_colour_that_is_not_a_hex_code_is_refused(tenant_a):
    with tenant_context(tenant_a.tenant), pytest.raises(ValidationFailed) as refused:
        branding_update(by=tenant_a.admin, **_fields(header_colour="dark blue"))
    assert refused.value.field_errors["header_colour"] == [
        "Enter the colour as a hex code, like #1d70b8"
    ]


def test_a_logo_needs_a_description_and_must_be_a_picture(tenant_a):
    logo = demo_logo_png(text="Northmoor")
    with tenant_context(tenant_a.tenant):
        uploads = Upload.objects.count()
        with pytest.raises(ValidationFailed) as refused:
            branding_update(by=tenant_a.admin, logo_content=logo, logo_name="l.png", **_fields())
        assert list(refused.value.field_errors) == ["logo_alt"]
        with pytest.raises(ValidationFailed) as refused:
            branding_update(
                by=tenant_a.admin,
                logo_content=b"<svg onload=alert(1)>",
                logo_name="logo.svg",
                **_fields(logo_alt="Northmoor"),
            )
        assert refused.value.field_errors == {
            "logo": ["The selected file must be a JPG, PNG or WebP picture"]
        }
        assert Upload.objects.count() == uploads
        branding = branding_update(
            by=tenant_a.admin, logo_content=logo, logo_name="l.png", **_fields(logo_alt="Northmoor")
        )
        assert (bytes(branding.logo), branding.logo_type) == (logo, "image/png")
        # The logo lives in the council's own schema, not in the shared registry.
        assert Upload.objects.count() == uploads
        # Removing it clears its description too.
        branding = branding_update(by=tenant_a.admin, remove_logo=True, **_fields(logo_alt="x"))
        assert (bytes(branding.logo), branding.has_logo, branding.logo_alt) == (b"", False, "")


def test_only_a_council_admin_may_change_the_branding(tenant_a):
    with tenant_context(tenant_a.tenant):
        manager = user_create(
            email="cm@northmoor.example", full_name="Care Manager", role_codes=["care_manager"]
        )
        with pytest.raises(DomainError, match="Only a council administrator"):
            branding_update(by=manager, **_fields())
        with pytest.raises(DomainError, match="Only a council administrator"):
            statement_update(by=tenant_a.person, **_statement())
        assert Branding.objects.get().version == 1


def test_the_statement_says_what_is_not_accessible_and_how_to_report_it(tenant_a):
    with tenant_context(tenant_a.tenant):
        with pytest.raises(ValidationFailed) as refused:
            statement_update(
                by=tenant_a.admin,
                **_statement(
                    problems="",
                    contact_email="",
                    response_days=0,
                    prepared_on=TODAY,
                    reviewed_on=TODAY - dt.timedelta(days=1),
                    tested_on=TODAY + dt.timedelta(days=1),
                ),
            )
        assert refused.value.field_errors == {
            "problems": [
                "List what is not accessible yet: a service that is not fully compliant must say"
            ],
            "contact_email": [
                "Give an email address or a phone number for people to report accessibility "
                "problems"
            ],
            "response_days": ["Enter a number of working days from 1 to 60"],
            "tested_on": ["The date must be today or in the past"],
            "reviewed_on": ["The review date must be on or after the date it was prepared"],
        }
        # A fully compliant service need list no problems.
        branding = statement_update(by=tenant_a.admin, **_statement(compliance="full", problems=""))
        assert branding.statement_compliance == "full"
        assert AuditEntry.objects.filter(action="branding.statement_updated").count() == 1
