"""Helpers for the catalogue's API tests: clients for each host and user, approvals,
and the problem details every refusal comes as."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.services import user_create
from catalogue.council.services import provider_approval_set, service_approval_set
from core.models import AuditEntry
from epurse.db import use_public_schema
from tests.conftest import PASSWORD, TenantUsers, second_factor_given, signed_in_client

PUBLIC_HOST = "localhost"
API = "/api/catalogue"


def public_signed_in(user: User) -> Client:
    """A client on the platform's host with a session for a public-schema user."""
    use_public_schema()
    client = Client(HTTP_HOST=PUBLIC_HOST)
    client.force_login(user)
    return second_factor_given(client)


def council_user(tenant_users: TenantUsers, role: str, name: str) -> User:
    with tenant_context(tenant_users.tenant):
        user = user_create(
            email=f"{name}@{tenant_users.slug}.example",
            full_name=name.title(),
            role_codes=[role],
            password=PASSWORD,
        )
    use_public_schema()
    return user


def council_client(tenant_users: TenantUsers, user: Any) -> Client:
    client = signed_in_client(tenant_users, user)
    use_public_schema()
    return client


def approve(tenant_users: TenantUsers, provider: Any, *services: Any, agreed: Any = None) -> None:
    admin = tenant_users.admin
    assert isinstance(admin, User)
    with tenant_context(tenant_users.tenant):
        provider_approval_set(provider=provider, status="approved", by=admin)
        for service in services:
            service_approval_set(
                service=service,
                status="approved",
                by=admin,
                agreed_price_pence=agreed,
            )
    use_public_schema()


def problem(response: Any, status: int) -> dict[str, Any]:
    """The problem details of a refused request, checking its status and type."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def field_errors(response: Any) -> dict[str, list[str]]:
    """The field messages of a 400 problem: "invalid_request" when the input's shape
    is wrong, "validation_error" when a service refused the values."""
    body = problem(response, 400)
    assert body["type"] in ("invalid_request", "validation_error"), body
    errors: dict[str, list[str]] = body["errors"]
    return errors


def audit_actions(tenant_users: TenantUsers | None = None) -> list[str]:
    """Actions in the audit log of a council (or of the platform), oldest first."""
    if tenant_users is None:
        use_public_schema()
        return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    with tenant_context(tenant_users.tenant):
        actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    use_public_schema()
    return actions
