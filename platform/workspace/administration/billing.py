"""The council's licence, for its administrators: plan, modules and prices, status and
term, the cap on budget holders against how many there are now, and usage this period."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from billing.entitlements import configuration_refusal, holders_status, licence_for
from billing.invoicing.csv import invoice_csv
from billing.invoicing.pdf import invoice_pdf
from billing.invoicing.selectors import invoice_balance, invoices_issued
from billing.models import Module
from billing.selectors import module_name, plan_tiers, usage_this_period

from .support import page, render


@page
@require_GET
def billing(request: HttpRequest) -> HttpResponse:
    tenant = connection.tenant  # type: ignore[attr-defined]
    licence = licence_for(tenant)
    usage = usage_this_period(tenant=tenant)
    context: dict[str, Any] = {
        "licence": licence,
        "usage": usage,
        "invoices": [
            (invoice, invoice_balance(invoice=invoice).due_pence)
            for invoice in invoices_issued(tenant=tenant)[:24]
        ],
    }
    if licence is not None:
        plan = licence.plan
        context |= {
            "plan": plan,
            "modules": [
                (module_name(code).capitalize(), code in plan.modules) for code in Module.values
            ],
            "tiers": plan_tiers(plan),
            "holders": holders_status(tenant=tenant, licence=licence, holders=usage.holders),
            "stopped": configuration_refusal(tenant=tenant, licence=licence),
        }
    return render(request, "billing.html", context)


@page
@require_GET
def invoice_download(request: HttpRequest, invoice_id: uuid.UUID, kind: str) -> HttpResponse:
    """One of this council's issued invoices, as PDF or CSV (another council's, or a
    draft, is not found)."""
    tenant = connection.tenant  # type: ignore[attr-defined]
    invoice = invoices_issued(tenant=tenant).filter(public_id=invoice_id).first()
    if invoice is None or kind not in ("pdf", "csv"):
        raise Http404
    if kind == "pdf":
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    else:
        response = HttpResponse(invoice_csv(invoice), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.{kind}"'
    return response
