"""Care managers' pages: the caseload says who needs attention and why, a person's
page shows their budget and keeps case notes as written, plans waiting for a second
approver can be approved, and nobody else's people are reachable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.models import AuditEntry
from purse.caseload.selectors import caseload
from purse.models import CaseNote, Review, SupportPlan
from purse.orders.services import order_decline
from purse.services.plans import plan_approve, plan_create
from tests.conftest import signed_in_client
from tests.purse import plan_builders as b
from tests.purse.orders.support import market
from tests.purse.orders.test_orders import _place

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _codes(rows, name):
    return sorted(a.code for r in rows if r.name == name for a in r.alerts)


def test_the_caseload_names_what_needs_attention(tenant_a):
    # Given Ada with £3,000 in her purse on a £300 a week budget that has run since
    # January with nothing spent, a declined order and a review overdue; and Bob with
    # a plan waiting for a second approver.
    m = market(tenant_a, funds=300_000)
    with tenant_context(tenant_a.tenant):
        order = _place(m, by=m.person.user, units="1")
        order_decline(order=order, reason="No carers free", by=m.provider_owner)
        Review.objects.filter(person=m.person).delete()
        Review.objects.create(
            person=m.person,
            plan=m.person.plans.get(),
            kind=Review.Kind.ANNUAL,
            due_on=TODAY - dt.timedelta(days=3),
        )
        carol = m.carol
        bob = b.person("Bob", "Brown")
        version = b.rules_version(second_approval_above_pence=1000)
        plan = plan_create(
            assessment=b.assessment(bob, version, carol, indicative=10000),
            outcomes="Get out more",
            management="council_managed",
            lines=[("day-activities", "Club", 20000)],
            weekly_budget_pence=20000,
            difference_reason="Needs two carers",
            starts_on=TODAY,
            by=carol,
        )
        plan_approve(plan=plan, by=carol)
        rows = caseload(viewer=carol)
    name = str(m.person)

    # Then each alert is for the right person, and only those.
    assert _codes(rows, name) == ["declined", "review_overdue", "surplus", "underspend"]
    assert _codes(rows, "Bob Brown") == ["plan_waiting"]

    # And the page lists them, filters them, and says it on the home page.
    client = signed_in_client(tenant_a, carol)
    page = client.get("/workspace/caseload/").content.decode()
    assert "2 people, of whom 2 need attention." in page
    assert f"Review overdue since {(TODAY - dt.timedelta(days=3)).day}" in page
    assert "1 order placed in the last 28 days declined by a provider" in page
    only = client.get("/workspace/caseload/?show=plan_waiting").content.decode()
    assert "Bob Brown" in only
    assert name not in only
    home = client.get("/workspace/").content.decode()
    assert "1 review overdue" in home
    assert "1 plan waiting for a second approver" in home
    assert "2 people with something that needs attention" in home


def test_a_second_care_manager_approves_a_waiting_plan_from_the_list(tenant_a):
    with tenant_context(tenant_a.tenant):
        carol, dan = b.staff("Carol First"), b.staff("Dan Second")
        version = b.rules_version(second_approval_above_pence=1000)
        ada = b.person()
        plan = plan_create(
            assessment=b.assessment(ada, version, carol, indicative=10000),
            outcomes="Stay at home",
            management="council_managed",
            lines=[("home-care", "Mornings", 20000)],
            weekly_budget_pence=20000,
            difference_reason="Needs two carers",
            starts_on=TODAY,
            by=carol,
        )
        plan_approve(plan=plan, by=carol)

    # The first approver cannot also give the second approval.
    same = signed_in_client(tenant_a, carol)
    refused = same.post(f"/workspace/caseload/plans/{plan.public_id}/approve/", follow=True)
    with tenant_context(tenant_a.tenant):
        plan.refresh_from_db()
    assert plan.status == SupportPlan.Status.AWAITING_SECOND_APPROVAL
    assert "There is a problem" not in refused.content.decode()  # said as a message
    assert "Important" in refused.content.decode()

    other = signed_in_client(tenant_a, dan)
    assert "Ada Lovelace" in other.get("/workspace/caseload/plans/").content.decode()
    done = other.post(f"/workspace/caseload/plans/{plan.public_id}/approve/", follow=True)
    with tenant_context(tenant_a.tenant):
        plan.refresh_from_db()
        assert ada.budgets.get().status == "active"
    assert plan.status == SupportPlan.Status.APPROVED
    assert plan.second_approved_by_id == dan.pk
    assert "The plan for Ada Lovelace is approved." in done.content.decode()


def test_case_notes_are_added_kept_as_written_and_the_reading_audited(tenant_a):
    with tenant_context(tenant_a.tenant):
        carol = b.staff("Carol Notes")
        ada = b.person()
    client = signed_in_client(tenant_a, carol)
    url = f"/workspace/caseload/people/{ada.public_id}/"

    empty = client.post(url, {"text": "   "})
    assert empty.status_code == 400
    assert "Write the note" in empty.content.decode()

    saved = client.post(url, {"text": "Called Ada: she would like a day centre."}, follow=True)
    assert "Your case note is saved." in saved.content.decode()
    assert "Called Ada: she would like a day centre." in saved.content.decode()
    assert "Carol Notes" in saved.content.decode()
    with tenant_context(tenant_a.tenant):
        note = CaseNote.objects.get()
        assert (note.person_id, note.author_id) == (ada.pk, carol.pk)
        assert AuditEntry.objects.filter(action="case_note.added").count() == 1
        viewed = AuditEntry.objects.filter(action="person.viewed", object_id=str(ada.public_id))
        assert viewed.count() >= 2
        # The table itself refuses changes: a note stays as it was written.
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            CaseNote.objects.filter(pk=note.pk).update(text="Changed")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            CaseNote.objects.filter(pk=note.pk).delete()


def test_the_person_page_shows_the_budget_and_offers_to_act_for_them(tenant_a):
    m = market(tenant_a, funds=12_345)
    client = signed_in_client(tenant_a, m.carol)
    page = client.get(f"/workspace/caseload/people/{m.person.public_id}/").content.decode()
    assert "£300 a week" in page
    assert "£123.45" in page
    assert f'name="person" value="{m.person.public_id}"' in page

    acted = client.post("/act-for/", {"person": str(m.person.public_id), "next": "/"}, follow=True)
    assert f"You are acting for {m.person}" in acted.content.decode()


def test_another_councils_person_is_not_found(tenant_a, tenant_b):
    with tenant_context(tenant_a.tenant):
        ada = b.person()
    with tenant_context(tenant_b.tenant):
        theirs = b.staff("Carol Elsewhere")
    client = signed_in_client(tenant_b, theirs)
    url = f"/workspace/caseload/people/{ada.public_id}/"

    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "Should not be kept"}).status_code == 404
    assert "Ada Lovelace" not in client.get("/workspace/caseload/").content.decode()
    with tenant_context(tenant_a.tenant):
        assert CaseNote.objects.count() == 0


@pytest.mark.parametrize(
    "role", ["support_worker", "finance_officer", "commissioner", "council_admin"]
)
def test_only_care_managers_open_the_caseload(tenant_a, role):
    with tenant_context(tenant_a.tenant):
        ada = b.person()
        someone = b.staff(f"Not a manager {role}", role)
    client = signed_in_client(tenant_a, someone)

    assert client.get("/workspace/caseload/").status_code == 403
    assert (
        client.post(f"/workspace/caseload/people/{ada.public_id}/", {"text": "x"}).status_code
        == 403
    )
    with tenant_context(tenant_a.tenant):
        assert CaseNote.objects.count() == 0
