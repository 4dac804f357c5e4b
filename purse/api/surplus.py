"""Surplus notices, under /api/purse/ (a council's host only): finance and care
managers list them and decide on reconsiderations; finance returns money recovered;
the person, their representatives and staff on their behalf read a notice and ask for
it to be reconsidered. A notice the caller may not see is 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import FINANCE_MANAGE, PLANS_MANAGE, requires
from catalogue.api.base import requires_any, signed_in_user
from core.idempotency import IDEMPOTENCY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent
from core.services import Origin

from ..selectors import PersonNotFound, person_for_viewer, person_own
from ..surplus import services
from ..surplus.models import SurplusNotice
from ..surplus.selectors import (
    surplus_notice_for_viewer,
    surplus_notices_listed,
    surplus_staff,
)
from .views import PROBLEM, _AuditedList, _Purse


class SurplusNoticeOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    person = serializers.UUIDField(source="person.public_id", read_only=True)
    person_name = serializers.CharField(source="person.__str__", read_only=True)
    status_text = serializers.CharField(source="get_status_display", read_only=True)
    transaction = serializers.SerializerMethodField()
    reversal = serializers.SerializerMethodField()

    class Meta:
        model = SurplusNotice
        fields = [
            "id",
            "reference",
            "person",
            "person_name",
            "status",
            "status_text",
            "available_pence",
            "threshold_weeks",
            "threshold_pence",
            "amount_pence",
            "reasons",
            "issued_on",
            "recover_on",
            "reconsideration",
            "reconsideration_requested_on",
            "decided_on",
            "decision_reason",
            "recovered_pence",
            "transaction",
            "reversal",
            "reversal_reason",
            "closed_on",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_transaction(self, notice: SurplusNotice) -> str | None:
        return str(notice.transaction.public_id) if notice.transaction else None

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_reversal(self, notice: SurplusNotice) -> str | None:
        reversal = getattr(notice.transaction, "reversal", None) if notice.transaction else None
        return str(reversal.public_id) if reversal is not None else None


class SurplusListInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=SurplusNotice.Status.choices, required=False)
    person = serializers.UUIDField(
        required=False, help_text="One person's notices (needed unless finance or care manager)"
    )


class ReconsiderationInput(serializers.Serializer):
    text = serializers.CharField(
        max_length=5000, help_text="Why the money should not be taken back"
    )


class DecisionInput(serializers.Serializer):
    withdraw = serializers.BooleanField(
        help_text="true: nothing is taken back; false: the notice stands, with a new date"
    )
    reason = serializers.CharField(max_length=5000)


class ReverseInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


def _out(notice: SurplusNotice) -> Any:
    fresh = SurplusNotice.objects.select_related("person", "transaction__reversal").get(
        pk=notice.pk
    )
    return SurplusNoticeOut(fresh).data


@extend_schema(parameters=[SurplusListInput])
class SurplusNoticeList(_AuditedList, _Purse, generics.ListAPIView[SurplusNotice]):
    """Surplus notices, newest first: every notice for finance and care managers (the
    read is audited); one person's (?person=) for whoever may see that person."""

    permission_classes = [IsAuthenticated]
    serializer_class = SurplusNoticeOut
    audit_action = "surplus_notices.listed"

    def get_queryset(self) -> QuerySet[SurplusNotice]:
        params = SurplusListInput(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        person = None
        if person_id := params.validated_data.get("person"):
            person = person_for_viewer(
                public_id=person_id,
                viewer=self.request.user,
                origin=Origin.of(self.request),
                reading="surplus notices",
            )
        elif not surplus_staff(self.request.user):
            raise PermissionDenied("You do not have permission to do this.")
        return surplus_notices_listed(status=params.validated_data.get("status"), person=person)


class SurplusNoticesOwn(_Purse, generics.ListAPIView[SurplusNotice]):
    """The signed-in person's own surplus notices, newest first (404 when their account
    is not linked to a person here)."""

    permission_classes = [IsAuthenticated]
    serializer_class = SurplusNoticeOut
    pagination_class = None

    def get_queryset(self) -> QuerySet[SurplusNotice]:
        person = person_own(user=self.request.user)
        if person is None:
            raise PersonNotFound()
        return surplus_notices_listed(person=person)


class _NoticeView(_Purse, generics.GenericAPIView[SurplusNotice]):
    permission_classes = [IsAuthenticated]
    serializer_class = SurplusNoticeOut
    # Looked up by surplus_notice_for_viewer; named here for the schema and the
    # isolation probe.
    queryset = SurplusNotice.objects.all()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def notice(self, request: Request, id: str) -> SurplusNotice:
        return surplus_notice_for_viewer(
            public_id=id, viewer=request.user, origin=Origin.of(request)
        )


class SurplusNoticeDetail(_NoticeView):
    """A notice: how much, why, when the money will be taken back, and what became of it."""

    def get(self, request: Request, id: str) -> Response:
        return Response(_out(self.notice(request, id)))


class SurplusReconsideration(_NoticeView):
    """Ask for the notice to be reconsidered (the person, a representative with the view
    scope, or staff on their behalf): nothing is taken back until it is decided."""

    @extend_schema(request=ReconsiderationInput, responses={200: SurplusNoticeOut, 400: PROBLEM})
    def post(self, request: Request, id: str) -> Response:
        notice = self.notice(request, id)
        data = ReconsiderationInput(data=request.data)
        data.is_valid(raise_exception=True)
        notice = services.surplus_reconsideration_request(
            notice=notice,
            text=data.validated_data["text"],
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        return Response(_out(notice))


class SurplusDecision(_NoticeView):
    """Decide a reconsideration (care managers, finance): withdraw the notice, or let it
    stand with a new recovery date a notice period away."""

    permission_classes = [requires_any(PLANS_MANAGE, FINANCE_MANAGE)]

    @extend_schema(request=DecisionInput, responses={200: SurplusNoticeOut, 400: PROBLEM})
    def post(self, request: Request, id: str) -> Response:
        notice = self.notice(request, id)
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        notice = services.surplus_reconsideration_decide(
            notice=notice,
            withdraw=data.validated_data["withdraw"],
            reason=data.validated_data["reason"],
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        return Response(_out(notice))


class SurplusReverse(_NoticeView):
    """Return money taken back under a notice to the purse (finance), once. Send an
    Idempotency-Key: a retry never returns it twice."""

    permission_classes = [requires(FINANCE_MANAGE)]

    @extend_schema(
        request=ReverseInput,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: SurplusNoticeOut, 400: PROBLEM, **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def post(self, request: Request, id: str) -> Response:
        notice = self.notice(request, id)
        data = ReverseInput(data=request.data)
        data.is_valid(raise_exception=True)
        notice = services.surplus_recovery_reverse(
            notice=notice,
            reason=data.validated_data["reason"],
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        return Response(_out(notice))
