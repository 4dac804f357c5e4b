"""The provider portal's API on the platform's host: registering, the organisation,
vetting documents, places, services with prices, times and pictures, and which
councils approve the provider. Another provider's objects are never found."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.services import user_create
from catalogue.council.models import RatingAlert
from catalogue.council.services import provider_approval_set, service_approval_set
from catalogue.models import (
    Location,
    PriceOption,
    Provider,
    ProviderMember,
    Schedule,
    Service,
    ServiceImage,
    Upload,
    VettingDocument,
)
from catalogue.services.listings import service_image_add
from catalogue.services.providers import provider_status_change, vetting_document_upload
from epurse.db import use_public_schema
from tests.conftest import PASSWORD, host_client

from . import factories as f
from .api_support import (
    API,
    PUBLIC_HOST,
    approve,
    audit_actions,
    council_client,
    field_errors,
    problem,
    public_signed_in,
)

pytestmark = pytest.mark.django_db

NEXT_YEAR = (timezone.localdate() + dt.timedelta(days=365)).isoformat()
FILE_CONTENT_COLUMN = '"catalogue_upload"."content"'


@pytest.fixture
def owner():
    provider, user = f.provider_registered("Careful Hands Ltd")
    return provider, user, public_signed_in(user)


@pytest.fixture
def other():
    """A second provider, whose objects the first must never reach."""
    provider, user = f.provider_registered("Someone Else Ltd")
    place = f.location_made(provider, user, "NM2 3CC", name="Their office")
    service = f.service_made(provider, user, location=place, name="Their service")
    return provider, user, place, service


def _registration(**overrides):
    data = {
        "legal_name": "Bright Days Ltd",
        "trading_name": "Bright Days",
        "email": "office@brightdays.example",
        "owner_email": "ada@brightdays.example",
        "owner_name": "Ada Lovelace",
        "owner_password": PASSWORD,
        "companies_house_number": "01234567",
    }
    data.update(overrides)
    return data


def _counts():
    use_public_schema()
    return (Provider.objects.count(), User.objects.count(), ProviderMember.objects.count())


# --- Registering ------------------------------------------------------------------


def test_an_organisation_registers_with_its_first_user(public_client):
    response = public_client.post(
        f"{API}/providers/", _registration(), content_type="application/json"
    )

    assert response.status_code == 201
    body = response.json()
    provider = Provider.objects.get()
    assert body["id"] == str(provider.pk)
    assert (body["name"], body["legal_name"], body["status"]) == (
        "Bright Days",
        "Bright Days Ltd",
        "applied",
    )
    assert [(i["kind"], i["required"], i["done"], i["document"]) for i in body["checklist"]] == [
        ("insurance", True, False, None),
        ("dbs_policy", True, False, None),
        ("safeguarding_policy", True, False, None),
        ("cqc_registration", False, False, None),
    ]
    member = ProviderMember.objects.get()
    assert (member.provider, member.user.email, member.role) == (
        provider,
        "ada@brightdays.example",
        "owner",
    )
    assert audit_actions()[-2:] == ["user.created", "provider.registered"]
    # The owner signs in on the platform's host like any other user.
    token = public_client.post(
        "/api/auth/token/",
        {"email": "ada@brightdays.example", "password": PASSWORD},
        content_type="application/json",
    )
    assert token.status_code == 200


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"legal_name": " "}, {"legal_name": ["This field may not be blank."]}),
        (
            {"email": "not-an-email"},
            {"email": ["Enter an email address in the correct format, like name@example.com"]},
        ),
        (
            {"companies_house_number": "123"},
            {
                "companies_house_number": [
                    "Enter a Companies House number of 8 characters, like 01234567 or SC123456"
                ]
            },
        ),
        (
            {"owner_password": "short"},
            {
                "owner_password": [
                    "This password is too short. It must contain at least 12 characters."
                ]
            },
        ),
        (
            {"legal_name": "Bright\x00Days Ltd", "owner_name": "Ada\x00"},
            {
                "legal_name": ["Null characters are not allowed."],
                "owner_name": ["Null characters are not allowed."],
            },
        ),
    ],
)
def test_bad_registrations_are_explained_and_write_nothing(public_client, overrides, errors):
    before = _counts()

    response = public_client.post(
        f"{API}/providers/", _registration(**overrides), content_type="application/json"
    )

    assert field_errors(response) == errors
    assert _counts() == before


def test_an_organisation_registers_once(owner, public_client):
    before = _counts()

    response = public_client.post(
        f"{API}/providers/",
        _registration(legal_name="careful hands ltd"),
        content_type="application/json",
    )

    assert field_errors(response) == {
        "legal_name": ["An organisation with this name is already registered"]
    }
    assert _counts() == before


def test_the_portal_is_not_on_a_councils_host(tenant_a):
    admin = council_client(tenant_a, tenant_a.admin)

    for method, path in (
        ("post", f"{API}/providers/"),
        ("get", f"{API}/provider/"),
        ("get", f"{API}/provider/services/"),
        ("get", f"{API}/provider/councils/"),
    ):
        response = getattr(admin, method)(path, _registration(), content_type="application/json")
        assert problem(response, 404)["type"] == "not_found", path
    assert Provider.objects.count() == 0


# --- The organisation -------------------------------------------------------------


def test_members_see_their_organisation_with_status_and_checklist(owner):
    provider, user, client = owner
    ends = timezone.localdate() + dt.timedelta(days=30)
    doc = vetting_document_upload(
        provider=provider,
        kind="insurance",
        content=f.PDF,
        name="cover.pdf",
        expires_on=ends,
        by=user,
    )

    body = client.get(f"{API}/provider/").json()

    assert (body["status"], body["status_label"], body["status_reason"]) == (
        "applied",
        "Applied",
        "",
    )
    assert body["checklist"][0] == {
        "kind": "insurance",
        "label": "Public liability insurance",
        "required": True,
        "done": False,
        "expired": False,
        "document": {
            "id": str(doc.pk),
            "status": "pending",
            "expires_on": ends.isoformat(),
            "review_note": "",
            "uploaded_at": body["checklist"][0]["document"]["uploaded_at"],
        },
    }


def test_a_rejection_reason_is_shown(owner):
    provider, _, client = owner
    provider_status_change(
        provider=provider, status="rejected", reason="Not a care provider", by=f.operator()
    )

    body = client.get(f"{API}/provider/").json()

    assert (body["status"], body["status_reason"]) == ("rejected", "Not a care provider")


def test_who_may_use_the_portal(owner):
    stranger = user_create(
        email="stranger@provider.example",
        full_name="Stranger",
        role_codes=["provider_staff"],
        password=PASSWORD,
    )

    assert problem(host_client(PUBLIC_HOST).get(f"{API}/provider/"), 401)["type"] == (
        "not_authenticated"
    )
    assert problem(public_signed_in(f.operator()).get(f"{API}/provider/"), 403)["detail"] == (
        "You do not have permission to do this."
    )
    assert problem(public_signed_in(stranger).get(f"{API}/provider/"), 403)["detail"] == (
        "Your account is not a member of a provider."
    )
    assert audit_actions().count("api.access_denied") == 3


def test_members_change_their_details(owner):
    provider, _, client = owner

    response = client.patch(
        f"{API}/provider/",
        {"trading_name": "Careful Hands", "phone": "0115 496 0000"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["phone"]) == (
        "Careful Hands",
        "0115 496 0000",
    )
    provider.refresh_from_db()
    assert provider.trading_name == "Careful Hands"
    assert audit_actions()[-1] == "provider.updated"


def test_bad_details_are_refused_and_nothing_changes(owner):
    provider, _, client = owner

    response = client.patch(
        f"{API}/provider/",
        {"trading_name": "New name", "website": "not a site"},
        content_type="application/json",
    )

    assert field_errors(response) == {
        "website": ["Enter a website address, like https://www.example.org"]
    }
    provider.refresh_from_db()
    assert provider.trading_name == ""


# --- Vetting documents ------------------------------------------------------------


def _upload(client, **fields):
    data = {
        "kind": "insurance",
        "expires_on": NEXT_YEAR,
        "document": SimpleUploadedFile("cover.pdf", f.PDF, content_type="application/pdf"),
    }
    data.update(fields)
    return client.post(f"{API}/provider/documents/", data)


def test_a_document_is_uploaded_listed_and_downloaded(owner):
    _, _, client = owner

    response = _upload(client)

    assert response.status_code == 201
    body = response.json()
    doc = VettingDocument.objects.get()
    assert body == {
        "id": str(doc.pk),
        "kind": "insurance",
        "kind_label": "Public liability insurance",
        "status": "pending",
        "expires_on": NEXT_YEAR,
        "review_note": "",
        "reviewed_at": None,
        "uploaded_at": body["uploaded_at"],
        "file_name": "cover.pdf",
        "content_type": "application/pdf",
        "size": len(f.PDF),
    }
    assert audit_actions()[-1] == "provider.document_uploaded"
    listed = client.get(f"{API}/provider/documents/").json()
    assert [d["id"] for d in listed["results"]] == [str(doc.pk)]
    download = client.get(f"{API}/provider/documents/{doc.pk}/file/")
    assert download.status_code == 200
    assert download.content == f.PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="cover.pdf"'
    assert download["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {
                "document": SimpleUploadedFile(
                    "notes.txt", b"just some text", content_type="text/plain"
                )
            },
            {"document": ["The selected file must be a PDF, JPG or PNG"]},
        ),
        (
            {"kind": "passport"},
            {
                "kind": [
                    "Choose the kind of document: one of insurance, dbs_policy, "
                    "safeguarding_policy, cqc_registration"
                ]
            },
        ),
        ({"expires_on": ""}, {"expires_on": ["Enter the date the insurance ends"]}),
        (
            {"expires_on": "2001-01-01"},
            {"expires_on": ["The expiry date must be today or in the future"]},
        ),
        (
            {"document": ""},
            {
                "document": [
                    "The submitted data was not a file. Check the encoding type on the form."
                ]
            },
        ),
    ],
)
def test_bad_documents_are_refused_and_nothing_is_stored(owner, fields, errors):
    _, _, client = owner

    response = _upload(client, **fields)

    assert field_errors(response) == errors
    assert VettingDocument.objects.count() == 0
    assert Upload.objects.count() == 0


def test_an_oversized_document_is_refused(owner, settings):
    _, _, client = owner
    settings.DOCUMENT_MAX_BYTES = 1000
    big = f.PDF + b"0" * 1000

    response = _upload(
        client, document=SimpleUploadedFile("big.pdf", big, content_type="application/pdf")
    )

    assert field_errors(response) == {"document": ["The file must be smaller than 1 KB"]}
    assert Upload.objects.count() == 0


def test_another_providers_document_is_not_found(owner, other):
    _, _, client = owner
    their_provider, their_user, _, _ = other
    theirs = vetting_document_upload(
        provider=their_provider,
        kind="dbs_policy",
        content=f.PDF,
        name="dbs.pdf",
        expires_on=None,
        by=their_user,
    )

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{API}/provider/documents/{theirs.pk}/file/")

    assert problem(response, 404)["type"] == "not_found"
    # The file itself was never read for someone who may not have it.
    assert [q["sql"] for q in queries if FILE_CONTENT_COLUMN in q["sql"]] == []
    assert client.get(f"{API}/provider/documents/").json()["count"] == 0


# --- Places -----------------------------------------------------------------------


def _place(**overrides):
    data = {
        "name": "Head office",
        "address_1": "2 Market Street",
        "city": "Northmoor",
        "postcode": "nm1 2bb",
        "area_radius_miles": 5,
    }
    data.update(overrides)
    return data


def test_places_are_created_read_changed_and_deleted(owner):
    f.postcodes_load()
    _, _, client = owner

    created = client.post(f"{API}/provider/locations/", _place(), content_type="application/json")

    assert created.status_code == 201
    place = Location.objects.get()
    assert created.json() == {
        "id": str(place.pk),
        "name": "Head office",
        "address_1": "2 Market Street",
        "address_2": "",
        "city": "Northmoor",
        "postcode": "NM1 2BB",
        "latitude": 52.96,
        "longitude": -1.15,
        "cqc_location_id": None,
        "area_kind": "radius",
        "area_radius_miles": 5,
        "area_districts": [],
    }
    path = f"{API}/provider/locations/{place.pk}/"
    assert client.get(path).json()["name"] == "Head office"
    assert client.get(f"{API}/provider/locations/").json()["count"] == 1
    changed = client.put(
        path,
        _place(postcode="NM2 3CC", area_kind="districts", area_districts=["Northmoor"]),
        content_type="application/json",
    )
    assert changed.status_code == 200
    assert (changed.json()["postcode"], changed.json()["area_districts"]) == (
        "NM2 3CC",
        ["Northmoor"],
    )
    assert client.delete(path).status_code == 204
    assert not Location.objects.exists()
    assert audit_actions()[-3:] == ["location.created", "location.updated", "location.deleted"]


def test_a_bad_postcode_is_explained_and_no_place_is_saved(owner):
    _, _, client = owner

    response = client.post(
        f"{API}/provider/locations/", _place(postcode="ZZ1 1ZZ"), content_type="application/json"
    )

    assert field_errors(response) == {
        "postcode": ["We could not find the postcode ZZ1 1ZZ. Check it and try again"]
    }
    assert not Location.objects.exists()


def test_a_place_services_use_is_kept(owner):
    provider, user, client = owner
    place = f.location_made(provider, user)
    f.service_made(provider, user, location=place)

    response = client.delete(f"{API}/provider/locations/{place.pk}/")

    assert problem(response, 400)["detail"] == (
        "Services are delivered from this place: move them to another place, or delete them, first"
    )
    assert Location.objects.filter(pk=place.pk).exists()


def test_a_place_councils_keep_records_about_is_kept(owner, tenant_a):
    provider, user, client = owner
    place = f.location_made(provider, user, cqc_location_id="1-000000001")
    with tenant_context(tenant_a.tenant):
        RatingAlert.objects.create(
            provider=provider,
            location=place,
            cqc_location_id="1-000000001",
            previous="Good",
            current="Inadequate",
        )
    use_public_schema()

    response = client.delete(f"{API}/provider/locations/{place.pk}/")

    assert problem(response, 400)["detail"] == (
        "Councils keep records about this place (CQC rating alerts), so it cannot be deleted"
    )
    assert Location.objects.filter(pk=place.pk).exists()
    assert "location.deleted" not in audit_actions()


def test_another_providers_place_is_not_found(owner, other):
    _, _, client = owner
    _, _, their_place, _ = other
    path = f"{API}/provider/locations/{their_place.pk}/"

    assert problem(client.get(path), 404)["type"] == "not_found"
    assert problem(client.put(path, _place(), content_type="application/json"), 404)
    assert problem(client.delete(path), 404)
    their_place.refresh_from_db()
    assert their_place.name == "Their office"


# --- Services ---------------------------------------------------------------------


def _service(location, **overrides):
    data = {
        "name": "Gardening club",
        "summary": "Grow vegetables with others",
        "description": "Weekly sessions in our garden.",
        "category": "community-activities",
        "delivery_mode": "at_venue",
        "location": str(location.pk) if location else None,
        "languages": ["en"],
        "accessibility": ["step_free"],
        "prices": [
            {"amount_pence": 750, "unit": "session", "label": "Standard"},
            {"amount_pence": 500, "unit": "session", "label": "Concession"},
        ],
        "schedules": [{"day": "tuesday", "opens_at": "10:00", "closes_at": "12:30"}],
    }
    data.update(overrides)
    return data


def test_a_service_is_created_as_a_draft_with_prices_and_times(owner):
    provider, user, client = owner
    place = f.location_made(provider, user)

    response = client.post(
        f"{API}/provider/services/", _service(place), content_type="application/json"
    )

    assert response.status_code == 201
    service = Service.objects.get()
    body = response.json()
    assert body["id"] == str(service.pk)
    assert (body["status"], body["location"], body["category"]) == (
        "draft",
        str(place.pk),
        {"code": "community-activities", "name": "Community activities"},
    )
    assert [(p["label"], p["amount_pence"], p["display"]) for p in body["prices"]] == [
        ("Concession", 500, "£5 a session"),
        ("Standard", 750, "£7.50 a session"),
    ]
    assert (body["price_from_pence"], body["price_from_unit"]) == (500, "session")
    assert body["schedules"] == [{"day": "tuesday", "opens_at": "10:00", "closes_at": "12:30"}]
    assert (body["languages"], body["accessibility"], body["images"]) == (
        ["en"],
        ["step_free"],
        [],
    )
    assert audit_actions()[-1] == "service.created"
    assert client.get(f"{API}/provider/services/").json()["count"] == 1


def test_a_service_is_changed_published_and_withdrawn(owner):
    provider, user, client = owner
    service = f.service_made(provider, user, location=None, name="Yoga", publish=False)
    path = f"{API}/provider/services/{service.pk}/"

    changed = client.patch(
        path,
        {"name": "Chair yoga", "prices": [{"amount_pence": 400, "unit": "session"}]},
        content_type="application/json",
    )

    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["summary"]) == (
        "Chair yoga",
        "Yoga, for adults who need support",
    )
    assert list(PriceOption.objects.values_list("amount_pence", "unit")) == [(400, "session")]
    # Times were not sent, so they are kept.
    assert Schedule.objects.filter(service=service).count() == 5
    read = client.get(path).json()
    assert (read["name"], read["status"], [p["amount_pence"] for p in read["prices"]]) == (
        "Chair yoga",
        "draft",
        [400],
    )
    assert len(read["schedules"]) == 5
    published = client.post(f"{path}publish/")
    assert (published.status_code, published.json()["status"]) == (200, "published")
    withdrawn = client.post(f"{path}withdraw/")
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")
    assert audit_actions()[-3:] == [
        "service.updated",
        "service.status_changed",
        "service.status_changed",
    ]


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"prices": [{"amount_pence": -500, "unit": "session"}]},
            {"prices": ["Each price must be more than £0"]},
        ),
        (
            {"prices": [{"amount_pence": 12.5, "unit": "session"}]},
            {"prices.0.amount_pence": ["A valid integer is required."]},
        ),
        ({"prices": []}, {"prices": ["Enter at least one price"]}),
        (
            {"category": "karaoke"},
            {
                "category": [
                    "There is no category called 'karaoke'. Choose one of: home-care, "
                    "personal-assistants, day-opportunities, short-breaks, equipment, "
                    "transport, community-activities, health-fitness, learning-work, "
                    "housing-support, advice-advocacy"
                ]
            },
        ),
        (
            {"category": None},
            {"category": ["This field may not be null."]},
        ),
        (
            {"schedules": [{"day": "someday", "opens_at": "10:00", "closes_at": "09:00"}]},
            {
                "schedules.0.day": [
                    "Unknown day 'someday'. Choose one of: monday, tuesday, wednesday, "
                    "thursday, friday, saturday, sunday"
                ]
            },
        ),
        (
            {"schedules": [{"day": "monday", "opens_at": "10:00", "closes_at": "09:00"}]},
            {"schedules": ["Each opening time must be before its closing time"]},
        ),
        (
            {"delivery_mode": "by_post"},
            {
                "delivery_mode": [
                    "Choose how the service is delivered: at home, at a venue or online"
                ]
            },
        ),
        (
            {"prices": [{"amount_pence": 100 + n, "unit": "session"} for n in range(21)]},
            {"prices": ["Give at most 20 prices"]},
        ),
        (
            {"schedules": [{"day": "monday", "opens_at": "09:00", "closes_at": "10:00"}] * 71},
            {"schedules": ["Give at most 70 opening times a week"]},
        ),
        (
            {"prices": [{"amount_pence": int("9" * 4000), "unit": "session"}]},
            {"prices": ["Each price must be £100,000 or less"]},
        ),
        (
            {"minimum_booking": 10**30, "minimum_age": 10**30},
            {
                "minimum_booking": ["Ensure this value is less than or equal to 32767."],
                "minimum_age": ["Ensure this value is less than or equal to 150."],
            },
        ),
        (
            {"name": "Gardening\x00club", "description": "Weekly\x00"},
            {
                "name": ["Null characters are not allowed."],
                "description": ["Null characters are not allowed."],
            },
        ),
    ],
)
def test_bad_services_are_explained_and_nothing_is_saved(owner, overrides, errors):
    provider, user, client = owner
    place = f.location_made(provider, user)

    response = client.post(
        f"{API}/provider/services/", _service(place, **overrides), content_type="application/json"
    )

    assert field_errors(response) == errors
    assert not Service.objects.exists()
    assert not PriceOption.objects.exists()


def test_a_service_needs_a_category(owner):
    _, _, client = owner
    data = _service(None, delivery_mode="online")
    del data["category"]

    response = client.post(f"{API}/provider/services/", data, content_type="application/json")

    assert field_errors(response) == {
        "category": ["Choose a category, as listed at /api/catalogue/categories/"]
    }
    assert not Service.objects.exists()


def test_a_service_cannot_use_another_providers_place(owner, other):
    _, _, client = owner
    _, _, their_place, _ = other

    response = client.post(
        f"{API}/provider/services/", _service(their_place), content_type="application/json"
    )

    assert field_errors(response) == {"location": ["Choose one of your own places"]}
    assert Service.objects.count() == 1  # theirs


def test_another_providers_service_is_not_found(owner, other):
    _, _, client = owner
    _, _, _, theirs = other
    path = f"{API}/provider/services/{theirs.pk}/"

    assert problem(client.get(path), 404)["type"] == "not_found"
    assert problem(client.patch(path, {"name": "Mine"}, content_type="application/json"), 404)
    assert problem(client.post(f"{path}withdraw/"), 404)
    assert problem(client.delete(path), 404)
    image = {"image": SimpleUploadedFile("p.png", f.png_bytes()), "alt_text": "A garden"}
    assert problem(client.post(f"{path}images/", image), 404)
    theirs.refresh_from_db()
    assert (theirs.name, theirs.status) == ("Their service", "published")
    assert not ServiceImage.objects.exists()


def test_a_draft_is_deleted_with_its_prices_times_and_pictures(owner):
    provider, user, client = owner
    service = f.service_made(provider, user, location=None, publish=False)
    service_image_add(
        service=service, content=f.png_bytes(), name="a.png", alt_text="A view", by=user
    )

    response = client.delete(f"{API}/provider/services/{service.pk}/")

    assert response.status_code == 204
    assert not Service.objects.exists()
    assert not PriceOption.objects.exists()
    assert not Schedule.objects.exists()
    assert not ServiceImage.objects.exists()
    assert not Upload.objects.exists()
    assert audit_actions()[-1] == "service.deleted"


def test_a_service_a_council_approved_is_kept(owner, tenant_a):
    provider, user, client = owner
    f.provider_vetted(provider, user)
    service = f.service_made(provider, user, location=None)
    approve(tenant_a, provider, service)

    response = client.delete(f"{API}/provider/services/{service.pk}/")

    assert problem(response, 400)["detail"] == (
        "Councils have approved or reviewed this service, so it cannot be deleted: "
        "withdraw it instead"
    )
    assert Service.objects.filter(pk=service.pk).exists()
    assert PriceOption.objects.filter(service=service).count() == 1
    assert "service.deleted" not in audit_actions()


# --- Pictures ---------------------------------------------------------------------


def test_a_picture_is_added_and_removed(owner):
    provider, user, client = owner
    service = f.service_made(provider, user, location=None, publish=False)

    response = client.post(
        f"{API}/provider/services/{service.pk}/images/",
        {"image": SimpleUploadedFile("garden.png", f.png_bytes()), "alt_text": " Raised beds "},
    )

    assert response.status_code == 201
    image = ServiceImage.objects.get()
    assert response.json() == {
        "id": str(image.pk),
        "url": f"http://localhost/api/catalogue/images/{image.pk}/",
        "alt_text": "Raised beds",
        "width": 8,
        "height": 6,
        "position": 0,
    }
    assert client.delete(f"{API}/provider/images/{image.pk}/").status_code == 204
    assert not ServiceImage.objects.exists()
    assert not Upload.objects.exists()
    assert audit_actions()[-2:] == ["service.image_added", "service.image_removed"]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"image": ("garden.png", None), "alt_text": "  "},
            {
                "alt_text": [
                    "Describe the picture for people who cannot see it, like 'Two people "
                    "gardening in a raised bed'"
                ]
            },
        ),
        (
            {"image": ("garden.png", None)},
            {
                "alt_text": [
                    "Describe the picture for people who cannot see it, like 'Two people "
                    "gardening in a raised bed'"
                ]
            },
        ),
        (
            {"image": ("garden.png", f.PDF), "alt_text": "A garden"},
            {"image": ["The selected file must be a JPG, PNG or WebP picture"]},
        ),
    ],
)
def test_bad_pictures_are_refused_and_nothing_is_stored(owner, data, errors):
    provider, user, client = owner
    service = f.service_made(provider, user, location=None, publish=False)
    name, content = data["image"]
    data = {**data, "image": SimpleUploadedFile(name, content or f.png_bytes())}

    response = client.post(f"{API}/provider/services/{service.pk}/images/", data)

    assert field_errors(response) == errors
    assert not ServiceImage.objects.exists()
    assert not Upload.objects.exists()


def test_an_oversized_picture_is_refused(owner, settings):
    provider, user, client = owner
    service = f.service_made(provider, user, location=None, publish=False)
    settings.IMAGE_MAX_BYTES = 1000

    response = client.post(
        f"{API}/provider/services/{service.pk}/images/",
        {"image": SimpleUploadedFile("big.png", f.png_bytes(400, 400)), "alt_text": "Big"},
    )

    assert field_errors(response) == {"image": ["The picture must be smaller than 1 KB"]}
    assert not Upload.objects.exists()


def test_another_providers_picture_is_not_removed(owner, other):
    _, _, client = owner
    _, their_user, _, theirs = other
    image = service_image_add(
        service=theirs, content=f.png_bytes(), name="t.png", alt_text="Theirs", by=their_user
    )

    assert problem(client.delete(f"{API}/provider/images/{image.pk}/"), 404)
    assert ServiceImage.objects.filter(pk=image.pk).exists()


# --- Councils ---------------------------------------------------------------------


def test_members_see_which_councils_approve_them(owner, tenant_a, tenant_b):
    provider, user, client = owner
    f.provider_vetted(provider, user)
    first = f.service_made(provider, user, location=None, name="Advice line")
    second = f.service_made(provider, user, location=None, name="Befriending calls")
    approve(tenant_a, provider, first, agreed=1500)
    with tenant_context(tenant_a.tenant):
        service_approval_set(
            service=second, status="suspended", by=tenant_a.admin, reason="Complaints"
        )
    with tenant_context(tenant_b.tenant):
        provider_approval_set(
            provider=provider, status="suspended", by=tenant_b.admin, reason="Late visits"
        )
    use_public_schema()

    response = client.get(f"{API}/provider/councils/")

    assert response.status_code == 200
    assert response.json() == [
        {
            "council": "northmoor",
            "council_name": "Northmoor Borough Council",
            "status": "approved",
            "reason": "",
            "services": [
                {"service_id": str(first.pk), "service_name": "Advice line", "status": "approved"},
                {
                    "service_id": str(second.pk),
                    "service_name": "Befriending calls",
                    "status": "suspended",
                },
            ],
        },
        {
            "council": "southbay",
            "council_name": "Southbay District Council",
            "status": "suspended",
            "reason": "Late visits",
            "services": [],
        },
    ]


def test_no_council_has_decided_yet(owner):
    _, _, client = owner

    assert client.get(f"{API}/provider/councils/").json() == []
