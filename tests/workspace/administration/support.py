"""What the administration page tests share: a council's things to look at (a user,
a rules draft, a vetted provider with a service, a CQC alert, a review) and clients."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from catalogue.council.models import RatingAlert, Review
from catalogue.models import Provider, Service
from epurse.db import use_public_schema
from tenants.rules.models import RulesVersion
from tenants.rules.services import rules_version_create
from tests.catalogue.factories import provider_with_place, service_made
from tests.conftest import TenantUsers, signed_in_client
from tests.purse import plan_builders as b

BASE = "/workspace/administration"


@dataclass(frozen=True)
class Council:
    """One council's administrator and the things its pages show."""

    users: TenantUsers
    admin: User
    staff: User  # invited, has not set a password
    draft: RulesVersion
    provider: Provider
    service: Service
    alert: RatingAlert
    review: Review


def admin_client(users: TenantUsers) -> Client:
    client = signed_in_client(users, users.admin)
    use_public_schema()
    return client


def role_client(users: TenantUsers, role: str) -> tuple[User, Client]:
    with tenant_context(users.tenant):
        user = b.staff(f"Pat {role.replace('_', ' ').title()}", role)
    client = signed_in_client(users, user)
    use_public_schema()
    return user, client


def draft_made(users: TenantUsers, *, days_ahead: int = 30) -> RulesVersion:
    with tenant_context(users.tenant):
        return rules_version_create(
            based_on=RulesVersion.objects.get(number=1),
            effective_from=timezone.localdate() + dt.timedelta(days=days_ahead),
            by=users.admin,  # type: ignore[arg-type]
        )


def provider_listed(name: str = "Willow Home Care Ltd") -> tuple[Provider, Service]:
    """A provider the platform vetted and approved, with one published service."""
    provider, owner, place = provider_with_place(name, details={"cqc_provider_id": "1-555000111"})
    service = service_made(provider, owner, location=place, name="Help at home", prices=(1800,))
    use_public_schema()
    return provider, service


def council_made(users: TenantUsers) -> Council:
    provider, service = provider_listed()
    draft = draft_made(users)
    with tenant_context(users.tenant):
        staff = b.staff("Sam Invited", "care_manager")
        alert = RatingAlert.objects.create(
            provider=provider,
            cqc_location_id="1-000000777",
            previous="Good",
            current="Requires improvement",
            report_date=dt.date(2026, 11, 2),
        )
        review = Review.objects.create(
            service=service,
            author=cast(User, users.person),
            rating=2,
            comment="Late twice this month",
        )
    use_public_schema()
    return Council(
        users=users,
        admin=users.admin,  # type: ignore[arg-type]
        staff=staff,
        draft=draft,
        provider=provider,
        service=service,
        alert=alert,
        review=review,
    )


def in_schema(users: TenantUsers, work: Any) -> Any:
    """`work()` run in the council's schema."""
    with tenant_context(users.tenant):
        return work()
