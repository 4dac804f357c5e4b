"""The administration pages' forms. They check the shape of what was typed (a whole
number, an amount in pounds, a real date); the services decide everything else, and
their field errors are put back on these fields (see the *_FIELDS maps)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms

from core.money import parse_pounds, pounds_decimal
from core.web.forms import date_from_parts, date_part_field, text_field
from tenants.notifications.models import NotificationSettings
from tenants.rules.models import Management, RulesVersion

MAX_POUNDS_PENCE = 10_000_000  # £100,000: more than any weekly amount or price


class PoundsField(forms.CharField):
    """An amount typed in pounds ("4.50", "£1,250"), cleaned to whole pence."""

    def __init__(self, label: str, *, what: str, example: str, **kwargs: Any) -> None:
        self.what = what
        self.example = example
        kwargs.setdefault("required", False)
        super().__init__(label=label, **kwargs)
        self.error_messages["required"] = f"Enter {what}"

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = str(super().to_python(value) or "").strip()
        if not text:
            return None
        try:
            if len(text) > 20:  # parse_pounds would take thousands of digits
                raise ValueError(text)
            pence = parse_pounds(text)
        except ValueError:
            raise forms.ValidationError(
                f"Enter {self.what} in pounds and pence, like {self.example}"
            ) from None
        if pence > MAX_POUNDS_PENCE:
            raise forms.ValidationError(f"Enter {self.what} of £100,000 or less")
        return pence


def pounds_initial(pence: int | None) -> str:
    return "" if pence is None else pounds_decimal(pence).removesuffix(".00")


def whole_number(label: str, *, what: str, example: int) -> forms.IntegerField:
    """A whole number; its range is the service's to check (its message is shown)."""
    return forms.IntegerField(
        label=label,
        max_value=1_000_000,
        error_messages={
            "required": f"Enter {what}",
            "invalid": f"Enter {what} as a whole number, like {example}",
            "max_value": f"Enter {what} as a whole number, like {example}",
        },
    )


class ProblemForm(forms.Form):
    """A page whose only input is a button: a service's refusal goes in its summary."""

    def __init__(self) -> None:
        super().__init__(data={})

    def refuse(self, message: str) -> None:
        self.full_clean()
        self.add_error(None, message)


