"""Budget rules API, on a council's host only: the versions, a version's
questionnaire, drafts (made, changed, published) and the preview of what a draft
would do to current budgets. Rules are changed by administrators (tenant.configure);
care managers read them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import PLANS_MANAGE, TENANT_CONFIGURE, requires
from catalogue.api.base import COUNCIL_HOST, HostScoped, requires_any, signed_in_user
from core.errors import ValidationFailed
from core.services import Origin, audit_record

from ..models import Adjustment, Answer, RulesVersion
from ..selectors import rules_preview, rules_questionnaire, rules_version_list
from ..services import (
    BandInput,
    rules_adjustment_update,
    rules_answer_update,
    rules_bands_set,
    rules_version_create,
    rules_version_publish,
    rules_version_update,
)
from .serializers import (
    AdjustmentChangeInput,
    AnswerChangeInput,
    BandsInput,
    PreviewRowOut,
    RulesDraftInput,
    RulesSettingsInput,
    RulesVersionDetailOut,
    RulesVersionOut,
)

PROBLEM = OpenApiResponse(description="Problem details (application/problem+json)")
CONFIGURES = requires(TENANT_CONFIGURE)
READS_RULES = requires_any(TENANT_CONFIGURE, PLANS_MANAGE)


@extend_schema(tags=["rules: budget rules (a council's host only)"])
class _Rules(HostScoped):
    host_scope = COUNCIL_HOST


def _detail(version: RulesVersion) -> dict[str, Any]:
    version.questionnaire = rules_questionnaire(version=version)  # type: ignore[attr-defined]
    return RulesVersionDetailOut(version).data


class RulesVersionList(_Rules, generics.ListCreateAPIView[RulesVersion]):
    """GET: every version, newest first. POST: a new draft, a copy of `based_on` (or of
    the version in effect today) with the settings given (administrators)."""

    serializer_class = RulesVersionOut

    def get_permissions(self) -> list[BasePermission]:
        return [CONFIGURES()] if self.request.method == "POST" else [READS_RULES()]

    def get_queryset(self) -> Any:
        return rules_version_list()

    @extend_schema(request=RulesDraftInput, responses={201: RulesVersionDetailOut, 400: PROBLEM})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = RulesDraftInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        based_on = None
        if (number := values.pop("based_on", None)) is not None:
            based_on = RulesVersion.objects.filter(number=number).first()
            if based_on is None:
                message = f"There is no rules version {number} to copy"
                raise ValidationFailed(message, field_errors={"based_on": [message]})
        version = rules_version_create(
            based_on=based_on, by=signed_in_user(request), origin=Origin.of(request), **values
        )
        return Response(_detail(version), status=status.HTTP_201_CREATED)


class _VersionObject(_Rules, generics.GenericAPIView[RulesVersion]):
    serializer_class: Any = RulesVersionDetailOut
    queryset = RulesVersion.objects.all()
    lookup_field = "number"
    lookup_url_kwarg = "number"


class RulesVersionDetail(_VersionObject):
    """GET: a version with its questionnaire (domains, questions, answers and their
    points), bands and adjustments. PATCH: change a draft's settings or effective date
    (administrators); published versions never change."""

    def get_permissions(self) -> list[BasePermission]:
        return [CONFIGURES()] if self.request.method == "PATCH" else [READS_RULES()]

    def get(self, request: Request, number: int) -> Response:
        return Response(_detail(self.get_object()))

    @extend_schema(request=RulesSettingsInput, responses={200: RulesVersionDetailOut, 400: PROBLEM})
    def patch(self, request: Request, number: int) -> Response:
        version = self.get_object()
        data = RulesSettingsInput(data=request.data)
        data.is_valid(raise_exception=True)
        version = rules_version_update(
            version=version,
            by=signed_in_user(request),
            origin=Origin.of(request),
            **data.validated_data,
        )
        return Response(_detail(version))


class RulesVersionPublish(_VersionObject):
    """Publish a draft: it takes effect on its date (today or later, and not a date
    another published version has)."""

    permission_classes = [CONFIGURES]

    @extend_schema(request=None, responses={200: RulesVersionDetailOut, 400: PROBLEM})
    def post(self, request: Request, number: int) -> Response:
        version = rules_version_publish(
            version=self.get_object(), by=signed_in_user(request), origin=Origin.of(request)
        )
        return Response(_detail(version))


class RulesVersionPreview(_VersionObject):
    """For every active budget: its weekly amount now, what this version would give
    from the person's latest assessment, and the difference. Budgets and plans keep the
    version they were approved under. The read is audited: it names people."""

    permission_classes = [CONFIGURES]
    serializer_class = PreviewRowOut
    pagination_class = None

    @extend_schema(responses={200: PreviewRowOut(many=True)})
    def get(self, request: Request, number: int) -> Response:
        version = self.get_object()
        rows = rules_preview(draft=version)
        audit_record(
            action="rules.previewed",
            actor=request.user,
            obj=version,
            origin=Origin.of(request),
            detail={"number": version.number, "budgets": len(rows)},
        )
        return Response(PreviewRowOut(rows, many=True).data)


def _part_not_found(what: str) -> NotFound:
    return NotFound(f"Rules version has no {what} with that id: check the version's questionnaire")


class RulesAnswerChange(_VersionObject):
    """Change one answer's points (and, optionally, its wording) in a draft."""

    permission_classes = [CONFIGURES]

    @extend_schema(request=AnswerChangeInput, responses={200: RulesVersionDetailOut, 400: PROBLEM})
    def patch(self, request: Request, number: int, id: int) -> Response:
        version = self.get_object()
        answer = Answer.objects.filter(question__domain__version=version, pk=id).first()
        if answer is None:
            raise _part_not_found("answer")
        data = AnswerChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        rules_answer_update(
            answer=answer,
            by=signed_in_user(request),
            origin=Origin.of(request),
            **data.validated_data,
        )
        return Response(_detail(version))


class RulesAdjustmentChange(_VersionObject):
    """Change what one adjustment (by its code) adds, in a draft."""

    permission_classes = [CONFIGURES]

    @extend_schema(
        request=AdjustmentChangeInput, responses={200: RulesVersionDetailOut, 400: PROBLEM}
    )
    def patch(self, request: Request, number: int, code: str) -> Response:
        version = self.get_object()
        adjustment = Adjustment.objects.filter(version=version, code=code).first()
        if adjustment is None:
            raise _part_not_found("adjustment")
        data = AdjustmentChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        rules_adjustment_update(
            adjustment=adjustment,
            by=signed_in_user(request),
            origin=Origin.of(request),
            **data.validated_data,
        )
        return Response(_detail(version))


class RulesBandsReplace(_VersionObject):
    """Replace a draft's bands: from 0 points, no gaps or overlaps, up to the highest
    total a person can score. An empty list means money by the price per point."""

    permission_classes = [CONFIGURES]

    @extend_schema(request=BandsInput, responses={200: RulesVersionDetailOut, 400: PROBLEM})
    def put(self, request: Request, number: int) -> Response:
        version = self.get_object()
        data = BandsInput(data=request.data)
        data.is_valid(raise_exception=True)
        rules_bands_set(
            version=version,
            bands=[BandInput(**band) for band in data.validated_data["bands"]],
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        return Response(_detail(version))
