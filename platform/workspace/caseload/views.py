"""Care managers' pages: the caseload with what needs attention, a person's page with
their budget, reviews, plans, orders and case notes, and plans waiting for a second
approver. The purse's selectors and services do the work."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.services import Origin, audit_record
from core.web.forms import errors_apply
from purse.caseload.selectors import (
    case_notes,
    caseload,
    caseload_counts,
    caseload_matching,
    person_alerts,
)
from purse.caseload.services import case_note_add
from purse.models import Person, Review, SupportPlan
from purse.portal.summary import purse_summary
from purse.selectors import (
    PersonNotFound,
    budget_active,
    person_for_viewer,
    person_orders,
    plans_listed,
)
from purse.services.plans import plan_approve

from ..pages import section_page, workspace_render
from .forms import CaseloadFilter, NoteForm

SECTION = "caseload"
caseload_page = section_page(SECTION)


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return workspace_render(
        request, f"workspace/caseload/{template}", context, section=SECTION, status=status
    )


def _person(request: HttpRequest, person_id: uuid.UUID, reading: str) -> Person:
    try:
        return person_for_viewer(
            public_id=person_id, viewer=request.user, origin=Origin.of(request), reading=reading
        )
    except PersonNotFound:
        raise Http404 from None


@caseload_page
def index(request: HttpRequest) -> HttpResponse:
    form = CaseloadFilter(request.GET or None)
    rows = caseload(viewer=request.user)
    counts = caseload_counts(rows)
    # The list names everyone with their money and alerts: a read of many records.
    audit_record(
        action="caseload.viewed",
        actor=request.user,
        origin=Origin.of(request),
        detail={"people": len(rows)},
    )
    shown = rows
    kept = request.GET.copy()
    kept.pop("page", None)
    query = kept.urlencode() + "&" if kept else ""
    if form.is_valid():
        shown = caseload_matching(rows, name=form.cleaned_data["q"], show=form.cleaned_data["show"])
    page = Paginator(shown, 50).get_page(request.GET.get("page"))
    return _render(
        request,
        "index.html",
        {
            "form": form,
            "page": page,
            "counts": counts,
            "attention": counts["attention"],
            "total": len(rows),
            "query": query,
        },
    )


@caseload_page
def person(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    someone = _person(request, person_id, "caseload")
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case_note_add(
                person=someone,
                text=form.cleaned_data["text"],
                by=request.user,
                origin=Origin.of(request),
            )
        except DomainError as exc:
            errors_apply(form, exc)
        else:
            messages.success(request, "Your case note is saved.")
            return redirect("workspace:caseload-person", person_id=someone.public_id)
    today = timezone.localdate()
    alerts = person_alerts(person=someone)
    return _render(
        request,
        "person.html",
        {
            "person": someone,
            "alerts": alerts,
            "budget": budget_active(person=someone),
            "summary": purse_summary(person=someone),
            "reviews": Review.objects.filter(person=someone, completed_on__isnull=True),
            "plans": someone.plans.order_by("-created_at")[:5],
            "assessments": someone.assessments.all()[:5],
            "orders": person_orders(person=someone)[:5],
            "notes": case_notes(person=someone),
            "form": form,
            "today": today,
        },
        status=400 if form.errors else 200,
    )


@caseload_page
def plans(request: HttpRequest) -> HttpResponse:
    waiting = plans_listed(status=SupportPlan.Status.AWAITING_SECOND_APPROVAL)
    return _render(request, "plans.html", {"plans": waiting})


@caseload_page
@require_POST
def plan_approve_page(request: HttpRequest, plan_id: uuid.UUID) -> HttpResponse:
    plan = plans_listed().filter(public_id=plan_id).first()
    if plan is None:
        raise Http404
    try:
        plan_approve(plan=plan, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        plan.refresh_from_db()
        if plan.status == SupportPlan.Status.APPROVED:
            messages.success(request, f"The plan for {plan.person} is approved.")
        else:
            messages.success(
                request,
                f"You approved the plan for {plan.person}. Its budget is well above the "
                "indicative budget, so a second care manager must approve it too.",
            )
    return redirect("workspace:caseload-plan", plan_id=plan.public_id)
