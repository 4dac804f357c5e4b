"""Providers: registration, the platform's vetting and the provider's status."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import email_normalise, user_create
from core.errors import DomainError, ValidationFailed
from core.services import SYSTEM, Origin, audit_record

from ..models import Provider, ProviderMember, Service, VettingDocument
from ..uploads import document_store
from ..vocab import REGULATED_CATEGORIES

_COMPANY_NUMBER = re.compile(r"^(?:\d{8}|[A-Z]{2}\d{6})$")
_CHARITY_NUMBER = re.compile(r"^\d{6,8}$")
_CQC_PROVIDER_ID = re.compile(r"^1-\d{6,12}$")

Status = Provider.Status
Kind = VettingDocument.Kind

# Documents every provider shows; CQC registration too when it offers regulated care.
ALWAYS_REQUIRED = (Kind.INSURANCE, Kind.DBS_POLICY, Kind.SAFEGUARDING_POLICY)
# What the platform vetted: changing any of these sends the provider back to review.
IDENTITY_FIELDS = frozenset(
    {"legal_name", "companies_house_number", "charity_number", "cqc_provider_id"}
)
# user_create's field names, as the registration form names them.
_OWNER_FIELDS = {"email": "owner_email", "full_name": "owner_name", "password": "owner_password"}
# Days before expiry on which the provider is reminded, latest last.
REMINDER_DAYS = (30, 7, 0)


@dataclass(frozen=True)
class ChecklistItem:
    kind: str
    label: str
    required: bool
    document: VettingDocument | None
    expired: bool

    @property
    def done(self) -> bool:
        doc = self.document
        return (
            doc is not None and doc.status == VettingDocument.Status.ACCEPTED and not self.expired
        )


def _clean_details(
    *,
    legal_name: str,
    trading_name: str,
    companies_house_number: str,
    charity_number: str,
    cqc_provider_id: str,
    email: str,
    phone: str,
    website: str,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {
        "legal_name": " ".join(legal_name.split()),
        "trading_name": " ".join(trading_name.split()),
        "companies_house_number": companies_house_number.replace(" ", "").upper(),
        "charity_number": charity_number.replace(" ", ""),
        "cqc_provider_id": cqc_provider_id.strip(),
        "email": email_normalise(email),
        "phone": phone.strip(),
        "website": website.strip(),
    }
    if not values["legal_name"]:
        errors["legal_name"] = ["Enter the organisation's legal name"]
    number = values["companies_house_number"]
    if number and not _COMPANY_NUMBER.match(number):
        errors["companies_house_number"] = [
            "Enter a Companies House number of 8 characters, like 01234567 or SC123456"
        ]
    if values["charity_number"] and not _CHARITY_NUMBER.match(values["charity_number"]):
        errors["charity_number"] = ["Enter a charity number of 6 to 8 digits, like 1234567"]
    if values["cqc_provider_id"] and not _CQC_PROVIDER_ID.match(values["cqc_provider_id"]):
        errors["cqc_provider_id"] = ["Enter a CQC provider ID, like 1-101234567"]
    try:
        validate_email(values["email"])
    except ValidationError:
        errors["email"] = ["Enter an email address in the correct format, like name@example.com"]
    if values["website"]:
        try:
            URLValidator(schemes=["http", "https"])(values["website"])
        except ValidationError:
            errors["website"] = ["Enter a website address, like https://www.example.org"]
    return values, errors


def _duplicate_errors(values: dict[str, Any], exclude: Provider | None) -> dict[str, list[str]]:
    others = Provider.objects.all()
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    errors: dict[str, list[str]] = {}
    if others.filter(legal_name__iexact=values["legal_name"]).exists():
        errors["legal_name"] = ["An organisation with this name is already registered"]
    for field, label in (
        ("companies_house_number", "Companies House number"),
        ("charity_number", "charity number"),
        ("cqc_provider_id", "CQC provider ID"),
    ):
        if values[field] and others.filter(**{field: values[field]}).exists():
            errors[field] = [f"An organisation with this {label} is already registered"]
    return errors


def provider_register(
    *,
    legal_name: str,
    email: str,
    owner_email: str,
    owner_name: str,
    owner_password: str,
    trading_name: str = "",
    companies_house_number: str = "",
    charity_number: str = "",
    cqc_provider_id: str = "",
    phone: str = "",
    website: str = "",
    description: str = "",
    origin: Origin = SYSTEM,
) -> tuple[Provider, User]:
    """Register an organisation and its first user (its owner), waiting for vetting."""
    values, errors = _clean_details(
        legal_name=legal_name,
        trading_name=trading_name,
        companies_house_number=companies_house_number,
        charity_number=charity_number,
        cqc_provider_id=cqc_provider_id,
        email=email,
        phone=phone,
        website=website,
    )
    if not errors:
        errors = _duplicate_errors(values, exclude=None)
    try:
        with transaction.atomic():
            # With the organisation's details refused, the person's are still checked
            # (so every error is shown at once) and the rollback removes the user.
            provider = (
                None
                if errors
                else Provider.objects.create(**values, description=description.strip())
            )
            try:
                owner = user_create(
                    email=owner_email,
                    full_name=owner_name,
                    role_codes=["provider_staff"],
                    password=owner_password,
                    origin=origin,
                )
            except ValidationFailed as exc:
                # Name the person's fields apart from the organisation's own email.
                for field, messages in exc.field_errors.items():
                    errors[_OWNER_FIELDS.get(field, field)] = messages
            if errors or provider is None:
                raise ValidationFailed(
                    "The organisation could not be registered.", field_errors=errors
                )
            ProviderMember.objects.create(
                provider=provider, user=owner, role=ProviderMember.Role.OWNER
            )
            audit_record(
                action="provider.registered",
                actor=owner,
                obj=provider,
                origin=origin,
                detail={"legal_name": provider.legal_name},
            )
    except IntegrityError as exc:
        # Two registrations of the same organisation at once: the database kept one.
        raise ValidationFailed(
            "The organisation could not be registered.",
            field_errors={"legal_name": ["An organisation with this name is already registered"]},
        ) from exc
    return provider, owner


def provider_update(
    *, provider: Provider, by: User, origin: Origin = SYSTEM, **changes: str
) -> Provider:
    """Change the organisation's details. Names and numbers are checked as on registering."""
    allowed = {
        "legal_name",
        "trading_name",
        "companies_house_number",
        "charity_number",
        "cqc_provider_id",
        "email",
        "phone",
        "website",
        "description",
    }
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationFailed(f"These details cannot be changed here: {', '.join(unknown)}")
    with transaction.atomic():
        # Read the row as it is now, so a change made meanwhile (an operator's
        # suspension) is never written back over.
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        current = {field: getattr(provider, field) for field in allowed}
        current.update({k: v for k, v in changes.items() if v is not None})
        description = current.pop("description")
        values, errors = _clean_details(**current)
        if not errors:
            errors = _duplicate_errors(values, exclude=provider)
        if errors:
            raise ValidationFailed("The details could not be saved.", field_errors=errors)
        values["description"] = description.strip()
        changed = sorted(f for f, v in values.items() if getattr(provider, f) != v)
        for field in changed:
            setattr(provider, field, values[field])
        update_fields = [*changed, "updated_at"]
        # Who the organisation is was what the platform vetted: checked again.
        revet = provider.status == Status.APPROVED and bool(set(changed) & IDENTITY_FIELDS)
        if revet:
            provider.status = Status.UNDER_REVIEW
            provider.status_reason = (
                "Your organisation's legal details changed, so the platform checks them again."
            )
            provider.status_changed_at = timezone.now()
            provider.status_changed_by = by
            update_fields += ["status", "status_reason", "status_changed_at", "status_changed_by"]
        provider.save(update_fields=update_fields)
        audit_record(
            action="provider.updated",
            actor=by,
            obj=provider,
            origin=origin,
            detail={"fields": changed, "sent_back_to_review": revet},
        )
        if revet:
            transaction.on_commit(partial(_notify_status, provider), robust=True)
    return provider


