"""Reads of councils' decisions about the shared registry: this council's own
(approvals, alerts, reviews) and, for a provider, every council's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django_tenants.utils import schema_context

from catalogue.models import Provider, Service
from tenants.models import Tenant
from tenants.selectors import tenant_list

from .models import ProviderApproval, RatingAlert, Review, ServiceApproval

# Councils that are live (or trying the service out): their decisions count.
_LIVE = (Tenant.Status.ACTIVE, Tenant.Status.TRIAL)


# --- This council's view of the registry, its alerts and its reviews --------------

UNDECIDED = "undecided"  # a filter value: the council has made no decision yet


def _decision(model: type[ProviderApproval] | type[ServiceApproval], key: str) -> Any:
    return model.objects.filter(**{key: OuterRef("pk")})


def registry_providers(*, status: str | None = None) -> QuerySet[Provider]:
    """Providers the platform approved, annotated with this council's decision:
    `council_status` ("approved", "suspended" or None: undecided), `council_reason`
    and `council_decided_at`. `status` filters by the decision (or UNDECIDED)."""
    decision = _decision(ProviderApproval, "provider")
    qs = Provider.objects.filter(status=Provider.Status.APPROVED).annotate(
        council_status=Subquery(decision.values("status")[:1]),
        council_reason=Subquery(decision.values("reason")[:1]),
        council_decided_at=Subquery(decision.values("decided_at")[:1]),
    )
    if status == UNDECIDED:
        qs = qs.filter(council_status__isnull=True)
    elif status:
        qs = qs.filter(council_status=status)
    return qs.order_by("legal_name", "id")


def registry_services(*, provider_id: Any = None, status: str | None = None) -> QuerySet[Service]:
    """Published services of providers the platform approved, annotated with this
    council's decision (`council_status`, `council_agreed_price_pence`,
    `council_reason`, `council_decided_at`) and `provider_council_status`."""
    decision = _decision(ServiceApproval, "service")
    qs = (
        Service.objects.filter(
            status=Service.Status.PUBLISHED, provider__status=Provider.Status.APPROVED
        )
        .select_related("provider", "category")
        .annotate(
            council_status=Subquery(decision.values("status")[:1]),
            council_agreed_price_pence=Subquery(decision.values("agreed_price_pence")[:1]),
            council_reason=Subquery(decision.values("reason")[:1]),
            council_decided_at=Subquery(decision.values("decided_at")[:1]),
            provider_council_status=Subquery(
                ProviderApproval.objects.filter(provider=OuterRef("provider_id")).values("status")[
                    :1
                ]
            ),
        )
    )
    if provider_id is not None:
        qs = qs.filter(provider_id=provider_id)
    if status == UNDECIDED:
        qs = qs.filter(council_status__isnull=True)
    elif status:
        qs = qs.filter(council_status=status)
    return qs.order_by("provider__legal_name", "name", "id")


def rating_alerts(*, acknowledged: bool | None = None) -> QuerySet[RatingAlert]:
    """CQC downgrades of providers this council approves, newest first."""
    qs = RatingAlert.objects.select_related("provider", "location", "acknowledged_by")
    if acknowledged is not None:
        qs = qs.filter(acknowledged_at__isnull=not acknowledged)
    return qs.order_by("-created_at", "-id")


def service_reviews(*, service: Service) -> QuerySet[Review]:
    """The published reviews of a service in this council, newest first."""
    return Review.objects.filter(service_id=service.pk, status=Review.Status.PUBLISHED).order_by(
        "-created_at", "-id"
    )


def reviews_for_moderation(*, status: str = Review.Status.PENDING) -> QuerySet[Review]:
    """Reviews in one moderation state; the longest waiting first."""
    return (
        Review.objects.filter(status=status)
        .select_related("service__provider", "author", "on_behalf_of", "moderated_by")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class ProviderReview:
    """A published review of one of a provider's services, as the provider sees it:
    no names or other details of the person who wrote it."""

    council: str  # the council's slug: review ids are per council
    council_name: str
    id: int
    service_id: Any
    service_name: str
    rating: int
    comment: str
    created_at: datetime
    provider_reply: str
    replied_at: datetime | None


def provider_reviews(*, provider: Provider) -> list[ProviderReview]:
    """Published reviews of the provider's services in every live council, newest
    first. Read from each council's schema; nothing about residents is copied."""
    found = []
    for tenant in tenant_list().filter(status__in=_LIVE):
        with schema_context(tenant.schema_name):
            rows = Review.objects.filter(
                service__provider_id=provider.pk, status=Review.Status.PUBLISHED
            ).values_list(
                "id",
                "service_id",
                "service__name",
                "rating",
                "comment",
                "created_at",
                "provider_reply",
                "replied_at",
            )
            found += [ProviderReview(tenant.schema_name, tenant.name, *row) for row in rows]
    return sorted(found, key=lambda r: (r.created_at, r.council, r.id), reverse=True)


@dataclass(frozen=True)
class ServiceDecision:
    service_id: Any
    service_name: str
    status: str


@dataclass(frozen=True)
class CouncilDecisions:
    """One council's decisions about a provider and its services. The provider is told
    why a council suspended it (`reason`); who decided stays with the council."""

    council: str
    council_name: str
    status: str  # catalogue.council.models.Approval: "approved" or "suspended"
    reason: str
    services: list[ServiceDecision]


def provider_council_decisions(*, provider: Provider) -> list[CouncilDecisions]:
    """Each live council that decided about `provider`, by council name, with its
    decisions about the provider's services. Councils that have not decided are left
    out. Two queries per council: there are tens, not thousands, and each keeps its
    decisions in its own schema."""
    found = []
    for tenant in tenant_list().filter(status__in=_LIVE):
        with schema_context(tenant.schema_name):
            decision = (
                ProviderApproval.objects.filter(provider_id=provider.pk)
                .values_list("status", "reason")
                .first()
            )
            services = [
                ServiceDecision(*row)
                for row in ServiceApproval.objects.filter(service__provider_id=provider.pk)
                .order_by("service__name", "service_id")
                .values_list("service_id", "service__name", "status")
            ]
        if decision is not None:
            found.append(CouncilDecisions(tenant.schema_name, tenant.name, *decision, services))
    return found


def services_awaiting_decision() -> QuerySet[Service]:
    """Services this council has to look at: published services of providers it
    approves that it has not decided about, or that it approved before their terms
    (category, place, delivery, prices) last changed, so the approval no longer counts."""
    return registry_services().filter(
        Q(council_status__isnull=True)
        | Q(council_status="approved", council_decided_at__lt=F("terms_changed_at")),
        Q(provider_council_status="approved"),
    )
