"""Surplus fixtures: inside tenant_a's schema, a care manager and a finance officer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from tests.conftest import TenantUsers
from tests.purse import plan_builders as b


@pytest.fixture
def council(tenant_a: TenantUsers) -> Iterator[TenantUsers]:
    with tenant_context(tenant_a.tenant):
        yield tenant_a


@pytest.fixture
def carol(council: TenantUsers) -> Any:
    return b.staff("Carol Manager")


@pytest.fixture
def fay(council: TenantUsers) -> Any:
    return b.staff("Fay Finance", role="finance_officer")
