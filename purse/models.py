"""People, their needs assessments, support plans and budgets (tenant schemas).

A person's record is theirs and their council's alone: it lives only in the council's
schema, and staff reads of it are audited.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from tenants.rules.models import Management, RulesVersion

# The ten Care Act outcomes (Care and Support (Eligibility Criteria) Regulations 2014).
OUTCOMES: dict[str, str] = {
    "nutrition": "Managing and maintaining nutrition",
    "hygiene": "Maintaining personal hygiene",
    "toilet": "Managing toilet needs",
    "dressing": "Being appropriately clothed",
    "home_safety": "Being able to make use of the home safely",
    "habitable_home": "Maintaining a habitable home environment",
    "relationships": "Developing and maintaining family or other personal relationships",
    "work_learning": "Accessing and engaging in work, training, education or volunteering",
    "community": "Making use of necessary facilities or services in the local community",
    "caring": "Carrying out any caring responsibilities for a child",
}

# Accessible Information Standard: how to communicate with the person.
COMMUNICATION_NEEDS: dict[str, str] = {
    "large_print": "Large print",
    "easy_read": "Easy read",
    "bsl": "British Sign Language interpreter",
    "braille": "Braille",
    "audio": "Audio or spoken information",
    "interpreter": "Spoken language interpreter",
    "deafblind": "Deafblind manual or hands-on signing",
    "advocate": "An advocate to help them communicate",
}


class Person(models.Model):
    """Someone with (or being assessed for) a personal budget."""

    class Contact(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"
        TEXT = "text", "Text message"
        POST = "post", "Post"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_holder",
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    nhs_number = models.CharField(max_length=10, blank=True)
    address_1 = models.CharField(max_length=200, blank=True)
    address_2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    contact_preference = models.CharField(
        max_length=10, choices=Contact.choices, default=Contact.POST
    )
    communication_needs = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    preferred_language = models.CharField(max_length=3, default="en")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"], condition=~Q(nhs_number=""), name="person_nhs_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Representative(models.Model):
    """Someone who acts for the person, within the scopes granted, between two dates."""

    class Relationship(models.TextChoices):
        CARER = "carer", "Carer"
        FAMILY = "family", "Family member"
        NOMINEE = "nominee", "Nominated person"
        APPOINTEE = "appointee", "Appointee"
        DEPUTY = "deputy", "Deputy (Court of Protection)"

    class Scope(models.TextChoices):
        VIEW = "view", "See the budget and plan"
        ORDER = "order", "Order services"
        MANAGE = "manage", "Manage the budget"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="representatives")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="represents"
    )
    relationship = models.CharField(max_length=10, choices=Relationship.choices)
    scopes = ArrayField(models.CharField(max_length=10), default=list)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="representative_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} for {self.person_id}"


class SupportWorkerAssignment(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="workers")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="caseload"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.worker_id} supports {self.person_id}"


class Consent(models.Model):
    """A consent the person gave (or withdrew), for one purpose."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=200)
    given = models.BooleanField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.purpose}: {'given' if self.given else 'withdrawn'}"


