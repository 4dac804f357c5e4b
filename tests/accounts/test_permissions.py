"""Roles are data; permissions are checked in one place; refusals are audited."""

from __future__ import annotations

from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import Role
from accounts.permissions import user_has_permission
from core.models import AuditEntry
from tests.accounts.test_api_tokens import token_for
from tests.conftest import host_client


def test_each_tenant_schema_has_the_tenant_roles_and_public_the_platform_roles(tenant_a) -> None:
    with tenant_context(tenant_a.tenant):
        tenant_roles = set(Role.objects.values_list("code", flat=True))
    public_roles = set(Role.objects.values_list("code", flat=True))

    assert tenant_roles == {
        "budget_holder",
        "representative",
        "support_worker",
        "care_manager",
        "finance_officer",
        "council_admin",
        "commissioner",
    }
    assert public_roles == {"provider_staff", "platform_operator"}


def test_permissions_come_from_role_data(tenant_a) -> None:
    with tenant_context(tenant_a.tenant):
        person = tenant_a.person.__class__.objects.get(pk=tenant_a.person.pk)
        assert not user_has_permission(person, "users.view")
        Role.objects.filter(code="budget_holder").update(permissions=["users.view"])
        person = person.__class__.objects.get(pk=person.pk)

        assert user_has_permission(person, "users.view")


def test_admin_lists_only_their_own_tenants_users(client_a: Client, tenant_a) -> None:
    token = token_for(client_a, "admin@northmoor.example")

    response = host_client(tenant_a.host, HTTP_AUTHORIZATION=f"Token {token}").get("/api/users/")

    assert response.status_code == 200
    emails = [user["email"] for user in response.json()["results"]]
    # Ordered by full name: "Northmoor Borough Council Admin", "Person of Northmoor ...".
    assert emails == ["admin@northmoor.example", "person@northmoor.example"]


def test_refusal_without_permission_is_a_403_problem_and_audited(
    client_a: Client, tenant_a
) -> None:
    token = token_for(client_a, "person@northmoor.example")

    response = host_client(
        tenant_a.host, HTTP_AUTHORIZATION=f"Token {token}", REMOTE_ADDR="198.51.100.7"
    ).get("/api/users/")

    assert response.status_code == 403
    assert response.json() == {
        "type": "permission_denied",
        "title": "You do not have permission to do this",
        "status": 403,
        "detail": "You do not have permission to do this.",
    }
    with tenant_context(tenant_a.tenant):
        entry = AuditEntry.objects.get(action="api.access_denied")
    assert entry.result == "denied"
    assert entry.actor_id == tenant_a.person.public_id
    assert entry.ip_address == "198.51.100.7"
    assert entry.detail == {"method": "GET", "path": "/api/users/", "status": 403}


def test_unauthenticated_api_call_is_a_401_and_audited(client_a: Client, tenant_a) -> None:
    response = client_a.get("/api/users/")

    assert response.status_code == 401
    assert response.json()["type"] == "not_authenticated"
    with tenant_context(tenant_a.tenant):
        assert AuditEntry.objects.filter(action="api.access_denied", result="denied").count() == 1


def test_audit_log_api_shows_this_tenants_entries(client_a: Client, tenant_a) -> None:
    token = token_for(client_a, "admin@northmoor.example")

    response = host_client(tenant_a.host, HTTP_AUTHORIZATION=f"Token {token}").get(
        "/api/audit-entries/", {"action": "auth.login"}
    )

    assert response.status_code == 200
    entries = response.json()["results"]
    assert [(e["action"], e["result"], e["actor_label"]) for e in entries] == [
        ("auth.login", "success", "admin@northmoor.example")
    ]


def test_opening_a_users_record_is_audited(client_a: Client, tenant_a) -> None:
    token = token_for(client_a, "admin@northmoor.example")

    response = host_client(tenant_a.host, HTTP_AUTHORIZATION=f"Token {token}").get(
        f"/api/users/{tenant_a.person.public_id}/"
    )

    assert response.status_code == 200
    assert response.json()["email"] == "person@northmoor.example"
    with tenant_context(tenant_a.tenant):
        entry = AuditEntry.objects.get(action="user.viewed")
    assert entry.actor_id == tenant_a.admin.public_id
    assert entry.object_id == str(tenant_a.person.public_id)
