"""A council's side of the catalogue, on its own host: approvals of the shared
registry, CQC rating alerts, and reviews (written by its people, moderated by it)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import (
    CATALOGUE_APPROVE,
    CATALOGUE_VIEW,
    REVIEWS_MODERATE,
    REVIEWS_WRITE,
    requires,
)
from core.errors import ValidationFailed
from core.services import Origin

from ..council import reviews
from ..council.models import RatingAlert, Review
from ..council.selectors import (
    rating_alerts,
    registry_providers,
    registry_services,
    reviews_for_moderation,
    service_reviews,
)
from ..council.services import (
    provider_approval_set,
    rating_alert_acknowledge,
    service_approval_set,
)
from ..models import Provider, Service
from ..selectors import services_visible
from .base import COUNCIL_HOST, HostScoped, requires_any, signed_in_user
from .serializers import (
    ProviderApprovalInput,
    ProviderApprovalListInput,
    ProviderApprovalOut,
    RatingAlertListInput,
    RatingAlertOut,
    RegistryProviderOut,
    RegistryServiceOut,
    ReviewModerateInput,
    ReviewModerationListInput,
    ReviewModerationOut,
    ReviewOut,
    ReviewSubmitInput,
    ServiceApprovalInput,
    ServiceApprovalListInput,
    ServiceApprovalOut,
)

PROBLEM = OpenApiResponse(description="Problem details (application/problem+json)")
CATALOGUE_READ = requires_any(CATALOGUE_VIEW, CATALOGUE_APPROVE)


@extend_schema(tags=["catalogue: council (a council's host only)"])
class _Council(HostScoped):
    host_scope = COUNCIL_HOST


# --- Approvals ------------------------------------------------------------------


@extend_schema(parameters=[ProviderApprovalListInput])
class ApprovalProviderList(_Council, generics.ListAPIView[Provider]):
    """Providers the platform has vetted and approved, with this council's decision
    (council_status null: not decided yet). Filter by status (or undecided)."""

    permission_classes = [CATALOGUE_READ]
    serializer_class = RegistryProviderOut

    def get_queryset(self) -> Any:
        params = ProviderApprovalListInput(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return registry_providers(status=params.validated_data.get("status"))


class ApprovalProviderSet(_Council, generics.GenericAPIView[Provider]):
    """Approve a provider for this council's people, or suspend it here with a reason,
    which the provider is shown (GET /api/catalogue/provider/councils/ and its portal).
    Only providers the platform has approved can be approved."""

    permission_classes = [requires(CATALOGUE_APPROVE)]
    serializer_class = ProviderApprovalOut
    queryset = Provider.objects.all()
    lookup_url_kwarg = "id"

    @extend_schema(
        request=ProviderApprovalInput, responses={200: ProviderApprovalOut, 400: PROBLEM}
    )
    def put(self, request: Request, id: str) -> Response:
        data = ProviderApprovalInput(data=request.data)
        data.is_valid(raise_exception=True)
        approval = provider_approval_set(
            provider=self.get_object(),
            by=signed_in_user(request),
            origin=Origin.of(request),
            **data.validated_data,
        )
        return Response(ProviderApprovalOut(approval).data)


@extend_schema(parameters=[ServiceApprovalListInput])
class ApprovalServiceList(_Council, generics.ListAPIView[Service]):
    """Published services of providers the platform approved, with this council's
    decision and agreed price. Filter by provider and status (or undecided)."""

    permission_classes = [CATALOGUE_READ]
    serializer_class = RegistryServiceOut

    def get_queryset(self) -> Any:
        params = ServiceApprovalListInput(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return registry_services(
            provider_id=params.validated_data.get("provider"),
            status=params.validated_data.get("status"),
        )


class ApprovalServiceSet(_Council, generics.GenericAPIView[Service]):
    """Approve a published service (approve its provider first), optionally at a
    price agreed with the provider; or suspend it here with a reason."""

    permission_classes = [requires(CATALOGUE_APPROVE)]
    serializer_class = ServiceApprovalOut
    queryset = Service.objects.all()
    lookup_url_kwarg = "id"

    @extend_schema(request=ServiceApprovalInput, responses={200: ServiceApprovalOut, 400: PROBLEM})
    def put(self, request: Request, id: str) -> Response:
        data = ServiceApprovalInput(data=request.data)
        data.is_valid(raise_exception=True)
        approval = service_approval_set(
            service=self.get_object(),
            by=signed_in_user(request),
            origin=Origin.of(request),
            **data.validated_data,
        )
        return Response(ServiceApprovalOut(approval).data)


# --- Rating alerts --------------------------------------------------------------


@extend_schema(parameters=[RatingAlertListInput])
class RatingAlertList(_Council, generics.ListAPIView[RatingAlert]):
    """CQC downgrades of providers this council approves, newest first."""

    permission_classes = [CATALOGUE_READ]
    serializer_class = RatingAlertOut

    def get_queryset(self) -> Any:
        params = RatingAlertListInput(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        acknowledged = params.validated_data.get("acknowledged")
        return rating_alerts(acknowledged=None if acknowledged is None else acknowledged == "true")


class RatingAlertAcknowledge(_Council, generics.GenericAPIView[RatingAlert]):
    """Record that the alert has been seen (the first acknowledgement is kept)."""

    permission_classes = [requires(CATALOGUE_APPROVE)]
    serializer_class = RatingAlertOut
    queryset = RatingAlert.objects.select_related("provider", "location", "acknowledged_by")
    lookup_url_kwarg = "id"

    @extend_schema(request=None, responses=RatingAlertOut)
    def post(self, request: Request, id: int) -> Response:
        rating_alert_acknowledge(
            alert=self.get_object(), by=signed_in_user(request), origin=Origin.of(request)
        )
        return Response(RatingAlertOut(self.get_object()).data)


# --- Reviews --------------------------------------------------------------------


class ServiceReviewList(_Council, generics.ListCreateAPIView[Service]):
    """Published reviews of a service offered here (GET: any signed-in user); write one
    (POST: people who use services, or their representatives). A new review waits for
    the council's moderation. One review per person per service."""

    serializer_class = ReviewOut
    queryset = Service.objects.all()  # the model only: see _service()
    lookup_url_kwarg = "id"

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "POST":
            return [requires(REVIEWS_WRITE)()]
        return [IsAuthenticated()]

    def _service(self) -> Service:
        service = services_visible().filter(pk=self.kwargs["id"]).first()
        if service is None:
            raise NotFound()
        return service

    def get_queryset(self) -> Any:
        return service_reviews(service=self._service())

    @extend_schema(request=ReviewSubmitInput, responses={201: ReviewOut, 400: PROBLEM})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        service = self._service()
        data = ReviewSubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        review = reviews.review_submit(
            service=service,
            author=signed_in_user(request),
            rating=data.validated_data["rating"],
            comment=data.validated_data["comment"],
            on_behalf_of=_person(data.validated_data["on_behalf_of"]),
            origin=Origin.of(request),
        )
        return Response(ReviewOut(review).data, status=status.HTTP_201_CREATED)


