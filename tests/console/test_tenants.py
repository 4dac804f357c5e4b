"""The operator's tenant pages: who reaches them, the list, onboarding a council through
the form, and suspending or resuming its licence."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_exists, tenant_context

from accounts.models import User
from billing.models import Licence
from billing.selectors import plan_latest
from core.models import AuditEntry
from tenants.branding.models import Branding
from tenants.models import Domain, Tenant
from tenants.selectors import tenant_base_url
from tests.billing.support import licensed
from tests.catalogue import factories as f
from tests.catalogue.api_support import public_signed_in
from tests.conftest import host_client

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long and memorable phrase"


def operator() -> Client:
    return public_signed_in(f.operator())


def onboarding(**overrides: str) -> dict[str, str]:
    plan = plan_latest(code="complete")
    assert plan is not None
    return {
        "name": "Eastwick Borough Council",
        "kind": "council",
        "slug": "eastwick",
        "plan": str(plan.public_id),
        "admin_name": "Chris Chief",
        "admin_email": "chief@eastwick.example",
        "header_colour": "#0b0c0c",
        **overrides,
    }


PAGES = ["/tenants/", "/tenants/new/", "/tenants/{slug}/"]


def test_only_operators_who_gave_their_second_factor_reach_the_pages(tenant_a) -> None:
    _, owner = f.provider_registered("Bright Days CIC")
    staff = public_signed_in(owner)
    anonymous = host_client("localhost")
    allowed = operator()
    for page in PAGES:
        url = page.format(slug=tenant_a.slug)
        assert anonymous.get(url).status_code == 302, url
        assert anonymous.get(url)["Location"].startswith("/account/sign-in/")
        assert staff.get(url).status_code == 403, url
        assert allowed.get(url).status_code == 200, url
    licence_post = f"/tenants/{tenant_a.slug}/licence/"
    assert staff.post(licence_post, {"status": "suspended", "reason": "x"}).status_code == 403
    assert AuditEntry.objects.filter(action="web.access_denied").count() == 4


def test_operators_without_their_second_factor_are_asked_for_it() -> None:
    client = host_client("localhost")
    client.force_login(f.operator())
    response = client.get("/tenants/")
    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor/?next=/tenants/"


def test_the_console_home_links_operators_to_the_tenants() -> None:
    page = operator().get("/").content.decode()
    assert 'href="/tenants/"' in page
    assert 'href="/tenants/new/"' in page
    _, owner = f.provider_registered("Bright Days CIC")
    assert 'href="/tenants/"' not in public_signed_in(owner).get("/").content.decode()


def test_the_list_shows_each_tenant_with_its_licence(tenant_a, tenant_b) -> None:
    licence = licensed(tenant_a, plan="complete", status="past_due")

    page = operator().get("/tenants/").content.decode()

    plan = licence.plan
    assert tenant_a.tenant.name in page
    assert tenant_b.tenant.name in page
    assert f"{plan.name} (version {plan.version}): past due" in page
    assert "No licence" in page  # tenant_b
    assert "tenant_template" not in page
    assert 'href="/tenants/public/"' not in page
    assert 'href="/tenants/tenant_template/"' not in page
    assert (
        page.count("Schema and host present")
        == Tenant.objects.exclude(schema_name__in=["public", "tenant_template"]).count()
    )


def test_onboarding_through_the_form_makes_a_working_tenant(
    django_capture_on_commit_callbacks,
) -> None:
    client = operator()
    # The test's transaction is rolled back afterwards, schema and all (as in
    # tests/tenants/test_services.py).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/tenants/new/", onboarding())

    assert response.status_code == 200, response.content
    page = response.content.decode()
    assert "Eastwick Borough Council is onboarded" in page
    tenant = Tenant.objects.get(schema_name="eastwick")
    assert f"Its address is<br><strong>{tenant_base_url(tenant)}</strong>" in page
    assert "emailed Chris Chief at chief@eastwick.example" in page
    assert re.search(r"Onboarding took <span data-onboarding-seconds>\d+\.\d</span>", page)

    assert (tenant.name, tenant.kind, tenant.status) == (
        "Eastwick Borough Council",
        "council",
        "trial",
    )
    assert Domain.objects.get(tenant=tenant).domain == "eastwick.localhost"
    licence = Licence.objects.get(tenant=tenant)
    assert (licence.plan, licence.status) == (plan_latest(code="complete"), "trial")
    with tenant_context(tenant):
        admin = User.objects.get()
        assert [role.code for role in admin.roles.all()] == ["council_admin"]
        assert Branding.objects.get(pk=1).header_colour == "#0b0c0c"

    # The administrator sets a password through the emailed link and signs in.
    assert [message.to for message in mail.outbox] == [["chief@eastwick.example"]]
    link = re.search(r"https?://eastwick\.localhost[^\s]*", str(mail.outbox[0].body))
    assert link
    path = re.sub(r"^https?://[^/]+", "", link.group(0))
    council = host_client("eastwick.localhost")
    opened = council.get(path)
    assert opened.status_code == 302
    set_password = council.post(
        opened["Location"], {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert set_password["Location"] == "/account/sign-in/"
    signed_in = council.post(
        "/account/sign-in/", {"email": "chief@eastwick.example", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert signed_in["Location"] != "/account/sign-in/"


def test_a_bad_slug_is_shown_on_its_field_and_nothing_is_made() -> None:
    tenants = Tenant.objects.count()

    response = operator().post("/tenants/new/", onboarding(slug="Council 1!"))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#id_slug"' in page
    assert "is not allowed" in page
    assert Tenant.objects.count() == tenants
    assert not Licence.objects.filter(tenant__name="Eastwick Borough Council").exists()
    assert mail.outbox == []


def test_an_unreadable_header_colour_stops_onboarding_before_anything_is_made() -> None:
    response = operator().post("/tenants/new/", onboarding(header_colour="#ffff00"))

    assert response.status_code == 200
    assert 'href="#id_header_colour"' in response.content.decode()
    assert not Tenant.objects.filter(schema_name="eastwick").exists()
    assert not schema_exists("eastwick")
    assert mail.outbox == []


def test_suspending_needs_a_reason(tenant_a) -> None:
    licence = licensed(tenant_a, plan="complete", status="past_due")

    response = operator().post(
        f"/tenants/{tenant_a.slug}/licence/", {"status": "suspended", "reason": "  "}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "Say why the status is changing" in page
    licence.refresh_from_db()
    assert licence.status == "past_due"
    assert (
        not AuditEntry.objects.filter(action="billing.licence_status_changed")
        .exclude(detail__reason="In the test")
        .exists()
    )


def test_a_move_the_licence_cannot_make_is_refused(tenant_a) -> None:
    licence = licensed(tenant_a, plan="complete", status="trial")

    response = operator().post(
        f"/tenants/{tenant_a.slug}/licence/", {"status": "suspended", "reason": "Unpaid"}
    )

    assert response.status_code == 400
    assert "A licence that is" in response.content.decode()
    licence.refresh_from_db()
    assert licence.status == "trial"


def test_suspending_then_resuming_changes_the_licence(tenant_a) -> None:
    licence = licensed(tenant_a, plan="complete", status="past_due")
    client = operator()
    url = f"/tenants/{tenant_a.slug}/licence/"

    suspended = client.post(url, {"status": "suspended", "reason": "Invoice 3 months overdue"})
    assert suspended.status_code == 302
    assert suspended["Location"] == f"/tenants/{tenant_a.slug}/"
    licence.refresh_from_db()
    assert licence.status == "suspended"
    page = client.get(suspended["Location"]).content.decode()
    assert "Resume the service" in page
    assert "Suspend the service" not in page

    resumed = client.post(url, {"status": "active", "reason": "Paid in full"})
    assert resumed.status_code == 302
    licence.refresh_from_db()
    assert licence.status == "active"
    reasons = list(
        AuditEntry.objects.filter(
            action="billing.licence_status_changed", detail__tenant=tenant_a.slug
        )
        .order_by("occurred_at", "id")
        .values_list("detail__to", "detail__reason")
    )
    assert reasons[-2:] == [
        ("suspended", "Invoice 3 months overdue"),
        ("active", "Paid in full"),
    ]
