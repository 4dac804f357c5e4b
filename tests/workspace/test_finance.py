"""Finance pages: a top-up run previewed and approved (paid once, however often it is
approved, and only as previewed), payments, reconciliation, surplus decisions and the
journal export. Each page is for finance officers only."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.models import AuditEntry
from core.services import SYSTEM
from purse.ledger.models import Entry, LedgerTransaction
from purse.topups.models import TopupRun
from purse.topups.services import topup_run_approve, topup_run_preview, topups_pay_due
from tenants.rules.models import RulesVersion
from tenants.rules.selectors import rules_in_effect
from tests.conftest import TenantUsers, signed_in_client
from tests.purse import plan_builders as b
from tests.purse.ledger.test_topups import _budget

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
STARTED = TODAY - dt.timedelta(weeks=5)  # two 4-weekly cycles due by today, in advance


@pytest.fixture
def finance(tenant_a: TenantUsers) -> Iterator[Any]:
    with tenant_context(tenant_a.tenant):
        yield b.staff("Fin Ance", "finance_officer")


def _approval_required() -> None:
    """The council's rules in effect today ask finance to approve each run."""
    version = rules_in_effect(on=TODAY)
    assert version is not None
    RulesVersion.objects.filter(pk=version.pk).update(topups_need_approval=True)


def _topups() -> int:
    return LedgerTransaction.objects.filter(kind="topup").count()


def test_a_finance_officer_previews_then_approves_and_the_amounts_follow_the_rules(
    tenant_a, finance
):
    with tenant_context(tenant_a.tenant):
        # £150 a week, the person paying £20 of it; 4-weekly in advance.
        budget = _budget(weekly=15000, contribution=2000, starts_on=STARTED)
    client = signed_in_client(tenant_a, finance)

    response = client.post("/workspace/finance/top-ups/")
    with tenant_context(tenant_a.tenant):
        run = TopupRun.objects.get()
        assert _topups() == 0  # a preview pays nothing
    assert response.status_code == 302
    assert response["Location"] == f"/workspace/finance/top-ups/{run.public_id}/"
    assert (run.status, run.due_count, run.due_total_pence) == ("previewed", 2, 2 * 4 * 13000)
    page = client.get(response["Location"]).content.decode()
    assert "Approve and pay £1,040" in page
    assert str(budget.person) in page

    response = client.post(f"/workspace/finance/top-ups/{run.public_id}/approve/")
    assert response.status_code == 302
    with tenant_context(tenant_a.tenant):
        run.refresh_from_db()
        paid = sorted(
            e.amount_pence for e in Entry.objects.filter(transaction__kind="topup", side="C")
        )
        assert AuditEntry.objects.filter(action="topup_run.approved").count() == 1
    assert (run.status, run.paid_count, run.paid_total_pence) == ("paid", 2, 104000)
    assert run.approved_by_id == finance.pk
    assert paid == [52000, 52000]
    assert (
        "Approved: 2 top-ups paid, £1,040 in all."
        in client.get(response["Location"]).content.decode()
    )

    # Approving again (a double click, a second officer) pays nothing more.
    again = client.post(f"/workspace/finance/top-ups/{run.public_id}/approve/", follow=True)
    assert "already approved and paid: nothing more was paid" in again.content.decode()
    with tenant_context(tenant_a.tenant):
        assert _topups() == 2
        assert AuditEntry.objects.filter(action="topup_run.approved").count() == 1


def test_approval_is_refused_when_what_is_due_changed_since_the_preview(tenant_a, finance):
    with tenant_context(tenant_a.tenant):
        _budget(weekly=10000, starts_on=STARTED)
        run = topup_run_preview(on=TODAY, by=finance)
        _budget(weekly=5000, starts_on=STARTED)  # added after the preview
    client = signed_in_client(tenant_a, finance)

    response = client.post(f"/workspace/finance/top-ups/{run.public_id}/approve/")

    assert response.status_code == 409
    assert "What is due has changed since this preview (2 top-ups then, 4 now)" in (
        response.content.decode()
    )
    with tenant_context(tenant_a.tenant):
        assert _topups() == 0
        run.refresh_from_db()
        assert run.status == "previewed"


