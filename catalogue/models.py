"""The shared provider registry, in the public schema.

A provider registers once, is vetted once by the platform and is then approved by each
council separately (catalogue.council holds those approvals, in tenant schemas). Ids
are UUIDs because Open Referral publishes them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class Taxonomy(models.Model):
    """A classification scheme: ours (care and support) or one we map to."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField()
    uri = models.URLField(blank=True)
    version = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "taxonomies"

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    """One term. Terms of our own taxonomy are the service categories; `equivalents`
    maps each to terms of outside taxonomies, published together in Open Referral."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.PROTECT, related_name="terms")
    code = models.SlugField(max_length=100)
    name = models.CharField(max_length=200)
    description = models.TextField()
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    term_uri = models.URLField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    equivalents = models.ManyToManyField("self", symmetrical=False, blank=True)

    class Meta:
        ordering = ["taxonomy", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "code"], name="taxonomy_term_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Upload(models.Model):
    """A stored file (an image or a vetting document). Kept in the database so every
    web and worker process sees it, backed up with the records that refer to it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    content = models.BinaryField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=255)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name


class Provider(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        UNDER_REVIEW = "under_review", "Under review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SUSPENDED = "suspended", "Suspended"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    legal_name = models.CharField(max_length=200)
    trading_name = models.CharField(max_length=200, blank=True)
    companies_house_number = models.CharField(max_length=8, blank=True)
    charity_number = models.CharField(max_length=8, blank=True)
    cqc_provider_id = models.CharField(max_length=20, blank=True)
    description = models.TextField(blank=True)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    website = models.URLField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.APPLIED)
    status_reason = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(Lower("legal_name"), name="provider_legal_name_unique_ci"),
            models.UniqueConstraint(
                fields=["companies_house_number"],
                condition=~Q(companies_house_number=""),
                name="provider_companies_house_unique",
            ),
            models.UniqueConstraint(
                fields=["charity_number"],
                condition=~Q(charity_number=""),
                name="provider_charity_number_unique",
            ),
            models.UniqueConstraint(
                fields=["cqc_provider_id"],
                condition=~Q(cqc_provider_id=""),
                name="provider_cqc_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.trading_name or self.legal_name


class PayoutDetails(models.Model):
    """Where a provider's money goes: the email of its PayPal account, for councils
    that pay by PayPal, and a UK bank account, for councils that pay by BACS."""

    provider = models.OneToOneField(
        Provider, on_delete=models.CASCADE, primary_key=True, related_name="payout_details"
    )
    paypal_email = models.EmailField(blank=True)
    # BACS carries at most 18 characters of the payee's name.
    bank_account_name = models.CharField(max_length=18, blank=True)
    bank_sort_code = models.CharField(max_length=6, blank=True)
    bank_account_number = models.CharField(max_length=8, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(bank_sort_code="") | Q(bank_sort_code__regex=r"^[0-9]{6}$"),
                name="payout_details_sort_code_digits",
            ),
            models.CheckConstraint(
                condition=Q(bank_account_number="") | Q(bank_account_number__regex=r"^[0-9]{8}$"),
                name="payout_details_account_number_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"payout details of {self.provider_id}"


class ProviderMember(models.Model):
    """A public-schema user who works for a provider. One account serves every council."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        STAFF = "staff", "Staff"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider_memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "user"], name="provider_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.provider_id}"


class VettingDocument(models.Model):
    """One item of the platform's vetting checklist, uploaded by the provider."""

    class Kind(models.TextChoices):
        INSURANCE = "insurance", "Public liability insurance"
        DBS_POLICY = "dbs_policy", "DBS checks policy"
        SAFEGUARDING_POLICY = "safeguarding_policy", "Safeguarding policy"
        CQC_REGISTRATION = "cqc_registration", "CQC registration"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    upload = models.ForeignKey(Upload, on_delete=models.PROTECT, related_name="+")
    expires_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    review_note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # The last expiry reminder sent (days before expiry), so each is sent once.
    reminded_days_before = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class Postcode(models.Model):
    """A postcode centroid (ONS Postcode Directory, or cached from postcodes.io)."""

    class Source(models.TextChoices):
        ONSPD = "onspd", "ONS Postcode Directory"
        POSTCODES_IO = "postcodes_io", "postcodes.io"

    # Upper case, one space before the inward code: "SW1A 1AA".
    postcode = models.CharField(max_length=8, primary_key=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    district_code = models.CharField(max_length=9, blank=True)
    terminated = models.BooleanField(default=False)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.ONSPD)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.postcode


class CqcLocation(models.Model):
    """The latest CQC record for a registered location, whether or not it is ours yet."""

    class Rating(models.TextChoices):
        OUTSTANDING = "Outstanding"
        GOOD = "Good"
        REQUIRES_IMPROVEMENT = "Requires improvement"
        INADEQUATE = "Inadequate"

    location_id = models.CharField(max_length=20, primary_key=True)
    provider_id = models.CharField(max_length=20, blank=True, db_index=True)
    name = models.CharField(max_length=300)
    postcode = models.CharField(max_length=8, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    registration_status = models.CharField(max_length=30, blank=True)
    service_types = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    overall = models.CharField(max_length=30, choices=Rating.choices, blank=True)
    report_date = models.DateField(null=True, blank=True)
    safe = models.CharField(max_length=30, choices=Rating.choices, blank=True)
    effective = models.CharField(max_length=30, choices=Rating.choices, blank=True)
    caring = models.CharField(max_length=30, choices=Rating.choices, blank=True)
    responsive = models.CharField(max_length=30, choices=Rating.choices, blank=True)
    well_led = models.CharField(max_length=30, choices=Rating.choices, blank=True)
    # 4 = Outstanding … 1 = Inadequate, 0 = not rated: filters and sorts use it.
    overall_rank = models.PositiveSmallIntegerField(default=0)
    synced_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} ({self.location_id})"


class CqcRatingChange(models.Model):
    """Append-only history of overall ratings as we saw them change."""

    location_id = models.CharField(max_length=20, db_index=True)
    previous = models.CharField(max_length=30, blank=True)
    current = models.CharField(max_length=30, blank=True)
    report_date = models.DateField(null=True, blank=True)
    detected_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=20)  # "api" or "csv"

    def __str__(self) -> str:
        return f"{self.location_id}: {self.previous or 'none'} to {self.current or 'none'}"


class CqcSyncState(models.Model):
    """Where the incremental sync got to. One row per feed."""

    feed = models.CharField(max_length=30, primary_key=True)
    synced_until = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_result = models.CharField(max_length=20, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.feed


class Location(models.Model):
    class AreaKind(models.TextChoices):
        RADIUS = "radius", "Within a distance"
        DISTRICTS = "districts", "Named districts"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=200)
    address_1 = models.CharField(max_length=200)
    address_2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    postcode = models.CharField(max_length=8)
    latitude = models.FloatField()
    longitude = models.FloatField()
    # Not a database constraint: a location may name a CQC id before the sync sees it.
    cqc = models.ForeignKey(
        CqcLocation,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        db_column="cqc_location_id",
        related_name="+",
    )
    area_kind = models.CharField(max_length=10, choices=AreaKind.choices, default=AreaKind.RADIUS)
    area_radius_miles = models.PositiveSmallIntegerField(null=True, blank=True)
    area_districts = ArrayField(models.CharField(max_length=100), default=list, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="location_lat_lon")]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="location_lat_lon_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    class DeliveryMode(models.TextChoices):
        AT_HOME = "at_home", "At home"
        AT_VENUE = "at_venue", "At a venue"
        ONLINE = "online", "Online"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="services")
    # Where it is delivered from; none for online-only services.
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="services"
    )
    # The Open Referral id of this service at its location.
    service_at_location_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    summary = models.CharField(max_length=300)
    description = models.TextField()
    category = models.ForeignKey(TaxonomyTerm, on_delete=models.PROTECT, related_name="services")
    delivery_mode = models.CharField(max_length=10, choices=DeliveryMode.choices)
    minimum_booking = models.PositiveSmallIntegerField(default=1)
    cancellation_notice_hours = models.PositiveSmallIntegerField(default=24)
    languages = ArrayField(models.CharField(max_length=3), default=list, blank=True)
    accessibility = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The cheapest price option, kept by the services that change prices, so search
    # can filter and sort by price without aggregating.
    price_from_pence = models.BigIntegerField(null=True, blank=True)
    price_from_unit = models.CharField(max_length=10, blank=True)
    # When what a council approved last changed (category, place, how it is delivered,
    # prices). Approvals decided before this no longer count: the council looks again.
    terms_changed_at = models.DateTimeField(null=True, blank=True)
    search_vector = models.GeneratedField(
        expression=SearchVector("name", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("description", weight="C", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            GinIndex(fields=["search_vector"], name="service_search_vector"),
            GinIndex(fields=["languages"], name="service_languages"),
            GinIndex(fields=["accessibility"], name="service_accessibility"),
            models.Index(fields=["category", "status"], name="service_category_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_from_pence__isnull=True) | Q(price_from_pence__gte=0),
                name="service_price_from_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(delivery_mode="online") | Q(location__isnull=False),
                name="service_location_unless_online",
            ),
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(minimum_age__lte=models.F("maximum_age")),
                name="service_age_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PriceOption(models.Model):
    class Unit(models.TextChoices):
        HOUR = "hour", "an hour"
        VISIT = "visit", "a visit"
        SESSION = "session", "a session"
        DAY = "day", "a day"
        WEEK = "week", "a week"
        ITEM = "item", "each"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="prices")
    label = models.CharField(max_length=100, blank=True)
    amount_pence = models.BigIntegerField()
    unit = models.CharField(max_length=10, choices=Unit.choices)

    class Meta:
        ordering = ["amount_pence"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_pence__gt=0), name="price_option_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount_pence}p {self.get_unit_display()}"


class Schedule(models.Model):
    """When a service is offered: one row per weekday and opening span."""

    class Weekday(models.IntegerChoices):
        MONDAY = 1
        TUESDAY = 2
        WEDNESDAY = 3
        THURSDAY = 4
        FRIDAY = 5
        SATURDAY = 6
        SUNDAY = 7

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedules")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens_at = models.TimeField()
    closes_at = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens_at"]
        indexes = [models.Index(fields=["weekday", "service"], name="schedule_weekday_service")]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lt=models.F("closes_at")), name="schedule_opens_before_close"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at}-{self.closes_at}"


class ServiceImage(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="images")
    upload = models.ForeignKey(Upload, on_delete=models.PROTECT, related_name="+")
    alt_text = models.CharField(max_length=250)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            # Every picture is described, for people who cannot see it.
            models.CheckConstraint(
                condition=~Q(alt_text__regex=r"^\s*$"), name="service_image_alt_text_required"
            )
        ]

    def __str__(self) -> str:
        return self.alt_text
