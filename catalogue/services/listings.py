"""What providers list: locations, services, prices, times and pictures."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from accounts.models import User
from core.errors import DomainError, ValidationFailed
from core.services import SYSTEM, Origin, audit_record

from ..models import (
    CqcLocation,
    Location,
    PriceOption,
    Provider,
    Schedule,
    Service,
    ServiceImage,
    TaxonomyTerm,
    Upload,
)
from ..postcodes import postcode_lookup
from ..taxonomy import CARE_TAXONOMY
from ..uploads import image_store
from ..vocab import ACCESSIBILITY_FEATURES, REGULATED_CATEGORIES
from .providers import provider_has_cqc_registration

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")  # ISO 639-1 or 639-2
_CQC_LOCATION_ID = re.compile(r"^1-\d{6,12}$")
MAX_PRICES = 20
MAX_SCHEDULES = 70  # opening times a week: room for ten a day
MAX_PRICE_PENCE = 10_000_000  # £100,000: anything above is a typing mistake


# What a provider sets on a service (service_save's **fields), besides prices and times.
SERVICE_FIELDS = (
    "name",
    "summary",
    "description",
    "category",
    "delivery_mode",
    "location",
    "minimum_booking",
    "cancellation_notice_hours",
    "languages",
    "accessibility",
    "minimum_age",
    "maximum_age",
    "url",
    "email",
    "phone",
)


@dataclass(frozen=True)
class PriceInput:
    amount_pence: int
    unit: str
    label: str = ""


@dataclass(frozen=True)
class ScheduleInput:
    weekday: int
    opens_at: dt.time
    closes_at: dt.time


def _fail(message: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={field: [message]})


def location_save(
    *,
    provider: Provider,
    name: str,
    address_1: str,
    city: str,
    postcode: str,
    by: User,
    location: Location | None = None,
    address_2: str = "",
    cqc_location_id: str = "",
    area_kind: str = Location.AreaKind.RADIUS,
    area_radius_miles: int | None = None,
    area_districts: Sequence[str] = (),
    origin: Origin = SYSTEM,
) -> Location:
    """Create a location, or change `location`. Its coordinates come from the postcode."""
    errors: dict[str, list[str]] = {}
    for field, value, message in (
        ("name", name, "Enter a name for this place, like 'Head office'"),
        ("address_1", address_1, "Enter the first line of the address"),
        ("city", city, "Enter the town or city"),
    ):
        if not value.strip():
            errors[field] = [message]
    cqc_location_id = cqc_location_id.strip()
    if cqc_location_id and not _CQC_LOCATION_ID.match(cqc_location_id):
        errors["cqc_location_id"] = ["Enter a CQC location ID, like 1-123456789"]
    elif cqc_location_id:
        problem = _cqc_location_problem(provider, cqc_location_id)
        if problem:
            errors["cqc_location_id"] = [problem]
    if area_kind not in Location.AreaKind.values:
        errors["area_kind"] = ["Choose how far you travel: a distance or named districts"]
    elif area_kind == Location.AreaKind.RADIUS and not (area_radius_miles or 0) > 0:
        errors["area_radius_miles"] = ["Enter how many miles you travel, like 10"]
    elif area_kind == Location.AreaKind.DISTRICTS and not [d for d in area_districts if d.strip()]:
        errors["area_districts"] = ["Enter at least one district you cover"]
    try:
        centroid = postcode_lookup(postcode=postcode)
    except ValidationFailed as exc:
        errors.update(exc.field_errors)
    if errors:
        raise ValidationFailed("The place could not be saved.", field_errors=errors)
    with transaction.atomic():
        if location is None:
            location = Location(provider=provider)
        elif location.provider_id != provider.pk:
            raise DomainError("That place belongs to another provider")
        location.name = name.strip()
        location.address_1 = address_1.strip()
        location.address_2 = address_2.strip()
        location.city = city.strip()
        location.postcode = centroid.postcode
        location.latitude = centroid.latitude
        location.longitude = centroid.longitude
        location.cqc_id = cqc_location_id.strip() or None
        location.area_kind = area_kind
        location.area_radius_miles = (
            area_radius_miles if area_kind == Location.AreaKind.RADIUS else None
        )
        location.area_districts = (
            [d.strip() for d in area_districts if d.strip()]
            if area_kind == Location.AreaKind.DISTRICTS
            else []
        )
        created = location._state.adding
        location.save()
        audit_record(
            action="location.created" if created else "location.updated",
            actor=by,
            obj=location,
            origin=origin,
            detail={"provider": str(provider.pk)},
        )
    return location


def _cqc_location_problem(provider: Provider, cqc_location_id: str) -> str:
    # A place may show only its own provider's CQC ratings: the location must be
    # registered to the CQC provider the organisation gave (and the platform vetted).
    known = CqcLocation.objects.filter(location_id=cqc_location_id).first()
    if known is None or known.provider_id == provider.cqc_provider_id:
        return ""  # not known yet: ratings show only once CQC lists it as this provider's
    if not provider.cqc_provider_id:
        return "Add your CQC provider ID to your organisation's details first"
    return (
        f"CQC lists {cqc_location_id} under another provider, not under your CQC provider "
        f"ID {provider.cqc_provider_id}. Check the location ID on your CQC registration"
    )


def category_find(*, code: str) -> TaxonomyTerm:
    term = TaxonomyTerm.objects.filter(taxonomy__code=CARE_TAXONOMY, code=code).first()
    if term is None:
        known = ", ".join(
            TaxonomyTerm.objects.filter(taxonomy__code=CARE_TAXONOMY).values_list("code", flat=True)
        )
        raise _fail(f"There is no category called '{code}'. Choose one of: {known}", "category")
    return term


def _check_prices(prices: Sequence[PriceInput]) -> dict[str, list[str]]:
    if not prices:
        return {"prices": ["Enter at least one price"]}
    if len(prices) > MAX_PRICES:
        return {"prices": [f"Give at most {MAX_PRICES} prices"]}
    problems = []
    for price in prices:
        if not isinstance(price.amount_pence, int) or isinstance(price.amount_pence, bool):
            problems.append("Enter each price as a whole number of pence")
        elif price.amount_pence <= 0:
            problems.append("Each price must be more than £0")
        elif price.amount_pence > MAX_PRICE_PENCE:
            problems.append("Each price must be £100,000 or less")
        if price.unit not in PriceOption.Unit.values:
            problems.append(
                f"Choose what each price is for: one of {', '.join(PriceOption.Unit.values)}"
            )
    return {"prices": sorted(set(problems))} if problems else {}


def _check_schedules(schedules: Sequence[ScheduleInput]) -> dict[str, list[str]]:
    if len(schedules) > MAX_SCHEDULES:
        return {"schedules": [f"Give at most {MAX_SCHEDULES} opening times a week"]}
    problems = []
    for slot in schedules:
        if slot.weekday not in Schedule.Weekday.values:
            problems.append("Days are numbered 1 (Monday) to 7 (Sunday)")
        elif slot.opens_at >= slot.closes_at:
            problems.append("Each opening time must be before its closing time")
    return {"schedules": sorted(set(problems))} if problems else {}


def _clean_service(
    provider: Provider, fields: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    values = dict(fields)
    for field, message, limit in (
        ("name", "Enter the name of the service", 200),
        ("summary", "Enter a short summary in plain English", 300),
        ("description", "Describe the service", 20_000),
    ):
        text = (
            " ".join(str(values.get(field, "")).split())
            if field != "description"
            else str(values.get(field, "")).strip()
        )
        values[field] = text
        if not text:
            errors[field] = [message]
        elif len(text) > limit:
            errors[field] = [f"Use {limit} characters or fewer"]
    if "category" in values and not isinstance(values["category"], TaxonomyTerm):
        try:
            values["category"] = category_find(code=str(values["category"]))
        except ValidationFailed as exc:
            errors.update(exc.field_errors)
    mode = values.get("delivery_mode")
    if mode not in Service.DeliveryMode.values:
        errors["delivery_mode"] = [
            "Choose how the service is delivered: at home, at a venue or online"
        ]
    location = values.get("location")
    if location is not None and location.provider_id != provider.pk:
        errors["location"] = ["Choose one of your own places"]
    if mode in (Service.DeliveryMode.AT_HOME, Service.DeliveryMode.AT_VENUE) and location is None:
        errors["location"] = ["Choose the place the service is delivered from"]
    languages = [str(code).strip().lower() for code in values.get("languages") or []]
    if any(not LANGUAGE_CODE.match(code) for code in languages):
        errors["languages"] = ["Give languages as ISO 639 codes, like en or pl"]
    values["languages"] = sorted(set(languages))
    features = [str(code) for code in values.get("accessibility") or []]
    unknown = sorted(set(features) - set(ACCESSIBILITY_FEATURES))
    if unknown:
        errors["accessibility"] = [
            f"Unknown accessibility feature: {', '.join(unknown)}. "
            f"Choose from: {', '.join(ACCESSIBILITY_FEATURES)}"
        ]
    values["accessibility"] = sorted(set(features))
    for field in ("minimum_booking", "cancellation_notice_hours", "minimum_age", "maximum_age"):
        value = values.get(field)
        if value is not None and (not isinstance(value, int) or value < 0 or value > 32767):
            errors[field] = ["Enter a whole number of 0 or more"]
    if values.get("minimum_booking") is not None and values["minimum_booking"] < 1:
        errors["minimum_booking"] = ["The minimum booking must be at least 1"]
    low, high = values.get("minimum_age"), values.get("maximum_age")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        errors["maximum_age"] = ["The maximum age must be the same as or more than the minimum"]
    if values.get("url"):
        try:
            URLValidator(schemes=["http", "https"])(values["url"])
        except ValidationError:
            errors["url"] = ["Enter a web address, like https://www.example.org/service"]
    if values.get("email"):
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = [
                "Enter an email address in the correct format, like name@example.com"
            ]
    return values, errors


def _refresh_price_from(service: Service) -> None:
    cheapest = service.prices.order_by("amount_pence", "unit").first()
    service.price_from_pence = cheapest.amount_pence if cheapest else None
    service.price_from_unit = cheapest.unit if cheapest else ""
    service.save(update_fields=["price_from_pence", "price_from_unit", "updated_at"])


def service_save(
    *,
    provider: Provider,
    by: User,
    service: Service | None = None,
    prices: Sequence[PriceInput] | None = None,
    schedules: Sequence[ScheduleInput] | None = None,
    origin: Origin = SYSTEM,
    **fields: Any,
) -> Service:
    """Create a service (as a draft), or change `service`. `fields` are the Service
    fields; `category` is a category code; `prices` and `schedules`, when given,
    replace the current ones."""
    with transaction.atomic():
        creating = service is None
        before: dict[str, Any] = {}
        if service is not None:
            # Read the row as it is now (locked), so a change made meanwhile, such as
            # a withdrawal, is never written back over by this one.
            service = Service.objects.select_for_update().get(pk=service.pk)
            if service.provider_id != provider.pk:
                raise DomainError("That service belongs to another provider")
            before = {f: getattr(service, f) for f in SERVICE_FIELDS}
            fields = {**before, **fields}
        values, errors = _clean_service(provider, fields)
        if prices is not None:
            errors.update(_check_prices(prices))
        elif service is None:
            errors["prices"] = ["Enter at least one price"]
        if schedules is not None:
            errors.update(_check_schedules(schedules))
        if errors:
            raise ValidationFailed("The service could not be saved.", field_errors=errors)
        if service is None:
            service = Service(provider=provider)
        elif service.status == Service.Status.PUBLISHED:
            _check_regulated_allowed(provider, values.get("category", service.category))
        for field, value in values.items():
            setattr(service, field, value)
        terms_changed = not creating and (
            any(before[f] != values[f] for f in TERMS_FIELDS if f in values)
            or (prices is not None and _price_terms(service) != _price_terms_of(prices))
        )
        if terms_changed:
            service.terms_changed_at = timezone.now()
        service.save()
        if prices is not None:
            service.prices.all().delete()
            PriceOption.objects.bulk_create(
                PriceOption(
                    service=service, amount_pence=p.amount_pence, unit=p.unit, label=p.label.strip()
                )
                for p in prices
            )
            _refresh_price_from(service)
        if schedules is not None:
            service.schedules.all().delete()
            Schedule.objects.bulk_create(
                Schedule(
                    service=service, weekday=s.weekday, opens_at=s.opens_at, closes_at=s.closes_at
                )
                for s in schedules
            )
        audit_record(
            action="service.created" if creating else "service.updated",
            actor=by,
            obj=service,
            origin=origin,
            detail={"provider": str(provider.pk)},
        )
    return service


# Changing any of these (or the prices) means councils must approve the service again.
TERMS_FIELDS = ("category", "location", "delivery_mode")


def _price_terms(service: Service) -> list[tuple[int, str]]:
    return sorted(service.prices.values_list("amount_pence", "unit"))


def _price_terms_of(prices: Sequence[PriceInput]) -> list[tuple[int, str]]:
    return sorted((p.amount_pence, p.unit) for p in prices)


def _check_regulated_allowed(provider: Provider, category: TaxonomyTerm) -> None:
    # Regulated care (personal care) may be offered only once the platform has
    # accepted the provider's CQC registration. Before the platform approves the
    # provider nothing is shown anyway, and approval asks for the registration.
    if (
        category.code in REGULATED_CATEGORIES
        and Provider.objects.filter(pk=provider.pk, status=Provider.Status.APPROVED).exists()
        and not provider_has_cqc_registration(provider=provider)
    ):
        raise DomainError(
            f"{category.name} is care that CQC regulates. Upload your CQC registration "
            "and wait for the platform to accept it before publishing this service"
        )


def service_status_set(
    *, service: Service, status: str, by: User, origin: Origin = SYSTEM
) -> Service:
    """Publish or withdraw a service. Published services can be approved by councils."""
    if status not in Service.Status.values:
        raise _fail("Choose draft, published or withdrawn", "status")
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        if status == Service.Status.PUBLISHED:
            if not service.prices.exists():
                raise DomainError("Add a price before publishing the service")
            _check_regulated_allowed(service.provider, service.category)
        previous = service.status
        service.status = status
        service.save(update_fields=["status", "updated_at"])
        audit_record(
            action="service.status_changed",
            actor=by,
            obj=service,
            origin=origin,
            detail={"from": previous, "to": status},
        )
    return service


def service_image_add(
    *,
    service: Service,
    content: bytes,
    name: str,
    alt_text: str,
    by: User,
    origin: Origin = SYSTEM,
) -> ServiceImage:
    """Add a picture. Every picture needs a description for people who cannot see it."""
    alt = " ".join(alt_text.split())
    if not alt:
        raise _fail(
            "Describe the picture for people who cannot see it, like 'Two people "
            "gardening in a raised bed'",
            "alt_text",
        )
    if len(alt) > 250:
        raise _fail("Describe the picture in 250 characters or fewer", "alt_text")
    with transaction.atomic():
        upload = image_store(content=content, name=name)
        position = service.images.count()
        image = ServiceImage.objects.create(
            service=service, upload=upload, alt_text=alt, position=position
        )
        audit_record(
            action="service.image_added",
            actor=by,
            obj=service,
            origin=origin,
            detail={"image": str(image.pk)},
        )
    return image


def service_image_remove(*, image: ServiceImage, by: User, origin: Origin = SYSTEM) -> None:
    with transaction.atomic():
        service = image.service
        upload = image.upload
        image.delete()
        upload.delete()
        audit_record(
            action="service.image_removed",
            actor=by,
            obj=service,
            origin=origin,
            detail={"image": str(image.pk)},
        )


def _delete_unless_referenced(model: type[models.Model], column: str, values: list[Any]) -> bool:
    """DELETE rows of a registry table unless another row refers to them. Django's own
    delete() looks for referring rows only in the current schema, but councils' schemas
    refer to registry rows too; the database's foreign keys see every schema, so they
    are checked at once (they are deferred by default) and a refusal is returned."""
    if not values:
        return True
    table = connection.ops.quote_name(model._meta.db_table)
    where = connection.ops.quote_name(column)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                f"DELETE FROM {table} WHERE {where} = ANY(%s)",  # noqa: S608 - names are ours
                [values],
            )
    except IntegrityError:
        return False
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return True


def location_delete(*, location: Location, by: User, origin: Origin = SYSTEM) -> None:
    """Remove a place no service is delivered from and no council has records about."""
    with transaction.atomic():
        if Service.objects.filter(location=location).exists():
            raise DomainError(
                "Services are delivered from this place: move them to another place, "
                "or delete them, first"
            )
        if not _delete_unless_referenced(Location, "id", [location.pk]):
            raise DomainError(
                "Councils keep records about this place (CQC rating alerts), so it "
                "cannot be deleted"
            )
        audit_record(
            action="location.deleted",
            actor=by,
            object_type=Location._meta.label_lower,
            object_id=str(location.pk),
            origin=origin,
            detail={"provider": str(location.provider_id), "name": location.name},
        )


def service_delete(*, service: Service, by: User, origin: Origin = SYSTEM) -> None:
    """Delete a service nobody refers to (typically a draft). A service a council has
    approved or someone has reviewed stays, for the record: withdraw it instead."""
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        upload_ids = list(service.images.values_list("upload_id", flat=True))
        deleted = (
            _delete_unless_referenced(ServiceImage, "service_id", [service.pk])
            and _delete_unless_referenced(PriceOption, "service_id", [service.pk])
            and _delete_unless_referenced(Schedule, "service_id", [service.pk])
            and _delete_unless_referenced(Service, "id", [service.pk])
            and _delete_unless_referenced(Upload, "id", upload_ids)
        )
        if not deleted:
            raise DomainError(
                "Councils have approved or reviewed this service, so it cannot be "
                "deleted: withdraw it instead"
            )
        audit_record(
            action="service.deleted",
            actor=by,
            object_type=Service._meta.label_lower,
            object_id=str(service.pk),
            origin=origin,
            detail={"provider": str(service.provider_id), "name": service.name},
        )
