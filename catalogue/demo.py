"""Demo catalogue for `make run` (content in catalogue.demo_data): about thirty local
providers around the demo councils, with places, services, prices, opening times and
pictures; vetted by the platform (two are still in its vetting queue), approved
differently by Kingsmere, Ashdown and Riverside, and a few reviews from the demo budget
holders.

Everything goes through the real services, so the demo shows what the platform would
hold. Safe to re-run: a provider, approval, rating or review that exists is kept as
it is (whatever has been changed by hand since)."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from core.errors import DomainError
from tenants.models import Tenant

from .council.models import Approval, ProviderApproval, Review, ServiceApproval
from .council.reviews import review_moderate, review_reply, review_submit
from .council.services import provider_approval_set, service_approval_set
from .cqc import RATING_RANK
from .demo_data import (
    COUNCILS,
    CQC_RATINGS,
    PROVIDERS,
    REVIEWS,
    SIGN_IN_PROVIDERS,
    CouncilChoices,
    DemoProvider,
)
from .demo_pictures import picture_alt, picture_png
from .models import CqcLocation, PayoutDetails, Postcode, Provider, Service, VettingDocument
from .postcodes import postcodes_import_onspd
from .services.listings import (
    PriceInput,
    ScheduleInput,
    location_save,
    service_image_add,
    service_save,
    service_status_set,
)
from .services.providers import (
    ALWAYS_REQUIRED,
    provider_register,
    provider_status_change,
    vetting_document_review,
    vetting_document_upload,
)

# Fictional postcodes of the demo towns (ONSPD layout): Kingsmere (LE11) and the
# village of Thornby (LE12) in Kingsmere's district; Ashdown (LE13) and Oakley (LE15)
# in Ashdown's, about 13 and 21 miles east.
POSTCODES_CSV = Path(__file__).parent / "fixtures" / "postcodes_demo.csv"

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^(\w{3})(?:-(\w{3}))? (\d{2}):(\d{2})-(\d{2}):(\d{2})$")


def _document_pdf(title: str, provider: str) -> bytes:
    """A one-page PDF standing in for a vetting document."""
    text = f"{title} - {provider} (demo document)".encode("latin-1", "replace")
    text = text.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 14 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _schedule(hours: str) -> list[ScheduleInput]:
    slots = []
    for part in hours.split(";"):
        match = _HOURS.match(part.strip())
        if match is None:
            raise ValueError(f"Cannot read the opening hours {part!r}")
        first, last, h1, m1, h2, m2 = match.groups()
        start = WEEKDAY_NAMES.index(first)
        end = WEEKDAY_NAMES.index(last or first)
        for day in range(start, end + 1):
            slots.append(
                ScheduleInput(day + 1, dt.time(int(h1), int(m1)), dt.time(int(h2), int(m2)))
            )
    return slots


@dataclass(frozen=True)
class CatalogueDemo:
    providers: int
    services: int
    provider_logins: list[str]


def catalogue_demo_seed(*, password: str, operator: User) -> CatalogueDemo:
    """Seed the demo catalogue (public schema) and the demo councils' decisions about
    it. `operator` is the platform operator who vets the providers."""
    # The platform emails providers when their status changes; demo providers are
    # fictional and the console would be flooded, so those emails are not sent.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        postcodes_import_onspd(path=POSTCODES_CSV)
        services: dict[tuple[str, str], Service] = {}
        providers: dict[str, Provider] = {}
        owners: dict[str, User] = {}
        for spec in PROVIDERS:
            provider = _provider_ensure(spec, operator=operator, password=password)
            providers[spec.key] = provider
            owners[spec.key] = User.objects.get(email=spec.owner_email)
            for service in Service.objects.filter(provider=provider):
                services[(spec.key, service.name)] = service
        _cqc_ensure()
        for choices in COUNCILS:
            tenant = Tenant.objects.filter(schema_name=choices.slug).first()
            if tenant is None:
                continue
            with tenant_context(tenant):
                _council_ensure(choices, providers, services)
                _reviews_ensure(choices.slug, services, owners)
    return CatalogueDemo(
        providers=len(providers),
        services=len(services),
        provider_logins=[
            f"{spec.owner_email} (provider: {spec.legal_name}, {spec.vetting.replace('_', ' ')})"
            for spec in PROVIDERS
            if spec.key in SIGN_IN_PROVIDERS
        ],
    )


def _provider_ensure(spec: DemoProvider, *, operator: User, password: str) -> Provider:
    existing = Provider.objects.filter(legal_name__iexact=spec.legal_name).first()
    if existing is not None:
        _payout_details(spec, existing)
        return existing
    signs_in = spec.key in SIGN_IN_PROVIDERS
    # Hashing a password costs about 0.3 s by design. The owners who do not sign in
    # are registered with a quickly hashed one that is then made unusable (before
    # commit), as if they had not yet set theirs.
    hashers = (
        contextlib.nullcontext()
        if signs_in
        else override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    )
    with transaction.atomic():
        with hashers:
            provider, owner = provider_register(
                legal_name=spec.legal_name,
                trading_name=spec.trading_name,
                email=spec.email,
                owner_email=spec.owner_email,
                owner_name=f"{spec.trading_name or spec.legal_name} owner",
                owner_password=password,
                companies_house_number=spec.companies_house_number,
                charity_number=spec.charity_number,
                cqc_provider_id=spec.cqc_provider_id,
                phone=spec.phone,
                website=f"https://www.{spec.key}.example",
                description=spec.description,
            )
        if not signs_in:
            owner.set_unusable_password()
            owner.save(update_fields=["password"])
        _vet(spec, provider, owner, operator)
        places = [
            location_save(
                provider=provider,
                name=place.name,
                address_1=place.address,
                city=place.town,
                postcode=place.postcode,
                cqc_location_id=place.cqc_location_id,
                area_radius_miles=place.radius_miles,
                by=owner,
            )
            for place in spec.places
        ]
        for offer in spec.offers:
            service = service_save(
                provider=provider,
                by=owner,
                name=offer.name,
                category=offer.category,
                summary=offer.summary,
                description=offer.description,
                delivery_mode=offer.mode,
                location=places[offer.place] if offer.place is not None else None,
                languages=list(offer.languages),
                accessibility=list(offer.accessibility),
                minimum_age=offer.minimum_age,
                maximum_age=offer.maximum_age,
                minimum_booking=offer.minimum_booking,
                cancellation_notice_hours=offer.cancellation_notice_hours,
                email=spec.email,
                phone=spec.phone,
                prices=[PriceInput(amount, unit, label) for amount, unit, label in offer.prices],
                schedules=_schedule(offer.hours),
            )
            for picture in offer.pictures:
                service_image_add(
                    service=service,
                    content=picture_png(picture),
                    name=f"{picture}.png",
                    alt_text=picture_alt(picture),
                    by=owner,
                )
            if offer.publish:
                service_status_set(service=service, status=Service.Status.PUBLISHED, by=owner)
        _payout_details(spec, provider)
    return provider


def _payout_details(spec: DemoProvider, provider: Provider) -> None:
    """Made-up payment details, so a demo council can pay by PayPal or BACS too: a
    PayPal email at the provider's domain and a sort code in the range kept for tests."""
    digits = f"{zlib.crc32(spec.key.encode()):010d}"
    PayoutDetails.objects.get_or_create(
        provider=provider,
        defaults={
            "paypal_email": f"payments@{spec.key}.example",
            "bank_account_name": (spec.trading_name or spec.legal_name)[:18],
            "bank_sort_code": "089999",
            "bank_account_number": digits[-8:],
        },
    )


