"""Large synthetic registries for benchmarks: thousands of providers spread over England,
tens of thousands of services with prices and opening times, approved in the councils
named. Written with COPY in batches, so 50,000 services take seconds, not minutes.

Synthetic rows are marked so they can be removed again (synthetic_registry_delete):
providers' and CQC locations' names start with "Synthetic ", providers' emails are at
the reserved domain synthetic.invalid, postcodes are in the unused area ZZ with the
district code SYNTHETIC. A name and an email anyone can register, so a provider counts
as synthetic only with the whole marker (synthetic_providers): also no members, no
vetting documents, no pictures and no location outside the synthetic postcodes, which
no registered provider can be (registering makes its owner a member). The rows bypass
the services (no audit entries, no vetting documents) but keep every invariant search
relies on, notably Service.price_from_pence/price_from_unit = the cheapest price option."""

from __future__ import annotations

import datetime as dt
import io
import math
import random
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.utils import timezone

from .council.models import ProviderApproval, RatingAlert, Review, ServiceApproval
from .cqc import RATING_RANK
from .models import (
    CqcLocation,
    Location,
    Postcode,
    PriceOption,
    Provider,
    ProviderMember,
    Schedule,
    Service,
    ServiceImage,
    TaxonomyTerm,
    VettingDocument,
)
from .taxonomy import CARE_TAXONOMY
from .vocab import ACCESSIBILITY_FEATURES

PREFIX = "Synthetic "
EMAIL_DOMAIN = "synthetic.invalid"  # .invalid is reserved (RFC 2606): never a real one
POSTCODE_AREA = "ZZ"
POSTCODE_DISTRICT_CODE = "SYNTHETIC"
CQC_ID_FIRST = 9_000_000_000  # CQC-shaped ids 1-9000000000 upwards: not real ones
BATCH_ROWS = 10_000

# England, roughly: Land's End to Berwick, Carlisle to Lowestoft.
SOUTH, NORTH, WEST, EAST = 50.1, 55.7, -5.6, 1.7
GRID_STEP_DEGREES = 0.05  # one postcode centroid every ~3.5 miles
# Most providers are in and around towns; the rest anywhere.
TOWNS = 60
IN_TOWN_SHARE = 0.7
TOWN_SPREAD_MILES = 6.0
MILES_PER_DEGREE_LATITUDE = 69.0
ONLINE_SHARE = 0.08


@dataclass(frozen=True)
class _Category:
    names: tuple[str, ...]
    price_range_pence: tuple[int, int]
    units: tuple[str, ...]
    weight: int  # how common, like a real marketplace: lots of care and activities


def _category(names: str, low: int, high: int, units: str, weight: int) -> _Category:
    return _Category(tuple(names.split("|")), (low, high), tuple(units.split()), weight)


# fmt: off
CATEGORIES: dict[str, _Category] = {
    "home-care": _category(
        "home care|help at home|personal care visits|night sitting|live-in care|"
        "domiciliary care|companionship visits|medication support",
        1600, 3200, "hour visit week", 18,
    ),
    "personal-assistants": _category(
        "personal assistant hours|PA support|PA matching|payroll for PA employers",
        1300, 2400, "hour item week", 6,
    ),
    "day-opportunities": _category(
        "day centre|day service|activity day|farm days|creative day", 3500, 8000, "day session", 8
    ),
    "short-breaks": _category(
        "short breaks|respite stays|overnight respite|sitting service|holiday breaks",
        1500, 25000, "day hour week", 6,
    ),
    "equipment": _category(
        "mobility aids|wheelchair hire|bathroom adaptations|grab rails fitted|"
        "stairlift servicing|daily living aids",
        500, 60000, "item week day visit", 8,
    ),
    "transport": _category(
        "dial-a-ride|community minibus|volunteer car scheme|accessible taxi",
        300, 2500, "item visit", 5,
    ),
    "community-activities": _category(
        "lunch club|art class|gardening group|befriending|choir|craft group|coffee morning|"
        "men's shed|pottery class|book club",
        100, 2500, "session visit week", 18,
    ),
    "health-fitness": _category(
        "swimming sessions|accessible gym|chair exercise|health walks|yoga|tai chi|"
        "hydrotherapy|dance class",
        100, 2000, "session week item", 12,
    ),
    "learning-work": _category(
        "job coaching|cooking course|computer skills|supported internship|"
        "volunteering scheme|English classes",
        300, 30000, "session hour week", 8,
    ),
    "housing-support": _category(
        "tenancy support|floating support|garden help|cleaning and shopping help|"
        "handyperson service",
        1500, 3500, "hour visit", 6,
    ),
    "advice-advocacy": _category(
        "independent advocacy|benefits advice|care act advocacy|money advice|peer support",
        1500, 4500, "hour session", 5,
    ),
}
# fmt: on
_ADJECTIVES = """Friendly Local Community Accessible Flexible Village Evening Weekend Family
    Gentle Together Bright Caring Open Riverside Hillside Parkside Neighbourhood Inclusive
    Dementia-friendly"""
