"""The second factor for the platform's operators: an authenticator app set up on the
first sign-in and its code asked for at every sign-in; nothing else is reachable until
it is given; a code works once; other users are not asked."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.mfa import current_step, totp_code
from accounts.models import TotpDevice
from core.models import AuditEntry
from epurse.db import use_public_schema
from tests.catalogue import factories as f
from tests.conftest import PASSWORD, host_client
from tests.purse import plan_builders as b

pytestmark = pytest.mark.django_db

RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # "12345678901234567890", RFC 6238's key


def test_codes_match_the_rfc_6238_test_vectors():
    # RFC 6238 appendix B, SHA-1: 94287082 at 59 s, 07081804 at 1111111109 s (8 digits;
    # apps show the last 6).
    assert totp_code(RFC_SECRET, current_step(59)) == "287082"
    assert totp_code(RFC_SECRET, current_step(1111111109)) == "081804"


def _signed_in_operator() -> tuple[Client, Any]:
    use_public_schema()
    operator = f.operator()
    client = Client(HTTP_HOST="localhost")
    response = client.post(
        "/account/sign-in/?next=/providers/vetting/",
        {"email": operator.email, "password": PASSWORD, "next": "/providers/vetting/"},
    )
    assert response.status_code == 302
    return client, operator


def test_an_operator_sets_up_an_app_and_reaches_nothing_before_the_code():
    client, operator = _signed_in_operator()

    # Every page and API call leads to the code page until the code is given.
    assert client.get("/").status_code == 302
    assert client.get("/")["Location"] == "/account/two-factor/?next=/"
    api = client.get("/api/me/")
    assert api.status_code == 403
    assert api.json()["type"] == "mfa_required"
    setup = client.get("/account/two-factor/?next=/providers/vetting/").content.decode()
    assert "Set up your authenticator app" in setup
    secret = TotpDevice.objects.get(user=operator).secret
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in setup

    wrong = client.post("/account/two-factor/", {"code": "000000", "next": "/providers/vetting/"})
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    assert client.get("/").status_code == 302

    code = totp_code(secret, current_step())
    done = client.post("/account/two-factor/", {"code": code, "next": "/providers/vetting/"})
    assert done["Location"] == "/providers/vetting/"
    assert client.get("/providers/vetting/").status_code == 200
    assert client.get("/api/me/").status_code == 200
    device = TotpDevice.objects.get(user=operator)
    assert device.confirmed_at is not None
    assert AuditEntry.objects.filter(action="auth.mfa_failed").count() == 1
    assert AuditEntry.objects.filter(action="auth.mfa_verified").count() == 1

    # A new sign-in asks again, and the code just used is not accepted twice.
    again, _ = _signed_in_operator()
    page = again.get("/account/two-factor/").content.decode()
    assert "Enter your code" in page
    assert "Set up your authenticator app" not in page
    reused = again.post("/account/two-factor/", {"code": code})
    assert "That code has been used already" in reused.content.decode()
    assert again.get("/").status_code == 302


def test_council_staff_and_budget_holders_are_not_asked(tenant_a):
    with tenant_context(tenant_a.tenant):
        manager = b.staff("Carol NoCode")
        manager.set_password(PASSWORD)
        manager.save()
    client = host_client(tenant_a.host)
    client.post("/account/sign-in/", {"email": manager.email, "password": PASSWORD})
    assert client.get("/workspace/").status_code == 200
    with tenant_context(tenant_a.tenant):
        assert not TotpDevice.objects.exists()
