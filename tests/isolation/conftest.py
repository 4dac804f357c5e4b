from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django_tenants.utils import tenant_context

from accounts.models import Role
from accounts.services import user_create
from tests.conftest import TenantUsers, signed_in_client
from tests.isolation.harness import Tenant, probe


@pytest.fixture
def run_probe(tenant_a: TenantUsers, tenant_b: TenantUsers) -> Any:
    """Probe A's API against B, as a user of A holding every permission there is."""

    def run() -> Any:
        with tenant_context(tenant_a.tenant):
            every = sorted(
                {
                    code
                    for codes in Role.objects.values_list("permissions", flat=True)
                    for code in codes
                }
            )
            Role.objects.create(
                code="isolation_probe", name="Isolation probe", scope="tenant", permissions=every
            )
            user = user_create(
                email="probe@northmoor.example", full_name="Probe", role_codes=["isolation_probe"]
            )
        session_key = signed_in_client(tenant_a, user).cookies[settings.SESSION_COOKIE_NAME].value
        return probe(
            a=Tenant(tenant_a.slug, tenant_a.host),
            b=Tenant(tenant_b.slug, tenant_b.host),
            platform_host="localhost",
            probe_user=user,
            session_key=session_key,
        )

    return run
