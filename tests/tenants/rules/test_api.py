"""Editing a draft's questionnaire through the API: answers' points, adjustments and
bands. Bad input is refused with a message and changes nothing; published versions
never change; only administrators edit."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.services import user_create
from tenants.rules.models import Adjustment, Answer, Band
from tests.conftest import TenantUsers, signed_in_client
from tests.purse.api_support import audits, patch, post

pytestmark = pytest.mark.django_db


def put(client: Client, path: str, body: Any) -> Any:
    return client.put(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def admin(tenant_a: TenantUsers) -> Client:
    return signed_in_client(tenant_a, tenant_a.admin)


@pytest.fixture
def draft(admin: Client) -> dict[str, Any]:
    effective = timezone.localdate() + dt.timedelta(days=30)
    made = post(admin, "/api/rules/versions/", {"effective_from": effective.isoformat()})
    assert made.status_code == 201, made.content
    return dict(made.json())


def _answers(detail: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        answer
        for domain in detail["questionnaire"]
        for question in domain["questions"]
        for answer in question["answers"]
    ]


def test_an_answer_gets_new_points_in_a_draft_only(
    tenant_a: TenantUsers, admin: Client, draft: dict[str, Any]
) -> None:
    answer = _answers(draft)[-1]
    path = f"/api/rules/versions/2/answers/{answer['id']}/"

    changed = patch(admin, path, {"points": answer["points"] + 3, "text": " Needs help daily "})
    assert changed.status_code == 200, changed.content
    after = {a["id"]: a for a in _answers(changed.json())}[answer["id"]]
    assert (after["points"], after["text"]) == (answer["points"] + 3, "Needs help daily")
    assert audits(tenant_a, "rules.answer_updated")[-1].detail["points"] == answer["points"] + 3

    negative = patch(admin, path, {"points": -1})
    assert negative.status_code == 400
    assert negative.json()["errors"] == {"points": ["Give a whole number of points, 0 or more"]}
    with tenant_context(tenant_a.tenant):
        assert Answer.objects.get(pk=answer["id"]).points == answer["points"] + 3

    # An answer of version 1 is not part of version 2, and version 1 is published.
    published = _answers(admin.get("/api/rules/versions/1/").json())[-1]
    assert (
        patch(admin, f"/api/rules/versions/2/answers/{published['id']}/", {"points": 1}).status_code
        == 404
    )
    refused = patch(admin, f"/api/rules/versions/1/answers/{published['id']}/", {"points": 99})
    assert refused.status_code == 400
    assert "published rules never change" in refused.json()["detail"]
    with tenant_context(tenant_a.tenant):
        assert Answer.objects.get(pk=published["id"]).points == published["points"]


def test_adjustments_change_within_their_kind(
    tenant_a: TenantUsers, admin: Client, draft: dict[str, Any]
) -> None:
    percent = next(a for a in draft["adjustments"] if a["kind"] == "percent")
    path = f"/api/rules/versions/2/adjustments/{percent['code']}/"

    too_much = patch(admin, path, {"value": 150})
    assert too_much.status_code == 400
    assert too_much.json()["errors"] == {"value": ["Give a whole percentage from 0 to 100"]}
    changed = patch(admin, path, {"value": 25})
    assert changed.status_code == 200, changed.content
    assert {a["code"]: a["value"] for a in changed.json()["adjustments"]}[percent["code"]] == 25
    assert (
        patch(admin, "/api/rules/versions/2/adjustments/no-such/", {"value": 1}).status_code == 404
    )
    with tenant_context(tenant_a.tenant):
        # Version 1 is untouched: the draft has its own copy.
        assert (
            Adjustment.objects.get(version__number=1, code=percent["code"]).value
            == percent["value"]
        )


def test_bands_replace_a_drafts_bands_only_when_they_cover_every_total(
    tenant_a: TenantUsers, admin: Client, draft: dict[str, Any]
) -> None:
    top = sum(
        max(a["points"] for a in question["answers"])
        for domain in draft["questionnaire"]
        for question in domain["questions"]
    )
    path = "/api/rules/versions/2/bands/"
    gap = put(
        admin,
        path,
        {
            "bands": [
                {"min_points": 0, "max_points": 9, "weekly_pence": 5000},
                {"min_points": 11, "max_points": top, "weekly_pence": 9000},
            ]
        },
    )
    assert gap.status_code == 400
    assert gap.json()["errors"] == {"bands": ["The bands leave a gap at 10 points"]}
    short = put(
        admin, path, {"bands": [{"min_points": 0, "max_points": top - 1, "weekly_pence": 1}]}
    )
    assert short.status_code == 400
    with tenant_context(tenant_a.tenant):
        assert not Band.objects.filter(version__number=2).exists()

    saved = put(
        admin,
        path,
        {
            "bands": [
                {"min_points": 11, "max_points": top, "weekly_pence": 9000},
                {"min_points": 0, "max_points": 10, "weekly_pence": 5000},
            ]
        },
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["bands"] == [
        {"min_points": 0, "max_points": 10, "weekly_pence": 5000},
        {"min_points": 11, "max_points": top, "weekly_pence": 9000},
    ]
    cleared = put(admin, path, {"bands": []})
    assert cleared.json()["bands"] == []


def test_only_administrators_edit_the_questionnaire(
    tenant_a: TenantUsers, draft: dict[str, Any]
) -> None:
    with tenant_context(tenant_a.tenant):
        manager = user_create(
            email="cm@a.example", full_name="Care Manager", role_codes=["care_manager"]
        )
    carol = signed_in_client(tenant_a, manager)
    answer = _answers(draft)[0]
    assert (
        patch(carol, f"/api/rules/versions/2/answers/{answer['id']}/", {"points": 5}).status_code
        == 403
    )
    assert put(carol, "/api/rules/versions/2/bands/", {"bands": []}).status_code == 403
    code = draft["adjustments"][0]["code"]
    assert (
        patch(carol, f"/api/rules/versions/2/adjustments/{code}/", {"value": 1}).status_code == 403
    )
