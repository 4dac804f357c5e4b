"""Guards the workspace relies on: a council never loses its last administrator, and a
typing slip cannot make a budget of millions a week, nor pay years of back-pay."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.services import user_deactivate, user_roles_set
from core.errors import DomainError, ValidationFailed
from core.services import SYSTEM
from purse.imports.csv_layout import row_check
from purse.services.plans import plan_create
from tenants.rules.selectors import rules_for
from tests.purse import plan_builders as b

pytestmark = pytest.mark.django_db


def test_the_last_active_administrator_cannot_be_removed_or_deactivated(tenant_a):
    with tenant_context(tenant_a.tenant):
        admin = tenant_a.admin
        other = b.staff("Second Admin", "council_admin")
        # Two administrators: one may remove the other's role ...
        user_roles_set(user=other, role_codes=["care_manager"], by=admin, origin=SYSTEM)
        # ... but now the council has one, who cannot lose it to anyone.
        helper = b.staff("Helper Admin", "council_admin")
        user_roles_set(user=helper, role_codes=["council_admin"], by=admin, origin=SYSTEM)
        user_deactivate(user=helper, by=admin, origin=SYSTEM)
        with pytest.raises(ValidationFailed, match="is the only active administrator"):
            user_roles_set(user=admin, role_codes=["care_manager"], by=helper, origin=SYSTEM)
        with pytest.raises(DomainError):  # not an administrator any more: cannot act
            user_deactivate(user=admin, by=other, origin=SYSTEM)
        admin.refresh_from_db()
        assert admin.is_active
        assert admin.roles.filter(code="council_admin").exists()


def test_a_weekly_budget_over_ten_thousand_pounds_is_refused(tenant_a):
    with tenant_context(tenant_a.tenant):
        carol = b.staff("Carol Cap")
        version = b.rules_version()
        assessment = b.assessment(b.person(), version, carol, indicative=30000)
        with pytest.raises(ValidationFailed) as refused:
            plan_create(
                assessment=assessment,
                outcomes="Stay at home",
                management="council_managed",
                lines=[("home-care", "Mornings", 2_755_000)],
                weekly_budget_pence=2_755_000,  # "27,550" typed for 275.50
                difference_reason="Typed wrongly",
                starts_on=timezone.localdate(),
                by=carol,
            )
    assert refused.value.field_errors["weekly_budget_pence"] == [
        "Enter a weekly budget of £10,000 or less: check the amount"
    ]
    assert "Line 1: enter a weekly cost of £10,000 or less" in refused.value.field_errors["lines"]


def _row(**cells: str) -> dict[str, str]:
    base = {
        "reference": "KM-1",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": "10/12/1950",
        "postcode": "NM1 1AA",
        "weekly_budget": "275.50",
        "management": "council_managed",
        "start_date": "01/01/2026",
        "next_review_date": (timezone.localdate() + dt.timedelta(days=60)).strftime("%d/%m/%Y"),
    }
    return base | cells


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"weekly_budget": "27,550"}, "weekly_budget", "£10,000 or less"),
        (
            {"paid_up_to": "01/02/2026"},
            "paid_up_to",
            "the first top-up would pay for all the weeks",
        ),
    ],
)
def test_an_import_row_that_would_pay_far_too_much_is_refused(tenant_a, cells, column, message):
    with tenant_context(tenant_a.tenant):
        version = rules_for(on=timezone.localdate())
        clean, problems = row_check(2, _row(**cells), version=version, today=timezone.localdate())
    assert clean is None
    assert [p.column for p in problems] == [column]
    assert message in problems[0].message
