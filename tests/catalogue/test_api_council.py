"""A council's approvals of the shared registry and its CQC rating alerts, through
the API on the council's own host."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from catalogue.council.models import ProviderApproval, RatingAlert, ServiceApproval
from core.models import AuditEntry
from epurse.db import use_public_schema
from tests.conftest import host_client

from . import factories as f
from .api_support import (
    API,
    PUBLIC_HOST,
    approve,
    audit_actions,
    council_client,
    council_user,
    field_errors,
    problem,
    public_signed_in,
)

pytestmark = pytest.mark.django_db

APPROVALS = f"{API}/approvals"


@pytest.fixture
def registry():
    """A vetted provider with a published service and a draft, and one not yet vetted."""
    care, owner = f.provider_registered("Careful Hands Ltd")
    f.provider_vetted(care, owner)
    place = f.location_made(care, owner, cqc_location_id="1-000000001")
    visits = f.service_made(care, owner, location=place, name="Home care visits")
    f.service_made(care, owner, location=place, name="Draft idea", publish=False)
    pending, pending_owner = f.provider_registered("Not Yet Vetted Ltd")
    f.service_made(pending, pending_owner, location=None, name="Unvetted help")
    return {"care": care, "visits": visits, "place": place, "pending": pending}


@pytest.fixture
def admin_a(tenant_a):
    return council_client(tenant_a, tenant_a.admin)


@pytest.fixture
def worker_a(tenant_a):
    return council_client(tenant_a, council_user(tenant_a, "support_worker", "sam"))


def _put(client, path, data):
    return client.put(path, data, content_type="application/json")


def test_staff_see_the_vetted_registry_with_this_councils_decisions(registry, worker_a):
    response = worker_a.get(f"{APPROVALS}/providers/")

    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": str(registry["care"].pk),
            "name": "Careful Hands Ltd",
            "legal_name": "Careful Hands Ltd",
            "cqc_provider_id": "",
            "email": registry["care"].email,
            "phone": "",
            "website": "",
            "council_status": None,
            "council_reason": None,
            "council_decided_at": None,
        }
    ]
    services = worker_a.get(f"{APPROVALS}/services/").json()["results"]
    assert [(s["name"], s["council_status"], s["provider_council_status"]) for s in services] == [
        ("Home care visits", None, None)
    ]


def test_a_provider_and_its_service_are_approved_here_only(
    registry, tenant_a, tenant_b, admin_a, worker_a
):
    care, visits = registry["care"], registry["visits"]

    provider = _put(admin_a, f"{APPROVALS}/providers/{care.pk}/", {"status": "approved"})
    service = _put(
        admin_a,
        f"{APPROVALS}/services/{visits.pk}/",
        {"status": "approved", "agreed_price_pence": 1650},
    )

    assert provider.status_code == 200
    assert provider.json() == {
        "provider": {"id": str(care.pk), "name": "Careful Hands Ltd"},
        "status": "approved",
        "reason": "",
        "decided_at": provider.json()["decided_at"],
    }
    assert service.status_code == 200
    assert service.json() == {
        "service": {"id": str(visits.pk), "name": "Home care visits"},
        "status": "approved",
        "agreed_price_pence": 1650,
        "reason": "",
        "decided_at": service.json()["decided_at"],
    }
    listed = worker_a.get(f"{APPROVALS}/services/", {"status": "approved"}).json()["results"]
    assert [(s["council_status"], s["council_agreed_price_pence"]) for s in listed] == [
        ("approved", 1650)
    ]
    assert worker_a.get(f"{APPROVALS}/providers/", {"status": "undecided"}).json()["count"] == 0
    assert audit_actions(tenant_a)[-2:] == [
        "provider.approved_locally",
        "service.approved_locally",
    ]
    # Southbay's schema is untouched.
    with tenant_context(tenant_b.tenant):
        assert not ProviderApproval.objects.exists()
        assert not ServiceApproval.objects.exists()
        assert not AuditEntry.objects.filter(action__endswith="_locally").exists()
    use_public_schema()
    # The approved service is now in Northmoor's search, at the agreed price.
    person = council_client(tenant_a, tenant_a.person)
    found = person.get(f"{API}/services/").json()["results"]
    assert [(r["name"], r["price_pence"]) for r in found] == [("Home care visits", 1650)]


def test_a_suspension_needs_a_reason(registry, admin_a, tenant_a):
    care = registry["care"]
    approve(tenant_a, care)

    refused = _put(admin_a, f"{APPROVALS}/providers/{care.pk}/", {"status": "suspended"})
    suspended = _put(
        admin_a,
        f"{APPROVALS}/providers/{care.pk}/",
        {"status": "suspended", "reason": "Safeguarding concern"},
    )

    assert field_errors(refused) == {"reason": ["Give a reason"]}
    assert (suspended.json()["status"], suspended.json()["reason"]) == (
        "suspended",
        "Safeguarding concern",
    )
    assert audit_actions(tenant_a)[-1] == "provider.suspended_locally"


@pytest.mark.parametrize(
    ("target", "data", "status", "detail"),
    [
        (
            "pending",
            {"status": "approved"},
            400,
            "Not Yet Vetted Ltd has not been approved by the platform yet (it is applied), "
            "so it cannot be approved here",
        ),
        (
            "visits",
            {"status": "approved"},
            400,
            "Approve the provider before approving its services",
        ),
        (
            "visits",
            {"status": "approved", "agreed_price_pence": 0},
            400,
            "The agreed price must be more than £0",
        ),
        (
            "care",
            {"status": "maybe"},
            400,
            "Correct the fields listed in errors and send the request again.",
        ),
    ],
)
def test_decisions_the_rules_refuse(registry, admin_a, tenant_a, target, data, status, detail):
    kind = "services" if target == "visits" else "providers"

    response = _put(admin_a, f"{APPROVALS}/{kind}/{registry[target].pk}/", data)

    assert problem(response, status)["detail"] == detail
    with tenant_context(tenant_a.tenant):
        assert not ProviderApproval.objects.exists()
        assert not ServiceApproval.objects.exists()
    use_public_schema()


def test_who_may_see_and_decide(registry, tenant_a, worker_a):
    care = registry["care"]
    person = council_client(tenant_a, tenant_a.person)
    path = f"{APPROVALS}/providers/{care.pk}/"

    assert problem(_put(worker_a, path, {"status": "approved"}), 403)["type"] == (
        "permission_denied"
    )
    assert problem(person.get(f"{APPROVALS}/providers/"), 403)
    assert problem(_put(person, path, {"status": "approved"}), 403)
    assert problem(host_client(tenant_a.host).get(f"{APPROVALS}/providers/"), 401)
    # Approvals belong to councils: the platform's host has none, even for operators.
    operator = public_signed_in(f.operator())
    assert problem(operator.get(f"{APPROVALS}/providers/"), 404)
    assert problem(_put(host_client(PUBLIC_HOST), path, {"status": "approved"}), 404)
    with tenant_context(tenant_a.tenant):
        assert not ProviderApproval.objects.exists()
    use_public_schema()
    assert audit_actions(tenant_a).count("api.access_denied") == 4


def test_an_unknown_provider_is_not_found(admin_a):
    response = _put(
        admin_a,
        f"{APPROVALS}/providers/00000000-0000-0000-0000-000000000000/",
        {"status": "approved"},
    )

    assert problem(response, 404)["type"] == "not_found"


# --- Rating alerts ----------------------------------------------------------------


def _alert(tenant_users, registry, current="Inadequate"):
    with tenant_context(tenant_users.tenant):
        alert = RatingAlert.objects.create(
            provider=registry["care"],
            location=registry["place"],
            cqc_location_id="1-000000001",
            previous="Good",
            current=current,
        )
    use_public_schema()
    return alert


def test_staff_see_alerts_and_approvers_acknowledge_them(registry, tenant_a, admin_a, worker_a):
    alert = _alert(tenant_a, registry)

    listed = worker_a.get(f"{API}/rating-alerts/", {"acknowledged": "false"}).json()
    acknowledged = admin_a.post(f"{API}/rating-alerts/{alert.pk}/acknowledge/")
    again = admin_a.post(f"{API}/rating-alerts/{alert.pk}/acknowledge/")

    assert listed["results"] == [
        {
            "id": alert.pk,
            "provider": {"id": str(registry["care"].pk), "name": "Careful Hands Ltd"},
            "location": {
                "id": str(registry["place"].pk),
                "name": "Main office",
                "postcode": "NM1 1AA",
            },
            "cqc_location_id": "1-000000001",
            "previous": "Good",
            "current": "Inadequate",
            "report_date": None,
            "created_at": listed["results"][0]["created_at"],
            "acknowledged_at": None,
            "acknowledged_by": None,
        }
    ]
    assert acknowledged.status_code == 200
    assert acknowledged.json()["acknowledged_by"] == {
        "id": str(tenant_a.admin.public_id),
        "full_name": tenant_a.admin.full_name,
    }
    assert again.json()["acknowledged_at"] == acknowledged.json()["acknowledged_at"]
    assert worker_a.get(f"{API}/rating-alerts/", {"acknowledged": "false"}).json()["count"] == 0
    assert worker_a.get(f"{API}/rating-alerts/", {"acknowledged": "true"}).json()["count"] == 1
    assert audit_actions(tenant_a).count("catalogue.rating_alert.acknowledged") == 1


def test_only_approvers_acknowledge_and_only_their_own_councils_alerts(
    registry, tenant_a, tenant_b, admin_a, worker_a
):
    ours = _alert(tenant_a, registry)
    # Ids are per council: of two of Southbay's alerts, at least one id Northmoor lacks.
    theirs = [
        _alert(tenant_b, registry, current=rating)
        for rating in ("Requires improvement", "Inadequate")
    ]
    only_theirs = next(alert for alert in theirs if alert.pk != ours.pk)

    refused = worker_a.post(f"{API}/rating-alerts/{ours.pk}/acknowledge/")
    not_found = admin_a.post(f"{API}/rating-alerts/{only_theirs.pk}/acknowledge/")

    assert problem(refused, 403)["type"] == "permission_denied"
    assert problem(not_found, 404)["type"] == "not_found"
    assert [a["id"] for a in worker_a.get(f"{API}/rating-alerts/").json()["results"]] == [ours.pk]
    with tenant_context(tenant_b.tenant):
        assert not RatingAlert.objects.filter(acknowledged_at__isnull=False).exists()
    with tenant_context(tenant_a.tenant):
        assert RatingAlert.objects.get().acknowledged_at is None
    use_public_schema()
