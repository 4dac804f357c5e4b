"""Personal budgets API, on a council's host only (404 on the platform's host).

Care managers (plans.manage) change records; support workers see their caseload; a
budget holder and representatives with the view scope read their own; finance
(finance.manage) reads budgets only. Every read of a person's record by staff is
audited (purse.selectors.person_for_viewer); a record the caller may not see is 404,
so the answer never tells whether someone is known to the council."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, prefetch_related_objects
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import (
    FINANCE_MANAGE,
    PEOPLE_VIEW_CASELOAD,
    PLANS_MANAGE,
    requires,
)
from catalogue.api.base import COUNCIL_HOST, HostScoped, requires_any, signed_in_user
from core.errors import ValidationFailed
from core.idempotency import IDEMPOTENCY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent
from core.services import Origin, audit_record
from tenants.rules.models import Answer, Question

from ..ledger.services import purse_open
from ..models import (
    Assessment,
    Budget,
    Challenge,
    Person,
    Representative,
    Review,
    SupportPlan,
    SupportWorkerAssignment,
)
from ..orders import services as orders
from ..orders.models import Order, Visit
from ..selectors import (
    RECORD_RELATED,
    PersonNotFound,
    people_for_staff,
    person_consents,
    person_for_viewer,
    person_orders,
    person_own,
    plans_listed,
    representations_current,
)
from ..services import assessments, challenges, funding, people, plans, reviews
from .serializers import (
    AnswerInput,
    AssessmentOut,
    AssessmentStartInput,
    BudgetOut,
    ChallengeDecideInput,
    ChallengeInput,
    ChallengeOut,
    CompleteInput,
    ConsentInput,
    ConsentOut,
    EligibilityInput,
    MoneyMovedOut,
    OrderInput,
    OrderOut,
    PaymentInput,
    PersonInput,
    PersonRecordOut,
    PersonSummaryOut,
    PlanInput,
    PlanListInput,
    PlanListOut,
    PlanOut,
    PlanReviewOut,
    RepresentativeEndInput,
    RepresentativeInput,
    RepresentativeOut,
    RepresentedOut,
    ReviewCompleteInput,
    ReviewListInput,
    ReviewTriggerInput,
    SupportWorkerInput,
    SupportWorkerOut,
)

PROBLEM = OpenApiResponse(description="Problem details (application/problem+json)")
MANAGES_PLANS = requires(PLANS_MANAGE)

_PLAN_RELATED = ("person", "assessment", "rules_version")


@extend_schema(tags=["purse: people, assessments and plans (a council's host only)"])
class _Purse(HostScoped):
    host_scope = COUNCIL_HOST


def _not_found(field: str, what: str) -> ValidationFailed:
    # The id is not repeated: it may be another council's.
    message = f"We could not find that {what}. Check the id."
    return ValidationFailed(message, field_errors={field: [message]})


def _user(public_id: Any, field: str) -> User:
    user = User.objects.filter(public_id=public_id).first()
    if user is None:
        raise _not_found(field, "user")
    return user


def _visible(request: Request, person: Person, reading: Any) -> Person:
    """`person`, if the caller may see them (staff reads of `reading` audited); else 404."""
    return person_for_viewer(
        public_id=person.public_id, viewer=request.user, origin=Origin.of(request), reading=reading
    )


class _AuditedList:
    """A list naming people: each read is audited, with the query asked."""

    audit_action: str

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)  # type: ignore[misc]
        audit_record(
            action=self.audit_action,
            actor=request.user,
            origin=Origin.of(request),
            detail={"query": request.GET.urlencode()[:500]},
        )
        return response


def _record(person: Person) -> dict[str, Any]:
    prefetch_related_objects([person], *RECORD_RELATED)
    return PersonRecordOut(person).data


# --- People ---------------------------------------------------------------------


class PersonList(_AuditedList, _Purse, generics.ListCreateAPIView[Person]):
    """GET: people a member of staff works with (care managers: everyone here; support
    workers: their caseload today). The list read is audited. POST: record a person
    (care managers)."""

    serializer_class = PersonSummaryOut
    audit_action = "people.listed"

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "POST":
            return [MANAGES_PLANS()]
        return [requires(PEOPLE_VIEW_CASELOAD)()]

    def get_queryset(self) -> QuerySet[Person]:
        return people_for_staff(viewer=signed_in_user(self.request))

    @extend_schema(request=PersonInput, responses={201: PersonRecordOut, 400: PROBLEM})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = PersonInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        account = fields.pop("account", None)
        person = people.person_create(
            **fields,
            user=_user(account, "account") if account else None,
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        return Response(_record(person), status=status.HTTP_201_CREATED)


class PersonDetail(_Purse, generics.GenericAPIView[Person]):
    """GET: a person's record, for staff who work with them (audited), the person
    themself and representatives with the view scope; anyone else gets 404. PATCH:
    change some details (care managers)."""

    serializer_class = PersonRecordOut
    queryset = Person.objects.all()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "PATCH":
            return [MANAGES_PLANS()]
        return [IsAuthenticated()]

    def get(self, request: Request, id: str) -> Response:
        person = person_for_viewer(public_id=id, viewer=request.user, origin=Origin.of(request))
        return Response(_record(person))

    @extend_schema(
        request=PersonInput(partial=True), responses={200: PersonRecordOut, 400: PROBLEM}
    )
    def patch(self, request: Request, id: str) -> Response:
        person = self.get_object()
        data = PersonInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "account" in changes:
            account = changes.pop("account")
            changes["user"] = _user(account, "account") if account else None
        person = people.person_update(
            person=person, by=signed_in_user(request), origin=Origin.of(request), **changes
        )
        return Response(_record(person))


class PersonOwn(_Purse, generics.GenericAPIView[Person]):
    """GET: the signed-in person's own record, with their plans and assessments (ids,
    status, weekly budget), so they can find them. 404 when their account is not linked
    to a person here."""

    permission_classes = [IsAuthenticated]
    serializer_class = PersonRecordOut

    def get(self, request: Request) -> Response:
        person = person_own(user=request.user)
        if person is None:
            raise PersonNotFound()
        return Response(PersonRecordOut(person).data)


class PeopleRepresented(_Purse, generics.ListAPIView[Representative]):
    """The people the signed-in representative may see today (the view scope, with
    dates covering today), with the scopes and dates of each representation."""

    permission_classes = [IsAuthenticated]
    serializer_class = RepresentedOut

    def get_queryset(self) -> QuerySet[Representative]:
        return representations_current(user=self.request.user)


class RepresentativeAdd(_Purse, generics.GenericAPIView[Person]):
    """Let a user with the representative role act for the person, within scopes
    (view, order, manage), between two dates (care managers)."""

    permission_classes = [MANAGES_PLANS]
    serializer_class = RepresentativeOut
    queryset = Person.objects.all()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    @extend_schema(request=RepresentativeInput, responses={201: RepresentativeOut, 400: PROBLEM})
    def post(self, request: Request, id: str) -> Response:
        person = self.get_object()
        data = RepresentativeInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        representative = people.representative_add(
            person=person,
            user=_user(fields.pop("user"), "user"),
            by=signed_in_user(request),
            origin=Origin.of(request),
            **fields,
        )
        return Response(RepresentativeOut(representative).data, status=status.HTTP_201_CREATED)


class RepresentativeEnd(_Purse, generics.GenericAPIView[Representative]):
    """Stop a representative acting for the person after a day (default today)."""

    permission_classes = [MANAGES_PLANS]
    serializer_class = RepresentativeOut
    queryset = Representative.objects.select_related("user", "person")
    lookup_url_kwarg = "id"

    @extend_schema(request=RepresentativeEndInput, responses={200: RepresentativeOut, 400: PROBLEM})
    def post(self, request: Request, id: int) -> Response:
        representative = self.get_object()
        data = RepresentativeEndInput(data=request.data)
        data.is_valid(raise_exception=True)
        representative = people.representative_end(
            representative=representative,
            ends_on=data.validated_data.get("ends_on"),
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        return Response(RepresentativeOut(representative).data)


class SupportWorkerAssign(_Purse, generics.GenericAPIView[Person]):
    """Put the person on a support worker's caseload from a day (default today),
    optionally until another (care managers)."""

    permission_classes = [MANAGES_PLANS]
    serializer_class = SupportWorkerOut
    queryset = Person.objects.all()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    @extend_schema(request=SupportWorkerInput, responses={201: SupportWorkerOut, 400: PROBLEM})
    def post(self, request: Request, id: str) -> Response:
        person = self.get_object()
        data = SupportWorkerInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        assignment = people.support_worker_assign(
            person=person,
            worker=_user(fields.pop("worker"), "worker"),
            by=signed_in_user(request),
            origin=Origin.of(request),
            **fields,
        )
        return Response(SupportWorkerOut(assignment).data, status=status.HTTP_201_CREATED)


class SupportWorkerEnd(_Purse, generics.GenericAPIView[SupportWorkerAssignment]):
    """Take the person off the worker's caseload after a day (default today)."""

    permission_classes = [MANAGES_PLANS]
    serializer_class = SupportWorkerOut
    queryset = SupportWorkerAssignment.objects.select_related("worker", "person")
    lookup_url_kwarg = "id"

    @extend_schema(request=RepresentativeEndInput, responses={200: SupportWorkerOut, 400: PROBLEM})
    def post(self, request: Request, id: int) -> Response:
        assignment = self.get_object()
        data = RepresentativeEndInput(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = people.support_worker_end(
            assignment=assignment,
            ends_on=data.validated_data.get("ends_on"),
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        return Response(SupportWorkerOut(assignment).data)


class PersonConsents(_Purse, generics.GenericAPIView[Person]):
    """GET: the person's consent records, newest first (whoever may see the person;
    staff reads are audited). The latest record for a purpose is the one that stands.
    POST: record consent given or withdrawn (care managers)."""

    serializer_class = ConsentOut
    queryset = Person.objects.all()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    pagination_class = None

    def get_permissions(self) -> list[BasePermission]:
        return [MANAGES_PLANS()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(responses={200: ConsentOut(many=True)})
    def get(self, request: Request, id: str) -> Response:
        person = person_for_viewer(
            public_id=id, viewer=request.user, origin=Origin.of(request), reading="consents"
        )
        return Response(ConsentOut(person_consents(person=person), many=True).data)

    @extend_schema(request=ConsentInput, responses={201: ConsentOut, 400: PROBLEM})
    def post(self, request: Request, id: str) -> Response:
        person = self.get_object()
        data = ConsentInput(data=request.data)
        data.is_valid(raise_exception=True)
        consent = people.consent_record(
            person=person,
            by=signed_in_user(request),
            origin=Origin.of(request),
            **data.validated_data,
        )
        return Response(ConsentOut(consent).data, status=status.HTTP_201_CREATED)


# --- Assessments ----------------------------------------------------------------


def _assessment_out(assessment: Assessment) -> dict[str, Any]:
    fresh = (
        Assessment.objects.select_related("person", "rules_version")
        .prefetch_related("answers__question", "answers__answer")
        .get(pk=assessment.pk)
    )
    return AssessmentOut(fresh).data


class AssessmentStart(_Purse, generics.GenericAPIView[Assessment]):
    """Start a needs assessment of a person under the rules in effect today."""

    permission_classes = [MANAGES_PLANS]
    serializer_class = AssessmentOut

    @extend_schema(request=AssessmentStartInput, responses={201: AssessmentOut, 400: PROBLEM})
    def post(self, request: Request) -> Response:
        data = AssessmentStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        person = Person.objects.filter(public_id=data.validated_data["person"]).first()
        if person is None:
            raise _not_found("person", "person")
        assessment = assessments.assessment_start(
            person=person, by=signed_in_user(request), origin=Origin.of(request)
        )
        return Response(_assessment_out(assessment), status=status.HTTP_201_CREATED)


class _AssessmentObject(_Purse, generics.GenericAPIView[Assessment]):
    serializer_class = AssessmentOut
    queryset = Assessment.objects.select_related("person", "rules_version")
    lookup_field = "public_id"
    lookup_url_kwarg = "id"


class AssessmentDetail(_AssessmentObject):
    """An assessment with its answers and, once complete, the plain-English explanation
    of the indicative budget ("why is my budget £X?"). Readers as for the person."""

    def get(self, request: Request, id: str) -> Response:
        assessment = self.get_object()
        _visible(request, assessment.person, assessment)
        return Response(_assessment_out(assessment))


class AssessmentAnswerSet(_AssessmentObject):
    """Record (or change) the answer to one question of the assessment's questionnaire."""

    permission_classes = [MANAGES_PLANS]

    @extend_schema(request=AnswerInput, responses={200: AssessmentOut, 400: PROBLEM})
    def post(self, request: Request, id: str) -> Response:
        assessment = self.get_object()
        data = AnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        question = Question.objects.filter(pk=data.validated_data["question"]).first()
        if question is None:
            raise _not_found("question", "question")
        answer = Answer.objects.filter(pk=data.validated_data["answer"]).first()
        if answer is None:
            raise _not_found("answer", "answer")
        assessments.assessment_answer(
            assessment=assessment,
            question=question,
            answer=answer,
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        return Response(_assessment_out(assessment))


class AssessmentEligibility(_AssessmentObject):
    """Record the three eligibility conditions (Care Act outcomes not achieved, needs
    from a condition, significant impact on wellbeing) and notes."""

    permission_classes = [MANAGES_PLANS]

    @extend_schema(request=EligibilityInput, responses={200: AssessmentOut, 400: PROBLEM})
    def post(self, request: Request, id: str) -> Response:
        assessment = self.get_object()
        data = EligibilityInput(data=request.data)
        data.is_valid(raise_exception=True)
        assessments.assessment_record_eligibility(
            assessment=assessment,
            outcomes_not_achieved=data.validated_data["outcomes_not_achieved"],
            needs_from_condition=data.validated_data["needs_from_condition"],
            wellbeing_impact_significant=data.validated_data["wellbeing_impact_significant"],
            notes=data.validated_data.get("notes", ""),
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        return Response(_assessment_out(assessment))


class AssessmentComplete(_AssessmentObject):
    """Decide eligibility and work out the indicative budget, with its explanation."""

    permission_classes = [MANAGES_PLANS]

    @extend_schema(request=CompleteInput, responses={200: AssessmentOut, 400: PROBLEM})
    def post(self, request: Request, id: str) -> Response:
        assessment = self.get_object()
        data = CompleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        assessments.assessment_complete(
            assessment=assessment,
            adjustments=data.validated_data.get("adjustments", []),
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        return Response(_assessment_out(assessment))


# --- Plans and budgets ----------------------------------------------------------


def _plan_out(plan: SupportPlan) -> dict[str, Any]:
    fresh = (
        SupportPlan.objects.select_related(*_PLAN_RELATED).prefetch_related("lines").get(pk=plan.pk)
    )
    return PlanOut(fresh).data


@extend_schema(parameters=[PlanListInput])
class PlanListCreate(_AuditedList, _Purse, generics.ListCreateAPIView[SupportPlan]):
    """GET: plans, newest first, optionally in one state (e.g. those waiting for a
    second approver); the read is audited. POST: draft a support plan from a completed
    assessment. A budget different from the indicative one needs a reason; the lines
    must add up to the budget (care managers)."""

    permission_classes = [MANAGES_PLANS]
    serializer_class = PlanListOut
    audit_action = "plans.listed"

    def get_queryset(self) -> QuerySet[SupportPlan]:
        params = PlanListInput(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return plans_listed(status=params.validated_data.get("status"))

    @extend_schema(request=PlanInput, responses={201: PlanOut, 400: PROBLEM})
    def post(self, request: Request) -> Response:
        data = PlanInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        assessment = (
            Assessment.objects.select_related("person", "rules_version")
            .filter(public_id=fields.pop("assessment"))
            .first()
        )
        if assessment is None:
            raise _not_found("assessment", "assessment")
        lines = [
            (line["category"], line["description"], line["weekly_cost_pence"], line.get("service"))
            for line in fields.pop("lines")
        ]
        plan = plans.plan_create(
            assessment=assessment, lines=lines, by=signed_in_user(request), **fields
        )
        return Response(_plan_out(plan), status=status.HTTP_201_CREATED)


class _PlanObject(_Purse, generics.GenericAPIView[SupportPlan]):
    serializer_class = PlanOut
    queryset = SupportPlan.objects.select_related(*_PLAN_RELATED)
    lookup_field = "public_id"
    lookup_url_kwarg = "id"


class PlanDetail(_PlanObject):
    """A support plan with the personal budget statement (cost, the person's and the
    council's contributions). Readers as for the person."""

    def get(self, request: Request, id: str) -> Response:
        plan = self.get_object()
        _visible(request, plan.person, plan)
        return Response(_plan_out(plan))


class PlanApprove(_PlanObject):
    """Approve a plan. More than the rules' threshold above the indicative budget needs a
    second, different care manager; the final approval activates the budget."""

    permission_classes = [MANAGES_PLANS]

    @extend_schema(request=None, responses={200: PlanOut, 400: PROBLEM})
    def post(self, request: Request, id: str) -> Response:
        plan = plans.plan_approve(plan=self.get_object(), by=signed_in_user(request))
        return Response(_plan_out(plan))


class PlanReviewTrigger(_PlanObject):
    """Ask for a review of the person's current plan after a change; due today."""

    permission_classes = [MANAGES_PLANS]

    @extend_schema(request=ReviewTriggerInput, responses={201: PlanReviewOut, 400: PROBLEM})
    def post(self, request: Request, id: str) -> Response:
        plan = self.get_object()
        data = ReviewTriggerInput(data=request.data)
        data.is_valid(raise_exception=True)
        review = reviews.review_trigger(
            plan=plan, reason=data.validated_data["reason"], by=signed_in_user(request)
        )
        return Response(PlanReviewOut(review).data, status=status.HTTP_201_CREATED)


class BudgetList(_AuditedList, _Purse, generics.ListAPIView[Budget]):
    """Active budgets: the money, not the person's needs (finance and care managers).
    The read is audited."""

    permission_classes = [requires_any(FINANCE_MANAGE, PLANS_MANAGE)]
    serializer_class = BudgetOut
    audit_action = "budgets.listed"

    def get_queryset(self) -> QuerySet[Budget]:
        return (
            Budget.objects.filter(status=Budget.Status.ACTIVE)
            .select_related("person", "plan__rules_version")
            .order_by("person__family_name", "person__given_name", "pk")
        )


class BudgetPayment(_Purse, generics.GenericAPIView[Budget]):
    """Pay a one-off amount from the council's funding into the person's purse
    (finance). Send an Idempotency-Key: a retry never pays twice."""

    permission_classes = [requires(FINANCE_MANAGE)]
    serializer_class = MoneyMovedOut
    queryset = Budget.objects.select_related("person")
    lookup_url_kwarg = "id"
    pay = staticmethod(funding.payment_one_off)

    @extend_schema(
        request=PaymentInput,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: MoneyMovedOut, 400: PROBLEM, **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def post(self, request: Request, id: int) -> Response:
        budget = self.get_object()
        data = PaymentInput(data=request.data)
        data.is_valid(raise_exception=True)
        txn = self.pay(
            budget=budget,
            by=signed_in_user(request),
            origin=Origin.of(request),
            **data.validated_data,
        )
        moved = {
            "public_id": txn.public_id,
            "kind": txn.kind,
            "status": txn.status,
            "amount_pence": data.validated_data["amount_pence"],
            "memo": txn.memo,
            "available_pence": purse_open(person=budget.person).available_pence,
            "created_at": txn.created_at,
        }
        return Response(MoneyMovedOut(moved).data, status=status.HTTP_201_CREATED)


class BudgetContribution(BudgetPayment):
    """Record the person's own contribution, paid in by them, into their purse
    (finance); `reason` is the payment's reference. Send an Idempotency-Key."""

    pay = staticmethod(funding.contribution_record)


# --- Reviews --------------------------------------------------------------------


@extend_schema(parameters=[ReviewListInput])
class ReviewList(_AuditedList, _Purse, generics.ListAPIView[Review]):
    """Open reviews due from today (up to `within_days` ahead), or with overdue=true
    those already past their date; soonest first (care managers). The read is audited."""

    permission_classes = [MANAGES_PLANS]
    serializer_class = PlanReviewOut
    audit_action = "reviews.listed"

    def get_queryset(self) -> QuerySet[Review]:
        params = ReviewListInput(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return reviews.reviews_due(
            on=timezone.localdate(),
            overdue=params.validated_data["overdue"],
            within_days=params.validated_data.get("within_days"),
        )


class ReviewComplete(_Purse, generics.GenericAPIView[Review]):
    """Record a review as done; the next yearly review falls 12 months after it."""

    permission_classes = [MANAGES_PLANS]
    serializer_class = PlanReviewOut
    queryset = Review.objects.select_related("person", "plan")
    lookup_url_kwarg = "id"

    @extend_schema(request=ReviewCompleteInput, responses={200: PlanReviewOut, 400: PROBLEM})
    def post(self, request: Request, id: int) -> Response:
        review = self.get_object()
        data = ReviewCompleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        review = reviews.review_complete(
            review=review,
            outcome=data.validated_data["outcome"],
            completed_on=data.validated_data.get("completed_on"),
            by=signed_in_user(request),
        )
        return Response(PlanReviewOut(review).data)


# --- Challenges -----------------------------------------------------------------


class ChallengeRaise(_Purse, generics.GenericAPIView[Challenge]):
    """Ask for an assessment or a budget (plan) to be reconsidered: the person, a
    representative with the view scope, or staff on their behalf."""

    serializer_class = ChallengeOut

    @extend_schema(request=ChallengeInput, responses={201: ChallengeOut, 400: PROBLEM})
    def post(self, request: Request) -> Response:
        data = ChallengeInput(data=request.data)
        data.is_valid(raise_exception=True)
        person = person_for_viewer(
            public_id=data.validated_data["person"],
            viewer=request.user,
            origin=Origin.of(request),
        )
        assessment = plan = None
        if assessment_id := data.validated_data.get("assessment"):
            assessment = Assessment.objects.filter(public_id=assessment_id, person=person).first()
            if assessment is None:
                raise _not_found("assessment", "assessment of this person")
        if plan_id := data.validated_data.get("plan"):
            plan = SupportPlan.objects.filter(public_id=plan_id, person=person).first()
            if plan is None:
                raise _not_found("plan", "plan of this person")
        challenge = challenges.challenge_raise(
            person=person,
            by=signed_in_user(request),
            reason=data.validated_data["reason"],
            assessment=assessment,
            plan=plan,
        )
        return Response(ChallengeOut(challenge).data, status=status.HTTP_201_CREATED)


class ChallengeDecide(_Purse, generics.GenericAPIView[Challenge]):
    """Decide a request for reconsideration: upheld or not, with the reasons."""

    permission_classes = [MANAGES_PLANS]
    serializer_class = ChallengeOut
    queryset = Challenge.objects.select_related("person", "assessment", "plan")
    lookup_url_kwarg = "id"

    @extend_schema(request=ChallengeDecideInput, responses={200: ChallengeOut, 400: PROBLEM})
    def post(self, request: Request, id: int) -> Response:
        challenge = self.get_object()
        data = ChallengeDecideInput(data=request.data)
        data.is_valid(raise_exception=True)
        challenge = challenges.challenge_decide(
            challenge=challenge,
            upheld=data.validated_data["upheld"],
            decision=data.validated_data["decision"],
            by=signed_in_user(request),
        )
        return Response(ChallengeOut(challenge).data)


# --- Orders ---------------------------------------------------------------------

_ORDER_RELATED = ("person", "service", "provider")


def _order_out(order: Order) -> dict[str, Any]:
    fresh = (
        Order.objects.select_related(*_ORDER_RELATED).prefetch_related("visits").get(pk=order.pk)
    )
    return OrderOut(fresh).data


class OrderList(_Purse, generics.GenericAPIView[Order]):
    """POST: check out. The person, a representative with the order scope, or staff
    acting for them orders a council-approved service; the first visit's cost is held
    in the purse at once (refused, in words, if it is not there). Send an
    Idempotency-Key: a retry never orders twice. GET ?person=: the person's orders,
    newest first, for whoever may see them."""

    permission_classes = [IsAuthenticated]
    serializer_class = OrderOut

    @extend_schema(
        parameters=[OpenApiParameter("person", OpenApiTypes.UUID, required=True)],
        responses={200: OrderOut(many=True)},
    )
    def get(self, request: Request) -> Response:
        person = person_for_viewer(
            public_id=request.query_params.get("person", ""),
            viewer=request.user,
            origin=Origin.of(request),
            reading="orders",
        )
        found = person_orders(person=person)
        return Response(OrderOut(found, many=True).data)

    @extend_schema(
        request=OrderInput,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: OrderOut, 400: PROBLEM, **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = OrderInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        person = Person.objects.filter(public_id=fields.pop("person")).first()
        if person is None:
            raise PersonNotFound()
        order = orders.order_place(
            person=person,
            service_id=fields.pop("service"),
            price_option_id=fields.pop("price_option"),
            by=signed_in_user(request),
            origin=Origin.of(request),
            **fields,
        )
        return Response(_order_out(order), status=status.HTTP_201_CREATED)


class OrderDetail(_Purse, generics.GenericAPIView[Order]):
    """An order with its visits, for whoever may see the person."""

    permission_classes = [IsAuthenticated]
    serializer_class = OrderOut
    queryset = Order.objects.select_related(*_ORDER_RELATED)
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get(self, request: Request, id: str) -> Response:
        order = self.get_object()
        _visible(request, order.person, order)
        return Response(_order_out(order))


class _VisitAction(_Purse, generics.GenericAPIView[Visit]):
    permission_classes = [IsAuthenticated]
    serializer_class = OrderOut
    queryset = Visit.objects.select_related("order")
    lookup_url_kwarg = "id"
    perform: Any  # the service: (visit=, by=, origin=) -> Visit

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: OrderOut, 400: PROBLEM, **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def post(self, request: Request, id: int) -> Response:
        visit = type(self).perform(
            visit=self.get_object(), by=signed_in_user(request), origin=Origin.of(request)
        )
        return Response(_order_out(visit.order))


class VisitCancel(_VisitAction):
    """Cancel one visit with the service's notice; its money goes back to the purse."""

    perform = orders.visit_cancel


class VisitConfirm(_VisitAction):
    """Confirm a delivered visit (where the council asks for it): the provider is paid."""

    perform = orders.visit_confirm


class DisputeInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class SettleInput(serializers.Serializer):
    units = serializers.CharField(
        max_length=10, help_text="How much to pay for, e.g. 1.5; 0 pays nothing"
    )


class VisitDispute(_VisitAction):
    """Say a reported delivery is wrong (the person, or someone who may order for
    them): the money stays held until a care manager settles it."""

    @extend_schema(
        request=DisputeInput,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: OrderOut, 400: PROBLEM, **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def post(self, request: Request, id: int) -> Response:
        data = DisputeInput(data=request.data)
        data.is_valid(raise_exception=True)
        visit = orders.visit_dispute(
            visit=self.get_object(),
            reason=data.validated_data["reason"],
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        return Response(_order_out(visit.order))


class VisitSettle(_VisitAction):
    """Settle a disputed visit (care managers): the provider is paid for the units
    given, the rest goes back to the purse."""

    permission_classes = [requires(PLANS_MANAGE)]

    @extend_schema(
        request=SettleInput,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: OrderOut, 400: PROBLEM, **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def post(self, request: Request, id: int) -> Response:
        data = SettleInput(data=request.data)
        data.is_valid(raise_exception=True)
        visit = orders.visit_dispute_settle(
            visit=self.get_object(),
            units=data.validated_data["units"],
            by=signed_in_user(request),
            origin=Origin.of(request),
        )
        return Response(_order_out(visit.order))


class OrderCancel(_Purse, generics.GenericAPIView[Order]):
    """Stop an order: visits outside the service's notice are cancelled and their money
    comes back; a weekly order books nothing more."""

    permission_classes = [IsAuthenticated]
    serializer_class = OrderOut
    queryset = Order.objects.select_related(*_ORDER_RELATED)
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: OrderOut, 400: PROBLEM, **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def post(self, request: Request, id: str) -> Response:
        order = orders.order_cancel(
            order=self.get_object(), by=signed_in_user(request), origin=Origin.of(request)
        )
        return Response(_order_out(order))