def provider_has_cqc_registration(*, provider: Provider, today: dt.date | None = None) -> bool:
    """Whether the platform accepted the provider's CQC registration and it is in date."""
    today = today or timezone.localdate()
    newest = provider.documents.filter(kind=Kind.CQC_REGISTRATION).order_by("-uploaded_at").first()
    return (
        newest is not None
        and newest.status == VettingDocument.Status.ACCEPTED
        and (newest.expires_on is None or newest.expires_on >= today)
    )


def provider_is_regulated(*, provider: Provider) -> bool:
    """Whether the provider offers care that CQC regulates (or says it is registered)."""
    return (
        bool(provider.cqc_provider_id)
        or Service.objects.filter(provider=provider, category__code__in=REGULATED_CATEGORIES)
        .exclude(status=Service.Status.WITHDRAWN)
        .exists()
    )


def vetting_checklist(*, provider: Provider, today: dt.date | None = None) -> list[ChecklistItem]:
    """Each kind of document with the newest one uploaded, and whether it is needed."""
    today = today or timezone.localdate()
    regulated = provider_is_regulated(provider=provider)
    newest: dict[str, VettingDocument] = {}
    for uploaded in provider.documents.order_by("kind", "-uploaded_at"):
        newest.setdefault(uploaded.kind, uploaded)
    items = []
    for kind in Kind:
        doc = newest.get(kind.value)
        expired = bool(doc and doc.expires_on and doc.expires_on < today)
        required = kind in ALWAYS_REQUIRED or (kind == Kind.CQC_REGISTRATION and regulated)
        items.append(ChecklistItem(kind.value, kind.label, required, doc, expired))
    return items


