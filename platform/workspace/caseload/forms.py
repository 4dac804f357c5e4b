from __future__ import annotations

from typing import Any

from django import forms

from core.money import parse_pounds
from core.web.forms import date_from_parts, date_part_field
from purse.caseload.selectors import ALERT_LABELS
from purse.caseload.services import MAX_NOTE
from purse.models import OUTCOMES
from tenants.rules.models import Adjustment, Question

SHOW = [("", "Everyone"), ("attention", "Everyone who needs attention"), *ALERT_LABELS.items()]


class CaseloadFilter(forms.Form):
    q = forms.CharField(label="Name", required=False, max_length=100)
    show = forms.ChoiceField(label="Show", choices=SHOW, required=False)


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Add a case note",
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Write the note",
            "max_length": f"Use {MAX_NOTE:,} characters or fewer",
        },
    )


YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(label: str, required_message: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        error_messages={"required": required_message},
    )


class QuestionnaireForm(forms.Form):
    """One radio question for each question of the rules version's questionnaire. Any
    may be left for later: the assessment is complete only when all are answered."""

    def __init__(self, *args: Any, questions: list[Question], given: dict[int, int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q{question.pk}"] = forms.ChoiceField(
                label=question.text,
                choices=[(a.pk, a.text) for a in question.answers.all()],
                required=False,
                initial=given.get(question.pk),
                error_messages={"invalid_choice": f"Choose one of the answers to: {question.text}"},
            )

    def chosen(self) -> list[tuple[Question, int]]:
        return [
            (question, int(self.cleaned_data[f"q{question.pk}"]))
            for question in self.questions
            if self.cleaned_data.get(f"q{question.pk}")
        ]


class EligibilityForm(forms.Form):
    needs_from_condition = _yes_no(
        "Do the needs arise from a physical or mental impairment or illness?",
        "Say whether the needs arise from a physical or mental impairment or illness",
    )
    outcomes_not_achieved = forms.MultipleChoiceField(
        label="Which outcomes can the person not achieve without help?",
        choices=list(OUTCOMES.items()),
        required=False,
    )
    wellbeing_impact_significant = _yes_no(
        "Is there, or is there likely to be, a significant impact on their wellbeing?",
        "Say whether there is a significant impact on the person's wellbeing",
    )
    adjustments = forms.MultipleChoiceField(
        label="Adjustments to the indicative budget", required=False
    )
    notes = forms.CharField(
        label="Notes on the decision (optional)",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, adjustments: list[Adjustment], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["adjustments"]
        field.choices = [(a.code, a.name) for a in adjustments]  # type: ignore[attr-defined]
        if not adjustments:
            del self.fields["adjustments"]


def _pounds(label: str, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=20,
        error_messages={"required": f"Enter {label[0].lower()}{label[1:]}"},
    )


PLAN_LINES = 3


class PlanForm(forms.Form):
    """A support plan: what the person wants to achieve, how the money is managed, up
    to three ways the needs will be met with their weekly cost, the weekly budget and
    the person's contribution, and when it starts."""

    outcomes = forms.CharField(
        label="What the person wants to achieve",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the outcomes the person wants to achieve"},
    )
    management = forms.ChoiceField(
        label="How the money is managed",
        error_messages={"required": "Choose how the money is managed"},
    )
    weekly_budget = _pounds("Weekly budget")
    difference_reason = forms.CharField(
        label="Why the budget differs from the indicative budget (if it does)",
        required=False,
        max_length=4_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contribution = _pounds("The person's weekly contribution", required=False)
    weekly_income = _pounds("The person's weekly income", required=False)
    starts_day = date_part_field("Day")
    starts_month = date_part_field("Month")
    starts_year = date_part_field("Year")

    def __init__(
        self, *args: Any, management: list[tuple[str, str]], from_income: bool, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["management"].choices = management  # type: ignore[attr-defined]
        # The rules either take the contribution as entered or work it out from income.
        del self.fields["contribution" if from_income else "weekly_income"]
        for number in range(1, PLAN_LINES + 1):
            self.fields[f"line{number}_category"] = forms.CharField(
                label="Kind of support", required=False, max_length=100
            )
            self.fields[f"line{number}_description"] = forms.CharField(
                label="How it will be met", required=False, max_length=300
            )
            self.fields[f"line{number}_cost"] = forms.CharField(
                label="Weekly cost", required=False, max_length=20
            )

    def _money(self, name: str) -> int | None:
        raw = (self.cleaned_data.get(name) or "").strip()
        if not raw:
            return None
        try:
            return parse_pounds(raw)
        except ValueError:
            self.add_error(name, "Enter an amount in pounds, like 150 or 150.50")
            return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["weekly_budget_pence"] = self._money("weekly_budget")
        cleaned["contribution_pence"] = self._money("contribution")
        cleaned["weekly_income_pence"] = self._money("weekly_income")
        lines = []
        for number in range(1, PLAN_LINES + 1):
            parts = [
                cleaned.get(f"line{number}_{part}", "") for part in ("category", "description")
            ]
            cost = self._money(f"line{number}_cost")
            if any(parts) or cost is not None:
                lines.append((parts[0], parts[1], cost if cost is not None else -1))
        cleaned["lines"] = lines
        cleaned["starts_on"] = date_from_parts(self, "starts", "The start date")
        if cleaned["starts_on"] is None and not any(
            self.has_error(f"starts_{part}") for part in ("day", "month", "year")
        ):
            self.add_error("starts_day", "Enter the day the plan starts")
        return cleaned