def _vet(spec: DemoProvider, provider: Provider, owner: User, operator: User) -> None:
    """Documents uploaded and, for approved providers, accepted and approved. A provider
    that has only applied has sent its insurance so far; one under review, everything."""
    kinds = list(ALWAYS_REQUIRED)
    if spec.cqc_provider_id:
        kinds.append(VettingDocument.Kind.CQC_REGISTRATION)
    if spec.vetting == Provider.Status.APPLIED:
        kinds = [VettingDocument.Kind.INSURANCE]
    in_a_year = timezone.localdate() + dt.timedelta(days=365)
    for kind in kinds:
        document = vetting_document_upload(
            provider=provider,
            kind=kind,
            content=_document_pdf(VettingDocument.Kind(kind).label, spec.legal_name),
            name=f"{kind.replace('_', '-')}.pdf",
            expires_on=in_a_year if kind == VettingDocument.Kind.INSURANCE else None,
            by=owner,
        )
        if spec.vetting == Provider.Status.APPROVED:
            vetting_document_review(document=document, accept=True, note="", by=operator)
    if spec.vetting == Provider.Status.APPLIED:
        return
    provider_status_change(
        provider=provider, status=Provider.Status.UNDER_REVIEW, reason="", by=operator
    )
    if spec.vetting == Provider.Status.APPROVED:
        provider_status_change(
            provider=provider, status=Provider.Status.APPROVED, reason="", by=operator
        )


