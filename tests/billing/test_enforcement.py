"""The licence at work on a council's host: an unlicensed module's pages and API answer
403 in words (and its links are hidden) while a licensed council reaches them; a
suspended council's people still see balances and statements and delivered care is
still paid, while its administrators cannot change the rules; the cap refuses new
people beyond its grace; the administrators' billing page."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from billing.services import licence_status_set
from core.models import AuditEntry
from purse.ledger.models import Account
from purse.models import Person
from purse.orders.models import Visit
from purse.orders.services import order_accept, order_place, visit_deliver
from tenants.rules.models import RulesVersion
from tests.conftest import signed_in_client
from tests.purse import plan_builders as b
from tests.purse.orders.support import market

from .support import holders_made, licensed, plan_with

pytestmark = pytest.mark.django_db

NOT_LICENSED = "This council's licence does not include the marketplace"
SUSPENDED = "This council's licence is suspended"
SUSPENDED_HTML = SUSPENDED.replace("'", "&#x27;")


def _staff_client(users, role: str):
    with tenant_context(users.tenant):
        user = b.staff(f"Sam {role}", role)
    return signed_in_client(users, user)


def _post_json(client, path: str, body: object, **headers: str):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def test_an_unlicensed_marketplace_is_unreachable_in_one_council_and_reachable_in_another(
    tenant_a, tenant_b
):
    # Given Northmoor's licence has no marketplace, and Southbay's has every module
    licensed(tenant_a, plan="personal-health-budgets")
    licensed(tenant_b, plan="complete")
    people = {}
    for users in (tenant_a, tenant_b):
        with tenant_context(users.tenant):
            people[users.slug] = b.person(user=users.person)
    a = signed_in_client(tenant_a, tenant_a.person)
    b_ = signed_in_client(tenant_b, tenant_b.person)
    some_service = uuid.uuid4()

    # Then Northmoor's find-and-order pages refuse in words, on the error page
    for path in ("/services/", f"/services/{some_service}/", f"/services/{some_service}/order/"):
        page = a.get(path)
        assert page.status_code == 403, path
        text = page.content.decode()
        assert "This is not part of the council&#x27;s licence" in text
        assert "licence does not include the marketplace (finding and ordering services)" in text
    # And its API answers problem+json
    api = a.get("/api/catalogue/services/")
    assert (api.status_code, api["Content-Type"]) == (403, "application/problem+json")
    assert api.json()["type"] == "module_not_licensed"
    assert api.json()["detail"].startswith(NOT_LICENSED)
    placing = _post_json(a, "/api/purse/orders/", {}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert placing.status_code == 403
    # And every refusal is in Northmoor's audit log
    with tenant_context(tenant_a.tenant):
        reasons = list(
            AuditEntry.objects.filter(action__endswith="access_denied").values_list(
                "detail__reason", flat=True
            )
        )
    assert reasons == ["module_not_licensed"] * 5

    # While Southbay's people reach them
    assert b_.get("/services/").status_code == 200
    assert b_.get("/api/catalogue/services/").status_code == 200
    # And Northmoor's people still reach their purse and orders, without the links
    home = a.get("/")
    assert home.status_code == 200
    assert 'href="/services/"' not in home.content.decode()
    assert a.get("/orders/").status_code == 200
    mine = a.get("/api/purse/orders/", {"person": str(people[tenant_a.slug].public_id)})
    assert (mine.status_code, mine.json()) == (200, [])
    assert 'href="/services/"' in b_.get("/").content.decode()


def test_an_unlicensed_reports_section_is_hidden_and_its_pages_refused(tenant_a, tenant_b):
    # Given Northmoor is licensed for the marketplace only; Southbay has no licence
    licensed(tenant_a, plan=plan_with(["marketplace"]))
    commissioner_a = _staff_client(tenant_a, "commissioner")
    commissioner_b = _staff_client(tenant_b, "commissioner")

    home_a = commissioner_a.get("/workspace/").content.decode()
    assert 'href="/workspace/reports/"' not in home_a
    for path in ("/workspace/reports/", "/workspace/reports/market/"):
        page = commissioner_a.get(path)
        assert page.status_code == 403
        assert "licence does not include reports for commissioners" in page.content.decode()
    # The e-purse is not licensed either: the care managers' caseload is hidden and refused
    care_manager = _staff_client(tenant_a, "care_manager")
    assert 'href="/workspace/caseload/"' not in care_manager.get("/workspace/").content.decode()
    assert care_manager.get("/workspace/caseload/").status_code == 403
    assert care_manager.get("/api/purse/people/").status_code == 403

    assert 'href="/workspace/reports/"' in commissioner_b.get("/workspace/").content.decode()
    assert commissioner_b.get("/workspace/reports/").status_code == 200


def _delivered_visit(tenant_a):
    """A visit ordered and delivered (waiting for the person to confirm it happened)."""
    m = market(tenant_a, funds=10000, person_confirms_delivery=True)
    with tenant_context(tenant_a.tenant):
        order = order_place(
            person=m.person,
            service_id=m.service.pk,
            price_option_id=m.price_id,
            units="2",
            starts_on=timezone.localdate() + dt.timedelta(days=3),
            at=dt.time(9),
            frequency="once",
            by=tenant_a.person,
        )
        order_accept(order=order, by=m.provider_owner)
        [visit] = order.visits.all()
        Visit.objects.filter(pk=visit.pk).update(on=timezone.localdate())
        visit.refresh_from_db()
        return m, visit


def test_a_suspended_council_still_shows_balances_and_statements_and_pays_for_care(tenant_a):
    # Given care ordered (£36 held of £100), then the council's licence suspended
    m, visit = _delivered_visit(tenant_a)
    licence = licensed(tenant_a, status="suspended")
    holder = signed_in_client(tenant_a, tenant_a.person)

    # When the provider says the visit happened and the person confirms it
    with tenant_context(tenant_a.tenant):
        visit = visit_deliver(visit=visit, units="2", by=m.provider_owner)
        assert visit.status == "delivered"
    confirmed = holder.post(f"/api/purse/visits/{visit.pk}/confirm/", HTTP_IDEMPOTENCY_KEY="c-1")

    # Then the provider is paid, and the person sees it in their balance and statement
    assert confirmed.status_code == 200, confirmed.content
    with tenant_context(tenant_a.tenant):
        visit.refresh_from_db()
        assert visit.status == "paid"
        assert Account.objects.get(kind="payable").credits_posted == 3600
    statement = holder.get("/api/purse/me/statement/")
    assert statement.status_code == 200
    assert statement.json()["closing"]["available_pence"] == 6400
    assert holder.get("/purse/me/statement/").status_code == 200
    assert holder.get("/api/purse/me/statement.csv").status_code == 200
    home = holder.get("/")
    assert home.status_code == 200
    assert "£64" in home.content.decode()
    assert holder.get("/orders/").status_code == 200

    # But the administrators cannot change the rules, branding or users
    admin = signed_in_client(tenant_a, tenant_a.admin)
    when = timezone.localdate() + dt.timedelta(days=40)
    draft = {
        "effective_from_day": when.day,
        "effective_from_month": when.month,
        "effective_from_year": when.year,
    }
    page = admin.post("/workspace/administration/rules/1/new-draft/", draft)
    assert page.status_code == 403
    assert SUSPENDED_HTML + ": budget rules" in page.content.decode()
    api = _post_json(admin, "/api/rules/versions/", {"effective_from": when.isoformat()})
    assert (api.status_code, api.json()["type"]) == (403, "licence_suspended")
    assert api.json()["detail"].startswith(SUSPENDED + ": budget rules, branding")
    assert admin.post("/admin/branding/", {"service_name": "Changed"}).status_code == 403
    invite = admin.post("/workspace/administration/users/invite/", {"email": "x@x.example"})
    assert invite.status_code == 403
    # And no one new can be added
    care_manager = _staff_client(tenant_a, "care_manager")
    people = _post_json(care_manager, "/api/purse/people/", {"given_name": "New"})
    assert (people.status_code, people.json()["type"]) == (403, "licence_suspended")
    with tenant_context(tenant_a.tenant):
        assert RulesVersion.objects.count() == 2  # the council's and the market's, no draft
        assert Person.objects.count() == 1
    # While reading the rules is still allowed
    assert admin.get("/workspace/administration/rules/").status_code == 200
    assert admin.get("/api/rules/versions/").status_code == 200

    # When the licence is active again, the rules can be changed
    licence_status_set(licence=licence, status="active", reason="Paid", by=None)
    again = admin.post("/workspace/administration/rules/1/new-draft/", draft)
    assert again.status_code == 302
    with tenant_context(tenant_a.tenant):
        assert RulesVersion.objects.count() == 3


def test_new_people_are_refused_beyond_the_cap_and_grace_and_warned_before(tenant_a):
    # Given a cap of 1 with 100% grace (up to 2) and one budget holder
    licence = licensed(tenant_a, holder_cap=1, grace_percent=100)
    holders_made(tenant_a, 1)
    care_manager = _staff_client(tenant_a, "care_manager")
    body = {"given_name": "Ada", "family_name": "Byron", "date_of_birth": "1950-12-10"}

    # Within the grace: a new person can be added
    assert _post_json(care_manager, "/api/purse/people/", body).status_code == 201

    # With two budget holders the grace is used up: refused, nothing added
    holders_made(tenant_a, 1)
    refused = _post_json(care_manager, "/api/purse/people/", body | {"family_name": "King"})
    assert (refused.status_code, refused.json()["type"]) == (403, "holder_cap_reached")
    assert refused.json()["detail"].startswith("This council has 2 budget holders")
    with tenant_context(tenant_a.tenant):
        assert Person.objects.filter(family_name="King").count() == 0

    # The administrators see the warning on the billing page
    admin = signed_in_client(tenant_a, tenant_a.admin)
    page = admin.get("/workspace/administration/billing/").content.decode()
    assert "no more people can be added" in page
    assert "2 of 1 covered by your licence (up to 2 with the grace margin)" in page
    assert licence.holder_cap == 1


def test_the_billing_page_shows_the_licence_plan_prices_and_usage(tenant_a, tenant_b):
    licensed(
        tenant_a,
        plan="complete",
        status="active",
        purchase_order="PO-77",
        billing_name="Northmoor Finance",
        billing_email="finance@northmoor.example",
        holder_cap=500,
    )
    holders_made(tenant_a, 2)
    admin = signed_in_client(tenant_a, tenant_a.admin)

    response = admin.get("/workspace/administration/billing/")

    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Complete (version 1)",
        ">Active</strong>",
        "PO-77",
        "finance@northmoor.example",
        "Standard rate (20%)",
        "£2,500",  # platform fee
        "£3,000",  # minimum a month
        "1 to 250",
        "£6",
        "251 to 1000",
        "£4.50",
        "1001 and more",
        "2 of 500 covered by your licence (up to 550 with the grace margin)",
        'id="invoices"',
    ):
        assert text in page, text
    assert 'id="holders-warning"' not in page
    assert page.count("Not included") == 0
    # A council without a licence is told so; the page is for administrators only
    other = signed_in_client(tenant_b, tenant_b.admin).get("/workspace/administration/billing/")
    assert "Your council is not on a licence plan" in other.content.decode()
    holder = signed_in_client(tenant_a, tenant_a.person)
    assert holder.get("/workspace/administration/billing/").status_code == 403
    assert (
        'href="/workspace/administration/billing/"'
        in admin.get("/workspace/administration/").content.decode()
    )
