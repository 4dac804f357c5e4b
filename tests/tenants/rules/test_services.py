"""Making, editing and publishing rules versions, and which one applies on a day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from core.errors import DomainError, ValidationFailed
from core.models import AuditEntry
from tenants.rules.models import Adjustment, Answer, Band, Question, RulesVersion
from tenants.rules.selectors import day_text, rules_for, rules_in_effect
from tenants.rules.services import (
    BandInput,
    rules_answer_update,
    rules_bands_set,
    rules_version_create,
    rules_version_publish,
    rules_version_update,
)

from .factories import draft_of


def contents(version: RulesVersion) -> list[tuple[str, str, str, int]]:
    return list(
        Answer.objects.filter(question__domain__version=version)
        .order_by("question__domain__position", "question__position", "position")
        .values_list("question__domain__code", "question__code", "code", "points")
    )


def test_a_draft_copies_the_version_it_is_based_on(admin: User, v1: RulesVersion) -> None:
    effective = timezone.localdate() + timedelta(days=30)

    draft = rules_version_create(
        based_on=v1, effective_from=effective, by=admin, price_per_point_pence=500
    )

    assert (draft.number, draft.status, draft.effective_from) == (2, "draft", effective)
    assert draft.price_per_point_pence == 500
    assert draft.maximum_weekly_pence == v1.maximum_weekly_pence == 60000
    assert draft.allowed_management == v1.allowed_management
    assert draft.excluded_spending == v1.excluded_spending
    assert draft.created_by == admin
    assert contents(draft) == contents(v1)
    assert len(contents(draft)) == 49
    assert list(Adjustment.objects.filter(version=draft).values_list("code", "kind", "value")) == (
        list(Adjustment.objects.filter(version=v1).values_list("code", "kind", "value"))
    )
    entry = AuditEntry.objects.get(action="rules.version_created")
    assert entry.detail == {
        "number": 2,
        "based_on": 1,
        "effective_from": effective.isoformat(),
        "changed": ["price_per_point_pence"],
    }
    assert entry.actor_id == admin.public_id


def test_without_a_base_the_rules_in_effect_are_copied(admin: User, v1: RulesVersion) -> None:
    draft = rules_version_create(effective_from=timezone.localdate() + timedelta(days=7), by=admin)

    assert contents(draft) == contents(v1)
    assert draft.price_per_point_pence == 450


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        (
            {"price_per_point_pence": -1},
            {"price_per_point_pence": ["Give a whole number of pence, 0 or more"]},
        ),
        (
            {"minimum_weekly_pence": 70000},
            {"maximum_weekly_pence": ["The maximum cannot be below the minimum"]},
        ),
        (
            {"allowed_management": ["cash"]},
            {
                "allowed_management": [
                    "Choose at least one way to manage the money, each once, from: direct_payment, "
                    "council_managed, individual_service_fund, mixed, notional, third_party"
                ]
            },
        ),
        (
            {"contribution_percent": 101},
            {"contribution_percent": ["Give a whole percentage from 0 to 100"]},
        ),
        (
            {"topup_cycle_weeks": 0},
            {"topup_cycle_weeks": ["Give a whole number of weeks from 1 to 52"]},
        ),
        ({"colour": "blue"}, {"colour": ["'colour' is not a setting of the budget rules"]}),
    ],
)
def test_bad_settings_write_nothing(
    admin: User, v1: RulesVersion, values: dict, errors: dict
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        draft_of(v1, admin, **values)

    assert caught.value.field_errors == errors
    assert list(RulesVersion.objects.values_list("number", flat=True)) == [1]
    assert not AuditEntry.objects.filter(action="rules.version_created").exists()


def test_published_rules_never_change(admin: User, v1: RulesVersion) -> None:
    answer = Answer.objects.get(question__domain__version=v1, question__code="washing", code="all")

    with pytest.raises(DomainError, match="Rules version 1 is published, and published rules"):
        rules_version_update(version=v1, by=admin, price_per_point_pence=1)
    with pytest.raises(DomainError, match="Make a new draft based on it instead"):
        rules_answer_update(answer=answer, points=20, by=admin)

    v1.refresh_from_db()
    answer.refresh_from_db()
    assert (v1.price_per_point_pence, answer.points) == (450, 12)
    assert not AuditEntry.objects.filter(
        action__in=["rules.version_updated", "rules.answer_updated"]
    ).exists()


def test_answer_points_change_in_the_draft_only(admin: User, v1: RulesVersion) -> None:
    draft = draft_of(v1, admin)
    answer = Answer.objects.get(
        question__domain__version=draft, question__code="washing", code="all"
    )

    rules_answer_update(answer=answer, points=15, by=admin, text="Every time, and more")

    answer.refresh_from_db()
    assert (answer.points, answer.text) == (15, "Every time, and more")
    original = Answer.objects.get(
        question__domain__version=v1, question__code="washing", code="all"
    )
    assert original.points == 12
    assert AuditEntry.objects.get(action="rules.answer_updated").detail == {
        "question": "washing",
        "answer": "all",
        "points_before": 12,
        "points": 15,
    }


def test_negative_points_are_refused(admin: User, v1: RulesVersion) -> None:
    draft = draft_of(v1, admin)
    answer = Answer.objects.get(
        question__domain__version=draft, question__code="washing", code="all"
    )

    with pytest.raises(ValidationFailed) as caught:
        rules_answer_update(answer=answer, points=-3, by=admin)

    assert caught.value.detail == "Points cannot be negative: give a whole number, 0 or more."
    assert caught.value.field_errors == {"points": ["Give a whole number of points, 0 or more"]}
    answer.refresh_from_db()
    assert answer.points == 12
    assert not AuditEntry.objects.filter(action="rules.answer_updated").exists()


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ([BandInput(1, 89, 100)], "The bands leave a gap at 0 points"),
        ([BandInput(0, 20, 100), BandInput(20, 89, 200)], "The bands overlap at 20 points"),
        ([BandInput(0, 20, 100), BandInput(22, 89, 200)], "The bands leave a gap at 21 points"),
        ([BandInput(0, 80, 100)], "The bands stop at 80 points, but a person can score 89"),
        ([BandInput(0, 89, -1)], "The band from 0 points has a negative amount"),
    ],
)
def test_bad_bands_write_nothing(
    admin: User, v1: RulesVersion, bands: list[BandInput], message: str
) -> None:
    draft = draft_of(v1, admin)

    with pytest.raises(ValidationFailed) as caught:
        rules_bands_set(version=draft, bands=bands, by=admin)

    assert caught.value.field_errors == {"bands": [message]}
    assert not Band.objects.exists()


def test_publishing_makes_a_draft_take_effect(admin: User, v1: RulesVersion) -> None:
    draft = draft_of(v1, admin, days_ahead=10)

    published = rules_version_publish(version=draft, by=admin)

    assert published.status == "published"
    assert published.published_by == admin
    assert published.published_at is not None
    entry = AuditEntry.objects.filter(action="rules.version_published").latest("id")
    assert entry.detail == {"number": 2, "effective_from": draft.effective_from.isoformat()}
    with pytest.raises(DomainError, match="Rules version 2 is already published"):
        rules_version_publish(version=published, by=admin)


def test_an_effective_date_in_the_past_is_refused(admin: User, v1: RulesVersion) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    draft = rules_version_create(based_on=v1, effective_from=yesterday, by=admin)

    with pytest.raises(ValidationFailed) as caught:
        rules_version_publish(version=draft, by=admin)

    assert caught.value.detail == (
        f"The effective date {day_text(yesterday)} is in the past. Choose today or a later date."
    )
    draft.refresh_from_db()
    assert (draft.status, draft.published_at) == ("draft", None)
    assert AuditEntry.objects.filter(action="rules.version_published").count() == 1  # v1's


def test_overlapping_rule_versions_are_refused(admin: User, v1: RulesVersion) -> None:
    first = rules_version_publish(version=draft_of(v1, admin, days_ahead=20), by=admin)
    second = draft_of(v1, admin, days_ahead=20, price_per_point_pence=999)

    with pytest.raises(ValidationFailed) as caught:
        rules_version_publish(version=second, by=admin)

    message = (
        f"Overlapping rule versions: version 2 already takes effect on "
        f"{day_text(first.effective_from)}. Choose another effective date."
    )
    assert caught.value.detail == message
    assert caught.value.field_errors == {"effective_from": [message]}
    second.refresh_from_db()
    assert second.status == "draft"
    assert AuditEntry.objects.filter(action="rules.version_published").count() == 2


def test_a_draft_moved_to_a_free_day_can_be_published(admin: User, v1: RulesVersion) -> None:
    rules_version_publish(version=draft_of(v1, admin, days_ahead=20), by=admin)
    second = draft_of(v1, admin, days_ahead=20)

    moved = rules_version_update(
        version=second, by=admin, effective_from=timezone.localdate() + timedelta(days=21)
    )
    rules_version_publish(version=moved, by=admin)

    assert list(
        RulesVersion.objects.filter(status="published").values_list("number", flat=True)
    ) == [3, 2, 1]


def test_an_empty_questionnaire_cannot_be_published(admin: User, v1: RulesVersion) -> None:
    draft = draft_of(v1, admin)
    Question.objects.filter(domain__version=draft, code="washing").get().answers.all().delete()

    with pytest.raises(ValidationFailed) as caught:
        rules_version_publish(version=draft, by=admin)

    assert caught.value.field_errors == {
        "version": [
            "The question 'How much help do you need to wash, bathe or shower?' has no answers"
        ]
    }


def test_rules_for_each_side_of_an_effective_date(admin: User, v1: RulesVersion) -> None:
    start = timezone.localdate() + timedelta(days=10)
    v2 = rules_version_publish(version=draft_of(v1, admin, days_ahead=10), by=admin)

    assert rules_for(on=start - timedelta(days=1)) == v1
    assert rules_for(on=start) == v2
    assert rules_for(on=start + timedelta(days=1)) == v2
    assert rules_for(on=v1.effective_from) == v1


def test_drafts_never_apply(admin: User, v1: RulesVersion) -> None:
    draft = draft_of(v1, admin, days_ahead=5)

    assert rules_for(on=draft.effective_from) == v1
    assert rules_for(on=draft.effective_from + timedelta(days=365)) == v1


def test_no_rules_before_the_first_version(admin: User, v1: RulesVersion) -> None:
    before = v1.effective_from - timedelta(days=1)

    with pytest.raises(DomainError) as caught:
        rules_for(on=before)

    assert caught.value.detail == (
        f"No budget rules are in effect on {day_text(before)}. Publish a rules version that "
        "takes effect on or before that day."
    )
    assert rules_in_effect(on=before) is None
