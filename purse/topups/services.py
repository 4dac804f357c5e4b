"""Top-up runs that a finance officer previews and approves. The run itself (what is
due and paying it) is purse.services.funding's; this keeps the record of each run and
makes approval pay exactly what was previewed, once."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import FINANCE_MANAGE, user_has_permission
from core.errors import DomainError
from core.services import SYSTEM, Origin, audit_record
from purse.services.funding import RUN_LOCK, TopupDue, topups_due, topups_run
from tenants.rules.selectors import rules_in_effect

from .models import TopupRun


class TopupsChanged(DomainError):
    status = 409
    code = "topups_changed"
    title = "What is due has changed"


def _digest(rows: Iterable[TopupDue]) -> str:
    lines = (f"{r.budget_id}:{r.starts.isoformat()}:{r.amount_pence}" for r in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _run_lock() -> None:
    """The council's top-up run lock (funding.RUN_LOCK), held to the end of this
    transaction: previews, approvals and the hourly run take turns, so what is checked
    is what is paid, and two previews never both wait."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))", [RUN_LOCK])


def _finance_required(by: User, doing: str) -> None:
    if not user_has_permission(by, FINANCE_MANAGE):
        raise DomainError(f"Only a finance officer can {doing}.")


def topups_need_approval(*, on: dt.date) -> bool:
    rules = rules_in_effect(on=on)
    return bool(rules and rules.topups_need_approval)


def topup_run_preview(*, on: dt.date, by: User | None, origin: Origin = SYSTEM) -> TopupRun:
    """Record what a run on `on` would pay, for approval. A new preview replaces the
    one waiting (only one waits at a time)."""
    if by is not None:
        _finance_required(by, "preview a top-up run")
    if on > timezone.localdate():
        raise DomainError(
            "A top-up run pays what is due by today or an earlier day. Choose today or earlier."
        )
    with transaction.atomic():
        _run_lock()
        rows = topups_due(on=on)
        TopupRun.objects.filter(status=TopupRun.Status.PREVIEWED).update(
            status=TopupRun.Status.REPLACED
        )
        run = TopupRun.objects.create(
            run_on=on,
            due_count=len(rows),
            due_total_pence=sum(r.amount_pence for r in rows),
            due_digest=_digest(rows),
            previewed_by=by,
        )
        audit_record(
            action="topup_run.previewed",
            actor=by,
            actor_label="" if by else "top-up run",
            obj=run,
            origin=origin,
            detail={
                "run_on": on.isoformat(),
                "topups": run.due_count,
                "amount_pence": run.due_total_pence,
            },
        )
    return run


def topup_run_approve(*, run: TopupRun, by: User, origin: Origin = SYSTEM) -> TopupRun:
    """Pay what the preview showed. Approving a run already paid changes nothing and
    pays nothing (a double click, a second officer): the run says who paid it."""
    _finance_required(by, "approve a top-up run")
    with transaction.atomic():
        _run_lock()
        run = TopupRun.objects.select_for_update().get(pk=run.pk)
        if run.status == TopupRun.Status.PAID:
            return run
        if run.status != TopupRun.Status.PREVIEWED:
            raise DomainError(
                "This preview has been replaced by a newer one. Approve the newest preview."
            )
        rows = topups_due(on=run.run_on)
        if _digest(rows) != run.due_digest:
            raise TopupsChanged(
                f"What is due has changed since this preview ({run.due_count} top-ups then, "
                f"{len(rows)} now): budgets were added, changed or paid meanwhile. "
                "Preview the run again and check it before approving."
            )
        paid = topups_run(on=run.run_on, by=by)
        if (paid.topups, paid.total_pence) != (run.due_count, run.due_total_pence):
            # Cannot happen while the lock is held; if it ever did, nothing is paid.
            raise TopupsChanged(
                f"The run would have paid {paid.topups} top-ups ({paid.total_pence}p), not the "
                f"{run.due_count} previewed: nothing was paid. Preview the run again."
            )
        run.status = TopupRun.Status.PAID
        run.approved_by = by
        run.approved_at = timezone.now()
        run.paid_count = paid.topups
        run.paid_total_pence = paid.total_pence
        run.save(
            update_fields=["status", "approved_by", "approved_at", "paid_count", "paid_total_pence"]
        )
        audit_record(
            action="topup_run.approved",
            actor=by,
            obj=run,
            origin=origin,
            detail={"topups": paid.topups, "amount_pence": paid.total_pence},
        )
    return run


def topups_pay_due(*, on: dt.date) -> TopupRun | None:
    """The hourly run: where the council's rules ask for approval, leave a preview of
    what is due for finance (none if nothing is due or the waiting one is still right);
    otherwise pay it and record the run. None when nothing was due."""
    if topups_need_approval(on=on):
        waiting = TopupRun.objects.filter(status=TopupRun.Status.PREVIEWED).first()
        rows = topups_due(on=on)
        if not rows or (waiting and waiting.due_digest == _digest(rows)):
            return None
        return topup_run_preview(on=on, by=None)
    with transaction.atomic():
        # Paid without approval: a preview someone made meanwhile no longer waits.
        _run_lock()
        TopupRun.objects.filter(status=TopupRun.Status.PREVIEWED).update(
            status=TopupRun.Status.REPLACED
        )
    paid = topups_run(on=on)
    if not paid.topups:
        return None
    return TopupRun.objects.create(
        run_on=on,
        status=TopupRun.Status.AUTOMATIC,
        due_count=paid.topups,
        due_total_pence=paid.total_pence,
        due_digest="",
        paid_count=paid.topups,
        paid_total_pence=paid.total_pence,
    )
