"""What providers list, and the clear errors for bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from catalogue.models import Location, PriceOption, Service, ServiceImage, Upload
from catalogue.services.listings import (
    PriceInput,
    ScheduleInput,
    service_image_add,
    service_save,
    service_status_set,
)
from core.errors import DomainError, ValidationFailed

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_and_place():
    provider, owner = f.provider_registered()
    return provider, owner, f.location_made(provider, owner, "nm11aa")


def test_location_takes_coordinates_from_the_postcode(owner_and_place):
    _, _, place = owner_and_place
    assert (place.postcode, place.latitude, place.longitude) == ("NM1 1AA", 52.9548, -1.1581)


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("banana", "Enter a full UK postcode, like SW1A 1AA"),
        ("ZZ1 1ZZ", "We could not find the postcode ZZ1 1ZZ. Check it and try again"),
    ],
)
def test_bad_postcode_is_refused(postcode, message):
    provider, owner = f.provider_registered()
    with pytest.raises(ValidationFailed) as caught:
        f.location_made(provider, owner, postcode)
    assert caught.value.field_errors == {"postcode": [message]}
    assert not Location.objects.exists()


def _service(provider, owner, place, **overrides):
    data = dict(
        name="Help at home",
        summary="Help with daily tasks",
        description="Trained carers.",
        category="home-care",
        delivery_mode="at_home",
        location=place,
        prices=[PriceInput(1800, "hour")],
    )
    data.update(overrides)
    return service_save(provider=provider, by=owner, **data)


def test_service_keeps_its_cheapest_price(owner_and_place):
    provider, owner, place = owner_and_place
    service = _service(
        provider,
        owner,
        place,
        prices=[PriceInput(2500, "visit"), PriceInput(1800, "hour", "Weekdays")],
        schedules=[ScheduleInput(1, dt.time(8), dt.time(20))],
    )
    assert (service.price_from_pence, service.price_from_unit) == (1800, "hour")
    assert service.status == "draft"
    service = service_save(
        provider=provider, by=owner, service=service, prices=[PriceInput(3000, "day")]
    )
    assert (service.price_from_pence, service.price_from_unit) == (3000, "day")
    assert list(service.prices.values_list("amount_pence", "unit")) == [(3000, "day")]
    assert service.schedules.count() == 1  # untouched when not given


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"category": "astrology"},
            {
                "category": [
                    "There is no category called 'astrology'. Choose one of: home-care, "
                    "personal-assistants, day-opportunities, short-breaks, equipment, transport, "
                    "community-activities, health-fitness, learning-work, housing-support, "
                    "advice-advocacy"
                ]
            },
        ),
        ({"prices": [PriceInput(-500, "hour")]}, {"prices": ["Each price must be more than £0"]}),
        ({"prices": [PriceInput(0, "hour")]}, {"prices": ["Each price must be more than £0"]}),
        (
            {"prices": [PriceInput(100, "fortnight")]},
            {
                "prices": [
                    "Choose what each price is for: one of hour, visit, session, day, week, item"
                ]
            },
        ),
        ({"prices": []}, {"prices": ["Enter at least one price"]}),
        ({"name": " "}, {"name": ["Enter the name of the service"]}),
        (
            {"delivery_mode": "by post"},
            {
                "delivery_mode": [
                    "Choose how the service is delivered: at home, at a venue or online"
                ]
            },
        ),
        ({"location": None}, {"location": ["Choose the place the service is delivered from"]}),
        (
            {"languages": ["English"]},
            {"languages": ["Give languages as ISO 639 codes, like en or pl"]},
        ),
        (
            {"accessibility": ["lift"]},
            {
                "accessibility": [
                    "Unknown accessibility feature: lift. Choose from: step_free, "
                    "accessible_toilet, "
                    "hearing_loop, bsl, easy_read, large_print, quiet_space, accessible_parking, "
                    "changing_places, assistance_dogs"
                ]
            },
        ),
        (
            {"minimum_age": 65, "maximum_age": 18},
            {"maximum_age": ["The maximum age must be the same as or more than the minimum"]},
        ),
        (
            {"schedules": [ScheduleInput(1, dt.time(17), dt.time(9))]},
            {"schedules": ["Each opening time must be before its closing time"]},
        ),
    ],
)
def test_bad_service_details_are_refused_and_nothing_written(owner_and_place, overrides, errors):
    provider, owner, place = owner_and_place
    with pytest.raises(ValidationFailed) as caught:
        _service(provider, owner, place, **overrides)
    assert caught.value.field_errors == errors
    assert not Service.objects.exists()
    assert not PriceOption.objects.exists()


def test_a_provider_cannot_use_another_providers_place(owner_and_place):
    provider, owner, _ = owner_and_place
    other, other_owner = f.provider_registered()
    their_place = f.location_made(other, other_owner)
    with pytest.raises(ValidationFailed) as caught:
        _service(provider, owner, their_place)
    assert caught.value.field_errors == {"location": ["Choose one of your own places"]}


def test_a_provider_cannot_change_another_providers_service(owner_and_place):
    provider, owner, place = owner_and_place
    service = _service(provider, owner, place)
    other, other_owner = f.provider_registered()
    with pytest.raises(DomainError, match="belongs to another provider"):
        service_save(provider=other, by=other_owner, service=service, name="Mine now")
    assert Service.objects.get(pk=service.pk).name == "Help at home"


def test_pictures_need_alt_text_and_must_be_real_images(owner_and_place, settings):
    provider, owner, place = owner_and_place
    service = _service(provider, owner, place)
    with pytest.raises(ValidationFailed) as caught:
        service_image_add(
            service=service, content=f.png_bytes(), name="a.png", alt_text="  ", by=owner
        )
    assert list(caught.value.field_errors) == ["alt_text"]
    with pytest.raises(ValidationFailed) as caught:
        service_image_add(
            service=service, content=f.PDF, name="a.png", alt_text="A garden", by=owner
        )
    assert caught.value.field_errors == {
        "image": ["The selected file must be a JPG, PNG or WebP picture"]
    }
    settings.IMAGE_MAX_BYTES = 50
    with pytest.raises(ValidationFailed) as caught:
        service_image_add(
            service=service,
            content=f.png_bytes(40, 40),
            name="a.png",
            alt_text="A garden",
            by=owner,
        )
    assert caught.value.field_errors == {"image": ["The picture must be smaller than 50 bytes"]}
    assert not ServiceImage.objects.exists()
    assert not Upload.objects.exists()
    settings.IMAGE_MAX_BYTES = 5_000_000
    image = service_image_add(
        service=service,
        content=f.png_bytes(8, 6),
        name="../../etc/x.png",
        alt_text="Two people  gardening",
        by=owner,
    )
    assert (
        image.alt_text,
        image.upload.content_type,
        image.upload.width,
        image.upload.original_name,
    ) == ("Two people gardening", "image/png", 8, "x.png")


def test_publishing_needs_a_price(owner_and_place):
    provider, owner, place = owner_and_place
    service = _service(provider, owner, place)
    service.prices.all().delete()
    with pytest.raises(DomainError, match="Add a price before publishing"):
        service_status_set(service=service, status="published", by=owner)


def test_the_service_itself_caps_prices_and_opening_times(owner_and_place):
    provider, owner, place = owner_and_place
    with pytest.raises(ValidationFailed) as caught:
        _service(provider, owner, place, prices=[PriceInput(100 + n, "hour") for n in range(21)])
    assert caught.value.field_errors == {"prices": ["Give at most 20 prices"]}
    slots = [ScheduleInput(1 + n % 7, dt.time(n // 7), dt.time(n // 7, 30)) for n in range(71)]
    with pytest.raises(ValidationFailed) as caught:
        _service(provider, owner, place, schedules=slots)
    assert caught.value.field_errors == {"schedules": ["Give at most 70 opening times a week"]}
    assert not Service.objects.exists()