def _person(public_id: Any) -> User | None:
    if public_id is None:
        return None
    person = User.objects.filter(public_id=public_id, is_active=True).first()
    if person is None:
        message = "You can only write a review for someone you act for"
        raise ValidationFailed(message, field_errors={"on_behalf_of": [message]})
    return person


@extend_schema(parameters=[ReviewModerationListInput])
class ReviewModerationList(_Council, generics.ListAPIView[Review]):
    """Reviews waiting for moderation (or, with status, those published or not
    published), the longest waiting first."""

    permission_classes = [requires(REVIEWS_MODERATE)]
    serializer_class = ReviewModerationOut

    def get_queryset(self) -> Any:
        params = ReviewModerationListInput(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return reviews_for_moderation(status=params.validated_data["status"])


class ReviewModerate(_Council, generics.GenericAPIView[Review]):
    """Publish a review, or keep it unpublished with a reason."""

    permission_classes = [requires(REVIEWS_MODERATE)]
    serializer_class = ReviewModerationOut
    queryset = Review.objects.select_related("service__provider", "author", "on_behalf_of")
    lookup_url_kwarg = "id"

    @extend_schema(request=ReviewModerateInput, responses={200: ReviewModerationOut, 400: PROBLEM})
    def post(self, request: Request, id: int) -> Response:
        data = ReviewModerateInput(data=request.data)
        data.is_valid(raise_exception=True)
        reviews.review_moderate(
            review=self.get_object(),
            publish=data.validated_data["publish"],
            reason=data.validated_data["reason"],
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        return Response(ReviewModerationOut(self.get_object()).data)
