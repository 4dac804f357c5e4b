"""Input and output shapes of the catalogue's API. Inputs check types and say what is
wrong in words people understand; the rules themselves live in the services."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.errors import ValidationFailed
from core.money import format_pence

from ..council.models import Review
from ..cqc import KEY_QUESTIONS, OGL_ATTRIBUTION, OGL_URL
from ..models import (
    CqcLocation,
    Location,
    PriceOption,
    Provider,
    Schedule,
    Service,
    ServiceImage,
    TaxonomyTerm,
    VettingDocument,
)
from ..postcodes import postcode_lookup
from ..selectors import RATING_RANKS, SORTS, Near, ServiceCard
from ..services.listings import (
    LANGUAGE_CODE,
    MAX_PRICE_PENCE,
    MAX_PRICES,
    MAX_SCHEDULES,
    SERVICE_FIELDS,
    category_find,
)
from ..vocab import ACCESSIBILITY_FEATURES, LANGUAGES, WEEKDAYS

MAX_WITHIN_MILES = 100
_WHOLE_NUMBER = re.compile(r"^\d+$")
_DAY_BY_NUMBER = {number: name for name, number in WEEKDAYS.items()}


def _unknown(what: str, value: str, choices: Any) -> serializers.ValidationError:
    return serializers.ValidationError(
        f"Unknown {what} '{value}'. Choose one of: {', '.join(choices)}"
    )


def _from_domain(exc: ValidationFailed) -> serializers.ValidationError:
    # A service's message for one field, reported against the field of this input.
    messages = [m for ms in exc.field_errors.values() for m in ms] or [exc.detail]
    return serializers.ValidationError(messages)


def _weekday(value: str) -> int:
    """'Monday' … 'sunday' -> 1 … 7."""
    day = WEEKDAYS.get(value.strip().lower())
    if day is None:
        raise _unknown("day", value, WEEKDAYS)
    return day


# --- Search ---------------------------------------------------------------------


class SearchInput(serializers.Serializer):
    """Query parameters of the search. All optional; each is checked with a message."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    category = serializers.CharField(
        required=False, help_text="A category code, as listed at /api/catalogue/categories/"
    )
    max_price = serializers.CharField(
        required=False, help_text="The most you want to pay, in pence (2500 is £25)"
    )
    min_rating = serializers.CharField(
        required=False, help_text=f"Lowest CQC rating: {', '.join(RATING_RANKS)}"
    )
    postcode = serializers.CharField(required=False, help_text="Sort or limit by distance")
    within_miles = serializers.CharField(
        required=False, help_text=f"Miles from the postcode, at most {MAX_WITHIN_MILES}"
    )
    delivery_mode = serializers.CharField(
        required=False, help_text=f"One of {', '.join(Service.DeliveryMode.values)}"
    )
    day = serializers.CharField(required=False, help_text="monday … sunday")
    language = serializers.CharField(required=False, help_text="ISO 639 code, like en or pl")
    accessibility = serializers.CharField(
        required=False, help_text=f"One of {', '.join(ACCESSIBILITY_FEATURES)}"
    )
    sort = serializers.CharField(required=False, help_text=f"One of {', '.join(SORTS)}")

    def validate_category(self, value: str) -> str:
        try:
            return category_find(code=value.strip()).code
        except ValidationFailed as exc:
            raise _from_domain(exc) from None

    def validate_max_price(self, value: str) -> int:
        value = value.strip()
        if value.startswith("-") and _WHOLE_NUMBER.match(value[1:]):
            raise serializers.ValidationError("The maximum price cannot be negative")
        if not _WHOLE_NUMBER.match(value):
            raise serializers.ValidationError(
                "Give the maximum price as a whole number of pence, like 2500 for £25"
            )
        # Counting digits first: int() refuses strings of thousands of digits.
        digits = value.lstrip("0") or "0"
        if len(digits) > len(str(MAX_PRICE_PENCE)) or int(digits) > MAX_PRICE_PENCE:
            raise serializers.ValidationError(
                f"Give a maximum price of {MAX_PRICE_PENCE} pence "
                f"({format_pence(MAX_PRICE_PENCE)}) or less"
            )
        return int(digits)

    def validate_min_rating(self, value: str) -> str:
        if value not in RATING_RANKS:
            raise _unknown("rating", value, RATING_RANKS)
        return value

    def validate_postcode(self, value: str) -> Any:
        try:
            return postcode_lookup(postcode=value)
        except ValidationFailed as exc:
            raise _from_domain(exc) from None

    def validate_within_miles(self, value: str) -> float:
        try:
            miles = float(value)
        except ValueError:
            miles = math.nan
        if not 0 < miles <= MAX_WITHIN_MILES:  # also refuses nan
            raise serializers.ValidationError(
                f"Give a distance of more than 0 and at most {MAX_WITHIN_MILES} miles"
            )
        return miles

    def validate_delivery_mode(self, value: str) -> str:
        if value not in Service.DeliveryMode.values:
            raise _unknown("delivery mode", value, Service.DeliveryMode.values)
        return value

    def validate_day(self, value: str) -> int:
        return _weekday(value)

    def validate_language(self, value: str) -> str:
        value = value.strip().lower()
        if not LANGUAGE_CODE.match(value):
            raise serializers.ValidationError("Give the language as an ISO 639 code, like en or pl")
        return value

    def validate_accessibility(self, value: str) -> str:
        if value not in ACCESSIBILITY_FEATURES:
            raise _unknown("accessibility feature", value, ACCESSIBILITY_FEATURES)
        return value

    def validate_sort(self, value: str) -> str:
        if value not in SORTS:
            raise _unknown("sort", value, SORTS)
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "postcode" not in attrs:
            if "within_miles" in attrs:
                raise serializers.ValidationError(
                    {"within_miles": ["Give a postcode to search within a distance of it"]}
                )
            if attrs.get("sort") == "distance":
                raise serializers.ValidationError({"sort": ["Give a postcode to sort by distance"]})
        return attrs

    def search_arguments(self) -> dict[str, Any]:
        """The checked parameters as catalogue.selectors.service_search arguments."""
        data = self.validated_data
        centroid = data.get("postcode")
        near = (
            Near(centroid.latitude, centroid.longitude, data.get("within_miles"))
            if centroid is not None
            else None
        )
        return {
            "text": data.get("q", ""),
            "category": data.get("category"),
            "max_price_pence": data.get("max_price"),
            "min_rating": data.get("min_rating"),
            "near": near,
            "delivery_mode": data.get("delivery_mode"),
            "weekday": data.get("day"),
            "language": data.get("language"),
            "accessibility": data.get("accessibility"),
            "sort": data.get("sort", "relevance"),
        }


class ProviderRefOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField(source="display_name")


class CategoryOut(serializers.ModelSerializer):
    class Meta:
        model = TaxonomyTerm
        fields = ["code", "name"]
        read_only_fields = fields


class CategoryDetailOut(serializers.ModelSerializer):
    class Meta:
        model = TaxonomyTerm
        fields = ["code", "name", "description"]
        read_only_fields = fields


class KeyQuestionOut(serializers.Serializer):
    name = serializers.CharField()
    rating = serializers.CharField(allow_null=True)


class CqcOut(serializers.Serializer):
    """CQC's latest rating of the place, with the attribution the OGL asks for."""

    location_id = serializers.CharField()
    overall = serializers.SerializerMethodField()
    report_date = serializers.DateField(allow_null=True)
    key_questions = serializers.SerializerMethodField()
    attribution = serializers.SerializerMethodField()
    licence_url = serializers.SerializerMethodField()

    def get_overall(self, cqc: CqcLocation) -> str | None:
        return cqc.overall or None

    @extend_schema_field(KeyQuestionOut(many=True))
    def get_key_questions(self, cqc: CqcLocation) -> list[dict[str, Any]]:
        return [
            {"name": name, "rating": getattr(cqc, field) or None}
            for name, field in KEY_QUESTIONS.items()
        ]

    def get_attribution(self, cqc: CqcLocation) -> str:
        return OGL_ATTRIBUTION

    def get_licence_url(self, cqc: CqcLocation) -> str:
        return OGL_URL


class ReviewSummaryOut(serializers.Serializer):
    average = serializers.FloatField(source="review_average", allow_null=True)
    count = serializers.IntegerField(source="review_count")


