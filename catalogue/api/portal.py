"""The provider portal's API, on the platform's host: register, vetting documents,
places, services with prices, times and pictures, councils' decisions and reviews.
Every object is looked up within the signed-in member's provider, so another
provider's ids are not found (404)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import ValidationFailed
from core.services import Origin

from ..council.reviews import council_review_reply
from ..council.selectors import provider_council_decisions, provider_reviews
from ..models import Location, Provider, Service, ServiceImage, VettingDocument
from ..services import listings, providers
from ..web.selectors import (
    provider_documents,
    provider_locations,
    provider_services,
)
from .base import PLATFORM_HOST, FileView, HostScoped, PortalView, file_response, signed_in_user
from .serializers import (
    CouncilDecisionsOut,
    DocumentOut,
    DocumentUploadInput,
    ImageOut,
    ImageUploadInput,
    LocationInput,
    LocationOut,
    PortalServiceOut,
    ProviderOut,
    ProviderRegisterInput,
    ProviderReviewOut,
    ProviderUpdateInput,
    ReviewReplyInput,
    ServiceInput,
)

MULTIPART = [MultiPartParser, FormParser]
PROBLEM = OpenApiResponse(description="Problem details (application/problem+json)")


def _provider_out(provider: Provider) -> dict[str, Any]:
    checklist = providers.vetting_checklist(provider=provider)
    return ProviderOut(provider, context={"checklist": checklist}).data


@extend_schema(
    tags=["catalogue: provider portal (platform's host only)"],
    request=ProviderRegisterInput,
    responses={201: ProviderOut, 400: PROBLEM},
)
class ProviderRegister(HostScoped, generics.GenericAPIView[Provider]):
    """Register an organisation and its first user (its owner). Open to anyone, on the
    platform's host; the owner then signs in (POST /api/auth/token/ on this host) and
    uploads the vetting documents. Each registration is in the audit log."""

    host_scope = PLATFORM_HOST
    permission_classes = [AllowAny]
    serializer_class = ProviderRegisterInput

    def post(self, request: Request) -> Response:
        data = ProviderRegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        provider, _ = providers.provider_register(**data.validated_data, origin=Origin.of(request))
        return Response(_provider_out(provider), status=status.HTTP_201_CREATED)


class ProviderMe(PortalView, generics.GenericAPIView[Provider]):
    """Your organisation: details, vetting status and reason, and the checklist."""

    serializer_class = ProviderOut

    @extend_schema(responses=ProviderOut)
    def get(self, request: Request) -> Response:
        return Response(_provider_out(self.provider))

    @extend_schema(request=ProviderUpdateInput, responses={200: ProviderOut, 400: PROBLEM})
    def patch(self, request: Request) -> Response:
        data = ProviderUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        provider = providers.provider_update(
            provider=self.provider,
            by=signed_in_user(request),
            origin=Origin.of(request),
            **data.validated_data,
        )
        return Response(_provider_out(provider))


class ProviderCouncils(PortalView, generics.GenericAPIView[Provider]):
    """The councils that have decided about you: approved or suspended, and their
    decisions about each of your services."""

    pagination_class = None

    @extend_schema(responses=CouncilDecisionsOut(many=True))
    def get(self, request: Request) -> Response:
        decisions = provider_council_decisions(provider=self.provider)
        return Response(CouncilDecisionsOut(decisions, many=True).data)


class DocumentList(PortalView, generics.ListCreateAPIView[VettingDocument]):
    """Your vetting documents, newest first; upload one (multipart: kind, expires_on,
    document). PDF, JPG or PNG, up to DOCUMENT_MAX_BYTES; insurance needs its end
    date."""

    serializer_class = DocumentOut
    parser_classes = MULTIPART

    def get_queryset(self) -> QuerySet[VettingDocument]:
        return provider_documents(provider=self.provider)

    @extend_schema(
        request={"multipart/form-data": DocumentUploadInput},
        responses={201: DocumentOut, 400: PROBLEM},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = DocumentUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["document"]
        document = providers.vetting_document_upload(
            provider=self.provider,
            kind=data.validated_data["kind"],
            # One byte over the limit is enough for the service to refuse it.
            content=upload.read(settings.DOCUMENT_MAX_BYTES + 1),
            name=upload.name or "",
            expires_on=data.validated_data.get("expires_on"),
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        return Response(DocumentOut(document).data, status=status.HTTP_201_CREATED)


@extend_schema(
    responses={
        (200, "application/octet-stream"): OpenApiResponse(
            OpenApiTypes.BINARY, description="The document, as a download"
        )
    }
)
class DocumentFile(FileView, PortalView, generics.GenericAPIView[VettingDocument]):
    """Download one of your vetting documents."""

    queryset = VettingDocument.objects.all()  # the model only: see get()
    lookup_url_kwarg = "id"

    def get(self, request: Request, id: str) -> HttpResponse:
        # Found among the provider's own documents first; the bytes are read (on first
        # use of the deferred field) only then.
        document = provider_documents(provider=self.provider).filter(pk=id).first()
        if document is None:
            raise NotFound()
        return file_response(
            content=document.upload.content,
            content_type=document.upload.content_type,
            cache_control="private, no-store",
            filename=document.upload.original_name,
        )


class LocationList(PortalView, generics.ListCreateAPIView[Location]):
    """Your places: where services are delivered from, and how far you travel."""

    serializer_class = LocationOut

    def get_queryset(self) -> QuerySet[Location]:
        return provider_locations(provider=self.provider)

    @extend_schema(request=LocationInput, responses={201: LocationOut, 400: PROBLEM})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = LocationInput(data=request.data)
        data.is_valid(raise_exception=True)
        location = listings.location_save(
            provider=self.provider,
            by=signed_in_user(request),
            origin=Origin.of(request),
            **data.validated_data,
        )
        return Response(LocationOut(location).data, status=status.HTTP_201_CREATED)


class LocationDetail(PortalView, generics.RetrieveAPIView[Location]):
    """One of your places: read, replace (PUT) or delete (only when no service is
    delivered from it)."""

    serializer_class = LocationOut
    queryset = Location.objects.all()  # narrowed to the provider in get_queryset
    lookup_url_kwarg = "id"

    def get_queryset(self) -> QuerySet[Location]:
        return provider_locations(provider=self.provider)

    @extend_schema(request=LocationInput, responses={200: LocationOut, 400: PROBLEM})
    def put(self, request: Request, id: str) -> Response:
        location = self.get_object()
        data = LocationInput(data=request.data)
        data.is_valid(raise_exception=True)
        location = listings.location_save(
            provider=self.provider,
            location=location,
            by=signed_in_user(request),
            origin=Origin.of(request),
            **data.validated_data,
        )
        return Response(LocationOut(location).data)

    @extend_schema(responses={204: None, 400: PROBLEM})
    def delete(self, request: Request, id: str) -> Response:
        listings.location_delete(
            location=self.get_object(), by=signed_in_user(request), origin=Origin.of(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class _ServiceQueries(PortalView):
    def get_queryset(self) -> QuerySet[Service]:
        return provider_services(provider=self.provider).prefetch_related(
            "prices",
            "schedules",
            Prefetch(
                "images",
                queryset=ServiceImage.objects.select_related("upload").defer("upload__content"),
            ),
        )

    def _out(self, service: Service) -> dict[str, Any]:
        fresh = self.get_queryset().get(pk=service.pk)
        return PortalServiceOut(fresh, context={"request": self.request}).data

    def _save(self, *, service: Service | None, data: dict[str, Any]) -> Service:
        fields = dict(data)
        prices = fields.pop("prices", None)
        schedules = fields.pop("schedules", None)
        if fields.get("location") is not None:
            fields["location"] = self._own_location(fields["location"])
        return listings.service_save(
            provider=self.provider,
            service=service,
            by=signed_in_user(self.request),
            origin=Origin.of(self.request),
            prices=None if prices is None else [listings.PriceInput(**p) for p in prices],
            schedules=None
            if schedules is None
            else [
                listings.ScheduleInput(s["day"], s["opens_at"], s["closes_at"]) for s in schedules
            ],
            **fields,
        )

    def _own_location(self, location_id: Any) -> Location:
        location = provider_locations(provider=self.provider).filter(pk=location_id).first()
        if location is None:
            message = "Choose one of your own places"
            raise ValidationFailed(message, field_errors={"location": [message]})
        return location


class ServiceList(_ServiceQueries, generics.ListCreateAPIView[Service]):
    """Your services, in every status; create one (as a draft) with its prices and
    times. Publish it to offer it to councils."""

    serializer_class = PortalServiceOut

    @extend_schema(request=ServiceInput, responses={201: PortalServiceOut, 400: PROBLEM})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ServiceInput(data=request.data, context={"creating": True})
        data.is_valid(raise_exception=True)
        service = self._save(service=None, data=data.validated_data)
        return Response(self._out(service), status=status.HTTP_201_CREATED)


class ServiceDetail(_ServiceQueries, generics.RetrieveAPIView[Service]):
    """One of your services: read, change (PATCH: only the fields sent; prices and
    schedules, when sent, replace the current ones), or delete. A service a council
    has approved or someone has reviewed cannot be deleted: withdraw it instead."""

    serializer_class = PortalServiceOut
    queryset = Service.objects.all()  # narrowed to the provider in get_queryset
    lookup_url_kwarg = "id"

    @extend_schema(request=ServiceInput, responses={200: PortalServiceOut, 400: PROBLEM})
    def patch(self, request: Request, id: str) -> Response:
        service = self.get_object()
        data = ServiceInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(self._out(self._save(service=service, data=data.validated_data)))

    @extend_schema(responses={204: None, 400: PROBLEM})
    def delete(self, request: Request, id: str) -> Response:
        listings.service_delete(
            service=self.get_object(), by=signed_in_user(request), origin=Origin.of(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class _ServiceStatus(_ServiceQueries, generics.GenericAPIView[Service]):
    serializer_class = PortalServiceOut
    queryset = Service.objects.all()  # narrowed to the provider in get_queryset
    lookup_url_kwarg = "id"
    target_status = ""

    @extend_schema(request=None, responses={200: PortalServiceOut, 400: PROBLEM})
    def post(self, request: Request, id: str) -> Response:
        service = listings.service_status_set(
            service=self.get_object(),
            status=self.target_status,
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        return Response(self._out(service))


class ServicePublish(_ServiceStatus):
    """Publish the service: councils can then approve it for their residents."""

    target_status = Service.Status.PUBLISHED


class ServiceWithdraw(_ServiceStatus):
    """Withdraw the service: it disappears from every council's search."""

    target_status = Service.Status.WITHDRAWN


