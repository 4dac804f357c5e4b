"""The indicative budget and its plain-English explanation, to the penny."""

# The explanations people read use the multiplication sign, so the expected lines do too.
# ruff: noqa: RUF001, RUF003

from __future__ import annotations

from collections.abc import Sequence

import pytest

from accounts.models import User
from core.errors import ValidationFailed
from core.models import AuditEntry
from tenants.rules.compute import indicative_budget, percent_of
from tenants.rules.models import Answer, Question, RulesVersion
from tenants.rules.services import BandInput, rules_bands_set, rules_version_update

from .factories import answers_for, draft_of

ZERO_DOMAINS = [
    "Personal care: 0 points",
    "Eating and drinking: 0 points",
    "Moving around: 0 points",
    "Daily living: 0 points",
    "Social life and community: 0 points",
    "Support from a carer: 0 points",
]
# 37 points: personal care 8+2+4, eating 3, moving 6+3, daily living 2+3, community 4,
# carer break 2.
MIXED = {
    "washing": "most",
    "dressing": "some",
    "toilet": "some",
    "eating": "some",
    "moving_at_home": "most",
    "transfers": "some",
    "housework": "some",
    "medicines": "given",
    "community": "most",
    "carer_break": "sometimes",
}
MIXED_DOMAINS = [
    "Personal care: 14 points",
    "Eating and drinking: 3 points",
    "Moving around: 9 points",
    "Daily living: 5 points",
    "Social life and community: 4 points",
    "Support from a carer: 2 points",
]
HIGHEST = {
    "washing": "all",
    "dressing": "all",
    "toilet": "all",
    "meals": "all",
    "eating": "all",
    "moving_at_home": "all",
    "transfers": "all",
    "housework": "all",
    "medicines": "given",
    "community": "all",
    "relationships": "most",
    "work_learning": "most",
    "carer_break": "often",
}


def test_price_per_point_with_both_adjustments(v1: RulesVersion) -> None:
    result = indicative_budget(
        version=v1,
        answers=answers_for(v1, **MIXED),
        adjustments=["carer-support", "complexity"],
    )

    assert (result.total_points, result.weekly_pence) == (37, 23315)
    assert result.lines == [
        *MIXED_DOMAINS,
        "37 points × £4.50 a point = £166.50 a week",
        "Carer support: +10% = £16.65",
        "Complex needs: +£50 a week",
        "Indicative budget: £233.15 a week",
    ]


def test_no_needs_no_money(v1: RulesVersion) -> None:
    result = indicative_budget(version=v1, answers=answers_for(v1))

    assert (result.total_points, result.weekly_pence) == (0, 0)
    assert result.lines == [
        *ZERO_DOMAINS,
        "0 points × £4.50 a point = £0 a week",
        "Indicative budget: £0 a week",
    ]


def test_answers_may_be_given_as_model_rows(v1: RulesVersion) -> None:
    washing = Question.objects.get(domain__version=v1, code="washing")
    answers: dict[str | Question, str | Answer] = dict(answers_for(v1))
    del answers["washing"]
    answers[washing] = washing.answers.get(code="some")

    result = indicative_budget(version=v1, answers=answers)

    assert (result.total_points, result.weekly_pence) == (4, 1800)
    assert result.lines[0] == "Personal care: 4 points"
    assert result.lines[6] == "4 points × £4.50 a point = £18 a week"


def test_percent_rounds_half_a_penny_up(admin: User, v1: RulesVersion) -> None:
    # 5 points × £4.85 = £24.25; 10% of it is 242.5p, which rounds up to 243p
    # (not down to 242p, as truncating or rounding half to even would).
    draft = draft_of(v1, admin, price_per_point_pence=485)

    result = indicative_budget(
        version=draft, answers=answers_for(draft, transfers="all"), adjustments=["carer-support"]
    )

    assert (result.total_points, result.weekly_pence) == (9, 4802)
    assert result.lines[-3:] == [
        "9 points × £4.85 a point = £43.65 a week",
        "Carer support: +10% = £4.37",
        "Indicative budget: £48.02 a week",
    ]
    assert percent_of(2425, 10) == 243
    assert percent_of(2424, 10) == 242
    assert percent_of(0, 10) == 0


