"""A budget holder finds their own record, plans and assessments at /api/purse/me/; a
representative finds the people they may see today at /api/purse/represented/. Neither
is a staff read (nothing is audited), and neither shows anyone else."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.models import AuditEntry
from purse.models import Assessment, Challenge, Representative, SupportPlan
from tests.conftest import TenantUsers, host_client, signed_in_client
from tests.purse import plan_builders as build

pytestmark = pytest.mark.django_db


def _plan(who: Any, assessment: Assessment, by: Any, status: str, weekly: int) -> SupportPlan:
    return SupportPlan.objects.create(
        person=who,
        assessment=assessment,
        rules_version=assessment.rules_version,
        status=status,
        outcomes="Stay at home",
        management="direct_payment",
        weekly_budget_pence=weekly,
        starts_on=dt.date(2026, 4, 6),
        created_by=by,
    )


def test_a_budget_holder_reads_their_own_record_plans_and_assessments(
    tenant_a: TenantUsers,
) -> None:
    # Given a budget holder's person record with two assessments and two plans, and
    # someone else's record with a plan
    with tenant_context(tenant_a.tenant):
        carol = build.staff("Carol")
        version = build.rules_version()
        ada = build.person(user=tenant_a.person)
        first = build.assessment(ada, version, carol, indicative=30000)
        second = build.assessment(ada, version, carol, status=Assessment.Status.DRAFT)
        old = _plan(ada, first, carol, SupportPlan.Status.SUPERSEDED, 28000)
        current = _plan(ada, first, carol, SupportPlan.Status.APPROVED, 30000)
        other = build.person("Bob", "Other")
        other_plan = _plan(other, build.assessment(other, version, carol), carol, "draft", 100)
        asked = Challenge.objects.create(
            person=ada,
            plan=current,
            raised_by=tenant_a.person,  # type: ignore[misc]
            raised_on=dt.date(2026, 2, 2),
            reason="Nights are missing",
            status=Challenge.Status.NOT_UPHELD,
            decided_on=dt.date(2026, 2, 20),
            decided_by=carol,
            decision="The plan meets your needs at night",
        )
        audits = AuditEntry.objects.count()

    # When they ask for their own record
    response = signed_in_client(tenant_a, tenant_a.person).get("/api/purse/me/")

    # Then it is theirs, with their plans and assessments, newest first
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["given_name"], body["account"]) == (
        str(ada.public_id),
        "Ada",
        str(tenant_a.person.public_id),  # type: ignore[attr-defined]
    )
    assert [(p["id"], p["status"], p["weekly_budget_pence"]) for p in body["plans"]] == [
        (str(current.public_id), "approved", 30000),
        (str(old.public_id), "superseded", 28000),
    ]
    assert [(a["id"], a["status"]) for a in body["assessments"]] == [
        (str(second.public_id), "draft"),
        (str(first.public_id), "completed"),
    ]
    # And what they asked to be reconsidered, with the decision
    assert body["challenges"] == [
        {
            "id": asked.pk,
            "raised_on": "2026-02-02",
            "reason": "Nights are missing",
            "status": "not_upheld",
            "decided_on": "2026-02-20",
            "decision": "The plan meets your needs at night",
        }
    ]
    # And nobody else's plan is shown, and the person's own read is not audited
    assert str(other_plan.public_id) not in response.content.decode()
    with tenant_context(tenant_a.tenant):
        assert AuditEntry.objects.count() == audits


def test_me_is_404_without_a_linked_record_and_401_signed_out(tenant_a: TenantUsers) -> None:
    # Given the council's administrator, who has no person record
    response = signed_in_client(tenant_a, tenant_a.admin).get("/api/purse/me/")
    # Then 404 in words, and signed out 401
    assert response.status_code == 404
    assert response.json()["detail"] == (
        "We could not find that person. Check the link or search again."
    )
    assert host_client(tenant_a.host).get("/api/purse/me/").status_code == 401


def test_a_representative_lists_the_people_they_may_see_today(tenant_a: TenantUsers) -> None:
    today = timezone.localdate()
    with tenant_context(tenant_a.tenant):
        rita = build.staff("Rita", "representative")
        ada, bob = build.person("Ada", "Lovelace"), build.person("Bob", "Brown")
        cara, dan = build.person("Cara", "Current"), build.person("Dan", "Done")
        eve = build.person("Eve", "Early")

        def represents(who: Any, scopes: list[str], starts: dt.date, ends: Any) -> None:
            Representative.objects.create(
                person=who,
                user=rita,
                relationship="family",
                scopes=scopes,
                starts_on=starts,
                ends_on=ends,
            )

        # Given representations: current with view; current without view; ended;
        # not started yet; and current with view until today
        represents(ada, ["view", "order"], today - dt.timedelta(days=30), None)
        represents(bob, ["order"], today - dt.timedelta(days=30), None)
        represents(dan, ["view"], today - dt.timedelta(days=30), today - dt.timedelta(days=1))
        represents(eve, ["view"], today + dt.timedelta(days=1), None)
        represents(cara, ["view"], today - dt.timedelta(days=1), today)
        audits = AuditEntry.objects.count()

    response = signed_in_client(tenant_a, rita).get("/api/purse/represented/")

    # Then only the people they may see today, by name, with the terms
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [(r["id"], r["family_name"], r["scopes"], r["ends_on"]) for r in results] == [
        (str(cara.public_id), "Current", ["view"], today.isoformat()),
        (str(ada.public_id), "Lovelace", ["view", "order"], None),
    ]
    for absent in (bob, dan, eve):
        assert str(absent.public_id) not in response.content.decode()
    with tenant_context(tenant_a.tenant):
        assert AuditEntry.objects.count() == audits

    # And a user who represents nobody gets an empty list
    nobody = signed_in_client(tenant_a, tenant_a.person).get("/api/purse/represented/")
    assert nobody.status_code == 200
    assert nobody.json()["results"] == []
