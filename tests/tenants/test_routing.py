"""Hosts route to tenants: <slug>.<PLATFORM_DOMAIN>, the platform at PLATFORM_DOMAIN."""

from __future__ import annotations

import pytest
from django.test import Client

from tenants.models import Tenant
from tests.conftest import host_client


def test_tenant_host_shows_that_tenants_sign_in_page(client_a: Client, tenant_a) -> None:
    response = client_a.get("/account/sign-in/")

    assert response.status_code == 200
    assert f"Sign in to {tenant_a.tenant.name} ePurse" in response.content.decode()


def test_home_sends_signed_out_visitors_to_sign_in(client_a: Client) -> None:
    response = client_a.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/?next=/"


def test_host_with_port_routes_the_same(tenant_a) -> None:
    response = host_client(f"{tenant_a.host}:8000").get("/account/sign-in/")

    assert response.status_code == 200
    assert tenant_a.tenant.name in response.content.decode()


def test_public_host_is_the_platform(public_client: Client) -> None:
    response = public_client.get("/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Personal budgets for councils and the NHS" in body
    assert "Northmoor" not in body


@pytest.mark.parametrize("host", ["nowhere.localhost", "northmoor.elsewhere.localhost"])
def test_unknown_host_gets_a_plain_404(db, host: str) -> None:
    response = host_client(host).get("/account/sign-in/")

    body = response.content.decode()
    assert response.status_code == 404
    assert "There is no service at this address." in body
    assert "govuk" not in body  # plain: no tenant branding, no templates needing a tenant


def test_closed_tenant_is_not_routed(tenant_a) -> None:
    Tenant.objects.filter(pk=tenant_a.tenant.pk).update(status=Tenant.Status.CLOSED)

    response = host_client(tenant_a.host).get("/account/sign-in/")

    assert response.status_code == 404
    assert "There is no service at this address." in response.content.decode()


def test_suspended_tenant_still_serves_its_people(tenant_a) -> None:
    # Suspension is about licensing; people must keep access to their records.
    Tenant.objects.filter(pk=tenant_a.tenant.pk).update(status=Tenant.Status.SUSPENDED)

    response = host_client(tenant_a.host).get("/account/sign-in/")

    assert response.status_code == 200