def test_minimum_raises_a_small_budget(admin: User, v1: RulesVersion) -> None:
    draft = draft_of(v1, admin, minimum_weekly_pence=5000)

    result = indicative_budget(version=draft, answers=answers_for(draft, dressing="some"))

    assert (result.total_points, result.weekly_pence) == (2, 5000)
    assert result.lines[-3:] == [
        "2 points × £4.50 a point = £9 a week",
        "Raised to the council's minimum of £50 a week",
        "Indicative budget: £50 a week",
    ]


def test_cap_applies_after_adjustments(admin: User, v1: RulesVersion) -> None:
    draft = draft_of(v1, admin, maximum_weekly_pence=40000)

    result = indicative_budget(
        version=draft, answers=answers_for(draft, **HIGHEST), adjustments=["carer-support"]
    )

    assert (result.total_points, result.weekly_pence) == (89, 40000)
    assert result.lines[-4:] == [
        "89 points × £4.50 a point = £400.50 a week",
        "Carer support: +10% = £40.05",
        "Capped at the council's maximum of £400 a week",
        "Indicative budget: £400 a week",
    ]


def test_default_cap_is_not_reached_by_the_highest_needs(v1: RulesVersion) -> None:
    result = indicative_budget(
        version=v1, answers=answers_for(v1, **HIGHEST), adjustments=["carer-support", "complexity"]
    )

    assert result.weekly_pence == 40050 + 4005 + 5000


def test_bands_replace_the_price_per_point(admin: User, v1: RulesVersion) -> None:
    draft = draft_of(v1, admin)
    rules_bands_set(
        version=draft,
        bands=[BandInput(0, 20, 10000), BandInput(21, 50, 25000), BandInput(51, 89, 40000)],
        by=admin,
    )

    result = indicative_budget(
        version=draft, answers=answers_for(draft, **MIXED), adjustments=["carer-support"]
    )

    assert (result.total_points, result.weekly_pence) == (37, 27500)
    assert result.lines == [
        *MIXED_DOMAINS,
        "37 points is in the band for 21 to 50 points = £250 a week",
        "Carer support: +10% = £25",
        "Indicative budget: £275 a week",
    ]


@pytest.mark.parametrize(("total", "weekly"), [(20, 10000), (21, 25000), (50, 25000), (51, 40000)])
def test_band_edges(admin: User, v1: RulesVersion, total: int, weekly: int) -> None:
    draft = draft_of(v1, admin)
    rules_bands_set(
        version=draft,
        bands=[BandInput(0, 20, 10000), BandInput(21, 50, 25000), BandInput(51, 89, 40000)],
        by=admin,
    )
    # Each pick adds up to the edge: washing and toilet "all" are 12 each, eating and
    # transfers "all" 9 each, dressing "most" 4, medicines 1 or 3, relationships 1 or 3.
    picks: dict[int, dict[str, str]] = {
        20: {"washing": "all", "dressing": "most", "medicines": "given", "relationships": "some"},
        21: {"washing": "all", "eating": "all"},
        50: {
            **{q: "all" for q in ("washing", "toilet", "eating", "transfers")},
            "dressing": "most",
            "medicines": "reminders",
            "relationships": "most",
        },
        51: {
            **{q: "all" for q in ("washing", "toilet", "eating", "transfers")},
            "dressing": "most",
            "medicines": "reminders",
            "relationships": "most",
            "work_learning": "some",
        },
    }

    result = indicative_budget(version=draft, answers=answers_for(draft, **picks[total]))

    assert (result.total_points, result.weekly_pence) == (total, weekly)


