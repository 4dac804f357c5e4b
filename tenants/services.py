"""Writes for tenants: onboarding a council or NHS body, and the platform's own tenant."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import schema_exists, tenant_context

from accounts.models import User
from accounts.services import user_create, user_invite
from core.errors import ValidationFailed
from core.services import SYSTEM, Origin, audit_record
from epurse.db import PUBLIC_SCHEMA

from .models import Domain, Tenant
from .rules.defaults import rules_defaults_ensure
from .schemas import schema_clone_from_template, template_lock, template_schema_ensure_locked
from .selectors import tenant_base_url

if TYPE_CHECKING:
    from billing.models import Plan

SLUG_PATTERN = re.compile(r"^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){2,39}$")
SLUG_RULES = (
    "3 to 40 characters: lower-case letters, digits and single hyphens, "
    "starting with a letter and not ending with a hyphen"
)
# Host names and schema names we keep for the platform itself.
RESERVED_SLUGS = frozenset(
    {
        "public",
        "www",
        "admin",
        "api",
        "app",
        "assets",
        "static",
        "media",
        "mail",
        "email",
        "smtp",
        "imap",
        "ftp",
        "platform",
        "operator",
        "console",
        "status",
        "health",
        "help",
        "support",
        "docs",
        "epurse",
        "template",
        "tenant",
        "tenants",
        "information-schema",
        "localhost",
        "test",
        "staging",
        "production",
    }
)
ADMIN_ROLE = "council_admin"


@dataclass(frozen=True)
class Onboarded:
    tenant: Tenant
    admin: User
    invitation_link: str  # empty when the administrator was given a password


def tenant_slug_errors(slug: str) -> list[str]:
    if not SLUG_PATTERN.match(slug):
        return [f"The slug {slug!r} is not allowed: use {SLUG_RULES}."]
    if slug in RESERVED_SLUGS:
        return [f"The slug {slug!r} is reserved for the platform. Choose another."]
    return []


def tenant_create(
    *,
    name: str,
    slug: str,
    kind: str,
    admin_email: str,
    admin_name: str = "",
    admin_password: str | None = None,
    status: str = Tenant.Status.TRIAL,
    origin: Origin = SYSTEM,
    plan: Plan | None = None,
) -> Onboarded:
    """Onboard a council or NHS body: its schema (cloned from the template), its host
    name <slug>.<PLATFORM_DOMAIN>, and a first administrator who is emailed a link to
    set their password (unless `admin_password` is given, as for demo data).
    With a `plan`, its licence too: a trial on that plan version.
    All or nothing: on any error nothing is left behind."""
    name = " ".join(name.split())
    slug = slug.strip().lower()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Enter the organisation's name, like Kingsmere Borough Council"]
    if slug_errors := tenant_slug_errors(slug):
        errors["slug"] = slug_errors
    if kind not in (Tenant.Kind.COUNCIL, Tenant.Kind.NHS):
        errors["kind"] = [f"The kind must be council or nhs, not {kind!r}"]
    if status not in (Tenant.Status.TRIAL, Tenant.Status.ACTIVE):
        errors["status"] = ["A new tenant starts as trial or active"]
    try:
        validate_email(admin_email.strip())
    except ValidationError:
        errors["admin_email"] = [
            f"{admin_email!r} is not an email address in the correct format, like name@example.com"
        ]
    if "slug" not in errors and Tenant.objects.filter(schema_name__iexact=slug).exists():
        errors["slug"] = [f"There is already a tenant with the slug {slug!r}. Choose another."]
    elif "slug" not in errors and schema_exists(slug):
        errors["slug"] = [
            f"The database already has a schema called {slug!r} that belongs to no tenant "
            "(left by an earlier attempt or a restore). Choose another slug, or have an "
            "operator check and drop that schema."
        ]
    if name and Tenant.objects.filter(name__iexact=name).exists():
        errors["name"] = [f"There is already a tenant called {name!r}."]
    if errors:
        raise ValidationFailed("The tenant was not created.", field_errors=errors)

    try:
        with template_lock():
            # Outside the transaction: migrations commit as they go.
            template_schema_ensure_locked()
            return _onboard(
                name=name,
                slug=slug,
                kind=kind,
                status=status,
                admin_email=admin_email,
                admin_name=admin_name,
                admin_password=admin_password,
                origin=origin,
                plan=plan,
            )
    except IntegrityError:
        # Another onboarding took the slug or name between our checks and the insert.
        raise ValidationFailed(
            "The tenant was not created.",
            field_errors={"slug": [f"There is already a tenant with the slug {slug!r}."]},
        ) from None


@transaction.atomic
def _onboard(
    *,
    name: str,
    slug: str,
    kind: str,
    status: str,
    admin_email: str,
    admin_name: str,
    admin_password: str | None,
    origin: Origin,
    plan: Plan | None = None,
) -> Onboarded:
    tenant = Tenant(name=name, schema_name=slug, kind=kind, status=status)
    tenant.save()
    if plan is not None:
        from billing.services import licence_create

        licence_create(tenant=tenant, plan=plan, status="trial", origin=origin)
    Domain.objects.create(tenant=tenant, domain=f"{slug}.{settings.PLATFORM_DOMAIN}")
    schema_clone_from_template(target=slug)
    audit_record(
        action="tenant.created",
        obj=tenant,
        object_id=slug,
        origin=origin,
        detail={"name": name, "kind": kind, "status": status},
    )
    with tenant_context(tenant):
        admin = user_create(
            email=admin_email,
            full_name=admin_name or "Administrator",
            role_codes=[ADMIN_ROLE],
            password=admin_password,
            origin=origin,
        )
        # The kind's default budget rules, so the tenant can assess people on day one.
        rules_defaults_ensure(kind=kind, effective_from=timezone.localdate())
        link = (
            ""
            if admin_password
            else user_invite(user=admin, organisation=name, base_url=tenant_base_url(tenant))
        )
    return Onboarded(tenant=tenant, admin=admin, invitation_link=link)


def public_tenant_ensure() -> Tenant:
    """The platform's own tenant (public schema) and its host, PLATFORM_DOMAIN."""
    with transaction.atomic():
        tenant, _ = Tenant.objects.get_or_create(
            schema_name=PUBLIC_SCHEMA,
            defaults={
                "name": "ePurse platform",
                "kind": Tenant.Kind.PLATFORM,
                "status": Tenant.Status.ACTIVE,
            },
        )
        Domain.objects.update_or_create(
            tenant=tenant, is_primary=True, defaults={"domain": settings.PLATFORM_DOMAIN}
        )
    return tenant
