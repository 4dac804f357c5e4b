"""Input and output shapes of the personal budgets API. Inputs check types; the rules
(and their messages) live in the services."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tenants.rules.models import Management

from ..models import (
    COMMUNICATION_NEEDS,
    OUTCOMES,
    Assessment,
    Budget,
    Challenge,
    Consent,
    Person,
    Representative,
    Review,
    SupportPlan,
    SupportWorkerAssignment,
)
from ..services.plans import plan_needs_second_approval, plan_statement

# --- People ---------------------------------------------------------------------


class PersonSummaryOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "given_name", "family_name", "date_of_birth", "postcode"]
        read_only_fields = fields


class RepresentativeOut(serializers.ModelSerializer):
    user = serializers.UUIDField(source="user.public_id", read_only=True)
    name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = Representative
        fields = ["id", "user", "name", "relationship", "scopes", "starts_on", "ends_on"]
        read_only_fields = fields


class SupportWorkerOut(serializers.ModelSerializer):
    worker = serializers.UUIDField(source="worker.public_id", read_only=True)
    name = serializers.CharField(source="worker.full_name", read_only=True)

    class Meta:
        model = SupportWorkerAssignment
        fields = ["id", "worker", "name", "starts_on", "ends_on"]
        read_only_fields = fields


class PlanSummaryOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = SupportPlan
        fields = ["id", "status", "management", "weekly_budget_pence", "starts_on", "approved_at"]
        read_only_fields = fields


class AssessmentSummaryOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Assessment
        fields = ["id", "status", "eligible", "indicative_weekly_pence", "completed_at"]
        read_only_fields = fields


class ChallengeSummaryOut(serializers.ModelSerializer):
    class Meta:
        model = Challenge
        fields = ["id", "raised_on", "reason", "status", "decided_on", "decision"]
        read_only_fields = fields


class PersonRecordOut(PersonSummaryOut):
    """A person's record, with where to find their plans and assessments (newest first)
    and their requests for reconsideration with the decisions."""

    account = serializers.SerializerMethodField()
    representatives = RepresentativeOut(many=True, read_only=True)
    support_workers = SupportWorkerOut(source="workers", many=True, read_only=True)
    plans = PlanSummaryOut(many=True, read_only=True)
    assessments = AssessmentSummaryOut(many=True, read_only=True)
    challenges = ChallengeSummaryOut(many=True, read_only=True)

    class Meta(PersonSummaryOut.Meta):
        fields = [
            *PersonSummaryOut.Meta.fields,
            "account",
            "nhs_number",
            "address_1",
            "address_2",
            "city",
            "email",
            "phone",
            "contact_preference",
            "communication_needs",
            "preferred_language",
            "representatives",
            "support_workers",
            "plans",
            "assessments",
            "challenges",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_account(self, person: Person) -> str | None:
        return str(person.user.public_id) if person.user_id and person.user else None


class PersonInput(serializers.Serializer):
    """A person's details. On update (PATCH) send only what changes."""

    account = serializers.UUIDField(
        required=False, allow_null=True, help_text="The id of the person's own user account"
    )
    given_name = serializers.CharField(max_length=100, allow_blank=True)
    family_name = serializers.CharField(max_length=100, allow_blank=True)
    date_of_birth = serializers.DateField()
    nhs_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    address_1 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address_2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    contact_preference = serializers.ChoiceField(choices=Person.Contact.choices, required=False)
    communication_needs = serializers.ListField(
        child=serializers.ChoiceField(choices=list(COMMUNICATION_NEEDS.items())),
        required=False,
        max_length=len(COMMUNICATION_NEEDS),
    )
    preferred_language = serializers.CharField(max_length=3, required=False, allow_blank=True)


class RepresentativeInput(serializers.Serializer):
    user = serializers.UUIDField(help_text="The id of the representative's user account")
    relationship = serializers.ChoiceField(choices=Representative.Relationship.choices)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=Representative.Scope.choices), max_length=3
    )
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)


