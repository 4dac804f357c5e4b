"""Changing a council's branding, help and accessibility statement (council admins)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.permissions import TENANT_CONFIGURE, user_has_permission
from catalogue.uploads import image_check
from core.errors import DomainError, ValidationFailed
from core.services import SYSTEM, Origin, audit_record

from .colour import MIN_TEXT_CONTRAST, WHITE, colour_normalise, contrast_ratio
from .models import Branding

MAX_RESPONSE_DAYS = 60


def _allowed(by: Any) -> None:
    if not user_has_permission(by, TENANT_CONFIGURE):
        raise DomainError("Only a council administrator can change how the service looks.")


def header_colour_check(text: str) -> str:
    """The colour as '#rrggbb', or ValidationFailed saying why it cannot be used: the
    header's text is white, and must stand out from it by at least 4.5 to 1."""
    colour = colour_normalise(text)
    if colour is None:
        raise ValidationFailed(
            "The header colour was not changed.",
            field_errors={"header_colour": ["Enter the colour as a hex code, like #1d70b8"]},
        )
    ratio = contrast_ratio(colour, WHITE)
    if ratio < MIN_TEXT_CONTRAST:
        # Rounded down, so a colour just short of the bar never reads as meeting it.
        shown = math.floor(ratio * 100) / 100
        raise ValidationFailed(
            "The header colour was not changed.",
            field_errors={
                "header_colour": [
                    f"White text on {colour} has a contrast ratio of {shown:.2f} to 1, and "
                    f"needs at least {MIN_TEXT_CONTRAST:g} to 1 to be easy to read. Choose "
                    "a darker colour"
                ]
            },
        )
    return colour


def _email(value: str, field: str, errors: dict[str, list[str]]) -> str:
    value = value.strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            errors[field] = ["Enter an email address in the right format, like help@council.gov.uk"]
    return value


def branding_update(
    *,
    by: Any,
    service_name: str,
    header_colour: str,
    logo_alt: str,
    contact_phone: str,
    contact_email: str,
    contact_address: str,
    contact_hours: str,
    help_text: str,
    logo_content: bytes | None = None,
    logo_name: str = "",
    remove_logo: bool = False,
    origin: Origin = SYSTEM,
) -> Branding:
    """Change the service's name, header colour, logo and contact details and help.
    Everything is checked first; nothing changes unless all of it is right."""
    _allowed(by)
    errors: dict[str, list[str]] = {}
    try:
        colour = header_colour_check(header_colour)
    except ValidationFailed as error:
        errors.update(error.field_errors)
        colour = ""
    email = _email(contact_email, "contact_email", errors)
    with transaction.atomic():
        branding = Branding.objects.select_for_update().get(pk=1)
        will_have_logo = logo_content is not None or (branding.has_logo and not remove_logo)
        if will_have_logo and not logo_alt.strip():
            errors["logo_alt"] = [
                "Describe the logo for people who cannot see it, like “Kingsmere Borough "
                "Council logo”"
            ]
        logo_type = ""
        if logo_content is not None:
            try:
                logo_type = image_check(content=logo_content, field="logo").content_type
            except ValidationFailed as error:
                errors.update(error.field_errors)
        if errors:
            raise ValidationFailed("The changes were not saved.", field_errors=errors)
        before = {
            "service_name": branding.service_name,
            "header_colour": branding.header_colour,
            "logo": branding.logo_sha256,
        }
        branding.service_name = service_name.strip()
        branding.header_colour = colour
        if logo_content is not None:
            branding.logo = logo_content
            branding.logo_type = logo_type
            branding.logo_sha256 = hashlib.sha256(logo_content).hexdigest()
        elif remove_logo:
            branding.logo, branding.logo_type, branding.logo_sha256 = b"", "", ""
        branding.logo_alt = logo_alt.strip() if branding.has_logo else ""
        branding.contact_phone = contact_phone.strip()
        branding.contact_email = email
        branding.contact_address = contact_address.strip()
        branding.contact_hours = contact_hours.strip()
        branding.help_text = help_text.strip()
        branding.version = F("version") + 1
        branding.save()
        branding.refresh_from_db()
        audit_record(
            action="branding.updated",
            actor=by,
            obj=branding,
            origin=origin,
            detail={
                "before": before,
                "after": {
                    "service_name": branding.service_name,
                    "header_colour": branding.header_colour,
                    "logo": branding.logo_sha256,
                },
            },
        )
    return branding


def statement_update(
    *,
    by: Any,
    compliance: str,
    problems: str,
    burden: str,
    plans: str,
    contact_email: str,
    contact_phone: str,
    response_days: int,
    tested_on: dt.date | None,
    tested_by: str,
    prepared_on: dt.date | None,
    reviewed_on: dt.date | None,
    origin: Origin = SYSTEM,
) -> Branding:
    """Record the answers the accessibility statement is written from."""
    _allowed(by)
    errors: dict[str, list[str]] = {}
    if compliance not in Branding.Compliance.values:
        errors["compliance"] = ["Choose how far the service meets the standard"]
    if compliance != Branding.Compliance.FULL and not problems.strip():
        errors["problems"] = [
            "List what is not accessible yet: a service that is not fully compliant must say"
        ]
    email = _email(contact_email, "contact_email", errors)
    current = Branding.objects.get(pk=1)
    if not (email or contact_phone.strip() or current.contact_email or current.contact_phone):
        errors["contact_email"] = [
            "Give an email address or a phone number for people to report accessibility problems"
        ]
    if not 1 <= response_days <= MAX_RESPONSE_DAYS:
        errors["response_days"] = [f"Enter a number of working days from 1 to {MAX_RESPONSE_DAYS}"]
    today = timezone.localdate()
    for field, value in (
        ("tested_on", tested_on),
        ("prepared_on", prepared_on),
        ("reviewed_on", reviewed_on),
    ):
        if value is not None and value > today:
            errors[field] = ["The date must be today or in the past"]
    if prepared_on is None:
        errors["prepared_on"] = ["Enter the date the statement was first prepared"]
    elif reviewed_on is not None and reviewed_on < prepared_on:
        errors["reviewed_on"] = ["The review date must be on or after the date it was prepared"]
    if errors:
        raise ValidationFailed("The statement was not saved.", field_errors=errors)
    with transaction.atomic():
        branding = Branding.objects.select_for_update().get(pk=1)
        branding.statement_compliance = compliance
        branding.statement_problems = problems.strip()
        branding.statement_burden = burden.strip()
        branding.statement_plans = plans.strip()
        branding.statement_contact_email = email
        branding.statement_contact_phone = contact_phone.strip()
        branding.statement_response_days = response_days
        branding.statement_tested_on = tested_on
        branding.statement_tested_by = tested_by.strip()
        branding.statement_prepared_on = prepared_on
        branding.statement_reviewed_on = reviewed_on
        branding.save()
        audit_record(
            action="branding.statement_updated",
            actor=by,
            obj=branding,
            origin=origin,
            detail={"compliance": compliance},
        )
    return branding
