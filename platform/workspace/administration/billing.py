"""The council's licence, for its administrators: plan, modules and prices, status and
term, the cap on budget holders against how many there are now, and usage this period."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from billing.entitlements import configuration_refusal, holders_status, licence_for
from billing.models import Module
from billing.selectors import module_name, plan_tiers, usage_this_period

from .support import page, render


@page
@require_GET
def billing(request: HttpRequest) -> HttpResponse:
    tenant = connection.tenant  # type: ignore[attr-defined]
    licence = licence_for(tenant)
    usage = usage_this_period(tenant=tenant)
    context: dict[str, Any] = {"licence": licence, "usage": usage}
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