def test_a_new_preview_replaces_the_waiting_one_which_can_no_longer_be_approved(tenant_a, finance):
    with tenant_context(tenant_a.tenant):
        _budget(weekly=10000, starts_on=STARTED)
        old = topup_run_preview(on=TODAY, by=finance)
        new = topup_run_preview(on=TODAY, by=finance)
        old.refresh_from_db()
        assert old.status == "replaced"
        with pytest.raises(Exception, match="replaced by a newer one"):
            topup_run_approve(run=old, by=finance)
        assert _topups() == 0
        assert topup_run_approve(run=new, by=finance).paid_count == 2


def test_the_hourly_run_leaves_a_preview_where_the_rules_ask_for_approval(tenant_a, finance):
    with tenant_context(tenant_a.tenant):
        _budget(weekly=10000, starts_on=STARTED)
        _approval_required()
        waiting = topups_pay_due(on=TODAY)
        assert waiting is not None
        assert waiting.status == "previewed"
        assert waiting.previewed_by is None
        assert topups_pay_due(on=TODAY) is None  # still right: no second preview
        assert TopupRun.objects.count() == 1
        assert _topups() == 0


def test_without_approval_the_hourly_run_pays_and_records_the_run(tenant_a):
    with tenant_context(tenant_a.tenant):
        _budget(weekly=10000, starts_on=STARTED)
        run = topups_pay_due(on=TODAY)
        assert run is not None
        assert (run.status, run.paid_count, run.paid_total_pence) == ("automatic", 2, 80000)
        assert topups_pay_due(on=TODAY) is None
        assert _topups() == 2


def test_another_councils_run_is_not_found(tenant_a, tenant_b, finance):
    with tenant_context(tenant_a.tenant):
        _budget(weekly=10000, starts_on=STARTED)
        run = topup_run_preview(on=TODAY, by=finance)
    with tenant_context(tenant_b.tenant):
        theirs = b.staff("Other Finance", "finance_officer")
    client = signed_in_client(tenant_b, theirs)

    assert client.get(f"/workspace/finance/top-ups/{run.public_id}/").status_code == 404
    assert client.post(f"/workspace/finance/top-ups/{run.public_id}/approve/").status_code == 404
    with tenant_context(tenant_a.tenant):
        assert _topups() == 0


@pytest.mark.parametrize("role", ["care_manager", "council_admin", "commissioner", "budget_holder"])
def test_only_finance_officers_preview_or_approve(tenant_a, finance, role):
    with tenant_context(tenant_a.tenant):
        _budget(weekly=10000, starts_on=STARTED)
        run = topup_run_preview(on=TODAY, by=finance)
        someone = b.staff(f"Not Finance {role}", role)
    client = signed_in_client(tenant_a, someone)

    assert client.post("/workspace/finance/top-ups/").status_code == 403
    assert client.post(f"/workspace/finance/top-ups/{run.public_id}/approve/").status_code == 403
    with tenant_context(tenant_a.tenant):
        assert _topups() == 0
        assert TopupRun.objects.count() == 1


