"""Invoicing tenants: the monthly run (meter, draft, finalise), credit notes, payments,
reminders of overdue invoices, and the operator's suspension for non-payment.

Pricing comes from the licence's plan: the platform fee; graduated tiers of active
budget holders; a fee per captured order; and a minimum monthly commitment, topped up
by a line of its own when the rest comes to less. The fixed amounts (platform fee and
minimum) are prorated by days when the licence starts, ends or leaves its trial
during the month, or moves to another plan (`PlanChange`) part-way through it: each
plan is charged for its own days. Usage is charged at the prices of the plan in effect
on the month's last billable day: the month's count of active holders in full, and
the orders captured on billable days (none in a trial). Proration is Decimal, rounded
half up to the penny.

VAT is worked out per line: 20% for the "standard" treatment, 0% for "zero" and
"outside_scope", and the treatment is kept on the invoice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import DatabaseError, transaction
from django.utils import timezone

from billing.models import Licence, Plan
from billing.services import licence_plan_move, licence_status_set
from core.errors import DomainError
from core.money import format_pence
from core.services import SYSTEM, Origin, audit_record
from epurse.db import PUBLIC_SCHEMA
from tenants.models import Tenant

from .metering import month_after, period_bounds, usage_meter
from .models import (
    VAT_STANDARD_RATE,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    Payment,
    PlanChange,
    Reminder,
)
from .selectors import invoice_balance, invoices_overdue, usage_for

logger = logging.getLogger(__name__)

ZERO = Decimal(0)


def pence_round(value: Decimal) -> int:
    """Half up to the penny, explicitly (not banker's rounding)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def vat_rate_for(treatment: str) -> Decimal:
    return VAT_STANDARD_RATE if treatment == Licence.VatTreatment.STANDARD else ZERO


# --- Pricing ------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    plan: Plan
    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass
class PricedLine:
    kind: str
    description: str
    quantity: int
    unit_price_pence: int
    net_pence: int
    days: int | None = None
    period_days: int | None = None


def _billable_window(licence: Licence, period: dt.date) -> tuple[dt.date, dt.date] | None:
    first = max(period, licence.starts_on)
    if licence.trial_ends_on:
        first = max(first, licence.trial_ends_on + dt.timedelta(days=1))
    last = month_after(period) - dt.timedelta(days=1)
    if licence.ends_on:
        last = min(last, licence.ends_on)
    return (first, last) if first <= last else None


def plan_segments(*, licence: Licence, period: dt.date) -> list[Segment]:
    """The plans in effect over the month's billable days, in order."""
    window = _billable_window(licence, period)
    if window is None:
        return []
    first, last = window
    changes = list(PlanChange.objects.filter(licence=licence).select_related("from_plan", "plan"))
    plan_on_first = licence.plan
    for change in changes:
        if change.effective_on > first:
            plan_on_first = change.from_plan
            break
        plan_on_first = change.plan
    segments = [Segment(plan=plan_on_first, first=first, last=last)]
    for change in changes:
        if first < change.effective_on <= last:
            current = segments[-1]
            segments[-1] = Segment(
                plan=current.plan, first=current.first, last=change.effective_on - dt.timedelta(1)
            )
            segments.append(Segment(plan=change.plan, first=change.effective_on, last=last))
    return segments


def _prorated(amount: int, days: int, period_days: int) -> int:
    return pence_round(Decimal(amount) * Decimal(days) / Decimal(period_days))


def _holder_lines(plan: Plan, holders: int) -> list[PricedLine]:
    lines = []
    remaining, below = holders, 0
    tiers = list(plan.holder_tiers or [])
    for number, tier in enumerate(tiers):
        up_to = tier.get("up_to")
        is_last = number == len(tiers) - 1
        room = remaining if up_to is None or is_last else max(int(up_to) - below, 0)
        count = min(remaining, room)
        if count > 0:
            upper = f"{below + count:,}"
            lines.append(
                PricedLine(
                    kind=InvoiceLine.Kind.HOLDERS,
                    description=f"Active budget holders {below + 1:,} to {upper}",
                    quantity=count,
                    unit_price_pence=int(tier["pence"]),
                    net_pence=count * int(tier["pence"]),
                )
            )
        remaining -= count
        below += count
        if remaining <= 0:
            break
    return lines


def invoice_price(
    *, licence: Licence, period: dt.date, holders: int, orders: int
) -> list[PricedLine]:
    """The month's lines before VAT, or none when it has no billable day."""
    segments = plan_segments(licence=licence, period=period)
    if not segments:
        return []
    period_days = (month_after(period) - period).days
    lines: list[PricedLine] = []
    minimum = 0
    for segment in segments:
        plan, days = segment.plan, segment.days
        whole = days == period_days
        minimum += _prorated(plan.minimum_monthly_pence, days, period_days)
        if plan.platform_fee_pence:
            described = f"Platform fee, {plan.name}"
            if not whole:
                described += (
                    f", {segment.first:%-d %B} to {segment.last:%-d %B %Y}"
                    f" ({days} of {period_days} days)"
                )
            lines.append(
                PricedLine(
                    kind=InvoiceLine.Kind.PLATFORM_FEE,
                    description=described,
                    quantity=1,
                    unit_price_pence=plan.platform_fee_pence,
                    net_pence=_prorated(plan.platform_fee_pence, days, period_days),
                    days=None if whole else days,
                    period_days=None if whole else period_days,
                )
            )
    plan = segments[-1].plan
    lines += _holder_lines(plan, holders)
    if orders and plan.order_fee_pence:
        lines.append(
            PricedLine(
                kind=InvoiceLine.Kind.ORDERS,
                description="Captured orders",
                quantity=orders,
                unit_price_pence=plan.order_fee_pence,
                net_pence=orders * plan.order_fee_pence,
            )
        )
    subtotal = sum(line.net_pence for line in lines)
    if subtotal < minimum:
        lines.append(
            PricedLine(
                kind=InvoiceLine.Kind.MINIMUM,
                description=(
                    f"Minimum monthly commitment of {format_pence(minimum)}: "
                    f"the difference from {format_pence(subtotal)}"
                ),
                quantity=1,
                unit_price_pence=minimum - subtotal,
                net_pence=minimum - subtotal,
            )
        )
    return lines


# --- Drafting and finalising --------------------------------------------------------


def invoice_draft(
    *, licence: Licence, period: dt.date, now: dt.datetime | None = None
) -> Invoice | None:
    """Draft the month's invoice from its metered usage: once per tenant and month (a
    second call returns the first draft, so nothing is billed twice). None when the
    month has no billable day for this licence."""
    now = now or timezone.now()
    _, end = period_bounds(period)
    if now < end:
        raise DomainError(f"{period:%B %Y} has not ended yet: a month is invoiced after it ends.")
    with transaction.atomic():
        licence = (
            Licence.objects.select_for_update(of=("self",))
            .select_related("tenant", "plan")
            .get(pk=licence.pk)
        )
        existing = Invoice.objects.filter(tenant_id=licence.tenant_id, period_start=period).first()
        if existing is not None:
            return existing
        segments = plan_segments(licence=licence, period=period)
        if not segments:
            return None
        zone = timezone.get_default_timezone()
        usage = usage_for(
            tenant=licence.tenant,
            period=period,
            since=dt.datetime.combine(segments[0].first, dt.time(), tzinfo=zone),
            until=dt.datetime.combine(segments[-1].last + dt.timedelta(1), dt.time(), tzinfo=zone),
        )
        priced = invoice_price(
            licence=licence, period=period, holders=usage.holders, orders=usage.orders
        )
        rate = vat_rate_for(licence.vat_treatment)
        invoice = Invoice.objects.create(
            tenant=licence.tenant,
            licence=licence,
            period_start=period,
            period_end=month_after(period) - dt.timedelta(days=1),
            customer_name=licence.billing_name or licence.tenant.name,
            customer_address=licence.billing_address,
            customer_vat_number=licence.customer_vat_number,
            purchase_order=licence.purchase_order,
            vat_treatment=licence.vat_treatment,
            plan_name=str(segments[-1].plan),
        )
        lines = []
        for position, line in enumerate(priced, start=1):
            vat = pence_round(Decimal(line.net_pence) * rate)
            lines.append(
                InvoiceLine(
                    invoice=invoice,
                    position=position,
                    kind=line.kind,
                    description=line.description,
                    quantity=line.quantity,
                    unit_price_pence=line.unit_price_pence,
                    days=line.days,
                    period_days=line.period_days,
                    net_pence=line.net_pence,
                    vat_rate=rate,
                    vat_pence=vat,
                    gross_pence=line.net_pence + vat,
                )
            )
        InvoiceLine.objects.bulk_create(lines)
        invoice.net_pence = sum(line.net_pence for line in lines)
        invoice.vat_pence = sum(line.vat_pence for line in lines)
        invoice.gross_pence = invoice.net_pence + invoice.vat_pence
        invoice.save(update_fields=["net_pence", "vat_pence", "gross_pence"])
    return invoice


def _next_number(code: str) -> tuple[InvoiceSeries, str]:
    """Take the series' next number. Must run inside the transaction that uses it: the
    row stays locked until that commits, and a rollback gives the number back."""
    series = InvoiceSeries.objects.select_for_update().get(code=code)
    number = series.next_number
    InvoiceSeries.objects.filter(pk=series.pk).update(next_number=number + 1)
    return series, f"{code}-{number:06d}"


def invoice_finalise(*, invoice: Invoice, by: Any = None, today: dt.date | None = None) -> Invoice:
    """Issue a draft: its number is the next in the invoice series, taken in this
    transaction; the tax point is today; supplier details are those configured now.
    Afterwards the database refuses changes to it (but for being paid)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status != Invoice.Status.DRAFT:
            raise DomainError(f"Invoice {invoice.number} has already been issued.")
        series, number = _next_number(InvoiceSeries.INVOICES)
        invoice.series = series
        invoice.number = number
        invoice.issued_on = today
        invoice.due_on = today + dt.timedelta(days=settings.BILLING_PAYMENT_TERMS_DAYS)
        invoice.supplier_name = settings.BILLING_SUPPLIER_NAME
        invoice.supplier_address = settings.BILLING_SUPPLIER_ADDRESS
        invoice.supplier_vat_number = settings.BILLING_SUPPLIER_VAT_NUMBER
        invoice.finalised_at = timezone.now()
        if invoice.gross_pence == 0:
            invoice.status, invoice.paid_at = Invoice.Status.PAID, invoice.finalised_at
        else:
            invoice.status = Invoice.Status.OPEN
        invoice.save()
        audit_record(
            action="billing.invoice_finalised",
            actor=by,
            obj=invoice,
            detail={
                "number": number,
                "tenant": invoice.tenant_id,
                "period": f"{invoice.period_start:%Y-%m}",
                "gross_pence": invoice.gross_pence,
            },
        )
    return invoice


@dataclass
class RunResult:
    period: dt.date
    metered: int = 0
    drafted: int = 0
    finalised: int = 0
    not_billable: int = 0
    failed: list[str] = field(default_factory=list)


def invoices_run(
    *, period: dt.date, now: dt.datetime | None = None, finalise: bool = True
) -> RunResult:
    """The monthly run for month `period`: meter each licensed tenant's ledger, draft
    its invoice and finalise it. Tenants without a licence are not invoiced. Safe to run
    again: tenants already invoiced for the month are skipped (not even re-metered),
    and drafts left by an earlier run are finalised."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = RunResult(period=period)
    invoiced = set(Invoice.objects.filter(period_start=period).values_list("tenant_id", flat=True))
    licences = (
        Licence.objects.select_related("tenant", "plan")
        .exclude(tenant__status=Tenant.Status.CLOSED)
        .exclude(tenant__schema_name=PUBLIC_SCHEMA)
        .order_by("pk")
    )
    for licence in licences:
        if licence.tenant_id in invoiced:
            continue
        try:
            if _billable_window(licence, period) is None:
                result.not_billable += 1
                continue
            usage_meter(tenant=licence.tenant, period=period, now=now)
            result.metered += 1
            if invoice_draft(licence=licence, period=period, now=now) is None:
                result.not_billable += 1
            else:
                result.drafted += 1
        except DomainError as error:
            logger.warning("Invoice for %s not drafted: %s", licence.tenant_id, error.detail)
            result.failed.append(f"{licence.tenant.schema_name}: {error.detail}")
        except DatabaseError:
            # One tenant's broken schema must not hold up every other tenant's invoice;
            # its work was rolled back, and the next run tries it again.
            logger.exception("Invoice for %s not drafted", licence.tenant.schema_name)
            result.failed.append(f"{licence.tenant.schema_name}: could not be metered")
    if finalise:
        drafts = Invoice.objects.filter(period_start=period, status=Invoice.Status.DRAFT)
        for invoice in drafts.order_by("pk"):
            invoice_finalise(invoice=invoice, today=today)
            result.finalised += 1
    return result


# --- Credit notes and payments ------------------------------------------------------


def _settle_if_nothing_due(invoice: Invoice) -> None:
    if invoice_balance(invoice=invoice).due_pence == 0:
        invoice.status, invoice.paid_at = Invoice.Status.PAID, timezone.now()
        invoice.save(update_fields=["status", "paid_at"])
        _licence_back_in_good_standing(invoice.licence)


def credit_note_issue(
    *,
    invoice: Invoice,
    lines: Sequence[tuple[str, int]],
    reason: str,
    by: Any = None,
    today: dt.date | None = None,
) -> CreditNote:
    """Credit an issued invoice: `lines` are (description, net pence); VAT at the
    invoice's rate. Numbered in the credit-note series in this transaction. It can
    never be more than is still due on the invoice."""
    today = today or timezone.localdate()
    reason = reason.strip()
    if not reason:
        raise DomainError("Say why the credit note is issued.")
    if not lines or any(net <= 0 or not text.strip() for text, net in lines):
        raise DomainError("Each line of a credit note needs a description and an amount above £0.")
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("licence").get(pk=invoice.pk)
        if invoice.status == Invoice.Status.DRAFT:
            raise DomainError("A draft invoice is changed, not credited: credit it once issued.")
        rate = vat_rate_for(invoice.vat_treatment)
        made = []
        for position, (text, net) in enumerate(lines, start=1):
            vat = pence_round(Decimal(net) * rate)
            made.append((position, text.strip(), net, vat))
        gross = sum(net + vat for _, _, net, vat in made)
        due = invoice_balance(invoice=invoice).due_pence
        if gross > due:
            raise DomainError(
                f"A credit note of {format_pence(gross)} is more than the "
                f"{format_pence(due)} still due on invoice {invoice.number}."
            )
        series, number = _next_number(InvoiceSeries.CREDIT_NOTES)
        note = CreditNote.objects.create(
            invoice=invoice,
            series=series,
            number=number,
            issued_on=today,
            reason=reason,
            net_pence=sum(net for _, _, net, _ in made),
            vat_pence=sum(vat for *_, vat in made),
            gross_pence=gross,
            created_by_id=getattr(by, "public_id", None),
        )
        CreditNoteLine.objects.bulk_create(
            CreditNoteLine(
                credit_note=note,
                position=position,
                description=text,
                net_pence=net,
                vat_rate=rate,
                vat_pence=vat,
                gross_pence=net + vat,
            )
            for position, text, net, vat in made
        )
        audit_record(
            action="billing.credit_note_issued",
            actor=by,
            obj=note,
            detail={"number": number, "invoice": invoice.number, "gross_pence": gross},
        )
        _settle_if_nothing_due(invoice)
    return note


def payment_record(
    *,
    invoice: Invoice,
    amount_pence: int,
    reference: str,
    received_on: dt.date,
    by: Any = None,
) -> Payment:
    """Record money received (e.g. a BACS credit with its reference). The same
    reference for the same invoice records once; once nothing is due, the invoice is
    paid, and a licence past due for it alone is active again."""
    reference = reference.strip()
    if not reference:
        raise DomainError("Give the payment's reference, as on the bank statement.")
    if amount_pence <= 0:
        raise DomainError("A payment must be more than £0.")
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("licence").get(pk=invoice.pk)
        existing = Payment.objects.filter(invoice=invoice, reference=reference).first()
        if existing is not None:
            if existing.amount_pence != amount_pence:
                raise DomainError(
                    f"A payment with reference {reference} was already recorded for "
                    f"{format_pence(existing.amount_pence)}."
                )
            return existing
        if invoice.status == Invoice.Status.DRAFT:
            raise DomainError("This invoice has not been issued yet.")
        due = invoice_balance(invoice=invoice).due_pence
        if amount_pence > due:
            raise DomainError(
                f"{format_pence(amount_pence)} is more than the {format_pence(due)} due on "
                f"invoice {invoice.number}."
            )
        payment = Payment.objects.create(
            invoice=invoice,
            amount_pence=amount_pence,
            reference=reference,
            received_on=received_on,
            recorded_by_id=getattr(by, "public_id", None),
        )
        audit_record(
            action="billing.payment_recorded",
            actor=by,
            obj=payment,
            detail={
                "invoice": invoice.number,
                "amount_pence": amount_pence,
                "reference": reference,
            },
        )
        _settle_if_nothing_due(invoice)
    return payment


# --- Overdue invoices ---------------------------------------------------------------


def _licence_back_in_good_standing(licence: Licence) -> None:
    if licence.status != Licence.Status.PAST_DUE:
        return
    still_overdue = Invoice.objects.filter(
        licence=licence, status=Invoice.Status.OPEN, due_on__lt=timezone.localdate()
    ).exists()
    if not still_overdue:
        licence_status_set(
            licence=licence, status=Licence.Status.ACTIVE, reason="Overdue invoices paid", by=None
        )


def _reminder_text(invoice: Invoice, days: int, due: int) -> str:
    return (
        f"Invoice {invoice.number} of {invoice.supplier_name} for "
        f"{format_pence(invoice.gross_pence)} was due on {invoice.due_on:%-d %B %Y} "
        f"and is {days} days overdue. "
        f"{format_pence(due)} is still due.\n\n"
        f"Please pay by BACS to {settings.BILLING_SUPPLIER_BANK}, quoting {invoice.number}, "
        f"or tell us at {settings.BILLING_SUPPLIER_EMAIL} if the invoice is disputed.\n"
    )


def _reminder_mail(subject: str, text: str, to: str) -> None:
    send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)


