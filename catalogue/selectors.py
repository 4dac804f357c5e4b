"""Reads of the catalogue: what a council's residents may buy, and search over it."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import (
    Avg,
    BigIntegerField,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from core.money import format_pence
from epurse.db import PUBLIC_SCHEMA, current_schema

from .council.models import Approval, ProviderApproval, Review, ServiceApproval
from .models import (
    CqcLocation,
    PriceOption,
    Provider,
    ProviderMember,
    Schedule,
    Service,
    ServiceImage,
)

EARTH_RADIUS_MILES = 3958.8
RATING_RANKS = {
    "outstanding": 4,
    "good": 3,
    "requires_improvement": 2,
    "inadequate": 1,
}
SORTS = ("relevance", "distance", "price", "rating")


@dataclass(frozen=True)
class Near:
    latitude: float
    longitude: float
    within_miles: float | None = None


def in_council() -> bool:
    """Whether this request reads as a council (tenant schema) or the whole registry."""
    return current_schema() != PUBLIC_SCHEMA


def services_visible() -> QuerySet[Service]:
    """Services people may see here: on a council's site, published services of
    providers the platform approved that this council approves (provider and service);
    on the public site, every published service of an approved provider."""
    qs = Service.objects.filter(
        status=Service.Status.PUBLISHED, provider__status=Provider.Status.APPROVED
    )
    if in_council():
        qs = qs.filter(
            # An approval counts only if made after the service's terms last changed.
            Exists(
                ServiceApproval.objects.filter(
                    service=OuterRef("pk"),
                    status=Approval.APPROVED,
                    decided_at__gte=Coalesce(OuterRef("terms_changed_at"), F("decided_at")),
                )
            ),
            Exists(
                ProviderApproval.objects.filter(
                    provider=OuterRef("provider_id"), status=Approval.APPROVED
                )
            ),
        )
    return qs


def providers_visible() -> QuerySet[Provider]:
    qs = Provider.objects.filter(status=Provider.Status.APPROVED)
    if in_council():
        qs = qs.filter(
            Exists(
                ProviderApproval.objects.filter(provider=OuterRef("pk"), status=Approval.APPROVED)
            )
        )
    return qs


def _haversine_sql(lat: float, lon: float) -> RawSQL:
    # Great-circle distance in plain SQL: the embedded PostgreSQL has no PostGIS or
    # earthdistance, and this is exact enough for "how far is it". LEAST ignores NULL,
    # so services with no place (online) are given no distance explicitly.
    return RawSQL(  # noqa: S611 - the point is passed as bound parameters
        "CASE WHEN catalogue_location.latitude IS NULL THEN NULL ELSE"
        f" {EARTH_RADIUS_MILES} * 2 * asin(sqrt(least(1.0,"
        " power(sin(radians(catalogue_location.latitude - %s) / 2), 2)"
        " + cos(radians(%s)) * cos(radians(catalogue_location.latitude))"
        " * power(sin(radians(catalogue_location.longitude - %s) / 2), 2)))) END",
        (lat, lat, lon),
        output_field=FloatField(),
    )


def _bounding_box(near: Near) -> Q:
    # A cheap box around the circle, so the index on (latitude, longitude) narrows the
    # rows before the exact distance is computed.
    miles = near.within_miles or 0.0
    dlat = miles / 69.0
    dlon = miles / max(69.0 * math.cos(math.radians(near.latitude)), 0.01)
    return Q(
        location__latitude__gte=near.latitude - dlat,
        location__latitude__lte=near.latitude + dlat,
        location__longitude__gte=near.longitude - dlon,
        location__longitude__lte=near.longitude + dlon,
    )


def service_search(
    *,
    text: str = "",
    category: str | None = None,
    max_price_pence: int | None = None,
    min_rating: str | None = None,
    near: Near | None = None,
    delivery_mode: str | None = None,
    weekday: int | None = None,
    language: str | None = None,
    accessibility: str | None = None,
    sort: str = "relevance",
) -> QuerySet[Service]:
    """Search the services visible here. Each result is annotated with `price_pence`
    (the council-agreed price where there is one), `rating_rank`, `distance_miles`
    (when `near` is given) and `rank` (text relevance). Arguments are already checked
    (see catalogue.api for the messages people get)."""
    qs = services_visible().select_related("provider", "location", "category")
    agreed: Any = Value(None, output_field=BigIntegerField())
    if in_council():
        agreed = Subquery(
            ServiceApproval.objects.filter(service=OuterRef("pk")).values("agreed_price_pence")[:1]
        )
    qs = qs.annotate(
        price_pence=Coalesce(agreed, F("price_from_pence"), output_field=BigIntegerField()),
        # A subquery rather than a join: it halves the time PostgreSQL takes to plan
        # the search (measured by scripts/bench_search.py), and runs only for matches.
        rating_rank=Coalesce(
            Subquery(
                CqcLocation.objects.filter(
                    location_id=OuterRef("location__cqc_id"),
                    provider_id=OuterRef("provider__cqc_provider_id"),
                )
                .exclude(provider_id="")
                .values("overall_rank")[:1]
            ),
            Value(0),
            output_field=IntegerField(),
        ),
    )
    query = None
    if text.strip():
        query = SearchQuery(text.strip(), search_type="websearch", config="english")
        qs = qs.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
    else:
        qs = qs.annotate(rank=Value(0.0, output_field=FloatField()))
    if category:
        qs = qs.filter(category__code=category)
    if max_price_pence is not None:
        qs = qs.filter(price_pence__lte=max_price_pence)
    if min_rating:
        qs = qs.filter(rating_rank__gte=RATING_RANKS[min_rating])
    if delivery_mode:
        qs = qs.filter(delivery_mode=delivery_mode)
    if weekday:
        qs = qs.filter(Exists(Schedule.objects.filter(service=OuterRef("pk"), weekday=weekday)))
    if language:
        qs = qs.filter(languages__contains=[language])
    if accessibility:
        qs = qs.filter(accessibility__contains=[accessibility])
    if near is not None:
        qs = qs.annotate(distance_miles=_haversine_sql(near.latitude, near.longitude))
        if near.within_miles is not None:
            qs = qs.filter(_bounding_box(near), distance_miles__lte=near.within_miles)
    return qs.order_by(*_ordering(sort, has_text=query is not None, has_near=near is not None))


def _ordering(sort: str, *, has_text: bool, has_near: bool) -> list[Any]:
    tie = ["name", "id"]
    if sort == "distance" and has_near:
        return [F("distance_miles").asc(nulls_last=True), *tie]
    if sort == "price":
        return [F("price_pence").asc(nulls_last=True), *tie]
    if sort == "rating":
        return [F("rating_rank").desc(), *tie]
    if has_text:
        return [F("rank").desc(), *tie]
    if has_near:
        return [F("distance_miles").asc(nulls_last=True), *tie]
    return tie


def price_summary(service: Service) -> str:
    """'£18 an hour', 'From £12 a session', or the council's agreed price."""
    agreed = getattr(service, "price_pence", None)
    unit = PriceOption.Unit(service.price_from_unit).label if service.price_from_unit else ""
    if agreed is not None and agreed != service.price_from_pence:
        return f"{format_pence(agreed)} {unit} (price agreed with the council)".replace("  ", " ")
    if service.price_from_pence is None:
        return "Ask the provider for a price"
    options = getattr(service, "_price_count", None)
    if options is None:
        options = service.prices.count()
    prefix = "From " if options > 1 else ""
    return f"{prefix}{format_pence(service.price_from_pence)} {unit}".strip()


