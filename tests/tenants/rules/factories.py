"""Builders for budget-rules tests, through the real services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tenants.rules.models import Question, RulesVersion
from tenants.rules.services import rules_version_create


def answers_for(version: RulesVersion, **chosen: str) -> dict[str | Question, str]:
    """Every question of `version` answered with its first (lowest) answer, except
    those named (question code, with _ for -, -> answer code)."""
    answers: dict[str | Question, str] = {}
    for question in Question.objects.filter(domain__version=version).prefetch_related("answers"):
        answers[question.code] = question.answers.all()[0].code
    for code, answer in chosen.items():
        answers[code.replace("_", "-")] = answer
    return answers


def draft_of(
    version: RulesVersion, by: Any, *, days_ahead: int = 30, **values: Any
) -> RulesVersion:
    """A draft copy of `version`, taking effect `days_ahead` days from today."""
    return rules_version_create(
        based_on=version,
        effective_from=timezone.localdate() + timedelta(days=days_ahead),
        by=by,
        **values,
    )
