"""The audit log is append-only in every schema: the database itself refuses changes."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory
from django_tenants.utils import schema_context

from core.models import AuditEntry
from core.services import Origin, audit_record


@pytest.mark.parametrize("schema", ["public", "northmoor", "tenant_template"])
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE core_auditentry SET action = 'rewritten'",
        "DELETE FROM core_auditentry",
        "TRUNCATE core_auditentry",
    ],
)
def test_database_refuses_to_change_audit_entries(tenant_a, schema: str, statement: str) -> None:
    with schema_context(schema):
        audit_record(action="test.recorded")
        with (
            pytest.raises(IntegrityError, match="core_auditentry is append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
        assert AuditEntry.objects.filter(action="test.recorded").count() == 1


def test_the_orm_cannot_change_them_either(tenant_a) -> None:
    with schema_context(tenant_a.slug):
        entry = audit_record(action="test.recorded")
        entry.action = "rewritten"
        with pytest.raises(IntegrityError), transaction.atomic():
            entry.save()
        with pytest.raises(IntegrityError), transaction.atomic():
            entry.delete()


def test_entries_record_who_what_when_where(tenant_a) -> None:
    with schema_context(tenant_a.slug):
        entry = audit_record(
            action="user.viewed",
            actor=tenant_a.admin,
            obj=tenant_a.person,
            origin=Origin(ip_address="192.0.2.1", user_agent="Firefox"),
            detail={"why": "review"},
        )
        entry.refresh_from_db()

    assert entry.actor_id == tenant_a.admin.public_id
    assert entry.actor_label == "admin@northmoor.example"
    assert (entry.object_type, entry.object_id) == ("accounts.user", str(tenant_a.person.public_id))
    assert entry.ip_address == "192.0.2.1"
    assert entry.user_agent == "Firefox"
    assert entry.occurred_at.tzinfo is not None
    assert entry.detail == {"why": "review"}


def test_entries_stay_in_their_own_tenant(tenant_a, tenant_b) -> None:
    with schema_context(tenant_a.slug):
        audit_record(action="only.in.a")

    with schema_context(tenant_b.slug):
        assert not AuditEntry.objects.filter(action="only.in.a").exists()
    assert not AuditEntry.objects.filter(action="only.in.a").exists()  # public


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (0, "198.51.100.1", "10.0.0.2", "10.0.0.2"),  # no proxy: the header is the client's word
        (1, "6.6.6.6, 198.51.100.1", "10.0.0.2", "198.51.100.1"),  # one proxy appended
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.9", "10.0.0.2", "198.51.100.1"),
        (1, "", "10.0.0.2", "10.0.0.2"),  # header missing: fall back to the socket
        (1, "203.0.113.5:51234", "10.0.0.2", "203.0.113.5"),  # with a port
        (1, "[2001:db8::1]:443", "10.0.0.2", "2001:db8::1"),
        (1, "2001:db8::2", "10.0.0.2", "2001:db8::2"),
        (1, "not-an-address", "10.0.0.2", "10.0.0.2"),  # junk: fall back
    ],
)
def test_the_client_address_behind_trusted_proxies(
    settings, proxies: int, forwarded: str, remote: str, expected: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)

    assert Origin.of(request).ip_address == expected


def test_a_proxy_that_appends_a_port_does_not_break_sign_in(settings, client_a) -> None:
    settings.TRUSTED_PROXY_COUNT = 1

    response = client_a.post(
        "/account/sign-in/",
        {"email": "admin@northmoor.example", "password": "wrong"},
        HTTP_X_FORWARDED_FOR="203.0.113.5:51234",
    )

    assert response.status_code == 400
    with schema_context("northmoor"):
        assert AuditEntry.objects.get(action="auth.login").ip_address == "203.0.113.5"
