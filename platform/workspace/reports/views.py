"""The reports' pages: each report as a chart, a table of the same figures and a CSV
file, for a period chosen with a GET form; and the unit costs savings are worked out
from. Views only read the request and render; the figures come from the selectors."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.permissions import TENANT_CONFIGURE, user_has_permission
from catalogue.models import TaxonomyTerm
from catalogue.taxonomy import CARE_TAXONOMY
from core.errors import DomainError
from core.money import format_pence, pounds_decimal
from core.services import Origin
from core.web.access import access_denied
from core.web.forms import errors_apply

from ..pages import section_page, workspace_render
from . import outcomes as figures
from . import selectors
from .charts import Point, bar_chart, column_chart, short_money
from .forms import PeriodForm, UnitCostForm, period_from
from .period import Period
from .services import unit_cost_set

SECTION = "reports"
SPEND_TITLES = {
    "category": "Spending by kind of care",
    "provider": "Spending by provider",
    "month": "Spending by month",
    "area": "Spending by area",
}
REPORTS = [
    ("Spending by kind of care", "reports-spend", "category", "What budgets paid for."),
    ("Spending by provider", "reports-spend", "provider", "Who was paid, most first."),
    ("Spending by month", "reports-spend", "month", "Money paid to providers each month."),
    ("Spending by area", "reports-spend", "area", "By the postcode district people live in."),
    ("Budget holders", "reports-budget-holders", None, "People with a budget, month by month."),
    ("The market", "reports-market", None, "Providers and services, new entrants, CQC ratings."),
    ("Estimated savings", "reports-savings", None, "Against traditional commissioning costs."),
    ("Feedback", "reports-feedback", None, "Published reviews and ratings."),
    ("Outcomes", "reports-outcomes", None, "Deliveries confirmed or disputed, reviews done."),
]


def _csv_wanted(request: HttpRequest) -> bool:
    return request.GET.get("format") == "csv"


def _cell(value: Any) -> Any:
    """A spreadsheet must not run a name as a formula (=, +, -, @ first)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv(
    name: str, period: Period, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """A spreadsheet of the figures: a header row, then one row per line of the report."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{name}-{period.first:%Y-%m}-to-{period.last:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return response


def _report(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    form: PeriodForm,
    period: Period | None,
) -> HttpResponse:
    csv_url = f"{request.path}?{period.query}&format=csv" if period else ""
    return workspace_render(
        request,
        template,
        {"form": form, "period": period, "csv_url": csv_url, **context},
        section=SECTION,
    )


@section_page(SECTION)
def index(request: HttpRequest) -> HttpResponse:
    period = Period.default()
    spent, payments = selectors.spend_total(period=period)
    return workspace_render(
        request,
        "workspace/reports/index.html",
        {
            "reports": REPORTS,
            "period": period,
            "spent_pence": spent,
            "payments": payments,
            "may_configure": user_has_permission(request.user, TENANT_CONFIGURE),
        },
        section=SECTION,
    )


@section_page(SECTION)
def spend(request: HttpRequest, by: str) -> HttpResponse:
    if by not in selectors.DIMENSIONS:
        raise Http404("No such report")
    title = SPEND_TITLES[by]
    form, period = period_from(request.GET)
    context: dict[str, Any] = {"title": title, "by": by}
    if period is not None:
        breakdown = selectors.spend_by(by=by, period=period)
        if _csv_wanted(request):
            return _csv(
                f"spending-by-{by}",
                period,
                [by, "amount_pence", "amount_pounds", "payments"],
                (
                    [r.key if by == "month" else r.label, r.pence, pounds_decimal(r.pence), r.count]
                    for r in breakdown.rows
                ),
            )
        points = [Point(r.label, r.pence, format_pence(r.pence)) for r in breakdown.rows]
        what = f"money paid to providers, {period.words}"
        if by == "month":
            chart = column_chart(
                [
                    Point(f"{m:%b %y}", p.value, p.text)
                    for m, p in zip(period.months, points, strict=True)
                ],
                ident="chart",
                title=title,
                what=what,
                short=short_money,
            )
        else:
            chart = bar_chart(points, ident="chart", title=title, what=what)
        context |= {"breakdown": breakdown, "chart": chart}
    return _report(request, "workspace/reports/spend.html", context, form=form, period=period)


@section_page(SECTION)
def budget_holders(request: HttpRequest) -> HttpResponse:
    form, period = period_from(request.GET)
    context: dict[str, Any] = {}
    if period is not None:
        months = selectors.budget_holders_by_month(period=period)
        if _csv_wanted(request):
            return _csv(
                "budget-holders",
                period,
                ["month", "with_active_budget", "purse_topped_up", "paid_for_care"],
                ([f"{m.month:%Y-%m}", m.with_budget, m.topped_up, m.spending] for m in months),
            )
        chart = column_chart(
            [Point(f"{m.month:%b %y}", m.with_budget, f"{m.with_budget:,}") for m in months],
            ident="chart",
            title="People with an active budget, by month",
            what=f"people with an active budget, {period.words}",
            short=lambda n: f"{n:,}",
        )
        context = {"months": months, "chart": chart}
    return _report(
        request, "workspace/reports/budget_holders.html", context, form=form, period=period
    )


@section_page(SECTION)
def market(request: HttpRequest) -> HttpResponse:
    form, period = period_from(request.GET)
    context: dict[str, Any] = {}
    if period is not None:
        found = figures.market(period=period)
        if _csv_wanted(request):
            rows: list[list[Any]] = [
                ["total", "providers approved", found.providers],
                ["total", "services approved", found.services],
                ["total", "new providers in the period", len(found.entrants)],
            ]
            rows += [["cqc_rating", r.label, r.count] for r in found.ratings]
            rows += [["category", c.label, c.count] for c in found.by_category]
            rows += [
                ["new_provider", e.name, e.approved_at.date().isoformat()] for e in found.entrants
            ]
            return _csv("market", period, ["measure", "name", "value"], rows)
        chart = bar_chart(
            [Point(r.label, r.count, f"{r.count:,}") for r in found.ratings],
            ident="chart",
            title="Approved services by CQC rating",
            what="approved services by the CQC rating of the place they are delivered from",
        )
        context = {"market": found, "chart": chart}
    return _report(request, "workspace/reports/market.html", context, form=form, period=period)


@section_page(SECTION)
def savings(request: HttpRequest) -> HttpResponse:
    form, period = period_from(request.GET)
    context: dict[str, Any] = {"may_configure": user_has_permission(request.user, TENANT_CONFIGURE)}
    if period is not None:
        found = selectors.savings(period=period)
        if _csv_wanted(request):
            return _csv(
                "savings",
                period,
                [
                    "category",
                    "unit",
                    "units_delivered",
                    "spent_pence",
                    "traditional_unit_pence",
                    "traditional_pence",
                    "saved_pence",
                ],
                (
                    [
                        r.category,
                        r.unit,
                        f"{r.units_centi / 100:.2f}",
                        r.spent_pence,
                        "" if r.traditional_unit_pence is None else r.traditional_unit_pence,
                        "" if r.traditional_pence is None else r.traditional_pence,
                        "" if r.saved_pence is None else r.saved_pence,
                    ]
                    for r in found.rows
                ),
            )
        compared = [r for r in found.rows if r.saved_pence is not None]
        chart = bar_chart(
            [
                Point(
                    f"{r.category} ({r.unit})",
                    max(r.saved_pence or 0, 0),
                    format_pence(r.saved_pence or 0),
                )
                for r in compared
            ],
            ident="chart",
            title="Estimated savings by kind of care",
            what=f"estimated savings against traditional commissioning, {period.words}",
        )
        context |= {"savings": found, "chart": chart, "costs": selectors.unit_costs()}
    return _report(request, "workspace/reports/savings.html", context, form=form, period=period)


@section_page(SECTION)
def feedback(request: HttpRequest) -> HttpResponse:
    form, period = period_from(request.GET)
    context: dict[str, Any] = {}
    if period is not None:
        found = figures.feedback(period=period)
        if _csv_wanted(request):
            rows: list[list[Any]] = [["all", found.count, found.average or ""]]
            rows += [[c.label, c.count, c.average or ""] for c in found.by_category]
            rows += [[s.label, s.count, ""] for s in found.by_stars]
            return _csv("feedback", period, ["group", "reviews", "average_rating"], rows)
        chart = bar_chart(
            [Point(s.label, s.count, f"{s.count:,}") for s in found.by_stars],
            ident="chart",
            title="Published reviews by rating",
            what=f"published reviews by number of stars, {period.words}",
        )
        context = {"feedback": found, "chart": chart}
    return _report(request, "workspace/reports/feedback.html", context, form=form, period=period)


@section_page(SECTION)
def outcomes(request: HttpRequest) -> HttpResponse:
    form, period = period_from(request.GET)
    context: dict[str, Any] = {}
    if period is not None:
        found = figures.outcomes(period=period)
        d, r = found.deliveries, found.reviews
        deliveries = [
            ("Confirmed, or taken as confirmed, and paid", d.confirmed),
            ("Disputed, waiting for the council", d.disputed),
            ("Disputed, then settled by the council", d.settled),
            ("Waiting for the person to confirm", d.waiting),
            ("Reported as not delivered", d.not_delivered),
        ]
        reviews = [
            ("Due in the period", r.due),
            ("Completed", r.completed),
            ("Completed on time", r.on_time),
            ("Overdue today", r.overdue),
        ]
        if _csv_wanted(request):
            rows: list[list[Any]] = [["deliveries", "Reported by the provider", d.reported]]
            rows += [["deliveries", label, n] for label, n in deliveries]
            rows += [["care_act_reviews", label, n] for label, n in reviews]
            rows += [["orders_placed", o.label, o.count] for o in found.orders]
            return _csv("outcomes", period, ["measure", "status", "count"], rows)
        chart = bar_chart(
            [Point(label, n, f"{n:,}") for label, n in deliveries],
            ident="chart",
            title="Visits reported delivered, by what happened next",
            what=f"visits reported delivered, {period.words}",
        )
        share = d.confirmed_share
        context = {
            "outcomes": found,
            "deliveries": deliveries,
            "reviews": reviews,
            "share": None if share is None else round(100 * share),
            "chart": chart,
        }
    return _report(request, "workspace/reports/outcomes.html", context, form=form, period=period)


def _categories() -> list[tuple[str, str]]:
    return [
        (str(pk), name)
        for pk, name in TaxonomyTerm.objects.filter(taxonomy__code=CARE_TAXONOMY)
        .order_by("name")
        .values_list("pk", "name")
    ]


@section_page(SECTION)
def unit_costs(request: HttpRequest) -> HttpResponse:
    """Commissioners see the costs; administrators change them."""
    may_configure = user_has_permission(request.user, TENANT_CONFIGURE)
    if request.method == "POST" and not may_configure:
        raise access_denied(request, f"{TENANT_CONFIGURE} needed")
    form = UnitCostForm(request.POST or None, categories=_categories())
    if request.method == "POST" and form.is_valid():
        try:
            cost = unit_cost_set(
                category_id=form.cleaned_data["category"],
                unit=form.cleaned_data["unit"],
                traditional_pence=form.cleaned_data["cost"],
                by=request.user,
                origin=Origin.of(request),
            )
        except DomainError as exc:
            errors_apply(form, exc)
        else:
            messages.success(
                request,
                f"{cost.category.name}: {format_pence(cost.traditional_pence)} "
                f"{cost.get_unit_display()} saved",
            )
            return redirect("workspace:reports-unit-costs")
    return workspace_render(
        request,
        "workspace/reports/unit_costs.html",
        {"form": form, "costs": selectors.unit_costs(), "may_configure": may_configure},
        section=SECTION,
    )


def performance(request: HttpRequest) -> HttpResponse:
    """The published performance data: open to everyone, aggregates only."""
    return render(request, "workspace/reports/performance.html", {"report": figures.performance()})
