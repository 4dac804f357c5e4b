"""Reads the provider portal and the vetting pages need. The file contents of uploads
are never loaded here: only the download and picture views read them, one at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from accounts.permissions import PROVIDER_MANAGE_OWN, PROVIDERS_VET, user_has_permission

from ..cqc import KEY_QUESTIONS
from ..models import (
    CqcLocation,
    Location,
    Provider,
    ProviderMember,
    Service,
    ServiceImage,
    TaxonomyTerm,
    VettingDocument,
)
from ..selectors import cqc_for, provider_for_user
from ..taxonomy import CARE_TAXONOMY

_UPLOAD_WITHOUT_CONTENT = ("upload__content",)


def portal_provider(*, user: Any) -> Provider | None:
    """The provider whose portal `user` may use: a member with provider.manage_own."""
    if not user_has_permission(user, PROVIDER_MANAGE_OWN):
        return None
    return provider_for_user(user=user)


def user_is_member(*, user: Any, provider: Provider) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        ProviderMember.objects.filter(provider=provider, user=user).exists()
    )


def user_may_read_documents(*, user: Any, provider: Provider) -> bool:
    """Vetting documents are for platform operators and the provider's own members."""
    return user_has_permission(user, PROVIDERS_VET) or (
        user_has_permission(user, PROVIDER_MANAGE_OWN)
        and user_is_member(user=user, provider=provider)
    )


def provider_locations(*, provider: Provider) -> QuerySet[Location]:
    return Location.objects.filter(provider=provider).order_by("name", "id")


def provider_services(*, provider: Provider) -> QuerySet[Service]:
    return (
        Service.objects.filter(provider=provider)
        .select_related("category", "location")
        .annotate(_price_count=Count("prices", distinct=True))
        .annotate(image_count=Count("images", distinct=True))
        .order_by("name", "id")
    )


def service_images(*, service: Service) -> QuerySet[ServiceImage]:
    return (
        ServiceImage.objects.filter(service=service)
        .select_related("upload")
        .defer(*_UPLOAD_WITHOUT_CONTENT)
        .order_by("position", "id")
    )


def service_image_with_content(*, image_id: Any) -> ServiceImage | None:
    return ServiceImage.objects.select_related("upload", "service").filter(pk=image_id).first()


def care_categories() -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.filter(taxonomy__code=CARE_TAXONOMY).order_by("position", "name")


def provider_documents(*, provider: Provider) -> QuerySet[VettingDocument]:
    """Every document the provider uploaded, newest first, with who reviewed it."""
    return (
        VettingDocument.objects.filter(provider=provider)
        .select_related("upload", "reviewed_by", "uploaded_by")
        .defer(*_UPLOAD_WITHOUT_CONTENT)
        .order_by("-uploaded_at", "id")
    )


def vetting_document_get(*, document_id: Any) -> VettingDocument | None:
    """A vetting document with its provider, without its bytes: they are read (on first
    use of the deferred field) only once the caller is known to be allowed them."""
    return (
        VettingDocument.objects.select_related("upload", "provider")
        .defer("upload__content")
        .filter(pk=document_id)
        .first()
    )


def providers_for_vetting(*, status: str | None) -> QuerySet[Provider]:
    """Providers waiting longest first, so the oldest applications are seen first."""
    qs = Provider.objects.all()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("created_at", "legal_name")


def provider_status_counts() -> dict[str, int]:
    counts = dict.fromkeys(Provider.Status.values, 0)
    for row in Provider.objects.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


@dataclass(frozen=True)
class LocationRating:
    location: Location
    rating: CqcLocation | None  # None until the CQC sync has seen the location

    @property
    def key_questions(self) -> list[tuple[str, str]]:
        """(Safe, Good), (Effective, Outstanding)... in CQC's order."""
        if self.rating is None:
            return []
        return [(name, getattr(self.rating, field)) for name, field in KEY_QUESTIONS.items()]


def provider_cqc_ratings(*, provider: Provider) -> list[LocationRating]:
    """The provider's places that name a CQC location, with CQC's latest rating."""
    places = list(provider_locations(provider=provider).filter(cqc__isnull=False))
    ratings = cqc_for(location_ids=[str(place.cqc_id) for place in places])
    return [LocationRating(place, ratings.get(str(place.cqc_id))) for place in places]