def _refused(
    version: RulesVersion, answers: dict, adjustments: Sequence[str] = ()
) -> ValidationFailed:
    """The error indicative_budget raises; it writes nothing (not even an audit entry)."""
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        indicative_budget(version=version, answers=answers, adjustments=adjustments)
    assert AuditEntry.objects.count() == before
    return caught.value


def test_unknown_answer(v1: RulesVersion) -> None:
    error = _refused(v1, answers_for(v1, washing="sometimes"))

    assert error.field_errors == {
        "washing": [
            "'sometimes' is not an answer to 'How much help do you need to wash, bathe or "
            "shower?': choose one of 'none', 'some', 'most', 'all'"
        ]
    }


def test_unknown_question(v1: RulesVersion) -> None:
    answers = {**answers_for(v1), "juggling": "none"}

    error = _refused(v1, answers)

    assert error.field_errors == {
        "juggling": ["There is no question 'juggling' in rules version 1"]
    }


def test_every_question_must_be_answered(v1: RulesVersion) -> None:
    answers = answers_for(v1)
    del answers["toilet"], answers["carer-break"]

    error = _refused(v1, answers)

    assert error.detail == "The indicative budget could not be worked out: check the answers."
    assert error.field_errors == {
        "toilet": [
            "Answer the question 'How much help do you need to use the toilet or manage "
            "continence?'"
        ],
        "carer-break": [
            "Answer the question 'If a family member or friend looks after you without pay, "
            "how much do they need a break?'"
        ],
    }


def test_question_of_another_version(admin: User, v1: RulesVersion) -> None:
    draft = draft_of(v1, admin)
    answers: dict = answers_for(v1)
    del answers["washing"]
    other = Question.objects.get(domain__version=draft, code="washing")
    answers[other] = "some"

    error = _refused(v1, answers)

    assert error.field_errors == {
        "washing": [
            "The question 'How much help do you need to wash, bathe or shower?' belongs to "
            "rules version 2, not version 1"
        ]
    }


def test_answer_row_of_another_question(v1: RulesVersion) -> None:
    answers: dict = answers_for(v1)
    answers["washing"] = Answer.objects.get(
        question__domain__version=v1, question__code="toilet", code="some"
    )

    error = _refused(v1, answers)

    assert list(error.field_errors) == ["washing"]
    assert error.field_errors["washing"][0].startswith("'some' is not an answer to")


def test_unknown_adjustment(v1: RulesVersion) -> None:
    error = _refused(v1, answers_for(v1), ["respite"])

    assert error.detail == (
        "There is no adjustment 'respite' in rules version 1. "
        "The adjustments are: 'carer-support', 'complexity'."
    )
    assert error.field_errors == {
        "adjustments": ["There is no adjustment 'respite' in rules version 1"]
    }


def test_an_adjustment_counts_once(v1: RulesVersion) -> None:
    error = _refused(v1, answers_for(v1), ["complexity", "complexity"])

    assert error.field_errors == {"adjustments": ["Each adjustment can be applied once"]}


def test_nothing_is_written_by_working_out(v1: RulesVersion) -> None:
    versions = list(RulesVersion.objects.values())
    audit = AuditEntry.objects.count()

    indicative_budget(version=v1, answers=answers_for(v1, **MIXED), adjustments=["complexity"])

    assert list(RulesVersion.objects.values()) == versions
    assert AuditEntry.objects.count() == audit


def test_draft_update_changes_the_money(admin: User, v1: RulesVersion) -> None:
    draft = rules_version_update(version=draft_of(v1, admin), by=admin, price_per_point_pence=500)

    result = indicative_budget(version=draft, answers=answers_for(draft, **MIXED))

    assert result.weekly_pence == 37 * 500
    assert indicative_budget(version=v1, answers=answers_for(v1, **MIXED)).weekly_pence == 37 * 450
