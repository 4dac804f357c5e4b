"""Helpers for the personal budgets API tests: JSON requests, counts, audit rows,
and a person taken through assessment by a care manager."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from core.models import AuditEntry
from tests.conftest import TenantUsers

INCOME = 25000  # £250 a week: £35.65 above the default allowance of £214.35


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def patch(client: Client, path: str, body: Any) -> Any:
    return client.patch(path, json.dumps(body), content_type="application/json")


def audits(tenant: TenantUsers, action: str) -> list[AuditEntry]:
    with tenant_context(tenant.tenant):
        return list(AuditEntry.objects.filter(action=action).order_by("id"))


def count(tenant: TenantUsers, model: Any) -> int:
    with tenant_context(tenant.tenant):
        return int(model.objects.count())


def person_made(client: Client, holder: User | None = None) -> str:
    body: dict[str, Any] = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": "1950-12-10",
        "nhs_number": "943 476 5919",
        "postcode": "nm1 1aa",
        "communication_needs": ["large_print"],
    }
    if holder is not None:
        body["account"] = str(holder.public_id)
    response = post(client, "/api/purse/people/", body)
    assert response.status_code == 201, response.content
    return str(response.json()["id"])


def assessed(client: Client, person_id: str, *, answer_index: int = 1) -> dict[str, Any]:
    """Start, answer every question (its second answer, or the one at `answer_index`
    where it has one), record eligibility, complete."""
    started = post(client, "/api/purse/assessments/", {"person": person_id})
    assert started.status_code == 201, started.content
    assessment_id = started.json()["id"]
    version = started.json()["rules_version"]
    questionnaire = client.get(f"/api/rules/versions/{version}/").json()["questionnaire"]
    for domain in questionnaire:
        for question in domain["questions"]:
            answer = question["answers"][min(answer_index, len(question["answers"]) - 1)]
            answered = post(
                client,
                f"/api/purse/assessments/{assessment_id}/answers/",
                {"question": question["id"], "answer": answer["id"]},
            )
            assert answered.status_code == 200, answered.content
    eligibility = post(
        client,
        f"/api/purse/assessments/{assessment_id}/eligibility/",
        {
            "outcomes_not_achieved": ["nutrition", "hygiene", "dressing"],
            "needs_from_condition": True,
            "wellbeing_impact_significant": True,
            "notes": "Lives alone since March",
        },
    )
    assert eligibility.status_code == 200, eligibility.content
    completed = post(
        client, f"/api/purse/assessments/{assessment_id}/complete/", {"adjustments": []}
    )
    assert completed.status_code == 200, completed.content
    return dict(completed.json())


def plan_body(assessment: dict[str, Any], weekly: int, **changes: Any) -> dict[str, Any]:
    first = weekly // 2
    return {
        "assessment": assessment["id"],
        "outcomes": "Stay living at home and see friends twice a week",
        "management": "direct_payment",
        "lines": [
            {
                "category": "home-care",
                "description": "Help each morning",
                "weekly_cost_pence": first,
            },
            {
                "category": "day-opportunities",
                "description": "Community centre",
                "weekly_cost_pence": weekly - first,
            },
        ],
        "weekly_budget_pence": weekly,
        "weekly_income_pence": INCOME,
        "starts_on": timezone.localdate().isoformat(),
        **changes,
    }