ADJECTIVES = tuple(_ADJECTIVES.split())
_ORGANISATION_WORDS = """Care Support Community Friends Trust Partners Network Services
    Together Hands Hearts Horizons Pathways Wellbeing Living Futures"""
ORGANISATION_WORDS = tuple(_ORGANISATION_WORDS.split())
ORGANISATION_KINDS = ("Ltd", "CIC", "Charity", "LLP", "Trust", "Co-operative")
# Words of the descriptions. Drawn with Zipf's law (the n-th word about 1/n as often as
# the first), so full-text queries range from nearly every service to a handful.
_VOCABULARY = """support people help home friendly staff local community service care
    day time week trained team visits family independent safe activities adults older
    needs choose social meet group enjoy confidence skills carers lunch garden daily
    health wellbeing living personal plan experienced flexible welcome transport
    accessible routine meals shopping company friends evening weekend centre music art
    crafts exercise walking cooking learning volunteers respite breaks dementia autism
    mental physical stroke sensory hearing sight wheelchair mobility equipment
    adaptations bathroom kitchen stairs falls medication nursing overnight emergency
    holiday outdoor indoor quiet calm creative painting drawing pottery singing dancing
    swimming gym yoga pilates gardening allotment farm animals horses dogs cats library
    computer tablet internet email reading writing maths english languages polish
    punjabi urdu bengali gujarati arabic somali romanian chinese welsh sign makaton
    braille hoist parking ramp lift toilet shower bath bed chair table cafe tea coffee
    cake breakfast dinner halal kosher vegetarian vegan diabetic gluten allergies
    parkinsons epilepsy arthritis diabetes asthma heart cancer palliative bereavement
    loneliness isolation befriending advocacy benefits money budgeting tenancy housing
    repairs cleaning laundry ironing pets hairdressing chiropody massage reflexology
    physiotherapy occupational speech hydrotherapy woodwork bowls fishing cycling tandem
    canoeing climbing archery boccia choir drumming ukulele guitar piano theatre drama
    film photography poetry history heritage museum gallery nature wildlife
    birdwatching conservation beach seaside countryside village town city market church
    mosque temple gurdwara synagogue veterans transition college university
    apprenticeship employment interview internship enterprise retail catering
    horticulture woodland camping residential"""
VOCABULARY = tuple(_VOCABULARY.split())
OTHER_LANGUAGES = ("pl", "pa", "ur", "bn", "gu", "ar", "ro", "so")
WEEKDAY_PATTERNS = ((1, 2, 3, 4, 5), (1, 2, 3, 4, 5, 6, 7), (1, 3, 5), (2, 4), (6, 7), (3,))
RATING_WEIGHTS = {"Outstanding": 5, "Good": 70, "Requires improvement": 20, "Inadequate": 5}


@dataclass
class SyntheticResult:
    providers: int = 0
    locations: int = 0
    services: int = 0
    prices: int = 0
    schedules: int = 0
    postcodes: int = 0
    cqc_locations: int = 0
    approvals: dict[str, int] = field(default_factory=dict)  # tenant -> services approved
    seconds: float = 0.0


