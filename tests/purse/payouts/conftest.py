"""Payout fixtures: a local PayPal-protocol server the settings point at, and money
owed to providers in tenant_a (care captured into their payables)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from catalogue.models import PayoutDetails, Provider
from epurse.db import use_public_schema
from purse.ledger.models import Account
from purse.ledger.services import (
    Leg,
    hold_capture,
    hold_place,
    payable_open,
    purse_open,
    shared_account,
    transfer,
)
from tenants.models import Tenant
from tests.catalogue.factories import provider_registered
from tests.purse import plan_builders as b

from .paypal_server import CLIENT_ID, CLIENT_SECRET, WEBHOOK_ID, PayPalServer, serve


@pytest.fixture
def paypal() -> Iterator[PayPalServer]:
    server = PayPalServer()
    http = serve(server)
    with override_settings(
        PAYPAL_API_URL=server.url,
        PAYPAL_CLIENT_ID=CLIENT_ID,
        PAYPAL_CLIENT_SECRET=CLIENT_SECRET,
        PAYPAL_WEBHOOK_ID=WEBHOOK_ID,
        PAYPAL_TIMEOUT_SECONDS=1.0,
    ):
        yield server
    http.shutdown()
    http.server_close()


def gateway_use(tenant: Any, name: str) -> None:
    Tenant.objects.filter(pk=tenant.pk).update(payout_gateway=name)


def provider_paid_by(
    *, email: str = "", bank: tuple[str, str, str] | None = None, name: str | None = None
) -> Provider:
    """A provider in the public registry with its payment details (call in any schema)."""
    provider, _ = provider_registered(name)
    name_, sort_code, number = bank or ("", "", "")
    PayoutDetails.objects.create(
        provider=provider,
        paypal_email=email,
        bank_account_name=name_,
        bank_sort_code=sort_code,
        bank_account_number=number,
    )
    return provider


def owe(provider: Provider, pence: int) -> Account:
    """In the current tenant: a person's care from `provider`, held and captured, so
    the council owes the provider `pence`."""
    purse = purse_open(person=b.person())
    transfer(kind="one_off", legs=[Leg(shared_account(Account.Kind.FUNDING), purse, pence)])
    payable = payable_open(provider_id=provider.pk)
    hold = hold_place(purse=purse, payable=payable, amount_pence=pence)
    hold_capture(hold=hold, amount_pence=pence)
    return payable


def balance(code_or_account: Any) -> int:
    account = (
        Account.objects.get(code=code_or_account)
        if isinstance(code_or_account, str)
        else Account.objects.get(pk=code_or_account.pk)
    )
    return account.credits_posted - account.debits_posted


__all__ = ["balance", "gateway_use", "owe", "provider_paid_by", "use_public_schema"]
