"""Surplus recovery: notices of money above the limit, recovery after the notice
period, reconsideration, and reversal.

The limit is the budget's weekly amount times the `surplus_threshold_weeks` of the
rules version its plan was approved under (as top-ups use it: a person's rules change
only with a new plan). A notice states the surplus on the day; on its recovery day
(`surplus_notice_days` later) the money taken back is the notice's amount or what is
still over the limit, whichever is less, so spending meanwhile lowers it or leaves
nothing to take (the notice lapses). Nothing is taken while a reconsideration waits
for its decision. Each recovery is one ledger transaction with the key
"recovery:<notice>", linked to the notice, so a second run takes nothing more.

Locks: the notice row first, then the purse (the ledger locks it again, harmlessly);
nothing locks them the other way round.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from accounts.permissions import FINANCE_MANAGE, PLANS_MANAGE, user_has_permission
from core.errors import DomainError, ValidationFailed
from core.money import format_pence
from core.services import SYSTEM, Origin, audit_record
from purse.ledger.models import Account, LedgerTransaction
from purse.ledger.services import (
    AlreadyResolved,
    Leg,
    purse_open,
    shared_account,
    transaction_reverse,
    transfer,
)
from purse.models import Budget, Representative
from purse.selectors import acting_basis
from tenants.rules.models import RulesVersion

from .models import SurplusNotice

Status = SurplusNotice.Status
RUN_LABEL = "surplus run"  # the audit log's actor for the scheduled run


@dataclass(frozen=True)
class SurplusRun:
    issued: int = 0
    recovered: int = 0
    recovered_pence: int = 0
    lapsed: int = 0


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _threshold(budget: Budget, rules: RulesVersion) -> int:
    return budget.weekly_pence * rules.surplus_threshold_weeks


def _reasons(
    *, available: int, threshold: int, weeks: int, weekly: int, amount: int, recover_on: dt.date
) -> str:
    return (
        f"You have {format_pence(available)} available in your personal budget. That is "
        f"more than {weeks} weeks of your budget ({format_pence(threshold)}: {weeks} weeks "
        f"at {format_pence(weekly)} a week), which is as much as the council's rules let "
        f"a budget build up. Money above that is not needed for your support now, so the "
        f"council will take back {format_pence(amount)} on {_day(recover_on)}. If you "
        f"spend some of it on your support before then, we will take back less, or "
        f"nothing. If you think we should not take it back (for example, you are saving "
        f"for something in your support plan), ask us to reconsider before "
        f"{_day(recover_on)}: open this notice in ePurse and choose 'Ask us to "
        f"reconsider', or ask your care manager. Nothing is taken back until we have "
        f"decided, and we will tell you why."
    )


def _held_off(budget: Budget, rules: RulesVersion, on: dt.date) -> bool:
    """After a notice is withdrawn or its recovery reversed, the person is not sent
    another for the same budget for the threshold's number of weeks: the council has
    just decided to leave that money with them."""
    since = on - dt.timedelta(weeks=rules.surplus_threshold_weeks)
    return SurplusNotice.objects.filter(
        budget=budget,
        status__in=[Status.WITHDRAWN, Status.REVERSED],
        closed_on__gt=since,
    ).exists()


def _notify(notice: SurplusNotice) -> None:
    """Email the person and their representatives that a notice is waiting. No name and
    no figures in an email: the notice itself is read after signing in."""
    recipients: set[str] = set()
    if notice.person.email:
        recipients.add(notice.person.email)
    today = timezone.localdate()
    recipients.update(
        Representative.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today),
            person_id=notice.person_id,
            starts_on__lte=today,
            scopes__contains=[Representative.Scope.VIEW],
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    subject = f"A notice about a personal budget (ref. {notice.reference})"
    message = (
        "There is more money in a personal budget than the council's rules let it build "
        f"up, and some of it will be taken back on {_day(notice.recover_on)}. Sign in to "
        "ePurse to read the notice: it says how much, why, and how to ask us to "
        f"reconsider. Its reference is {notice.reference}."
    )
    # One message each, so nobody sees who else was told.
    send_mass_mail(
        [(subject, message, settings.DEFAULT_FROM_EMAIL, [to]) for to in sorted(recipients)]
    )


def surplus_notices_issue(*, on: dt.date) -> int:
    """Issue a notice for each active budget whose purse has more available than the
    limit, unless the person already has an open notice. Returns how many."""
    candidates = (
        Budget.objects.filter(status=Budget.Status.ACTIVE, person__purse__isnull=False)
        .annotate(
            available=F("person__purse__credits_posted")
            - F("person__purse__debits_posted")
            - F("person__purse__debits_pending"),
            threshold=F("weekly_pence") * F("plan__rules_version__surplus_threshold_weeks"),
        )
        .filter(available__gt=F("threshold"))
        .exclude(
            Exists(
                SurplusNotice.objects.filter(
                    person_id=OuterRef("person_id"), status__in=SurplusNotice.OPEN
                )
            )
        )
        .select_related("person", "plan__rules_version")
        .order_by("pk")
    )
    issued = 0
    for budget in candidates:
        rules = budget.plan.rules_version
        if _held_off(budget, rules, on):
            continue
        if _notice_issue(budget=budget, rules=rules, on=on) is not None:
            issued += 1
    return issued


def _notice_issue(*, budget: Budget, rules: RulesVersion, on: dt.date) -> SurplusNotice | None:
    purse = purse_open(person=budget.person)
    try:
        with transaction.atomic():
            # Locked so the figures on the notice are those of one moment.
            purse = Account.objects.select_for_update().get(pk=purse.pk)
            threshold = _threshold(budget, rules)
            available = purse.available_pence
            if available <= threshold:
                return None
            recover_on = on + dt.timedelta(days=rules.surplus_notice_days)
            amount = available - threshold
            notice = SurplusNotice.objects.create(
                person=budget.person,
                budget=budget,
                available_pence=available,
                threshold_weeks=rules.surplus_threshold_weeks,
                threshold_pence=threshold,
                amount_pence=amount,
                reasons=_reasons(
                    available=available,
                    threshold=threshold,
                    weeks=rules.surplus_threshold_weeks,
                    weekly=budget.weekly_pence,
                    amount=amount,
                    recover_on=recover_on,
                ),
                issued_on=on,
                recover_on=recover_on,
            )
            audit_record(
                action="surplus.notice_issued",
                actor_label=RUN_LABEL,
                obj=notice,
                detail={
                    "person": str(budget.person.public_id),
                    "available_pence": available,
                    "threshold_pence": threshold,
                    "amount_pence": amount,
                    "recover_on": recover_on.isoformat(),
                },
            )
            transaction.on_commit(partial(_notify, notice), robust=True)
            return notice
    except IntegrityError:
        # Another run issued this person's notice meanwhile: that one stands.
        return None


def surplus_recover_due(*, on: dt.date) -> SurplusRun:
    """Take back the surplus of every issued notice whose recovery day has come; a
    notice with nothing over the limit left lapses."""
    recovered = lapsed = total = 0
    due = SurplusNotice.objects.filter(status=Status.ISSUED, recover_on__lte=on).order_by("pk")
    for notice_id in due.values_list("pk", flat=True):
        taken = _recover(notice_id=notice_id, on=on)
        if taken is None:
            continue
        if taken:
            recovered += 1
            total += taken
        else:
            lapsed += 1
    return SurplusRun(recovered=recovered, recovered_pence=total, lapsed=lapsed)


def _recover(*, notice_id: int, on: dt.date) -> int | None:
    """The pence taken back (0: lapsed), or None if the notice was no longer due."""
    with transaction.atomic():
        notice = (
            SurplusNotice.objects.select_for_update(of=("self",))
            .select_related("person", "budget__plan__rules_version")
            .get(pk=notice_id)
        )
        if notice.status != Status.ISSUED or notice.recover_on > on:
            return None
        purse = Account.objects.select_for_update().get(pk=purse_open(person=notice.person).pk)
        # The limit told in the notice, or today's if the person's budget has grown.
        threshold = notice.threshold_pence
        current = (
            Budget.objects.filter(person=notice.person, status=Budget.Status.ACTIVE)
            .select_related("plan__rules_version")
            .first()
        )
        if current is not None:
            threshold = max(threshold, _threshold(current, current.plan.rules_version))
        amount = min(notice.amount_pence, purse.available_pence - threshold)
        notice.closed_on = on
        if amount <= 0:
            notice.status = Status.LAPSED
            notice.save(update_fields=["status", "closed_on"])
            audit_record(
                action="surplus.notice_lapsed",
                actor_label=RUN_LABEL,
                obj=notice,
                detail={"available_pence": purse.available_pence, "threshold_pence": threshold},
            )
            return 0
        txn = transfer(
            kind=LedgerTransaction.Kind.RECOVERY,
            legs=[Leg(purse, shared_account(Account.Kind.RECOVERIES), amount)],
            key=f"recovery:{notice.public_id}",
            memo=f"Money over the limit taken back (notice {notice.reference} of "
            f"{_day(notice.issued_on)})",
            audit={"notice": str(notice.public_id)},
        )
        notice.status = Status.RECOVERED
        notice.recovered_pence = amount
        notice.transaction = txn
        notice.save(update_fields=["status", "recovered_pence", "transaction", "closed_on"])
        audit_record(
            action="surplus.recovered",
            actor_label=RUN_LABEL,
            obj=notice,
            detail={"transaction": str(txn.public_id), "amount_pence": amount},
        )
        return amount


def surplus_daily(*, on: dt.date) -> SurplusRun:
    """The day's work: new notices, then the recoveries due. Safe to run again."""
    issued = surplus_notices_issue(on=on)
    run = surplus_recover_due(on=on)
    return SurplusRun(
        issued=issued,
        recovered=run.recovered,
        recovered_pence=run.recovered_pence,
        lapsed=run.lapsed,
    )