def vetting_document_upload(
    *,
    provider: Provider,
    kind: str,
    content: bytes,
    name: str,
    expires_on: dt.date | None,
    by: User,
    origin: Origin = SYSTEM,
) -> VettingDocument:
    if kind not in Kind.values:
        choices = ", ".join(Kind.values)
        raise ValidationFailed(
            f"Choose the kind of document: one of {choices}",
            field_errors={"kind": [f"Choose the kind of document: one of {choices}"]},
        )
    if kind == Kind.INSURANCE and expires_on is None:
        raise ValidationFailed(
            "Enter the date the insurance ends",
            field_errors={"expires_on": ["Enter the date the insurance ends"]},
        )
    if expires_on is not None and expires_on < timezone.localdate():
        raise ValidationFailed(
            "This document has already expired: upload the current one",
            field_errors={"expires_on": ["The expiry date must be today or in the future"]},
        )
    with transaction.atomic():
        upload = document_store(content=content, name=name)
        doc = VettingDocument.objects.create(
            provider=provider, kind=kind, upload=upload, expires_on=expires_on, uploaded_by=by
        )
        audit_record(
            action="provider.document_uploaded",
            actor=by,
            obj=provider,
            origin=origin,
            detail={"kind": kind, "document": str(doc.pk)},
        )
    return doc


def vetting_document_review(
    *, document: VettingDocument, accept: bool, note: str, by: User, origin: Origin = SYSTEM
) -> VettingDocument:
    if not accept and not note.strip():
        raise ValidationFailed(
            "Say why the document is not accepted, so the provider can put it right",
            field_errors={"note": ["Say why the document is not accepted"]},
        )
    with transaction.atomic():
        document = VettingDocument.objects.select_for_update().get(pk=document.pk)
        document.status = (
            VettingDocument.Status.ACCEPTED if accept else VettingDocument.Status.REJECTED
        )
        document.review_note = note.strip()
        document.reviewed_by = by
        document.reviewed_at = timezone.now()
        document.save()
        audit_record(
            action="provider.document_reviewed",
            actor=by,
            obj=document.provider,
            origin=origin,
            detail={"kind": document.kind, "accepted": accept, "document": str(document.pk)},
        )
    return document


