"""What every workspace page shares: who may open it (by section) and its menu."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from core.web.access import needs

from .sections import section_for, sections_for

P = ParamSpec("P")
PageView = Callable[Concatenate[HttpRequest, P], HttpResponseBase]


def section_page(url_name: str) -> Callable[[PageView[P]], PageView[P]]:
    """A page in the section named `url_name`: open to users holding its permission."""
    return needs(section_for(url_name).permission)


def workspace_render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    section: str,
    status: int = 200,
) -> HttpResponse:
    """Render a workspace page with the menu of the sections this user may open."""
    return render(
        request,
        template,
        {"sections": sections_for(user=request.user), "section": section, **(context or {})},
        status=status,
    )