def _locked(notice: SurplusNotice) -> SurplusNotice:
    return (
        SurplusNotice.objects.select_for_update(of=("self",))
        .select_related("person", "budget__plan__rules_version", "transaction")
        .get(pk=notice.pk)
    )


def _text_required(text: str, field: str, message: str, what: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ValidationFailed(f"The {what} was not recorded.", field_errors={field: [message]})
    return text.strip()


def surplus_reconsideration_request(
    *, notice: SurplusNotice, text: str, by: Any, origin: Origin = SYSTEM
) -> SurplusNotice:
    """The person, a representative who may see their budget, or staff on their behalf
    ask the council not to take the money back. Nothing is taken until it is decided."""
    acting_as = acting_basis(user=by, person=notice.person, scope=Representative.Scope.VIEW)
    if acting_as is None:
        raise DomainError(
            "You can only ask for a reconsideration for yourself or someone you act for."
        )
    text = _text_required(text, "text", "Say why the money should not be taken back", "request")
    with transaction.atomic():
        locked = _locked(notice)
        if locked.status == Status.RECONSIDERATION_REQUESTED:
            raise DomainError(
                "A reconsideration of this notice was already asked for. You will hear the "
                "decision on it."
            )
        if locked.status != Status.ISSUED:
            raise DomainError(
                f"This notice can no longer be reconsidered: {locked.get_status_display()}."
            )
        locked.status = Status.RECONSIDERATION_REQUESTED
        locked.reconsideration = text
        locked.reconsideration_requested_by = by
        locked.reconsideration_requested_on = timezone.localdate()
        locked.save(
            update_fields=[
                "status",
                "reconsideration",
                "reconsideration_requested_by",
                "reconsideration_requested_on",
            ]
        )
        audit_record(
            action="surplus.reconsideration_requested",
            actor=by,
            obj=locked,
            origin=origin,
            detail={"person": str(locked.person.public_id), "as": acting_as},
        )
    return locked


def surplus_reconsideration_decide(
    *, notice: SurplusNotice, withdraw: bool, reason: str, by: Any, origin: Origin = SYSTEM
) -> SurplusNotice:
    """A care manager or finance officer decides: withdraw the notice (nothing is taken
    back), or let it stand, with a new recovery day a full notice period after the
    decision so the person can act on it."""
    if not (user_has_permission(by, PLANS_MANAGE) or user_has_permission(by, FINANCE_MANAGE)):
        raise DomainError("Only a care manager or a finance officer can decide on this.")
    reason = _text_required(
        reason, "reason", "Give the reasons for the decision: the person will read them", "decision"
    )
    today = timezone.localdate()
    with transaction.atomic():
        locked = _locked(notice)
        if locked.status != Status.RECONSIDERATION_REQUESTED:
            raise DomainError("Nobody has asked for this notice to be reconsidered.")
        locked.decided_by = by
        locked.decided_on = today
        locked.decision_reason = reason
        if withdraw:
            locked.status = Status.WITHDRAWN
            locked.closed_on = today
        else:
            locked.status = Status.ISSUED
            notice_days = locked.budget.plan.rules_version.surplus_notice_days
            locked.recover_on = max(locked.recover_on, today + dt.timedelta(days=notice_days))
        locked.save(
            update_fields=[
                "status",
                "decided_by",
                "decided_on",
                "decision_reason",
                "closed_on",
                "recover_on",
            ]
        )
        audit_record(
            action="surplus.reconsideration_decided",
            actor=by,
            obj=locked,
            origin=origin,
            detail={
                "withdrawn": withdraw,
                "recover_on": None if withdraw else locked.recover_on.isoformat(),
            },
        )
    return locked


def surplus_recovery_reverse(
    *, notice: SurplusNotice, reason: str, by: Any, origin: Origin = SYSTEM
) -> SurplusNotice:
    """Give the money taken back to the purse (finance), once: the recovery's mirror
    image in the ledger, linked to it."""
    if not user_has_permission(by, FINANCE_MANAGE):
        raise DomainError("Only a finance officer can give back money that was recovered.")
    reason = _text_required(
        reason, "reason", "Say why the money is given back: the person will read it", "reversal"
    )
    with transaction.atomic():
        locked = _locked(notice)
        if locked.status == Status.REVERSED:
            raise AlreadyResolved(
                f"The money taken back under this notice was already returned, on "
                f"{_day(locked.closed_on or locked.issued_on)}."
            )
        if locked.status != Status.RECOVERED or locked.transaction is None:
            raise DomainError("No money was taken back under this notice, so none can be returned.")
        reversal = transaction_reverse(
            original=locked.transaction,
            actor=by,
            origin=origin,
            memo=f"Money taken back under notice {locked.reference} returned: {reason}",
        )
        locked.status = Status.REVERSED
        locked.reversal_reason = reason
        locked.closed_on = timezone.localdate()
        locked.save(update_fields=["status", "reversal_reason", "closed_on"])
        audit_record(
            action="surplus.recovery_reversed",
            actor=by,
            obj=locked,
            origin=origin,
            detail={
                "transaction": str(locked.transaction.public_id),
                "reversal": str(reversal.public_id),
                "amount_pence": locked.recovered_pence,
            },
        )
    return locked