# Which status may follow which; the operator's decisions.
_TRANSITIONS: dict[str, set[str]] = {
    Status.APPLIED: {Status.UNDER_REVIEW, Status.REJECTED},
    Status.UNDER_REVIEW: {Status.APPROVED, Status.REJECTED},
    Status.APPROVED: {Status.SUSPENDED},
    Status.SUSPENDED: {Status.APPROVED, Status.REJECTED},
    Status.REJECTED: {Status.UNDER_REVIEW},
}


def provider_status_change(
    *, provider: Provider, status: str, reason: str, by: User, origin: Origin = SYSTEM
) -> Provider:
    """Move a provider through vetting. Approving needs every required document
    accepted and in date; rejecting and suspending need a reason the provider sees."""
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        if status not in _TRANSITIONS.get(provider.status, set()):
            raise DomainError(
                f"A provider that is {provider.get_status_display().lower()} cannot be "
                f"{Status(status).label.lower() if status in Status.values else status}"
            )
        if status in (Status.REJECTED, Status.SUSPENDED) and not reason.strip():
            raise ValidationFailed(
                "Give a reason: the provider will see it",
                field_errors={"reason": ["Give a reason: the provider will see it"]},
            )
        if status == Status.APPROVED:
            missing = [
                item.label
                for item in vetting_checklist(provider=provider)
                if item.required and not item.done
            ]
            if missing:
                raise DomainError(
                    "The provider cannot be approved until these documents are accepted "
                    f"and in date: {', '.join(missing)}"
                )
        previous = provider.status
        provider.status = status
        provider.status_reason = reason.strip()
        provider.status_changed_at = timezone.now()
        provider.status_changed_by = by
        provider.save()
        audit_record(
            action="provider.status_changed",
            actor=by,
            obj=provider,
            origin=origin,
            detail={"from": previous, "to": status, "reason": provider.status_reason},
        )
        transaction.on_commit(partial(_notify_status, provider), robust=True)
    return provider


def _notify_status(provider: Provider) -> None:
    text = (
        f"The status of {provider.display_name} on ePurse is now: {provider.get_status_display()}."
    )
    if provider.status_reason:
        text += f"\n\nReason: {provider.status_reason}"
    send_mail(
        subject=f"{provider.display_name}: {provider.get_status_display()}",
        message=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[provider.email],
    )


def vetting_expiry_reminders_send(*, today: dt.date | None = None) -> int:
    """Email providers whose accepted documents expire in 30 days, 7 days or today.
    Each reminder is sent once; returns how many were sent."""
    today = today or timezone.localdate()
    sent = 0
    horizon = today + dt.timedelta(days=max(REMINDER_DAYS))
    candidates = VettingDocument.objects.filter(
        status=VettingDocument.Status.ACCEPTED,
        expires_on__isnull=False,
        expires_on__gte=today,
        expires_on__lte=horizon,
    ).select_related("provider")
    for doc in candidates:
        days_left = (doc.expires_on - today).days if doc.expires_on else 0
        due = min(d for d in REMINDER_DAYS if d >= days_left)
        with transaction.atomic():
            locked = VettingDocument.objects.select_for_update().get(pk=doc.pk)
            if locked.reminded_days_before is not None and locked.reminded_days_before <= due:
                continue
            locked.reminded_days_before = due
            locked.save(update_fields=["reminded_days_before"])
            transaction.on_commit(partial(_send_expiry_reminder, doc, days_left), robust=True)
            sent += 1
    return sent


def _send_expiry_reminder(doc: VettingDocument, days_left: int) -> None:
    provider = doc.provider
    label = doc.get_kind_display().lower()
    when = "today" if days_left == 0 else f"in {days_left} days, on {doc.expires_on:%-d %B %Y}"
    send_mail(
        subject=f"{provider.display_name}: your {label} expires {when.split(',')[0]}",
        message=(
            f"Your {label} on ePurse expires {when}. Upload the new one so councils can "
            "keep buying your services."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[provider.email],
    )
