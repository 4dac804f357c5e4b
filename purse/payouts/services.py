"""Paying providers what the council owes them (BRIEF §3.4), inside one council's schema.

    payouts_make      once a day: each provider's posted payable goes into a batch
                      (payable -> clearing), at most one batch per provider per day
    payouts_send      pending batches go to the council's gateway; a failure to reach it
                      is retried later with backoff, a refusal returns the money
    payouts_refresh   sent batches are checked with the gateway (and on each webhook)
    payout_apply      the gateway's answer: paid (clearing -> paid out, once) or returned
                      (the payout reversed, so the money is owed again)
    reconcile         once a day: the ledger against the gateway, exceptions listed

A batch's key is the gateway's idempotency key, so however often a batch is sent (a
retry, a worker killed mid-request), the provider is paid once.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Sum
from django.utils import timezone

from catalogue.models import PayoutDetails, Provider
from core.errors import DomainError
from core.money import format_pence, pounds_decimal
from core.services import SYSTEM, Origin, audit_record
from core.spreadsheets import cell_text
from epurse.db import current_schema
from tenants.models import Tenant

from ..ledger.models import Account, Entry, LedgerTransaction
from ..ledger.services import Leg, shared_account, transaction_reverse, transfer
from .gateways import GatewayState, GatewayUnavailable, PayoutRefused, PayoutRequest, gateway_for
from .models import PaymentFile, PayoutBatch, ReconciliationException, ReconciliationRun

logger = logging.getLogger(__name__)

Status = PayoutBatch.Status
# Waits between tries to reach a gateway: 5 minutes, doubling, at most 6 hours.
RETRY_FIRST = dt.timedelta(minutes=5)
RETRY_MOST = dt.timedelta(hours=6)
STUCK_AFTER = dt.timedelta(days=3)


def _council() -> Tenant:
    return Tenant.objects.get(schema_name=current_schema())


def _details(provider_id: Any) -> PayoutDetails | None:
    return PayoutDetails.objects.filter(provider_id=provider_id).first()


def batch_key(*, provider_id: uuid.UUID, on: dt.date) -> str:
    return f"{current_schema()}.{provider_id.hex}.{on:%Y%m%d}"


def _owed(account: Account) -> int:
    return account.credits_posted - account.debits_posted


# --- Making batches -----------------------------------------------------------------


@dataclass
class Made:
    batches: list[PayoutBatch] = field(default_factory=list)
    not_ready: dict[Any, str] = field(default_factory=dict)  # provider id -> why


def payouts_make(*, on: dt.date) -> Made:
    """Put what each provider is owed (posted: care delivered and confirmed) into one
    batch per provider for `on`. Run again the same day, it makes nothing new."""
    gateway = gateway_for(_council().payout_gateway)
    made = Made()
    owed = Account.objects.filter(
        kind=Account.Kind.PAYABLE, credits_posted__gt=F("debits_posted")
    ).order_by("pk")
    for account in owed:
        if account.provider_id is None:
            continue
        if PayoutBatch.objects.filter(provider_id=account.provider_id, on=on).exists():
            continue
        if reason := gateway.ready(_details(account.provider_id)):
            made.not_ready[account.provider_id] = reason
            continue
        if (batch := _batch_make(account=account, on=on, gateway=gateway.name)) is not None:
            made.batches.append(batch)
    return made


def _batch_make(*, account: Account, on: dt.date, gateway: str) -> PayoutBatch | None:
    provider_id = account.provider_id
    if provider_id is None:
        return None
    with transaction.atomic():
        # Locked, so no capture lands between reading what is owed and moving it, and
        # the entries it pays for are exactly those up to `through`.
        account = Account.objects.select_for_update().get(pk=account.pk)
        amount = _owed(account)
        if amount <= 0 or PayoutBatch.objects.filter(provider_id=provider_id, on=on):
            return None
        key = batch_key(provider_id=provider_id, on=on)
        through = Entry.objects.filter(account=account).aggregate(last=Max("pk"))["last"]
        payout = transfer(
            kind=LedgerTransaction.Kind.PAYOUT,
            legs=[Leg(account, shared_account(Account.Kind.CLEARING), amount)],
            key=f"payout:{key}",
            memo=f"Payment {key} to the provider",
            audit={"provider_id": str(provider_id), "gateway": gateway},
        )
        return PayoutBatch.objects.create(
            key=key,
            provider_id=provider_id,
            on=on,
            gateway=gateway,
            amount_pence=amount,
            through_entry_id=through,
            payout=payout,
        )


# --- Sending ------------------------------------------------------------------------


@dataclass
class Sent:
    sent: int = 0
    paid: int = 0
    returned: int = 0
    deferred: int = 0
    refused: int = 0


def _retry_wait(attempts: int) -> dt.timedelta:
    return min(RETRY_FIRST * (2 ** max(attempts - 1, 0)), RETRY_MOST)


def _payee(details: PayoutDetails | None) -> dict[str, str]:
    if details is None:
        return {}
    return {
        "paypal_email": details.paypal_email,
        "bank_account_name": details.bank_account_name,
        "bank_sort_code": details.bank_sort_code,
        "bank_account_number": details.bank_account_number,
    }


def payouts_send(*, now: dt.datetime | None = None) -> Sent:
    """Send the batches waiting to go (those whose retry time has come). Each is
    locked while it is sent, so two workers never send the same batch at once; a
    worker that dies mid-request leaves it pending and the next run sends it again
    under the same key, which the gateway pays once.

    A refusal never gives the money back by itself: an earlier try whose answer was
    lost may have been paid. The batch waits, listed for finance, who either fix the
    provider's details (it is sent again) or return it (payout_return)."""
    now = now or timezone.now()
    result = Sent()
    due = (
        PayoutBatch.objects.filter(status=Status.PENDING)
        .exclude(next_attempt_at__gt=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    council = _council()
    for pk in list(due):
        with transaction.atomic():
            batch = (
                PayoutBatch.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=Status.PENDING)
                .first()
            )
            if batch is None:
                continue
            gateway = gateway_for(batch.gateway)
            details = _details(batch.provider_id)
            request = PayoutRequest(
                key=batch.key,
                amount_pence=batch.amount_pence,
                details=details,
                council=council.name,
            )
            batch.attempts += 1
            try:
                state = gateway.send(request)
            except GatewayUnavailable as error:
                batch.last_error = str(error)[:2000]
                batch.next_attempt_at = now + _retry_wait(batch.attempts)
                batch.save(update_fields=["attempts", "last_error", "next_attempt_at"])
                result.deferred += 1
                logger.warning("Payout %s not sent yet: %s", batch.key, error)
                continue
            except PayoutRefused as error:
                batch.last_error = str(error)[:2000]
                batch.next_attempt_at = now + RETRY_MOST
                batch.save(update_fields=["attempts", "last_error", "next_attempt_at"])
                _exception(
                    kind=ReconciliationException.Kind.NOT_SENT,
                    subject=batch.key,
                    batch=batch,
                    message=(
                        f"The gateway refused this payment: {error} As far as we know it has "
                        "not been paid. Fix the provider's details and it is sent again, or "
                        "once you are sure it was not paid, return it to what the provider "
                        "is owed."
                    ),
                )
                result.refused += 1
                continue
            batch.status = Status.SENT
            batch.sent_at = now
            batch.last_error = ""
            batch.payee = _payee(details)
            batch.save(update_fields=["attempts", "status", "sent_at", "last_error", "payee"])
            applied = _apply(batch, state)
        result.sent += 1
        result.paid += applied.status == Status.PAID
        result.returned += applied.status == Status.RETURNED
    _payment_file_write(on=timezone.localdate(now))
    return result


def payout_return(
    *, batch: PayoutBatch, reason: str, by: Any, origin: Origin = SYSTEM
) -> PayoutBatch:
    """Finance gives a batch that was never sent back to what the provider is owed
    (the payout reversed); it goes in a later batch."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why the payment is being returned")
    with transaction.atomic():
        batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != Status.PENDING:
            raise DomainError(
                f"This payment is {batch.get_status_display().lower()}: only one waiting to "
                "be sent can be returned"
            )
        batch.returned = transaction_reverse(
            original=batch.payout, actor=by, origin=origin, memo=f"Payment {batch.key} returned"
        )
        batch.status = Status.RETURNED
        batch.failure_reason = reason[:2000]
        batch.finished_at = timezone.now()
        batch.save(update_fields=["returned", "status", "failure_reason", "finished_at"])
        audit_record(
            action="payouts.returned",
            actor=by,
            obj=batch,
            origin=origin,
            detail={"key": batch.key, "amount_pence": batch.amount_pence},
        )
    return batch


def payout_seen(*, batch: PayoutBatch, gateway_batch_id: str) -> PayoutBatch:
    """The gateway says it has this batch (a webhook) while we still hold it as not
    sent (our try's answer was lost): record it as sent, then ask about it. A batch
    being sent right now raises DatabaseError rather than waiting."""
    with transaction.atomic():
        batch = PayoutBatch.objects.select_for_update(nowait=True).get(pk=batch.pk)
        if batch.status == Status.PENDING and gateway_batch_id:
            batch.status = Status.SENT
            batch.sent_at = timezone.now()
            batch.gateway_batch_id = gateway_batch_id
            batch.payee = _payee(_details(batch.provider_id))
            batch.save(update_fields=["status", "sent_at", "gateway_batch_id", "payee"])
    return payout_refresh(batch=batch, wait=False)


def _payment_file_write(*, on: dt.date) -> PaymentFile | None:
    """Gather the BACS batches sent and not yet in a file into the day's next file."""
    with transaction.atomic():
        batches = list(
            PayoutBatch.objects.select_for_update()
            .filter(gateway="bacs", status=Status.SENT, payment_file__isnull=True)
            .order_by("pk")
        )
        if not batches:
            return None
        number = PaymentFile.objects.filter(on=on).count() + 1
        reference = f"{current_schema().upper()[:20]}-{on:%Y%m%d}-{number}"
        payment_file = PaymentFile.objects.create(
            reference=reference,
            on=on,
            content=payment_file_csv(batches),
            total_pence=sum(b.amount_pence for b in batches),
            payments=len(batches),
        )
        PayoutBatch.objects.filter(pk__in=[b.pk for b in batches]).update(
            payment_file=payment_file, gateway_batch_id=reference
        )
        return payment_file


# The layout of a BACS payment file, for the council's finance system (documented in
# docs/payouts.md): one row per provider, amounts in pounds and pence.
PAYMENT_FILE_COLUMNS = [
    "payment_reference",
    "payee_name",
    "sort_code",
    "account_number",
    "amount",
    "amount_pence",
    "provider_id",
    "payment_date",
]


def payment_file_csv(batches: list[PayoutBatch]) -> str:
    """The file's rows, from each batch's payee as it was when the batch was sent."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(PAYMENT_FILE_COLUMNS)
    for batch in batches:
        payee = batch.payee
        writer.writerow(
            [
                # BACS carries an 18-character reference: the tail of the key is unique
                # per provider and day.
                _bacs_reference(batch),
                cell_text(str(payee.get("bank_account_name", ""))),
                cell_text(str(payee.get("bank_sort_code", ""))),
                cell_text(str(payee.get("bank_account_number", ""))),
                pounds_decimal(batch.amount_pence),
                batch.amount_pence,
                batch.provider_id,
                batch.on.isoformat(),
            ]
        )
    return out.getvalue()


def _bacs_reference(batch: PayoutBatch) -> str:
    return f"EP{batch.on:%y%m%d}{batch.provider_id.hex[:10].upper()}"


def payment_file_paid(*, payment_file: PaymentFile, by: Any, origin: Origin = SYSTEM) -> int:
    """A finance officer says the council's finance system has paid this file: each of
    its batches is settled (once; confirming again changes nothing)."""
    with transaction.atomic():
        payment_file = PaymentFile.objects.select_for_update().get(pk=payment_file.pk)
        settled = 0
        for batch in payment_file.batches.filter(status=Status.SENT).order_by("pk"):
            _apply(batch, GatewayState("paid", payment_file.reference, "PAID_BY_FINANCE"), by=by)
            settled += 1
        if payment_file.status != PaymentFile.Status.PAID:
            payment_file.status = PaymentFile.Status.PAID
            payment_file.confirmed_at = timezone.now()
            payment_file.confirmed_by_id = getattr(by, "public_id", None)
            payment_file.save(update_fields=["status", "confirmed_at", "confirmed_by_id"])
            audit_record(
                action="payouts.payment_file_paid",
                actor=by,
                obj=payment_file,
                origin=origin,
                detail={"reference": payment_file.reference, "batches": settled},
            )
        return settled


# --- The gateway's answers ------------------------------------------------------------


def _apply(batch: PayoutBatch, state: GatewayState, *, by: Any = None) -> PayoutBatch:
    """Record what the gateway says of a batch (the batch is locked by the caller).
    Paid and returned are final: a later or repeated answer moves no money; one that
    contradicts a final state is listed for finance to look into."""
    if state.gateway_batch_id and not batch.gateway_batch_id:
        batch.gateway_batch_id = state.gateway_batch_id
    batch.gateway_status = state.gateway_status
    fields = ["gateway_batch_id", "gateway_status"]
    if batch.status in (Status.PAID, Status.RETURNED):
        final = "paid" if batch.status == Status.PAID else "returned"
        if state.state not in ("sent", final):
            _exception(
                kind=ReconciliationException.Kind.STATUS_MISMATCH,
                subject=batch.key,
                batch=batch,
                message=(
                    f"The gateway now says {state.gateway_status} for a payment we recorded "
                    f"as {batch.get_status_display().lower()}. Check it with the gateway."
                ),
            )
        batch.save(update_fields=fields)
        return batch
    if state.state == "paid":
        batch.settlement = transfer(
            kind=LedgerTransaction.Kind.SETTLEMENT,
            legs=[
                Leg(
                    shared_account(Account.Kind.CLEARING),
                    shared_account(Account.Kind.PAID_OUT),
                    batch.amount_pence,
                )
            ],
            key=f"settled:{batch.key}",
            memo=f"Payment {batch.key} reached the provider",
            actor=by,
            audit={"provider_id": str(batch.provider_id), "gateway": batch.gateway},
        )
        batch.status = Status.PAID
        batch.finished_at = timezone.now()
        fields += ["settlement", "status", "finished_at"]
    elif state.state == "returned":
        batch.returned = transaction_reverse(
            original=batch.payout,
            actor=by,
            memo=f"Payment {batch.key} not made: {state.reason}"[:300],
        )
        batch.status = Status.RETURNED
        batch.failure_reason = state.reason
        batch.finished_at = timezone.now()
        fields += ["returned", "status", "failure_reason", "finished_at"]
        _exception(
            kind=ReconciliationException.Kind.RETURNED,
            subject=batch.key,
            batch=batch,
            message=(
                f"The payment of {format_pence(batch.amount_pence)} was not made: {state.reason} "
                "The money is owed to the provider again and goes in the next day's batch."
            ),
        )
    batch.save(update_fields=fields)
    return batch


def payout_refresh(*, batch: PayoutBatch, wait: bool = True) -> PayoutBatch:
    """Ask the gateway about one sent batch and record its answer. Without `wait`, a
    batch being sent right now raises DatabaseError rather than waiting for it."""
    with transaction.atomic():
        batch = PayoutBatch.objects.select_for_update(nowait=not wait).get(pk=batch.pk)
        if batch.status != Status.SENT:
            return batch
        gateway = gateway_for(batch.gateway)
        state = gateway.check(gateway_batch_id=batch.gateway_batch_id, key=batch.key)
        return _apply(batch, state)


def payouts_refresh() -> int:
    """Check every sent batch that has a gateway id; returns how many became final."""
    finished = 0
    for batch in PayoutBatch.objects.filter(status=Status.SENT).exclude(gateway="bacs"):
        try:
            finished += payout_refresh(batch=batch).status != Status.SENT
        except GatewayUnavailable as error:
            logger.warning("Payout %s not checked: %s", batch.key, error)
    return finished


# --- Reconciliation --------------------------------------------------------------------


def _exception(
    *,
    kind: str,
    subject: str,
    message: str,
    run: ReconciliationRun | None = None,
    batch: PayoutBatch | None = None,
    provider_id: Any = None,
    amount_pence: int | None = None,
) -> bool:
    """List an exception unless the same one is already open; True when new."""
    if ReconciliationException.objects.filter(
        kind=kind, subject=subject, resolved_at__isnull=True
    ).exists():
        return False
    run = run or ReconciliationRun.objects.get_or_create(on=timezone.localdate())[0]
    try:
        with transaction.atomic():
            ReconciliationException.objects.create(
                run=run,
                kind=kind,
                subject=subject,
                batch=batch,
                provider_id=batch.provider_id if batch is not None else provider_id,
                amount_pence=batch.amount_pence if batch is not None else amount_pence,
                message=message,
            )
    except IntegrityError:
        return False  # listed meanwhile by another run
    return True


def reconcile(*, on: dt.date, now: dt.datetime | None = None) -> ReconciliationRun:
    """Compare the ledger with the gateway and list what does not agree: a batch the
    gateway sees differently, one sent days ago and not yet paid, one not sent after
    its tries, money owed to a provider who cannot be paid, and clearing that is not
    the sum of the batches in flight."""
    now = now or timezone.now()
    with transaction.atomic():
        run, _ = ReconciliationRun.objects.get_or_create(on=on)
    found = 0
    checked = 0
    for batch in PayoutBatch.objects.exclude(status=Status.PENDING).exclude(
        finished_at__lt=now - dt.timedelta(days=35)
    ):
        checked += 1
        if batch.gateway == "bacs" or not batch.gateway_batch_id:
            continue
        try:
            state = gateway_for(batch.gateway).check(
                gateway_batch_id=batch.gateway_batch_id, key=batch.key
            )
        except GatewayUnavailable:
            continue
        ours = {Status.SENT: "sent", Status.PAID: "paid", Status.RETURNED: "returned"}[
            Status(batch.status)
        ]
        if state.state != ours:
            with transaction.atomic():
                if batch.status == Status.SENT:
                    # Behind, not wrong: record the answer we missed.
                    _apply(PayoutBatch.objects.select_for_update().get(pk=batch.pk), state)
                    continue
                found += _exception(
                    kind=ReconciliationException.Kind.STATUS_MISMATCH,
                    subject=batch.key,
                    run=run,
                    batch=batch,
                    message=(
                        f"We recorded {batch.get_status_display().lower()}; the gateway says "
                        f"{state.gateway_status}."
                    ),
                )
    with transaction.atomic():
        for batch in PayoutBatch.objects.filter(status=Status.SENT, sent_at__lt=now - STUCK_AFTER):
            found += _exception(
                kind=ReconciliationException.Kind.STUCK,
                subject=batch.key,
                run=run,
                batch=batch,
                message=(
                    f"Sent on {batch.sent_at:%d %B %Y} and not yet paid ({batch.gateway_status})."
                ),
            )
        for batch in PayoutBatch.objects.filter(status=Status.PENDING, attempts__gte=3):
            found += _exception(
                kind=ReconciliationException.Kind.NOT_SENT,
                subject=batch.key,
                run=run,
                batch=batch,
                message=f"Not sent after {batch.attempts} tries: {batch.last_error}",
            )
        gateway = gateway_for(_council().payout_gateway)
        for account in Account.objects.filter(
            kind=Account.Kind.PAYABLE, credits_posted__gt=F("debits_posted")
        ):
            if account.provider_id is None:
                continue
            if reason := gateway.ready(_details(account.provider_id)):
                name = Provider.objects.filter(pk=account.provider_id).values_list(
                    "legal_name", flat=True
                ).first() or str(account.provider_id)
                found += _exception(
                    kind=ReconciliationException.Kind.NO_DETAILS,
                    subject=f"{account.provider_id}",
                    run=run,
                    provider_id=account.provider_id,
                    amount_pence=_owed(account),
                    message=f"{name} is owed money and cannot be paid: {reason}",
                )
        # Locked, so no batch is made or settled between the two sums.
        clearing = Account.objects.select_for_update().get(code=Account.Kind.CLEARING)
        in_clearing = clearing.credits_posted - clearing.debits_posted
        in_flight = (
            PayoutBatch.objects.filter(status__in=[Status.PENDING, Status.SENT]).aggregate(
                total=Sum("amount_pence")
            )["total"]
            or 0
        )
        if in_clearing != in_flight:
            found += _exception(
                kind=ReconciliationException.Kind.CLEARING,
                subject=f"clearing:{on}",
                run=run,
                amount_pence=in_clearing - in_flight,
                message=(
                    f"Clearing holds {in_clearing} pence but the batches on their way add up "
                    f"to {in_flight} pence."
                ),
            )
        run = ReconciliationRun.objects.select_for_update().get(pk=run.pk)
        run.batches_checked = checked
        run.exceptions_found += found
        run.save(update_fields=["batches_checked", "exceptions_found"])
    return run


def exception_resolve(
    *, exception: ReconciliationException, resolution: str, by: Any, origin: Origin = SYSTEM
) -> ReconciliationException:
    resolution = (resolution or "").strip()
    if not resolution:
        raise DomainError("Say what was done about it")
    with transaction.atomic():
        exception = ReconciliationException.objects.select_for_update().get(pk=exception.pk)
        if exception.resolved_at is not None:
            raise DomainError("This was already resolved")
        exception.resolved_at = timezone.now()
        exception.resolved_by_id = by.public_id
        exception.resolution = resolution[:2000]
        exception.save(update_fields=["resolved_at", "resolved_by_id", "resolution"])
        audit_record(
            action="payouts.exception_resolved",
            actor=by,
            obj=exception,
            origin=origin,
            detail={"kind": exception.kind, "subject": exception.subject},
        )
    return exception
