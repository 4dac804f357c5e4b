"""Search of what the host offers: a council's approved services on its host (for
its signed-in people), the whole approved registry on the platform's host (open)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, HttpResponseNotModified
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.pagination import WindowCountPagination
from tenants.selectors import host_tenant

from ..models import Service, ServiceImage, TaxonomyTerm
from ..selectors import (
    service_cards,
    service_image_visible_get,
    service_search,
    service_visible_get,
)
from ..web.selectors import care_categories
from .base import OPEN_ON_PLATFORM_HOST, FileView, HostScoped, SignedInOnCouncilHosts, file_response
from .serializers import CategoryDetailOut, SearchInput, ServiceCardOut, ServiceDetailOut

IMAGE_MAX_AGE_SECONDS = 3600


@extend_schema(tags=["catalogue: search (every host)"])
class CategoryList(HostScoped, generics.ListAPIView[TaxonomyTerm]):
    """The service categories (the care-and-support taxonomy)."""

    permission_classes = [AllowAny]
    serializer_class = CategoryDetailOut
    pagination_class = None

    def get_queryset(self) -> Any:
        return care_categories()


@extend_schema(
    tags=["catalogue: search (every host)"],
    parameters=[SearchInput],
    auth=OPEN_ON_PLATFORM_HOST,  # type: ignore[arg-type]
)
class ServiceSearch(HostScoped, generics.ListAPIView[Service]):
    """Search services. On a council's host: what that council approved, for its
    signed-in users, at the council's agreed price. On the platform's host: the whole
    approved registry, open to anyone. Bad parameters get 400 with a message."""

    permission_classes = [SignedInOnCouncilHosts]
    serializer_class = ServiceCardOut
    pagination_class = WindowCountPagination  # the search runs once per page, not twice

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = SearchInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = self.paginate_queryset(service_search(**params.search_arguments()))
        cards = service_cards(services=page or [])
        return self.get_paginated_response(ServiceCardOut(cards, many=True).data)


@extend_schema(tags=["catalogue: search (every host)"], auth=OPEN_ON_PLATFORM_HOST)  # type: ignore[arg-type]
class ServiceDetail(HostScoped, generics.RetrieveAPIView[Service]):
    """One service, with prices, times, pictures, place and the provider's contact
    details. 404 for a service this host does not offer."""

    permission_classes = [SignedInOnCouncilHosts]
    serializer_class = ServiceDetailOut
    queryset = Service.objects.all()  # the model only: lookups go through the selector
    lookup_url_kwarg = "id"

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        service = service_visible_get(service_id=kwargs["id"])
        if service is None:
            raise NotFound()
        card = service_cards(services=[service])[0]
        return Response(ServiceDetailOut(card, context={"request": request}).data)


@extend_schema(
    tags=["catalogue: search (every host)"],
    auth=OPEN_ON_PLATFORM_HOST,  # type: ignore[arg-type]
    responses={
        (200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The picture"),
        304: OpenApiResponse(description="Not modified (If-None-Match)"),
        404: OpenApiResponse(description="No such picture of a service offered here"),
    },
)
class ServiceImageFile(FileView, HostScoped, generics.GenericAPIView[ServiceImage]):
    """A picture of a service offered on this host."""

    permission_classes = [SignedInOnCouncilHosts]
    queryset = ServiceImage.objects.all()  # the model only: lookups go through the selector
    lookup_url_kwarg = "id"

    def get(self, request: Request, id: str) -> HttpResponse:
        image = service_image_visible_get(image_id=id)
        if image is None:
            raise NotFound()
        etag = f'"{image.upload.sha256}"'
        # Councils' pictures are for signed-in people: browsers may keep them, shared
        # caches may not. The registry's are public.
        scope = "private" if host_tenant(request) is not None else "public"
        cache_control = f"{scope}, max-age={IMAGE_MAX_AGE_SECONDS}"
        if request.headers.get("If-None-Match") == etag:
            response: HttpResponse = HttpResponseNotModified()
            response["Cache-Control"] = cache_control
        else:
            response = file_response(
                content=image.upload.content,
                content_type=image.upload.content_type,
                cache_control=cache_control,
            )
        response["ETag"] = etag
        return response
