"""Needs assessments: the rules version in effect, answers, the Care Act eligibility
decision, the indicative budget and its explanation, and that a completed assessment
never changes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.services import user_create
from core.errors import DomainError, ValidationFailed
from core.models import AuditEntry
from purse.models import Assessment, AssessmentAnswer, Person
from purse.services.assessments import (
    AssessmentCompleted,
    assessment_answer,
    assessment_complete,
    assessment_record_eligibility,
    assessment_start,
)
from purse.services.people import person_create
from tenants.rules.models import Adjustment, Answer, Domain, Question, RulesVersion

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)

ELIGIBLE_LINE = (
    "You are eligible for care and support: your needs come from a physical or mental "
    "condition, you need help to achieve 2 of the 10 outcomes in the Care Act (managing "
    "and maintaining nutrition; maintaining personal hygiene), and this has a significant "
    "impact on your wellbeing."
)


@dataclass
class Rules:
    version: RulesVersion
    q: dict[str, Question]
    a: dict[str, Answer]  # "question/answer" -> Answer


def _rules(number: int, effective_from: datetime.date, price_per_point_pence: int) -> Rules:
    """A published version with two domains, three questions and two adjustments."""
    version = RulesVersion.objects.create(
        number=number,
        status=RulesVersion.Status.PUBLISHED,
        effective_from=effective_from,
        price_per_point_pence=price_per_point_pence,
        allowed_management=["direct_payment", "council_managed"],
    )
    questions: dict[str, Question] = {}
    answers: dict[str, Answer] = {}
    spec = {
        ("personal-care", "Personal care"): {
            "washing": ("Washing and bathing", (("none", 0), ("some", 10), ("all", 20))),
            "meals": ("Preparing meals", (("none", 0), ("some", 5), ("all", 15))),
        },
        ("daily-life", "Daily life"): {
            "getting-out": ("Getting out and about", (("none", 0), ("some", 8), ("all", 16))),
        },
    }
    for d_pos, ((d_code, d_name), qs) in enumerate(spec.items()):
        domain = Domain.objects.create(version=version, code=d_code, name=d_name, position=d_pos)
        for q_pos, (q_code, (text, options)) in enumerate(qs.items()):
            question = Question.objects.create(
                domain=domain, code=q_code, text=text, position=q_pos
            )
            questions[q_code] = question
            for a_pos, (a_code, points) in enumerate(options):
                answers[f"{q_code}/{a_code}"] = Answer.objects.create(
                    question=question,
                    code=a_code,
                    text=a_code.title(),
                    points=points,
                    position=a_pos,
                )
    Adjustment.objects.create(
        version=version, code="carer", name="Carer support", kind="percent", value=10
    )
    Adjustment.objects.create(
        version=version, code="complexity", name="Complex needs", kind="fixed", value=2500
    )
    return Rules(version=version, q=questions, a=answers)


@dataclass
class Setting:
    manager: User
    person: Person
    rules: Rules
    later: Rules


@pytest.fixture
def setting(tenant_a):
    """Northmoor with only our rules: version 1 in effect from 30 days ago at £10 a
    point, version 2 from 10 days ahead at £12 a point."""
    today = timezone.localdate()
    with tenant_context(tenant_a.tenant):
        RulesVersion.objects.all().delete()  # the onboarding defaults; rolled back after
        manager = user_create(
            email="carol@northmoor.example", full_name="Carol", role_codes=["care_manager"]
        )
        person = person_create(
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth=datetime.date(1958, 3, 27),
            by=manager,
        )
        yield Setting(
            manager=manager,
            person=person,
            rules=_rules(1, today - 30 * DAY, 1000),
            later=_rules(2, today + 10 * DAY, 1200),
        )


def _answer_all(s: Setting, assessment: Assessment, rules: Rules, **chosen: str) -> None:
    for q_code, a_code in chosen.items():
        q_code = q_code.replace("_", "-")
        assessment_answer(
            assessment=assessment,
            question=rules.q[q_code],
            answer=rules.a[f"{q_code}/{a_code}"],
            by=s.manager,
        )


def _eligibility(s: Setting, assessment: Assessment, **overrides: Any) -> Assessment:
    values: dict[str, Any] = {
        "outcomes_not_achieved": ["hygiene", "nutrition"],
        "needs_from_condition": True,
        "wellbeing_impact_significant": True,
        "notes": "Lives alone; daughter visits weekly.",
    }
    return assessment_record_eligibility(
        assessment=assessment, by=s.manager, **(values | overrides)
    )


def _audit(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_start_uses_the_rules_in_effect_on_the_day(setting):
    today = timezone.localdate()
    now = assessment_start(person=setting.person, by=setting.manager)
    assert now.rules_version == setting.rules.version
    assert now.status == "draft"
    assert now.assessed_by == setting.manager

    now.delete()  # one draft at a time
    later = assessment_start(person=setting.person, by=setting.manager, on=today + 10 * DAY)
    assert later.rules_version == setting.later.version
    assert [e.detail["rules_version"] for e in _audit("assessment.started")] == [1, 2]


def test_start_before_any_rules_is_refused_and_writes_nothing(setting):
    with pytest.raises(DomainError) as error:
        assessment_start(
            person=setting.person, by=setting.manager, on=timezone.localdate() - 31 * DAY
        )
    assert error.value.detail.startswith("No budget rules are in effect on ")
    assert Assessment.objects.count() == 0
    assert _audit("assessment.started") == []


def test_a_second_draft_for_the_same_person_is_refused(setting):
    assessment_start(person=setting.person, by=setting.manager)
    with pytest.raises(DomainError) as error:
        assessment_start(person=setting.person, by=setting.manager)
    assert error.value.detail == (
        "An assessment of Ada Lovelace is already in progress: continue that one or "
        "complete it first"
    )
    assert Assessment.objects.count() == 1


def test_answering_again_replaces_the_answer(setting):
    assessment = assessment_start(person=setting.person, by=setting.manager)
    _answer_all(setting, assessment, setting.rules, washing="some")
    _answer_all(setting, assessment, setting.rules, washing="all")

    [row] = AssessmentAnswer.objects.filter(assessment=assessment)
    assert row.answer == setting.rules.a["washing/all"]
    assert [e.detail for e in _audit("assessment.answered")] == [
        {"question": "washing", "answer": "some", "points": 10},
        {"question": "washing", "answer": "all", "points": 20},
    ]


def test_an_answer_to_another_question_is_refused_and_writes_nothing(setting):
    assessment = assessment_start(person=setting.person, by=setting.manager)
    with pytest.raises(ValidationFailed) as error:
        assessment_answer(
            assessment=assessment,
            question=setting.rules.q["washing"],
            answer=setting.rules.a["meals/all"],
            by=setting.manager,
        )
    assert error.value.field_errors == {
        "answer": ["Choose one of the answers to: Washing and bathing"]
    }
    assert AssessmentAnswer.objects.count() == 0
    assert _audit("assessment.answered") == []


def test_a_question_of_another_rules_version_is_refused(setting):
    assessment = assessment_start(person=setting.person, by=setting.manager)
    with pytest.raises(ValidationFailed) as error:
        assessment_answer(
            assessment=assessment,
            question=setting.later.q["washing"],
            answer=setting.later.a["washing/all"],
            by=setting.manager,
        )
    assert error.value.field_errors == {
        "question": ["This question is not part of the questionnaire for this assessment"]
    }
    assert AssessmentAnswer.objects.count() == 0


def test_eligibility_is_stored_in_the_order_of_the_outcomes(setting):
    assessment = assessment_start(person=setting.person, by=setting.manager)
    _eligibility(setting, assessment, outcomes_not_achieved=["community", "nutrition", "community"])

    assessment.refresh_from_db()
    assert assessment.outcomes_not_achieved == ["nutrition", "community"]
    assert assessment.needs_from_condition is True
    assert assessment.notes == "Lives alone; daughter visits weekly."
    [entry] = _audit("assessment.eligibility_recorded")
    assert entry.detail == {
        "outcomes_not_achieved": 2,
        "needs_from_condition": True,
        "wellbeing_impact_significant": True,
    }


def test_an_unknown_outcome_is_refused_and_writes_nothing(setting):
    assessment = assessment_start(person=setting.person, by=setting.manager)
    with pytest.raises(ValidationFailed) as error:
        _eligibility(setting, assessment, outcomes_not_achieved=["nutrition", "flying"])
    assert error.value.field_errors == {
        "outcomes_not_achieved": ["'flying' is not one of the ten Care Act outcomes"]
    }
    assessment.refresh_from_db()
    assert assessment.outcomes_not_achieved == []
    assert assessment.needs_from_condition is None
    assert _audit("assessment.eligibility_recorded") == []


def test_complete_eligible_gives_the_indicative_budget_and_explains_it(setting):
    assessment = assessment_start(person=setting.person, by=setting.manager)
    _answer_all(setting, assessment, setting.rules, washing="some", meals="all", getting_out="some")
    _eligibility(setting, assessment)

    done = assessment_complete(
        assessment=assessment, adjustments=["complexity", "carer"], by=setting.manager
    )

    done.refresh_from_db()
    assert done.status == "completed"
    assert done.completed_at is not None
    assert done.eligible is True
    # 10 + 15 + 8 = 33 points x £10 = £330; carer +10% = £33; complexity +£25: £388.
    assert done.total_points == 33
    assert done.adjustments == ["carer", "complexity"]
    assert done.indicative_weekly_pence == 38800
    assert done.explanation == [
        ELIGIBLE_LINE,
        "Personal care: 25 points",
        "Daily life: 8 points",
        "33 points \u00d7 £10 a point = £330 a week",
        "Carer support: +10% = £33",
        "Complex needs: +£25 a week",
        "Indicative budget: £388 a week",
    ]
    [entry] = _audit("assessment.completed")
    assert entry.detail == {
        "eligible": True,
        "total_points": 33,
        "indicative_weekly_pence": 38800,
        "adjustments": ["carer", "complexity"],
    }


def test_complete_under_a_later_version_uses_its_price(setting):
    assessment = assessment_start(
        person=setting.person, by=setting.manager, on=timezone.localdate() + 10 * DAY
    )
    _answer_all(setting, assessment, setting.later, washing="all", meals="none", getting_out="none")
    _eligibility(setting, assessment)

    done = assessment_complete(assessment=assessment, by=setting.manager)

    assert (done.total_points, done.indicative_weekly_pence) == (20, 24000)
    assert done.explanation[-1] == "Indicative budget: £240 a week"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        (
            {"outcomes_not_achieved": ["nutrition"]},
            "you need help with only 1 of the 10 outcomes in the Care Act, and it takes at least 2",
        ),
        (
            {"outcomes_not_achieved": []},
            "you do not need help with any of the 10 outcomes in the Care Act",
        ),
        (
            {"needs_from_condition": False},
            "your needs do not come from a physical or mental impairment or illness",
        ),
        (
            {"wellbeing_impact_significant": False},
            "the impact on your wellbeing is not significant",
        ),
        (
            {"needs_from_condition": False, "wellbeing_impact_significant": False},
            "your needs do not come from a physical or mental impairment or illness and "
            "the impact on your wellbeing is not significant",
        ),
    ],
)
def test_not_eligible_unless_all_three_conditions_hold(setting, overrides, reason):
    assessment = assessment_start(person=setting.person, by=setting.manager)
    _answer_all(setting, assessment, setting.rules, washing="some", meals="all", getting_out="some")
    _eligibility(setting, assessment, **overrides)

    done = assessment_complete(assessment=assessment, by=setting.manager)

    assert done.eligible is False
    assert done.total_points == 33
    assert done.indicative_weekly_pence is None
    assert done.explanation == [
        f"Your needs are not eligible for care and support, because {reason}.",
        "So there is no indicative personal budget. You can ask us to look at this decision "
        "again, and we can tell you about other help nearby.",
    ]


def test_complete_needs_every_answer_the_decision_and_known_adjustments(setting):
    assessment = assessment_start(person=setting.person, by=setting.manager)
    _answer_all(setting, assessment, setting.rules, washing="some")

    with pytest.raises(ValidationFailed) as error:
        assessment_complete(assessment=assessment, adjustments=["respite"], by=setting.manager)

    assert error.value.detail == "The assessment is not finished yet."
    assert error.value.field_errors == {
        "adjustments": ["'respite' is not an adjustment in rules version 1"],
        "eligibility": ["Record the eligibility decision before completing"],
        "answers": ["Answer: Preparing meals", "Answer: Getting out and about"],
    }
    assessment.refresh_from_db()
    assert assessment.status == "draft"
    assert assessment.total_points is None
    assert assessment.explanation == []
    assert _audit("assessment.completed") == []


def test_a_completed_assessment_cannot_change(setting):
    assessment = assessment_start(person=setting.person, by=setting.manager)
    _answer_all(setting, assessment, setting.rules, washing="some", meals="all", getting_out="some")
    _eligibility(setting, assessment)
    assessment_complete(assessment=assessment, by=setting.manager)
    audit_count = AuditEntry.objects.count()

    attempts = [
        lambda: _answer_all(setting, assessment, setting.rules, washing="all"),
        lambda: _eligibility(setting, assessment, outcomes_not_achieved=["nutrition"]),
        lambda: assessment_complete(assessment=assessment, by=setting.manager),
    ]
    for attempt in attempts:
        with pytest.raises(AssessmentCompleted) as error:
            attempt()
        assert error.value.status == 409
        assert error.value.detail.startswith("This assessment was completed on ")
        assert error.value.detail.endswith(
            "and cannot be changed. Start a new assessment to record what has changed."
        )

    assessment.refresh_from_db()
    assert assessment.indicative_weekly_pence == 33000
    assert assessment.outcomes_not_achieved == ["nutrition", "hygiene"]
    assert AssessmentAnswer.objects.get(question=setting.rules.q["washing"]).answer.code == "some"
    assert AuditEntry.objects.count() == audit_count
    # A new assessment may start once the last one is complete.
    assert assessment_start(person=setting.person, by=setting.manager).status == "draft"