class ServiceImageAdd(_ServiceQueries, generics.GenericAPIView[Service]):
    """Add a picture to one of your services (multipart: image, alt_text). JPG, PNG or
    WebP up to IMAGE_MAX_BYTES; the description (alt text) is required."""

    serializer_class = ImageOut
    queryset = Service.objects.all()  # narrowed to the provider in get_queryset
    lookup_url_kwarg = "id"
    parser_classes = MULTIPART

    @extend_schema(
        request={"multipart/form-data": ImageUploadInput},
        responses={201: ImageOut, 400: PROBLEM},
    )
    def post(self, request: Request, id: str) -> Response:
        service = self.get_object()
        data = ImageUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["image"]
        image = listings.service_image_add(
            service=service,
            content=upload.read(settings.IMAGE_MAX_BYTES + 1),
            name=upload.name or "",
            alt_text=data.validated_data.get("alt_text", ""),
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        return Response(
            ImageOut(image, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class ServiceImageRemove(PortalView, generics.GenericAPIView[ServiceImage]):
    """Remove a picture from one of your services."""

    queryset = ServiceImage.objects.all()  # narrowed to the provider in get_queryset
    lookup_url_kwarg = "id"

    def get_queryset(self) -> QuerySet[ServiceImage]:
        return (
            ServiceImage.objects.filter(service__provider=self.provider)
            .select_related("service", "upload")
            .defer("upload__content")
        )

    @extend_schema(responses={204: None})
    def delete(self, request: Request, id: str) -> Response:
        listings.service_image_remove(
            image=self.get_object(), by=signed_in_user(request), origin=Origin.of(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProviderReviewList(PortalView, generics.ListAPIView[Any]):
    """Published reviews of your services in every council, newest first. Reviews are
    anonymous to you; reply with POST /api/catalogue/provider/review-replies/."""

    serializer_class = ProviderReviewOut

    def get_queryset(self) -> Any:
        return provider_reviews(provider=self.provider)


class ProviderReviewReply(PortalView, generics.GenericAPIView[Any]):
    """Reply to a published review of one of your services (a new reply replaces the
    old). Name the council (its slug) and the review's id there, as listed."""

    serializer_class = ProviderReviewOut

    @extend_schema(request=ReviewReplyInput, responses={200: ProviderReviewOut, 400: PROBLEM})
    def post(self, request: Request) -> Response:
        data = ReviewReplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        council, review = council_review_reply(
            council=data.validated_data["council"],
            review_id=data.validated_data["review"],
            provider=self.provider,
            reply=data.validated_data["reply"],
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        out = {
            "council": council.schema_name,
            "council_name": council.name,
            "id": review.pk,
            "service_id": review.service_id,
            "service_name": review.service.name,
            "rating": review.rating,
            "comment": review.comment,
            "created_at": review.created_at,
            "provider_reply": review.provider_reply,
            "replied_at": review.replied_at,
        }
        return Response(ProviderReviewOut(out).data)