def test_the_journal_export_lists_each_posted_entry_and_balances(tenant_a, finance):
    with tenant_context(tenant_a.tenant):
        _budget(weekly=10000, starts_on=STARTED)
        topup_run_approve(run=topup_run_preview(on=TODAY, by=finance), by=finance)
        expected = sorted(
            (str(e.transaction.public_id), e.side, e.amount_pence)
            for e in Entry.objects.filter(transaction__status="posted").select_related(
                "transaction"
            )
        )
    client = signed_in_client(tenant_a, finance)
    day = f"first_day={TODAY.day}&first_month={TODAY.month}&first_year={TODAY.year}"
    last = f"last_day={TODAY.day}&last_month={TODAY.month}&last_year={TODAY.year}"

    response = client.get(f"/workspace/finance/export/?{day}&{last}")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    got = sorted(
        (
            r["transaction"],
            "D" if int(r["debit_pence"]) else "C",
            int(r["debit_pence"]) or int(r["credit_pence"]),
        )
        for r in rows
    )
    assert got == expected
    assert len(got) == 4
    assert sum(int(r["debit_pence"]) for r in rows) == sum(int(r["credit_pence"]) for r in rows)
    assert {r["date"] for r in rows} == {TODAY.isoformat()}
    assert {r["account_kind"] for r in rows} == {"funding", "purse"}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "first_day=31&first_month=2&first_year=2026&last_day=1&last_month=3&last_year=2026",
            "The first day must be a real date",
        ),
        (
            "first_day=1&first_month=3&first_year=2026&last_day=1&last_month=2&last_year=2026",
            "The last day must be the same as or after the first",
        ),
        (
            "first_day=1&first_month=1&first_year=2024&last_day=1&last_month=3&last_year=2026",
            "Export at most 400 days at a time",
        ),
        (
            "first_day=&first_month=&first_year=&last_day=1&last_month=3&last_year=2026",
            "Enter the first day",
        ),
    ],
)
def test_a_bad_export_period_is_explained_on_the_form(tenant_a, finance, query, message):
    response = signed_in_client(tenant_a, finance).get(f"/workspace/finance/export/?{query}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()


def test_an_exception_is_resolved_with_what_was_done(tenant_a, finance):
    from purse.payouts.models import ReconciliationException, ReconciliationRun

    with tenant_context(tenant_a.tenant):
        run = ReconciliationRun.objects.create(on=TODAY)
        found = ReconciliationException.objects.create(
            run=run,
            kind="no_details",
            subject="provider:x",
            message="No bank details",
            amount_pence=4500,
        )
    client = signed_in_client(tenant_a, finance)
    url = f"/workspace/finance/reconciliation/{found.public_id}/"
    assert "No bank details" in client.get("/workspace/finance/reconciliation/").content.decode()

    blank = client.post(url, {"resolution": ""})
    assert "Say what was done about it" in blank.content.decode()
    done = client.post(url, {"resolution": "Asked the provider for bank details"}, follow=True)

    assert "The exception is marked as resolved." in done.content.decode()
    assert "Nothing to look into." in done.content.decode()
    with tenant_context(tenant_a.tenant):
        found.refresh_from_db()
        assert found.resolution == "Asked the provider for bank details"
        assert found.resolved_by_id == finance.public_id


def test_a_reconsideration_is_decided_and_the_notice_withdrawn(tenant_a, finance):
    from purse.ledger.models import Account
    from purse.ledger.services import Leg, purse_open, shared_account, transfer
    from purse.surplus.models import SurplusNotice
    from purse.surplus.services import surplus_notices_issue, surplus_reconsideration_request

    with tenant_context(tenant_a.tenant):
        budget = _budget(weekly=10000, starts_on=STARTED)
        purse = purse_open(person=budget.person)
        transfer(kind="one_off", legs=[Leg(shared_account(Account.Kind.FUNDING), purse, 200_000)])
        assert surplus_notices_issue(on=TODAY) == 1
        notice = SurplusNotice.objects.get()
        surplus_reconsideration_request(
            notice=notice, text="Saving for a holiday", by=b.staff("Carol Manager")
        )
    client = signed_in_client(tenant_a, finance)
    url = f"/workspace/finance/surplus/{notice.public_id}/"

    done = client.post(url, {"withdraw": "yes", "reason": "A holiday is a fair use"}, follow=True)

    assert "Your decision on the notice to Ada Lovelace is recorded." in done.content.decode()
    with tenant_context(tenant_a.tenant):
        notice.refresh_from_db()
        assert notice.status == SurplusNotice.Status.WITHDRAWN
        assert notice.decision_reason == "A holiday is a fair use"
    # Decided: the page no longer offers a decision, and posting one is not found.
    assert "Record the decision" not in done.content.decode()
    assert client.post(url, {"withdraw": "no", "reason": "Again"}).status_code == 404


def test_money_taken_back_is_returned_once_with_the_reason(tenant_a, finance):
    from purse.ledger.models import Account
    from purse.ledger.services import Leg, purse_open, shared_account, transfer
    from purse.surplus.models import SurplusNotice
    from purse.surplus.services import surplus_notices_issue, surplus_recover_due

    with tenant_context(tenant_a.tenant):
        budget = _budget(weekly=10000, starts_on=STARTED)
        purse = purse_open(person=budget.person)
        transfer(kind="one_off", legs=[Leg(shared_account(Account.Kind.FUNDING), purse, 200_000)])
        surplus_notices_issue(on=TODAY)
        notice = SurplusNotice.objects.get()
        surplus_recover_due(on=notice.recover_on)
        notice.refresh_from_db()
        purse.refresh_from_db()
        taken, before = notice.recovered_pence or 0, purse.available_pence
    assert notice.status == SurplusNotice.Status.RECOVERED
    client = signed_in_client(tenant_a, finance)
    url = f"/workspace/finance/surplus/{notice.public_id}/"

    blank = client.post(url, {"reason": ""})
    assert "Say why the money is given back" in blank.content.decode()
    done = client.post(url, {"reason": "Recovered in error: the notice went astray"}, follow=True)
    again = client.post(url, {"reason": "Twice"})

    assert f"The money taken back is returned to {budget.person}'s purse." in html.unescape(
        done.content.decode()
    )
    assert again.status_code == 404  # reversed: nothing more to do on this notice
    with tenant_context(tenant_a.tenant):
        notice.refresh_from_db()
        purse.refresh_from_db()
        assert notice.status == SurplusNotice.Status.REVERSED
        assert purse.available_pence == before + taken
        assert LedgerTransaction.objects.filter(kind="reversal").count() == 1


def test_a_payment_file_is_downloaded_and_marked_paid_once(tenant_a, finance):
    from purse.payouts.models import PaymentFile

    with tenant_context(tenant_a.tenant):
        made = PaymentFile.objects.create(
            reference="KM-20261207",
            on=TODAY,
            content="sort_code,account\r\n",
            total_pence=0,
            payments=0,
        )
    client = signed_in_client(tenant_a, finance)

    download = client.get(f"/workspace/finance/payment-files/{made.public_id}/")
    assert download.content == b"sort_code,account\r\n"
    assert download["Content-Disposition"] == 'attachment; filename="KM-20261207.csv"'
    first = client.post(f"/workspace/finance/payment-files/{made.public_id}/paid/", follow=True)
    second = client.post(f"/workspace/finance/payment-files/{made.public_id}/paid/", follow=True)

    assert "KM-20261207 is marked as paid: 0 payments settled." in first.content.decode()
    assert "KM-20261207 was already marked as paid: nothing changed." in second.content.decode()
    with tenant_context(tenant_a.tenant):
        made.refresh_from_db()
        assert made.status == PaymentFile.Status.PAID
        assert made.confirmed_by_id == finance.public_id
        assert AuditEntry.objects.filter(action="payouts.payment_file_paid").count() == 1


def test_a_preview_left_waiting_is_replaced_when_the_hourly_run_pays_by_itself(tenant_a, finance):
    with tenant_context(tenant_a.tenant):
        _budget(weekly=10000, starts_on=STARTED)
        waiting = topup_run_preview(on=TODAY, by=finance)
        paid = topups_pay_due(on=TODAY)  # the council's rules do not ask for approval
        waiting.refresh_from_db()
        assert paid is not None
        assert paid.status == "automatic"
        assert waiting.status == "replaced"
        assert TopupRun.objects.filter(status="previewed").count() == 0
    page = signed_in_client(tenant_a, finance).get("/workspace/").content.decode()
    assert "A top-up run is waiting for your approval" not in page


def test_the_journal_keeps_typed_text_from_running_as_a_spreadsheet_formula(tenant_a, finance):
    from purse.ledger.export import journal_csv
    from purse.services.funding import payment_one_off

    with tenant_context(tenant_a.tenant):
        budget = _budget(weekly=10000, starts_on=STARTED)
        payment_one_off(
            budget=budget,
            amount_pence=500,
            reason='=HYPERLINK("http://x")',
            by=finance,
            origin=SYSTEM,
        )
        text = "".join(journal_csv(first=TODAY, last=TODAY))
    rows = list(csv.DictReader(io.StringIO(text)))
    memos = {r["memo"] for r in rows if r["kind"] == "one_off"}
    assert memos
    assert all(not memo.startswith("=") for memo in memos)
    client = signed_in_client(tenant_a, finance)
    day = f"first_day={TODAY.day}&first_month={TODAY.month}&first_year={TODAY.year}"
    last = f"last_day={TODAY.day}&last_month={TODAY.month}&last_year={TODAY.year}"
    client.get(f"/workspace/finance/export/?{day}&{last}")
    with tenant_context(tenant_a.tenant):
        exported = AuditEntry.objects.get(action="ledger.journal_exported")
    assert exported.detail == {"first": TODAY.isoformat(), "last": TODAY.isoformat()}