def review_summaries(*, service_ids: Iterable[Any]) -> dict[Any, tuple[float, int]]:
    """Average published rating and count of reviews, per service, in this council."""
    if not in_council():
        return {}
    rows = (
        Review.objects.filter(service_id__in=list(service_ids), status=Review.Status.PUBLISHED)
        .values("service_id")
        .annotate(average=Avg("rating"), count=Count("id"))
    )
    return {row["service_id"]: (round(float(row["average"]), 1), row["count"]) for row in rows}


def cqc_for(*, location_ids: Iterable[str]) -> dict[str, CqcLocation]:
    return {
        c.location_id: c for c in CqcLocation.objects.filter(location_id__in=list(location_ids))
    }


def provider_for_user(*, user: Any) -> Provider | None:
    """The provider a public-schema user works for, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    member = (
        ProviderMember.objects.select_related("provider").filter(user=user).order_by("pk").first()
    )
    return member.provider if member else None


@dataclass(frozen=True)
class ServiceCard:
    """What a search result shows, beyond the service itself."""

    service: Service
    price_summary: str
    distance_miles: float | None
    cqc: CqcLocation | None
    review_average: float | None
    review_count: int


def service_cards(*, services: Sequence[Service]) -> list[ServiceCard]:
    """Cards for one page of `service_search` results, in three queries whatever the
    page size (price option counts, CQC ratings, review summaries)."""
    ids = [service.pk for service in services]
    counts = dict(
        PriceOption.objects.filter(service_id__in=ids)
        .values("service_id")
        .annotate(n=Count("id"))
        .values_list("service_id", "n")
    )
    ratings = cqc_for(
        location_ids=[str(s.location.cqc_id) for s in services if s.location and s.location.cqc_id]
    )
    reviews = review_summaries(service_ids=ids)
    cards = []
    for service in services:
        service._price_count = counts.get(service.pk, 0)  # type: ignore[attr-defined]
        cqc_id = service.location.cqc_id if service.location else None
        average, count = reviews.get(service.pk, (None, 0))
        # No place, no distance (the SQL gives online services half the globe's).
        distance = getattr(service, "distance_miles", None) if service.location_id else None
        cards.append(
            ServiceCard(
                service=service,
                price_summary=price_summary(service),
                distance_miles=None if distance is None else round(distance, 1),
                cqc=_own_rating(ratings.get(str(cqc_id)) if cqc_id else None, service),
                review_average=average,
                review_count=count,
            )
        )
    return cards


def _own_rating(rating: CqcLocation | None, service: Service) -> CqcLocation | None:
    # Shown only when CQC lists the location under the provider's own CQC id.
    if rating is None or not rating.provider_id:
        return None
    if rating.provider_id != service.provider.cqc_provider_id:
        return None
    return rating


def service_visible_get(*, service_id: Any, near: Near | None = None) -> Service | None:
    """One service visible here, with what its page shows (prices, times, pictures
    without their bytes) and the search annotations (`price_pence`: the council's
    agreed price where there is one; `distance_miles` from `near`, when given)."""
    return (
        service_search(near=near)
        .filter(pk=service_id)
        .prefetch_related(
            "prices",
            "schedules",
            Prefetch(
                "images",
                queryset=ServiceImage.objects.select_related("upload").defer("upload__content"),
            ),
        )
        .first()
    )


def service_image_visible_get(*, image_id: Any) -> ServiceImage | None:
    """A picture, with its bytes, of a service visible here."""
    return (
        ServiceImage.objects.select_related("upload")
        .filter(pk=image_id, service__in=services_visible())
        .first()
    )