def _cqc_ensure() -> None:
    now = timezone.now()
    for rating in CQC_RATINGS:
        questions = {
            name: rating.differ.get(name, rating.overall)
            for name in ("safe", "effective", "caring", "responsive", "well_led")
        }
        CqcLocation.objects.get_or_create(
            location_id=rating.location_id,
            defaults={
                "provider_id": rating.provider_id,
                "name": rating.name,
                "postcode": rating.postcode,
                "registration_status": "Registered",
                "service_types": list(rating.service_types),
                "overall": rating.overall,
                "overall_rank": RATING_RANK[rating.overall],
                "report_date": rating.report_date,
                "synced_at": now,
                **questions,
                **_coordinates(rating.postcode),
            },
        )


def _coordinates(postcode: str) -> dict[str, float]:
    found = Postcode.objects.filter(postcode=postcode).first()
    return {"latitude": found.latitude, "longitude": found.longitude} if found else {}


def _council_ensure(
    choices: CouncilChoices,
    providers: dict[str, Provider],
    services: dict[tuple[str, str], Service],
) -> None:
    """This council's approvals. Decisions already recorded are kept as they are."""
    admin = User.objects.get(email=f"admin@{choices.slug}.example")
    decided = set(ProviderApproval.objects.values_list("provider_id", flat=True))
    decided_services = set(ServiceApproval.objects.values_list("service_id", flat=True))
    for key in choices.approves:
        provider = providers[key]
        if provider.pk not in decided:
            provider_approval_set(provider=provider, status=Approval.APPROVED, by=admin)
        for (owner_key, name), service in services.items():
            if owner_key != key or service.pk in decided_services:
                continue
            if (key, name) in choices.leaves_out or service.status != Service.Status.PUBLISHED:
                continue
            try:
                service_approval_set(
                    service=service,
                    status=Approval.APPROVED,
                    by=admin,
                    agreed_price_pence=choices.agreed_prices.get((key, name)),
                )
            except DomainError:
                continue  # the council suspended the provider here since: leave it
    for key, reason in choices.suspended.items():
        provider = providers[key]
        if provider.pk not in decided:
            provider_approval_set(
                provider=provider, status=Approval.SUSPENDED, by=admin, reason=reason
            )


def _reviews_ensure(
    slug: str, services: dict[tuple[str, str], Service], owners: dict[str, User]
) -> None:
    """Reviews by this council's demo people, moderated by its administrator and some
    answered by the provider. A review already written (even if changed since) is kept."""
    people = {
        user.email.split("@")[0]: user
        for user in User.objects.filter(email__endswith=f"@{slug}.example")
    }
    moderator = people.get("admin")
    for spec in REVIEWS:
        service = services.get((spec.provider, spec.service))
        author = people.get(spec.author)
        on_behalf_of = people.get(spec.on_behalf_of) if spec.on_behalf_of else None
        if spec.council != slug or service is None or author is None or moderator is None:
            continue
        if Review.objects.filter(
            service=service, author=author, on_behalf_of=on_behalf_of
        ).exists():
            continue
        try:
            review = review_submit(
                service=service,
                author=author,
                on_behalf_of=on_behalf_of,
                rating=spec.rating,
                comment=spec.comment,
            )
        except DomainError:
            continue  # the council has stopped offering the service since
        if spec.published:
            review = review_moderate(review=review, publish=True, reason="", by=moderator)
        if spec.reply:
            review_reply(
                review=review, provider=service.provider, reply=spec.reply, by=owners[spec.provider]
            )
