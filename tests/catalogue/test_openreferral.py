"""The Open Referral UK v3 feed: each council publishes what it approved, the platform
publishes the whole approved registry, every response conforms to the profile's
schemas (../shared/openreferral-uk, beside the checkout), and bad parameters get a 400
that says what to send instead."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import urllib.parse
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from catalogue.council.services import service_approval_set
from catalogue.models import Taxonomy, TaxonomyTerm
from catalogue.services.listings import PriceInput, ScheduleInput, service_save
from catalogue.services.providers import provider_status_change
from catalogue.taxonomy import CARE_TAXONOMY, OPEN_ELIGIBILITY, taxonomy_id, term_id
from epurse.db import use_public_schema
from tests.conftest import host_client, signed_in_client

from . import factories as f
from .api_support import approve

pytestmark = pytest.mark.django_db

FEED = "/api/openreferral/v3"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "openreferral-uk"
PROFILE_BASE = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
PAGE_KEYS = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
}
CARE_TERMS = 11
OPEN_ELIGIBILITY_TERMS = 6


# --- helpers ------------------------------------------------------------------------


def _get(client: Client, path: str, status: int = 200, **params: Any) -> Any:
    response = client.get(FEED + path, params)
    assert response.status_code == status, response.content
    assert response["Access-Control-Allow-Origin"] == "*"
    if status == 200:
        assert response["Content-Type"] == "application/json"
    else:
        assert response["Content-Type"] == "application/problem+json"
    return json.loads(response.content)


def _names(client: Client, path: str = "/services", **params: Any) -> list[str]:
    body = _get(client, path, per_page=200, **params)
    if path == "/services":
        return [item["name"] for item in body["contents"]]
    return [item["service"]["name"] for item in body["contents"]]


def _page_meta(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "contents"}


# --- conformance: the profile's own schemas, read from ../shared ------------------------


def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
        return False
    dt.datetime.fromisoformat(value)  # raises for a 31 February
    return True


def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urllib.parse.urlsplit(value)
    return bool(parts.scheme and (parts.netloc or parts.path)) and " " not in value


def _format_checker() -> FormatChecker:
    # jsonschema checks uuid and email itself; date-time and uri need optional packages
    # the project does not install, so they are checked here (RFC 3339 / absolute URI).
    checker = FormatChecker()
    checker.checks("date-time", raises=ValueError)(_date_time)
    checker.checks("uri")(_uri)
    return checker


@cache
def _registry() -> Registry:
    if not SHARED.is_dir():
        pytest.skip("../shared/openreferral-uk is not beside the checkout: conformance not checked")
    resources = []
    for path in [*SHARED.glob("schema/*.json"), *SHARED.glob("schema/compiled/*.json")]:
        relative = path.relative_to(SHARED / "schema").as_posix()
        contents = json.loads(path.read_text())
        # The OpenAPI file refers to the profile's schemas by their published URLs.
        resources.append(
            (
                PROFILE_BASE + relative,
                Resource.from_contents(contents, default_specification=DRAFT202012),
            )
        )
    return Registry().with_resources(resources)


def _validator(ref: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": ref}, registry=_registry(), format_checker=_format_checker()
    )


def _response_schema(path: str) -> str:
    """The response schema the profile's OpenAPI gives for GET `path`, as a reference."""
    pointer = "/paths/" + path.replace("/", "~1") + "/get/responses/200/content/application~1json"
    return PROFILE_BASE + "openapi.json#" + pointer + "/schema"


