"""The monthly run: on the 1st, last month's statement for every person with a purse,
each once however often the run goes, with its figures kept as issued."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.models import AuditEntry
from purse.models import StatementIssued
from purse.statements.selectors import month_of
from purse.tasks import statements_monthly
from tests.purse.orders.support import market

from .support import clock, noon, place, topup

pytestmark = pytest.mark.django_db


def test_last_months_statements_are_issued_once(tenant_a):
    # Given a purse opened last month, with a top-up and a visit held then
    first = timezone.localdate().replace(day=1)
    start, end = month_of(first - dt.timedelta(days=1))
    with clock(noon(first - dt.timedelta(days=12))):
        m = market(tenant_a, funds=0)
        with tenant_context(tenant_a.tenant):
            topup(m, 10000)
            place(m, units="2", by=tenant_a.person)

    with tenant_context(tenant_a.tenant):
        # When the monthly run goes, and goes again
        issued = statements_monthly()
        again = statements_monthly()

        # Then the person has last month's statement, once, with its figures in pence
        [statement] = StatementIssued.objects.filter(person=m.person)
        assert (issued, again) == (StatementIssued.objects.count(), 0)
        assert (statement.period_start, statement.period_end) == (start, end)
        figures = statement.figures
        assert (figures["opening_total_pence"], figures["money_in_pence"]) == (0, 10000)
        assert (figures["closing_total_pence"], figures["closing_held_pence"]) == (10000, 3600)
        assert (figures["closing_available_pence"], figures["balanced"]) == (6400, True)
        assert (
            AuditEntry.objects.filter(
                action="statement.issued", acting_for_id=m.person.public_id
            ).count()
            == 1
        )


def test_a_purse_opened_this_month_gets_no_statement_for_last_month(tenant_a):
    m = market(tenant_a, funds=5000)
    with tenant_context(tenant_a.tenant):
        statements_monthly()
        assert not StatementIssued.objects.filter(person=m.person).exists()
