"""Ledger fixtures: inside tenant_a's schema, a person's purse, a provider's payable
and the council's funding account."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context

from purse.ledger.models import Account
from purse.ledger.selectors import balances_cached, balances_from_entries
from purse.ledger.services import Leg, payable_open, purse_open, shared_account, transfer
from tests.conftest import TenantUsers
from tests.purse import plan_builders as b


@pytest.fixture
def council(tenant_a: TenantUsers) -> Iterator[TenantUsers]:
    with tenant_context(tenant_a.tenant):
        yield tenant_a


@pytest.fixture
def purse(council: TenantUsers) -> Account:
    return purse_open(person=b.person())


@pytest.fixture
def payable(council: TenantUsers) -> Account:
    return payable_open(provider_id=uuid.uuid4())


@pytest.fixture
def funding(council: TenantUsers) -> Account:
    return shared_account(Account.Kind.FUNDING)


def fund(purse: Account, funding: Account, amount: int) -> None:
    transfer(kind="topup", legs=[Leg(funding, purse, amount)])


def fresh(account: Account) -> Account:
    account.refresh_from_db()
    return account


def assert_books_balance() -> None:
    """Cached balances are what the entries add up to, and the books balance."""
    recomputed = balances_from_entries()
    assert balances_cached() == {
        pk: value for pk, value in recomputed.items() if value != type(value)()
    }
    assert sum(b.debits_posted for b in recomputed.values()) == sum(
        b.credits_posted for b in recomputed.values()
    )
    assert sum(b.debits_pending for b in recomputed.values()) == sum(
        b.credits_pending for b in recomputed.values()
    )
