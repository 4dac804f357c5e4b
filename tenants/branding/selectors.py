"""Reads of a council's branding, for every page of its host."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Branding


def service_name_for(*, branding: Branding, organisation: str) -> str:
    """What the service is called: the council's choice, or "<organisation> ePurse"."""
    return branding.service_name or f"{organisation} ePurse"


def branding_get() -> Branding:
    """This council's branding, without the logo's bytes (every page reads this)."""
    return Branding.objects.defer("logo").get(pk=1)


def logo_get() -> tuple[bytes, str, str] | None:
    """The logo's bytes, content type and checksum, or None."""
    branding = Branding.objects.get(pk=1)
    if not branding.has_logo:
        return None
    return bytes(branding.logo), branding.logo_type, branding.logo_sha256


@dataclass(frozen=True)
class Statement:
    """What the accessibility statement says, from the council's answers."""

    service_name: str
    organisation: str
    compliance: str
    problems: list[str]
    burden: list[str]
    plans: str
    contact_email: str
    contact_phone: str
    response_days: int
    tested_on: object
    tested_by: str
    prepared_on: object
    reviewed_on: object


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def statement_get(*, service_name: str, organisation: str) -> Statement:
    b = branding_get()
    return Statement(
        service_name=service_name,
        organisation=organisation,
        compliance=b.statement_compliance,
        problems=_lines(b.statement_problems),
        burden=_lines(b.statement_burden),
        plans=b.statement_plans,
        contact_email=b.statement_contact_email or b.contact_email,
        contact_phone=b.statement_contact_phone or b.contact_phone,
        response_days=b.statement_response_days,
        tested_on=b.statement_tested_on,
        tested_by=b.statement_tested_by,
        prepared_on=b.statement_prepared_on,
        reviewed_on=b.statement_reviewed_on,
    )
