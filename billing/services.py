"""Writes for licensing: plan versions, licences and their status. Every change is in
the public schema's audit log, in the same transaction as the change."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django_tenants.utils import schema_context

from core.errors import DomainError, ValidationFailed
from core.services import SYSTEM, Origin, audit_record
from epurse.db import PUBLIC_SCHEMA

from .models import Licence, Module, Plan
from .selectors import is_tenant

Status = Licence.Status

# Which status a licence may move to from each status (and any may be cancelled).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.TRIAL: frozenset({Status.ACTIVE, Status.CANCELLED}),
    Status.ACTIVE: frozenset({Status.PAST_DUE, Status.CANCELLED}),
    Status.PAST_DUE: frozenset({Status.ACTIVE, Status.SUSPENDED, Status.CANCELLED}),
    Status.SUSPENDED: frozenset({Status.ACTIVE, Status.CANCELLED}),
    Status.CANCELLED: frozenset(),
}
# GB followed by 9 digits (or 12 for a branch), or GD/HA and 3 digits (government
# departments, health authorities).
VAT_NUMBER = re.compile(r"^GB(\d{9}|\d{12}|GD\d{3}|HA\d{3})$")


def _audit(*, action: str, obj: Any, by: Any, origin: Origin, detail: dict[str, Any]) -> None:
    # Licensing is the platform's business: its log is the public schema's.
    with schema_context(PUBLIC_SCHEMA):
        audit_record(action=action, actor=by, obj=obj, origin=origin, detail=detail)


def _status_label(status: str) -> str:
    return str(Status(status).label).lower()


# --- Plans -------------------------------------------------------------------------


def _tiers_errors(tiers: Any) -> list[str]:
    if not isinstance(tiers, list):
        return ["Give the tiers as a list of {up_to, pence}"]
    previous = 0
    for number, tier in enumerate(tiers, start=1):
        if not isinstance(tier, dict) or set(tier) != {"up_to", "pence"}:
            return [f"Tier {number} needs exactly up_to (a number of holders, or null) and pence"]
        up_to, pence = tier["up_to"], tier["pence"]
        if not isinstance(pence, int) or isinstance(pence, bool) or pence < 0:
            return [f"Tier {number}'s price must be a whole number of pence, 0 or more"]
        if up_to is None:
            if number != len(tiers):
                return [f"Only the last tier can be open-ended; tier {number} is not the last"]
            continue
        if not isinstance(up_to, int) or isinstance(up_to, bool) or up_to <= previous:
            return [f"Tier {number} must go up to more holders than the tier before ({previous})"]
        previous = up_to
    if tiers and tiers[-1]["up_to"] is not None:
        return ["The last tier must be open-ended (up_to null), so every holder has a price"]
    return []


@transaction.atomic
def plan_version_create(
    *,
    code: str,
    name: str = "",
    modules: list[str],
    platform_fee_pence: int = 0,
    holder_tiers: list[dict[str, Any]] | None = None,
    order_fee_pence: int = 0,
    minimum_monthly_pence: int = 0,
    trial_days: int = 0,
    by: Any,
    origin: Origin = SYSTEM,
) -> Plan:
    """A new version of the plan `code` (version 1 if it is new). Licences on earlier
    versions keep them until they are moved (licence_plan_move)."""
    code = code.strip().lower()
    errors: dict[str, list[str]] = {}
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", code):
        errors["code"] = ["Give the plan a code of lower-case letters, digits and hyphens"]
    previous = Plan.objects.select_for_update().filter(code=code).order_by("-version").first()
    name = " ".join(name.split()) or (previous.name if previous else "")
    if not name:
        errors["name"] = ["Give the plan a name, like Complete"]
    unknown = sorted(set(modules) - set(Module.values))
    if unknown:
        errors["modules"] = [
            f"There is no module {', '.join(unknown)}: choose from {', '.join(Module.values)}"
        ]
    elif not modules:
        errors["modules"] = ["A plan needs at least one module"]
    for field, value in (
        ("platform_fee_pence", platform_fee_pence),
        ("order_fee_pence", order_fee_pence),
        ("minimum_monthly_pence", minimum_monthly_pence),
        ("trial_days", trial_days),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[field] = ["Give a whole number, 0 or more"]
    if isinstance(trial_days, int) and trial_days > 365:
        errors["trial_days"] = ["A trial can last at most 365 days"]
    if tier_errors := _tiers_errors(holder_tiers or []):
        errors["holder_tiers"] = tier_errors
    if errors:
        raise ValidationFailed("The plan version was not created.", field_errors=errors)
    version = (Plan.objects.filter(code=code).aggregate(v=Max("version"))["v"] or 0) + 1
    try:
        with transaction.atomic():
            plan = Plan.objects.create(
                code=code,
                version=version,
                name=name,
                modules=[m for m in Module.values if m in modules],
                platform_fee_pence=platform_fee_pence,
                holder_tiers=holder_tiers or [],
                order_fee_pence=order_fee_pence,
                minimum_monthly_pence=minimum_monthly_pence,
                trial_days=trial_days,
            )
    except IntegrityError:
        # Another version of a new code was made at the same moment.
        raise DomainError(
            f"Another version of the plan {code!r} was just made. Check it, then try again."
        ) from None
    _audit(
        action="billing.plan_version_created",
        obj=plan,
        by=by,
        origin=origin,
        detail={"code": code, "version": version, "modules": plan.modules},
    )
    return plan


# --- Licences ----------------------------------------------------------------------


def _licence_fields_errors(
    *,
    starts_on: dt.date,
    ends_on: dt.date | None,
    billing_email: str,
    customer_vat_number: str,
    vat_treatment: str,
    holder_cap: int | None,
    grace_percent: int,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = ["The licence must end on or after the day it starts"]
    if billing_email:
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        try:
            validate_email(billing_email)
        except ValidationError:
            errors["billing_email"] = [
                "Enter the billing contact's email address in the correct format, "
                "like finance@council.gov.uk"
            ]
    if customer_vat_number and not VAT_NUMBER.match(customer_vat_number):
        errors["customer_vat_number"] = [
            "Enter a UK VAT number like GB123456789 (GB and 9 or 12 digits)"
        ]
    if vat_treatment not in Licence.VatTreatment.values:
        errors["vat_treatment"] = [
            f"The VAT treatment must be one of {', '.join(Licence.VatTreatment.values)}"
        ]
    if holder_cap is not None and holder_cap < 1:
        errors["holder_cap"] = ["A cap on budget holders must be at least 1 (or none)"]
    if not 0 <= grace_percent <= 100:
        errors["grace_percent"] = ["The grace margin must be between 0% and 100%"]
    return errors


@transaction.atomic
def licence_create(
    *,
    tenant: Any,
    plan: Plan,
    status: str = Status.TRIAL,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    purchase_order: str = "",
    billing_name: str = "",
    billing_email: str = "",
    billing_address: str = "",
    customer_vat_number: str = "",
    vat_treatment: str = Licence.VatTreatment.STANDARD,
    holder_cap: int | None = None,
    grace_percent: int = 10,
    by: Any = None,
    origin: Origin = SYSTEM,
) -> Licence:
    """The tenant's licence on `plan`: a trial (ending after the plan's trial days) or
    active from the start. One licence a tenant."""
    starts_on = starts_on or timezone.localdate()
    customer_vat_number = customer_vat_number.replace(" ", "").upper()
    billing_email = billing_email.strip()
    errors = _licence_fields_errors(
        starts_on=starts_on,
        ends_on=ends_on,
        billing_email=billing_email,
        customer_vat_number=customer_vat_number,
        vat_treatment=vat_treatment,
        holder_cap=holder_cap,
        grace_percent=grace_percent,
    )
    if not is_tenant(tenant):
        errors["tenant"] = ["Only a council or NHS body has a licence"]
    elif Licence.objects.filter(tenant_id=tenant.pk).exists():
        errors["tenant"] = [f"{tenant.name} already has a licence: move it to another plan"]
    if status not in (Status.TRIAL, Status.ACTIVE):
        errors["status"] = ["A new licence starts as a trial or active"]
    if errors:
        raise ValidationFailed("The licence was not created.", field_errors=errors)
    trial_ends_on = (
        starts_on + dt.timedelta(days=plan.trial_days)
        if status == Status.TRIAL and plan.trial_days
        else None
    )
    licence = Licence.objects.create(
        tenant=tenant,
        plan=plan,
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
        trial_ends_on=trial_ends_on,
        purchase_order=purchase_order.strip(),
        billing_name=" ".join(billing_name.split()),
        billing_email=billing_email,
        billing_address=billing_address.strip(),
        customer_vat_number=customer_vat_number,
        vat_treatment=vat_treatment,
        holder_cap=holder_cap,
        grace_percent=grace_percent,
    )
    _audit(
        action="billing.licence_created",
        obj=licence,
        by=by,
        origin=origin,
        detail={
            "tenant": tenant.schema_name,
            "plan": plan.code,
            "version": plan.version,
            "status": status,
            "trial_ends_on": trial_ends_on.isoformat() if trial_ends_on else None,
        },
    )
    return licence


def _locked(licence: Licence) -> Licence:
    return Licence.objects.select_for_update().select_related("plan", "tenant").get(pk=licence.pk)


@transaction.atomic
def licence_status_set(
    *, licence: Licence, status: str, reason: str, by: Any, origin: Origin = SYSTEM
) -> Licence:
    """Move the licence to `status`: trial → active → past due → suspended, back to
    active when paid, or cancelled from any status. Other moves are refused."""
    reason = " ".join(reason.split())
    if status not in Status.values:
        raise ValidationFailed(
            "The licence's status was not changed.",
            field_errors={"status": [f"There is no status {status!r}"]},
        )
    if not reason:
        raise ValidationFailed(
            "The licence's status was not changed.",
            field_errors={"reason": ["Say why the status is changing"]},
        )
    locked = _locked(licence)
    was = locked.status
    if status not in TRANSITIONS[was]:
        allowed = sorted(TRANSITIONS[was], key=list(Status.values).index)
        then = (
            " or ".join(_status_label(s) for s in allowed)
            if allowed
            else "nothing else: it has ended"
        )
        raise DomainError(
            f"A licence that is {_status_label(was)} cannot become {_status_label(status)}: "
            f"from {_status_label(was)} it can become {then}."
        )
    locked.status = status
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "status_changed_at"])
    _audit(
        action="billing.licence_status_changed",
        obj=locked,
        by=by,
        origin=origin,
        detail={"tenant": locked.tenant.schema_name, "from": was, "to": status, "reason": reason},
    )
    return locked


@transaction.atomic
def licence_plan_move(*, licence: Licence, plan: Plan, by: Any, origin: Origin = SYSTEM) -> Licence:
    """Put the licence on `plan` (another plan, or a newer version of its own)."""
    locked = _locked(licence)
    if locked.status == Status.CANCELLED:
        raise DomainError("This licence is cancelled: make a new one instead of moving it.")
    if locked.plan_id == plan.pk:
        raise DomainError(f"The licence is already on {plan}.")
    was = locked.plan
    locked.plan = plan
    locked.save(update_fields=["plan"])
    _audit(
        action="billing.licence_plan_moved",
        obj=locked,
        by=by,
        origin=origin,
        detail={
            "tenant": locked.tenant.schema_name,
            "from": {"code": was.code, "version": was.version},
            "to": {"code": plan.code, "version": plan.version},
        },
    )
    return locked
