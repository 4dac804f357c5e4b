"""The commissioner's reports: every breakdown of spending adds up to the ledger's own
capture total to the penny; another council's money never shows; the CSV carries the
same figures; bad months are an error on the page, not a failure; only commissioners
and administrators open the reports, and only administrators change the unit costs;
the published performance page is open to all and holds back small numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django_tenants.utils import tenant_context

from core.models import AuditEntry
from epurse.db import use_public_schema
from purse.models import Person
from tests.conftest import signed_in_client
from tests.purse.orders.support import market
from tests.purse.plan_builders import staff
from workspace.models import UnitCost
from workspace.reports import outcomes, selectors
from workspace.reports.period import Period

from .support import council_seeded, holder_made, ledger_captured, visit_paid

pytestmark = pytest.mark.django_db

YEAR = Period(dt.date(2026, 1, 1), dt.date(2026, 12, 1))
PAGES = [
    "/workspace/reports/",
    "/workspace/reports/spend/category/",
    "/workspace/reports/spend/provider/",
    "/workspace/reports/spend/month/",
    "/workspace/reports/spend/area/",
    "/workspace/reports/budget-holders/",
    "/workspace/reports/market/",
    "/workspace/reports/savings/",
    "/workspace/reports/feedback/",
    "/workspace/reports/outcomes/",
    "/workspace/reports/unit-costs/",
]
YEAR_QUERY = "?from_month=1&from_year=2026&to_month=12&to_year=2026"


@pytest.fixture
def seeded(tenant_a):
    return council_seeded(tenant_a)


def _rows(breakdown: selectors.Breakdown) -> dict[str, int]:
    return {row.label: row.pence for row in breakdown.rows}


def test_every_breakdown_of_spending_adds_up_to_the_ledger_to_the_penny(tenant_a, seeded):
    # Given a year of payments: £36, £27 (later refunded), £22.50 and 1.5 sessions at £39.99
    with tenant_context(tenant_a.tenant):
        # When each breakdown is worked out for 2026
        found = {by: selectors.spend_by(by=by, period=YEAR) for by in selectors.DIMENSIONS}
        # Then each one's total is the ledger's sum of captures, worked out on its own
        ledger = ledger_captured(YEAR.begins, YEAR.ends)
        provider = seeded.market.service.provider
        provider_name = provider.trading_name or provider.legal_name

    assert ledger == 3600 + 2700 + 2250 + 5999
    for breakdown in found.values():
        assert breakdown.total_pence == ledger
        assert sum(r.pence for r in breakdown.rows) == ledger
        assert breakdown.payments == 4
        # The refund is reported beside spending, not taken off it.
        assert breakdown.refunds_pence == seeded.refunded_pence == 2700
    assert _rows(found["category"]) == {"Home care": 8550, "Day opportunities": 5999}
    assert _rows(found["provider"]) == {provider_name: 8550, "Brightdays CIC": 5999}
    assert _rows(found["area"]) == {"NM22": 2250 + 5999, "NM1": 3600 + 2700}
    months = _rows(found["month"])
    assert len(months) == 12  # every month shown, those with nothing too
    assert (months["March 2026"], months["April 2026"], months["November 2026"]) == (
        3600,
        2700 + 2250,
        5999,
    )
    assert (
        sum(v for k, v in months.items() if k not in ("March 2026", "April 2026", "November 2026"))
        == 0
    )


def test_a_shorter_period_counts_only_its_own_payments(tenant_a, seeded):
    april = Period(dt.date(2026, 4, 1), dt.date(2026, 4, 1))
    with tenant_context(tenant_a.tenant):
        found = selectors.spend_by(by="category", period=april)
        assert found.total_pence == ledger_captured(april.begins, april.ends) == 2700 + 2250
        assert selectors.spend_total(period=april) == (4950, 2)
        assert (
            selectors.spend_by(
                by="provider", period=Period(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
            ).rows
            == []
        )


def test_another_council_sees_none_of_this_councils_spending(tenant_a, tenant_b, seeded):
    # Given the second council's own single payment of £18
    other = market(tenant_b, funds=5000)
    with tenant_context(tenant_b.tenant):
        visit_paid(
            person=other.person,
            service=other.service,
            by=tenant_b.person,
            provider_owner=other.provider_owner,
            day=dt.date(2026, 6, 2),
            units="1",
        )
        # When it reads its reports, it sees its own money only
        for by in selectors.DIMENSIONS:
            found = selectors.spend_by(by=by, period=YEAR)
            assert found.total_pence == 1800 == ledger_captured(YEAR.begins, YEAR.ends)
            assert "Brightdays CIC" not in {r.label for r in found.rows}
    use_public_schema()
    with tenant_context(tenant_b.tenant):
        commissioner = staff("Cora Southbay", "commissioner")
    page = signed_in_client(tenant_b, commissioner).get(
        "/workspace/reports/spend/provider/" + YEAR_QUERY
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert "£18" in body
    assert "Brightdays CIC" not in body
    assert "£59.99" not in body
    with tenant_context(tenant_a.tenant):
        assert selectors.spend_total(period=YEAR) == (14549, 4)


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_has_the_same_figures_as_the_page(tenant_a, seeded):
    with tenant_context(tenant_a.tenant):
        commissioner = staff("Cora Commissioner", "commissioner")
    client = signed_in_client(tenant_a, commissioner)
    rows = _csv(client.get("/workspace/reports/spend/category/" + YEAR_QUERY + "&format=csv"))
    assert rows == [
        ["category", "amount_pence", "amount_pounds", "payments"],
        ["Home care", "8550", "85.50", "3"],
        ["Day opportunities", "5999", "59.99", "1"],
    ]
    months = _csv(client.get("/workspace/reports/spend/month/" + YEAR_QUERY + "&format=csv"))
    assert months[0] == ["month", "amount_pence", "amount_pounds", "payments"]
    assert len(months) == 13
    assert months[3] == ["2026-03", "3600", "36.00", "1"]
    assert sum(int(r[1]) for r in months[1:]) == 14549
    areas = _csv(client.get("/workspace/reports/spend/area/" + YEAR_QUERY + "&format=csv"))
    assert areas[1:] == [["NM22", "8249", "82.49", "2"], ["NM1", "6300", "63.00", "2"]]
    page = client.get("/workspace/reports/spend/category/" + YEAR_QUERY).content.decode()
    assert "£85.50" in page
    assert "£59.99" in page
    assert "£145.49" in page
    assert 'role="img"' in page
    assert '<title id="chart-title">Spending by kind of care</title>' in page
    assert "Home care: £85.50; Day opportunities: £59.99" in page  # the chart's <desc>
    assert (
        'href="/workspace/reports/spend/category/?from_month=1&amp;from_year=2026&amp;to_month=12&amp;to_year=2026&amp;format=csv"'
        in page
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "?from_month=13&from_year=2026&to_month=12&to_year=2026",
            "The first month must be a number from 1 to 12",
        ),
        (
            "?from_month=1&from_year=20x6&to_month=12&to_year=2026",
            "The first year must have 4 numbers, like 2026",
        ),
        (
            "?from_month=6&from_year=2026&to_month=3&to_year=2026",
            "The first month must be the same as or before the last",
        ),
        (
            "?from_month=1&from_year=2026&to_month=1&to_year=2099",
            "The last month must be this month or earlier",
        ),
        (
            "?from_month=1&from_year=1999&to_month=1&to_year=2026",
            "The first year must be 2000 or later",
        ),
        (
            "?from_month=123&from_year=2026&to_month=12&to_year=2026",
            "The first month must be a number from 1 to 12",
        ),
        (
            "?from_month=1&from_year=2026&to_month=12&to_year=20266",
            "The last year must have 4 numbers, like 2026",
        ),
        (
            "?from_month=1&from_year=2000&to_month=12&to_year=2026",
            "Choose a period of 60 months or fewer",
        ),
    ],
)
def test_a_bad_period_is_an_error_on_the_page_not_a_failure(tenant_a, query, message):
    with tenant_context(tenant_a.tenant):
        commissioner = staff("Cora Commissioner", "commissioner")
    client = signed_in_client(tenant_a, commissioner)
    for path in PAGES[1:-1]:
        response = client.get(path + query)
        body = response.content.decode()
        assert response.status_code == 200, path
        assert "There is a problem" in body
        assert message in body
        assert "govuk-table" not in body  # no figures for a period that was not chosen
        # A CSV asked for with a bad period gets the page with its error, never a file.
        asked = client.get(path + query + "&format=csv")
        assert asked["Content-Type"].startswith("text/html")
        assert message in asked.content.decode()


def test_no_period_given_means_the_last_twelve_months(tenant_a):
    with tenant_context(tenant_a.tenant):
        commissioner = staff("Cora Commissioner", "commissioner")
    body = (
        signed_in_client(tenant_a, commissioner)
        .get("/workspace/reports/spend/month/")
        .content.decode()
    )
    default = Period.default()
    assert len(default.months) == 12
    assert f'<h2 class="govuk-heading-m">{default.words}</h2>' in body
    assert "There is a problem" not in body


@pytest.mark.parametrize("role", ["commissioner", "council_admin"])
def test_commissioners_and_administrators_open_every_report(tenant_a, seeded, role):
    with tenant_context(tenant_a.tenant):
        user = staff(f"Rita {role}", role)
    client = signed_in_client(tenant_a, user)
    for path in PAGES:
        assert client.get(path + YEAR_QUERY).status_code == 200, path


@pytest.mark.parametrize("role", ["care_manager", "finance_officer", "budget_holder"])
def test_other_roles_are_refused_every_report_and_the_refusal_is_audited(tenant_a, role):
    with tenant_context(tenant_a.tenant):
        user = staff(f"Nora {role}", role)
        before = AuditEntry.objects.filter(action="web.access_denied").count()
    client = signed_in_client(tenant_a, user)
    for path in PAGES:
        assert client.get(path).status_code == 403, path
        assert client.get(path + "?format=csv").status_code == 403, path
    with tenant_context(tenant_a.tenant):
        assert AuditEntry.objects.filter(action="web.access_denied").count() == before + 2 * len(
            PAGES
        )


def test_signed_out_visitors_are_sent_to_sign_in(client_a):
    for path in PAGES:
        response = client_a.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(f"/account/sign-in/?next={path}")


def _home_care_id(tenant_a, seeded) -> str:
    return str(seeded.market.service.category_id)


def test_only_an_administrator_changes_the_unit_cost(tenant_a, seeded):
    with tenant_context(tenant_a.tenant):
        commissioner = staff("Cora Commissioner", "commissioner")
    form = {"category": _home_care_id(tenant_a, seeded), "unit": "hour", "cost": "24"}

    # A commissioner sees the costs but is refused a change, and nothing changes.
    looker = signed_in_client(tenant_a, commissioner)
    page = looker.get("/workspace/reports/unit-costs/").content.decode()
    assert "Only your council's administrators can change these costs." in page
    assert 'name="cost"' not in page
    assert looker.post("/workspace/reports/unit-costs/", form).status_code == 403
    with tenant_context(tenant_a.tenant):
        assert not UnitCost.objects.exists()

    # The administrator sets it: saved, audited, and the savings use it.
    admin = signed_in_client(tenant_a, tenant_a.admin)
    response = admin.post("/workspace/reports/unit-costs/", form)
    assert response.status_code == 302
    with tenant_context(tenant_a.tenant):
        cost = UnitCost.objects.get()
        assert (cost.unit, cost.traditional_pence, cost.updated_by_id) == (
            "hour",
            2400,
            tenant_a.admin.pk,
        )
        entry = AuditEntry.objects.get(action="reports.unit_cost_set")
        assert entry.detail["traditional_pence"] == 2400
        assert entry.detail["previous_pence"] is None
        found = selectors.savings(period=YEAR)
    # 4.75 hours of home care at a traditional £24 would have cost £114; budgets paid £85.50.
    [home] = [r for r in found.rows if r.category == "Home care"]
    assert (home.units_centi, home.spent_pence, home.traditional_pence, home.saved_pence) == (
        475,
        8550,
        11400,
        2850,
    )
    [days] = [r for r in found.rows if r.category == "Day opportunities"]
    assert days.saved_pence is None  # no traditional cost set: not compared
    assert (found.spent_pence, found.compared_spent_pence, found.saved_pence) == (14549, 8550, 2850)
    assert found.spent_pence == ledger_captured(YEAR.begins, YEAR.ends)
    savings_page = admin.get("/workspace/reports/savings/" + YEAR_QUERY).content.decode()
    assert "Estimated saving: <strong>£28.50</strong>" in savings_page
    assert "How this is worked out" in savings_page


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"category": "", "unit": "hour", "cost": "24"}, "category", "Choose the kind of care"),
        ({"unit": "fortnight", "cost": "24"}, "unit", "Choose the unit"),
        (
            {"unit": "hour", "cost": "twenty"},
            "cost",
            "Enter what one unit costs in pounds and pence, like 24.50",
        ),
        (
            {"unit": "hour", "cost": "0"},
            "cost",
            "Enter an amount more than £0 and at most £100,000",
        ),
    ],
)
def test_a_bad_unit_cost_is_an_error_and_saves_nothing(tenant_a, seeded, form, field, message):
    form = {"category": _home_care_id(tenant_a, seeded), **form}
    response = signed_in_client(tenant_a, tenant_a.admin).post(
        "/workspace/reports/unit-costs/", form
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert f'href="#id_{field}">{message}' in body
    with tenant_context(tenant_a.tenant):
        assert not UnitCost.objects.exists()


def test_budget_holders_feedback_and_outcomes(tenant_a, seeded):
    with tenant_context(tenant_a.tenant):
        months = {m.month.month: m for m in selectors.budget_holders_by_month(period=YEAR)}
        liked = outcomes.feedback(period=YEAR)
        done = outcomes.outcomes(period=YEAR, today=dt.date(2026, 12, 7))
    assert [months[n].with_budget for n in range(1, 13)] == [2] * 12
    assert (months[3].spending, months[4].spending, months[11].spending, months[6].spending) == (
        1,
        2,
        1,
        0,
    )
    assert (liked.count, liked.average) == (1, 4.0)
    assert [(c.label, c.count, c.average) for c in liked.by_category] == [
        ("Day opportunities", 1, 4.0)
    ]
    assert [s.count for s in liked.by_stars] == [0, 1, 0, 0, 0]
    d = done.deliveries
    assert (d.reported, d.confirmed, d.disputed, d.waiting, d.settled) == (6, 4, 1, 1, 0)
    assert d.confirmed_share == 0.8
    assert {o.label: o.count for o in done.orders}["Accepted"] == 6


def test_the_market_counts_what_residents_can_buy(tenant_a, seeded):
    with tenant_context(tenant_a.tenant):
        found = outcomes.market(period=Period.default())
        empty = outcomes.market(period=Period(dt.date(2020, 1, 1), dt.date(2020, 1, 1)))
    assert (found.providers, found.services) == (2, 2)
    assert sorted(e.name for e in found.entrants)[0] == "Brightdays CIC"
    assert len(found.entrants) == 2
    assert sum(r.count for r in found.ratings) == 2
    assert {c.label: c.count for c in found.by_category} == {"Home care": 1, "Day opportunities": 1}
    assert empty.entrants == []


def test_the_performance_page_is_public_and_holds_back_small_numbers(tenant_a, seeded, client_a):
    # Given two budget holders and a handful of payments: every figure rests on fewer than 5
    response = client_a.get("/performance/")
    body = response.content.decode()
    assert response.status_code == 200  # signed out
    assert "Performance data" in body
    assert body.count("Fewer than 5") == 5
    assert "£59.99" not in body
    assert "4.0 out of 5" not in body


def test_performance_figures_show_once_five_or_more_stand_behind_them(tenant_a, seeded):
    for n in range(3):
        holder_made(tenant_a, None, given=f"Extra{n}", postcode="NM3 1AA")
    with tenant_context(tenant_a.tenant):
        assert Person.objects.count() == 5
        report = outcomes.performance(today=dt.date(2026, 12, 7))
    assert report.month == dt.date(2026, 11, 1)
    shown = {f.label: f.value for f in report.figures}
    assert shown["Budget holders using the service"] == "5"
    assert shown["Orders placed"] is None  # 3 orders were placed in November
    assert shown["Spent through the service"] is None  # 1 person paid
    assert shown["User satisfaction (average rating of services, out of 5)"] is None


def test_payments_after_a_report_are_folded_in_once_even_when_they_commit_late(tenant_a, seeded):
    from django.db import connection

    from purse.ledger.models import Entry, LedgerTransaction
    from purse.ledger.services import hold_place, payable_open, purse_open

    from .support import at, clock

    with tenant_context(tenant_a.tenant):
        # Given the year read once (folded into the rollup), and read again: no change
        before = selectors.spend_total(period=YEAR)
        assert before == (14549, 4)
        assert selectors.spend_total(period=YEAR) == before
        # A payment that drew its id now but commits only after a later one was folded
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence('ledger_transaction', 'id'))")
            (late_id,) = cursor.fetchone()
        hold = hold_place(
            purse=purse_open(person=seeded.ada),
            payable=payable_open(provider_id=seeded.market.service.provider_id),
            amount_pence=1000,
        )
        visit_paid(
            person=seeded.ada,
            service=seeded.market.service,
            by=tenant_a.person,
            provider_owner=seeded.market.provider_owner,
            day=dt.date(2026, 6, 2),
            units="1",
        )
        # When the June payment is read, and then the late one commits with its lower id
        assert selectors.spend_total(period=YEAR) == (14549 + 1800, 5)
        with clock(at(dt.date(2026, 7, 1))):
            late = LedgerTransaction.objects.create(
                id=late_id, kind="capture", status="posted", resolves=hold
            )
        Entry.objects.bulk_create(
            [
                Entry(
                    transaction=late,
                    account=purse_open(person=seeded.ada),
                    side="D",
                    amount_pence=1000,
                ),
                Entry(
                    transaction=late,
                    account=payable_open(provider_id=seeded.market.service.provider_id),
                    side="C",
                    amount_pence=1000,
                ),
            ]
        )
        # Then it is counted, once, and every breakdown still agrees with the ledger
        after = selectors.spend_total(period=YEAR)
        assert after == (14549 + 1800 + 1000, 6)
        assert selectors.spend_total(period=YEAR) == after
        ledger = ledger_captured(YEAR.begins, YEAR.ends)
        assert ledger == after[0]
        for by in selectors.DIMENSIONS:
            assert selectors.spend_by(by=by, period=YEAR).total_pence == ledger
        july = selectors.spend_by(by="month", period=YEAR).rows[6]
        assert (july.label, july.pence) == ("July 2026", 1000)
        # A payment with no visit behind it is still spending, shown as such
        assert {r.label: r.pence for r in selectors.spend_by(by="category", period=YEAR).rows}[
            "Not linked to an order"
        ] == 1000
