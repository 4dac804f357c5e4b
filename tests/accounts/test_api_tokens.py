"""API tokens: issued for email + password, sent as `Authorization: Token ...`,
valid only on the host that issued them."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client, override_settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import ApiToken
from accounts.services import token_digest
from core.models import AuditEntry
from tests.conftest import PASSWORD, host_client


def issue(client: Client, email: str, password: str = PASSWORD):
    return client.post(
        "/api/auth/token/", {"email": email, "password": password}, content_type="application/json"
    )


def token_for(client: Client, email: str) -> str:
    response = issue(client, email)
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


def test_token_is_issued_and_only_its_digest_is_stored(client_a: Client, tenant_a) -> None:
    response = issue(client_a, "admin@northmoor.example")

    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"token", "expires_at"}
    with tenant_context(tenant_a.tenant):
        stored = ApiToken.objects.get(user=tenant_a.admin)
        assert stored.digest == token_digest(body["token"])
        assert body["token"] not in stored.digest
        assert AuditEntry.objects.filter(action="api_token.issued").count() == 1


def test_token_authenticates_on_its_own_host(client_a: Client, tenant_a) -> None:
    token = token_for(client_a, "admin@northmoor.example")

    me = host_client(tenant_a.host).get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}")

    assert me.status_code == 200
    assert me.json()["email"] == "admin@northmoor.example"
    assert me.json()["tenant"] == {
        "slug": "northmoor",
        "name": "Northmoor Borough Council",
        "kind": "council",
    }
    assert "users.view" in me.json()["permissions"]


def test_token_is_refused_on_another_tenants_host(client_a: Client, tenant_b) -> None:
    token = token_for(client_a, "admin@northmoor.example")

    response = host_client(tenant_b.host).get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["type"] == "not_authenticated"
    assert "work only on the site that issued them" in response.json()["detail"]


def test_token_is_refused_on_the_platform_host(client_a: Client) -> None:
    token = token_for(client_a, "admin@northmoor.example")

    response = host_client("localhost").get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 401


def test_wrong_password_gets_a_problem_and_counts_towards_lockout(client_a: Client) -> None:
    response = issue(client_a, "admin@northmoor.example", "wrong")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "invalid_credentials",
        "title": "Sign-in failed",
        "status": 400,
        "detail": "Enter a correct email address and password.",
        "errors": {"email": ["Enter a correct email address and password."]},
    }


@override_settings(LOGIN_MAX_FAILURES=2)
def test_api_and_pages_share_the_lockout(client_a: Client) -> None:
    issue(client_a, "admin@northmoor.example", "wrong")
    client_a.post("/account/sign-in/", {"email": "admin@northmoor.example", "password": "x"})

    response = issue(client_a, "admin@northmoor.example")

    assert response.status_code == 429
    assert response.json()["type"] == "account_locked"


def test_expired_token_is_refused(client_a: Client, tenant_a) -> None:
    token = token_for(client_a, "admin@northmoor.example")
    with tenant_context(tenant_a.tenant):
        ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = host_client(tenant_a.host).get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 401


def test_revoked_token_stops_working(client_a: Client, tenant_a) -> None:
    token = token_for(client_a, "admin@northmoor.example")
    client = host_client(tenant_a.host, HTTP_AUTHORIZATION=f"Token {token}")

    assert client.delete("/api/auth/token/").status_code == 204
    assert client.get("/api/me/").status_code == 401
    with tenant_context(tenant_a.tenant):
        assert not ApiToken.objects.exists()


def test_malformed_header_is_explained(client_a: Client) -> None:
    response = client_a.get("/api/me/", HTTP_AUTHORIZATION="Token")

    assert response.status_code == 401
    assert response.json()["detail"] == "Send the header as: Authorization: Token <your token>."


def test_deactivated_users_tokens_and_sessions_stop_working(client_a: Client, tenant_a) -> None:
    admin_token = token_for(client_a, "admin@northmoor.example")
    person_token = token_for(client_a, "person@northmoor.example")
    session_client = host_client(tenant_a.host)
    session_client.post(
        "/account/sign-in/", {"email": "person@northmoor.example", "password": PASSWORD}
    )
    assert session_client.get("/").status_code == 200

    response = host_client(tenant_a.host, HTTP_AUTHORIZATION=f"Token {admin_token}").post(
        f"/api/users/{tenant_a.person.public_id}/deactivate/"
    )

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    person = host_client(tenant_a.host, HTTP_AUTHORIZATION=f"Token {person_token}")
    assert person.get("/api/me/").status_code == 401
    assert session_client.get("/").status_code == 302
    assert issue(client_a, "person@northmoor.example").status_code == 400
    with tenant_context(tenant_a.tenant):
        entry = AuditEntry.objects.get(action="user.deactivated")
    assert entry.actor_id == tenant_a.admin.public_id
    assert entry.object_id == str(tenant_a.person.public_id)


def test_an_administrator_cannot_deactivate_themselves(client_a: Client, tenant_a) -> None:
    token = token_for(client_a, "admin@northmoor.example")

    response = host_client(tenant_a.host, HTTP_AUTHORIZATION=f"Token {token}").post(
        f"/api/users/{tenant_a.admin.public_id}/deactivate/"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "You cannot deactivate your own account. Ask another administrator."
    )
    with tenant_context(tenant_a.tenant):
        assert tenant_a.admin.__class__.objects.get(pk=tenant_a.admin.pk).is_active
