"""The budget rules a new council or NHS body starts with, so it works on day one.
Every figure here is a starting point the tenant is expected to change to its own."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from django.db import transaction

from core.services import audit_record

from .models import Adjustment, Answer, Band, Domain, Management, Question, RulesVersion


@dataclass(frozen=True)
class AnswerSpec:
    code: str
    text: str
    points: int


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    text: str
    answers: tuple[AnswerSpec, ...]


@dataclass(frozen=True)
class DomainSpec:
    code: str
    name: str
    questions: tuple[QuestionSpec, ...]


@dataclass(frozen=True)
class BandSpec:
    min_points: int
    max_points: int
    weekly_pence: int


@dataclass(frozen=True)
class AdjustmentSpec:
    code: str
    name: str
    kind: str
    value: int


@dataclass(frozen=True)
class DefaultRules:
    domains: tuple[DomainSpec, ...]
    price_per_point_pence: int
    minimum_weekly_pence: int
    maximum_weekly_pence: int | None
    contribution_method: str
    income_allowance_weekly_pence: int
    contribution_percent: int
    allowed_management: tuple[str, ...]
    excluded_spending: tuple[str, ...]
    surplus_threshold_weeks: int
    topup_cycle_weeks: int
    second_approval_above_pence: int
    adjustments: tuple[AdjustmentSpec, ...]
    # Empty: money is worked out from the price per point, which is easier to explain.
    bands: tuple[BandSpec, ...] = field(default=())
    notes: str = ""


def _help(code: str, text: str, points: tuple[int, int, int, int]) -> QuestionSpec:
    """A question about how much help the person needs, on the usual four-step scale."""
    none, some, most, all_ = points
    return QuestionSpec(
        code=code,
        text=text,
        answers=(
            AnswerSpec("none", "I do not need help with this", none),
            AnswerSpec("some", "I need help some of the time", some),
            AnswerSpec("most", "I need help most of the time", most),
            AnswerSpec("all", "I need help every time", all_),
        ),
    )


QUESTIONNAIRE: tuple[DomainSpec, ...] = (
    DomainSpec(
        "personal-care",
        "Personal care",
        (
            _help("washing", "How much help do you need to wash, bathe or shower?", (0, 4, 8, 12)),
            _help("dressing", "How much help do you need to get dressed?", (0, 2, 4, 6)),
            _help(
                "toilet",
                "How much help do you need to use the toilet or manage continence?",
                (0, 4, 8, 12),
            ),
        ),
    ),
    DomainSpec(
        "eating-drinking",
        "Eating and drinking",
        (
            _help("meals", "How much help do you need to make meals and drinks?", (0, 2, 4, 6)),
            _help("eating", "How much help do you need to eat and drink?", (0, 3, 6, 9)),
        ),
    ),
    DomainSpec(
        "mobility",
        "Moving around",
        (
            _help(
                "moving-at-home",
                "How much help do you need to move around your home safely?",
                (0, 3, 6, 9),
            ),
            _help(
                "transfers",
                "How much help do you need to get in and out of bed or a chair?",
                (0, 3, 6, 9),
            ),
        ),
    ),
    DomainSpec(
        "daily-living",
        "Daily living",
        (
            _help(
                "housework",
                "How much help do you need to keep your home clean and safe?",
                (0, 2, 4, 6),
            ),
            QuestionSpec(
                "medicines",
                "How much help do you need to take your medicines?",
                (
                    AnswerSpec("none", "I do not need help with this", 0),
                    AnswerSpec("reminders", "I need reminding", 1),
                    AnswerSpec("given", "Someone needs to give me my medicines", 3),
                ),
            ),
        ),
    ),
    DomainSpec(
        "social-community",
        "Social life and community",
        (
            _help(
                "community",
                "How much help do you need to go out and use local places and activities?",
                (0, 2, 4, 6),
            ),
            QuestionSpec(
                "relationships",
                "How much help do you need to keep in touch with family and friends?",
                (
                    AnswerSpec("none", "I do not need help with this", 0),
                    AnswerSpec("some", "I need help some of the time", 1),
                    AnswerSpec("most", "I need help most of the time", 3),
                ),
            ),
            QuestionSpec(
                "work-learning",
                "How much help do you need to work, learn or volunteer?",
                (
                    AnswerSpec("none", "I do not need help with this, or I do not want to", 0),
                    AnswerSpec("some", "I need help some of the time", 1),
                    AnswerSpec("most", "I need help most of the time", 3),
                ),
            ),
        ),
    ),
    DomainSpec(
        "carer-support",
        "Support from a carer",
        (
            QuestionSpec(
                "carer-break",
                "If a family member or friend looks after you without pay, "
                "how much do they need a break?",
                (
                    AnswerSpec("no-carer", "Nobody looks after me without pay", 0),
                    AnswerSpec("coping", "They are managing without a break", 0),
                    AnswerSpec("sometimes", "They need a break now and then", 2),
                    AnswerSpec("often", "They need regular breaks to keep going", 5),
                ),
            ),
        ),
    ),
)

ADJUSTMENTS: tuple[AdjustmentSpec, ...] = (
    AdjustmentSpec("carer-support", "Carer support", Adjustment.Kind.PERCENT, 10),
    AdjustmentSpec("complexity", "Complex needs", Adjustment.Kind.FIXED, 5000),
)

COUNCIL_EXCLUDED_SPENDING: tuple[str, ...] = (
    "Services the council provides itself",
    "Long-term care in a care home",
    "Food and everyday household bills",
    "Gambling",
    "Anything illegal",
    "Paying a family member who lives with you, unless the council agrees it is necessary",
)

NHS_EXCLUDED_SPENDING: tuple[str, ...] = (
    "Alcohol",
    "Tobacco",
    "Gambling",
    "Paying off debts",
    "Anything illegal",
    "Emergency or urgent care",
    "GP services or other primary care",
)


COUNCIL_RULES = DefaultRules(
    domains=QUESTIONNAIRE,
    price_per_point_pence=450,
    minimum_weekly_pence=0,
    maximum_weekly_pence=60000,
    # Care Act charging: weekly income above an allowance is contributed.
    contribution_method=RulesVersion.Contribution.SIMPLE_ASSESSMENT,
    income_allowance_weekly_pence=21435,
    contribution_percent=100,
    allowed_management=(
        Management.DIRECT_PAYMENT,
        Management.COUNCIL_MANAGED,
        Management.INDIVIDUAL_SERVICE_FUND,
        Management.MIXED,
    ),
    excluded_spending=COUNCIL_EXCLUDED_SPENDING,
    surplus_threshold_weeks=8,
    topup_cycle_weeks=4,
    second_approval_above_pence=5000,
    adjustments=ADJUSTMENTS,
    notes="Starting rules for a council. Change the figures to your own.",
)

NHS_RULES = replace(
    COUNCIL_RULES,
    # NHS care is free where it is given: nobody is charged a contribution.
    contribution_method=RulesVersion.Contribution.ENTERED,
    income_allowance_weekly_pence=0,
    contribution_percent=0,
    allowed_management=(Management.NOTIONAL, Management.THIRD_PARTY, Management.DIRECT_PAYMENT),
    excluded_spending=NHS_EXCLUDED_SPENDING,
    notes="Starting rules for an NHS body. Change the figures to your own.",
)


def default_rules_for(kind: str) -> DefaultRules:
    """The starting rules for a tenant of this kind ("council" or "nhs")."""
    if kind == "council":
        return COUNCIL_RULES
    if kind == "nhs":
        return NHS_RULES
    raise ValueError(f"There are no default budget rules for tenants of kind {kind!r}")


def rules_defaults_ensure(*, kind: str, effective_from: date) -> RulesVersion | None:
    """Publish the kind's default rules as version 1, unless this schema already has
    rules (then nothing is written and None is returned). Run in the tenant's schema."""
    rules = default_rules_for(kind)
    with transaction.atomic():
        # Onboarding holds the template lock, so nothing else writes rules meanwhile.
        if RulesVersion.objects.exists():
            return None
        version = RulesVersion.objects.create(
            number=1,
            status=RulesVersion.Status.PUBLISHED,
            effective_from=effective_from,
            price_per_point_pence=rules.price_per_point_pence,
            minimum_weekly_pence=rules.minimum_weekly_pence,
            maximum_weekly_pence=rules.maximum_weekly_pence,
            contribution_method=rules.contribution_method,
            income_allowance_weekly_pence=rules.income_allowance_weekly_pence,
            contribution_percent=rules.contribution_percent,
            allowed_management=list(rules.allowed_management),
            excluded_spending=list(rules.excluded_spending),
            surplus_threshold_weeks=rules.surplus_threshold_weeks,
            topup_cycle_weeks=rules.topup_cycle_weeks,
            second_approval_above_pence=rules.second_approval_above_pence,
            notes=rules.notes,
        )
        for d_pos, domain_spec in enumerate(rules.domains):
            domain = Domain.objects.create(
                version=version, code=domain_spec.code, name=domain_spec.name, position=d_pos
            )
            for q_pos, question_spec in enumerate(domain_spec.questions):
                question = Question.objects.create(
                    domain=domain, code=question_spec.code, text=question_spec.text, position=q_pos
                )
                Answer.objects.bulk_create(
                    Answer(
                        question=question, code=a.code, text=a.text, points=a.points, position=pos
                    )
                    for pos, a in enumerate(question_spec.answers)
                )
        Band.objects.bulk_create(
            Band(
                version=version,
                min_points=b.min_points,
                max_points=b.max_points,
                weekly_pence=b.weekly_pence,
            )
            for b in rules.bands
        )
        Adjustment.objects.bulk_create(
            Adjustment(version=version, code=a.code, name=a.name, kind=a.kind, value=a.value)
            for a in rules.adjustments
        )
        audit_record(
            action="rules.version_published",
            obj=version,
            detail={"number": 1, "effective_from": effective_from.isoformat(), "defaults": kind},
        )
    return version