def _copy_value(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list | tuple):
        return "{" + ",".join(str(v) for v in value) + "}"
    text = value.isoformat() if isinstance(value, dt.datetime | dt.time) else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy(model: type[Model], rows: Iterable[Mapping[str, Any]], schema: str = "") -> int:
    """COPY rows (field name -> value; the first row names the fields) into the model's
    table, BATCH_ROWS at a time so memory stays bounded."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    if schema:
        table = f"{qn(schema)}.{table}"
    count, in_batch = 0, 0
    batch = io.StringIO()
    fields: list[str] = []
    column_of = {f.name: f.column for f in model._meta.concrete_fields}
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's own cursor, for copy_expert

        def flush() -> None:
            columns = ", ".join(qn(column_of[f]) for f in fields)
            batch.seek(0)
            raw.copy_expert(f"COPY {table} ({columns}) FROM STDIN", batch)

        for row in rows:
            if not fields:
                fields = list(row)
            batch.write("\t".join(_copy_value(row[f]) for f in fields) + "\n")
            in_batch += 1
            if in_batch == BATCH_ROWS:
                flush()
                count += in_batch
                batch, in_batch = io.StringIO(), 0
        if in_batch:
            flush()
            count += in_batch
    return count


def _grid() -> tuple[int, int]:
    rows = math.ceil((NORTH - SOUTH) / GRID_STEP_DEGREES) + 1
    cols = math.ceil((EAST - WEST) / GRID_STEP_DEGREES) + 1
    return rows, cols


def _grid_postcode(row: int, col: int) -> str:
    # "ZZ<district> <sector><unit>": 6,760 units in each district.
    district, unit = divmod(row * _grid()[1] + col, 10 * 26 * 26)
    sector, letters = divmod(unit, 26 * 26)
    first, second = divmod(letters, 26)
    return f"{POSTCODE_AREA}{district} {sector}{chr(65 + first)}{chr(65 + second)}"


def synthetic_postcode_near(latitude: float, longitude: float) -> str:
    """The synthetic grid postcode nearest a point in England's box."""
    rows, cols = _grid()
    row = min(max(round((latitude - SOUTH) / GRID_STEP_DEGREES), 0), rows - 1)
    col = min(max(round((longitude - WEST) / GRID_STEP_DEGREES), 0), cols - 1)
    return _grid_postcode(row, col)


def synthetic_towns(*, seed: int) -> list[tuple[float, float]]:
    """The centres the synthetic providers cluster around (the same for a seed)."""
    rng = random.Random(f"towns:{seed}")  # noqa: S311 - made-up data, not secrets
    return [
        (rng.uniform(SOUTH + 0.3, NORTH - 0.3), rng.uniform(WEST + 0.5, EAST - 0.3))
        for _ in range(TOWNS)
    ]


def _postcodes_ensure(now: dt.datetime) -> int:
    """The grid of synthetic postcodes (created once; kept for later runs)."""
    if Postcode.objects.filter(district_code=POSTCODE_DISTRICT_CODE).exists():
        return 0
    rows, cols = _grid()
    return _copy(
        Postcode,
        (
            {
                "postcode": _grid_postcode(r, c),
                "latitude": round(SOUTH + r * GRID_STEP_DEGREES, 6),
                "longitude": round(WEST + c * GRID_STEP_DEGREES, 6),
                "district_code": POSTCODE_DISTRICT_CODE,
                "terminated": False,
                "source": Postcode.Source.ONSPD,
                "updated_at": now,
            }
            for r in range(rows)
            for c in range(cols)
        ),
    )


