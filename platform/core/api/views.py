from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import AUDIT_VIEW, requires
from core.models import AuditEntry
from core.selectors import audit_entry_list


class AuditEntryOut(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "occurred_at",
            "actor_id",
            "actor_label",
            "acting_for_id",
            "acting_for_label",
            "action",
            "object_type",
            "object_id",
            "result",
            "ip_address",
            "user_agent",
            "detail",
        ]
        read_only_fields = fields


@extend_schema(
    parameters=[
        OpenApiParameter("action", OpenApiTypes.STR, description="e.g. auth.login"),
        OpenApiParameter("object_id", OpenApiTypes.STR),
    ]
)
class AuditEntryList(generics.ListAPIView[AuditEntry]):
    """This council's audit log, newest first. Entries are never changed or removed."""

    permission_classes = [requires(AUDIT_VIEW)]
    serializer_class = AuditEntryOut

    def get_queryset(self) -> Any:
        return audit_entry_list(
            action=self.request.query_params.get("action", ""),
            object_id=self.request.query_params.get("object_id", ""),
        )


class SchemaView(SpectacularAPIView):
    """OpenAPI for the host it is asked on (tenant and public hosts differ)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.urlconf = getattr(request, "urlconf", None)
        return super().get(request, *args, **kwargs)


class DocsView(SpectacularSwaggerView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
