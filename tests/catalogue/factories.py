"""Builders for catalogue tests. They go through the real services, so what they make
is what the platform would make."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from PIL import Image

from accounts.models import User
from accounts.services import user_create
from catalogue.cqc import RATING_RANK
from catalogue.models import CqcLocation, Location, Postcode, Provider, Service, VettingDocument
from catalogue.services.listings import (
    PriceInput,
    ScheduleInput,
    location_save,
    service_save,
    service_status_set,
)
from catalogue.services.providers import (
    provider_register,
    provider_status_change,
    vetting_document_review,
    vetting_document_upload,
)
from epurse.db import use_public_schema

PASSWORD = "correct-horse-battery-staple"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_seq = itertools.count(1)

# Three places in and around a fictional town, and one 40 miles away.
POSTCODES = {
    "NM1 1AA": (52.9548, -1.1581),
    "NM1 2BB": (52.9600, -1.1500),  # about 0.5 miles from NM1 1AA
    "NM2 3CC": (53.0400, -1.2000),  # about 6 miles away
    "FR9 9ZZ": (53.4808, -2.2426),  # about 45 miles away
}


def png_bytes(width: int = 8, height: int = 6) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def postcodes_load() -> None:
    for code, (lat, lon) in POSTCODES.items():
        Postcode.objects.update_or_create(
            postcode=code, defaults={"latitude": lat, "longitude": lon}
        )


def operator() -> User:
    use_public_schema()
    user = User.objects.filter(email="operator@platform.example").first()
    return user or user_create(
        email="operator@platform.example",
        full_name="Platform Operator",
        role_codes=["platform_operator"],
        password=PASSWORD,
    )


def provider_registered(name: str | None = None, **extra: Any) -> tuple[Provider, User]:
    n = next(_seq)
    name = name or f"Provider {n} Ltd"
    return provider_register(
        legal_name=name,
        email=f"office{n}@provider.example",
        owner_email=f"owner{n}@provider.example",
        owner_name=f"Owner {n}",
        owner_password=PASSWORD,
        **extra,
    )


def provider_vetted(provider: Provider, owner: User, *, cqc: bool = True) -> Provider:
    """Upload and accept every document, then approve the provider on the platform."""
    op = operator()
    kinds = [
        VettingDocument.Kind.INSURANCE,
        VettingDocument.Kind.DBS_POLICY,
        VettingDocument.Kind.SAFEGUARDING_POLICY,
    ]
    if cqc:
        kinds.append(VettingDocument.Kind.CQC_REGISTRATION)
    for kind in kinds:
        doc = vetting_document_upload(
            provider=provider,
            kind=kind,
            content=PDF,
            name=f"{kind}.pdf",
            expires_on=timezone.localdate() + dt.timedelta(days=365),
            by=owner,
        )
        vetting_document_review(document=doc, accept=True, note="", by=op)
    provider_status_change(provider=provider, status="under_review", reason="", by=op)
    return provider_status_change(provider=provider, status="approved", reason="", by=op)


def location_made(
    provider: Provider, owner: User, postcode: str = "NM1 1AA", **extra: Any
) -> Location:
    postcodes_load()
    return location_save(
        provider=provider,
        name=extra.pop("name", "Main office"),
        address_1="1 High Street",
        city="Northmoor",
        postcode=postcode,
        area_radius_miles=extra.pop("area_radius_miles", 10),
        by=owner,
        **extra,
    )


def service_made(
    provider: Provider,
    owner: User,
    *,
    location: Location | None,
    name: str = "Help at home",
    category: str = "home-care",
    prices: tuple[int, ...] = (1800,),
    unit: str = "hour",
    publish: bool = True,
    weekdays: tuple[int, ...] = (1, 2, 3, 4, 5),
    **fields: Any,
) -> Service:
    fields.setdefault("summary", f"{name}, for adults who need support")
    fields.setdefault("description", f"{name}. Friendly, trained staff who know the area.")
    fields.setdefault("delivery_mode", "at_home" if location else "online")
    service = service_save(
        provider=provider,
        by=owner,
        name=name,
        category=category,
        location=location,
        prices=[PriceInput(amount_pence=p, unit=unit) for p in prices],
        schedules=[ScheduleInput(d, dt.time(9), dt.time(17)) for d in weekdays],
        **fields,
    )
    if publish:
        service = service_status_set(service=service, status="published", by=owner)
    return service


def provider_with_place(
    name: str | None = None,
    postcode: str = "NM1 1AA",
    *,
    cqc: bool = True,
    details: Mapping[str, Any] | None = None,
    **place: Any,
) -> tuple[Provider, User, Location]:
    """A provider registered with `details` and vetted (with its CQC registration when
    `cqc`), and its first place at `postcode` (`place`: location_made's fields)."""
    provider, owner = provider_registered(name, **(details or {}))
    provider_vetted(provider, owner, cqc=cqc)
    return provider, owner, location_made(provider, owner, postcode, **place)


@dataclass(frozen=True)
class Gym:
    provider: Provider
    owner: User
    swim: Service
    online: Service


def gym_listed(*, venue_radius_miles: int = 10, **swim: Any) -> Gym:
    """Fit Together CIC, vetted: "Swimming sessions" at its venue in NM2 3CC (£5 a
    session; `swim` adds or changes service_made's fields) and "Online chair yoga"
    (£3 a session, online). Both published, neither approved by a council."""
    gym, owner, venue = provider_with_place(
        "Fit Together CIC", "NM2 3CC", area_radius_miles=venue_radius_miles
    )
    return Gym(
        provider=gym,
        owner=owner,
        swim=service_made(
            gym,
            owner,
            location=venue,
            name="Swimming sessions",
            category="health-fitness",
            prices=(500,),
            unit="session",
            delivery_mode="at_venue",
            **swim,
        ),
        online=service_made(
            gym,
            owner,
            location=None,
            name="Online chair yoga",
            category="health-fitness",
            prices=(300,),
            unit="session",
        ),
    )


def cqc_rated(location_id: str, name: str, overall: str, **fields: Any) -> CqcLocation:
    """CQC's rating of a location as a sync stores it, ranked by its overall rating."""
    fields.setdefault("synced_at", "2026-01-01T00:00Z")
    return CqcLocation.objects.create(
        location_id=location_id,
        name=name,
        overall=overall,
        overall_rank=RATING_RANK[overall],
        **fields,
    )
