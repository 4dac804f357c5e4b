"""The search API: what each host offers, every filter, every bad parameter's message,
service pages, categories and pictures."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django_tenants.utils import tenant_context

from catalogue.council.models import Review
from catalogue.cqc import OGL_ATTRIBUTION, OGL_URL
from catalogue.models import Postcode
from catalogue.services.listings import service_image_add
from epurse.db import use_public_schema
from tests.conftest import host_client

from . import factories as f
from .api_support import (
    API,
    PUBLIC_HOST,
    approve,
    council_client,
    field_errors,
    problem,
)

pytestmark = pytest.mark.django_db

SEARCH = f"{API}/services/"


@pytest.fixture
def market(tenant_a, tenant_b):
    """Two providers. Northmoor (A) approves three services; Southbay (B) one."""
    care, care_owner, base = f.provider_with_place(
        "Careful Hands Ltd",
        cqc=True,
        details={"trading_name": "Careful Hands", "cqc_provider_id": "1-100000001"},
        cqc_location_id="1-000000001",
    )
    home_care = f.service_made(
        care,
        care_owner,
        location=base,
        name="Home care visits",
        summary="Help with washing, dressing and meals",
        prices=(2200, 1900),
        languages=["en", "pl"],
    )
    image = service_image_add(
        service=home_care,
        content=f.png_bytes(),
        name="carer.png",
        alt_text="A carer making tea",
        by=care_owner,
    )
    gym = f.gym_listed(accessibility=["step_free", "hearing_loop"], weekdays=(6, 7))
    f.cqc_rated(
        "1-000000001",
        "Careful Hands",
        "Good",
        provider_id="1-100000001",
        report_date=dt.date(2025, 6, 1),
        safe="Good",
        effective="Good",
        caring="Outstanding",
        responsive="Good",
        well_led="Requires improvement",
    )
    approve(tenant_a, care, home_care)
    approve(tenant_a, gym.provider, gym.swim, gym.online)
    approve(tenant_b, gym.provider, gym.swim)
    return {
        "care": care,
        "gym": gym.provider,
        "home_care": home_care,
        "swim": gym.swim,
        "online": gym.online,
        "image": image,
    }


@pytest.fixture
def person_a(tenant_a):
    return council_client(tenant_a, tenant_a.person)


def _names(response):
    assert response.status_code == 200, response.content
    return [result["name"] for result in response.json()["results"]]


def test_a_council_host_shows_what_it_approved_with_everything_a_result_carries(market, person_a):
    response = person_a.get(SEARCH, {"q": "home care"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["next"] is None
    assert body["previous"] is None
    assert body["results"] == [
        {
            "id": str(market["home_care"].pk),
            "name": "Home care visits",
            "summary": "Help with washing, dressing and meals",
            "provider": {"id": str(market["care"].pk), "name": "Careful Hands"},
            "category": {"code": "home-care", "name": "Home care"},
            "delivery_mode": "at_home",
            "price_pence": 1900,
            "price_summary": "From £19 an hour",
            "distance_miles": None,
            "cqc": {
                "location_id": "1-000000001",
                "overall": "Good",
                "report_date": "2025-06-01",
                "key_questions": [
                    {"name": "Safe", "rating": "Good"},
                    {"name": "Effective", "rating": "Good"},
                    {"name": "Caring", "rating": "Outstanding"},
                    {"name": "Responsive", "rating": "Good"},
                    {"name": "Well-led", "rating": "Requires improvement"},
                ],
                "attribution": OGL_ATTRIBUTION,
                "licence_url": OGL_URL,
            },
            "reviews": {"average": None, "count": 0},
        }
    ]


def test_each_council_and_the_platform_host_see_their_own_offer(
    market, tenant_b, person_a, public_client
):
    person_b = council_client(tenant_b, tenant_b.person)

    assert _names(person_a.get(SEARCH)) == [
        "Home care visits",
        "Online chair yoga",
        "Swimming sessions",
    ]
    assert _names(person_b.get(SEARCH)) == ["Swimming sessions"]
    # The platform's host shows the whole approved registry, to anyone.
    assert _names(public_client.get(SEARCH)) == [
        "Home care visits",
        "Online chair yoga",
        "Swimming sessions",
    ]


def test_a_council_host_needs_a_sign_in(market, client_a):
    body = problem(client_a.get(SEARCH), 401)

    assert body["type"] == "not_authenticated"


def test_filters_and_sorts(market, person_a):
    assert _names(person_a.get(SEARCH, {"category": "health-fitness"})) == [
        "Online chair yoga",
        "Swimming sessions",
    ]
    assert _names(person_a.get(SEARCH, {"max_price": "500"})) == [
        "Online chair yoga",
        "Swimming sessions",
    ]
    assert _names(person_a.get(SEARCH, {"max_price": "0"})) == []
    assert _names(person_a.get(SEARCH, {"min_rating": "good"})) == ["Home care visits"]
    assert _names(person_a.get(SEARCH, {"delivery_mode": "at_venue"})) == ["Swimming sessions"]
    assert _names(person_a.get(SEARCH, {"day": "Saturday"})) == ["Swimming sessions"]
    assert _names(person_a.get(SEARCH, {"language": "PL"})) == ["Home care visits"]
    assert _names(person_a.get(SEARCH, {"accessibility": "hearing_loop"})) == ["Swimming sessions"]
    assert _names(person_a.get(SEARCH, {"sort": "price"})) == [
        "Online chair yoga",
        "Swimming sessions",
        "Home care visits",
    ]
    assert _names(person_a.get(SEARCH, {"sort": "rating"}))[0] == "Home care visits"


def test_distance_from_a_postcode(market, person_a):
    response = person_a.get(
        SEARCH, {"postcode": "nm12bb", "within_miles": "10", "sort": "distance"}
    )

    results = response.json()["results"]
    assert [(r["name"], r["distance_miles"]) for r in results] == [
        ("Home care visits", 0.5),
        ("Swimming sessions", 5.9),
    ]
    # Without a limit, places are sorted by distance and online services come last.
    everything = person_a.get(SEARCH, {"postcode": "NM1 2BB", "sort": "distance"}).json()
    assert [(r["name"], r["distance_miles"]) for r in everything["results"]] == [
        ("Home care visits", 0.5),
        ("Swimming sessions", 5.9),
        ("Online chair yoga", None),
    ]


def test_the_councils_agreed_price_is_shown(market, tenant_a, person_a):
    approve(tenant_a, market["care"], market["home_care"], agreed=1750)

    result = person_a.get(SEARCH, {"q": "visits"}).json()["results"][0]

    assert result["price_pence"] == 1750
    assert result["price_summary"] == "£17.50 an hour (price agreed with the council)"


def test_published_reviews_are_averaged(market, tenant_a, person_a):
    with tenant_context(tenant_a.tenant):
        swim = market["swim"]
        Review.objects.create(service=swim, author=tenant_a.person, rating=5, status="published")
        Review.objects.create(service=swim, author=tenant_a.admin, rating=4, status="published")
        Review.objects.create(
            service=swim, author=tenant_a.admin, on_behalf_of=tenant_a.person, rating=1
        )  # waiting for moderation: not counted
    use_public_schema()

    result = person_a.get(SEARCH, {"q": "swimming"}).json()["results"][0]

    assert result["reviews"] == {"average": 4.5, "count": 2}


def test_paging(market, person_a):
    first = person_a.get(SEARCH, {"per_page": "2"}).json()
    second = person_a.get(SEARCH, {"per_page": "2", "page": "2"}).json()

    assert first["count"] == 3
    assert [r["name"] for r in first["results"]] == ["Home care visits", "Online chair yoga"]
    assert first["next"] == "http://northmoor.localhost/api/catalogue/services/?page=2&per_page=2"
    assert [r["name"] for r in second["results"]] == ["Swimming sessions"]
    assert second["next"] is None
    assert problem(person_a.get(SEARCH, {"page": "3", "per_page": "2"}), 404)["detail"] == (
        "Invalid page."
    )


@pytest.mark.parametrize("page", ["9" * 30, "9" * 5000], ids=["beyond-bigint", "5000-digits"])
def test_an_absurd_page_number_is_not_found(market, person_a, page):
    response = person_a.get(SEARCH, {"page": page, "per_page": "2"})

    assert problem(response, 404)["detail"] == "Invalid page."


def test_a_maximum_price_at_the_limit_is_accepted(market, person_a):
    response = person_a.get(SEARCH, {"max_price": "10000000"})

    assert response.status_code == 200
    assert response.json()["count"] == 3


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"postcode": "banana"}, "postcode", "Enter a full UK postcode, like SW1A 1AA"),
        (
            {"postcode": "ZZ1 1ZZ"},
            "postcode",
            "We could not find the postcode ZZ1 1ZZ. Check it and try again",
        ),
        (
            {"category": "karaoke"},
            "category",
            "There is no category called 'karaoke'. Choose one of: home-care, "
            "personal-assistants, day-opportunities, short-breaks, equipment, transport, "
            "community-activities, health-fitness, learning-work, housing-support, "
            "advice-advocacy",
        ),
        ({"max_price": "-100"}, "max_price", "The maximum price cannot be negative"),
        (
            {"max_price": "12.50"},
            "max_price",
            "Give the maximum price as a whole number of pence, like 2500 for £25",
        ),
        (
            {"max_price": "ten"},
            "max_price",
            "Give the maximum price as a whole number of pence, like 2500 for £25",
        ),
        (
            {"sort": "cheapest"},
            "sort",
            "Unknown sort 'cheapest'. Choose one of: relevance, distance, price, rating",
        ),
        (
            {"min_rating": "excellent"},
            "min_rating",
            "Unknown rating 'excellent'. Choose one of: outstanding, good, "
            "requires_improvement, inadequate",
        ),
        (
            {"day": "funday"},
            "day",
            "Unknown day 'funday'. Choose one of: monday, tuesday, wednesday, thursday, "
            "friday, saturday, sunday",
        ),
        (
            {"delivery_mode": "by_post"},
            "delivery_mode",
            "Unknown delivery mode 'by_post'. Choose one of: at_home, at_venue, online",
        ),
        (
            {"accessibility": "lift"},
            "accessibility",
            "Unknown accessibility feature 'lift'. Choose one of: step_free, "
            "accessible_toilet, hearing_loop, bsl, easy_read, large_print, quiet_space, "
            "accessible_parking, changing_places, assistance_dogs",
        ),
        (
            {"language": "polish"},
            "language",
            "Give the language as an ISO 639 code, like en or pl",
        ),
        (
            {"within_miles": "5"},
            "within_miles",
            "Give a postcode to search within a distance of it",
        ),
        (
            {"postcode": "NM1 1AA", "within_miles": "101"},
            "within_miles",
            "Give a distance of more than 0 and at most 100 miles",
        ),
        (
            {"postcode": "NM1 1AA", "within_miles": "0"},
            "within_miles",
            "Give a distance of more than 0 and at most 100 miles",
        ),
        (
            {"postcode": "NM1 1AA", "within_miles": "nan"},
            "within_miles",
            "Give a distance of more than 0 and at most 100 miles",
        ),
        ({"sort": "distance"}, "sort", "Give a postcode to sort by distance"),
        (
            {"max_price": "10000001"},
            "max_price",
            "Give a maximum price of 10000000 pence (£100,000) or less",
        ),
        (
            {"max_price": "9" * 5000},  # beyond Python's limit for reading a whole number
            "max_price",
            "Give a maximum price of 10000000 pence (£100,000) or less",
        ),
        (
            {"postcode": "NM1 1AA", "within_miles": "9" * 5000},
            "within_miles",
            "Give a distance of more than 0 and at most 100 miles",
        ),
        ({"q": "care\x00home"}, "q", "Null characters are not allowed."),
        ({"language": "p\x00l"}, "language", "Null characters are not allowed."),
    ],
)
def test_bad_parameters_are_explained(market, person_a, params, field, message):
    postcodes_before = Postcode.objects.count()

    response = person_a.get(SEARCH, params)

    assert field_errors(response) == {field: [message]}
    assert Postcode.objects.count() == postcodes_before  # nothing looked up was stored


def test_several_bad_parameters_are_reported_together(market, public_client):
    errors = field_errors(public_client.get(SEARCH, {"max_price": "-1", "sort": "x", "day": "y"}))

    assert sorted(errors) == ["day", "max_price", "sort"]


def test_a_service_page(market, person_a):
    service = market["home_care"]

    response = person_a.get(f"{API}/services/{service.pk}/")

    assert response.status_code == 200
    body = response.json()
    place = service.location
    assert body["name"] == "Home care visits"
    assert body["description"] == "Home care visits. Friendly, trained staff who know the area."
    assert body["provider"] == {
        "id": str(market["care"].pk),
        "name": "Careful Hands",
        "legal_name": "Careful Hands Ltd",
        "description": "",
        "email": market["care"].email,
        "phone": "",
        "website": "",
    }
    assert body["prices"] == [
        {
            "id": str(service.prices.get(amount_pence=1900).pk),
            "label": "",
            "amount_pence": 1900,
            "unit": "hour",
            "unit_label": "an hour",
            "display": "£19 an hour",
        },
        {
            "id": str(service.prices.get(amount_pence=2200).pk),
            "label": "",
            "amount_pence": 2200,
            "unit": "hour",
            "unit_label": "an hour",
            "display": "£22 an hour",
        },
    ]
    assert body["schedules"][0] == {"day": "monday", "opens_at": "09:00", "closes_at": "17:00"}
    assert [s["day"] for s in body["schedules"]] == [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
    ]
    assert body["images"] == [
        {
            "id": str(market["image"].pk),
            "url": f"http://northmoor.localhost/api/catalogue/images/{market['image'].pk}/",
            "alt_text": "A carer making tea",
            "width": 8,
            "height": 6,
            "position": 0,
        }
    ]
    assert body["location"] == {
        "id": str(place.pk),
        "name": "Main office",
        "address_1": "1 High Street",
        "address_2": "",
        "city": "Northmoor",
        "postcode": "NM1 1AA",
        "latitude": 52.9548,
        "longitude": -1.1581,
        "cqc_location_id": "1-000000001",
        "area_kind": "radius",
        "area_radius_miles": 10,
        "area_districts": [],
    }
    assert body["languages"] == [
        {"code": "en", "label": "English"},
        {"code": "pl", "label": "Polish"},
    ]
    assert body["price_summary"] == "From £19 an hour"
    assert body["cqc"]["overall"] == "Good"
    assert (body["minimum_booking"], body["cancellation_notice_hours"]) == (1, 24)


def test_a_service_another_council_approved_is_not_found(market, tenant_b, person_a):
    # Southbay has not approved home care; Northmoor has.
    person_b = council_client(tenant_b, tenant_b.person)
    path = f"{API}/services/{market['home_care'].pk}/"

    assert person_a.get(path).status_code == 200
    assert problem(person_b.get(path), 404)["type"] == "not_found"
    assert problem(person_b.get(f"{API}/services/{uuid.uuid4()}/"), 404)["type"] == "not_found"


def test_the_platform_host_shows_registry_pages_to_anyone(market, public_client):
    draft_provider, owner = f.provider_registered("Drafty Ltd")
    f.provider_vetted(draft_provider, owner)
    draft = f.service_made(draft_provider, owner, location=None, name="Draft", publish=False)

    assert public_client.get(f"{API}/services/{market['online'].pk}/").status_code == 200
    assert public_client.get(f"{API}/services/{draft.pk}/").status_code == 404


def test_categories_on_any_host(market, client_a):
    response = client_a.get(f"{API}/categories/")

    assert response.status_code == 200
    body = response.json()
    assert len(body) == 11
    assert body[0]["code"] == "home-care"
    assert set(body[0]) == {"code", "name", "description"}


def test_pictures_are_served_where_their_service_is_offered(market, tenant_b, person_a):
    image = market["image"]
    path = f"{API}/images/{image.pk}/"

    response = person_a.get(path, HTTP_ACCEPT="image/png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["ETag"] == f'"{image.upload.sha256}"'
    assert response.content == f.png_bytes()
    # Unchanged: not sent again.
    again = person_a.get(path, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    # The platform's host shows the registry's pictures to anyone, cacheably.
    public = host_client(PUBLIC_HOST).get(path)
    assert public.status_code == 200
    assert public["Cache-Control"] == "public, max-age=3600"
    # Southbay does not offer home care, so its picture is not found there.
    person_b = council_client(tenant_b, tenant_b.person)
    assert problem(person_b.get(path), 404)["type"] == "not_found"
    # And a council's pictures are for its signed-in people.
    assert host_client("northmoor.localhost").get(path).status_code == 401
