"""A council's decisions about the shared registry. These run in the council's own
schema (the request's tenant), so one council's approvals never touch another's."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.errors import DomainError, ValidationFailed
from core.services import SYSTEM, Origin, audit_record
from epurse.db import PUBLIC_SCHEMA, current_schema

from ..models import Provider, Service
from ..services.providers import provider_has_cqc_registration
from ..vocab import REGULATED_CATEGORIES
from .models import Approval, ProviderApproval, RatingAlert, ServiceApproval


def _in_tenant() -> None:
    # Approvals belong to a council; the public schema has no such tables to write.
    if current_schema() == PUBLIC_SCHEMA:
        raise DomainError("Approvals are made by a council, on the council's own site")


def _reason_required(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(
            "Give a reason for the suspension", field_errors={"reason": ["Give a reason"]}
        )
    return reason


def provider_approval_set(
    *, provider: Provider, status: str, by: User, reason: str = "", origin: Origin = SYSTEM
) -> ProviderApproval:
    """Approve a provider for this council's residents, or suspend it here with a reason.
    Only providers the platform has vetted and approved can be approved by a council."""
    _in_tenant()
    if status not in Approval.values:
        raise ValidationFailed("Choose approved or suspended", field_errors={"status": ["Choose"]})
    provider = Provider.objects.get(pk=provider.pk)  # decide on the current status
    if status == Approval.SUSPENDED:
        reason = _reason_required(reason)
    elif provider.status != Provider.Status.APPROVED:
        raise DomainError(
            f"{provider.display_name} has not been approved by the platform yet "
            f"(it is {provider.get_status_display().lower()}), so it cannot be approved here"
        )
    with transaction.atomic():
        approval, _ = ProviderApproval.objects.select_for_update().update_or_create(
            provider=provider,
            defaults={
                "status": status,
                "reason": reason.strip(),
                "decided_by": by,
                "decided_at": timezone.now(),
            },
        )
        audit_record(
            action=f"provider.{'approved' if status == Approval.APPROVED else 'suspended'}_locally",
            actor=by,
            obj=provider,
            origin=origin,
            detail={"reason": approval.reason},
        )
    return approval


def service_approval_set(
    *,
    service: Service,
    status: str,
    by: User,
    agreed_price_pence: int | None = None,
    reason: str = "",
    origin: Origin = SYSTEM,
) -> ServiceApproval:
    """Approve a published service of an approved provider, optionally at a price the
    council agreed with the provider; or suspend it here with a reason."""
    _in_tenant()
    if status not in Approval.values:
        raise ValidationFailed("Choose approved or suspended", field_errors={"status": ["Choose"]})
    if agreed_price_pence is not None and (
        isinstance(agreed_price_pence, bool)
        or not isinstance(agreed_price_pence, int)
        or agreed_price_pence <= 0
    ):
        raise ValidationFailed(
            "The agreed price must be more than £0",
            field_errors={"agreed_price_pence": ["The agreed price must be more than £0"]},
        )
    service = Service.objects.get(pk=service.pk)
    if status == Approval.SUSPENDED:
        reason = _reason_required(reason)
    else:
        if service.status != Service.Status.PUBLISHED:
            raise DomainError(f"{service.name} is not published by its provider")
        if service.category.code in REGULATED_CATEGORIES and not provider_has_cqc_registration(
            provider=service.provider
        ):
            raise DomainError(
                f"{service.name} is care that CQC regulates, and the platform has not "
                "accepted the provider's CQC registration"
            )
        provider_ok = ProviderApproval.objects.filter(
            provider_id=service.provider_id, status=Approval.APPROVED
        ).exists()
        if not provider_ok:
            raise DomainError("Approve the provider before approving its services")
    with transaction.atomic():
        approval, _ = ServiceApproval.objects.select_for_update().update_or_create(
            service=service,
            defaults={
                "status": status,
                "agreed_price_pence": agreed_price_pence,
                "reason": reason.strip(),
                "decided_by": by,
                "decided_at": timezone.now(),
            },
        )
        audit_record(
            action=f"service.{'approved' if status == Approval.APPROVED else 'suspended'}_locally",
            actor=by,
            obj=service,
            origin=origin,
            detail={"reason": approval.reason, "agreed_price_pence": agreed_price_pence},
        )
    return approval


def rating_alert_acknowledge(
    *, alert: RatingAlert, by: User, origin: Origin = SYSTEM
) -> RatingAlert:
    """Record that someone at the council has seen a CQC downgrade. Once is enough:
    acknowledging again keeps the first person and time."""
    _in_tenant()
    with transaction.atomic():
        alert = RatingAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.acknowledged_at is not None:
            return alert
        alert.acknowledged_by = by
        alert.acknowledged_at = timezone.now()
        alert.save(update_fields=["acknowledged_by", "acknowledged_at"])
        audit_record(
            action="catalogue.rating_alert.acknowledged",
            actor=by,
            obj=alert,
            origin=origin,
            detail={"provider": str(alert.provider_id), "current": alert.current},
        )
    return alert
