"""The budget rules editor: versions with their dates, a draft made from a version,
its settings (excluded spending among them) saved through the rules service with its
errors shown beside their fields, the impact preview, and publishing with the
service's date checks; another council's drafts are not found."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.models import AuditEntry
from tenants.rules.models import Answer, RulesVersion
from tenants.rules.services import rules_answer_update
from tests.tenants.rules.test_preview import person_with_budget

from .support import BASE, admin_client, draft_made, in_schema

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def settings_post(when: dt.date, **changes: object) -> dict[str, object]:
    """The settings form as the page fills it in for the council defaults."""
    data: dict[str, object] = {
        "effective_from_day": when.day,
        "effective_from_month": when.month,
        "effective_from_year": when.year,
        "price_per_point": "4.50",
        "minimum_weekly": "0",
        "maximum_weekly": "",
        "second_approval_above": "50",
        "contribution_method": "entered",
        "income_allowance_weekly": "0",
        "contribution_percent": "0",
        "allowed_management": ["direct_payment", "council_managed"],
        "excluded_categories": [],
        "excluded_other": "Gambling\nAnything illegal",
        "topup_cycle_weeks": "4",
        "topup_timing": "advance",
        "surplus_threshold_weeks": "8",
        "surplus_notice_days": "28",
        "switches": [],
        "notes": "",
    }
    return data | changes


def test_the_versions_list_shows_status_and_dates(tenant_a):
    draft = draft_made(tenant_a, days_ahead=10)

    page = admin_client(tenant_a).get(f"{BASE}/rules/").content.decode()

    one = page[page.index(">Version 1<") :].split("</tr>")[0]
    assert "In effect" in one
    assert "Until the next version" in one
    row = page[page.index(f">Version {draft.number}<") :].split("</tr>")[0]
    assert "Draft" in row
    assert "Not published" in row


def test_a_new_draft_is_a_copy_taking_effect_on_the_date_given(tenant_a):
    when = TODAY() + dt.timedelta(days=40)
    response = admin_client(tenant_a).post(
        f"{BASE}/rules/1/new-draft/",
        {
            "effective_from_day": when.day,
            "effective_from_month": when.month,
            "effective_from_year": when.year,
        },
    )

    with tenant_context(tenant_a.tenant):
        draft = RulesVersion.objects.get(number=2)
        v1 = RulesVersion.objects.get(number=1)
        assert (draft.status, draft.effective_from) == ("draft", when)
        assert draft.price_per_point_pence == v1.price_per_point_pence
        assert draft.domains.count() == v1.domains.count() > 0
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}/rules/2/settings/"


def test_a_new_draft_without_a_real_date_is_not_made(tenant_a):
    response = admin_client(tenant_a).post(
        f"{BASE}/rules/1/new-draft/",
        {"effective_from_day": "31", "effective_from_month": "2", "effective_from_year": "2027"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert (
        '<a href="#id_effective_from_day">The date the rules take effect must be a real date</a>'
        in page
    )
    assert in_schema(tenant_a, RulesVersion.objects.count) == 1


def test_saving_the_settings_changes_the_draft_with_its_excluded_spending(tenant_a):
    draft = draft_made(tenant_a)
    when = TODAY() + dt.timedelta(days=60)

    response = admin_client(tenant_a).post(
        f"{BASE}/rules/{draft.number}/settings/",
        settings_post(
            when,
            price_per_point="5.25",
            maximum_weekly="1,200",
            excluded_categories=["health-fitness"],
            excluded_other="Gambling\n\n  Anything illegal  ",
            switches=["orders_within_plan"],
        ),
    )

    assert response.status_code == 302
    with tenant_context(tenant_a.tenant):
        draft.refresh_from_db()
        assert draft.effective_from == when
        assert draft.price_per_point_pence == 525
        assert draft.maximum_weekly_pence == 120000
        assert draft.allowed_management == ["direct_payment", "council_managed"]
        assert draft.excluded_spending == ["health-fitness", "Gambling", "Anything illegal"]
        assert (draft.orders_within_plan, draft.person_confirms_delivery) == (True, False)
        assert AuditEntry.objects.filter(action="rules.version_updated").count() == 1
    # The page shows the category by its name, and the form shows the choice again.
    client = admin_client(tenant_a)
    assert (
        "<li>Health and fitness</li>"
        in client.get(f"{BASE}/rules/{draft.number}/").content.decode()
    )
    form = client.get(f"{BASE}/rules/{draft.number}/settings/").content.decode()
    assert 'value="health-fitness" checked' in form
    assert ">Gambling\nAnything illegal</textarea>" in form


def test_the_services_errors_are_shown_beside_their_fields_and_nothing_is_saved(tenant_a):
    draft = draft_made(tenant_a)
    before = in_schema(tenant_a, lambda: RulesVersion.objects.values().get(pk=draft.pk))

    response = admin_client(tenant_a).post(
        f"{BASE}/rules/{draft.number}/settings/",
        settings_post(
            TODAY(),
            minimum_weekly="100",
            maximum_weekly="50",
            allowed_management=[],
            topup_cycle_weeks="60",
        ),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_maximum_weekly">The maximum cannot be below the minimum</a>' in page
    assert '<a href="#id_allowed_management">Choose at least one way to manage' in page
    assert '<a href="#id_topup_cycle_weeks">Give a whole number of weeks from 1 to 52</a>' in page
    assert 'id="id_maximum_weekly-error"' in page
    assert in_schema(tenant_a, lambda: RulesVersion.objects.values().get(pk=draft.pk)) == before


def test_amounts_that_are_not_money_are_refused_by_the_form(tenant_a):
    draft = draft_made(tenant_a)

    response = admin_client(tenant_a).post(
        f"{BASE}/rules/{draft.number}/settings/", settings_post(TODAY(), price_per_point="lots")
    )

    assert (
        '<a href="#id_price_per_point">Enter the price of one point in pounds and pence, like 4.50'
        in response.content.decode()
    )
    assert in_schema(
        tenant_a, lambda: RulesVersion.objects.get(pk=draft.pk).price_per_point_pence
    ) == (draft.price_per_point_pence)


def test_a_published_version_cannot_be_edited_or_published_again(tenant_a):
    client = admin_client(tenant_a)

    edit = client.post(f"{BASE}/rules/1/settings/", settings_post(TODAY(), price_per_point="1"))
    publish = client.post(f"{BASE}/rules/1/publish/")

    assert edit.status_code == publish.status_code == 302
    assert edit["Location"] == f"{BASE}/rules/1/"
    assert "published rules never change" in client.get(f"{BASE}/rules/1/").content.decode()
    assert (
        in_schema(tenant_a, lambda: RulesVersion.objects.get(number=1).price_per_point_pence) == 450
    )


def test_the_preview_shows_who_would_get_more_or_less(tenant_a):
    # Given two budgets under version 1, and a draft paying £5 a point instead of £4.50
    # that values washing "most" less (8 points to 2)
    with tenant_context(tenant_a.tenant):
        v1 = RulesVersion.objects.get(number=1)
        person_with_budget(
            v1, tenant_a.admin, name="Ann Archer", weekly_pence=3600, chosen={"washing": "most"}
        )
        person_with_budget(v1, tenant_a.admin, name="Bob Baker", weekly_pence=0, chosen={})
    draft = draft_made(tenant_a)
    with tenant_context(tenant_a.tenant):
        draft.price_per_point_pence = 500
        draft.save()
        rules_answer_update(
            answer=Answer.objects.get(
                question__domain__version=draft, question__code="washing", code="most"
            ),
            points=2,
            by=tenant_a.admin,
        )

    page = admin_client(tenant_a).get(f"{BASE}/rules/{draft.number}/preview/").content.decode()

    ann = page[page.index("Ann Archer") :].split("</tr>")[0]
    assert ann.count("£36") == 2  # budget and indicative now
    assert "£10<" in ann
    assert "£26 less" in ann
    bob = page[page.index("Bob Baker") :].split("</tr>")[0]
    assert "No change" in bob
    assert "<li>0 would get more</li>" in page
    assert "<li>1 would get less</li>" in page
    with tenant_context(tenant_a.tenant):
        assert AuditEntry.objects.get(action="rules.previewed").detail == {
            "number": draft.number,
            "budgets": 2,
        }


def test_publishing_makes_the_draft_take_effect_on_its_date(tenant_a):
    draft = draft_made(tenant_a, days_ahead=5)
    client = admin_client(tenant_a)

    confirm = client.get(f"{BASE}/rules/{draft.number}/publish/").content.decode()
    response = client.post(f"{BASE}/rules/{draft.number}/publish/")

    assert f"Publish version {draft.number} to take effect on" in confirm
    assert response.status_code == 302
    with tenant_context(tenant_a.tenant):
        draft.refresh_from_db()
        assert draft.status == "published"
        assert draft.published_by_id == tenant_a.admin.pk
    listed = client.get(f"{BASE}/rules/").content.decode()
    one = listed[listed.index(">Version 1<") :].split("</tr>")[0]
    day_before = draft.effective_from - dt.timedelta(days=1)
    assert f"{day_before.day} {day_before:%B %Y}" in one


def test_publishing_on_a_date_another_version_has_shows_the_overlap_and_changes_nothing(
    tenant_a,
):
    first = draft_made(tenant_a, days_ahead=5)
    second = draft_made(tenant_a, days_ahead=5)
    client = admin_client(tenant_a)
    assert client.post(f"{BASE}/rules/{first.number}/publish/").status_code == 302

    response = client.post(f"{BASE}/rules/{second.number}/publish/")

    page = response.content.decode()
    assert response.status_code == 200
    assert f"Overlapping rule versions: version {first.number} already takes effect on" in page
    assert "<title>Error: Publish version" in page
    assert in_schema(tenant_a, lambda: RulesVersion.objects.get(pk=second.pk).status) == "draft"


def test_publishing_with_a_date_in_the_past_is_refused(tenant_a):
    draft = draft_made(tenant_a)
    with tenant_context(tenant_a.tenant):
        RulesVersion.objects.filter(pk=draft.pk).update(
            effective_from=TODAY() - dt.timedelta(days=1)
        )

    page = admin_client(tenant_a).post(f"{BASE}/rules/{draft.number}/publish/").content.decode()

    assert "is in the past. Choose today or a later date." in page
    assert in_schema(tenant_a, lambda: RulesVersion.objects.get(pk=draft.pk).status) == "draft"


def test_another_councils_draft_is_not_found(tenant_a, tenant_b):
    for _ in range(3):
        draft = draft_made(tenant_a)
    b_admin = admin_client(tenant_b)
    assert (
        in_schema(tenant_b, lambda: RulesVersion.objects.filter(number=draft.number).exists())
        is False
    )

    for page in ("", "settings/", "preview/", "publish/", "new-draft/"):
        assert b_admin.get(f"{BASE}/rules/{draft.number}/{page}").status_code == 404, page
    assert (
        b_admin.post(
            f"{BASE}/rules/{draft.number}/settings/", settings_post(TODAY(), price_per_point="1")
        ).status_code
        == 404
    )
    assert b_admin.post(f"{BASE}/rules/{draft.number}/publish/").status_code == 404
    assert f">Version {draft.number}<" not in b_admin.get(f"{BASE}/rules/").content.decode()
    assert in_schema(tenant_a, lambda: RulesVersion.objects.get(pk=draft.pk).status) == "draft"
