"""Paying providers, for a council's finance officers (finance.manage), on its host:
payout batches with their remittance advice, BACS payment files and the daily
reconciliation's exceptions. The PayPal webhook lives on the platform's host
(PayPalWebhook, routed from epurse.urls_public)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import FINANCE_MANAGE, requires
from catalogue.api.base import PLATFORM_HOST, HostScoped, signed_in_user
from core.idempotency import IDEMPOTENCY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent
from core.services import Origin

from ..payouts import selectors, services, webhooks
from ..payouts.models import PaymentFile, PayoutBatch, ReconciliationException
from .views import PROBLEM, _Purse


class RemittanceLineOut(serializers.Serializer):
    order_reference = serializers.CharField()
    visit_on = serializers.DateField(allow_null=True)
    description = serializers.CharField()
    amount_pence = serializers.IntegerField()


class BatchOut(serializers.ModelSerializer[PayoutBatch]):
    id = serializers.UUIDField(source="public_id")
    status_label = serializers.CharField(source="get_status_display")
    payment_file = serializers.CharField(source="payment_file.reference", default=None)

    class Meta:
        model = PayoutBatch
        fields = [
            "id",
            "key",
            "provider_id",
            "on",
            "gateway",
            "amount_pence",
            "status",
            "status_label",
            "gateway_batch_id",
            "gateway_status",
            "failure_reason",
            "attempts",
            "last_error",
            "next_attempt_at",
            "payment_file",
            "created_at",
            "sent_at",
            "finished_at",
        ]


class BatchDetailOut(BatchOut):
    remittance = serializers.SerializerMethodField()

    class Meta(BatchOut.Meta):
        fields = [*BatchOut.Meta.fields, "remittance"]

    def get_remittance(self, batch: PayoutBatch) -> list[dict[str, Any]]:
        lines = selectors.remittance_for(batch=batch)
        return RemittanceLineOut(lines, many=True).data  # type: ignore[return-value]


class PaymentFileOut(serializers.ModelSerializer[PaymentFile]):
    id = serializers.UUIDField(source="public_id")

    class Meta:
        model = PaymentFile
        fields = [
            "id",
            "reference",
            "on",
            "status",
            "total_pence",
            "payments",
            "confirmed_at",
            "created_at",
        ]


class ExceptionOut(serializers.ModelSerializer[ReconciliationException]):
    id = serializers.UUIDField(source="public_id")
    kind_label = serializers.CharField(source="get_kind_display")
    batch = serializers.UUIDField(source="batch.public_id", default=None)
    found_on = serializers.DateField(source="run.on")

    class Meta:
        model = ReconciliationException
        fields = [
            "id",
            "kind",
            "kind_label",
            "subject",
            "batch",
            "provider_id",
            "amount_pence",
            "message",
            "found_on",
            "resolved_at",
            "resolution",
        ]


class ResolveInput(serializers.Serializer):
    resolution = serializers.CharField(max_length=2000)


class _Finance(_Purse):
    permission_classes = [requires(FINANCE_MANAGE)]


@extend_schema(
    parameters=[
        OpenApiParameter("status", OpenApiTypes.STR, enum=[s.value for s in PayoutBatch.Status])
    ]
)
class BatchList(_Finance, generics.ListAPIView[PayoutBatch]):
    """Payout batches, newest first; ?status= to filter."""

    serializer_class = BatchOut

    def get_queryset(self) -> Any:
        return selectors.batches_listed(status=self.request.query_params.get("status", ""))


class BatchDetail(_Finance, generics.RetrieveAPIView[PayoutBatch]):
    """One batch and its remittance advice: the care it pays for."""

    serializer_class = BatchDetailOut
    queryset = PayoutBatch.objects.select_related("payment_file")
    lookup_field = "public_id"
    lookup_url_kwarg = "id"


class ReturnInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class BatchReturn(_Finance, generics.GenericAPIView[PayoutBatch]):
    """Give a payment that was never sent back to what the provider is owed (it goes
    in a later batch). Only once you are sure the gateway did not pay it. Send an
    Idempotency-Key."""

    serializer_class = BatchOut
    queryset = PayoutBatch.objects.select_related("payment_file")
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    @extend_schema(
        request=ReturnInput,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: BatchOut, 400: PROBLEM, **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def post(self, request: Request, id: str) -> Response:
        batch = self.get_object()
        data = ReturnInput(data=request.data)
        data.is_valid(raise_exception=True)
        batch = services.payout_return(
            batch=batch,
            reason=data.validated_data["reason"],
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        return Response(BatchOut(batch).data)


class PaymentFileList(_Finance, generics.ListAPIView[PaymentFile]):
    """BACS payment files, newest first."""

    serializer_class = PaymentFileOut
    queryset = PaymentFile.objects.all()


class PaymentFileDownload(_Finance, generics.GenericAPIView[PaymentFile]):
    """The payment file as CSV, in the layout documented in docs/payouts.md."""

    queryset = PaymentFile.objects.all()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request: Request, id: str) -> HttpResponse:
        payment_file = self.get_object()
        response = HttpResponse(payment_file.content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{payment_file.reference}.csv"'
        return response


class PaymentFilePaid(_Finance, generics.GenericAPIView[PaymentFile]):
    """Confirm that the council's finance system has paid this file: its batches are
    settled. Send an Idempotency-Key; confirming again settles nothing more."""

    queryset = PaymentFile.objects.all()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    serializer_class = PaymentFileOut

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: PaymentFileOut, **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def post(self, request: Request, id: str) -> Response:
        payment_file = self.get_object()
        services.payment_file_paid(
            payment_file=payment_file, by=signed_in_user(request), origin=Origin.of(request)
        )
        payment_file.refresh_from_db()
        return Response(PaymentFileOut(payment_file).data)


@extend_schema(parameters=[OpenApiParameter("open", OpenApiTypes.BOOL)])
class ExceptionList(_Finance, generics.ListAPIView[ReconciliationException]):
    """The reconciliation's exceptions; ?open=true for those not yet resolved."""

    serializer_class = ExceptionOut

    def get_queryset(self) -> Any:
        wanted = self.request.query_params.get("open", "").lower() in ("1", "true", "yes")
        return selectors.exceptions_listed(open_only=wanted)


class ExceptionResolve(_Finance, generics.GenericAPIView[ReconciliationException]):
    """Record what was done about an exception; it is then closed."""

    queryset = ReconciliationException.objects.select_related("batch", "run")
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    serializer_class = ExceptionOut

    @extend_schema(request=ResolveInput, responses={200: ExceptionOut, 400: PROBLEM})
    def post(self, request: Request, id: str) -> Response:
        found = self.get_object()
        data = ResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        found = services.exception_resolve(
            exception=found,
            resolution=data.validated_data["resolution"],
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        return Response(ExceptionOut(found).data)


class PayPalWebhook(HostScoped, APIView):
    """PayPal's payout notifications (platform host). Acted on only when PayPal confirms
    the signature; each event is kept once, so a duplicate changes nothing."""

    host_scope = PLATFORM_HOST
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={
            200: OpenApiResponse(description="Received"),
            400: PROBLEM,
            503: OpenApiResponse(description="PayPal could not confirm it yet: send it again"),
        },
    )
    def post(self, request: Request) -> Response:
        headers = {name.upper(): value for name, value in request.headers.items()}
        try:
            event, new = webhooks.paypal_webhook_receive(headers=headers, body=request.body)
        except webhooks.GatewayNotAnswering:
            return Response(
                {"detail": "We could not check this notification with PayPal yet."},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        return Response({"received": event.event_id, "new": new})
