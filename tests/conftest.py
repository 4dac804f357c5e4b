"""Fixtures shared by the whole suite.

The test database gets the public tenant, the template schema and two councils,
`tenant_a` and `tenant_b`, created once per session through the real onboarding
service (committed). Each test then runs inside a transaction that is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from epurse.db import use_public_schema

PASSWORD = "correct-horse-battery-staple"


@dataclass(frozen=True)
class TenantUsers:
    tenant: object
    host: str
    admin: object
    person: object

    @property
    def slug(self) -> str:
        return self.tenant.schema_name  # type: ignore[attr-defined, no-any-return]


def _onboard(slug: str, name: str) -> TenantUsers:
    from django_tenants.utils import tenant_context

    from accounts.services import user_create
    from tenants.services import tenant_create

    onboarded = tenant_create(
        name=name,
        slug=slug,
        kind="council",
        admin_email=f"admin@{slug}.example",
        admin_name=f"{name} Admin",
        admin_password=PASSWORD,
        status="active",
    )
    with tenant_context(onboarded.tenant):
        person = user_create(
            email=f"person@{slug}.example",
            full_name=f"Person of {name}",
            role_codes=["budget_holder"],
            password=PASSWORD,
        )
    use_public_schema()
    return TenantUsers(
        tenant=onboarded.tenant, host=f"{slug}.localhost", admin=onboarded.admin, person=person
    )


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker, django_db_modify_db_settings):
    # Our own, so the test database exists for every test, including those that only
    # use `committed` (pytest-django's sets it up only for tests marked for the db).
    from django.test.utils import setup_databases, teardown_databases

    from tenants.schemas import template_schema_ensure
    from tenants.services import public_tenant_ensure

    with django_db_blocker.unblock():
        db_cfg = setup_databases(verbosity=0, interactive=False, aliases={"default": {}})
        public_tenant_ensure()
        template_schema_ensure()
        tenants = {
            "a": _onboard("northmoor", "Northmoor Borough Council"),
            "b": _onboard("southbay", "Southbay District Council"),
        }
    yield tenants
    with django_db_blocker.unblock():
        use_public_schema()
        teardown_databases(db_cfg, verbosity=0)


@pytest.fixture
def tenant_a(django_db_setup, db) -> TenantUsers:
    return django_db_setup["a"]


@pytest.fixture
def tenant_b(django_db_setup, db) -> TenantUsers:
    return django_db_setup["b"]


@pytest.fixture(autouse=True)
def _public_schema_after_each_test() -> Iterator[None]:
    # Requests switch the shared connection's schema; never let it leak between tests.
    yield
    if hasattr(connection, "set_schema_to_public"):
        use_public_schema()


@pytest.fixture
def committed(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Database access without a wrapping transaction, for tests whose other processes
    (a CLI, a worker, a browser's server) must see what is written. Clean up yourself."""
    with django_db_blocker.unblock():
        yield
        use_public_schema()


def database_url() -> str:
    """A URL for the test database, for the other processes a test starts."""
    from urllib.parse import quote

    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = quote(str(db["HOST"] or ""), safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


def tenant_drop(slug: str) -> None:
    """Remove a tenant a test committed: its schema, domain and row."""
    from billing.models import Licence
    from tenants.models import Tenant

    use_public_schema()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{slug}" CASCADE')
    Licence.objects.filter(tenant__schema_name=slug).delete()
    Tenant.objects.filter(schema_name=slug).delete()


@contextmanager
def council_committed(slug: str, keeper: TenantUsers) -> Iterator[Any]:
    """A council onboarded (committed) for a test whose other processes must see what it
    writes; afterwards its schema is dropped, and the registry rows the test made are
    deleted from `keeper`'s schema (which has the council tables their deletion looks
    through, all empty for them)."""
    from django_tenants.utils import tenant_context

    from catalogue.models import Provider, Service, Upload
    from tenants.services import tenant_create

    tenant_drop(slug)
    onboarded = tenant_create(
        name=f"{slug.capitalize()} Borough Council",
        slug=slug,
        kind="council",
        admin_email=f"admin@{slug}.example",
        admin_password=PASSWORD,
    )
    providers = set(Provider.objects.values_list("pk", flat=True))
    uploads = set(Upload.objects.values_list("pk", flat=True))
    try:
        yield onboarded
    finally:
        tenant_drop(slug)
        with tenant_context(keeper.tenant):
            made = Provider.objects.exclude(pk__in=providers)
            Service.objects.filter(provider__in=made).delete()
            made.delete()
            Upload.objects.exclude(pk__in=uploads).delete()
        use_public_schema()


def host_client(host: str, **defaults: Any) -> Client:
    return Client(HTTP_HOST=host, **defaults)


def signed_in_client(tenant_users: TenantUsers, user: object, **defaults: Any) -> Client:
    """A client on the tenant's host with a session for `user` (stored in its schema)."""
    from django_tenants.utils import tenant_context

    client = Client(HTTP_HOST=tenant_users.host, **defaults)
    with tenant_context(tenant_users.tenant):
        client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def client_a(tenant_a: TenantUsers) -> Client:
    return host_client(tenant_a.host)


@pytest.fixture
def client_b(tenant_b: TenantUsers) -> Client:
    return host_client(tenant_b.host)


@pytest.fixture
def public_client(db) -> Client:
    return host_client("localhost")


def second_factor_given(client: Client) -> Client:
    """Mark the client's session as having given its authenticator code, as force_login
    stands for having given the password (tests of the code itself use the form)."""
    from accounts.mfa import VERIFIED_AT

    session = client.session
    session[VERIFIED_AT] = "given in the test"
    session.save()
    return client