def conforms(body: Any, openapi_path: str) -> None:
    errors = sorted(_validator(_response_schema(openapi_path)).iter_errors(body), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    if openapi_path != "/" and "{id}" not in openapi_path:
        # components.schemas.Page lists the keys but requires none: require them all.
        assert set(body) == PAGE_KEYS
        page = _validator(PROFILE_BASE + "openapi.json#/components/schemas/Page")
        assert not list(page.iter_errors(body))


def conforms_to(body: Any, schema_file: str) -> None:
    errors = sorted(_validator(PROFILE_BASE + schema_file).iter_errors(body), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


# --- the market -------------------------------------------------------------------------


@pytest.fixture
def market(tenant_a, tenant_b):
    """Northmoor (A) approves four services of two providers; Southbay (B) approves one."""
    care, care_owner, base = f.provider_with_place(
        "Careful Hands Ltd",
        cqc=True,
        details={
            "trading_name": "Careful Hands",
            "companies_house_number": "01234567",
            "description": "Home care across Northmoor since 1998.",
            "website": "https://careful-hands.example",
        },
        cqc_location_id="1-000000001",
    )
    far = f.location_made(care, care_owner, "FR9 9ZZ", name="Far office", area_radius_miles=60)
    home_care = f.service_made(
        care,
        care_owner,
        location=base,
        name="Home care visits",
        languages=["en", "pl"],
        accessibility=["bsl"],
        minimum_age=18,
        url="https://careful-hands.example/visits",
        email="visits@careful-hands.example",
        phone="0115 496 0000",
    )
    home_care = service_save(
        provider=care,
        by=care_owner,
        service=home_care,
        prices=[
            PriceInput(amount_pence=2200, unit="hour"),
            PriceInput(amount_pence=1850, unit="visit", label="Short visit (30 minutes)"),
        ],
    )
    far_care = f.service_made(care, care_owner, location=far, name="Home care far away")
    gym = f.gym_listed(venue_radius_miles=5, minimum_age=5, maximum_age=16, weekdays=())
    swim = service_save(
        provider=gym.provider,
        by=gym.owner,
        service=gym.swim,
        schedules=[
            ScheduleInput(6, dt.time(10), dt.time(12)),
            ScheduleInput(7, dt.time(10), dt.time(12)),
        ],
    )
    approve(tenant_a, care, home_care, far_care)
    approve(tenant_a, gym.provider, swim, gym.online)
    approve(tenant_b, gym.provider, swim)
    return {
        "care": care,
        "care_owner": care_owner,
        "gym": gym.provider,
        "home_care": home_care,
        "far": far_care,
        "swim": swim,
        "online": gym.online,
    }


# --- the root ---------------------------------------------------------------------------


def test_root_describes_the_api_on_every_host(client_a, client_b, public_client):
    for client in (client_a, client_b, public_client):
        body = _get(client, "/")
        assert body == {
            "version": "3.0",
            "profile": "https://github.com/openreferral/uk-profile",
            "openapi_url": (
                "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json"
            ),
        }


# --- acceptance: one council's approval, one council's feed ------------------------------


def test_a_provider_approved_by_one_council_is_only_in_that_councils_feed(
    tenant_a, tenant_b, client_a, client_b, public_client
):
    # Given a provider that registers, is vetted by the platform and approved by A only
    provider, owner, place = f.provider_with_place("Only Northmoor Ltd", "NM1 2BB")
    service = f.service_made(provider, owner, location=place, name="Northmoor befriending")
    approve(tenant_a, provider, service)
    sal = str(service.service_at_location_id)

    # Then A's feed and the platform's feed have it, in both listings and in detail
    for client in (client_a, public_client):
        assert _names(client) == ["Northmoor befriending"]
        assert _names(client, "/service_at_locations") == ["Northmoor befriending"]
        assert _get(client, f"/services/{service.id}")["name"] == "Northmoor befriending"
        assert _get(client, f"/service_at_locations/{sal}")["service"]["id"] == str(service.id)
    # And neither of B's endpoints shows it, in listings or by id
    assert _names(client_b) == []
    assert _names(client_b, "/service_at_locations") == []
    body = _get(client_b, f"/services/{service.id}", status=404)
    assert body["detail"] == f"There is no service with id '{service.id}' in this directory."
    _get(client_b, f"/service_at_locations/{sal}", status=404)


def test_a_service_approved_only_by_the_other_council_is_a_404_here(
    market, tenant_a, tenant_b, client_a, client_b
):
    # Given B approves a provider A never approved
    provider, owner, place = f.provider_with_place("Southbay Only Ltd", "NM1 2BB")
    theirs = f.service_made(provider, owner, location=place, name="Southbay lunch club")
    approve(tenant_b, provider, theirs)

    assert _names(client_b) == ["Southbay lunch club", "Swimming sessions"]
    _get(client_b, f"/services/{theirs.id}")
    # Then on A's host it is unknown, by either id, and in no listing
    _get(client_a, f"/services/{theirs.id}", status=404)
    _get(client_a, f"/service_at_locations/{theirs.service_at_location_id}", status=404)
    assert "Southbay lunch club" not in _names(client_a)
    # And A's services that B did not approve are unknown on B's host
    _get(client_b, f"/services/{market['home_care'].id}", status=404)
    _get(client_b, f"/service_at_locations/{market['home_care'].service_at_location_id}", 404)


def test_only_published_approved_services_of_approved_providers_are_published(
    market, tenant_a, client_a, public_client
):
    # Given A suspends one service and the platform suspends a provider
    with tenant_context(tenant_a.tenant):
        service_approval_set(
            service=market["far"], status="suspended", by=tenant_a.admin, reason="Complaints"
        )
    use_public_schema()
    provider_status_change(
        provider=market["gym"], status="suspended", reason="Insurance lapsed", by=f.operator()
    )
    # And a provider's draft service
    draft = f.service_made(
        market["care"], market["care_owner"], location=None, name="Draft idea", publish=False
    )

    assert _names(client_a) == ["Home care visits"]
    assert _names(public_client) == ["Home care far away", "Home care visits"]
    for client in (client_a, public_client):
        _get(client, f"/services/{market['swim'].id}", status=404)
        _get(client, f"/services/{draft.id}", status=404)
    _get(client_a, f"/services/{market['far'].id}", status=404)
    _get(public_client, f"/services/{market['far'].id}")


def test_the_platform_host_publishes_the_whole_approved_registry(market, public_client):
    assert _names(public_client) == [
        "Home care far away",
        "Home care visits",
        "Online chair yoga",
        "Swimming sessions",
    ]


# --- conformance --------------------------------------------------------------------------


def test_every_kind_of_response_conforms_to_the_profile(market, client_a, public_client):
    for client in (client_a, public_client):
        conforms(_get(client, "/"), "/")
        services = _get(client, "/services")
        assert services["total_items"] == 4
        conforms(services, "/services")
        places = _get(client, "/service_at_locations")
        assert places["total_items"] == 3  # the online service has no place
        conforms(places, "/service_at_locations")
        conforms(_get(client, "/service_at_locations", postcode="NM1 2BB"), "/service_at_locations")
        taxonomies = _get(client, "/taxonomies")
        conforms(taxonomies, "/taxonomies")
        terms = _get(client, "/taxonomy_terms")
        conforms(terms, "/taxonomy_terms")
        for service in market.values():
            if not hasattr(service, "service_at_location_id"):
                continue
            conforms(_get(client, f"/services/{service.id}"), "/services/{id}")
            if service.location_id:
                body = _get(client, f"/service_at_locations/{service.service_at_location_id}")
                # The profile's OpenAPI names service.json for this endpoint, which
                # describes a service; the object is a service_at_location (as in
                # HSDS 3.0), so it is checked against the profile's schema for that.
                conforms_to(body, "compiled/service_at_location.json")
        for tax in taxonomies["contents"]:
            conforms(_get(client, f"/taxonomies/{tax['id']}"), "/taxonomies/{id}")
        for term in terms["contents"]:
            conforms(_get(client, f"/taxonomy_terms/{term['id']}"), "/taxonomy_terms/{id}")
        # Empty pages and pages past the end conform too.
        conforms(_get(client, "/services", search="nothing like this"), "/services")
        conforms(_get(client, "/service_at_locations", page=99), "/service_at_locations")


def test_the_conformance_check_itself_rejects_what_the_profile_forbids(market, client_a):
    # Guards the guard: a broken object must fail the same check.
    body = _get(client_a, f"/services/{market['home_care'].id}")
    for broken in (
        {**body, "status": "open"},
        {**body, "id": "not-a-uuid"},
        {**body, "email": "not an email"},
        {**body, "last_modified": "yesterday"},
        {k: v for k, v in body.items() if k != "name"},
        {**body, "cost_options": [{"amount": "22"}]},
    ):
        with pytest.raises(AssertionError):
            conforms(broken, "/services/{id}")
    listing = _get(client_a, "/services")
    with pytest.raises(AssertionError):
        conforms({**listing, "total_items": "4"}, "/services")
    with pytest.raises(AssertionError):
        conforms(
            {**listing, "contents": [{**listing["contents"][0], "status": "open"}]}, "/services"
        )
    places = _get(client_a, "/service_at_locations")
    item = places["contents"][0]
    broken_place = {**item, "location": {**item["location"], "location_type": "house"}}
    with pytest.raises(AssertionError):
        conforms({**places, "contents": [broken_place]}, "/service_at_locations")
    term = _get(client_a, "/taxonomy_terms")["contents"][0]
    with pytest.raises(AssertionError):
        conforms({k: v for k, v in term.items() if k != "description"}, "/taxonomy_terms/{id}")
    with pytest.raises(AssertionError):
        conforms({**_get(client_a, "/"), "openapi_url": "not a uri"}, "/")
    with pytest.raises(AssertionError):
        conforms({k: v for k, v in listing.items() if k != "empty"}, "/services")


def test_conformance_is_skipped_with_a_message_without_the_shared_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(sys.modules[__name__], "SHARED", tmp_path / "absent")
    _registry.cache_clear()
    try:
        with pytest.raises(pytest.skip.Exception, match="is not beside the checkout"):
            _registry()
    finally:
        monkeypatch.undo()
        _registry.cache_clear()


# --- what a service says ------------------------------------------------------------------


def test_a_full_service_carries_prices_times_languages_terms_and_contacts(market, client_a):
    home = market["home_care"]
    care = market["care"]
    body = _get(client_a, f"/services/{home.id}")

    assert body["id"] == str(home.id)
    assert body["name"] == "Home care visits"
    assert body["status"] == "active"
    assert body["url"] == "https://careful-hands.example/visits"
    assert body["email"] == "visits@careful-hands.example"
    assert body["minimum_age"] == 18
    assert "maximum_age" not in body
    assert body["organization_id"] == str(care.id)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["last_modified"])
    assert body["organization"] == {
        "id": str(care.id),
        "name": "Careful Hands",
        "description": "Home care across Northmoor since 1998.",
        "email": care.email,
        "website": "https://careful-hands.example",
        "organization_identifiers": [
            {
                "id": body["organization"]["organization_identifiers"][0]["id"],
                "organization_id": str(care.id),
                "identifier_scheme": "GB-COH",
                "identifier_type": "Company number",
                "identifier": "01234567",
            }
        ],
    }
    assert [
        (c["option"], c["amount"], c["currency"], c["amount_description"])
        for c in body["cost_options"]
    ] == [
        ("Short visit (30 minutes)", 18.5, "GBP", "£18.50 a visit"),
        ("Per hour", 22, "GBP", "£22 an hour"),
    ]
    assert [(s["byday"], s["opens_at"], s["closes_at"], s["freq"]) for s in body["schedules"]] == [
        (day, "09:00:00", "17:00:00", "WEEKLY") for day in ("MO", "TU", "WE", "TH", "FR")
    ]
    assert [(lang["code"], lang["name"]) for lang in body["languages"]] == [
        ("en", "English"),
        ("pl", "Polish"),
    ]
    # The care category and the Open Eligibility term it maps to.
    assert [a["taxonomy_term"]["id"] for a in body["attributes"]] == [
        str(term_id(CARE_TAXONOMY, "home-care")),
        str(term_id(OPEN_ELIGIBILITY, "care")),
    ]
    assert body["attributes"][1]["taxonomy_term"]["taxonomy"] == "Open Eligibility"
    assert body["attributes"][1]["taxonomy_term"]["term_uri"] == "https://openeligibility.org/#care"
    assert body["contacts"] == [
        {
            "id": body["contacts"][0]["id"],
            "service_id": str(home.id),
            "name": "Careful Hands",
            "email": "visits@careful-hands.example",
            "phones": [{"id": body["contacts"][0]["phones"][0]["id"], "number": "0115 496 0000"}],
        }
    ]
    assert body["service_areas"][0]["name"] == "Within 10 miles of NM1 1AA"
    [place] = body["service_at_locations"]
    assert place["id"] == str(home.service_at_location_id)
    assert place["location"]["id"] == str(home.location_id)
    assert place["location"]["external_identifier"] == "1-000000001"
    assert place["location"]["latitude"] == pytest.approx(52.9548)
    assert place["location"]["addresses"][0]["postal_code"] == "NM1 1AA"
    assert place["location"]["accessibility"][0]["description"] == "British Sign Language"
    # Derived ids are stable from one request to the next.
    assert _get(client_a, f"/services/{home.id}") == body


def test_nothing_internal_is_published(market, tenant_a, client_a):
    # Given A agreed a price and wrote a reason for a suspension elsewhere
    with tenant_context(tenant_a.tenant):
        service_approval_set(
            service=market["home_care"],
            status="approved",
            by=tenant_a.admin,
            agreed_price_pence=1234,
        )
        service_approval_set(
            service=market["far"], status="suspended", by=tenant_a.admin, reason="Secret reason"
        )
    use_public_schema()
    texts = [
        _get(client_a, path).__repr__()
        for path in (
            f"/services/{market['home_care'].id}",
            f"/service_at_locations/{market['home_care'].service_at_location_id}",
            "/services",
            "/service_at_locations",
        )
    ]
    owner_email = market["care_owner"].email
    for text in texts:
        for secret in (
            owner_email,
            "12.34",
            "Secret reason",
            tenant_a.admin.email,
            "approv",
            "vetting",
            "insurance",
            "draft",
        ):
            assert secret not in text


def test_a_service_at_location_pairs_the_service_with_its_place(market, client_a):
    swim = market["swim"]
    body = _get(client_a, f"/service_at_locations/{swim.service_at_location_id}")
    assert body["id"] == str(swim.service_at_location_id)
    assert body["service_id"] == str(swim.id)
    assert body["location_id"] == str(swim.location_id)
    assert body["location"]["addresses"][0]["postal_code"] == "NM2 3CC"
    assert body["service"]["name"] == "Swimming sessions"
    assert [s["byday"] for s in body["service"]["schedules"]] == ["SA", "SU"]
    assert body["service"]["cost_options"][0]["amount"] == 5
    # A service without a place has no service_at_location.
    online = market["online"]
    _get(client_a, f"/service_at_locations/{online.service_at_location_id}", status=404)
    assert _get(client_a, f"/services/{online.id}")["service_at_locations"] == []


# --- taxonomies ---------------------------------------------------------------------------


def test_both_taxonomies_and_all_their_terms_are_published(client_a, public_client):
    for client in (client_a, public_client):
        taxonomies = _get(client, "/taxonomies")
        assert [(t["name"], t["id"]) for t in taxonomies["contents"]] == [
            ("Open Eligibility", str(taxonomy_id(OPEN_ELIGIBILITY))),
            ("ePurse care and support", str(taxonomy_id(CARE_TAXONOMY))),
        ]
        care = _get(client, f"/taxonomies/{taxonomy_id(CARE_TAXONOMY)}")
        assert len(care["taxonomy_terms"]) == CARE_TERMS
        assert care["taxonomy_terms"][0]["name"] == "Home care"
        terms = _get(client, "/taxonomy_terms", per_page=200)
        assert terms["total_items"] == CARE_TERMS + OPEN_ELIGIBILITY_TERMS
        home = _get(client, f"/taxonomy_terms/{term_id(CARE_TAXONOMY, 'home-care')}")
        assert home == {
            "id": str(term_id(CARE_TAXONOMY, "home-care")),
            "name": "Home care",
            "description": "Help at home with washing, dressing, meals and medicines.",
            "code": "home-care",
            "term": "Home care",
            "taxonomy": "ePurse care and support",
            "taxonomy_id": str(taxonomy_id(CARE_TAXONOMY)),
        }


@pytest.mark.parametrize(
    "path",
    [
        "/services/{}",
        "/service_at_locations/{}",
        "/taxonomies/{}",
        "/taxonomy_terms/{}",
    ],
)
@pytest.mark.parametrize("value", ["7d0c6a3e-4c3b-4b9a-9d7e-000000000000", "not-a-uuid", "1"])
def test_unknown_ids_are_404_with_a_message(client_a, path, value):
    body = _get(client_a, path.format(value), status=404)
    assert body["status"] == 404
    assert f"with id '{value}' in this directory" in body["detail"]


# --- paging ---------------------------------------------------------------------------


def test_paging_metadata_at_the_edges(client_a):
    total = CARE_TERMS + OPEN_ELIGIBILITY_TERMS  # 17 terms: pages of 5, 5, 5, 2
    every = _get(client_a, "/taxonomy_terms", per_page=200)["contents"]

    first = _get(client_a, "/taxonomy_terms", per_page=5)
    assert _page_meta(first) == {
        "total_items": total,
        "total_pages": 4,
        "page_number": 1,
        "size": 5,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    assert first["contents"] == every[:5]
    middle = _get(client_a, "/taxonomy_terms", per_page=5, page=2)
    assert (middle["first_page"], middle["last_page"], middle["size"]) == (False, False, 5)
    assert middle["contents"] == every[5:10]
    last = _get(client_a, "/taxonomy_terms", per_page=5, page=4)
    assert _page_meta(last) == {
        "total_items": total,
        "total_pages": 4,
        "page_number": 4,
        "size": 2,
        "first_page": False,
        "last_page": True,
        "empty": False,
    }
    assert last["contents"] == every[15:]
    # Past the end: no contents, the same totals; nothing follows, so last_page is true.
    beyond = _get(client_a, "/taxonomy_terms", per_page=5, page=5)
    assert _page_meta(beyond) == {
        "total_items": total,
        "total_pages": 4,
        "page_number": 5,
        "size": 0,
        "first_page": False,
        "last_page": True,
        "empty": True,
    }
    assert beyond["contents"] == []
    far_beyond = _get(client_a, "/taxonomy_terms", page=1_000_000)
    assert (far_beyond["total_items"], far_beyond["size"], far_beyond["empty"]) == (total, 0, True)
    # One page that holds everything is both the first and the last.
    whole = _get(client_a, "/taxonomy_terms", per_page=total)
    assert (whole["total_pages"], whole["first_page"], whole["last_page"]) == (1, True, True)
    # The default page size is 50.
    assert _get(client_a, "/taxonomy_terms")["size"] == total
    assert _page_meta(_get(client_a, "/taxonomies", per_page=1)) == {
        "total_items": 2,
        "total_pages": 2,
        "page_number": 1,
        "size": 1,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }


def test_an_empty_result(market, client_b):
    for path in ("/services", "/service_at_locations"):
        body = _get(client_b, path, search="knitting")
        assert body == {
            "total_items": 0,
            "total_pages": 0,
            "page_number": 1,
            "size": 0,
            "first_page": True,
            "last_page": True,
            "empty": True,
            "contents": [],
        }
        assert _get(client_b, path, search="knitting", page=3)["page_number"] == 3


def test_services_page_through_in_a_stable_order(market, client_a):
    seen = []
    for number in (1, 2, 3, 4):
        body = _get(client_a, "/services", per_page=1, page=number)
        assert (body["total_items"], body["total_pages"], body["size"]) == (4, 4, 1)
        assert body["first_page"] is (number == 1)
        assert body["last_page"] is (number == 4)
        seen += [s["name"] for s in body["contents"]]
    assert seen == _names(client_a)
    assert len(set(seen)) == 4
    past = _get(client_a, "/services", per_page=1, page=5)
    assert (past["size"], past["empty"], past["last_page"]) == (0, True, True)


# --- filters: each test fails if its filter is ignored ---------------------------------


def test_search_is_full_text(market, client_a):
    assert _names(client_a, search="swimming") == ["Swimming sessions"]
    assert _names(client_a, search="swim") == ["Swimming sessions"]  # stemmed
    assert set(_names(client_a, "/service_at_locations", search="home care")) == {
        "Home care visits",
        "Home care far away",
    }
    assert _names(client_a, search="knitting") == []


def test_taxonomy_term_filter_matches_the_category_and_its_mapped_terms(market, client_a):
    home_care = str(term_id(CARE_TAXONOMY, "home-care"))
    health = str(term_id(OPEN_ELIGIBILITY, "health"))
    assert _names(client_a, taxonomy_term_id=home_care) == [
        "Home care far away",
        "Home care visits",
    ]
    # Open Eligibility "health" is what the health-and-fitness category maps to.
    assert _names(client_a, taxonomy_term_id=health) == ["Online chair yoga", "Swimming sessions"]
    assert _names(client_a, "/service_at_locations", taxonomy_term_id=health) == [
        "Swimming sessions"
    ]
    assert _names(client_a, taxonomy_term_id=str(term_id(OPEN_ELIGIBILITY, "transit"))) == []
    assert _names(client_a, taxonomy_term_id="7d0c6a3e-4c3b-4b9a-9d7e-000000000000") == []


def test_taxonomy_filter_matches_any_term_of_the_taxonomy(market, client_a):
    # Given a third taxonomy, to which only the health-and-fitness category maps
    local = Taxonomy.objects.create(
        code="local-offer", name="Local offer", description="The council's own list."
    )
    sport = TaxonomyTerm.objects.create(
        taxonomy=local, code="sport", name="Sport", description="Sport and exercise."
    )
    TaxonomyTerm.objects.get(id=term_id(CARE_TAXONOMY, "health-fitness")).equivalents.add(sport)

    assert _names(client_a, taxonomy_id=str(local.id)) == ["Online chair yoga", "Swimming sessions"]
    assert _names(client_a, "/service_at_locations", taxonomy_id=str(local.id)) == [
        "Swimming sessions"
    ]
    assert len(_names(client_a, taxonomy_id=str(taxonomy_id(CARE_TAXONOMY)))) == 4
    assert _names(client_a, taxonomy_id="7d0c6a3e-4c3b-4b9a-9d7e-000000000000") == []


def test_age_filters(market, client_a):
    # Home care: 18 and over. Swimming: 5 to 16. The others say nothing about age.
    assert _names(client_a, minimum_age=18) == ["Home care visits"]
    assert _names(client_a, minimum_age="17.5") == ["Home care visits"]
    assert _names(client_a, minimum_age=5) == ["Home care visits", "Swimming sessions"]
    assert len(_names(client_a, minimum_age=0)) == 4
    assert _names(client_a, maximum_age=16) == ["Swimming sessions"]
    assert _names(client_a, maximum_age="15.9") == []
    assert _names(client_a, minimum_age=5, maximum_age=16) == ["Swimming sessions"]
    assert _names(client_a, "/service_at_locations", minimum_age=18) == ["Home care visits"]


def test_day_and_time_filters(market, client_a):
    # Care: Monday to Friday 09:00-17:00; swimming: weekends 10:00-12:00; yoga: weekdays.
    assert _names(client_a, day="SA") == ["Swimming sessions"]
    assert _names(client_a, day="sa") == ["Swimming sessions"]
    assert _names(client_a, day="Sunday") == ["Swimming sessions"]
    assert _names(client_a, day="MO") == [
        "Home care far away",
        "Home care visits",
        "Online chair yoga",
    ]
    assert _names(client_a, start_time="09:30") == ["Swimming sessions"]
    assert _names(client_a, start_time="09:00") == _names(client_a)
    assert _names(client_a, end_time="12:00") == ["Swimming sessions"]
    assert _names(client_a, end_time="11:59:59") == []
    assert _names(client_a, day="MO", start_time="10:00") == []
    assert _names(client_a, "/service_at_locations", day="SU", end_time="12:00:00") == [
        "Swimming sessions"
    ]


def test_day_and_times_must_fit_one_opening(market, client_a):
    # Given a service open Monday 08:00-10:00 and Tuesday 14:00-18:00
    swim = market["swim"]
    service_save(
        provider=market["gym"],
        by=swim.provider.members.get().user,
        service=swim,
        schedules=[
            ScheduleInput(1, dt.time(8), dt.time(10)),
            ScheduleInput(2, dt.time(14), dt.time(18)),
        ],
    )
    # Then "from 09:00 until 17:00" matches neither opening, although each bound alone does
    assert "Swimming sessions" in _names(client_a, start_time="09:00")
    assert "Swimming sessions" in _names(client_a, end_time="17:00")
    assert "Swimming sessions" not in _names(client_a, start_time="09:00", end_time="17:00")
    assert "Swimming sessions" in _names(client_a, start_time="14:00", end_time="18:00")
    assert "Swimming sessions" not in _names(client_a, day="MO", start_time="14:00")
    assert "Swimming sessions" in _names(client_a, day="TU", start_time="14:00")


def test_postcode_keeps_places_whose_service_area_covers_it_nearest_first(market, client_a):
    # NM1 2BB is 0.5 miles from Home care visits (area 10 miles), 6 miles from the pool
    # (area 5 miles: not covered) and 45 miles from the far office (area 60 miles).
    assert _names(client_a, "/service_at_locations", postcode="nm12bb") == [
        "Home care visits",
        "Home care far away",
    ]


def test_proximity_in_metres_limits_the_distance(market, client_a):
    # 0.49 miles is 790 metres; 45 miles is about 72 km.
    assert _names(client_a, "/service_at_locations", postcode="NM1 2BB", proximity=16000) == [
        "Home care visits"
    ]
    assert _names(client_a, "/service_at_locations", postcode="NM1 2BB", proximity=800) == [
        "Home care visits"
    ]
    assert _names(client_a, "/service_at_locations", postcode="NM1 2BB", proximity=700) == []
    assert _names(client_a, "/service_at_locations", postcode="NM1 2BB", proximity=100000) == [
        "Home care visits",
        "Home care far away",
    ]


def test_a_service_area_of_named_districts_is_kept_for_any_postcode(market, tenant_a, client_a):
    provider, owner = f.provider_registered("District Wide Ltd")
    f.provider_vetted(provider, owner)
    place = f.location_made(
        provider, owner, "FR9 9ZZ", area_kind="districts", area_districts=["Northmoor"]
    )
    service = f.service_made(provider, owner, location=place, name="District transport")
    approve(tenant_a, provider, service)

    assert "District transport" in _names(client_a, "/service_at_locations", postcode="NM1 2BB")
    assert "District transport" not in _names(
        client_a, "/service_at_locations", postcode="NM1 2BB", proximity=16000
    )


# --- bad parameters ---------------------------------------------------------------------


BAD = [
    ({"page": "abc"}, "page", "page must be a whole number from 1 to 1,000,000"),
    ({"page": "0"}, "page", "page must be a whole number from 1 to 1,000,000"),
    ({"page": "-1"}, "page", "page must be a whole number from 1 to 1,000,000"),
    ({"page": "1.5"}, "page", "page must be a whole number from 1 to 1,000,000"),
    ({"page": "9" * 40}, "page", "page must be a whole number from 1 to 1,000,000"),
    ({"per_page": "0"}, "per_page", "per_page must be a whole number from 1 to 200"),
    ({"per_page": "201"}, "per_page", "per_page must be a whole number from 1 to 200"),
    ({"per_page": "ten"}, "per_page", "per_page must be a whole number from 1 to 200"),
    ({"taxonomy_id": "care"}, "taxonomy_id", "taxonomy_id must be the id of a taxonomy"),
    ({"taxonomy_term_id": "12"}, "taxonomy_term_id", "taxonomy_term_id must be the id of a"),
    ({"minimum_age": "adult"}, "minimum_age", "minimum_age must be an age in years"),
    ({"minimum_age": "-1"}, "minimum_age", "minimum_age must be an age in years"),
    ({"maximum_age": "200"}, "maximum_age", "maximum_age must be an age in years"),
    (
        {"minimum_age": "30", "maximum_age": "20"},
        "maximum_age",
        "maximum_age (20) must be the same as or more than minimum_age (30)",
    ),
    ({"start_time": "25:00"}, "start_time", "start_time must be a time of day as HH:MM"),
    ({"end_time": "9am"}, "end_time", "end_time must be a time of day as HH:MM"),
    (
        {"start_time": "10:00", "end_time": "09:00"},
        "end_time",
        "end_time (09:00) must be later than start_time (10:00)",
    ),
    ({"day": "XX"}, "day", "day must be a day of the week: MO, TU, WE, TH, FR, SA or SU"),
    ({"day": "8"}, "day", "day must be a day of the week"),
    ({"search": "x" * 501}, "search", "search must be 500 characters or fewer"),
    (
        {"search": "a\x00b"},
        "search",
        "search must be plain text without control characters; it has U+0000 at character 2 "
        "(a %00 in the address). Remove it and send the request again",
    ),
    ({"search": "care\x1b"}, "search", "it has U+001B at character 5 (a %1B in the address)"),
    ({"day": "MO\x00"}, "day", "day must be plain text without control characters"),
    ({"page": "\x002"}, "page", "page must be plain text without control characters"),
    ({"taxonomy_id": "\x07"}, "taxonomy_id", "taxonomy_id must be plain text without control"),
]
BAD_PLACES = [
    ({"postcode": "NOT A POSTCODE"}, "postcode", "postcode must be a full UK postcode"),
    ({"postcode": "NM1 2BB", "proximity": "far"}, "proximity", "proximity must be a distance"),
    ({"postcode": "NM1 2BB", "proximity": "0"}, "proximity", "proximity must be a distance"),
    ({"proximity": "5000"}, "proximity", "proximity is measured from a postcode"),
    ({"postcode": "NM1\x002BB"}, "postcode", "postcode must be plain text without control"),
    (
        {"postcode": "NM1 2BB", "proximity": "5\x000"},
        "proximity",
        "proximity must be plain text without control characters",
    ),
]


@pytest.mark.parametrize(("params", "name", "message"), BAD)
@pytest.mark.parametrize("path", ["/services", "/service_at_locations"])
def test_bad_filter_parameters_are_a_400_saying_what_to_send(
    market, client_a, path, params, name, message
):
    body = _get(client_a, path, status=400, **params)
    assert body["status"] == 400
    assert body["type"] == "validation_error"
    assert message in body["detail"]
    assert list(body["errors"]) == [name]
    assert message in body["errors"][name][0]


@pytest.mark.parametrize(("params", "name", "message"), BAD_PLACES)
def test_bad_place_parameters_are_a_400(market, client_a, params, name, message):
    body = _get(client_a, "/service_at_locations", status=400, **params)
    assert list(body["errors"]) == [name]
    assert message in body["errors"][name][0]


@pytest.mark.parametrize("path", ["/taxonomies", "/taxonomy_terms"])
def test_bad_paging_on_taxonomies_is_a_400(client_a, path):
    body = _get(client_a, path, status=400, page="first", per_page="1000")
    assert set(body["errors"]) == {"page", "per_page"}
    assert "page must be a whole number" in body["detail"]
    assert "per_page must be a whole number from 1 to 200" in body["detail"]


def test_a_control_character_in_paging_on_taxonomies_is_a_400(client_a):
    body = _get(client_a, "/taxonomy_terms", status=400, per_page="5\x00")
    assert body["errors"] == {
        "per_page": [
            "per_page must be plain text without control characters; it has U+0000 at "
            "character 2 (a %00 in the address). Remove it and send the request again"
        ]
    }


def test_tabs_and_new_lines_in_search_are_only_white_space(market, client_a):
    assert _names(client_a, search="\tswimming\r\n") == ["Swimming sessions"]
    assert set(_names(client_a, search="home\tcare\nvisits")) == {"Home care visits"}


@pytest.mark.parametrize(
    "path",
    ["/services/{}", "/service_at_locations/{}", "/taxonomies/{}", "/taxonomy_terms/{}"],
)
@pytest.mark.parametrize("value", ["a\x00b", "7d0c6a3e-4c3b-4b9a-9d7e-000000000000\x00"])
def test_a_control_character_in_an_id_is_a_404(market, client_a, path, value):
    body = _get(client_a, path.format(value), status=404)
    assert body["detail"].endswith(f"with id {value!r} in this directory.")


def test_every_bad_parameter_is_reported_at_once(market, client_a):
    body = _get(client_a, "/service_at_locations", status=400, page="x", day="XX", proximity="-5")
    assert list(body["errors"]) == ["page", "day", "proximity"]
    assert body["detail"] == " ".join(message for [message] in body["errors"].values())


def test_an_unknown_postcode_is_a_400(market, client_a, settings):
    settings.POSTCODES_IO_URL = ""
    body = _get(client_a, "/service_at_locations", status=400, postcode="ZZ9 9ZZ")
    assert body["detail"] == "We could not find the postcode ZZ9 9ZZ. Check it and try again"
    assert body["errors"] == {"postcode": [body["detail"]]}


def test_empty_values_and_unknown_parameters_are_ignored(market, client_a):
    assert (
        _get(client_a, "/services", page="", per_page="", search="", day="", colour="red")[
            "total_items"
        ]
        == 4
    )


# --- openness: CORS, no cookies, no authentication --------------------------------------


def test_every_response_allows_any_origin(market, client_a, public_client):
    for client in (client_a, public_client):
        for path, status in (
            ("/", 200),
            ("/services", 200),
            ("/services?page=0", 400),
            ("/services/not-a-uuid", 404),
            ("/no-such-endpoint", 404),
        ):
            response = client.get(FEED + path, HTTP_ORIGIN="https://example.org")
            assert response.status_code == status
            assert response["Access-Control-Allow-Origin"] == "*"
        response = client.post(FEED + "/services", {}, HTTP_ORIGIN="https://example.org")
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD, OPTIONS"
        assert response["Access-Control-Allow-Origin"] == "*"
        assert json.loads(response.content)["detail"] == (
            "The Open Referral feed is read-only: use GET."
        )
        head = client.head(FEED + "/services")
        assert (head.status_code, head["Access-Control-Allow-Origin"]) == (200, "*")
        # The prefix without its slash is redirected, still with the header.
        response = client.get(FEED)
        assert response.status_code == 301
        assert response["Location"] == FEED + "/"
        assert response["Access-Control-Allow-Origin"] == "*"
    unknown = json.loads(client_a.get(FEED + "/no-such-endpoint").content)
    assert unknown["detail"].startswith("There is no such endpoint in the Open Referral feed.")
    assert "/service_at_locations/{id}" in unknown["detail"]


def test_a_preflight_is_answered(client_a, public_client):
    for client in (client_a, public_client):
        response = client.options(
            FEED + "/services",
            HTTP_ORIGIN="https://example.org",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="accept",
        )
        assert response.status_code == 204
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response["Access-Control-Allow-Methods"] == "GET, OPTIONS"
        assert "Accept" in response["Access-Control-Allow-Headers"].split(", ")
        assert response["Access-Control-Max-Age"] == "86400"
        assert not response.cookies
        assert "Access-Control-Allow-Credentials" not in response


def test_the_feed_needs_no_credentials_and_sets_no_cookies(market, tenant_a, client_a):
    anonymous = client_a.get(FEED + "/services")
    assert anonymous.status_code == 200
    assert not anonymous.cookies
    # A bad token is not a 401: there is no authentication to fail.
    with_bad_token = client_a.get(FEED + "/services", HTTP_AUTHORIZATION="Token not-a-token")
    assert with_bad_token.status_code == 200
    assert with_bad_token.content == anonymous.content
    # A signed-in browser gets the same feed, and no session or CSRF cookie is set.
    signed_in = signed_in_client(tenant_a, tenant_a.admin)
    for path in ("/services", "/services?page=0", "/no-such-endpoint"):
        response = signed_in.get(FEED + path)
        assert not response.cookies, response.cookies
    assert signed_in.get(FEED + "/services").content == anonymous.content


def test_the_feed_is_not_in_the_platform_api_schema(client_a):
    # It has its own specification (the profile's OpenAPI), so the platform's omits it.
    response = client_a.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    assert not [p for p in paths if "openreferral" in p]


def test_a_server_error_still_allows_any_origin(client_a, monkeypatch):
    from catalogue.openreferral import selectors

    def broken():
        raise RuntimeError("database on fire")

    monkeypatch.setattr(selectors, "feed_taxonomies", broken)
    response = host_client(client_a.defaults["HTTP_HOST"], raise_request_exception=False).get(
        FEED + "/taxonomies"
    )
    assert response.status_code == 500
    assert response["Access-Control-Allow-Origin"] == "*"
    assert json.loads(response.content)["status"] == 500


def test_an_unknown_host_is_a_404_with_the_header():
    response = host_client("nowhere.localhost").get(FEED + "/services")
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"


# --- queries --------------------------------------------------------------------------


@pytest.fixture
def twenty_services(tenant_a):
    provider, owner, place = f.provider_with_place("Many Things Ltd")
    services = [
        f.service_made(
            provider, owner, location=place, name=f"Service {n:02d}", prices=(1000, 1500)
        )
        for n in range(20)
    ]
    approve(tenant_a, provider, *services)
    return services


def test_a_page_of_twenty_costs_a_fixed_number_of_queries(
    twenty_services, client_a, public_client, django_assert_max_num_queries
):
    # The host's tenant, the page and its count; django-tenants sets the search path
    # before each. Details add one query per prefetched relation.
    for client in (client_a, public_client):
        for path in ("/services", "/service_at_locations"):
            with django_assert_max_num_queries(6):
                body = _get(client, path, per_page=20)
            assert body["size"] == 20
            with CaptureQueriesContext(connection) as one:
                _get(client, path, per_page=1, page=2)
            with CaptureQueriesContext(connection) as twenty:
                _get(client, path, per_page=20, page=1)
            assert len(twenty) <= len(one)
        with django_assert_max_num_queries(10):
            _get(client, f"/services/{twenty_services[0].id}")
        with django_assert_max_num_queries(10):
            _get(client, f"/service_at_locations/{twenty_services[0].service_at_location_id}")
