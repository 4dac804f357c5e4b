"""Vetting, by the platform's operators on the platform's host: providers by status,
their documents and checklist, decisions on documents and on the provider's status."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import PROVIDERS_VET, requires
from core.services import Origin

from ..models import Provider, VettingDocument
from ..services import providers
from ..web.selectors import provider_documents, providers_for_vetting
from .base import PLATFORM_HOST, FileView, HostScoped, file_response, signed_in_user
from .serializers import (
    DocumentOut,
    DocumentReviewInput,
    ProviderListOut,
    ProviderStatusInput,
    VettingListInput,
    VettingProviderOut,
)

PROBLEM = OpenApiResponse(description="Problem details (application/problem+json)")


@extend_schema(tags=["catalogue: vetting (platform's host only)"])
class _Vetting(HostScoped):
    host_scope = PLATFORM_HOST
    permission_classes = [requires(PROVIDERS_VET)]


def _provider_out(provider: Provider) -> dict[str, Any]:
    context = {
        "checklist": providers.vetting_checklist(provider=provider),
        "documents": provider_documents(provider=provider),
    }
    return VettingProviderOut(provider, context=context).data


@extend_schema(parameters=[VettingListInput])
class VettingProviderList(_Vetting, generics.ListAPIView[Provider]):
    """Providers, the longest waiting first; filter by status."""

    serializer_class = ProviderListOut

    def get_queryset(self) -> Any:
        params = VettingListInput(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return providers_for_vetting(status=params.validated_data.get("status"))


class VettingProviderDetail(_Vetting, generics.RetrieveAPIView[Provider]):
    """A provider with its checklist, every document it uploaded and its places."""

    serializer_class = VettingProviderOut
    queryset = Provider.objects.prefetch_related("locations")
    lookup_url_kwarg = "id"

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(_provider_out(self.get_object()))


class VettingProviderStatus(_Vetting, generics.GenericAPIView[Provider]):
    """Move the provider on: under_review, approved (every required document accepted
    and in date), rejected or suspended (with a reason the provider sees). A move the
    rules do not allow gets 400 with the reason."""

    serializer_class = VettingProviderOut
    queryset = Provider.objects.all()
    lookup_url_kwarg = "id"

    @extend_schema(request=ProviderStatusInput, responses={200: VettingProviderOut, 400: PROBLEM})
    def post(self, request: Request, id: str) -> Response:
        data = ProviderStatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        provider = providers.provider_status_change(
            provider=self.get_object(),
            status=data.validated_data["status"],
            reason=data.validated_data["reason"],
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        return Response(_provider_out(provider))


class VettingDocumentReview(_Vetting, generics.GenericAPIView[VettingDocument]):
    """Accept a document, or reject it with a note saying what to put right."""

    serializer_class = DocumentOut
    queryset = VettingDocument.objects.select_related("upload", "provider").defer("upload__content")
    lookup_url_kwarg = "id"

    @extend_schema(request=DocumentReviewInput, responses={200: DocumentOut, 400: PROBLEM})
    def post(self, request: Request, id: str) -> Response:
        data = DocumentReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        document = providers.vetting_document_review(
            document=self.get_object(),
            accept=data.validated_data["accept"],
            note=data.validated_data["note"],
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        fresh = self.get_queryset().get(pk=document.pk)
        return Response(DocumentOut(fresh).data)


@extend_schema(
    responses={
        (200, "application/octet-stream"): OpenApiResponse(
            OpenApiTypes.BINARY, description="The document, as a download"
        )
    }
)
class VettingDocumentFile(FileView, _Vetting, generics.GenericAPIView[VettingDocument]):
    """Download a provider's vetting document."""

    queryset = VettingDocument.objects.select_related("upload")
    lookup_url_kwarg = "id"

    def get(self, request: Request, id: str) -> HttpResponse:
        document = self.get_object()
        return file_response(
            content=document.upload.content,
            content_type=document.upload.content_type,
            cache_control="private, no-store",
            filename=document.upload.original_name,
        )
