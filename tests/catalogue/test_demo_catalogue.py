"""The demo catalogue: varied providers with prices, times and described pictures,
vetted by the platform, approved differently by each demo council; re-runs add nothing."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django_tenants.utils import schema_context
from PIL import Image

from accounts.models import User
from catalogue.council.models import ProviderApproval, Review, ServiceApproval
from catalogue.demo_data import PROVIDERS
from catalogue.demo_pictures import PICTURES, picture_alt, picture_png
from catalogue.models import (
    CqcLocation,
    Location,
    PriceOption,
    Provider,
    Schedule,
    Service,
    ServiceImage,
    TaxonomyTerm,
    Upload,
    VettingDocument,
)
from catalogue.selectors import review_summaries, service_search
from catalogue.taxonomy import CARE_TAXONOMY
from core.models import AuditEntry
from epurse.demo import demo_seed

pytestmark = pytest.mark.django_db
PASSWORD = "demo-password-for-tests"

ASHDOWN_SERVICES = [
    "Care at home in your language",
    "Community choir",
    "Daily living aids",
    "Dementia-friendly day care",
    "Drumming group",
    "Friday lunch club",
    "Garden help at home",
    "Help at home in Oakley",
    "Hydrotherapy",
    "Independent advocacy",
    "Online chair exercise",
    "Over-55s swim and social",
    "Payroll for PA employers",
    "Sitting service",
    "Swimming for all",
    "Volunteer car scheme",
    "Wheelchair hire",
]
RIVERSIDE_SERVICES = [
    "Daily living aids",
    "Home care visits",
    "Led health walks",
    "Minor adaptations fitted",
    "Night sitting",
    "Online chair exercise",
    "Overnight short breaks",
    "Wheelchair hire",
]


def _visible(slug: str) -> list[str]:
    with schema_context(slug):
        return sorted(s.name for s in service_search())


def test_the_demo_catalogue_is_varied_and_complete() -> None:
    # When the demo is seeded
    sites = demo_seed(password=PASSWORD)

    # Then about thirty providers are registered: all but two vetted and approved
    demo = Provider.objects.filter(email__endswith=".example")
    assert Counter(demo.values_list("status", flat=True)) == {
        "approved": 30,
        "under_review": 1,
        "applied": 1,
    }
    # with services in every category of the care taxonomy
    services = Service.objects.filter(provider__in=demo)
    assert services.count() == 46
    assert set(services.values_list("category__code", flat=True)) == set(
        TaxonomyTerm.objects.filter(taxonomy__code=CARE_TAXONOMY).values_list("code", flat=True)
    )
    assert Counter(services.values_list("status", flat=True)) == {"published": 44, "draft": 2}
    assert set(services.values_list("delivery_mode", flat=True)) == {
        "at_home",
        "at_venue",
        "online",
    }
    assert services.filter(delivery_mode="online", location__isnull=True).count() == 4
    # each with prices in pence, its cheapest kept on the service for search, and times
    units = set()
    for service in services.prefetch_related("prices", "schedules", "images__upload"):
        prices = sorted(service.prices.all(), key=lambda p: (p.amount_pence, p.unit))
        assert prices, service.name
        assert (service.price_from_pence, service.price_from_unit) == (
            prices[0].amount_pence,
            prices[0].unit,
        )
        units |= {p.unit for p in prices}
        assert service.schedules.exists(), service.name
        # and at least one picture: a real 480x320 PNG, described by its alt text
        images = list(service.images.all())
        assert images, service.name
        for image in images:
            assert image.alt_text in {alt for alt, _ in PICTURES.values()}
            assert image.upload.content_type == "image/png"
            with Image.open(io.BytesIO(bytes(image.upload.content))) as png:
                assert (png.format, png.size) == ("PNG", (480, 320))
    assert units == set(PriceOption.Unit.values)
    assert services.filter(languages__contains=["pl"]).exists()
    assert services.filter(languages__contains=["sgn"], accessibility__contains=["bsl"]).exists()
    assert services.filter(accessibility__contains=["changing_places"]).count() == 5
    # Locations come from the demo postcodes; some are CQC locations with ratings
    assert set(Location.objects.filter(provider__in=demo).values_list("city", flat=True)) == {
        "Kingsmere",
        "Thornby",
        "Ashdown",
        "Oakley",
    }
    rated = Location.objects.filter(provider__in=demo, cqc__isnull=False)
    assert sorted(rated.values_list("cqc__overall", flat=True)) == [
        "Good",
        "Good",
        "Good",
        "Outstanding",
        "Outstanding",
        "Requires improvement",
    ]
    assert CqcLocation.objects.get(location_id="1-201000005").well_led == "Requires improvement"
    # Vetting: every document of an approved provider accepted; the queue still waiting
    documents = VettingDocument.objects.filter(provider__in=demo)
    assert set(documents.values_list("upload__content_type", flat=True)) == {"application/pdf"}
    assert set(documents.filter(provider__status="approved").values_list("status", flat=True)) == {
        "accepted"
    }
    queue = documents.exclude(provider__status="approved")
    assert sorted(queue.values_list("provider__status", "kind", "status")) == [
        ("applied", "insurance", "pending"),
        ("under_review", "dbs_policy", "pending"),
        ("under_review", "insurance", "pending"),
        ("under_review", "safeguarding_policy", "pending"),
    ]
    # Two provider owners sign in with the demo password; the others have not set one
    owners = {u.email: u for u in User.objects.filter(email__startswith="owner@")}
    assert len(owners) == 32
    assert sorted(e for e, u in owners.items() if u.has_usable_password()) == [
        "owner@fresh-start-care.example",
        "owner@kingsmere-home-care.example",
    ]
    assert owners["owner@kingsmere-home-care.example"].check_password(PASSWORD)
    assert sites[-1].logins == [
        "operator@platform.example",
        "owner@kingsmere-home-care.example (provider: Kingsmere Home Care Ltd, approved)",
        "owner@fresh-start-care.example (provider: Fresh Start Care Services Ltd, applied)",
    ]


def test_each_demo_council_approves_its_own_selection() -> None:
    demo_seed(password=PASSWORD)

    kingsmere, ashdown = _visible("kingsmere"), _visible("ashdown")
    assert len(kingsmere) == 34
    assert _visible("ashdown") == ASHDOWN_SERVICES
    assert _visible("riverside") == RIVERSIDE_SERVICES
    # Kingsmere offers Bright Days; Ashdown suspended it, with a reason
    assert {"Live-in care", "Help at home"} <= set(kingsmere)
    assert not {"Live-in care", "Help at home"} & set(ashdown)
    with schema_context("ashdown"):
        suspended = ProviderApproval.objects.get(status="suspended")
        assert suspended.provider.legal_name == "Bright Days Care Ltd"
        assert suspended.reason.startswith("Paused while the council looks into a complaint")
        # and agreed a price for one service, which its search shows
        agreed = ServiceApproval.objects.exclude(agreed_price_pence=None).get()
        assert (agreed.service.name, agreed.agreed_price_pence) == ("Help at home in Oakley", 2150)
        found = service_search(text="Oakley", category="home-care").get()
        assert (found.price_pence, found.price_from_pence) == (2150, 2350)  # type: ignore[attr-defined]
    # Each council left out a service of a provider it approves
    assert "Pottery for beginners" not in kingsmere
    assert "Accessible gym sessions" not in ashdown
    assert "Emergency respite" not in _visible("riverside")
    # Nothing unvetted or unpublished is offered anywhere
    for hidden in ("Home care", "Therapy dog visits", "Life drawing"):
        assert hidden not in kingsmere + ashdown


def test_demo_reviews_are_moderated_per_council() -> None:
    demo_seed(password=PASSWORD)

    with schema_context("kingsmere"):
        admin = User.objects.get(email="admin@kingsmere.example")
        person = User.objects.get(email="person@kingsmere.example")
        reviews = Review.objects.select_related("service", "author", "on_behalf_of")
        assert sorted(
            (r.service.name, r.rating, r.status, r.on_behalf_of_id == person.pk) for r in reviews
        ) == [
            ("Day centre", 4, "published", True),
            ("Dial-a-ride minibus", 5, "published", False),
            ("Home care visits", 5, "published", False),
            ("Painting and drawing class", 3, "pending", True),
            ("Swimming for all", 4, "pending", False),
        ]
        assert {r.moderated_by_id for r in reviews if r.status == "published"} == {admin.pk}
        home_care = reviews.get(service__name="Home care visits")
        assert home_care.provider_reply.startswith("Thank you, Margaret")
        summaries = review_summaries(service_ids=[r.service_id for r in reviews])
        assert sorted(summaries.values()) == [(4.0, 1), (5.0, 1), (5.0, 1)]
    with schema_context("ashdown"):
        assert Counter(Review.objects.values_list("status", flat=True)) == {
            "published": 2,
            "pending": 1,
        }
    with schema_context("riverside"):
        assert not Review.objects.exists()


def test_seeding_the_demo_again_adds_nothing_and_keeps_changes() -> None:
    demo_seed(password=PASSWORD)
    # Given someone changed a demo service and an approval by hand
    Service.objects.filter(name="Swimming for all").update(summary="Changed by hand")
    with schema_context("kingsmere"):
        ServiceApproval.objects.filter(service__name="Hydrotherapy").update(agreed_price_pence=999)
    models = (
        Provider,
        Location,
        Service,
        PriceOption,
        Schedule,
        ServiceImage,
        Upload,
        VettingDocument,
        CqcLocation,
        User,
    )
    before = {model.__name__: model.objects.count() for model in models}
    with schema_context("kingsmere"):
        decisions = (ProviderApproval.objects.count(), ServiceApproval.objects.count())
        reviews = Review.objects.count()
        audit_entries = AuditEntry.objects.count()
    platform_audit_entries = AuditEntry.objects.count()

    # When the demo is seeded again
    demo_seed(password=PASSWORD)

    # Then nothing is duplicated and the changes are kept
    assert {model.__name__: model.objects.count() for model in models} == before
    assert Service.objects.get(name="Swimming for all").summary == "Changed by hand"
    with schema_context("kingsmere"):
        assert (ProviderApproval.objects.count(), ServiceApproval.objects.count()) == decisions
        assert ServiceApproval.objects.get(service__name="Hydrotherapy").agreed_price_pence == 999
        assert Review.objects.count() == reviews
        assert AuditEntry.objects.count() == audit_entries
    assert AuditEntry.objects.count() == platform_audit_entries
    # Every provider in the demo data is there once
    assert sorted(Provider.objects.values_list("legal_name", flat=True)) == sorted(
        spec.legal_name for spec in PROVIDERS
    )


def test_every_demo_picture_is_a_distinct_drawing_with_a_description() -> None:
    used = {code for spec in PROVIDERS for offer in spec.offers for code in offer.pictures}
    assert used == set(PICTURES)
    pngs = {code: picture_png(code) for code in PICTURES}
    assert len(set(pngs.values())) == len(PICTURES)
    for code, content in pngs.items():
        assert picture_alt(code).startswith(("A drawing of", "A simple side-on drawing of"))
        assert len(picture_alt(code)) <= 250
        with Image.open(io.BytesIO(content)) as image:
            # Drawings, not blank canvases: many colours
            assert len(image.convert("RGB").getcolors(maxcolors=100_000) or []) > 20
