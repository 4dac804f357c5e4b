"""The budget rules editor: the versions, one version, a new draft copied from one,
a draft's settings (excluded spending among them), what a draft would do to current
budgets, and publishing a draft to take effect on its date."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from catalogue.web.selectors import care_categories
from core.dates import format_date
from core.errors import DomainError
from core.services import Origin, audit_record
from core.web.forms import errors_apply
from tenants.rules.models import Management, RulesVersion
from tenants.rules.selectors import rules_in_effect, rules_preview, rules_questionnaire
from tenants.rules.services import (
    rules_version_create,
    rules_version_publish,
    rules_version_update,
)

from .forms import RULES_FIELDS, EffectiveDateForm, ProblemForm, RulesSettingsForm
from .support import acting_user, page, posted, render

DATE_FIELDS = {"effective_from": "effective_from_day"}


@dataclass(frozen=True)
class VersionRow:
    version: RulesVersion
    # The last day a published version applies: the day before the next one starts.
    effective_to: dt.date | None
    in_effect: bool


def _rows() -> list[VersionRow]:
    versions = list(RulesVersion.objects.order_by("-number"))
    published = sorted(
        (v for v in versions if v.status == RulesVersion.Status.PUBLISHED),
        key=lambda v: v.effective_from,
    )
    ends = {
        earlier.pk: later.effective_from - dt.timedelta(days=1)
        for earlier, later in itertools.pairwise(published)
    }
    current = rules_in_effect(on=timezone.localdate())
    return [
        VersionRow(v, ends.get(v.pk), current is not None and v.pk == current.pk) for v in versions
    ]


def _version(number: int) -> RulesVersion:
    version = RulesVersion.objects.filter(number=number).first()
    if version is None:
        raise Http404
    return version


def _draft(request: HttpRequest, number: int) -> RulesVersion | None:
    """The draft numbered `number`; None (with a message) when it is published."""
    version = _version(number)
    if version.status != RulesVersion.Status.DRAFT:
        messages.info(
            request,
            f"Rules version {version.number} is published, and published rules never change. "
            "Make a new draft based on it instead.",
        )
        return None
    return version


def _categories() -> list[tuple[str, str]]:
    return list(care_categories().values_list("code", "name"))


@page
def version_list(request: HttpRequest) -> HttpResponse:
    acting_user(request)
    return render(request, "rules/list.html", {"rows": _rows()})


@page
def version_detail(request: HttpRequest, number: int) -> HttpResponse:
    acting_user(request)
    version = _version(number)
    row = next(r for r in _rows() if r.version.pk == version.pk)
    names = dict(_categories())
    return render(
        request,
        "rules/version.html",
        {
            "row": row,
            "version": version,
            "management": [Management(m).label for m in version.allowed_management],
            "excluded": [names.get(e, e) for e in version.excluded_spending],
            "domains": rules_questionnaire(version=version),
            "bands": list(version.bands.all()),
            "adjustments": list(version.adjustments.order_by("name")),
        },
    )


@page
@require_http_methods(["GET", "POST"])
def draft_new(request: HttpRequest, number: int) -> HttpResponse:
    """A new draft, a copy of version `number`, taking effect on the date given."""
    by = acting_user(request)
    source = _version(number)
    form = EffectiveDateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            draft = rules_version_create(
                based_on=source,
                effective_from=form.cleaned_data["effective_from"],
                by=by,
                origin=Origin.of(request),
            )
        except DomainError as error:
            errors_apply(form, error, fields=DATE_FIELDS)
        else:
            messages.success(
                request,
                f"Draft version {draft.number} has been made from version {source.number}. "
                "Change its settings, check what it would do, then publish it.",
            )
            return redirect("workspace:administration-rules-edit", number=draft.number)
    return render(request, "rules/draft_new.html", {"form": form, "source": source})


@page
@require_http_methods(["GET", "POST"])
def draft_edit(request: HttpRequest, number: int) -> HttpResponse:
    by = acting_user(request)
    draft = _draft(request, number)
    if draft is None:
        return redirect("workspace:administration-rules-version", number=number)
    categories = _categories()
    if request.method != "POST":
        form = RulesSettingsForm(
            initial=RulesSettingsForm.initial_for(draft, categories=categories),
            categories=categories,
        )
        return render(request, "rules/edit.html", {"form": form, "version": draft})
    form = RulesSettingsForm(request.POST, categories=categories)
    if form.is_valid():
        try:
            rules_version_update(
                version=draft,
                by=by,
                effective_from=form.cleaned_data["effective_from"],
                origin=Origin.of(request),
                **form.settings(),
            )
        except DomainError as error:
            errors_apply(form, error, fields=RULES_FIELDS)
        else:
            messages.success(request, f"The settings of draft version {draft.number} are saved.")
            return redirect("workspace:administration-rules-version", number=draft.number)
    return render(request, "rules/edit.html", {"form": form, "version": draft})


@page
def draft_preview(request: HttpRequest, number: int) -> HttpResponse:
    """Who would get more or less under the draft, from their current assessment."""
    by = acting_user(request)
    version = _version(number)
    rows = rules_preview(draft=version)
    # The table names people: every opening is in the audit log (as through the API).
    audit_record(
        action="rules.previewed",
        actor=by,
        obj=version,
        origin=Origin.of(request),
        detail={"number": version.number, "budgets": len(rows)},
    )
    worked = [r for r in rows if r.difference_pence is not None]
    return render(
        request,
        "rules/preview.html",
        {
            "version": version,
            "rows": rows,
            "more": sum(1 for r in worked if r.difference_pence and r.difference_pence > 0),
            "less": sum(1 for r in worked if r.difference_pence and r.difference_pence < 0),
            "same": sum(1 for r in worked if r.difference_pence == 0),
            "unknown": len(rows) - len(worked),
        },
    )


@page
@require_http_methods(["GET", "POST"])
def draft_publish(request: HttpRequest, number: int) -> HttpResponse:
    by = acting_user(request)
    draft = _draft(request, number)
    if draft is None:
        return redirect("workspace:administration-rules-version", number=number)
    form = ProblemForm()
    problems: list[str] = []
    if request.method == "POST":
        try:
            rules_version_publish(version=draft, by=by, origin=Origin.of(request))
        except DomainError as error:
            form.refuse(error.detail)
            # What is wrong with the contents, one line each; the date's own message
            # is the summary's (it says which version has that date).
            problems = error.field_errors.get("version", [])
        else:
            messages.success(
                request,
                f"Rules version {draft.number} is published and takes effect on "
                f"{format_date(draft.effective_from)}.",
            )
            return redirect("workspace:administration-rules-version", number=draft.number)
    return render(
        request, "rules/publish.html", {"form": form, "version": draft, "problems": problems}
    )