class ServiceCardOut(serializers.Serializer):
    """One search result (a catalogue.selectors.ServiceCard)."""

    id = serializers.UUIDField(source="service.id")
    name = serializers.CharField(source="service.name")
    summary = serializers.CharField(source="service.summary")
    provider = ProviderRefOut(source="service.provider")
    category = CategoryOut(source="service.category")
    delivery_mode = serializers.CharField(source="service.delivery_mode")
    price_pence = serializers.IntegerField(
        source="service.price_pence",
        allow_null=True,
        help_text="The council's agreed price where there is one, else the lowest price",
    )
    price_summary = serializers.CharField()
    distance_miles = serializers.FloatField(allow_null=True)
    cqc = CqcOut(allow_null=True)
    reviews = ReviewSummaryOut(source="*")


class PriceOut(serializers.ModelSerializer):
    unit_label = serializers.CharField(source="get_unit_display")
    display = serializers.SerializerMethodField()

    class Meta:
        model = PriceOption
        fields = ["id", "label", "amount_pence", "unit", "unit_label", "display"]
        read_only_fields = fields

    def get_display(self, price: PriceOption) -> str:
        return f"{format_pence(price.amount_pence)} {price.get_unit_display()}"


class ScheduleOut(serializers.ModelSerializer):
    day = serializers.SerializerMethodField()
    opens_at = serializers.TimeField(format="%H:%M")
    closes_at = serializers.TimeField(format="%H:%M")

    class Meta:
        model = Schedule
        fields = ["day", "opens_at", "closes_at"]
        read_only_fields = fields

    def get_day(self, slot: Schedule) -> str:
        return _DAY_BY_NUMBER[slot.weekday]


