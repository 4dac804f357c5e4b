"""Demo data for `make run`: three tenants with their users and people (purse.demo), one
platform operator, and the demo catalogue of providers (catalogue.demo). Safe to re-run:
what exists is kept as it is."""

from __future__ import annotations

from dataclasses import dataclass

from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.services import user_create
from catalogue.demo import catalogue_demo_seed
from purse.demo import purse_demo_seed
from tenants.branding.demo import branding_demo_seed
from tenants.models import Tenant
from tenants.selectors import tenant_base_url
from tenants.services import public_tenant_ensure, tenant_create

DEFAULT_DEMO_PASSWORD = "ePurse-demo-2026"  # noqa: S105 - demo data only, in README

DEMO_TENANTS = [
    ("Kingsmere Borough Council", "kingsmere", Tenant.Kind.COUNCIL),
    ("Ashdown District Council", "ashdown", Tenant.Kind.COUNCIL),
    ("Riverside NHS", "riverside", Tenant.Kind.NHS),
]
# (mailbox, full name, role) in every demo tenant, at <mailbox>@<slug>.example
DEMO_USERS = [
    ("admin", "Alex Morgan", "council_admin"),
    ("manager", "Priya Shah", "care_manager"),
    # A second care manager: budgets well above the indicative one need two approvers.
    ("lead", "Ruth Adeyemi", "care_manager"),
    ("finance", "Tom Okafor", "finance_officer"),
    ("person", "Margaret Wilson", "budget_holder"),
    ("carer", "David Wilson", "representative"),
    ("worker", "Sam Carter", "support_worker"),
    ("commissioner", "Lena Fischer", "commissioner"),
]
DEMO_OPERATOR = ("operator@platform.example", "Jo Bennett", "platform_operator")


@dataclass(frozen=True)
class DemoSite:
    name: str
    url: str
    logins: list[str]


def demo_seed(*, password: str) -> list[DemoSite]:
    sites = []
    for name, slug, kind in DEMO_TENANTS:
        tenant = Tenant.objects.filter(schema_name=slug).first()
        admin_mailbox, admin_name, _ = DEMO_USERS[0]
        if tenant is None:
            tenant = tenant_create(
                name=name,
                slug=slug,
                kind=kind,
                admin_email=f"{admin_mailbox}@{slug}.example",
                admin_name=admin_name,
                admin_password=password,
                status=Tenant.Status.ACTIVE,
            ).tenant
        with tenant_context(tenant):
            users = [
                _user_ensure(f"{mailbox}@{slug}.example", full_name, role, password)
                for mailbox, full_name, role in DEMO_USERS
            ]
            purse_demo_seed(slug=slug, by=users[1])  # recorded by the care manager
            branding_demo_seed(slug=slug, organisation=name, by=users[0])
        sites.append(
            DemoSite(
                name=name,
                url=tenant_base_url(tenant),
                logins=[f"{mailbox}@{slug}.example ({role})" for mailbox, _, role in DEMO_USERS],
            )
        )
    public = public_tenant_ensure()
    email, full_name, role = DEMO_OPERATOR
    with tenant_context(public):
        operator = _user_ensure(email, full_name, role, password)
        catalogue = catalogue_demo_seed(password=password, operator=operator)
    sites.append(
        DemoSite(
            name="Platform",
            url=tenant_base_url(public),
            logins=[email, *catalogue.provider_logins],
        )
    )
    return sites


def _user_ensure(email: str, full_name: str, role: str, password: str) -> User:
    existing = User.objects.filter(email=email).first()
    return existing or user_create(
        email=email, full_name=full_name, role_codes=[role], password=password
    )
