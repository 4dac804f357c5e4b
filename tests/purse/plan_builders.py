"""Rows for plan, review and challenge tests, made directly: people and assessments
have their own services, tested on their own."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max

from accounts.services import user_create
from purse.models import Assessment, Person
from tenants.rules.models import Management, RulesVersion

BEGAN = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
COUNCIL_OPTIONS = [
    Management.DIRECT_PAYMENT,
    Management.COUNCIL_MANAGED,
    Management.INDIVIDUAL_SERVICE_FUND,
    Management.MIXED,
]


def rules_version(**fields: Any) -> RulesVersion:
    """A published version numbered after any the tenant already has (new tenants get
    their kind's defaults)."""
    latest = RulesVersion.objects.aggregate(latest=Max("number"))["latest"] or 0
    number = latest + 1
    defaults: dict[str, Any] = {
        "status": RulesVersion.Status.PUBLISHED,
        "effective_from": dt.date(2001, 1, 1) + dt.timedelta(days=number),
        "price_per_point_pence": 100,
        "allowed_management": list(COUNCIL_OPTIONS),
        "second_approval_above_pence": 5000,
        "topup_cycle_weeks": 4,
    }
    return RulesVersion.objects.create(number=number, **(defaults | fields))


def staff(name: str, role: str = "care_manager") -> Any:
    slug = name.lower().replace(" ", ".")
    return user_create(email=f"{slug}@staff.example", full_name=name, role_codes=[role])


def person(given: str = "Ada", family: str = "Lovelace", **fields: Any) -> Person:
    return Person.objects.create(
        given_name=given, family_name=family, date_of_birth=dt.date(1950, 12, 10), **fields
    )


def assessment(
    who: Person,
    version: RulesVersion,
    by: Any,
    *,
    indicative: int | None = 30000,
    eligible: bool | None = True,
    status: str = Assessment.Status.COMPLETED,
) -> Assessment:
    made = Assessment.objects.create(
        person=who,
        rules_version=version,
        status=status,
        outcomes_not_achieved=["nutrition", "hygiene"],
        needs_from_condition=True,
        wellbeing_impact_significant=True,
        eligible=eligible,
        total_points=300,
        indicative_weekly_pence=indicative,
        assessed_by=by,
    )
    # Begun long ago, so plans may start on the dates tests need (not before it began).
    # Begun in the order made, so "newest first" still holds.
    made.started_at = BEGAN + dt.timedelta(microseconds=made.pk)
    Assessment.objects.filter(pk=made.pk).update(started_at=made.started_at)
    return made
