"""Synthetic registries for benchmarks: the sizes asked for, consistent prices, approved
where asked, repeatable, and removable without touching real data."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Min
from django.test import override_settings
from django_tenants.utils import schema_context, tenant_context

from catalogue.council.models import ProviderApproval, Review, ServiceApproval
from catalogue.council.services import provider_approval_set, service_approval_set
from catalogue.models import (
    CqcLocation,
    Location,
    Postcode,
    PriceOption,
    Provider,
    ProviderMember,
    Schedule,
    Service,
)
from catalogue.selectors import Near, service_search
from catalogue.services.providers import provider_register
from catalogue.synthetic import (
    EMAIL_DOMAIN,
    POSTCODE_DISTRICT_CODE,
    PREFIX,
    VOCABULARY,
    synthetic_postcode_near,
    synthetic_registry_delete,
    synthetic_registry_generate,
)
from epurse.db import use_public_schema
from tests.conftest import PASSWORD

from . import factories as f

pytestmark = pytest.mark.django_db


def _synthetic_services():
    return Service.objects.filter(provider__legal_name__startswith=PREFIX)


def test_generates_the_sizes_asked_for_approved_in_the_councils_named(tenant_a, tenant_b):
    result = synthetic_registry_generate(
        providers=20, services=150, seed=7, approve_in=[tenant_a.slug]
    )

    providers = Provider.objects.filter(legal_name__startswith=PREFIX)
    services = _synthetic_services()
    assert (result.providers, result.services, result.locations) == (20, 150, 20)
    assert (providers.count(), services.count()) == (20, 150)
    assert set(providers.values_list("status", flat=True)) == {"approved"}
    assert set(services.values_list("status", flat=True)) == {"published"}
    # Every provider has at least one service; every service prices and opening times
    assert all(p.services.exists() for p in providers)
    assert not services.filter(prices__isnull=True).exists()
    assert not services.filter(schedules__isnull=True).exists()
    assert PriceOption.objects.filter(service__in=services).count() == result.prices
    assert Schedule.objects.filter(service__in=services).count() == result.schedules
    # Varied enough for search to have something to choose between
    assert services.values("category").distinct().count() >= 8
    assert set(services.values_list("delivery_mode", flat=True)) <= {
        "at_home",
        "at_venue",
        "online",
    }
    assert not services.exclude(delivery_mode="online").filter(location=None).exists()
    assert not services.filter(delivery_mode="online").exclude(location=None).exists()
    # Locations are in England, at a synthetic postcode that exists
    for location in Location.objects.filter(provider__in=providers):
        assert 50.1 <= location.latitude <= 55.7
        assert -5.6 <= location.longitude <= 1.7
        postcode = Postcode.objects.get(postcode=location.postcode)
        assert postcode.district_code == POSTCODE_DISTRICT_CODE
        assert location.postcode == synthetic_postcode_near(location.latitude, location.longitude)
    # Approved in tenant A, and only there
    with tenant_context(tenant_a.tenant):
        assert ProviderApproval.objects.filter(status="approved").count() == 20
        assert ServiceApproval.objects.filter(status="approved").count() == 150
        assert result.approvals == {tenant_a.slug: 150}
        assert service_search().count() == 150
    with tenant_context(tenant_b.tenant):
        assert not ServiceApproval.objects.exists()
        assert service_search().count() == 0


def test_price_from_is_the_cheapest_price_option(db):
    synthetic_registry_generate(providers=30, services=300, seed=3)

    services = _synthetic_services().annotate(cheapest=Min("prices__amount_pence"))
    assert services.count() == 300
    for service in services.prefetch_related("prices"):
        cheapest = min((p.amount_pence, p.unit) for p in service.prices.all())
        assert (service.price_from_pence, service.price_from_unit) == cheapest
    # so searching by maximum price agrees with the price options
    under_ten_pounds = {s.pk for s in service_search(max_price_pence=1000)}
    assert under_ten_pounds == set(
        _synthetic_services().filter(prices__amount_pence__lte=1000).values_list("pk", flat=True)
    )


def test_the_same_seed_gives_the_same_registry_and_runs_add_up(db):
    synthetic_registry_generate(providers=5, services=12, seed=42)
    first = list(_synthetic_services().order_by("id").values_list("id", "name", "description"))
    synthetic_registry_delete()
    assert not _synthetic_services().exists()

    synthetic_registry_generate(providers=5, services=12, seed=42)
    assert list(_synthetic_services().order_by("id").values_list("id", "name", "description")) == (
        first
    )
    # A second run adds new providers (numbered on), with no clash
    synthetic_registry_generate(providers=5, services=12, seed=42)
    names = Provider.objects.filter(legal_name__startswith=PREFIX).values_list(
        "legal_name", flat=True
    )
    assert sorted(int(name.split()[-2]) for name in names) == list(range(1, 11))
    assert _synthetic_services().count() == 24


def test_text_search_is_selective(db):
    # Given 2,000 services whose descriptions draw words by Zipf's law
    synthetic_registry_generate(providers=50, services=2000, seed=1)

    # Then some words match most services, others only a few
    shares = sorted(service_search(text=word).count() / 2000 for word in VOCABULARY[::10])
    assert shares[-1] > 0.5
    assert shares[0] < 0.05
    assert sum(1 for share in shares if 0.05 <= share <= 0.5) >= 5


def test_delete_removes_only_synthetic_rows(tenant_a):
    # Given a real provider, approved in tenant A, with a CQC-rated location and a review
    real, owner = f.provider_registered("Real Care Ltd")
    f.provider_vetted(real, owner, cqc=True)
    place = f.location_made(real, owner, "NM1 1AA", cqc_location_id="1-000000009")
    real_service = f.service_made(real, owner, location=place, name="Real home care")
    CqcLocation.objects.create(
        location_id="1-000000009", name="Real Care", overall="Good", synced_at="2026-01-01T00:00Z"
    )
    with tenant_context(tenant_a.tenant):
        provider_approval_set(provider=real, status="approved", by=tenant_a.admin)
        service_approval_set(service=real_service, status="approved", by=tenant_a.admin)
        Review.objects.create(service=real_service, author=tenant_a.person, rating=5)
    use_public_schema()
    # and a synthetic registry approved there too, with a review of a synthetic service
    synthetic_registry_generate(providers=10, services=40, seed=5, approve_in=[tenant_a.slug])
    with tenant_context(tenant_a.tenant):
        Review.objects.create(
            service=_synthetic_services().first(), author=tenant_a.person, rating=4
        )
    use_public_schema()
    rated = Location.objects.filter(provider__legal_name__startswith=PREFIX).exclude(cqc=None)

    # When the synthetic rows are deleted
    rated_count = rated.count()
    gone = synthetic_registry_delete()

    # Then every synthetic row is gone, in the registry and the council's schema
    assert (gone.providers, gone.services, gone.council_rows) == (10, 40, 10 + 40 + 1)
    assert not Provider.objects.filter(legal_name__startswith=PREFIX).exists()
    assert not Postcode.objects.filter(district_code=POSTCODE_DISTRICT_CODE).exists()
    assert not CqcLocation.objects.filter(name__startswith=PREFIX).exists()
    assert gone.cqc_locations == rated_count
    # and the real provider, its listing, postcodes, rating and council records remain
    assert list(Service.objects.values_list("name", flat=True)) == ["Real home care"]
    assert real_service.prices.count() == 1
    assert Postcode.objects.filter(postcode="NM1 1AA").exists()
    assert list(CqcLocation.objects.values_list("location_id", flat=True)) == ["1-000000009"]
    with schema_context(tenant_a.slug):
        assert ProviderApproval.objects.get().provider_id == real.pk
        assert ServiceApproval.objects.get().service_id == real_service.pk
        assert Review.objects.get().service_id == real_service.pk
        assert [s.name for s in service_search(near=Near(52.9548, -1.1581, 5))] == [
            "Real home care"
        ]


def test_command_generates_and_deletes(tenant_a):
    out = io.StringIO()
    call_command(
        "synthetic",
        "--providers=2",
        "--services=3",
        "--seed=9",
        f"--approve-in={tenant_a.slug}",
        "--force",
        stdout=out,
    )
    assert out.getvalue().startswith("Added 2 providers, 3 services, ")
    assert out.getvalue().rstrip().endswith(f"approved in {tenant_a.slug}: 3.")
    assert _synthetic_services().count() == 3

    out = io.StringIO()
    call_command("synthetic", "--delete", "--force", stdout=out)
    assert out.getvalue().startswith("Deleted 2 synthetic providers, 3 services, 5 council records")
    assert not _synthetic_services().exists()


@override_settings(DEBUG=False)
def test_command_refuses_live_sites_and_unknown_councils(tenant_a):
    with pytest.raises(CommandError, match="Synthetic providers would be offered to residents"):
        call_command("synthetic", "--providers=1", "--services=1")
    with pytest.raises(CommandError, match="There is no council called 'nowhere'"):
        call_command(
            "synthetic", "--providers=1", "--services=1", "--approve-in=nowhere", "--force"
        )
    with pytest.raises(CommandError, match="at least as many services"):
        call_command("synthetic", "--providers=5", "--services=2", "--force")
    assert not Provider.objects.filter(legal_name__startswith=PREFIX).exists()
    assert not Postcode.objects.filter(district_code=POSTCODE_DISTRICT_CODE).exists()


@override_settings(DEBUG=False)
def test_command_refuses_to_delete_on_a_live_site_without_force(db):
    synthetic_registry_generate(providers=2, services=3, seed=4)

    with pytest.raises(CommandError, match="This deletes providers from the registry"):
        call_command("synthetic", "--delete", stdout=io.StringIO())

    assert _synthetic_services().count() == 3
    assert Postcode.objects.filter(district_code=POSTCODE_DISTRICT_CODE).exists()


def test_synthetic_providers_carry_the_whole_marker(db):
    synthetic_registry_generate(providers=4, services=8, seed=6)

    providers = Provider.objects.filter(legal_name__startswith=PREFIX)
    assert providers.count() == 4
    assert all(p.email.endswith("@" + EMAIL_DOMAIN) for p in providers)
    assert EMAIL_DOMAIN.endswith(".invalid")  # reserved: no real organisation has it
    assert not ProviderMember.objects.filter(provider__in=providers).exists()
    postcodes = Location.objects.filter(provider__in=providers).values_list("postcode", flat=True)
    assert set(
        Postcode.objects.filter(postcode__in=postcodes).values_list("district_code", flat=True)
    ) == {POSTCODE_DISTRICT_CODE}


def test_a_real_provider_whose_name_looks_synthetic_survives_delete(tenant_a):
    # Given a real organisation that happens to be called "Synthetic …", registered
    # through the service (so it has an owner), even with an email at the synthetic
    # domain, which registration accepts
    real, owner = provider_register(
        legal_name="Synthetic Grass Gardens Ltd",
        email=f"office@{EMAIL_DOMAIN}",
        owner_email="owner@synthetic-grass.example",
        owner_name="Gareth Green",
        owner_password=PASSWORD,
    )
    f.provider_vetted(real, owner, cqc=False)
    place = f.location_made(real, owner, "NM1 1AA")
    lawns = f.service_made(real, owner, location=place, name="Lawn laying", category="equipment")
    with tenant_context(tenant_a.tenant):
        provider_approval_set(provider=real, status="approved", by=tenant_a.admin)
        service_approval_set(service=lawns, status="approved", by=tenant_a.admin)
    use_public_schema()
    # and a synthetic registry beside it
    synthetic_registry_generate(providers=3, services=6, seed=8, approve_in=[tenant_a.slug])

    # When the synthetic rows are deleted with the command
    out = io.StringIO()
    call_command("synthetic", "--delete", "--force", stdout=out)

    # Then only the synthetic providers went; the real one is whole
    assert out.getvalue().startswith("Deleted 3 synthetic providers, 6 services, 9 council records")
    assert list(Provider.objects.values_list("legal_name", flat=True)) == [
        "Synthetic Grass Gardens Ltd"
    ]
    assert list(ProviderMember.objects.values_list("provider_id", "user_id")) == [
        (real.pk, owner.pk)
    ]
    assert list(Service.objects.values_list("name", flat=True)) == ["Lawn laying"]
    assert list(Location.objects.values_list("postcode", flat=True)) == ["NM1 1AA"]
    with schema_context(tenant_a.slug):
        assert list(ProviderApproval.objects.values_list("provider_id", flat=True)) == [real.pk]
        assert list(ServiceApproval.objects.values_list("service_id", flat=True)) == [lawns.pk]

    # and a second run finds nothing more to delete
    out = io.StringIO()
    call_command("synthetic", "--delete", "--force", stdout=out)
    assert out.getvalue().startswith("Deleted 0 synthetic providers, 0 services, 0 council")
    assert Provider.objects.get().pk == real.pk
