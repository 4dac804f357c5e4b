"""Fixtures for budget rules: work inside tenant_a's schema, with its default rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import pytest
from django_tenants.utils import tenant_context

from accounts.models import User
from tenants.rules.models import RulesVersion
from tests.conftest import TenantUsers


@pytest.fixture
def in_a(tenant_a: TenantUsers) -> Iterator[TenantUsers]:
    with tenant_context(tenant_a.tenant):
        yield tenant_a


@pytest.fixture
def v1(in_a: TenantUsers) -> RulesVersion:
    """The council defaults every tenant is onboarded with."""
    return RulesVersion.objects.get(number=1)


@pytest.fixture
def admin(in_a: TenantUsers) -> User:
    """tenant_a's administrator, who looks after its budget rules."""
    return cast(User, in_a.admin)