class ImageOut(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    width = serializers.IntegerField(source="upload.width", allow_null=True)
    height = serializers.IntegerField(source="upload.height", allow_null=True)

    class Meta:
        model = ServiceImage
        fields = ["id", "url", "alt_text", "width", "height", "position"]
        read_only_fields = fields

    def get_url(self, image: ServiceImage) -> str:
        path = reverse("api:catalogue-image", kwargs={"id": image.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class LocationOut(serializers.ModelSerializer):
    """A provider's place of business (never anyone's home)."""

    cqc_location_id = serializers.CharField(source="cqc_id", allow_null=True)

    class Meta:
        model = Location
        fields = [
            "id",
            "name",
            "address_1",
            "address_2",
            "city",
            "postcode",
            "latitude",
            "longitude",
            "cqc_location_id",
            "area_kind",
            "area_radius_miles",
            "area_districts",
        ]
        read_only_fields = fields


class ProviderContactOut(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")

    class Meta:
        model = Provider
        fields = ["id", "name", "legal_name", "description", "email", "phone", "website"]
        read_only_fields = fields


class LabelledCodeOut(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class ServiceDetailOut(ServiceCardOut):
    """Everything a service's page shows."""

    description = serializers.CharField(source="service.description")
    provider = ProviderContactOut(source="service.provider")  # type: ignore[assignment]
    location = LocationOut(source="service.location", allow_null=True)
    prices = PriceOut(source="service.prices", many=True)
    schedules = ScheduleOut(source="service.schedules", many=True)
    images = ImageOut(source="service.images", many=True)
    languages = serializers.SerializerMethodField()
    accessibility = serializers.SerializerMethodField()
    minimum_booking = serializers.IntegerField(source="service.minimum_booking")
    cancellation_notice_hours = serializers.IntegerField(source="service.cancellation_notice_hours")
    minimum_age = serializers.IntegerField(source="service.minimum_age", allow_null=True)
    maximum_age = serializers.IntegerField(source="service.maximum_age", allow_null=True)
    url = serializers.CharField(source="service.url")
    email = serializers.CharField(source="service.email")
    phone = serializers.CharField(source="service.phone")

    @extend_schema_field(LabelledCodeOut(many=True))
    def get_languages(self, card: ServiceCard) -> list[dict[str, str]]:
        return [{"code": c, "label": LANGUAGES.get(c, c)} for c in card.service.languages]

    @extend_schema_field(LabelledCodeOut(many=True))
    def get_accessibility(self, card: ServiceCard) -> list[dict[str, str]]:
        return [
            {"code": c, "label": ACCESSIBILITY_FEATURES.get(c, c)}
            for c in card.service.accessibility
        ]


# --- Provider portal ------------------------------------------------------------


# A change (PATCH) is read with partial=True: only what changes is needed.
class ProviderUpdateInput(serializers.Serializer):
    legal_name = serializers.CharField(max_length=200)
    trading_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    companies_house_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    charity_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    cqc_provider_id = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, help_text="The organisation's email address")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    website = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class ProviderRegisterInput(ProviderUpdateInput):
    owner_email = serializers.CharField(max_length=254, help_text="Your own email address")
    owner_name = serializers.CharField(max_length=200)
    owner_password = serializers.CharField(max_length=4096, trim_whitespace=False)


class DocumentOut(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    file_name = serializers.CharField(source="upload.original_name")
    content_type = serializers.CharField(source="upload.content_type")
    size = serializers.IntegerField(source="upload.size")

    class Meta:
        model = VettingDocument
        fields = [
            "id",
            "kind",
            "kind_label",
            "status",
            "expires_on",
            "review_note",
            "reviewed_at",
            "uploaded_at",
            "file_name",
            "content_type",
            "size",
        ]
        read_only_fields = fields


class ChecklistDocumentOut(serializers.ModelSerializer):
    class Meta:
        model = VettingDocument
        fields = ["id", "status", "expires_on", "review_note", "uploaded_at"]
        read_only_fields = fields


class ChecklistItemOut(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    required = serializers.BooleanField()  # type: ignore[assignment]
    done = serializers.BooleanField()
    expired = serializers.BooleanField()
    document = ChecklistDocumentOut(allow_null=True, help_text="The newest of this kind")


class ProviderOut(serializers.ModelSerializer):
    """The provider as its own members and the platform's operators see it."""

    name = serializers.CharField(source="display_name")
    status_label = serializers.CharField(source="get_status_display")
    checklist = serializers.SerializerMethodField()

    class Meta:
        model = Provider
        fields = [
            "id",
            "name",
            "legal_name",
            "trading_name",
            "companies_house_number",
            "charity_number",
            "cqc_provider_id",
            "description",
            "email",
            "phone",
            "website",
            "status",
            "status_label",
            "status_reason",
            "status_changed_at",
            "created_at",
            "checklist",
        ]
        read_only_fields = fields

    @extend_schema_field(ChecklistItemOut(many=True))
    def get_checklist(self, provider: Provider) -> list[dict[str, Any]]:
        return ChecklistItemOut(self.context["checklist"], many=True).data  # type: ignore[return-value]


class DocumentUploadInput(serializers.Serializer):
    kind = serializers.CharField(help_text=f"One of {', '.join(VettingDocument.Kind.values)}")
    expires_on = serializers.DateField(required=False, allow_null=True)
    document = serializers.FileField(help_text="PDF, JPG or PNG")


class LocationInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, allow_blank=True)
    address_1 = serializers.CharField(max_length=200, allow_blank=True)
    address_2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, allow_blank=True)
    postcode = serializers.CharField(max_length=20, allow_blank=True)
    cqc_location_id = serializers.CharField(max_length=20, required=False, allow_blank=True)
    area_kind = serializers.CharField(
        required=False, default=Location.AreaKind.RADIUS, help_text="radius or districts"
    )
    area_radius_miles = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=32767
    )
    area_districts = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=200
    )


class PriceInputSerializer(serializers.Serializer):
    amount_pence = serializers.IntegerField()
    unit = serializers.CharField(help_text=f"One of {', '.join(PriceOption.Unit.values)}")
    label = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")  # type: ignore[assignment]


class ScheduleInputSerializer(serializers.Serializer):
    day = serializers.CharField(help_text="monday … sunday")
    opens_at = serializers.TimeField()
    closes_at = serializers.TimeField()

    def validate_day(self, value: str) -> int:
        return _weekday(value)


class ServiceInput(serializers.Serializer):
    """A service's fields. On create, name, summary, description, category,
    delivery_mode and prices are needed; on change (PATCH), only what changes.
    `prices` and `schedules`, when given, replace the current ones."""

    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    category = serializers.CharField(required=False, help_text="A category code")
    delivery_mode = serializers.CharField(
        required=False, help_text=f"One of {', '.join(Service.DeliveryMode.values)}"
    )
    location = serializers.UUIDField(
        required=False, allow_null=True, help_text="One of your places; null for online"
    )
    minimum_booking = serializers.IntegerField(required=False, min_value=1, max_value=32767)
    cancellation_notice_hours = serializers.IntegerField(
        required=False, min_value=0, max_value=32767
    )
    languages = serializers.ListField(
        child=serializers.CharField(max_length=3), required=False, max_length=50
    )
    accessibility = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=50
    )
    minimum_age = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=150
    )
    maximum_age = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=150
    )
    url = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    prices = PriceInputSerializer(many=True, required=False, help_text=f"At most {MAX_PRICES}")
    schedules = ScheduleInputSerializer(
        many=True, required=False, help_text=f"At most {MAX_SCHEDULES}"
    )

    def to_internal_value(self, data: Any) -> Any:
        # The lists are counted before any item is checked, so one request cannot ask
        # for thousands of checks. The web form allows the same numbers.
        if isinstance(data, Mapping):
            too_many = {
                name: [message]
                for name, limit, message in (
                    ("prices", MAX_PRICES, f"Give at most {MAX_PRICES} prices"),
                    (
                        "schedules",
                        MAX_SCHEDULES,
                        f"Give at most {MAX_SCHEDULES} opening times a week",
                    ),
                )
                if isinstance(data.get(name), list) and len(data[name]) > limit
            }
            if too_many:
                raise serializers.ValidationError(too_many)
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.context.get("creating") and not attrs.get("category"):
            raise serializers.ValidationError(
                {"category": ["Choose a category, as listed at /api/catalogue/categories/"]}
            )
        return attrs


