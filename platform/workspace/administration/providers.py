"""Providers in the council's area: the vetting queue (providers the platform has
approved, waiting for this council's decision, with the platform's document checks),
a provider's page with its services, approving or suspending a provider or a service
(with a price agreed with the provider), CQC rating alerts, and review moderation.

Vetting documents are listed here with their status, but not offered for download:
the platform shows their contents only to its operators and the provider itself."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import CATALOGUE_APPROVE, REVIEWS_MODERATE
from catalogue.council import reviews
from catalogue.council.models import Approval, ProviderApproval, RatingAlert, Review
from catalogue.council.selectors import (
    UNDECIDED,
    rating_alerts,
    registry_providers,
    registry_services,
    reviews_for_moderation,
    services_awaiting_decision,
)
from catalogue.council.services import (
    provider_approval_set,
    rating_alert_acknowledge,
    service_approval_set,
)
from catalogue.models import Provider, Service, VettingDocument
from catalogue.services.providers import vetting_checklist
from catalogue.web.selectors import provider_documents
from core.errors import DomainError
from core.services import Origin
from core.web.forms import errors_apply

from .forms import (
    SERVICE_DECISION_FIELDS,
    DecisionForm,
    ModerationForm,
    ServiceDecisionForm,
    pounds_initial,
)
from .support import acting_user, page, posted, render

FILTERS = [
    (UNDECIDED, "Waiting for your decision"),
    (Approval.APPROVED, "Approved here"),
    (Approval.SUSPENDED, "Suspended here"),
    ("all", "All"),
]


def _with_document_counts(providers: QuerySet[Provider]) -> QuerySet[Provider]:
    return providers.annotate(
        documents_accepted=Count(
            "documents", filter=Q(documents__status=VettingDocument.Status.ACCEPTED)
        ),
        documents_total=Count("documents"),
    )


def _provider(provider_id: Any) -> Provider:
    """A provider the platform approved (annotated with this council's decision)."""
    provider = registry_providers().filter(pk=provider_id).first()
    if provider is None:
        raise Http404
    return provider


def _service(service_id: Any) -> Service:
    service = registry_services().filter(pk=service_id).first()
    if service is None:
        raise Http404
    return service


def _looked_again(services: list[Service]) -> list[Service]:
    # An approval made before the service's terms last changed no longer counts.
    for service in services:
        decided = service.council_decided_at  # type: ignore[attr-defined]
        service.terms_changed_since = bool(  # type: ignore[attr-defined]
            decided and service.terms_changed_at and decided < service.terms_changed_at
        )
    return services


@page
def provider_queue(request: HttpRequest) -> HttpResponse:
    acting_user(request)
    shown = request.GET.get("status", UNDECIDED)
    if shown not in dict(FILTERS):
        shown = UNDECIDED
    providers = _with_document_counts(registry_providers(status=None if shown == "all" else shown))
    return render(
        request,
        "providers/queue.html",
        {
            "providers": list(providers),
            "filters": FILTERS,
            "shown": shown,
            "shown_label": dict(FILTERS)[shown],
            "services_waiting": services_awaiting_decision().count(),
        },
    )


@page
def services_waiting(request: HttpRequest) -> HttpResponse:
    acting_user(request)
    return render(
        request,
        "providers/services_waiting.html",
        {"services": _looked_again(list(services_awaiting_decision()))},
    )


@page
def provider_detail(request: HttpRequest, provider_id: Any) -> HttpResponse:
    acting_user(request)
    provider = _provider(provider_id)
    decision = (
        ProviderApproval.objects.filter(provider=provider).select_related("decided_by").first()
    )
    return render(
        request,
        "providers/provider.html",
        {
            "provider": provider,
            "decision": decision,
            "checklist": vetting_checklist(provider=provider),
            "documents": provider_documents(provider=provider),
            "services": _looked_again(list(registry_services(provider_id=provider.pk))),
            "locations": list(provider.locations.select_related("cqc").order_by("name")),
        },
    )


@page
@require_http_methods(["GET", "POST"])
def provider_decide(request: HttpRequest, provider_id: Any) -> HttpResponse:
    by = acting_user(request, needs=CATALOGUE_APPROVE)
    provider = _provider(provider_id)
    current = provider.council_status  # type: ignore[attr-defined]
    form = DecisionForm(
        posted(request),
        initial={"status": current, "reason": provider.council_reason or ""},  # type: ignore[attr-defined]
    )
    if request.method == "POST" and form.is_valid():
        try:
            provider_approval_set(
                provider=provider,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                by=by,
                origin=Origin.of(request),
            )
        except DomainError as error:
            errors_apply(form, error)
        else:
            done = "approved" if form.cleaned_data["status"] == Approval.APPROVED else "suspended"
            messages.success(request, f"{provider.display_name} is {done} here.")
            return redirect("workspace:administration-provider", provider_id=provider.pk)
    return render(request, "providers/decide.html", {"form": form, "provider": provider})


@page
@require_http_methods(["GET", "POST"])
def service_decide(request: HttpRequest, service_id: Any) -> HttpResponse:
    by = acting_user(request, needs=CATALOGUE_APPROVE)
    service = _service(service_id)
    agreed = service.council_agreed_price_pence  # type: ignore[attr-defined]
    form = ServiceDecisionForm(
        posted(request),
        initial={
            "status": service.council_status,  # type: ignore[attr-defined]
            "reason": service.council_reason or "",  # type: ignore[attr-defined]
            "agreed_price": pounds_initial(agreed),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            service_approval_set(
                service=service,
                status=form.cleaned_data["status"],
                agreed_price_pence=form.cleaned_data["agreed_price"],
                reason=form.cleaned_data["reason"],
                by=by,
                origin=Origin.of(request),
            )
        except DomainError as error:
            errors_apply(form, error, fields=SERVICE_DECISION_FIELDS)
        else:
            done = "approved" if form.cleaned_data["status"] == Approval.APPROVED else "suspended"
            messages.success(request, f"{service.name} is {done} here.")
            return redirect("workspace:administration-provider", provider_id=service.provider_id)
    return render(
        request,
        "providers/service_decide.html",
        {"form": form, "service": service, "prices": list(service.prices.all())},
    )


@page
def alert_list(request: HttpRequest) -> HttpResponse:
    acting_user(request)
    return render(
        request,
        "providers/alerts.html",
        {
            "waiting": list(rating_alerts(acknowledged=False)),
            "seen": list(rating_alerts(acknowledged=True)[:50]),
        },
    )


@page
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    by = acting_user(request, needs=CATALOGUE_APPROVE)
    alert = RatingAlert.objects.select_related("provider").filter(pk=alert_id).first()
    if alert is None:
        raise Http404
    rating_alert_acknowledge(alert=alert, by=by, origin=Origin.of(request))
    messages.success(request, f"The alert about {alert.provider.display_name} is marked as seen.")
    return redirect("workspace:administration-alerts")


@page
def review_list(request: HttpRequest) -> HttpResponse:
    acting_user(request, needs=REVIEWS_MODERATE)
    return render(request, "providers/reviews.html", {"reviews": list(reviews_for_moderation())})


@page
@require_http_methods(["GET", "POST"])
def review_moderate(request: HttpRequest, review_id: int) -> HttpResponse:
    by = acting_user(request, needs=REVIEWS_MODERATE)
    review = (
        Review.objects.select_related("service__provider", "author", "on_behalf_of")
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        raise Http404
    form = ModerationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        publish = form.cleaned_data["publish"] == "yes"
        try:
            reviews.review_moderate(
                review=review,
                publish=publish,
                reason=form.cleaned_data["reason"],
                by=by,
                origin=Origin.of(request),
            )
        except DomainError as error:
            errors_apply(form, error)
        else:
            messages.success(
                request,
                f"The review of {review.service.name} is "
                + ("published." if publish else "kept unpublished."),
            )
            return redirect("workspace:administration-reviews")
    return render(request, "providers/moderate.html", {"form": form, "review": review})
