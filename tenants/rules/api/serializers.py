"""Input and output shapes of the budget rules API. The rules' checks (and their
messages) live in tenants.rules.services."""

from __future__ import annotations

from rest_framework import serializers

from ..models import Adjustment, Answer, Band, Domain, Management, Question, RulesVersion

MAX_PENCE = 10**9


class RulesSettingsInput(serializers.Serializer):
    """The settings of a draft. Send only those that change (amounts in pence)."""

    effective_from = serializers.DateField(required=False)
    price_per_point_pence = serializers.IntegerField(required=False, max_value=MAX_PENCE)
    minimum_weekly_pence = serializers.IntegerField(required=False, max_value=MAX_PENCE)
    maximum_weekly_pence = serializers.IntegerField(
        required=False, allow_null=True, max_value=MAX_PENCE
    )
    contribution_method = serializers.ChoiceField(
        choices=RulesVersion.Contribution.choices, required=False
    )
    income_allowance_weekly_pence = serializers.IntegerField(required=False, max_value=MAX_PENCE)
    contribution_percent = serializers.IntegerField(required=False, max_value=1000)
    allowed_management = serializers.ListField(
        child=serializers.ChoiceField(choices=Management.choices), required=False, max_length=10
    )
    excluded_spending = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=100
    )
    surplus_threshold_weeks = serializers.IntegerField(required=False, min_value=0, max_value=520)
    surplus_notice_days = serializers.IntegerField(
        required=False,
        max_value=10_000,
        help_text="Days between a surplus notice and the recovery of the money",
    )
    topup_cycle_weeks = serializers.IntegerField(required=False, min_value=1, max_value=52)
    topup_timing = serializers.ChoiceField(
        choices=["advance", "arrears"],
        required=False,
        help_text="Top-ups at the start of each cycle (advance) or after it ends (arrears)",
    )
    orders_within_plan = serializers.BooleanField(
        required=False, help_text="Orders only for the kinds of support the plan names"
    )
    person_confirms_delivery = serializers.BooleanField(
        required=False, help_text="The person or a representative confirms delivery first"
    )
    topups_need_approval = serializers.BooleanField(
        required=False, help_text="Finance previews and approves each top-up run"
    )
    second_approval_above_pence = serializers.IntegerField(required=False, max_value=MAX_PENCE)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class RulesDraftInput(RulesSettingsInput):
    effective_from = serializers.DateField()
    based_on = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The number of the version to copy (default: the one in effect today)",
    )


class AnswerChangeInput(serializers.Serializer):
    points = serializers.IntegerField(max_value=10_000, help_text="0 or more")
    text = serializers.CharField(required=False, max_length=500)


class AdjustmentChangeInput(serializers.Serializer):
    value = serializers.IntegerField(
        max_value=MAX_PENCE, help_text="A percentage (0-100) or pence a week, by the kind"
    )
    name = serializers.CharField(required=False, max_length=200)


class BandInputSerializer(serializers.Serializer):
    min_points = serializers.IntegerField(max_value=10_000)
    max_points = serializers.IntegerField(max_value=10_000)
    weekly_pence = serializers.IntegerField(max_value=MAX_PENCE)


class BandsInput(serializers.Serializer):
    bands = serializers.ListField(
        child=BandInputSerializer(),
        max_length=200,
        help_text="Empty: money by the price per point instead",
    )


class RulesVersionOut(serializers.ModelSerializer):
    class Meta:
        model = RulesVersion
        fields = [
            "number",
            "status",
            "effective_from",
            "price_per_point_pence",
            "minimum_weekly_pence",
            "maximum_weekly_pence",
            "contribution_method",
            "income_allowance_weekly_pence",
            "contribution_percent",
            "allowed_management",
            "excluded_spending",
            "surplus_threshold_weeks",
            "surplus_notice_days",
            "topup_cycle_weeks",
            "topup_timing",
            "orders_within_plan",
            "person_confirms_delivery",
            "topups_need_approval",
            "second_approval_above_pence",
            "notes",
            "created_at",
            "published_at",
        ]
        read_only_fields = fields


class AnswerOut(serializers.ModelSerializer):
    class Meta:
        model = Answer
        fields = ["id", "code", "text", "points"]
        read_only_fields = fields


class QuestionOut(serializers.ModelSerializer):
    answers = AnswerOut(many=True, read_only=True)

    class Meta:
        model = Question
        fields = ["id", "code", "text", "answers"]
        read_only_fields = fields


class DomainOut(serializers.ModelSerializer):
    questions = QuestionOut(many=True, read_only=True)

    class Meta:
        model = Domain
        fields = ["code", "name", "questions"]
        read_only_fields = fields


class BandOut(serializers.ModelSerializer):
    class Meta:
        model = Band
        fields = ["min_points", "max_points", "weekly_pence"]
        read_only_fields = fields


class AdjustmentOut(serializers.ModelSerializer):
    class Meta:
        model = Adjustment
        fields = ["code", "name", "kind", "value"]
        read_only_fields = fields


class RulesVersionDetailOut(RulesVersionOut):
    questionnaire = DomainOut(many=True, read_only=True)
    bands = BandOut(many=True, read_only=True)
    adjustments = AdjustmentOut(many=True, read_only=True)

    class Meta(RulesVersionOut.Meta):
        fields = [*RulesVersionOut.Meta.fields, "questionnaire", "bands", "adjustments"]
        read_only_fields = fields


class PreviewPersonOut(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    given_name = serializers.CharField()
    family_name = serializers.CharField()


class PreviewRowOut(serializers.Serializer):
    person = PreviewPersonOut()
    current_weekly_pence = serializers.IntegerField(help_text="The budget now, a week")
    indicative_now_pence = serializers.IntegerField(
        allow_null=True, help_text="The indicative amount the plan was approved on"
    )
    draft_weekly_pence = serializers.IntegerField(
        allow_null=True, help_text="The indicative amount under the draft, same answers"
    )
    difference_pence = serializers.IntegerField(
        allow_null=True, help_text="draft_weekly_pence - indicative_now_pence"
    )
    note = serializers.CharField()
