"""Surplus recovery: a notice only above the limit, with its figures and reasons; the
money taken back only on the recovery day, as a RECOVERY transaction linked to the
notice (less, or nothing, if money was spent meanwhile); a reconsideration pauses it;
finance can reverse it once; every movement is audited and the books balance; the daily
run can run again without doing anything twice."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core import mail
from django.utils import timezone

from core.errors import DomainError, ValidationFailed
from core.models import AuditEntry
from purse import tasks
from purse.ledger.models import Account, LedgerTransaction
from purse.ledger.services import AlreadyResolved, hold_place, payable_open, shared_account
from purse.models import Representative
from purse.surplus.models import SurplusNotice
from purse.surplus.services import (
    surplus_daily,
    surplus_notices_issue,
    surplus_reconsideration_decide,
    surplus_reconsideration_request,
    surplus_recover_due,
    surplus_recovery_reverse,
)
from tests.purse import plan_builders as b
from tests.purse.ledger.conftest import assert_books_balance

from .support import THRESHOLD, available, holder

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)
RECOVER_ON = TODAY + 28 * DAY


def _recoveries() -> int:
    account = shared_account(Account.Kind.RECOVERIES)
    return account.credits_posted - account.debits_posted


def test_a_notice_is_issued_only_above_the_limit_with_its_figures_and_reasons(
    council, carol, django_capture_on_commit_callbacks
) -> None:
    at_limit = holder(carol, funds=THRESHOLD, given="Bea")
    over = holder(carol, funds=THRESHOLD + 12550, given="Ada")

    with django_capture_on_commit_callbacks(execute=True):
        issued = surplus_notices_issue(on=TODAY)

    assert issued == 1
    [notice] = SurplusNotice.objects.all()
    assert (notice.person, notice.budget, notice.status) == (
        over.person,
        over.budget,
        SurplusNotice.Status.ISSUED,
    )
    assert (
        notice.available_pence,
        notice.threshold_pence,
        notice.amount_pence,
        notice.threshold_weeks,
    ) == (252550, 240000, 12550, 8)
    assert (notice.issued_on, notice.recover_on) == (TODAY, RECOVER_ON)
    day = f"{RECOVER_ON.day} {RECOVER_ON:%B %Y}"
    assert notice.reasons.startswith(
        "You have £2,525.50 available in your personal budget. That is more than 8 weeks of "
        "your budget (£2,400: 8 weeks at £300 a week)"
    )
    assert f"the council will take back £125.50 on {day}" in notice.reasons
    assert f"ask us to reconsider before {day}" in notice.reasons
    assert not SurplusNotice.objects.filter(person=at_limit.person).exists()
    # Nothing moved yet.
    assert available(over.purse) == THRESHOLD + 12550
    assert not LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.RECOVERY).exists()
    # The person is told by email, without their name or the figures.
    [message] = mail.outbox
    assert message.to == ["ada@people.example"]
    assert notice.reference in message.subject
    assert "Lovelace" not in f"{message.subject} {message.body}"
    assert "£" not in message.body
    [audit] = AuditEntry.objects.filter(action="surplus.notice_issued")
    assert (audit.object_id, audit.detail["amount_pence"]) == (str(notice.public_id), 12550)

    # One open notice at a time: the next run issues nothing more.
    assert surplus_notices_issue(on=TODAY + DAY) == 0
    assert SurplusNotice.objects.count() == 1


def test_the_limit_and_notice_period_come_from_the_plans_rules(council, carol) -> None:
    over = holder(carol, funds=4 * 30000 + 100, surplus_threshold_weeks=4, surplus_notice_days=14)

    surplus_notices_issue(on=TODAY)

    notice = SurplusNotice.objects.get(person=over.person)
    assert (notice.threshold_pence, notice.amount_pence) == (120000, 100)
    assert notice.recover_on == TODAY + 14 * DAY


def test_the_money_is_taken_back_on_the_recovery_day_not_before(council, carol) -> None:
    over = holder(carol, funds=THRESHOLD + 10000)
    surplus_notices_issue(on=TODAY)
    notice = SurplusNotice.objects.get()

    early = surplus_recover_due(on=RECOVER_ON - DAY)

    assert (early.recovered, early.lapsed) == (0, 0)
    assert available(over.purse) == THRESHOLD + 10000
    notice.refresh_from_db()
    assert notice.status == SurplusNotice.Status.ISSUED

    run = surplus_recover_due(on=RECOVER_ON)

    assert (run.recovered, run.recovered_pence, run.lapsed) == (1, 10000, 0)
    notice.refresh_from_db()
    assert (notice.status, notice.recovered_pence, notice.closed_on) == (
        SurplusNotice.Status.RECOVERED,
        10000,
        RECOVER_ON,
    )
    txn = notice.transaction
    assert txn is not None
    assert (txn.kind, txn.status, txn.key) == (
        LedgerTransaction.Kind.RECOVERY,
        LedgerTransaction.Status.POSTED,
        f"recovery:{notice.public_id}",
    )
    assert {(e.account.code, e.side, e.amount_pence) for e in txn.entries.all()} == {
        (over.purse.code, "D", 10000),
        ("recoveries", "C", 10000),
    }
    assert available(over.purse) == THRESHOLD
    assert _recoveries() == 10000
    assert_books_balance()
    # Audited: the ledger's entry names the transaction; the run's names the notice too.
    [moved] = AuditEntry.objects.filter(action="ledger.recovery")
    assert (moved.object_id, moved.actor_id, moved.detail["notice"]) == (
        str(txn.public_id),
        None,
        str(notice.public_id),
    )
    [recovered] = AuditEntry.objects.filter(action="surplus.recovered")
    assert (recovered.object_id, recovered.actor_label, recovered.detail["transaction"]) == (
        str(notice.public_id),
        "surplus run",
        str(txn.public_id),
    )

    # Again on the same day or later: nothing more is taken.
    assert surplus_recover_due(on=RECOVER_ON).recovered == 0
    assert surplus_recover_due(on=RECOVER_ON + DAY).recovered == 0
    assert available(over.purse) == THRESHOLD
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.RECOVERY).count() == 1


def test_spending_meanwhile_lowers_what_is_taken_back(council, carol) -> None:
    over = holder(carol, funds=THRESHOLD + 10000)
    surplus_notices_issue(on=TODAY)
    # An order holds £40 of it before the recovery day.
    hold_place(purse=over.purse, payable=payable_open(provider_id=uuid.uuid4()), amount_pence=4000)

    run = surplus_recover_due(on=RECOVER_ON)

    assert (run.recovered, run.recovered_pence) == (1, 6000)
    notice = SurplusNotice.objects.get()
    assert (notice.amount_pence, notice.recovered_pence) == (10000, 6000)
    assert available(over.purse) == THRESHOLD
    assert_books_balance()


def test_a_notice_lapses_when_nothing_is_over_the_limit_on_the_day(council, carol) -> None:
    over = holder(carol, funds=THRESHOLD + 10000)
    surplus_notices_issue(on=TODAY)
    hold_place(purse=over.purse, payable=payable_open(provider_id=uuid.uuid4()), amount_pence=15000)

    run = surplus_recover_due(on=RECOVER_ON)

    assert (run.recovered, run.lapsed) == (0, 1)
    notice = SurplusNotice.objects.get()
    assert (notice.status, notice.transaction, notice.closed_on) == (
        SurplusNotice.Status.LAPSED,
        None,
        RECOVER_ON,
    )
    assert available(over.purse) == THRESHOLD - 5000
    assert not LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.RECOVERY).exists()
    # Closed, and nothing is over the limit: no new notice.
    assert surplus_notices_issue(on=RECOVER_ON + DAY) == 0


def test_a_reconsideration_pauses_recovery_until_decided(council, carol, tenant_a) -> None:
    over = holder(carol, funds=THRESHOLD + 10000, user=tenant_a.person)
    surplus_notices_issue(on=TODAY)
    notice = SurplusNotice.objects.get()

    asked = surplus_reconsideration_request(
        notice=notice, text="  Saving for a short break in my plan  ", by=tenant_a.person
    )

    assert (asked.status, asked.reconsideration, asked.reconsideration_requested_by) == (
        SurplusNotice.Status.RECONSIDERATION_REQUESTED,
        "Saving for a short break in my plan",
        tenant_a.person,
    )
    assert surplus_recover_due(on=RECOVER_ON + 60 * DAY).recovered == 0
    assert available(over.purse) == THRESHOLD + 10000
    with pytest.raises(DomainError, match="already asked for"):
        surplus_reconsideration_request(notice=notice, text="Again", by=tenant_a.person)

    # The decision stands: a full notice period from the decision before anything is taken.
    stood = surplus_reconsideration_decide(
        notice=notice, withdraw=False, reason="The break is already paid for", by=carol
    )

    assert (stood.status, stood.decided_by, stood.decided_on, stood.recover_on) == (
        SurplusNotice.Status.ISSUED,
        carol,
        TODAY,
        RECOVER_ON,
    )
    assert surplus_recover_due(on=RECOVER_ON).recovered == 1
    assert available(over.purse) == THRESHOLD
    decided = AuditEntry.objects.get(action="surplus.reconsideration_decided")
    assert (decided.actor_id, decided.detail["withdrawn"]) == (carol.public_id, False)


def test_a_withdrawn_notice_takes_nothing_and_is_not_issued_again_at_once(
    council, carol, fay
) -> None:
    over = holder(carol, funds=THRESHOLD + 10000)
    surplus_notices_issue(on=TODAY)
    notice = SurplusNotice.objects.get()
    surplus_reconsideration_request(notice=notice, text="For a planned trip", by=carol)

    withdrawn = surplus_reconsideration_decide(
        notice=notice, withdraw=True, reason="The trip is in the plan", by=fay
    )

    assert (withdrawn.status, withdrawn.closed_on) == (SurplusNotice.Status.WITHDRAWN, TODAY)
    assert surplus_recover_due(on=RECOVER_ON).recovered == 0
    assert available(over.purse) == THRESHOLD + 10000
    # The council has just decided: no new notice for the threshold's 8 weeks.
    assert surplus_notices_issue(on=TODAY + DAY) == 0
    assert surplus_notices_issue(on=TODAY + 8 * 7 * DAY) == 1


def test_who_may_ask_and_decide(council, carol, fay, tenant_a) -> None:
    over = holder(carol, funds=THRESHOLD + 10000)
    stranger = b.staff("Sam Support", role="support_worker")
    relative = b.staff("Rita Relative", role="representative")
    Representative.objects.create(
        person=over.person,
        user=relative,
        relationship=Representative.Relationship.FAMILY,
        scopes=[Representative.Scope.VIEW],
        starts_on=TODAY - DAY,
    )
    surplus_notices_issue(on=TODAY)
    notice = SurplusNotice.objects.get()

    with pytest.raises(DomainError, match="yourself or someone you act for"):
        surplus_reconsideration_request(notice=notice, text="Please", by=stranger)
    with pytest.raises(ValidationFailed):
        surplus_reconsideration_request(notice=notice, text="  ", by=relative)
    surplus_reconsideration_request(notice=notice, text="Please", by=relative)
    with pytest.raises(DomainError, match="care manager or a finance officer"):
        surplus_reconsideration_decide(notice=notice, withdraw=True, reason="No", by=relative)
    with pytest.raises(ValidationFailed):
        surplus_reconsideration_decide(notice=notice, withdraw=True, reason="", by=fay)
    notice.refresh_from_db()
    assert notice.status == SurplusNotice.Status.RECONSIDERATION_REQUESTED


def test_finance_reverses_a_recovery_once(council, carol, fay) -> None:
    over = holder(carol, funds=THRESHOLD + 10000)
    surplus_notices_issue(on=TODAY)
    surplus_recover_due(on=RECOVER_ON)
    notice = SurplusNotice.objects.get()

    with pytest.raises(DomainError, match="Only a finance officer"):
        surplus_recovery_reverse(notice=notice, reason="Mistake", by=carol)

    reversed_ = surplus_recovery_reverse(notice=notice, reason="Paid for respite", by=fay)

    assert (reversed_.status, reversed_.reversal_reason) == (
        SurplusNotice.Status.REVERSED,
        "Paid for respite",
    )
    assert available(over.purse) == THRESHOLD + 10000
    assert _recoveries() == 0
    recovery = notice.transaction
    assert recovery is not None
    reversal = LedgerTransaction.objects.get(kind=LedgerTransaction.Kind.REVERSAL)
    assert reversal.reverses == recovery
    assert reversal.actor_id == fay.public_id
    [audit] = AuditEntry.objects.filter(action="ledger.reversal")
    assert (audit.object_id, audit.actor_id, audit.detail["reverses"]) == (
        str(reversal.public_id),
        fay.public_id,
        str(recovery.public_id),
    )
    assert_books_balance()

    with pytest.raises(AlreadyResolved, match="already returned"):
        surplus_recovery_reverse(notice=notice, reason="Again", by=fay)
    assert available(over.purse) == THRESHOLD + 10000
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.REVERSAL).count() == 1
    # Given back on purpose: no new notice straight away.
    assert surplus_notices_issue(on=RECOVER_ON + DAY) == 0


def test_only_a_recovered_notice_can_be_reversed(council, carol, fay) -> None:
    holder(carol, funds=THRESHOLD + 10000)
    surplus_notices_issue(on=TODAY)
    notice = SurplusNotice.objects.get()

    with pytest.raises(DomainError, match="No money was taken back"):
        surplus_recovery_reverse(notice=notice, reason="Mistake", by=fay)
    assert not LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.REVERSAL).exists()


def test_the_daily_run_does_nothing_twice(council, carol) -> None:
    over = holder(carol, funds=THRESHOLD + 10000)

    first = tasks.surplus_daily()
    second = tasks.surplus_daily()

    assert first == {"issued": 1, "recovered": 0, "recovered_pence": 0, "lapsed": 0}
    assert second == {"issued": 0, "recovered": 0, "recovered_pence": 0, "lapsed": 0}
    assert SurplusNotice.objects.count() == 1

    later = [surplus_daily(on=RECOVER_ON), surplus_daily(on=RECOVER_ON)]

    assert [(r.issued, r.recovered, r.recovered_pence) for r in later] == [
        (0, 1, 10000),
        (0, 0, 0),
    ]
    assert available(over.purse) == THRESHOLD
    assert_books_balance()
