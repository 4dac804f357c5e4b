"""`{% load licensing %}{% licensed "marketplace" as shown %}`: whether the council's
licence includes a module, for hiding links to what it does not (its pages refuse)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db import connection

from billing.entitlements import modules_for

register = template.Library()


@register.simple_tag(takes_context=True)
def licensed(context: dict[str, Any], module: str) -> bool:
    request = context.get("request")
    modules = getattr(request, "_licensed_modules", None)
    if modules is None:
        modules = modules_for(tenant=getattr(connection, "tenant", None))
        if request is not None:
            request._licensed_modules = modules  # once a page, however many links ask
    return module in modules