class PortalServiceOut(serializers.ModelSerializer):
    """A service as its provider manages it (any status)."""

    category = CategoryOut()
    location = serializers.UUIDField(source="location_id", allow_null=True)
    prices = PriceOut(many=True)
    schedules = ScheduleOut(many=True)
    images = ImageOut(many=True)

    class Meta:
        model = Service
        fields = [
            "id",
            *SERVICE_FIELDS,
            "status",
            "price_from_pence",
            "price_from_unit",
            "prices",
            "schedules",
            "images",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ImageUploadInput(serializers.Serializer):
    image = serializers.FileField(help_text="JPG, PNG or WebP")
    alt_text = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="What the picture shows, for people who cannot see it (required)",
    )


class ServiceDecisionOut(serializers.Serializer):
    service_id = serializers.UUIDField()
    service_name = serializers.CharField()
    status = serializers.CharField()


class CouncilDecisionsOut(serializers.Serializer):
    council = serializers.CharField()
    council_name = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField(help_text="Why the council suspended you (empty if approved)")
    services = ServiceDecisionOut(many=True)


class ProviderReviewOut(serializers.Serializer):
    council = serializers.CharField()
    council_name = serializers.CharField()
    id = serializers.IntegerField()
    service_id = serializers.UUIDField()
    service_name = serializers.CharField()
    rating = serializers.IntegerField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()
    provider_reply = serializers.CharField()
    replied_at = serializers.DateTimeField(allow_null=True)


class ReviewReplyInput(serializers.Serializer):
    council = serializers.CharField(max_length=63, help_text="The council's slug")
    review = serializers.IntegerField(min_value=1, help_text="The review's id in that council")
    reply = serializers.CharField(allow_blank=True, max_length=5000)


# --- Vetting --------------------------------------------------------------------


VETTING_DECISIONS = [
    Provider.Status.UNDER_REVIEW,
    Provider.Status.APPROVED,
    Provider.Status.REJECTED,
    Provider.Status.SUSPENDED,
]


class VettingListInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=Provider.Status.choices, required=False)


class DocumentReviewInput(serializers.Serializer):
    accept = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ProviderStatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=VETTING_DECISIONS)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class VettingProviderOut(ProviderOut):
    """A provider as the platform's operators vet it: with every document it uploaded
    (context["documents"]) and its places."""

    documents = serializers.SerializerMethodField()
    locations = LocationOut(many=True)

    @extend_schema_field(DocumentOut(many=True))
    def get_documents(self, provider: Provider) -> list[dict[str, Any]]:
        return DocumentOut(self.context["documents"], many=True).data  # type: ignore[return-value]

    class Meta(ProviderOut.Meta):
        fields = [*ProviderOut.Meta.fields, "documents", "locations"]
        read_only_fields = fields


