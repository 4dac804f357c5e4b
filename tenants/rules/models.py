"""Budget rules, versioned. A published version applies from its effective date until
the next one; plans keep the version they were approved under."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q


class Management(models.TextChoices):
    """Ways the money may be managed (Care Act and NHS personal health budgets)."""

    DIRECT_PAYMENT = "direct_payment", "Direct payment"
    COUNCIL_MANAGED = "council_managed", "Managed by the council"
    INDIVIDUAL_SERVICE_FUND = "individual_service_fund", "Individual service fund"
    MIXED = "mixed", "A mix of these"
    NOTIONAL = "notional", "Notional budget (held by the NHS)"
    THIRD_PARTY = "third_party", "Third-party budget"


class RulesVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class Contribution(models.TextChoices):
        ENTERED = "entered", "Entered by the care manager"
        SIMPLE_ASSESSMENT = "simple_assessment", "From a simple financial assessment"

    number = models.PositiveIntegerField(unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateField()
    price_per_point_pence = models.BigIntegerField()
    minimum_weekly_pence = models.BigIntegerField(default=0)
    maximum_weekly_pence = models.BigIntegerField(null=True, blank=True)
    contribution_method = models.CharField(
        max_length=20, choices=Contribution.choices, default=Contribution.ENTERED
    )
    # Simple financial assessment: weekly income above this allowance is contributed,
    # at this percentage.
    income_allowance_weekly_pence = models.BigIntegerField(default=0)
    contribution_percent = models.PositiveSmallIntegerField(default=0)
    allowed_management = ArrayField(models.CharField(max_length=30), default=list)
    excluded_spending = ArrayField(models.CharField(max_length=200), default=list)
    surplus_threshold_weeks = models.PositiveSmallIntegerField(default=8)
    # Days between a surplus notice and the recovery of the money.
    surplus_notice_days = models.PositiveSmallIntegerField(default=28)
    topup_cycle_weeks = models.PositiveSmallIntegerField(default=4)
    # Paid at the start of each cycle (in advance) or once it has ended (in arrears).
    topup_timing = models.CharField(
        max_length=10,
        choices=[("advance", "In advance"), ("arrears", "In arrears")],
        default="advance",
    )
    # Orders only for the kinds of support the person's plan names.
    orders_within_plan = models.BooleanField(default=False)
    # The person (or a representative) confirms delivery before the provider is paid.
    person_confirms_delivery = models.BooleanField(default=False)
    # A finance officer previews and approves each top-up run; otherwise the hourly
    # run pays what is due by itself.
    topups_need_approval = models.BooleanField(default=False)
    # A plan whose budget is more than this above the indicative one needs a second approver.
    second_approval_above_pence = models.BigIntegerField(default=5000)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-effective_from", "-number"]
        constraints = [
            # Two published versions never take effect on the same day.
            models.UniqueConstraint(
                fields=["effective_from"],
                condition=Q(status="published"),
                name="rules_one_published_version_per_day",
            ),
            models.CheckConstraint(
                condition=Q(price_per_point_pence__gte=0)
                & Q(minimum_weekly_pence__gte=0)
                & Q(second_approval_above_pence__gte=0),
                name="rules_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(maximum_weekly_pence__isnull=True)
                | Q(maximum_weekly_pence__gte=models.F("minimum_weekly_pence")),
                name="rules_cap_above_minimum",
            ),
            models.CheckConstraint(
                condition=Q(contribution_percent__lte=100), name="rules_contribution_percent"
            ),
            models.CheckConstraint(
                condition=Q(topup_cycle_weeks__gte=1), name="rules_topup_cycle_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} from {self.effective_from}"


class Domain(models.Model):
    """A group of questions in the RAS questionnaire (e.g. personal care)."""

    version = models.ForeignKey(RulesVersion, on_delete=models.CASCADE, related_name="domains")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="rules_domain_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=50)
    text = models.CharField(max_length=500)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "code"], name="rules_question_code_unique")
        ]

    def __str__(self) -> str:
        return self.text


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    code = models.SlugField(max_length=50)
    text = models.CharField(max_length=500)
    points = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="rules_answer_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.text} ({self.points})"


class Band(models.Model):
    """Points from `min_points` up to `max_points` give this weekly amount (used instead
    of price per point when a version has bands)."""

    version = models.ForeignKey(RulesVersion, on_delete=models.CASCADE, related_name="bands")
    min_points = models.PositiveIntegerField()
    max_points = models.PositiveIntegerField()
    weekly_pence = models.BigIntegerField()

    class Meta:
        ordering = ["min_points"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_points__gte=models.F("min_points")) & Q(weekly_pence__gte=0),
                name="rules_band_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.min_points}-{self.max_points}: {self.weekly_pence}p"


class Adjustment(models.Model):
    """An addition the care manager may apply (carer support, complexity)."""

    class Kind(models.TextChoices):
        PERCENT = "percent", "Percentage of the indicative budget"
        FIXED = "fixed", "Fixed weekly amount"

    version = models.ForeignKey(RulesVersion, on_delete=models.CASCADE, related_name="adjustments")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Percent (0-100) or pence a week, by kind.
    value = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="rules_adjustment_code_unique")
        ]

    def __str__(self) -> str:
        return self.name
