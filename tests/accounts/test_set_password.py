"""Invitation links: set a password once, on the right host, within three days."""

from __future__ import annotations

from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.services import user_create, user_invite
from core.models import AuditEntry
from tests.conftest import host_client

NEW_PASSWORD = "a long and memorable phrase"


def invited(tenant_users) -> tuple[User, str]:  # type: ignore[no-untyped-def]
    with tenant_context(tenant_users.tenant):
        user = user_create(
            email="new@northmoor.example", full_name="New Starter", role_codes=["care_manager"]
        )
        link = user_invite(user=user, organisation="Northmoor", base_url="")
    return user, link


def follow(client: Client, link: str) -> str:
    """Open the emailed link: the token moves into the session; returns the form's URL."""
    response = client.get(link)
    assert response.status_code == 302, response.content
    return str(response["Location"])


def test_the_link_sets_a_password_and_then_stops_working(tenant_a) -> None:
    user, link = invited(tenant_a)
    client = host_client(tenant_a.host)

    form_url = follow(client, link)
    assert form_url == f"/account/set-password/{user.public_id}/"
    assert client.get(form_url).status_code == 200
    response = client.post(form_url, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/"
    with tenant_context(tenant_a.tenant):
        assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)
        assert AuditEntry.objects.filter(action="auth.password_set").count() == 1
    assert client.get(link).status_code == 404  # used: the password hash changed
    assert client.get(form_url).status_code == 404
    signed_in = client.post(
        "/account/sign-in/", {"email": "new@northmoor.example", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302


def test_weak_or_mismatched_passwords_are_explained(tenant_a) -> None:
    _, link = invited(tenant_a)
    client = host_client(tenant_a.host)
    form_url = follow(client, link)

    weak = client.post(form_url, {"password": "password", "confirm": "password"})
    mismatch = client.post(form_url, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!"})

    assert weak.status_code == 400
    assert b"This password is too short. It must contain at least 12 characters." in weak.content
    assert b"This password is too common." in weak.content
    assert mismatch.status_code == 400
    assert b"The passwords do not match" in mismatch.content


def test_the_link_does_not_work_on_another_tenants_host(tenant_a, tenant_b) -> None:
    _, link = invited(tenant_a)

    response = host_client(tenant_b.host).get(link)

    assert response.status_code == 404
    assert b"This link has expired" in response.content


def test_a_tampered_token_is_refused(tenant_a, client_a: Client) -> None:
    _, link = invited(tenant_a)
    # Change the last two characters to something they are not, so the token always differs.
    tail = link[-3:-1]
    tampered = link[:-3] + ("11" if tail == "00" else "00") + "/"

    assert client_a.get(tampered).status_code == 404


def test_the_form_needs_the_link_opened_in_the_same_browser(tenant_a) -> None:
    user, link = invited(tenant_a)
    follow(host_client(tenant_a.host), link)

    response = host_client(tenant_a.host).get(f"/account/set-password/{user.public_id}/")

    assert response.status_code == 404


def test_form_errors_are_logged_without_the_token(tenant_a, caplog) -> None:
    _, link = invited(tenant_a)
    client = host_client(tenant_a.host)
    form_url = follow(client, link)
    token = link.rstrip("/").rsplit("/", 1)[1]

    client.post(form_url, {"password": "short", "confirm": "short"})

    assert "Bad Request: " + form_url in caplog.text
    assert token not in caplog.text
