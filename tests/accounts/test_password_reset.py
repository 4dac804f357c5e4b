"""Forgotten passwords: a link by email, the same answer for unknown addresses."""

from __future__ import annotations

import re

from django.core import mail
from django_tenants.utils import tenant_context

from accounts.models import User
from tests.conftest import PASSWORD, host_client

NEW_PASSWORD = "a brand new memorable phrase"


def test_a_reset_link_is_emailed_and_sets_a_new_password(
    tenant_a, django_capture_on_commit_callbacks
) -> None:
    client = host_client(tenant_a.host)

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/account/reset-password/", {"email": "PERSON@northmoor.example"})

    assert sent.status_code == 200
    assert "Check your email" in sent.content.decode()
    [email] = mail.outbox
    assert email.to == ["person@northmoor.example"]
    link = re.search(r"https?://[^/\s]+(/account/set-password/\S+/)", str(email.body))
    assert link is not None
    form_url = client.get(link.group(1))["Location"]
    changed = client.post(form_url, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert changed.status_code == 302
    with tenant_context(tenant_a.tenant):
        user = User.objects.get(email="person@northmoor.example")
        assert user.check_password(NEW_PASSWORD)
        assert not user.check_password(PASSWORD)
    assert client.get(link.group(1)).status_code == 404  # the link works once


def test_an_unknown_address_gets_the_same_answer_and_no_email(
    tenant_a, django_capture_on_commit_callbacks
) -> None:
    client = host_client(tenant_a.host)

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/account/reset-password/", {"email": "nobody@northmoor.example"})
        other = client.post("/account/reset-password/", {"email": "person@elsewhere.example"})

    assert sent.status_code == 200
    assert "Check your email" in sent.content.decode()
    assert other.status_code == 200
    assert mail.outbox == []


def test_an_address_of_another_council_gets_no_email(
    tenant_a, tenant_b, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        host_client(tenant_b.host).post(
            "/account/reset-password/", {"email": "person@northmoor.example"}
        )

    assert mail.outbox == []


def test_a_badly_typed_address_is_said_in_the_error_summary(tenant_a) -> None:
    response = host_client(tenant_a.host).post("/account/reset-password/", {"email": "nope"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter an email address in the correct format, like name@example.com" in page
