"""Plans are versioned (a licence keeps its version until it is moved); licences move
only along the allowed statuses, refused in words otherwise; every change is audited
in the public schema; onboarding with a plan starts a trial licence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from billing.models import Licence, Plan
from billing.selectors import plan_latest, plan_tiers, plans_current
from billing.services import (
    licence_create,
    licence_plan_move,
    licence_status_set,
    plan_version_create,
)
from core.errors import DomainError, ValidationFailed
from core.models import AuditEntry
from tenants.models import Tenant
from tenants.services import tenant_create
from tests.conftest import PASSWORD

from .support import licensed

pytestmark = pytest.mark.django_db


def test_the_seeded_plans_are_version_one_with_prices_in_pence_and_a_30_day_trial():
    plans = {plan.code: plan for plan in Plan.objects.all()}

    assert set(plans) == {"complete", "marketplace", "personal-health-budgets"}
    assert {(p.version, p.trial_days) for p in plans.values()} == {(1, 30)}
    assert plans["complete"].modules == [
        "marketplace",
        "epurse",
        "phb",
        "social_prescribing",
        "reports",
    ]
    assert plans["marketplace"].modules == ["marketplace", "reports"]
    assert plans["personal-health-budgets"].modules == ["epurse", "phb", "reports"]
    complete = plans["complete"]
    assert (complete.platform_fee_pence, complete.minimum_monthly_pence) == (250_000, 300_000)
    assert [(t.first, t.last, t.pence) for t in plan_tiers(complete)] == [
        (1, 250, 600),
        (251, 1000, 450),
        (1001, None, 300),
    ]
    assert [p.code for p in plans_current()] == [
        "complete",
        "marketplace",
        "personal-health-budgets",
    ]


def test_a_new_plan_version_leaves_existing_licences_on_theirs_until_moved(tenant_a, tenant_b):
    # Given a council on Marketplace v1
    v1 = plan_latest(code="marketplace")
    assert v1 is not None
    licence = licensed(tenant_a, plan="marketplace")

    # When a second version adds the e-purse at a higher fee
    v2 = plan_version_create(
        code="marketplace",
        modules=["marketplace", "epurse", "reports"],
        platform_fee_pence=120_000,
        holder_tiers=[{"up_to": 500, "pence": 250}, {"up_to": None, "pence": 150}],
        order_fee_pence=20,
        trial_days=30,
        by=None,
    )

    # Then the council keeps v1; new licences are sold v2
    assert (v2.version, v2.name) == (2, "Marketplace")  # the name carried over
    licence.refresh_from_db()
    assert licence.plan_id == v1.pk
    assert plan_latest(code="marketplace") == v2
    assert [p.version for p in plans_current() if p.code == "marketplace"] == [2]
    newcomer = licensed(tenant_b, plan="marketplace")
    assert newcomer.plan == v2

    # And when the council is moved, it is on v2 (audited with both versions)
    moved = licence_plan_move(licence=licence, plan=v2, by=None)
    assert moved.plan == v2
    entry = AuditEntry.objects.get(action="billing.licence_plan_moved")
    assert entry.detail["from"] == {"code": "marketplace", "version": 1}
    assert entry.detail["to"] == {"code": "marketplace", "version": 2}
    with pytest.raises(DomainError, match="already on Marketplace \\(v2\\)"):
        licence_plan_move(licence=moved, plan=v2, by=None)
    assert AuditEntry.objects.filter(action="billing.plan_version_created").count() == 1


def test_a_plan_version_with_bad_values_is_not_made():
    with pytest.raises(ValidationFailed) as bad:
        plan_version_create(
            code="Bad Code",
            modules=["marketplace", "telecare"],
            platform_fee_pence=-1,
            holder_tiers=[{"up_to": 100, "pence": 300}],
            by=None,
        )
    assert set(bad.value.field_errors) == {
        "code",
        "name",
        "modules",
        "platform_fee_pence",
        "holder_tiers",
    }
    assert bad.value.field_errors["modules"] == [
        "There is no module telecare: choose from marketplace, epurse, phb, "
        "social_prescribing, reports"
    ]
    assert bad.value.field_errors["holder_tiers"] == [
        "The last tier must be open-ended (up_to null), so every holder has a price"
    ]
    with pytest.raises(ValidationFailed) as descending:
        plan_version_create(
            code="complete",
            modules=["marketplace"],
            holder_tiers=[{"up_to": 100, "pence": 3}, {"up_to": 50, "pence": 2}],
            by=None,
        )
    assert descending.value.field_errors["holder_tiers"] == [
        "Tier 2 must go up to more holders than the tier before (100)"
    ]
    assert Plan.objects.filter(code="complete").count() == 1


def test_a_licence_holds_its_term_purchase_order_contact_and_vat(tenant_a):
    plan = plan_latest(code="complete")
    assert plan is not None
    starts = dt.date(2027, 4, 1)

    licence = licence_create(
        tenant=tenant_a.tenant,
        plan=plan,
        starts_on=starts,
        ends_on=dt.date(2030, 3, 31),
        purchase_order="PO-2027-0042",
        billing_name="Northmoor Finance",
        billing_email="finance@northmoor.example",
        customer_vat_number="gb 123 4567 89",
        vat_treatment="standard",
        holder_cap=1000,
        by=None,
    )

    assert (licence.status, licence.trial_ends_on) == ("trial", dt.date(2027, 5, 1))
    assert licence.customer_vat_number == "GB123456789"
    assert (licence.holder_cap, licence.grace_percent) == (1000, 10)
    with pytest.raises(ValidationFailed) as twice:
        licence_create(tenant=tenant_a.tenant, plan=plan, by=None)
    assert twice.value.field_errors["tenant"] == [
        "Northmoor Borough Council already has a licence: move it to another plan"
    ]
    with pytest.raises(ValidationFailed) as bad:
        licence_create(
            tenant=tenant_a.tenant,
            plan=plan,
            starts_on=starts,
            ends_on=starts - dt.timedelta(days=1),
            billing_email="not an email",
            customer_vat_number="123",
            holder_cap=0,
            by=None,
        )
    assert {"ends_on", "billing_email", "customer_vat_number", "holder_cap", "tenant"} == set(
        bad.value.field_errors
    )
    [entry] = AuditEntry.objects.filter(action="billing.licence_created")
    assert entry.detail["plan"] == "complete"
    assert entry.detail["trial_ends_on"] == "2027-05-01"


@pytest.mark.parametrize(
    ("path", "refused", "message"),
    [
        (
            ["suspended"],
            "trial",
            "A licence that is trial cannot become suspended: from trial "
            "it can become active or cancelled.",
        ),
        (
            ["active", "suspended"],
            "active",
            "A licence that is active cannot become suspended: "
            "from active it can become past due or cancelled.",
        ),
        (
            ["active", "past_due", "trial"],
            "past due",
            "A licence that is past due cannot become "
            "trial: from past due it can become active or suspended or cancelled.",
        ),
        (
            ["cancelled", "active"],
            "cancelled",
            "A licence that is cancelled cannot become "
            "active: from cancelled it can become nothing else: it has ended.",
        ),
    ],
)
def test_moves_outside_the_allowed_statuses_are_refused_in_words(tenant_a, path, refused, message):
    licence = licensed(tenant_a, status="trial")
    *allowed, wrong = path
    for status in allowed:
        licence = licence_status_set(licence=licence, status=status, reason="Test", by=None)
    with pytest.raises(DomainError) as error:
        licence_status_set(licence=licence, status=wrong, reason="Test", by=None)
    assert error.value.detail == message
    licence.refresh_from_db()
    assert licence.status == (allowed[-1] if allowed else "trial")


def test_the_whole_life_of_a_licence_is_allowed_and_audited_with_its_reason(tenant_a):
    licence = licensed(tenant_a, status="trial")
    steps = ["active", "past_due", "active", "past_due", "suspended", "active", "cancelled"]
    for status in steps:
        before = licence.status_changed_at
        licence = licence_status_set(
            licence=licence, status=status, reason=f"Now {status}", by=tenant_a.admin
        )
        assert licence.status == status
        assert licence.status_changed_at > before
    entries = AuditEntry.objects.filter(action="billing.licence_status_changed").order_by("id")
    assert [(e.detail["from"], e.detail["to"]) for e in entries] == list(
        zip(["trial", *steps[:-1]], steps, strict=True)
    )
    assert {e.actor_id for e in entries} == {tenant_a.admin.public_id}
    assert entries[0].detail["reason"] == "Now active"
    with pytest.raises(ValidationFailed):
        licence_status_set(licence=licence, status="active", reason="  ", by=None)
    # Licensing is the platform's: nothing of it in the council's own log.
    with tenant_context(tenant_a.tenant):
        assert not AuditEntry.objects.filter(action__startswith="billing.").exists()


def test_onboarding_with_a_plan_starts_a_trial_licence_and_without_one_makes_none():
    plan = plan_latest(code="personal-health-budgets")

    with_plan = tenant_create(
        name="Eastfold Integrated Care Board",
        slug="eastfold",
        kind="nhs",
        admin_email="admin@eastfold.example",
        admin_password=PASSWORD,
        plan=plan,
    )
    without = tenant_create(
        name="Westmere Borough Council",
        slug="westmere",
        kind="council",
        admin_email="admin@westmere.example",
        admin_password=PASSWORD,
    )

    licence = Licence.objects.get(tenant=with_plan.tenant)
    today = timezone.localdate()
    assert (licence.plan, licence.status, licence.starts_on) == (plan, "trial", today)
    assert licence.trial_ends_on == today + dt.timedelta(days=30)
    assert not Licence.objects.filter(tenant=without.tenant).exists()
    assert Tenant.objects.get(pk=with_plan.tenant.pk).status == "trial"
