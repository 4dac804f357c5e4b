"""Signing in on pages: success, wrong details, lockout, timeouts, sign-out, audit."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client, override_settings
from django_tenants.utils import tenant_context

from accounts.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from accounts.models import LoginThrottle
from accounts.services import login_throttle_key
from core.models import AuditEntry
from tests.conftest import PASSWORD, host_client


def sign_in(client: Client, email: str, password: str, **extra: Any):
    return client.post(
        "/account/sign-in/",
        {"email": email, "password": password},
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="pytest-browser",
        **extra,
    )


def test_right_details_sign_in_and_are_audited(client_a: Client, tenant_a) -> None:
    response = sign_in(client_a, "Admin@Northmoor.example ", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client_a.get("/")
    assert home.status_code == 200
    assert f"Welcome, {tenant_a.admin.full_name}" in home.content.decode()
    with tenant_context(tenant_a.tenant):
        entry = AuditEntry.objects.get(action="auth.login")
    assert entry.result == "success"
    assert entry.actor_id == tenant_a.admin.public_id
    assert entry.ip_address == "203.0.113.9"
    assert entry.user_agent == "pytest-browser"
    assert entry.occurred_at is not None


def test_wrong_password_shows_an_error_summary_and_is_audited(client_a: Client, tenant_a) -> None:
    response = sign_in(client_a, "admin@northmoor.example", "not-the-password")

    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert 'href="#id_email">Enter a correct email address and password.' in body
    assert "<title>Error: Sign in" in body
    assert client_a.get("/").status_code == 302  # still signed out
    with tenant_context(tenant_a.tenant):
        entry = AuditEntry.objects.get(action="auth.login")
    assert entry.result == "failure"
    assert entry.actor_id is None
    assert entry.actor_label == "admin@northmoor.example"
    assert entry.detail == {"reason": "wrong_password", "locked": False}


def test_what_is_typed_for_an_unknown_account_is_not_stored(client_a: Client, tenant_a) -> None:
    # People type their password into the email field; it must not be kept.
    sign_in(client_a, "MySecretPassword1", "x")
    sign_in(client_a, "mysecretpassword1", "y")

    with tenant_context(tenant_a.tenant):
        entries = list(AuditEntry.objects.filter(action="auth.login").order_by("id"))
        keys = list(LoginThrottle.objects.values_list("key", flat=True))
    assert [e.detail["reason"] for e in entries] == ["unknown_email", "unknown_email"]
    assert entries[0].actor_label == entries[1].actor_label  # still linkable
    assert entries[0].actor_label.startswith("unknown:")
    stored = " ".join([*keys, *(e.actor_label for e in entries)]).lower()
    assert "mysecretpassword1" not in stored


@override_settings(LOGIN_MAX_FAILURES=100, LOGIN_MAX_FAILURES_PER_IP=3)
def test_many_addresses_from_one_client_are_locked_out_together(client_a: Client) -> None:
    for mailbox in ("a", "b", "c"):
        sign_in(client_a, f"{mailbox}@northmoor.example", "guess")

    from_the_sprayer = sign_in(client_a, "admin@northmoor.example", PASSWORD)
    from_elsewhere = client_a.post(
        "/account/sign-in/",
        {"email": "admin@northmoor.example", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.20",
    )

    assert from_the_sprayer.status_code == 400
    assert b"entered the wrong details too many times" in from_the_sprayer.content
    assert from_elsewhere.status_code == 302


def test_empty_form_names_each_missing_field(client_a: Client) -> None:
    body = sign_in(client_a, "", "").content.decode()

    assert "Enter your email address" in body
    assert "Enter your password" in body


def _error_summary(html: bytes) -> str:
    text = html.decode()
    start = text.index('<div class="govuk-error-summary"')
    return text[start : text.index("</div>", text.index("govuk-error-summary__body"))]


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client_a: Client) -> None:
    unknown = sign_in(client_a, "nobody@northmoor.example", "whatever-password")
    wrong = sign_in(client_a, "admin@northmoor.example", "whatever-password")

    assert unknown.status_code == wrong.status_code == 400
    assert "Enter a correct email address and password." in _error_summary(unknown.content)
    assert _error_summary(unknown.content) == _error_summary(wrong.content)


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_SECONDS=900)
def test_repeated_failures_lock_the_account_even_for_the_right_password(
    client_a: Client, tenant_a
) -> None:
    for _ in range(2):
        assert b"Enter a correct email" in sign_in(client_a, "admin@northmoor.example", "x").content
    third = sign_in(client_a, "admin@northmoor.example", "x")
    assert b"Wait 15 minutes and try again" in third.content

    right = sign_in(client_a, "admin@northmoor.example", PASSWORD)

    assert right.status_code == 400
    assert b"entered the wrong details too many times" in right.content
    assert client_a.get("/").status_code == 302
    with tenant_context(tenant_a.tenant):
        results = list(
            AuditEntry.objects.filter(action="auth.login")
            .order_by("id")
            .values_list("result", flat=True)
        )
    assert results == ["failure", "failure", "failure", "denied"]


@override_settings(LOGIN_MAX_FAILURES=2)
def test_lockout_is_per_tenant(client_a: Client, tenant_b) -> None:
    # The same address locked on one council's host is not locked on another's.
    for _ in range(2):
        sign_in(client_a, "admin@southbay.example", "x")

    response = sign_in(host_client(tenant_b.host), "admin@southbay.example", PASSWORD)

    assert response.status_code == 302


@override_settings(LOGIN_MAX_FAILURES=2, LOGIN_LOCKOUT_SECONDS=60)
def test_lock_expires(client_a: Client, tenant_a) -> None:
    for _ in range(2):
        sign_in(client_a, "admin@northmoor.example", "x")
    with tenant_context(tenant_a.tenant):
        throttle = LoginThrottle.objects.get(key=login_throttle_key("admin@northmoor.example"))
        assert throttle.locked_until is not None
        throttle.locked_until = throttle.locked_until.replace(year=2000)
        throttle.save()

    assert sign_in(client_a, "admin@northmoor.example", PASSWORD).status_code == 302


def test_success_clears_earlier_failures(client_a: Client, tenant_a) -> None:
    sign_in(client_a, "admin@northmoor.example", "x")
    sign_in(client_a, "admin@northmoor.example", PASSWORD)

    with tenant_context(tenant_a.tenant):
        assert not LoginThrottle.objects.filter(
            key=login_throttle_key("admin@northmoor.example")
        ).exists()


def test_next_is_followed_only_within_the_site(client_a: Client) -> None:
    inside = sign_in(client_a, "admin@northmoor.example", PASSWORD, QUERY_STRING="")
    assert inside["Location"] == "/"
    client = host_client("northmoor.localhost")
    evil = client.post(
        "/account/sign-in/?next=https://evil.example/",
        {"email": "admin@northmoor.example", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert evil["Location"] == "/"


def test_sign_out_needs_post_and_ends_the_session(client_a: Client) -> None:
    sign_in(client_a, "admin@northmoor.example", PASSWORD)

    assert client_a.get("/account/sign-out/").status_code == 405
    response = client_a.post("/account/sign-out/")

    assert response.status_code == 302
    assert client_a.get("/").status_code == 302


@pytest.mark.parametrize(
    ("signed_in_ago", "last_seen_ago", "reason"),
    [(120, 31 * 60, "idle"), (13 * 3600, 10, "absolute")],
)
def test_sessions_time_out(
    client_a: Client, tenant_a, signed_in_ago: int, last_seen_ago: int, reason: str
) -> None:
    sign_in(client_a, "admin@northmoor.example", PASSWORD)
    session = client_a.session
    now = time.time()
    session[SIGNED_IN_AT] = now - signed_in_ago
    session[LAST_SEEN_AT] = now - last_seen_ago
    session.save()

    response = client_a.get("/", follow=True)

    assert response.redirect_chain[0] == ("/account/sign-in/?next=/", 302)
    assert b"You were signed out to keep your account safe" in response.content
    with tenant_context(tenant_a.tenant):
        entry = AuditEntry.objects.get(action="auth.session_expired")
    assert entry.detail == {"reason": reason}
    assert entry.actor_id == tenant_a.admin.public_id


def test_an_active_session_stays_signed_in(client_a: Client) -> None:
    sign_in(client_a, "admin@northmoor.example", PASSWORD)
    session = client_a.session
    session[LAST_SEEN_AT] = time.time() - 29 * 60
    session.save()

    assert client_a.get("/").status_code == 200
    assert client_a.session[LAST_SEEN_AT] > time.time() - 5


@pytest.mark.parametrize(
    ("origin", "status"),
    [("https://southbay.localhost", 302), ("https://northmoor.localhost", 403)],
)
def test_a_form_posted_from_another_councils_site_is_refused(
    tenant_b, origin: str, status: int
) -> None:
    client = Client(HTTP_HOST=tenant_b.host, enforce_csrf_checks=True)
    page = client.get("/account/sign-in/", secure=True)
    token = page.context["csrf_token"]

    response = client.post(
        "/account/sign-in/",
        {"email": "admin@southbay.example", "password": PASSWORD, "csrfmiddlewaretoken": token},
        secure=True,
        HTTP_ORIGIN=origin,
    )

    assert response.status_code == status


def test_an_idle_session_no_longer_works_for_the_api(client_a: Client) -> None:
    sign_in(client_a, "admin@northmoor.example", PASSWORD)
    assert client_a.get("/api/me/").status_code == 200
    session = client_a.session
    session[LAST_SEEN_AT] = time.time() - 31 * 60
    session.save()

    response = client_a.get("/api/me/")

    assert response.status_code == 401
    assert response.json()["type"] == "not_authenticated"