class RepresentativeEndInput(serializers.Serializer):
    ends_on = serializers.DateField(
        required=False, allow_null=True, help_text="The last day they act (default today)"
    )


class SupportWorkerInput(serializers.Serializer):
    worker = serializers.UUIDField(help_text="The id of the support worker's user account")
    starts_on = serializers.DateField(required=False, help_text="Default today")
    ends_on = serializers.DateField(required=False, allow_null=True)


class ConsentInput(serializers.Serializer):
    purpose = serializers.CharField(
        max_length=200, allow_blank=True, help_text="What the consent is for"
    )
    given = serializers.BooleanField(help_text="true: given; false: withdrawn")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ConsentOut(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.full_name", read_only=True)

    class Meta:
        model = Consent
        fields = ["id", "purpose", "given", "note", "recorded_by", "recorded_at"]
        read_only_fields = fields


# --- Assessments ----------------------------------------------------------------


class AssessmentStartInput(serializers.Serializer):
    person = serializers.UUIDField()


class AnswerInput(serializers.Serializer):
    question = serializers.IntegerField(
        min_value=1, help_text="A question's id, from GET /api/rules/versions/{number}/"
    )
    answer = serializers.IntegerField(min_value=1, help_text="One of that question's answers")


class EligibilityInput(serializers.Serializer):
    outcomes_not_achieved = serializers.ListField(
        child=serializers.ChoiceField(choices=list(OUTCOMES.items())), max_length=len(OUTCOMES)
    )
    needs_from_condition = serializers.BooleanField()
    wellbeing_impact_significant = serializers.BooleanField()
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class CompleteInput(serializers.Serializer):
    adjustments = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=50
    )


class AssessmentAnswerOut(serializers.Serializer):
    question = serializers.IntegerField(source="question_id")
    question_text = serializers.CharField(source="question.text")
    answer = serializers.IntegerField(source="answer_id")
    answer_text = serializers.CharField(source="answer.text")
    points = serializers.IntegerField(source="answer.points")


class AssessmentOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    person = serializers.UUIDField(source="person.public_id", read_only=True)
    rules_version = serializers.IntegerField(source="rules_version.number", read_only=True)
    answers = AssessmentAnswerOut(many=True, read_only=True)
    explanation = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "person",
            "rules_version",
            "status",
            "outcomes_not_achieved",
            "needs_from_condition",
            "wellbeing_impact_significant",
            "eligible",
            "notes",
            "adjustments",
            "answers",
            "total_points",
            "indicative_weekly_pence",
            "explanation",
            "started_at",
            "completed_at",
        ]
        read_only_fields = fields


# --- Plans and budgets ----------------------------------------------------------


class PlanLineInput(serializers.Serializer):
    category = serializers.CharField(max_length=100, allow_blank=True)
    description = serializers.CharField(max_length=500, allow_blank=True)
    weekly_cost_pence = serializers.IntegerField()
    service = serializers.UUIDField(required=False, allow_null=True)


class PlanInput(serializers.Serializer):
    assessment = serializers.UUIDField()
    outcomes = serializers.CharField(max_length=10000, allow_blank=True)
    management = serializers.ChoiceField(choices=Management.choices)
    lines = serializers.ListField(child=PlanLineInput(), max_length=100)
    weekly_budget_pence = serializers.IntegerField(max_value=10**9)
    difference_reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    person_contribution_weekly_pence = serializers.IntegerField(
        required=False, allow_null=True, max_value=10**9
    )
    weekly_income_pence = serializers.IntegerField(required=False, allow_null=True, max_value=10**9)
    starts_on = serializers.DateField()


class PlanLineOut(serializers.Serializer):
    category = serializers.CharField()
    description = serializers.CharField()
    service = serializers.UUIDField(source="service_id", allow_null=True)
    weekly_cost_pence = serializers.IntegerField()