class ProviderListOut(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")

    class Meta:
        model = Provider
        fields = ["id", "name", "legal_name", "email", "status", "status_reason", "created_at"]
        read_only_fields = fields


# --- A council's approvals, alerts and reviews ------------------------------------


class RegistryProviderOut(serializers.ModelSerializer):
    """A provider of the shared registry, with this council's decision (null: none)."""

    name = serializers.CharField(source="display_name")
    council_status = serializers.CharField(allow_null=True)
    council_reason = serializers.CharField(allow_null=True)
    council_decided_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = Provider
        fields = [
            "id",
            "name",
            "legal_name",
            "cqc_provider_id",
            "email",
            "phone",
            "website",
            "council_status",
            "council_reason",
            "council_decided_at",
        ]
        read_only_fields = fields


class RegistryServiceOut(serializers.ModelSerializer):
    provider = ProviderRefOut()
    category = CategoryOut()
    council_status = serializers.CharField(allow_null=True)
    council_agreed_price_pence = serializers.IntegerField(allow_null=True)
    council_reason = serializers.CharField(allow_null=True)
    council_decided_at = serializers.DateTimeField(allow_null=True)
    provider_council_status = serializers.CharField(allow_null=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "summary",
            "provider",
            "category",
            "delivery_mode",
            "price_from_pence",
            "price_from_unit",
            "council_status",
            "council_agreed_price_pence",
            "council_reason",
            "council_decided_at",
            "provider_council_status",
        ]
        read_only_fields = fields


# Named choice sets, so the OpenAPI enums get names (SPECTACULAR_SETTINGS).
DECISIONS = ["approved", "suspended"]
DECISION_FILTERS = [*DECISIONS, "undecided"]


class ProviderApprovalListInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=DECISION_FILTERS, required=False)


class ServiceApprovalListInput(ProviderApprovalListInput):
    provider = serializers.UUIDField(required=False, help_text="Only this provider's services")


class ProviderApprovalInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=DECISIONS)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="Needed to suspend. The provider is shown it: write it for them",
    )


class ServiceApprovalInput(ProviderApprovalInput):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000, help_text="Needed to suspend"
    )
    agreed_price_pence = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        max_value=MAX_PRICE_PENCE,
        help_text="A price agreed with the provider, in pence",
    )


class ProviderApprovalOut(serializers.Serializer):
    provider = ProviderRefOut()
    status = serializers.CharField()
    reason = serializers.CharField()
    decided_at = serializers.DateTimeField()


class ServiceRefOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class ServiceApprovalOut(serializers.Serializer):
    service = ServiceRefOut()
    status = serializers.CharField()
    agreed_price_pence = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()
    decided_at = serializers.DateTimeField()


class PersonOut(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    full_name = serializers.CharField()


class AlertLocationOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    postcode = serializers.CharField()


class RatingAlertListInput(serializers.Serializer):
    acknowledged = serializers.ChoiceField(choices=["true", "false"], required=False)


class RatingAlertOut(serializers.Serializer):
    id = serializers.IntegerField()
    provider = ProviderRefOut()
    location = AlertLocationOut(allow_null=True)
    cqc_location_id = serializers.CharField()
    previous = serializers.CharField()
    current = serializers.CharField()
    report_date = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    acknowledged_by = PersonOut(allow_null=True)


class ReviewOut(serializers.Serializer):
    """A review as people of the council see it: no name of who wrote it."""

    id = serializers.IntegerField()
    rating = serializers.IntegerField()
    comment = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    provider_reply = serializers.CharField()
    replied_at = serializers.DateTimeField(allow_null=True)


class ReviewSubmitInput(serializers.Serializer):
    rating = serializers.IntegerField(help_text="1 (poor) to 5 (excellent)")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    on_behalf_of = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="The person you write for"
    )


class ReviewModerationListInput(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=Review.Status.choices, required=False, default=Review.Status.PENDING
    )


class ReviewModerationOut(ReviewOut):
    service = ServiceRefOut()
    provider = ProviderRefOut(source="service.provider")
    author = PersonOut()
    on_behalf_of = PersonOut(allow_null=True)
    moderation_reason = serializers.CharField()
    moderated_at = serializers.DateTimeField(allow_null=True)
    moderated_by = PersonOut(allow_null=True)


class ReviewModerateInput(serializers.Serializer):
    publish = serializers.BooleanField()
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000, help_text="Needed to reject"
    )
