"""Search over what a council approved: filters, sorting, distance and isolation."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from catalogue.council.services import service_approval_set
from catalogue.selectors import Near, price_summary, service_search
from epurse.db import use_public_schema

from . import factories as f
from .api_support import approve

pytestmark = pytest.mark.django_db


def _names(tenant_users, **query):
    with tenant_context(tenant_users.tenant):
        return [s.name for s in service_search(**query)]


@pytest.fixture
def market(tenant_a, tenant_b):
    """Three providers. Northmoor (A) approves two; Southbay (B) approves one."""
    care, care_owner, base = f.provider_with_place(
        "Careful Hands Ltd",
        details={"cqc_provider_id": "1-100000001"},
        cqc_location_id="1-000000001",
    )
    far = f.location_made(care, care_owner, "FR9 9ZZ", name="Far office")
    home_care = f.service_made(
        care,
        care_owner,
        location=base,
        name="Home care visits",
        prices=(2200, 1900),
        languages=["en", "pl"],
    )
    far_care = f.service_made(
        care, care_owner, location=far, name="Home care far away", prices=(1500,)
    )
    gym = f.gym_listed(accessibility=["step_free", "hearing_loop"], weekdays=(6, 7))
    f.cqc_rated("1-000000001", "Careful Hands", "Good", provider_id="1-100000001")
    approve(tenant_a, care, home_care, far_care)
    approve(tenant_a, gym.provider, gym.swim, gym.online)
    approve(tenant_b, gym.provider, gym.swim)
    return {"home_care": home_care, "far": far_care, "swim": gym.swim, "online": gym.online}


def test_each_council_sees_only_what_it_approved(market, tenant_a, tenant_b):
    assert _names(tenant_a) == [
        "Home care far away",
        "Home care visits",
        "Online chair yoga",
        "Swimming sessions",
    ]
    assert _names(tenant_b) == ["Swimming sessions"]
    # The public registry shows every published service of an approved provider.
    assert [s.name for s in service_search()] == _names(tenant_a)


def test_unpublished_unvetted_and_suspended_services_are_hidden(market, tenant_a):
    # Given a provider the platform has not approved, with a published service
    pending, owner = f.provider_registered("Not Yet Vetted Ltd")
    where = f.location_made(pending, owner, "NM1 2BB")
    f.service_made(pending, owner, location=where, name="Unvetted care")
    # and a service suspended by the council
    with tenant_context(tenant_a.tenant):
        service_approval_set(
            service=market["far"],
            status="suspended",
            by=tenant_a.admin,
            reason="Complaints under investigation",
        )
    # Then neither appears in the council's search
    assert "Unvetted care" not in _names(tenant_a)
    assert "Home care far away" not in _names(tenant_a)
    assert "Unvetted care" not in [s.name for s in service_search()]


def test_text_search_ranks_and_filters(market, tenant_a):
    assert _names(tenant_a, text="swimming") == ["Swimming sessions"]
    with tenant_context(tenant_a.tenant):
        found = list(service_search(text="home care"))
    assert {s.name for s in found} == {"Home care far away", "Home care visits"}
    ranks = [getattr(s, "rank") for s in found]  # noqa: B009 - an annotation
    assert ranks[0] >= ranks[1] > 0
    assert _names(tenant_a, text="no such thing at all") == []


def test_filters(market, tenant_a):
    assert _names(tenant_a, category="health-fitness") == ["Online chair yoga", "Swimming sessions"]
    assert _names(tenant_a, max_price_pence=1500) == [
        "Home care far away",
        "Online chair yoga",
        "Swimming sessions",
    ]
    assert _names(tenant_a, min_rating="good") == ["Home care visits"]
    assert _names(tenant_a, min_rating="outstanding") == []
    assert _names(tenant_a, delivery_mode="at_venue") == ["Swimming sessions"]
    assert _names(tenant_a, weekday=6) == ["Swimming sessions"]
    assert _names(tenant_a, language="pl") == ["Home care visits"]
    assert _names(tenant_a, accessibility="hearing_loop") == ["Swimming sessions"]


def test_distance_filter_and_sort(market, tenant_a):
    lat, lon = f.POSTCODES["NM1 2BB"]
    with tenant_context(tenant_a.tenant):
        near = list(service_search(near=Near(lat, lon, within_miles=10), sort="distance"))
    assert [s.name for s in near] == ["Home care visits", "Swimming sessions"]
    distances = [getattr(s, "distance_miles") for s in near]  # noqa: B009 - an annotation
    assert distances == [pytest.approx(0.49, abs=0.02), pytest.approx(6.1, abs=0.3)]
    with tenant_context(tenant_a.tenant):
        online = service_search(text="yoga", near=Near(lat, lon)).get()
    assert getattr(online, "distance_miles") is None  # noqa: B009 - an annotation
    # Without a limit, everything with a place is sorted by distance; online comes last.
    assert _names(tenant_a, near=Near(lat, lon), sort="distance") == [
        "Home care visits",
        "Swimming sessions",
        "Home care far away",
        "Online chair yoga",
    ]


def test_price_sort_uses_the_councils_agreed_price(market, tenant_a, tenant_b):
    with tenant_context(tenant_a.tenant):
        service_approval_set(
            service=market["home_care"],
            status="approved",
            by=tenant_a.admin,
            agreed_price_pence=250,
        )
        results = list(service_search(sort="price"))
        assert [s.name for s in results] == [
            "Home care visits",
            "Online chair yoga",
            "Swimming sessions",
            "Home care far away",
        ]
        assert price_summary(results[0]) == "£2.50 an hour (price agreed with the council)"
        assert price_summary(results[1]) == "£3 a session"
    # The public registry shows the provider's own lowest price.
    use_public_schema()
    home = service_search(text="visits").get()
    assert price_summary(home) == "From £19 an hour"


def test_rating_sort(market, tenant_a):
    assert _names(tenant_a, sort="rating")[0] == "Home care visits"