def reminders_send(*, today: dt.date | None = None) -> int:
    """Remind about invoices 7, 14 and 30 days overdue, each stage once (a stage the
    run missed is not sent late once a later one is due). The first reminder makes the
    licence past due; suspending it is the operator's decision, never this run's (with
    `billing.services.licence_status_set`)."""
    today = today or timezone.localdate()
    sent = 0
    for invoice in invoices_overdue(today=today, days=min(Reminder.STAGES)).prefetch_related(
        "reminders"
    ):
        overdue = (today - invoice.due_on).days if invoice.due_on else 0
        stage = max(s for s in Reminder.STAGES if overdue >= s)
        if any(r.days_overdue >= stage for r in invoice.reminders.all()):
            continue
        with transaction.atomic():
            licence = Licence.objects.select_for_update().get(pk=invoice.licence_id)
            to = licence.billing_email
            Reminder.objects.create(invoice=invoice, days_overdue=stage, sent_to=to)
            if licence.status == Licence.Status.ACTIVE:
                licence_status_set(
                    licence=licence,
                    status=Licence.Status.PAST_DUE,
                    reason=f"Invoice {invoice.number} is {overdue} days overdue",
                    by=None,
                )
            if to:
                text = _reminder_text(invoice, overdue, invoice_balance(invoice=invoice).due_pence)
                subject = f"Invoice {invoice.number} is {overdue} days overdue"
                transaction.on_commit(partial(_reminder_mail, subject, text, to))
        sent += 1
    return sent


def licence_plan_change(
    *, licence: Licence, plan: Plan, effective_on: dt.date, by: Any, origin: Origin = SYSTEM
) -> PlanChange:
    """Move a licence to another plan from `effective_on` (through the licensing
    service, which checks and audits the move) and record when, so the month it falls
    in is prorated between the plans by days. A month already invoiced is not
    reopened: the day must come after it."""
    with transaction.atomic():
        locked = Licence.objects.select_for_update().select_related("plan").get(pk=licence.pk)
        last_invoiced = (
            Invoice.objects.filter(licence=locked, period_end__gte=effective_on)
            .exclude(status=Invoice.Status.DRAFT)
            .order_by("-period_end")
            .values_list("period_end", flat=True)
            .first()
        )
        if last_invoiced is not None:
            raise DomainError(
                "That day is in a month already invoiced: choose a day after "
                f"{last_invoiced:%-d %B %Y}."
            )
        was = locked.plan
        licence_plan_move(licence=locked, plan=plan, by=by, origin=origin)
        return PlanChange.objects.create(
            licence=locked, from_plan=was, plan=plan, effective_on=effective_on
        )
