"""Support workers' caseloads and consent records through the API: a care manager puts
a person on a worker's caseload (and takes them off), the worker then sees the person
(audited) and loses sight of them when the assignment ends; consents are recorded and
read by those who may see the person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.services import user_create
from purse.models import Consent, Representative, SupportWorkerAssignment
from tests.conftest import TenantUsers, signed_in_client
from tests.purse.api_support import audits, count, person_made, post

pytestmark = pytest.mark.django_db


def _user(tenant: TenantUsers, name: str, role: str) -> User:
    with tenant_context(tenant.tenant):
        return user_create(
            email=f"{name}@{tenant.slug}.example", full_name=name.title(), role_codes=[role]
        )


@pytest.fixture
def carol(tenant_a: TenantUsers) -> Client:
    return signed_in_client(tenant_a, _user(tenant_a, "carol", "care_manager"))


def test_a_support_worker_sees_a_person_only_while_assigned(
    tenant_a: TenantUsers, carol: Client
) -> None:
    worker = _user(tenant_a, "sam", "support_worker")
    sam = signed_in_client(tenant_a, worker)
    person_id = person_made(carol)
    assert sam.get(f"/api/purse/people/{person_id}/").status_code == 404
    assert sam.get("/api/purse/people/").json()["results"] == []

    started = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    assigned = post(
        carol,
        f"/api/purse/people/{person_id}/support-workers/",
        {"worker": str(worker.public_id), "starts_on": started},
    )
    assert assigned.status_code == 201, assigned.content
    assert assigned.json()["worker"] == str(worker.public_id)

    seen = sam.get(f"/api/purse/people/{person_id}/")
    assert seen.status_code == 200
    assert [w["name"] for w in seen.json()["support_workers"]] == ["Sam"]
    assert audits(tenant_a, "person.viewed")[-1].detail == {"basis": "caseload"}
    assert [p["id"] for p in sam.get("/api/purse/people/").json()["results"]] == [person_id]

    # Assigning again for overlapping dates is refused and writes nothing.
    again = post(
        carol, f"/api/purse/people/{person_id}/support-workers/", {"worker": str(worker.public_id)}
    )
    assert again.status_code == 400
    assert again.json()["errors"] == {"worker": ["Already assigned for some of these dates"]}
    assert count(tenant_a, SupportWorkerAssignment) == 1

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ended = post(
        carol,
        f"/api/purse/support-workers/{assigned.json()['id']}/end/",
        {"ends_on": yesterday.isoformat()},
    )
    assert ended.status_code == 200, ended.content
    assert ended.json()["ends_on"] == yesterday.isoformat()
    assert sam.get(f"/api/purse/people/{person_id}/").status_code == 404
    assert audits(tenant_a, "support_worker.unassigned")[-1].detail["ends_on"] == (
        yesterday.isoformat()
    )
    too_early = post(
        carol,
        f"/api/purse/support-workers/{assigned.json()['id']}/end/",
        {"ends_on": "2000-01-01"},
    )
    assert too_early.status_code == 400


def test_only_support_workers_join_a_caseload_and_only_care_managers_assign(
    tenant_a: TenantUsers, carol: Client
) -> None:
    person_id = person_made(carol)
    finance = _user(tenant_a, "fin", "finance_officer")
    refused = post(
        carol, f"/api/purse/people/{person_id}/support-workers/", {"worker": str(finance.public_id)}
    )
    assert refused.status_code == 400
    assert "is not an active support worker" in refused.json()["errors"]["worker"][0]
    unknown = post(
        carol,
        f"/api/purse/people/{person_id}/support-workers/",
        {"worker": "00000000-0000-0000-0000-000000000000"},
    )
    assert unknown.status_code == 400
    worker = _user(tenant_a, "sam", "support_worker")
    sam = signed_in_client(tenant_a, worker)
    self_assigned = post(
        sam, f"/api/purse/people/{person_id}/support-workers/", {"worker": str(worker.public_id)}
    )
    assert self_assigned.status_code == 403
    assert count(tenant_a, SupportWorkerAssignment) == 0


def test_consents_are_recorded_and_read_by_whoever_may_see_the_person(
    tenant_a: TenantUsers, carol: Client
) -> None:
    holder = _user(tenant_a, "holly", "budget_holder")
    person_id = person_made(carol, holder=holder)
    path = f"/api/purse/people/{person_id}/consents/"

    blank = post(carol, path, {"purpose": "  ", "given": True})
    assert blank.status_code == 400
    assert blank.json()["errors"] == {"purpose": ["Enter what the consent is for"]}
    assert count(tenant_a, Consent) == 0

    given = post(carol, path, {"purpose": "Share my plan with my GP", "given": True})
    assert given.status_code == 201, given.content
    withdrawn = post(
        carol, path, {"purpose": "Share my plan with my GP", "given": False, "note": "By phone"}
    )
    assert withdrawn.status_code == 201
    assert audits(tenant_a, "consent.withdrawn")[-1].detail == {
        "purpose": "Share my plan with my GP"
    }

    own = signed_in_client(tenant_a, holder).get(path)
    assert own.status_code == 200
    assert [(c["purpose"], c["given"]) for c in own.json()] == [
        ("Share my plan with my GP", False),
        ("Share my plan with my GP", True),
    ]
    read_before = len(audits(tenant_a, "person.viewed"))
    assert carol.get(path).status_code == 200
    assert len(audits(tenant_a, "person.viewed")) == read_before + 1

    # A representative without the view scope is told nothing; nor may they record.
    rep = _user(tenant_a, "oscar", "representative")
    with tenant_context(tenant_a.tenant):
        Representative.objects.create(
            person_id=Consent.objects.first().person_id,  # type: ignore[union-attr]
            user=rep,
            relationship="family",
            scopes=["order"],
            starts_on=dt.date(2020, 1, 1),
        )
    oscar = signed_in_client(tenant_a, rep)
    assert oscar.get(path).status_code == 404
    assert post(oscar, path, {"purpose": "x", "given": True}).status_code == 403
    assert count(tenant_a, Consent) == 2
