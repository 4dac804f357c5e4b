"""Statements through the API and as a page, on the council's host: the budget holder,
a representative with the view scope and staff (audited) may read one; another person
gets 404, as does anyone asking another council's host; bad periods are 400 in words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.services import user_create
from purse.models import Representative
from tests.conftest import signed_in_client
from tests.purse import plan_builders as b
from tests.purse.api_support import audits

from .support import history

pytestmark = pytest.mark.django_db


def _user(tenant, name: str, role: str):
    with tenant_context(tenant.tenant):
        return user_create(
            email=f"{name}@{tenant.slug}.example", full_name=name.title(), role_codes=[role]
        )


def _url(person, suffix: str = "/") -> str:
    return f"/api/purse/people/{person.public_id}/statement{suffix}"


def test_the_budget_holder_reads_their_statement_as_json_csv_and_pdf(tenant_a):
    h = history(tenant_a)
    holder = signed_in_client(tenant_a, tenant_a.person)

    mine = holder.get("/api/purse/me/statement/")
    theirs = holder.get(_url(h.m.person))

    assert mine.status_code == 200, mine.content
    body = mine.json()
    assert body == theirs.json() | {"made_at": body["made_at"]}
    start, end = dt.date.fromisoformat(body["start"]), dt.date.fromisoformat(body["end"])
    assert (start.day, (end + dt.timedelta(days=1)).day) == (1, 1)  # this month
    assert body["closing"] == {
        "total_pence": 20000,
        "held_pence": 3600,
        "available_pence": 16400,
        "text": "£200: £164 to spend and £36 held",
    }
    assert (body["money_in_pence"], body["money_out_pence"], body["balanced"]) == (
        27700,
        7700,
        True,
    )
    assert body["lines"][0]["description"] == (
        "One-off payment from Northmoor Borough Council: £50"
    )

    csv = holder.get("/api/purse/me/statement.csv", {"from": body["start"], "to": body["end"]})
    assert (csv.status_code, csv["Content-Type"]) == (200, "text/csv; charset=utf-8")
    assert csv["Content-Disposition"] == (
        f'attachment; filename="budget-statement-{start}-to-{end}.csv"'
    )
    assert csv["Cache-Control"] == "private, no-store"
    assert csv.content.decode().splitlines()[-1].startswith(f"{end},closing,")

    pdf = holder.get(_url(h.m.person, ".pdf"))
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].endswith('.pdf"')


def test_only_those_who_may_see_the_person_read_their_statement(tenant_a, tenant_b):
    h = history(tenant_a)
    other_holder = _user(tenant_a, "olive", "budget_holder")
    rita = _user(tenant_a, "rita", "representative")
    oscar = _user(tenant_a, "oscar", "representative")
    with tenant_context(tenant_a.tenant):
        b.person("Olive", "Other", user=other_holder)
        today = timezone.localdate()
        Representative.objects.create(
            person=h.m.person, user=rita, relationship="family", scopes=["view"], starts_on=today
        )
        Representative.objects.create(
            person=h.m.person, user=oscar, relationship="carer", scopes=["order"], starts_on=today
        )

    # Another budget holder, and a representative without the view scope: 404, every format
    for user in (other_holder, oscar):
        client = signed_in_client(tenant_a, user)
        for suffix in ("/", ".csv", ".pdf"):
            assert client.get(_url(h.m.person, suffix)).status_code == 404
    # Anyone signed out is refused
    assert signed_in_client(tenant_a, tenant_a.person).get(_url(h.m.person)).status_code == 200
    from django.test import Client

    assert Client(HTTP_HOST=tenant_a.host).get(_url(h.m.person)).status_code in (401, 403)

    # A representative with the view scope reads it; that is not a staff read
    read = signed_in_client(tenant_a, rita).get(_url(h.m.person))
    assert (read.status_code, read.json()["closing"]["total_pence"]) == (200, 20000)
    assert audits(tenant_a, "person.viewed") == []

    # A care manager reads it, and the read is audited as a read of the statement
    carol = signed_in_client(tenant_a, h.m.carol)
    assert carol.get(_url(h.m.person)).status_code == 200
    [viewed] = audits(tenant_a, "person.viewed")
    assert (viewed.object_id, viewed.detail) == (
        str(h.m.person.public_id),
        {"basis": "council", "reading": "statement"},
    )

    # Another council's person is not found from this council's host, even by staff
    with tenant_context(tenant_b.tenant):
        elsewhere = b.person("Bea", "Southbay")
    assert carol.get(_url(elsewhere)).status_code == 404
    assert carol.get(f"/purse/people/{elsewhere.public_id}/statement/").status_code == 404
    # Nor is this council's person from the other council's host, by its care managers
    bernie = _user(tenant_b, "bernie", "care_manager")
    assert signed_in_client(tenant_b, bernie).get(_url(h.m.person)).status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-02-30"}, "Enter the first day as a date like 2026-11-01"),
        ({"from": "2026-10-02", "to": "2026-10-01"}, "The first day must be the same as or"),
        ({"from": "2024-01-01", "to": "2025-06-30"}, "A statement covers at most 366 days"),
        ({"from": "2999-01-01"}, "A statement cannot start after today"),
    ],
)
def test_a_period_that_cannot_be_a_statement_is_400_in_words(tenant_a, query, message):
    with tenant_context(tenant_a.tenant):
        b.person(user=tenant_a.person)
    holder = signed_in_client(tenant_a, tenant_a.person)
    for path in ("/api/purse/me/statement/", "/api/purse/me/statement.csv"):
        refused = holder.get(path, query)
        assert refused.status_code == 400
        assert refused["Content-Type"] == "application/problem+json"
        [(_field, [said])] = refused.json()["errors"].items()
        assert said.startswith(message)
    page = holder.get("/purse/me/statement/", query)
    assert page.status_code == 400
    assert message in page.content.decode()


def test_the_statement_page_shows_the_figures_and_links_to_the_files(tenant_a):
    h = history(tenant_a)
    holder = signed_in_client(tenant_a, tenant_a.person)

    page = holder.get("/purse/me/statement/")
    html = page.content.decode()

    assert page.status_code == 200
    assert "<title>Budget statement for Ada Lovelace" in html
    assert "£200 (£164 to spend)" in html
    assert "visit cancelled, £18 back to spend" in html
    assert "/api/purse/me/statement.pdf?from=" in html
    assert "/api/purse/me/statement.csv?from=" in html
    # Staff see the person's page; another budget holder does not; signing in comes first
    assert (
        signed_in_client(tenant_a, h.m.carol)
        .get(f"/purse/people/{h.m.person.public_id}/statement/")
        .status_code
        == 200
    )
    other = _user(tenant_a, "olive", "budget_holder")
    assert (
        signed_in_client(tenant_a, other)
        .get(f"/purse/people/{h.m.person.public_id}/statement/")
        .status_code
        == 404
    )
    assert signed_in_client(tenant_a, other).get("/purse/me/statement/").status_code == 404
    from django.test import Client

    signed_out = Client(HTTP_HOST=tenant_a.host).get("/purse/me/statement/")
    assert signed_out.status_code == 302
    assert "/account/" in signed_out["Location"]
