"""Finance pages: top-up runs, payments to providers, reconciliation, surplus notices
and the journal export. Thin: the purse's services and selectors do the work."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from catalogue.models import Provider
from core.errors import DomainError
from core.money import format_pence
from core.services import Origin, audit_record
from core.web.forms import errors_apply
from purse.caseload.selectors import plural
from purse.ledger.export import journal_csv
from purse.payouts.models import PaymentFile, PayoutBatch, ReconciliationException
from purse.payouts.selectors import batches_listed, exceptions_listed, remittance_for
from purse.payouts.services import exception_resolve, payment_file_paid
from purse.surplus.models import SurplusNotice
from purse.surplus.selectors import (
    NoticeNotFound,
    surplus_notice_for_viewer,
    surplus_notices_listed,
)
from purse.surplus.services import surplus_reconsideration_decide, surplus_recovery_reverse
from purse.topups.models import TopupRun
from purse.topups.selectors import topup_run_lines, topup_run_waiting, topup_runs_listed
from purse.topups.services import topup_run_approve, topup_run_preview, topups_need_approval

from ..pages import section_page, workspace_render
from .forms import DecisionForm, PeriodForm, ResolveForm, ReverseForm

SECTION = "finance"
finance_page = section_page(SECTION)
LINES_SHOWN = 100


def _render(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return workspace_render(
        request, f"workspace/finance/{template}", context, section=SECTION, status=status
    )


def _user(request: HttpRequest) -> User:
    # Every finance page is for signed-in staff (finance_page), never anonymous.
    return cast(User, request.user)


def _by_public_id(queryset, public_id: uuid.UUID):  # type: ignore[no-untyped-def]
    found = queryset.filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


def _provider_names(ids: set) -> dict:
    return {p.pk: p.display_name for p in Provider.objects.filter(pk__in=ids)}


def _with_names(batches: Iterable[PayoutBatch]) -> list[tuple[PayoutBatch, str]]:
    """Each batch with its provider's name (providers live in the shared registry)."""
    batches = list(batches)
    names = _provider_names({b.provider_id for b in batches})
    return [(b, names.get(b.provider_id, "")) for b in batches]


@finance_page
def index(request: HttpRequest) -> HttpResponse:
    batches = batches_listed()
    return _render(
        request,
        "index.html",
        {
            "waiting": topup_run_waiting(),
            "need_approval": topups_need_approval(on=timezone.localdate()),
            "pending": batches.filter(status=PayoutBatch.Status.PENDING).count(),
            "sent": batches.filter(status=PayoutBatch.Status.SENT).count(),
            "returned": batches.filter(status=PayoutBatch.Status.RETURNED).count(),
            "exceptions": exceptions_listed(open_only=True).count(),
            "reconsiderations": surplus_notices_listed(
                status=SurplusNotice.Status.RECONSIDERATION_REQUESTED
            ).count(),
            "files_ready": PaymentFile.objects.filter(status=PaymentFile.Status.READY).count(),
        },
    )


# --- Top-up runs --------------------------------------------------------------------


