"""Onboarding a tenant: all or nothing, with clear messages for bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_exists, tenant_context

from accounts.models import Role, User
from core.errors import ValidationFailed
from core.models import AuditEntry
from tenants.models import Domain, Tenant
from tenants.schemas import pending_migrations, tenant_schemas_migrate
from tenants.services import tenant_create


def create(**overrides: Any):
    fields = {
        "name": "Eastwick Borough Council",
        "slug": "eastwick",
        "kind": "council",
        "admin_email": "Chief@Eastwick.example",
        "admin_name": "Chris Chief",
    }
    return tenant_create(**{**fields, **overrides})


def tables_in(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        return {row[0] for row in cursor.fetchall()}


def test_onboarding_makes_a_working_tenant(db, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        onboarded = create()

    tenant = onboarded.tenant
    assert (tenant.name, tenant.schema_name, tenant.kind, tenant.status) == (
        "Eastwick Borough Council",
        "eastwick",
        "council",
        "trial",
    )
    assert list(Domain.objects.filter(tenant=tenant).values_list("domain", flat=True)) == [
        "eastwick.localhost"
    ]
    assert schema_exists("eastwick")
    assert tables_in("eastwick") == tables_in("tenant_template")
    with tenant_context(tenant):
        admin = User.objects.get()
        assert admin.email == "chief@eastwick.example"
        assert [role.code for role in admin.roles.all()] == ["council_admin"]
        assert not admin.has_usable_password()
        assert Role.objects.count() == 7
        assert AuditEntry.objects.filter(action="user.created").count() == 1
    assert AuditEntry.objects.filter(action="tenant.created", object_id="eastwick").count() == 1
    [invitation] = mail.outbox
    assert invitation.to == ["chief@eastwick.example"]
    assert onboarded.invitation_link in invitation.body
    assert onboarded.invitation_link.startswith(
        f"https://eastwick.localhost/account/set-password/{admin.public_id}/"
    )


def test_a_new_schema_keeps_the_audit_log_append_only(db) -> None:
    create()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'eastwick.core_auditentry'::regclass "
            "ORDER BY tgname"
        )
        triggers = [row[0] for row in cursor.fetchall()]
    assert triggers == ["core_auditentry_no_truncate", "core_auditentry_no_update_delete"]


def test_nhs_tenants_are_made_the_same_way(db) -> None:
    onboarded = create(name="Riverbank NHS Trust", slug="riverbank-nhs", kind="nhs")

    assert onboarded.tenant.kind == "nhs"
    assert schema_exists("riverbank-nhs")


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Eastwick", None),  # upper case is folded, not refused
        ("ab", "is not allowed"),
        ("east_wick", "is not allowed"),
        ("east--wick", "is not allowed"),
        ("-eastwick", "is not allowed"),
        ("eastwick-", "is not allowed"),
        ("1eastwick", "is not allowed"),
        ("a" * 41, "is not allowed"),
        ("www", "is reserved for the platform"),
        ("admin", "is reserved for the platform"),
        ("api", "is reserved for the platform"),
        ("public", "is reserved for the platform"),
    ],
)
def test_slug_rules(db, slug: str, message: str | None) -> None:
    if message is None:
        assert create(slug=slug).tenant.schema_name == "eastwick"
        return
    with pytest.raises(ValidationFailed) as error:
        create(slug=slug)

    [text] = error.value.field_errors["slug"]
    assert message in text
    assert not Tenant.objects.filter(name="Eastwick Borough Council").exists()


def test_duplicates_are_refused_with_a_reason(db, tenant_a) -> None:
    with pytest.raises(ValidationFailed) as error:
        create(slug="northmoor", name="Northmoor Borough Council")

    assert error.value.field_errors == {
        "slug": ["There is already a tenant with the slug 'northmoor'. Choose another."],
        "name": ["There is already a tenant called 'Northmoor Borough Council'."],
    }


def test_every_bad_field_is_reported_at_once(db) -> None:
    with pytest.raises(ValidationFailed) as error:
        create(name="  ", slug="x", kind="hospital", admin_email="not-an-email")

    assert set(error.value.field_errors) == {"name", "slug", "kind", "admin_email"}
    assert error.value.field_errors["kind"] == ["The kind must be council or nhs, not 'hospital'"]


def test_a_leftover_schema_is_reported_and_left_alone(db) -> None:
    # A schema of that name already exists (say, left by a failed restore).
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "eastwick"')
        cursor.execute('CREATE TABLE "eastwick".marker (id int)')

    with pytest.raises(ValidationFailed) as error:
        create()

    [message] = error.value.field_errors["slug"]
    assert "already has a schema called 'eastwick' that belongs to no tenant" in message

    assert not Tenant.objects.filter(schema_name="eastwick").exists()
    assert not Domain.objects.filter(domain="eastwick.localhost").exists()
    assert tables_in("eastwick") == {"marker"}
    assert not AuditEntry.objects.filter(action="tenant.created", object_id="eastwick").exists()


def test_deploy_migrations_skip_schemas_with_nothing_to_apply(tenant_a, tenant_b) -> None:
    # Southbay is one migration behind (its last accounts migration unapplied).
    call_command(
        "migrate_schemas",
        "accounts",
        "0002",
        schema_name="southbay",
        tenant=True,
        interactive=False,
        verbosity=0,
    )
    behind = pending_migrations("southbay")

    assert behind
    assert all(name.startswith("accounts.") for name in behind)
    assert pending_migrations("northmoor") == []
    applied = tenant_schemas_migrate()

    assert applied == {"southbay": len(behind)}
    assert pending_migrations("southbay") == []
