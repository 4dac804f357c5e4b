"""Catalogue records as Open Referral UK (HSDS 3.0) objects.

Only what a resident of the council may see is published: nothing of approvals,
vetting, reasons or the people behind an account. Optional fields without a value
are left out rather than sent empty, because an empty string is not a valid URI or
email address. Objects we have no table for (addresses, languages, contacts...) get
ids derived from their owner's, so they are the same on every request.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from core.money import format_pence

from ..models import Location, PriceOption, Provider, Schedule, Service, Taxonomy, TaxonomyTerm
from ..vocab import ACCESSIBILITY_FEATURES, LANGUAGES
from .params import BYDAY
from .selectors import Page

HSDS_VERSION = "3.0"
PROFILE_URI = "https://github.com/openreferral/uk-profile"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json"
_IDS = uuid.UUID("0d7c3b1e-5a3f-4f8e-9a7e-2c61f0b4d9a1")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Json = dict[str, Any]


def _derived_id(*parts: object) -> str:
    return str(uuid.uuid5(_IDS, ":".join(str(p) for p in parts)))


def _optional(body: Json, **fields: Any) -> Json:
    body.update({k: v for k, v in fields.items() if v not in (None, "")})
    return body


def _timestamp(value: dt.datetime) -> str:
    # Millisecond accuracy in UTC, as the profile's example: 2023-03-15T10:30:45.123Z.
    utc = value.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _pounds(pence: int) -> int | float:
    return pence // 100 if pence % 100 == 0 else round(pence / 100, 2)


def api_info() -> Json:
    return {"version": HSDS_VERSION, "profile": PROFILE_URI, "openapi_url": OPENAPI_URL}


def page_body(page: Page[Any], contents: list[Json]) -> Json:
    """The profile's Page object. last_page is true on the last page and on any page
    past it (nothing follows); empty is true when this page has no contents."""
    number = page.paging.page
    return {
        "total_items": page.total_items,
        "total_pages": page.total_pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number >= page.total_pages,
        "empty": not contents,
        "contents": contents,
    }


# --- taxonomies -------------------------------------------------------------------------


def taxonomy_term(term: TaxonomyTerm) -> Json:
    return _optional(
        {
            "id": str(term.id),
            "name": term.name,
            "description": term.description,
            "code": term.code,
            "term": term.name,
            "taxonomy": term.taxonomy.name,
            "taxonomy_id": str(term.taxonomy_id),
        },
        parent_id=str(term.parent_id) if term.parent_id else None,
        term_uri=term.term_uri,
    )


def taxonomy(tax: Taxonomy, *, with_terms: bool = False) -> Json:
    body = _optional(
        {"id": str(tax.id), "name": tax.name, "description": tax.description},
        uri=tax.uri,
        version=tax.version,
    )
    if with_terms:
        body["taxonomy_terms"] = [taxonomy_term(t) for t in tax.terms.all()]
    return body


# --- organizations and services ---------------------------------------------------------


def organization(provider: Provider, *, full: bool = False) -> Json:
    body = _optional(
        {
            "id": str(provider.id),
            "name": provider.display_name,
            "description": provider.description,
        },
        email=provider.email,
        website=provider.website,
    )
    if full:
        identifiers = []
        for scheme, kind, value in (
            ("GB-COH", "Company number", provider.companies_house_number),
            ("GB-CHC", "Charity number", provider.charity_number),
        ):
            if value:
                identifiers.append(
                    {
                        "id": _derived_id("identifier", provider.id, scheme),
                        "organization_id": str(provider.id),
                        "identifier_scheme": scheme,
                        "identifier_type": kind,
                        "identifier": value,
                    }
                )
        body["organization_identifiers"] = identifiers
    return body


def _last_modified(service: Service) -> str:
    # The service "or any related information": its provider's details are published too.
    return _timestamp(max(service.updated_at, service.provider.updated_at))


def service_summary(service: Service) -> Json:
    """The one-to-one fields of a service, with its organization."""
    return _optional(
        {
            "id": str(service.id),
            "organization_id": str(service.provider_id),
            "name": service.name,
            "description": service.description,
            "status": "active",
            "last_modified": _last_modified(service),
            "organization": organization(service.provider),
        },
        url=service.url,
        email=service.email,
        minimum_age=service.minimum_age,
        maximum_age=service.maximum_age,
    )


def _schedule(item: Schedule) -> Json:
    day = item.weekday - 1
    return {
        "id": str(item.id),
        "service_id": str(item.service_id),
        "freq": "WEEKLY",
        "interval": 1,
        "byday": BYDAY[day],
        "opens_at": item.opens_at.strftime("%H:%M:%S"),
        "closes_at": item.closes_at.strftime("%H:%M:%S"),
        "description": f"{_DAY_NAMES[day]}, {item.opens_at:%H:%M} to {item.closes_at:%H:%M}",
    }


def _cost_option(price: PriceOption) -> Json:
    unit = PriceOption.Unit(price.unit)
    return {
        "id": str(price.id),
        "service_id": str(price.service_id),
        "option": price.label or f"Per {unit.value}",
        "amount": _pounds(price.amount_pence),
        "currency": "GBP",
        "amount_description": f"{format_pence(price.amount_pence)} {unit.label}",
    }


def _attribute(service: Service, term: TaxonomyTerm) -> Json:
    return {
        "id": _derived_id("attribute", service.id, term.id),
        "link_id": str(service.id),
        "link_type": "service",
        "taxonomy_term_id": str(term.id),
        "taxonomy_term": taxonomy_term(term),
    }


def _language(service: Service, code: str) -> Json:
    return {
        "id": _derived_id("language", service.id, code),
        "service_id": str(service.id),
        "name": LANGUAGES.get(code, code),
        "code": code,
    }


def _contacts(service: Service) -> list[Json]:
    if not (service.phone or service.email):
        return []
    contact = _optional(
        {
            "id": _derived_id("contact", service.id),
            "service_id": str(service.id),
            "name": service.provider.display_name,
        },
        email=service.email,
    )
    if service.phone:
        contact["phones"] = [{"id": _derived_id("phone", service.id), "number": service.phone}]
    return [contact]


def _service_area(service: Service, location: Location) -> Json:
    if location.area_kind == Location.AreaKind.DISTRICTS:
        name = "In " + ", ".join(location.area_districts)
    else:
        miles = location.area_radius_miles
        name = f"Within {miles} mile{'s' if miles != 1 else ''} of {location.postcode}"
    return {
        "id": _derived_id("service-area", service.id),
        "service_id": str(service.id),
        "name": name,
        "service_area": name,
    }


def location_summary(location: Location) -> Json:
    return _optional(
        {
            "id": str(location.id),
            "location_type": "physical",
            "name": location.name,
            "latitude": location.latitude,
            "longitude": location.longitude,
        },
        external_identifier=location.cqc_id,
        external_identifier_type="CQC location ID" if location.cqc_id else None,
    )


def location_full(location: Location, service: Service) -> Json:
    address = _optional(
        {
            "id": _derived_id("address", location.id),
            "location_id": str(location.id),
            "address_1": location.address_1,
            "city": location.city,
            "state_province": "",
            "postal_code": location.postcode,
            "country": "GB",
            "address_type": "physical",
        },
        address_2=location.address_2,
    )
    body = location_summary(location)
    body["addresses"] = [address]
    # Accessibility is recorded per service, so it is published with the service's place.
    body["accessibility"] = [
        {
            "id": _derived_id("accessibility", service.id, code),
            "location_id": str(location.id),
            "description": ACCESSIBILITY_FEATURES.get(code, code),
        }
        for code in service.accessibility
    ]
    return body


def _service_at_location_ids(service: Service) -> Json:
    return {
        "id": str(service.service_at_location_id),
        "service_id": str(service.id),
        "location_id": str(service.location_id),
    }


def service_full(service: Service, *, with_places: bool = True) -> Json:
    """A service with all its related data (the service needs _in_full's prefetches)."""
    body = service_summary(service)
    body["organization"] = organization(service.provider, full=True)
    body["schedules"] = [_schedule(s) for s in service.schedules.all()]
    body["cost_options"] = [_cost_option(p) for p in service.prices.all()]
    body["languages"] = [_language(service, code) for code in service.languages]
    body["contacts"] = _contacts(service)
    body["attributes"] = [
        _attribute(service, term)
        for term in (service.category, *service.category.equivalents.all())
    ]
    location = service.location
    body["service_areas"] = [_service_area(service, location)] if location else []
    if with_places:
        body["service_at_locations"] = (
            [
                {
                    **_service_at_location_ids(service),
                    "location": location_full(location, service),
                }
            ]
            if location
            else []
        )
    return body


def _place(service: Service) -> Location:
    if service.location is None:  # the selectors keep only services with a place
        raise ValueError(f"Service {service.pk} has no location to publish")
    return service.location


def service_at_location_summary(service: Service) -> Json:
    return {
        **_service_at_location_ids(service),
        "location": location_summary(_place(service)),
        "service": service_summary(service),
    }


def service_at_location_full(service: Service) -> Json:
    return {
        **_service_at_location_ids(service),
        "location": location_full(_place(service), service),
        "service": service_full(service, with_places=False),
    }
