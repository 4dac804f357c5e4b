"""Each council's own approvals of the shared registry."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from catalogue.council.models import ProviderApproval, ServiceApproval
from catalogue.council.services import provider_approval_set, service_approval_set
from core.errors import DomainError, ValidationFailed
from core.models import AuditEntry
from epurse.db import use_public_schema

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def vetted():
    provider, owner = f.provider_registered()
    f.provider_vetted(provider, owner)
    place = f.location_made(provider, owner)
    return provider, f.service_made(provider, owner, location=place)


def test_approval_is_kept_in_the_councils_own_schema(vetted, tenant_a, tenant_b):
    provider, service = vetted
    with tenant_context(tenant_a.tenant):
        provider_approval_set(provider=provider, status="approved", by=tenant_a.admin)
        service_approval_set(
            service=service, status="approved", by=tenant_a.admin, agreed_price_pence=1700
        )
        assert ServiceApproval.objects.get().agreed_price_pence == 1700
        assert AuditEntry.objects.filter(action="service.approved_locally").count() == 1
    with tenant_context(tenant_b.tenant):
        assert not ProviderApproval.objects.exists()
        assert not ServiceApproval.objects.exists()
        assert not AuditEntry.objects.filter(action="service.approved_locally").exists()


def test_only_platform_approved_providers_can_be_approved(tenant_a):
    provider, _ = f.provider_registered("Pending Care Ltd")
    with tenant_context(tenant_a.tenant), pytest.raises(DomainError) as caught:
        provider_approval_set(provider=provider, status="approved", by=tenant_a.admin)
    assert caught.value.detail == (
        "Pending Care Ltd has not been approved by the platform yet (it is applied), "
        "so it cannot be approved here"
    )


def test_services_need_the_provider_approved_first(vetted, tenant_a):
    _, service = vetted
    with tenant_context(tenant_a.tenant):
        with pytest.raises(DomainError, match="Approve the provider before approving its services"):
            service_approval_set(service=service, status="approved", by=tenant_a.admin)
        assert not ServiceApproval.objects.exists()


@pytest.mark.parametrize("price", [0, -100, True, "12"])
def test_agreed_price_must_be_positive_pence(vetted, tenant_a, price):
    provider, service = vetted
    with tenant_context(tenant_a.tenant):
        provider_approval_set(provider=provider, status="approved", by=tenant_a.admin)
        with pytest.raises(ValidationFailed, match="The agreed price must be more than £0"):
            service_approval_set(
                service=service, status="approved", by=tenant_a.admin, agreed_price_pence=price
            )


def test_suspension_needs_a_reason(vetted, tenant_a):
    provider, _ = vetted
    with tenant_context(tenant_a.tenant):
        with pytest.raises(ValidationFailed, match="Give a reason for the suspension"):
            provider_approval_set(provider=provider, status="suspended", by=tenant_a.admin)
        approval = provider_approval_set(
            provider=provider, status="suspended", by=tenant_a.admin, reason="Safeguarding concern"
        )
        assert (approval.status, approval.reason) == ("suspended", "Safeguarding concern")


def test_approvals_cannot_be_made_on_the_platform_host(vetted):
    provider, _ = vetted
    use_public_schema()
    with pytest.raises(DomainError, match="on the council's own site"):
        provider_approval_set(provider=provider, status="approved", by=f.operator())