# --- Users and roles ---------------------------------------------------------------


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="Roles",
        required=False,  # the service says "Choose at least one role"
        error_messages={"invalid_choice": "Choose roles from the list"},
    )

    def __init__(self, *args: Any, roles: Iterable[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = list(roles)  # type: ignore[attr-defined]


class InviteForm(RolesForm):
    full_name = text_field("Full name", required=True, required_message="Enter the person's name")
    email = forms.CharField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter the person's email address",
            "max_length": "Enter an email address of 254 characters or fewer",
        },
    )

    field_order = ["full_name", "email", "roles"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An account with no role could sign in to nothing.
        self.fields["roles"].required = True
        self.fields["roles"].error_messages["required"] = "Choose at least one role"


# --- Budget rules ------------------------------------------------------------------


class EffectiveDateForm(forms.Form):
    """The day a new draft would take effect once published."""

    effective_from_day = date_part_field("Day")
    effective_from_month = date_part_field("Month")
    effective_from_year = date_part_field("Year")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day = date_from_parts(self, "effective_from", "The date the rules take effect")
        if day is None and not self.errors:
            self.add_error("effective_from_day", "Enter the date the rules take effect")
        cleaned["effective_from"] = day
        return cleaned

    @staticmethod
    def initial_for(day: dt.date | None) -> dict[str, Any]:
        if day is None:
            return {}
        return {
            "effective_from_day": day.day,
            "effective_from_month": day.month,
            "effective_from_year": day.year,
        }


YES_NO = [("yes", "Yes"), ("no", "No")]
SWITCHES = [
    ("orders_within_plan", "Orders only for the kinds of support the person's plan names"),
    ("person_confirms_delivery", "The person confirms each delivery before the provider is paid"),
    ("topups_need_approval", "Finance approves each top-up run before it is paid"),
]
PENCE_FIELDS = {
    "price_per_point_pence": "price_per_point",
    "minimum_weekly_pence": "minimum_weekly",
    "maximum_weekly_pence": "maximum_weekly",
    "income_allowance_weekly_pence": "income_allowance_weekly",
    "second_approval_above_pence": "second_approval_above",
}
# The service's field names → this form's.
RULES_FIELDS = {
    **PENCE_FIELDS,
    "effective_from": "effective_from_day",
    "excluded_spending": "excluded_other",
    **{name: "switches" for name, _ in SWITCHES},
}
WHOLE_SETTINGS = (
    "contribution_percent",
    "surplus_threshold_weeks",
    "surplus_notice_days",
    "topup_cycle_weeks",
)


class RulesSettingsForm(EffectiveDateForm):
    """Every setting of a draft that the rules service accepts."""

    price_per_point = PoundsField(
        "Price of one point",
        what="the price of one point",
        example="4.50",
        required=True,
    )
    minimum_weekly = PoundsField(
        "Smallest weekly budget", what="the smallest weekly budget", example="0", required=True
    )
    maximum_weekly = PoundsField(
        "Largest weekly budget (optional)", what="the largest weekly budget", example="1200"
    )
    contribution_method = forms.ChoiceField(
        label="How is the person's contribution worked out?",
        choices=RulesVersion.Contribution.choices,
        error_messages={"required": "Choose how the contribution is worked out"},
    )
    income_allowance_weekly = PoundsField(
        "Weekly income allowance",
        what="the weekly income allowance",
        example="228.70",
        required=True,
    )
    contribution_percent = whole_number(
        "Percentage of income above the allowance that is contributed",
        what="the percentage",
        example=50,
    )
    allowed_management = forms.MultipleChoiceField(
        label="Ways the money may be managed",
        required=False,  # "choose at least one" is the service's rule
        choices=Management.choices,
        error_messages={"invalid_choice": "Choose ways of managing the money from the list"},
    )
    excluded_categories = forms.MultipleChoiceField(
        label="Kinds of service that budgets cannot pay for",
        required=False,
        error_messages={"invalid_choice": "Choose kinds of service from the list"},
    )
    excluded_other = forms.CharField(
        label="Other spending that budgets cannot pay for",
        required=False,
        max_length=20_000,
        error_messages={"max_length": "Use 20,000 characters or fewer"},
    )
    surplus_threshold_weeks = whole_number(
        "Weeks of budget a purse may hold before a surplus notice", what="the weeks", example=8
    )
    surplus_notice_days = whole_number(
        "Days between a surplus notice and taking the money back", what="the days", example=28
    )
    topup_cycle_weeks = whole_number("Weeks between top-ups", what="the weeks", example=4)
    topup_timing = forms.ChoiceField(
        label="When is each top-up paid?",
        choices=[
            ("advance", "At the start of each cycle (in advance)"),
            ("arrears", "Once it has ended (in arrears)"),
        ],
        error_messages={"required": "Choose when each top-up is paid"},
    )
    switches = forms.MultipleChoiceField(
        label="Orders and payments", required=False, choices=SWITCHES
    )
    second_approval_above = PoundsField(
        "A second care manager approves budgets more than this above the indicative budget",
        what="the amount",
        example="50",
        required=True,
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=10_000,
        error_messages={"max_length": "Use 10,000 characters or fewer"},
    )

    def __init__(self, *args: Any, categories: Iterable[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        self.fields["excluded_categories"].choices = self.categories  # type: ignore[attr-defined]

    def settings(self) -> dict[str, Any]:
        """The cleaned values as the service takes them."""
        data = self.cleaned_data
        values: dict[str, Any] = {name: data[field] for name, field in PENCE_FIELDS.items()}
        values.update({name: data[name] for name in WHOLE_SETTINGS})
        values["contribution_method"] = data["contribution_method"]
        values["topup_timing"] = data["topup_timing"]
        values["allowed_management"] = list(data["allowed_management"])
        # Category codes first (orders and plan lines are matched against them), then
        # the free text, one kind of spending a line.
        other = [line.strip() for line in data["excluded_other"].splitlines() if line.strip()]
        values["excluded_spending"] = list(data["excluded_categories"]) + other
        values.update({name: name in data["switches"] for name, _ in SWITCHES})
        values["notes"] = data["notes"]
        return values

    @classmethod
    def initial_for(  # type: ignore[override]
        cls, version: RulesVersion, *, categories: Iterable[tuple[str, str]]
    ) -> dict[str, Any]:
        codes = {code.casefold(): code for code, _ in categories}
        chosen = [codes[e.casefold()] for e in version.excluded_spending if e.casefold() in codes]
        other = [e for e in version.excluded_spending if e.casefold() not in codes]
        initial = EffectiveDateForm.initial_for(version.effective_from)
        initial.update(
            {field: pounds_initial(getattr(version, name)) for name, field in PENCE_FIELDS.items()}
        )
        initial.update({name: getattr(version, name) for name in WHOLE_SETTINGS})
        initial.update(
            contribution_method=version.contribution_method,
            topup_timing=version.topup_timing,
            allowed_management=list(version.allowed_management),
            excluded_categories=chosen,
            excluded_other="\n".join(other),
            switches=[name for name, _ in SWITCHES if getattr(version, name, False)],
            notes=version.notes,
        )
        return initial


# --- Providers and services --------------------------------------------------------

DECISIONS = [("approved", "Approve"), ("suspended", "Suspend")]


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label="Your decision",
        choices=DECISIONS,
        error_messages={
            "required": "Choose whether to approve or suspend",
            "invalid_choice": "Choose whether to approve or suspend",
        },
    )
    reason = forms.CharField(
        label="Reason",
        required=False,  # required for a suspension: the service says so
        max_length=2000,
        error_messages={"max_length": "Use 2,000 characters or fewer"},
    )


class ServiceDecisionForm(DecisionForm):
    agreed_price = PoundsField(
        "Price agreed with the provider (optional)", what="the agreed price", example="18.50"
    )

    field_order = ["status", "agreed_price", "reason"]


SERVICE_DECISION_FIELDS = {"agreed_price_pence": "agreed_price"}


class ModerationForm(forms.Form):
    publish = forms.ChoiceField(
        label="Publish this review?",
        choices=[("yes", "Yes, publish it"), ("no", "No, keep it unpublished")],
        error_messages={
            "required": "Choose whether to publish the review",
            "invalid_choice": "Choose whether to publish the review",
        },
    )
    reason = forms.CharField(
        label="Reason (needed if it is not published)",
        required=False,
        max_length=2000,
        error_messages={"max_length": "Use 2,000 characters or fewer"},
    )


# --- Notifications -----------------------------------------------------------------


class NotificationsForm(forms.Form):
    review_reminders_enabled = forms.ChoiceField(
        label="Email care managers about reviews that are due?",
        choices=YES_NO,
        error_messages={"required": "Choose whether to send review reminders"},
    )
    review_reminder_days_ahead = whole_number(
        "How many days before a review is due?", what="the number of days", example=14
    )
    exceptions_digest_enabled = forms.ChoiceField(
        label="Email a daily digest of open reconciliation exceptions?",
        choices=YES_NO,
        error_messages={"required": "Choose whether to send the digest"},
    )
    exceptions_digest_email = forms.CharField(
        label="Finance mailbox for the digest",
        required=False,
        max_length=254,
        error_messages={"max_length": "Enter an email address of 254 characters or fewer"},
    )
    budget_holder_reply_to = forms.CharField(
        label="Reply-to address of emails to budget holders (optional)",
        required=False,
        max_length=254,
        error_messages={"max_length": "Enter an email address of 254 characters or fewer"},
    )

    def settings(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "review_reminders_enabled": data["review_reminders_enabled"] == "yes",
            "review_reminder_days_ahead": data["review_reminder_days_ahead"],
            "exceptions_digest_enabled": data["exceptions_digest_enabled"] == "yes",
            "exceptions_digest_email": data["exceptions_digest_email"],
            "budget_holder_reply_to": data["budget_holder_reply_to"],
        }

    @staticmethod
    def initial_for(chosen: NotificationSettings) -> dict[str, Any]:
        return {
            "review_reminders_enabled": "yes" if chosen.review_reminders_enabled else "no",
            "review_reminder_days_ahead": chosen.review_reminder_days_ahead,
            "exceptions_digest_enabled": "yes" if chosen.exceptions_digest_enabled else "no",
            "exceptions_digest_email": chosen.exceptions_digest_email,
            "budget_holder_reply_to": chosen.budget_holder_reply_to,
        }