class StatementOut(serializers.Serializer):
    cost_to_council_weekly_pence = serializers.IntegerField()
    person_contribution_weekly_pence = serializers.IntegerField()
    council_contribution_weekly_pence = serializers.IntegerField()
    management = serializers.CharField()
    topup_cycle_weeks = serializers.IntegerField()
    payment_per_topup_pence = serializers.IntegerField(allow_null=True)
    lines = serializers.ListField(child=serializers.CharField())


def _statement(plan: SupportPlan) -> dict[str, Any]:
    statement = plan_statement(plan)
    return {**statement.__dict__, "lines": statement.lines()}


class PlanOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    person = serializers.UUIDField(source="person.public_id", read_only=True)
    assessment = serializers.UUIDField(source="assessment.public_id", read_only=True)
    rules_version = serializers.IntegerField(source="rules_version.number", read_only=True)
    indicative_weekly_pence = serializers.IntegerField(
        source="assessment.indicative_weekly_pence", read_only=True, allow_null=True
    )
    lines = PlanLineOut(many=True, read_only=True)
    statement = serializers.SerializerMethodField()
    needs_second_approval = serializers.SerializerMethodField()

    class Meta:
        model = SupportPlan
        fields = [
            "id",
            "person",
            "assessment",
            "rules_version",
            "status",
            "outcomes",
            "management",
            "lines",
            "weekly_budget_pence",
            "indicative_weekly_pence",
            "difference_reason",
            "person_contribution_weekly_pence",
            "starts_on",
            "needs_second_approval",
            "approved_at",
            "statement",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(StatementOut)
    def get_statement(self, plan: SupportPlan) -> dict[str, Any]:
        return StatementOut(_statement(plan)).data

    def get_needs_second_approval(self, plan: SupportPlan) -> bool:
        """Whether the budget is far enough above the indicative one to need a second
        approver (`status` says whether the first has approved it)."""
        return plan_needs_second_approval(plan)


class BudgetOut(serializers.ModelSerializer):
    """A budget, for finance: the money, not the person's needs."""

    person = PersonSummaryOut(read_only=True)
    plan = serializers.UUIDField(source="plan.public_id", read_only=True)
    statement = serializers.SerializerMethodField()

    class Meta:
        model = Budget
        fields = [
            "id",
            "person",
            "plan",
            "status",
            "weekly_pence",
            "management",
            "starts_on",
            "ends_on",
            "first_topup_on",
            "statement",
        ]
        read_only_fields = fields

    @extend_schema_field(StatementOut)
    def get_statement(self, budget: Budget) -> dict[str, Any]:
        return StatementOut(_statement(budget.plan)).data


# --- Reviews and challenges -----------------------------------------------------


class PlanListInput(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=SupportPlan.Status.choices,
        required=False,
        help_text="Only plans in this state, e.g. awaiting_second_approval",
    )


class PlanListOut(PlanSummaryOut):
    person = PersonSummaryOut(read_only=True)
    first_approver = serializers.CharField(
        source="approved_by.full_name", read_only=True, allow_null=True, default=None
    )

    class Meta(PlanSummaryOut.Meta):
        fields = [*PlanSummaryOut.Meta.fields, "person", "first_approver", "created_at"]
        read_only_fields = fields


class ReviewListInput(serializers.Serializer):
    overdue = serializers.BooleanField(required=False, default=False)
    within_days = serializers.IntegerField(required=False, min_value=0, max_value=3660)


class PlanReviewOut(serializers.ModelSerializer):
    person = PersonSummaryOut(read_only=True)
    plan = serializers.UUIDField(source="plan.public_id", read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "person",
            "plan",
            "kind",
            "due_on",
            "reason",
            "completed_on",
            "outcome",
            "reminded_on",
        ]
        read_only_fields = fields


class ReviewCompleteInput(serializers.Serializer):
    outcome = serializers.CharField(max_length=10000, allow_blank=True)
    completed_on = serializers.DateField(required=False, allow_null=True)


class ReviewTriggerInput(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, allow_blank=True)


class ChallengeInput(serializers.Serializer):
    person = serializers.UUIDField()
    reason = serializers.CharField(max_length=10000, allow_blank=True)
    assessment = serializers.UUIDField(required=False, allow_null=True)
    plan = serializers.UUIDField(required=False, allow_null=True)


class ChallengeDecideInput(serializers.Serializer):
    upheld = serializers.BooleanField()
    decision = serializers.CharField(max_length=10000, allow_blank=True)


class ChallengeOut(serializers.ModelSerializer):
    person = serializers.UUIDField(source="person.public_id", read_only=True)
    assessment = serializers.SerializerMethodField()
    plan = serializers.SerializerMethodField()

    class Meta:
        model = Challenge
        fields = [
            "id",
            "person",
            "assessment",
            "plan",
            "raised_on",
            "reason",
            "status",
            "decided_on",
            "decision",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_assessment(self, challenge: Challenge) -> str | None:
        return str(challenge.assessment.public_id) if challenge.assessment else None

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_plan(self, challenge: Challenge) -> str | None:
        return str(challenge.plan.public_id) if challenge.plan else None


# --- A representative's own view -------------------------------------------------


class RepresentedOut(serializers.ModelSerializer):
    """A person the signed-in representative may see, and on what terms."""

    id = serializers.UUIDField(source="person.public_id", read_only=True)
    given_name = serializers.CharField(source="person.given_name", read_only=True)
    family_name = serializers.CharField(source="person.family_name", read_only=True)
    date_of_birth = serializers.DateField(source="person.date_of_birth", read_only=True)

    class Meta:
        model = Representative
        fields = [
            "id",
            "given_name",
            "family_name",
            "date_of_birth",
            "relationship",
            "scopes",
            "starts_on",
            "ends_on",
        ]
        read_only_fields = fields


# --- Money ----------------------------------------------------------------------


class PaymentInput(serializers.Serializer):
    amount_pence = serializers.IntegerField(help_text="More than 0, in pence")
    reason = serializers.CharField(
        max_length=300, allow_blank=True, help_text="What it is for: the person sees this"
    )


class MoneyMovedOut(serializers.Serializer):
    """One movement of money, and what the purse has available after it."""

    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    status = serializers.CharField()
    amount_pence = serializers.IntegerField()
    memo = serializers.CharField()
    available_pence = serializers.IntegerField()
    created_at = serializers.DateTimeField()


# --- Orders ---------------------------------------------------------------------


class OrderInput(serializers.Serializer):
    person = serializers.UUIDField(help_text="Whose budget pays")
    service = serializers.UUIDField()
    price_option = serializers.UUIDField(help_text="One of the service's prices")
    units = serializers.CharField(
        max_length=10, help_text="How much each visit, e.g. 1 or 1.5 (hours, sessions...)"
    )
    starts_on = serializers.DateField()
    at = serializers.TimeField(help_text="Time of day, Europe/London")
    frequency = serializers.ChoiceField(choices=["once", "weekly"])


class VisitOut(serializers.Serializer):
    id = serializers.IntegerField()
    on = serializers.DateField()
    amount_pence = serializers.IntegerField()
    status = serializers.CharField()
    status_text = serializers.CharField(source="get_status_display")
    delivered_units_centi = serializers.IntegerField(allow_null=True)


class OrderOut(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    person = serializers.UUIDField(source="person.public_id")
    service = serializers.UUIDField(source="service_id")
    service_name = serializers.CharField(source="service.name")
    provider_name = serializers.CharField(source="provider.display_name")
    unit_price_pence = serializers.IntegerField()
    unit = serializers.CharField()
    units_centi = serializers.IntegerField()
    frequency = serializers.CharField()
    starts_on = serializers.DateField()
    at = serializers.TimeField()
    status = serializers.CharField()
    warning = serializers.CharField()
    visits = VisitOut(many=True)
    created_at = serializers.DateTimeField()
