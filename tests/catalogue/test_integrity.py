"""What councils approved stays what residents see: vetting, ratings and approvals
cannot drift behind the platform's and councils' backs."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from catalogue.council.services import provider_approval_set, service_approval_set
from catalogue.models import Provider, Service
from catalogue.selectors import service_cards, service_search
from catalogue.services.listings import PriceInput, service_save, service_status_set
from catalogue.services.providers import provider_status_change, provider_update
from core.errors import DomainError, ValidationFailed

from . import factories as f

pytestmark = pytest.mark.django_db


def _visible_in(tenant_users) -> list[str]:
    with tenant_context(tenant_users.tenant):
        return [s.name for s in service_search()]


def _approved_in_a(tenant_a, *, cqc_provider_id: str = "", **service_fields):
    provider, owner = f.provider_registered(cqc_provider_id=cqc_provider_id)
    f.provider_vetted(provider, owner)
    place = f.location_made(provider, owner)
    service = f.service_made(provider, owner, location=place, **service_fields)
    with tenant_context(tenant_a.tenant):
        provider_approval_set(provider=provider, status="approved", by=tenant_a.admin)
        service_approval_set(service=service, status="approved", by=tenant_a.admin)
    return provider, owner, place, service


def test_a_stale_edit_does_not_undo_a_suspension(tenant_a):
    provider, owner, _, service = _approved_in_a(tenant_a)
    stale_provider = Provider.objects.get(pk=provider.pk)
    stale_service = Service.objects.get(pk=service.pk)
    # Given the operator suspends the provider and it withdraws the service meanwhile
    provider_status_change(
        provider=provider, status="suspended", reason="Complaint", by=f.operator()
    )
    service_status_set(service=service, status="withdrawn", by=owner)
    # When edits made from the old copies are saved
    provider_update(provider=stale_provider, by=owner, phone="0115 000 0000")
    service_save(provider=stale_provider, by=owner, service=stale_service, summary="New words")
    # Then the suspension and the withdrawal stand
    provider.refresh_from_db()
    service.refresh_from_db()
    assert (provider.status, provider.status_reason, provider.phone) == (
        "suspended",
        "Complaint",
        "0115 000 0000",
    )
    assert (service.status, service.summary) == ("withdrawn", "New words")
    assert _visible_in(tenant_a) == []


def test_changing_legal_details_sends_the_provider_back_to_review(tenant_a):
    provider, owner, _, _ = _approved_in_a(tenant_a)
    provider_update(provider=provider, by=owner, phone="0115 111 1111")
    assert Provider.objects.get(pk=provider.pk).status == "approved"  # contact details: fine
    provider_update(provider=provider, by=owner, legal_name="Someone Else Ltd")
    provider.refresh_from_db()
    assert provider.status == "under_review"
    assert "legal details changed" in provider.status_reason
    assert _visible_in(tenant_a) == []


def test_regulated_care_needs_an_accepted_cqc_registration(tenant_a):
    provider, owner = f.provider_registered()
    f.provider_vetted(provider, owner, cqc=False)  # a gym, say: approved without one
    place = f.location_made(provider, owner)
    gym = f.service_made(provider, owner, location=place, category="health-fitness")
    draft = f.service_made(provider, owner, location=place, category="home-care", publish=False)
    with pytest.raises(DomainError, match="Home care is care that CQC regulates"):
        service_status_set(service=draft, status="published", by=owner)
    with pytest.raises(DomainError, match="care that CQC regulates"):
        service_save(provider=provider, by=owner, service=gym, category="home-care")
    assert Service.objects.get(pk=gym.pk).category.code == "health-fitness"


def test_changed_terms_need_the_council_to_approve_again(tenant_a):
    provider, owner, _, service = _approved_in_a(tenant_a, name="Help at home", prices=(1800,))
    service_save(provider=provider, by=owner, service=service, summary="Kinder words")
    assert _visible_in(tenant_a) == ["Help at home"]  # wording only: still approved
    service_save(provider=provider, by=owner, service=service, prices=[PriceInput(9000, "week")])
    assert _visible_in(tenant_a) == []  # the council agreed to other prices
    with tenant_context(tenant_a.tenant):
        service_approval_set(service=service, status="approved", by=tenant_a.admin)
    assert _visible_in(tenant_a) == ["Help at home"]


def test_a_place_cannot_claim_another_providers_cqc_rating(tenant_a):
    f.cqc_rated("1-555000001", "Someone else's home", "Outstanding", provider_id="1-900000001")
    provider, owner = f.provider_registered(cqc_provider_id="1-100000009")
    with pytest.raises(ValidationFailed) as caught:
        f.location_made(provider, owner, cqc_location_id="1-555000001")
    assert caught.value.field_errors == {
        "cqc_location_id": [
            "CQC lists 1-555000001 under another provider, not under your CQC provider ID "
            "1-100000009. Check the location ID on your CQC registration"
        ]
    }


def test_a_rating_is_shown_only_when_cqc_lists_the_place_as_the_providers(tenant_a):
    # Given a place that named a CQC location before CQC's data arrived
    _, _, place, _ = _approved_in_a(tenant_a, cqc_provider_id="1-100000008")
    place.cqc_id = "1-555000002"
    place.save()
    # When CQC's data says it belongs to someone else
    f.cqc_rated("1-555000002", "Elsewhere", "Outstanding", provider_id="1-900000002")
    with tenant_context(tenant_a.tenant):
        found = list(service_search())
        assert service_cards(services=found)[0].cqc is None
        assert list(service_search(min_rating="outstanding")) == []
    # And when it is the provider's own, it shows
    f.cqc_rated("1-555000003", "Ours", "Good", provider_id="1-100000008")
    place.cqc_id = "1-555000003"
    place.save()
    with tenant_context(tenant_a.tenant):
        found = list(service_search(min_rating="good"))
        assert service_cards(services=found)[0].cqc.overall == "Good"  # type: ignore[union-attr]
