"""Reads: usage per month, what is due on an invoice, invoices to remind about."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import QuerySet, Sum

from tenants.models import Tenant

from .models import Invoice, UsageRecord


@dataclass(frozen=True)
class Usage:
    holders: int
    orders: int


def usage_for(
    *,
    tenant: Tenant,
    period: dt.date,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Usage:
    """The month's metered usage; orders only those from `since` and before `until`
    when given (the licence's billable days)."""
    records = UsageRecord.objects.filter(tenant=tenant, period_start=period)
    holders = records.filter(metric=UsageRecord.Metric.HOLDERS).aggregate(n=Sum("quantity"))["n"]
    orders = records.filter(metric=UsageRecord.Metric.ORDERS)
    if since is not None:
        orders = orders.filter(occurred_at__gte=since)
    if until is not None:
        orders = orders.filter(occurred_at__lt=until)
    return Usage(holders=holders or 0, orders=orders.aggregate(n=Sum("quantity"))["n"] or 0)


@dataclass(frozen=True)
class Balance:
    gross_pence: int
    credited_pence: int
    paid_pence: int

    @property
    def due_pence(self) -> int:
        return self.gross_pence - self.credited_pence - self.paid_pence


def invoice_balance(*, invoice: Invoice) -> Balance:
    credited = invoice.credit_notes.aggregate(n=Sum("gross_pence"))["n"] or 0
    paid = invoice.payments.aggregate(n=Sum("amount_pence"))["n"] or 0
    return Balance(gross_pence=invoice.gross_pence, credited_pence=credited, paid_pence=paid)


def invoices_for_period(*, period: dt.date) -> QuerySet[Invoice]:
    return Invoice.objects.filter(period_start=period).select_related("tenant")


def invoices_overdue(*, today: dt.date, days: int = 1) -> QuerySet[Invoice]:
    """Issued invoices not yet paid whose due date is at least `days` days behind."""
    return Invoice.objects.filter(
        status=Invoice.Status.OPEN, due_on__lte=today - dt.timedelta(days=days)
    ).select_related("licence", "tenant")


def invoice_get(*, public_id: uuid.UUID | str) -> Invoice:
    return Invoice.objects.select_related("tenant", "licence").get(public_id=public_id)


def invoices_issued(*, tenant: Tenant) -> QuerySet[Invoice]:
    """The tenant's issued invoices (never drafts), newest first."""
    return (
        Invoice.objects.filter(tenant=tenant)
        .exclude(status=Invoice.Status.DRAFT)
        .order_by("-period_start", "-pk")
    )