class _Generator:
    """Rows of one run. Everything random comes from one generator seeded with the seed
    and the number of synthetic providers already there, so runs are repeatable and a
    second run adds new rows rather than clashing with the first."""

    def __init__(self, *, seed: int, offset: int) -> None:
        self.rng = random.Random(f"registry:{seed}:{offset}")  # noqa: S311 - made-up data
        words = list(VOCABULARY)
        random.Random(f"words:{seed}").shuffle(words)  # noqa: S311 - made-up data
        self.words = words
        self.word_weights = list(_cumulative(1 / rank for rank in range(1, len(words) + 1)))
        self.towns = synthetic_towns(seed=seed)
        self.offset = offset
        self.now = timezone.now()
        terms = dict(
            TaxonomyTerm.objects.filter(taxonomy__code=CARE_TAXONOMY).values_list("code", "id")
        )
        self.categories = [(terms[code], spec) for code, spec in CATEGORIES.items()]
        self.category_weights = list(_cumulative(spec.weight for _, spec in self.categories))
        self.ratings = list(_cumulative(RATING_WEIGHTS.values()))
        self.providers: list[dict[str, Any]] = []
        self.locations: list[dict[str, Any]] = []
        self.cqc: list[dict[str, Any]] = []
        self.service_ids: list[uuid.UUID] = []
        self.prices: list[dict[str, Any]] = []
        self.schedules: list[dict[str, Any]] = []

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def text(self, count: int) -> str:
        return " ".join(self.rng.choices(self.words, cum_weights=self.word_weights, k=count))

    def point(self) -> tuple[float, float]:
        rng = self.rng
        if rng.random() < IN_TOWN_SHARE:
            lat0, lon0 = rng.choice(self.towns)
            spread = TOWN_SPREAD_MILES / MILES_PER_DEGREE_LATITUDE
            lat = rng.gauss(lat0, spread)
            lon = rng.gauss(lon0, spread / math.cos(math.radians(lat0)))
        else:
            lat, lon = rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)
        return min(max(lat, SOUTH), NORTH), min(max(lon, WEST), EAST)

    def provider(self, number: int) -> tuple[uuid.UUID, uuid.UUID]:
        """A provider with one location (a CQC-rated one for about 30%)."""
        rng = self.rng
        provider_id, location_id = self.new_id(), self.new_id()
        organisation = f"{rng.choice(ADJECTIVES)} {rng.choice(ORGANISATION_WORDS)}"
        self.providers.append(
            {
                "id": provider_id,
                "legal_name": f"{PREFIX}{organisation} {number} {rng.choice(ORGANISATION_KINDS)}",
                "trading_name": organisation,
                "description": self.text(20),
                "email": f"office{number}@{EMAIL_DOMAIN}",
                "status": Provider.Status.APPROVED,
                "status_changed_at": self.now,
                "created_at": self.now,
                "updated_at": self.now,
            }
        )
        latitude, longitude = self.point()
        cqc_id = None
        if rng.random() < 0.3:
            cqc_id = f"1-{CQC_ID_FIRST + number}"
            overall = rng.choices(list(RATING_WEIGHTS), cum_weights=self.ratings)[0]
            self.cqc.append(
                {
                    "location_id": cqc_id,
                    "name": f"{PREFIX}{organisation} {number}",
                    "latitude": latitude,
                    "longitude": longitude,
                    "registration_status": "Registered",
                    "overall": overall,
                    "overall_rank": RATING_RANK[overall],
                    **dict.fromkeys(
                        ("safe", "effective", "caring", "responsive", "well_led"), overall
                    ),
                    "synced_at": self.now,
                }
            )
        self.locations.append(
            {
                "id": location_id,
                "provider": provider_id,
                "name": "Main office",
                "address_1": f"{number} High Street",
                "city": "Town",
                "postcode": synthetic_postcode_near(latitude, longitude),
                "latitude": round(latitude, 6),
                "longitude": round(longitude, 6),
                "cqc": cqc_id,
                "area_kind": Location.AreaKind.RADIUS,
                "area_radius_miles": rng.choice((5, 10, 15, 25)),
            }
        )
        return provider_id, location_id

    def service(self, provider_id: uuid.UUID, location_id: uuid.UUID) -> dict[str, Any]:
        """A published service with 1-3 prices and its opening times."""
        rng = self.rng
        category_id, spec = rng.choices(self.categories, cum_weights=self.category_weights)[0]
        name = f"{rng.choice(ADJECTIVES)} {rng.choice(spec.names)}"
        service_id = self.new_id()
        self.service_ids.append(service_id)
        options = []
        for _ in range(rng.choice((1, 1, 2, 3))):
            option = (rng.randrange(*spec.price_range_pence, 5), rng.choice(spec.units))
            options.append(option)
            self.prices.append(
                {
                    "id": self.new_id(),
                    "service": service_id,
                    "label": "",
                    "amount_pence": option[0],
                    "unit": option[1],
                }
            )
        opens = rng.choice((7, 8, 9, 10))
        closes = opens + rng.choice((3, 6, 8, 12))
        for weekday in rng.choice(WEEKDAY_PATTERNS):
            self.schedules.append(
                {
                    "id": self.new_id(),
                    "service": service_id,
                    "weekday": weekday,
                    "opens_at": dt.time(opens),
                    "closes_at": dt.time(closes),
                }
            )
        online = rng.random() < ONLINE_SHARE
        extra_languages = rng.sample(OTHER_LANGUAGES, rng.choice((0, 0, 0, 1, 2)))
        # As listings.service_save keeps it: the cheapest option (ties by unit).
        price_from_pence, price_from_unit = min(options)
        return {
            "id": service_id,
            "provider": provider_id,
            "location": None if online else location_id,
            "service_at_location_id": self.new_id(),
            "name": name,
            "summary": f"{name.capitalize()}: {self.text(12)}",
            "description": self.text(rng.randint(20, 40)),
            "category": category_id,
            "delivery_mode": "online" if online else rng.choice(("at_home", "at_venue")),
            "minimum_booking": rng.choice((1, 1, 2)),
            "cancellation_notice_hours": rng.choice((0, 24, 48)),
            "languages": sorted(["en", *extra_languages]),
            "accessibility": sorted(rng.sample(list(ACCESSIBILITY_FEATURES), rng.randint(0, 4))),
            "minimum_age": rng.choice((None, 16, 18, 18, 55)),
            "email": "",
            "status": Service.Status.PUBLISHED,
            "price_from_pence": price_from_pence,
            "price_from_unit": price_from_unit,
            "created_at": self.now,
            "updated_at": self.now,
        }