@finance_page
def topups(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            run = topup_run_preview(
                on=timezone.localdate(), by=_user(request), origin=Origin.of(request)
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("workspace:finance-topups")
        return redirect("workspace:finance-topup-run", run_id=run.public_id)
    page = Paginator(topup_runs_listed(), 25).get_page(request.GET.get("page"))
    return _render(
        request,
        "topups.html",
        {
            "page": page,
            "waiting": topup_run_waiting(),
            "today": timezone.localdate(),
            "need_approval": topups_need_approval(on=timezone.localdate()),
        },
    )


@finance_page
def topup_run(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    run = _by_public_id(topup_runs_listed(), run_id)
    context: dict = {"run": run}
    if run.status == TopupRun.Status.PREVIEWED:
        context |= _lines(request, run)
    return _render(request, "topup_run.html", context)


def _lines(request: HttpRequest, run: TopupRun) -> dict[str, Any]:
    """The people a waiting run pays, for the page; reading their names is audited."""
    lines, total_lines = topup_run_lines(run=run, limit=LINES_SHOWN)
    audit_record(
        action="topup_run.lines_viewed",
        actor=request.user,
        obj=run,
        origin=Origin.of(request),
        detail={"people": len(lines)},
    )
    return {"lines": lines, "total_lines": total_lines}


@finance_page
@require_POST
def topup_run_approve_page(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    run = _by_public_id(topup_runs_listed(), run_id)
    already = run.status == TopupRun.Status.PAID
    try:
        run = topup_run_approve(run=run, by=_user(request), origin=Origin.of(request))
    except DomainError as exc:
        context = {"run": run, "problem": exc.detail}
        if run.status == TopupRun.Status.PREVIEWED:
            context |= _lines(request, run)
        return _render(request, "topup_run.html", context, status=exc.status)
    if already:
        messages.info(request, "This run was already approved and paid: nothing more was paid.")
    else:
        messages.success(
            request,
            f"Approved: {run.paid_count:,} top-ups paid, "
            f"{format_pence(run.paid_total_pence)} in all.",
        )
    return redirect("workspace:finance-topup-run", run_id=run.public_id)


# --- Payments to providers ----------------------------------------------------------


@finance_page
def payouts(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status and status not in PayoutBatch.Status.values:
        status = ""
    page = Paginator(batches_listed(status=status), 50).get_page(request.GET.get("page"))
    return _render(
        request,
        "payouts.html",
        {
            "page": page,
            "status": status,
            "statuses": PayoutBatch.Status.choices,
            "rows": _with_names(page),
            "files": PaymentFile.objects.all()[:10],
        },
    )


@finance_page
def payout(request: HttpRequest, batch_id: uuid.UUID) -> HttpResponse:
    batch = _by_public_id(batches_listed(), batch_id)
    return _render(
        request,
        "payout.html",
        {
            "batch": batch,
            "provider": _provider_names({batch.provider_id}).get(batch.provider_id, ""),
            "lines": remittance_for(batch=batch),
        },
    )


@finance_page
def payment_file(request: HttpRequest, file_id: uuid.UUID) -> HttpResponse:
    found = _by_public_id(PaymentFile.objects.all(), file_id)
    response = HttpResponse(found.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{found.reference}.csv"'
    return response


@finance_page
@require_POST
def payment_file_paid_page(request: HttpRequest, file_id: uuid.UUID) -> HttpResponse:
    found = _by_public_id(PaymentFile.objects.all(), file_id)
    already = found.status == PaymentFile.Status.PAID
    settled = payment_file_paid(payment_file=found, by=_user(request), origin=Origin.of(request))
    if already:
        messages.info(request, f"{found.reference} was already marked as paid: nothing changed.")
    else:
        messages.success(
            request, f"{found.reference} is marked as paid: {plural(settled, 'payment')} settled."
        )
    return redirect("workspace:finance-payouts")


# --- Reconciliation -----------------------------------------------------------------


@finance_page
def exceptions(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("show") == "all"
    page = Paginator(exceptions_listed(open_only=not show_all), 50).get_page(
        request.GET.get("page")
    )
    return _render(request, "exceptions.html", {"page": page, "show_all": show_all})


@finance_page
def exception_resolve_page(request: HttpRequest, exception_id: uuid.UUID) -> HttpResponse:
    exception = _by_public_id(ReconciliationException.objects.all(), exception_id)
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            exception_resolve(
                exception=exception,
                resolution=form.cleaned_data["resolution"],
                by=request.user,
                origin=Origin.of(request),
            )
        except DomainError as exc:
            errors_apply(form, exc)
        else:
            messages.success(request, "The exception is marked as resolved.")
            return redirect("workspace:finance-exceptions")
    return _render(request, "exception_resolve.html", {"exception": exception, "form": form})


# --- Surplus notices ----------------------------------------------------------------


@finance_page
def surplus(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in SurplusNotice.Status.values:
        status = ""
    page = Paginator(surplus_notices_listed(status=status or None), 50).get_page(
        request.GET.get("page")
    )
    return _render(
        request,
        "surplus.html",
        {"page": page, "status": status, "statuses": SurplusNotice.Status.choices},
    )


@finance_page
def surplus_notice(request: HttpRequest, notice_id: uuid.UUID) -> HttpResponse:
    try:
        notice = surplus_notice_for_viewer(
            public_id=notice_id, viewer=request.user, origin=Origin.of(request)
        )
    except NoticeNotFound:
        raise Http404 from None
    # What can be done depends on the notice: decide a reconsideration, or give back
    # money that was taken.
    form: DecisionForm | ReverseForm | None = None
    if notice.status == SurplusNotice.Status.RECONSIDERATION_REQUESTED:
        form = DecisionForm(request.POST or None)
    elif notice.status == SurplusNotice.Status.RECOVERED:
        form = ReverseForm(request.POST or None)
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                if isinstance(form, DecisionForm):
                    surplus_reconsideration_decide(
                        notice=notice,
                        withdraw=form.cleaned_data["withdraw"],
                        reason=form.cleaned_data["reason"],
                        by=request.user,
                        origin=Origin.of(request),
                    )
                    done = f"Your decision on the notice to {notice.person} is recorded."
                else:
                    surplus_recovery_reverse(
                        notice=notice,
                        reason=form.cleaned_data["reason"],
                        by=request.user,
                        origin=Origin.of(request),
                    )
                    done = f"The money taken back is returned to {notice.person}'s purse."
            except DomainError as exc:
                errors_apply(form, exc)
            else:
                messages.success(request, done)
                return redirect("workspace:finance-surplus-notice", notice_id=notice.public_id)
    return _render(
        request,
        "surplus_notice.html",
        {"notice": notice, "form": form, "deciding": isinstance(form, DecisionForm)},
    )


# --- Export -------------------------------------------------------------------------


@finance_page
def export(request: HttpRequest) -> HttpResponseBase:
    if "first_day" not in request.GET:
        form = PeriodForm(initial=PeriodForm.last_month_initial(timezone.localdate()))
        return _render(request, "export.html", {"form": form})
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return _render(request, "export.html", {"form": form})
    first, last = form.cleaned_data["first"], form.cleaned_data["last"]
    # Every purse's lines are in it: who took it, and for which days, is recorded.
    audit_record(
        action="ledger.journal_exported",
        actor=request.user,
        origin=Origin.of(request),
        detail={"first": first.isoformat(), "last": last.isoformat()},
    )
    response = StreamingHttpResponse(
        journal_csv(first=first, last=last), content_type="text/csv; charset=utf-8"
    )
    name = f"journal-{first.isoformat()}-to-{last.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
