"""The providers' orders inbox, on the platform's host: orders from every council that
approves the provider, and the provider's answers (accept, decline, report a visit)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from catalogue.api.base import PortalView, signed_in_user
from core.idempotency import IDEMPOTENCY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent
from core.services import Origin

from ..orders.inbox import provider_inbox, provider_order_answer
from ..orders.models import Order

PROBLEM = OpenApiResponse(description="Problem details (application/problem+json)")


class InboxVisitOut(serializers.Serializer):
    id = serializers.IntegerField()
    on = serializers.DateField()
    amount_pence = serializers.IntegerField()
    status = serializers.CharField()
    delivered_units_centi = serializers.IntegerField(allow_null=True)


class InboxOrderOut(serializers.Serializer):
    council = serializers.CharField()
    council_name = serializers.CharField()
    id = serializers.UUIDField()
    reference = serializers.CharField()
    status = serializers.CharField()
    service_name = serializers.CharField()
    person_name = serializers.CharField()
    address = serializers.CharField(help_text="Only for visits at the person's home")
    communication_needs = serializers.ListField(child=serializers.CharField())
    preferred_language = serializers.CharField()
    unit = serializers.CharField()
    units_centi = serializers.IntegerField()
    unit_price_pence = serializers.IntegerField()
    frequency = serializers.CharField()
    starts_on = serializers.DateField()
    at = serializers.TimeField()
    visits = InboxVisitOut(many=True)


class InboxFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=Order.Status.choices, required=False)


class AnswerInput(serializers.Serializer):
    council = serializers.CharField(max_length=63, help_text="The council's slug, as listed")
    order = serializers.UUIDField()
    answer = serializers.ChoiceField(choices=["accept", "decline", "deliver"])
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Why you decline"
    )
    visit = serializers.IntegerField(required=False, help_text="For deliver: the visit's id")
    units = serializers.CharField(
        required=False, max_length=10, help_text="For deliver: how much, e.g. 1.5 (0: none)"
    )


@extend_schema(tags=["provider portal (the platform's host only)"])
class ProviderOrders(PortalView, generics.GenericAPIView[Any]):
    """GET: your orders from every council, newest first (optionally one status),
    with what delivery needs and nothing more. POST: answer one: accept or decline it
    (with a reason), or report a visit delivered with how much (paid at once, or when
    the person confirms where their council asks). Send an Idempotency-Key."""

    serializer_class = InboxOrderOut
    pagination_class = None

    @extend_schema(parameters=[InboxFilter], responses={200: InboxOrderOut(many=True)})
    def get(self, request: Request) -> Response:
        params = InboxFilter(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = provider_inbox(provider=self.provider, status=params.validated_data.get("status"))
        return Response(InboxOrderOut(found, many=True).data)

    @extend_schema(
        request=AnswerInput,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: InboxOrderOut, 400: PROBLEM, 404: PROBLEM, **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = AnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        row = provider_order_answer(
            provider=self.provider,
            council=fields.pop("council"),
            order_id=fields.pop("order"),
            answer=fields.pop("answer"),
            visit_id=fields.pop("visit", None),
            by=signed_in_user(request),
            origin=Origin.of(request),
            **fields,
        )
        return Response(InboxOrderOut(row).data)