def _cumulative(weights: Iterable[float]) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def _spread(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` services over `parts` providers: at least one each, the rest at random."""
    counts = [1] * parts
    for index in rng.choices(range(parts), k=total - parts):
        counts[index] += 1
    return counts


_PROVIDER_DEFAULTS = {
    "companies_house_number": "",
    "charity_number": "",
    "cqc_provider_id": "",
    "phone": "",
    "website": "",
    "status_reason": "",
    "status_changed_by": None,
}
_LOCATION_DEFAULTS = {"address_2": "", "area_districts": []}
_CQC_DEFAULTS: dict[str, Any] = {
    "provider_id": "",
    "postcode": "",
    "service_types": [],
    "report_date": None,
}
_SERVICE_DEFAULTS = {"maximum_age": None, "url": "", "phone": ""}


def synthetic_providers() -> QuerySet[Provider]:
    """The providers this module made: the whole marker, not just the name."""
    elsewhere = Location.objects.filter(provider=OuterRef("pk")).exclude(
        postcode__in=Postcode.objects.filter(district_code=POSTCODE_DISTRICT_CODE).values(
            "postcode"
        )
    )
    return (
        Provider.objects.filter(legal_name__startswith=PREFIX, email__endswith="@" + EMAIL_DOMAIN)
        .exclude(Exists(ProviderMember.objects.filter(provider=OuterRef("pk"))))
        .exclude(Exists(VettingDocument.objects.filter(provider=OuterRef("pk"))))
        .exclude(Exists(ServiceImage.objects.filter(service__provider=OuterRef("pk"))))
        .exclude(Exists(elsewhere))
    )


def _with(defaults: dict[str, Any], rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    return ({**defaults, **row} for row in rows)


def synthetic_registry_generate(
    *,
    providers: int = 5000,
    services: int = 50000,
    seed: int = 1,
    approve_in: Sequence[str] = (),
) -> SyntheticResult:
    """Add `providers` approved providers (one location each) and `services` published
    services spread between them (about 8% online only), all approved by the councils
    whose schemas are named in `approve_in`. All or nothing. Another run adds more."""
    if providers < 1 or services < providers:
        raise ValueError("Give at least one provider, and at least as many services")
    started = time.monotonic()
    offset = synthetic_providers().count()
    gen = _Generator(seed=seed, offset=offset)
    plan = [
        (*gen.provider(offset + index + 1), count)
        for index, count in enumerate(_spread(services, providers, gen.rng))
    ]

    def service_rows() -> Iterator[dict[str, Any]]:
        for provider_id, location_id, count in plan:
            for _ in range(count):
                yield gen.service(provider_id, location_id)

    result = SyntheticResult()
    with transaction.atomic():
        result.postcodes = _postcodes_ensure(gen.now)
        result.providers = _copy(Provider, _with(_PROVIDER_DEFAULTS, gen.providers))
        result.cqc_locations = _copy(CqcLocation, _with(_CQC_DEFAULTS, gen.cqc))
        result.locations = _copy(Location, _with(_LOCATION_DEFAULTS, gen.locations))
        # Services stream (prices and schedules are gathered as they are made).
        result.services = _copy(Service, _with(_SERVICE_DEFAULTS, service_rows()))
        result.prices = _copy(PriceOption, gen.prices)
        result.schedules = _copy(Schedule, gen.schedules)
        for schema in approve_in:
            result.approvals[schema] = _approve(
                schema, [p["id"] for p in gen.providers], gen.service_ids, gen.now
            )
        _analyse(approve_in)
    result.seconds = time.monotonic() - started
    return result


def _approve(
    schema: str, provider_ids: list[uuid.UUID], service_ids: list[uuid.UUID], now: dt.datetime
) -> int:
    """Approve the providers and services in one council's schema."""
    decision = {"status": "approved", "reason": "", "decided_by": None, "decided_at": now}
    _copy(ProviderApproval, ({"provider": pk, **decision} for pk in provider_ids), schema)
    return _copy(
        ServiceApproval,
        ({"service": pk, "agreed_price_pence": None, **decision} for pk in service_ids),
        schema,
    )


def _analyse(schemas: Iterable[str]) -> None:
    # Fresh statistics, so the planner knows the tables just grew by thousands of rows.
    qn = connection.ops.quote_name
    models: list[type[Model]] = [
        Provider,
        Location,
        Service,
        PriceOption,
        Schedule,
        Postcode,
        CqcLocation,
    ]
    tables = [qn(model._meta.db_table) for model in models]
    for schema in schemas:
        tables += [
            f"{qn(schema)}.{qn(m._meta.db_table)}" for m in (ProviderApproval, ServiceApproval)
        ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")


@dataclass
class DeleteResult:
    providers: int = 0
    services: int = 0
    council_rows: int = 0  # approvals, reviews and alerts in councils' schemas
    cqc_locations: int = 0
    postcodes: int = 0


def _council_schemas() -> list[str]:
    """Every schema holding the councils' tables (tenants and the template)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = %s",
            [ServiceApproval._meta.db_table],
        )
        return sorted(row[0] for row in cursor.fetchall())


def synthetic_registry_delete() -> DeleteResult:
    """Remove every synthetic row: the synthetic providers (synthetic_providers) and
    everything of theirs (in every council's schema too), their CQC records and the
    synthetic postcodes. Nothing else is touched. All or nothing."""
    result = DeleteResult()
    qn = connection.ops.quote_name
    provider_t, location_t, service_t = (
        qn(m._meta.db_table) for m in (Provider, Location, Service)
    )
    # The marker holds while their rows go (it asks for no location elsewhere, not for
    # one here), so each statement can select with it afresh.
    providers, marked = synthetic_providers().values("id").query.sql_with_params()
    services = f"SELECT id FROM {service_t} WHERE provider_id IN ({providers})"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        # Their CQC records, while their locations still name them.
        result.cqc_locations, _ = CqcLocation.objects.filter(
            name__startswith=PREFIX,
            location_id__in=Location.objects.filter(
                provider__in=synthetic_providers(), cqc__isnull=False
            ).values("cqc_id"),
        ).delete()
        # Council rows refer to the registry: they go first.
        for schema in _council_schemas():
            for model, column, ids in (
                (Review, "service_id", services),
                (ServiceApproval, "service_id", services),
                (RatingAlert, "provider_id", providers),
                (ProviderApproval, "provider_id", providers),
            ):
                table = f"{qn(schema)}.{qn(model._meta.db_table)}"
                cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({ids})", marked)  # noqa: S608
                result.council_rows += cursor.rowcount
        for child in (PriceOption, Schedule):
            table = qn(child._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE service_id IN ({services})", marked)  # noqa: S608
        cursor.execute(f"DELETE FROM {service_t} WHERE id IN ({services})", marked)  # noqa: S608
        result.services = cursor.rowcount
        cursor.execute(
            f"DELETE FROM {location_t} WHERE provider_id IN ({providers})",  # noqa: S608
            marked,
        )
        cursor.execute(f"DELETE FROM {provider_t} WHERE id IN ({providers})", marked)  # noqa: S608
        result.providers = cursor.rowcount
        result.postcodes, _ = Postcode.objects.filter(
            district_code=POSTCODE_DISTRICT_CODE, postcode__startswith=POSTCODE_AREA
        ).delete()
    return result