class Assessment(models.Model):
    """A Care Act needs assessment, with the RAS answers that give an indicative budget."""

    class Status(models.TextChoices):
        DRAFT = "draft", "In progress"
        COMPLETED = "completed", "Completed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assessments")
    rules_version = models.ForeignKey(RulesVersion, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Outcome code -> True when the person cannot achieve it without help.
    outcomes_not_achieved = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    needs_from_condition = models.BooleanField(null=True)
    wellbeing_impact_significant = models.BooleanField(null=True)
    eligible = models.BooleanField(null=True)
    notes = models.TextField(blank=True)
    # Codes of the rules version's adjustments the care manager applied.
    adjustments = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    total_points = models.PositiveIntegerField(null=True, blank=True)
    indicative_weekly_pence = models.BigIntegerField(null=True, blank=True)
    # The lines of "why is my budget £X?", in plain English, as computed.
    explanation = models.JSONField(default=list, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Assessment of {self.person_id} ({self.status})"


class AssessmentAnswer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        "budget_rules.Question", on_delete=models.PROTECT, related_name="+"
    )
    answer = models.ForeignKey("budget_rules.Answer", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="assessment_one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.answer_id}"


class SupportPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AWAITING_SECOND_APPROVAL = "awaiting_second_approval", "Waiting for a second approver"
        APPROVED = "approved", "Approved"
        SUPERSEDED = "superseded", "Replaced by a newer plan"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="plans")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="plans")
    rules_version = models.ForeignKey(RulesVersion, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.DRAFT)
    outcomes = models.TextField()
    management = models.CharField(max_length=30, choices=Management.choices)
    weekly_budget_pence = models.BigIntegerField()
    difference_reason = models.TextField(blank=True)
    person_contribution_weekly_pence = models.BigIntegerField(default=0)
    starts_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    second_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekly_budget_pence__gte=0)
                & Q(person_contribution_weekly_pence__gte=0)
                & Q(person_contribution_weekly_pence__lte=models.F("weekly_budget_pence")),
                name="plan_amounts_consistent",
            ),
            models.CheckConstraint(
                condition=~Q(second_approved_by=models.F("approved_by")),
                name="plan_two_different_approvers",
            ),
        ]

    def __str__(self) -> str:
        return f"Plan for {self.person_id} ({self.status})"

    @property
    def council_contribution_weekly_pence(self) -> int:
        return self.weekly_budget_pence - self.person_contribution_weekly_pence


class PlanLine(models.Model):
    """How one need will be met: a category (or a chosen service) and its weekly cost."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(max_length=100)
    description = models.CharField(max_length=500)
    service_id = models.UUIDField(null=True, blank=True)
    weekly_cost_pence = models.BigIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(weekly_cost_pence__gte=0), name="plan_line_cost_not_negative"
            )
        ]

    def __str__(self) -> str:
        return self.description


class Budget(models.Model):
    """A personal budget, set by an approved plan. A plan that starts later gives a
    scheduled budget; the daily roll (purse.services.plans.budgets_roll) makes it active
    on its start day and ends the one it replaces the day before."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Starts later"
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="budgets")
    plan = models.OneToOneField(SupportPlan, on_delete=models.PROTECT, related_name="budget")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    weekly_pence = models.BigIntegerField()
    management = models.CharField(max_length=30, choices=Management.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    first_topup_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="active"), name="budget_one_active_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"Budget of {self.person_id}: {self.weekly_pence}p a week"


class Review(models.Model):
    class Kind(models.TextChoices):
        FIRST = "first", "First review (6 to 8 weeks)"
        DIRECT_PAYMENT = "direct_payment", "Direct payment review (within 6 months)"
        ANNUAL = "annual", "Yearly review"
        EVENT = "event", "Review after a change"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="reviews")
    plan = models.ForeignKey(SupportPlan, on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_on = models.DateField()
    reason = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.TextField(blank=True)
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_on}"


class Challenge(models.Model):
    """A request to reconsider an assessment or a budget, tracked to a decision."""

    class Status(models.TextChoices):
        OPEN = "open", "Being considered"
        UPHELD = "upheld", "Changed after reconsideration"
        NOT_UPHELD = "not_upheld", "Decision stands"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="challenges")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="challenges"
    )
    plan = models.ForeignKey(
        SupportPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="challenges"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_on = models.DateField()
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assessment__isnull=False) | Q(plan__isnull=False),
                name="challenge_has_a_subject",
            )
        ]

    def __str__(self) -> str:
        return f"Challenge by {self.raised_by_id} ({self.status})"


# The ledger's and orders' models live in purse/ledger/ and purse/orders/; importing them
# here registers them with this app.
from .caseload.models import CaseNote  # noqa: E402, F401
from .ledger.models import Account, Entry, LedgerTransaction  # noqa: E402, F401
from .orders.models import Order, Visit  # noqa: E402, F401
from .payouts.models import (  # noqa: E402, F401
    PaymentFile,
    PayoutBatch,
    ReconciliationException,
    ReconciliationRun,
)
from .statements.models import StatementIssued  # noqa: E402, F401
from .surplus.models import SurplusNotice  # noqa: E402, F401
from .topups.models import TopupRun  # noqa: E402, F401
