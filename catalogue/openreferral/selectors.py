"""Reads behind the Open Referral feed. Everything starts from services_visible(), so a
council's feed holds only what that council approved and the platform's holds the whole
approved registry."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from ..models import Location, Schedule, Service, Taxonomy, TaxonomyTerm
from ..postcodes import postcode_lookup
from ..selectors import Near, service_search, services_visible
from .params import Paging, ServiceFilters

METRES_PER_MILE = 1609.344
_Equivalent = TaxonomyTerm.equivalents.through

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total_items: int
    paging: Paging

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total_items / self.paging.per_page)


def page_of(qs: QuerySet[Any], paging: Paging) -> Page[Any]:
    """One page of an ordered queryset. A page past the end is empty, not an error."""
    offset = (paging.page - 1) * paging.per_page
    if offset == 0:
        items = list(qs[: paging.per_page])
        # A short first page is the whole result: no need to count it.
        total = len(items) if len(items) < paging.per_page else qs.count()
        return Page(items, total, paging)
    total = qs.count()
    items = list(qs[offset : offset + paging.per_page]) if offset < total else []
    return Page(items, total, paging)


def _has_term(term_id: uuid.UUID) -> Q:
    # A service is tagged with its category and with the category's equivalents.
    return Q(category_id=term_id) | Q(
        Exists(
            _Equivalent.objects.filter(
                from_taxonomyterm=OuterRef("category_id"), to_taxonomyterm=term_id
            )
        )
    )


def _in_taxonomy(taxonomy_id: uuid.UUID) -> Q:
    return Q(category__taxonomy_id=taxonomy_id) | Q(
        Exists(
            _Equivalent.objects.filter(
                from_taxonomyterm=OuterRef("category_id"),
                to_taxonomyterm__taxonomy_id=taxonomy_id,
            )
        )
    )


def feed_services(*, filters: ServiceFilters, places: bool) -> QuerySet[Service]:
    """Services matching the feed's filters: for /services, or (`places`) for
    /service_at_locations, where only services delivered from a location take part.

    - taxonomy_term_id: the service's category is that term, or maps to it.
    - taxonomy_id: the category, or one of the terms it maps to, is in that taxonomy.
    - minimum_age: the service's minimum age (none counts as 0) is at least this.
    - maximum_age: the service has a maximum age, and it is at most this.
    - day, start_time, end_time: one opening of the service is on that day, opens at
      or after start_time and closes at or before end_time.
    - postcode: the location's service area covers the postcode (a radius reaching
      it; an area given as named districts cannot be checked against a centroid and
      is kept), nearest first; proximity (metres) also limits the distance.
    """
    near = None
    if filters.postcode:
        centroid = postcode_lookup(postcode=filters.postcode)
        within = (
            float(filters.proximity_metres) / METRES_PER_MILE
            if filters.proximity_metres is not None
            else None
        )
        near = Near(centroid.latitude, centroid.longitude, within)
    qs = service_search(text=filters.search, near=near, sort="distance" if near else "relevance")
    if places:
        qs = qs.filter(location__isnull=False)
    if near is not None:
        qs = qs.filter(
            Q(location__area_kind=Location.AreaKind.DISTRICTS)
            | Q(location__area_radius_miles__gte=F("distance_miles"))
        )
    if filters.taxonomy_term_id is not None:
        qs = qs.filter(_has_term(filters.taxonomy_term_id))
    if filters.taxonomy_id is not None:
        qs = qs.filter(_in_taxonomy(filters.taxonomy_id))
    # Ages are stored in whole years: "at least 17.5" means 18 or more.
    if filters.minimum_age is not None:
        qs = qs.alias(
            min_age=Coalesce("minimum_age", Value(0), output_field=IntegerField())
        ).filter(min_age__gte=math.ceil(filters.minimum_age))
    if filters.maximum_age is not None:
        qs = qs.filter(maximum_age__isnull=False, maximum_age__lte=math.floor(filters.maximum_age))
    opening = Q()
    if filters.day is not None:
        opening &= Q(weekday=filters.day)
    if filters.start_time is not None:
        opening &= Q(opens_at__gte=filters.start_time)
    if filters.end_time is not None:
        opening &= Q(closes_at__lte=filters.end_time)
    if opening:
        qs = qs.filter(Exists(Schedule.objects.filter(opening, service=OuterRef("pk"))))
    return qs


def _in_full(qs: QuerySet[Service]) -> QuerySet[Service]:
    return qs.select_related("provider", "location", "category__taxonomy").prefetch_related(
        "prices",
        "schedules",
        Prefetch(
            "category__equivalents",
            queryset=TaxonomyTerm.objects.select_related("taxonomy"),
        ),
    )


def feed_service_get(*, service_id: uuid.UUID) -> Service | None:
    return _in_full(services_visible().filter(pk=service_id)).first()


def feed_service_at_location_get(*, service_at_location_id: uuid.UUID) -> Service | None:
    return _in_full(
        services_visible().filter(
            service_at_location_id=service_at_location_id, location__isnull=False
        )
    ).first()


def feed_taxonomies() -> QuerySet[Taxonomy]:
    return Taxonomy.objects.order_by("name", "id")


def feed_taxonomy_get(*, taxonomy_id: uuid.UUID) -> Taxonomy | None:
    terms = TaxonomyTerm.objects.select_related("taxonomy").order_by("position", "name", "id")
    return (
        Taxonomy.objects.filter(pk=taxonomy_id)
        .prefetch_related(Prefetch("terms", queryset=terms))
        .first()
    )


def feed_taxonomy_terms() -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.select_related("taxonomy").order_by(
        "taxonomy__name", "position", "name", "id"
    )


def feed_taxonomy_term_get(*, term_id: uuid.UUID) -> TaxonomyTerm | None:
    return TaxonomyTerm.objects.select_related("taxonomy").filter(pk=term_id).first()
