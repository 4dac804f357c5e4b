"""A new council or NHS body gets its kind's budget rules on day one."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.models import AuditEntry
from tenants.rules.defaults import default_rules_for, rules_defaults_ensure
from tenants.rules.models import Adjustment, Answer, Domain, Question, RulesVersion
from tenants.services import tenant_create

COUNCIL_EXCLUSIONS = [
    "Services the council provides itself",
    "Long-term care in a care home",
    "Food and everyday household bills",
    "Gambling",
    "Anything illegal",
    "Paying a family member who lives with you, unless the council agrees it is necessary",
]
NHS_EXCLUSIONS = [
    "Alcohol",
    "Tobacco",
    "Gambling",
    "Paying off debts",
    "Anything illegal",
    "Emergency or urgent care",
    "GP services or other primary care",
]


def test_council_defaults() -> None:
    rules = default_rules_for("council")

    assert list(rules.allowed_management) == [
        "direct_payment",
        "council_managed",
        "individual_service_fund",
        "mixed",
    ]
    assert list(rules.excluded_spending) == COUNCIL_EXCLUSIONS
    assert (rules.surplus_threshold_weeks, rules.topup_cycle_weeks) == (8, 4)
    assert (rules.price_per_point_pence, rules.minimum_weekly_pence) == (450, 0)
    assert rules.maximum_weekly_pence == 60000
    assert (rules.contribution_method, rules.contribution_percent) == ("simple_assessment", 100)
    assert rules.bands == ()
    assert [(a.code, a.kind, a.value) for a in rules.adjustments] == [
        ("carer-support", "percent", 10),
        ("complexity", "fixed", 5000),
    ]


def test_nhs_defaults_offer_health_budget_forms_and_nhs_exclusions() -> None:
    rules = default_rules_for("nhs")

    assert list(rules.allowed_management) == ["notional", "third_party", "direct_payment"]
    assert list(rules.excluded_spending) == NHS_EXCLUSIONS
    assert (rules.surplus_threshold_weeks, rules.topup_cycle_weeks) == (8, 4)
    # NHS care is free: no contribution is worked out.
    assert (rules.contribution_method, rules.contribution_percent) == ("entered", 0)
    assert rules.domains == default_rules_for("council").domains


def test_questionnaire_covers_the_domains_with_small_point_scales() -> None:
    domains = default_rules_for("council").domains

    assert [d.name for d in domains] == [
        "Personal care",
        "Eating and drinking",
        "Moving around",
        "Daily living",
        "Social life and community",
        "Support from a carer",
    ]
    questions = [q for d in domains for q in d.questions]
    # Codes are unique across the questionnaire, so answers can be given by code alone.
    assert len({q.code for q in questions}) == len(questions) == 13
    for question in questions:
        points = [a.points for a in question.answers]
        assert 3 <= len(points) <= 4
        assert points[0] == 0
        assert points == sorted(points)
    assert sum(max(a.points for a in q.answers) for q in questions) == 89


def test_an_unknown_kind_has_no_defaults() -> None:
    with pytest.raises(ValueError, match="kind 'platform'"):
        default_rules_for("platform")


def test_onboarded_council_has_published_version_1(v1: RulesVersion) -> None:
    assert v1.status == "published"
    assert v1.effective_from <= timezone.localdate()
    assert v1.allowed_management == [
        "direct_payment",
        "council_managed",
        "individual_service_fund",
        "mixed",
    ]
    assert v1.excluded_spending == COUNCIL_EXCLUSIONS
    assert RulesVersion.objects.count() == 1
    assert Domain.objects.filter(version=v1).count() == 6
    assert Question.objects.filter(domain__version=v1).count() == 13
    assert Answer.objects.filter(question__domain__version=v1).count() == 49
    assert sorted(Adjustment.objects.filter(version=v1).values_list("code", flat=True)) == [
        "carer-support",
        "complexity",
    ]
    assert AuditEntry.objects.filter(action="rules.version_published").count() == 1


def test_ensuring_again_writes_nothing(v1: RulesVersion) -> None:
    assert rules_defaults_ensure(kind="council", effective_from=date(2030, 1, 1)) is None

    assert list(RulesVersion.objects.values_list("number", "effective_from")) == [
        (1, v1.effective_from)
    ]
    assert AuditEntry.objects.filter(action="rules.version_published").count() == 1


def test_onboarded_nhs_body_gets_nhs_rules(db) -> None:
    onboarded = tenant_create(
        name="Riverbank Integrated Care Board",
        slug="riverbank",
        kind="nhs",
        admin_email="lead@riverbank.example",
        admin_password="correct-horse-battery-staple",
    )

    with tenant_context(onboarded.tenant):
        version = RulesVersion.objects.get()
        assert (version.number, version.status) == (1, "published")
        assert version.effective_from == timezone.localdate()
        assert version.allowed_management == ["notional", "third_party", "direct_payment"]
        assert version.excluded_spending == NHS_EXCLUSIONS
        assert version.contribution_percent == 0
        assert Question.objects.filter(domain__version=version).count() == 13
