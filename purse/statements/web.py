"""The statement page, on a council's host, for signed-in people: the person, a
representative with the view scope, or staff who work with them (audited); anyone
else gets the "Page not found" page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from core.errors import ValidationFailed

from ..selectors import PersonNotFound
from .api import statement_person
from .selectors import statement_for, statement_period


@never_cache
@login_required
def statement_page(request: HttpRequest, id: UUID | None = None) -> HttpResponse:
    try:
        person = statement_person(request, str(id) if id else None)
    except PersonNotFound:
        raise Http404 from None
    chosen = {k: request.GET.get(k, "").strip() for k in ("from", "to")}
    context: dict[str, Any] = {
        "person_name": str(person),
        "title": f"Budget statement for {person}",
        "chosen_from": chosen["from"],
        "chosen_to": chosen["to"],
    }
    try:
        start, end = statement_period(start=chosen["from"], end=chosen["to"])
    except ValidationFailed as error:
        context["errors"] = error.field_errors
        return render(request, "purse/statements/statement.html", context, status=400)
    statement = statement_for(person=person, start=start, end=end)
    query = "?" + urlencode({"from": start.isoformat(), "to": end.isoformat()})
    kwargs = {"id": id} if id else {}
    suffix = "" if id else "my-"
    return render(
        request,
        "purse/statements/statement.html",
        context
        | {
            "statement": statement,
            "chosen_from": start.isoformat(),
            "chosen_to": end.isoformat(),
            "pdf_url": reverse(f"api:purse-{suffix}statement-pdf", kwargs=kwargs) + query,
            "csv_url": reverse(f"api:purse-{suffix}statement-csv", kwargs=kwargs) + query,
        },
    )
