"""The provider portal and the vetting pages, through the Django test client on the
platform's host: what each page writes, the exact message for each mistake (and that
nothing is written then), and who may see what."""

from __future__ import annotations

import datetime as dt
import html
import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.services import user_create
from catalogue.council.services import provider_approval_set
from catalogue.cqc import OGL_ATTRIBUTION
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
from core.models import AuditEntry
from epurse.db import use_public_schema
from tests.conftest import host_client

from . import factories as f
from .api_support import PUBLIC_HOST, public_signed_in

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate() + dt.timedelta(days=365)


# --- Helpers ------------------------------------------------------------------------


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def error_summary(response) -> list[tuple[str, str]]:
    """(link target, message) for each error in the page's error summary."""
    page = response.content.decode()
    start = page.find('class="govuk-error-summary"')
    if start == -1:
        return []
    block = page[start : page.find("</ul>", start)]
    links = re.findall(r'<a href="(#[^"]*)">(.*?)</a>', block)
    plain = re.findall(r"<li>([^<]+)</li>", block)
    return [(href, html.unescape(msg)) for href, msg in links] + [
        ("", html.unescape(msg)) for msg in plain
    ]


class _FormValues(HTMLParser):
    """What a browser sends when the page's form is submitted as it was shown."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def _add(self, name: str | None, value: str | None) -> None:
        if name:
            self.values.setdefault(name, []).append(value or "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "input" and a.get("type") not in ("submit", "file"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self._add(a.get("name"), a.get("value"))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select, a.get("value"))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self._add(self._textarea, "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea][-1] += data


def form_values(response) -> dict[str, str | list[str]]:
    parser = _FormValues()
    parser.feed(response.content.decode())
    return {
        name: values[0] if len(values) == 1 else values for name, values in parser.values.items()
    }


def pdf(name: str = "insurance.pdf", content: bytes = f.PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name: str = "garden.png", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content or f.png_bytes(), content_type="image/png")


REGISTRATION = {
    "legal_name": "Kindly Care Limited",
    "trading_name": "Kindly Care",
    "companies_house_number": "01234567",
    "charity_number": "",
    "cqc_provider_id": "",
    "email": "office@kindly.example",
    "phone": "0115 496 0000",
    "website": "https://kindly.example",
    "owner_name": "Kim Kindly",
    "owner_email": "kim@kindly.example",
    "owner_password": "a long walk by the canal",
    "owner_password_confirm": "a long walk by the canal",
}


def service_post(**changes: str | list[str]) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {
        "name": "Help at home",
        "summary": "Friendly help with washing, dressing and meals",
        "description": "Trained carers visit you at home, at times that suit you.",
        "category": "home-care",
        "delivery_mode": "at_venue",
        "location": "",
        "price_1_amount": "18.50",
        "price_1_unit": "hour",
        "price_1_label": "Weekdays",
        "price_2_amount": "£20",
        "price_2_unit": "hour",
        "price_2_label": "Weekends",
        "price_3_amount": "",
        "price_3_unit": "",
        "price_3_label": "",
        "monday_opens": "9:00",
        "monday_closes": "5pm",
        "minimum_booking": "2",
        "cancellation_notice_hours": "48",
        "languages": ["en", "pl"],
        "accessibility": ["step_free"],
        "minimum_age": "",
        "maximum_age": "",
        "url": "",
        "email": "",
        "phone": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def member():
    """A registered provider, its owner signed in, and a place it works from."""
    provider, owner = f.provider_registered("Careful Hands Ltd")
    place = f.location_made(provider, owner, "NM1 1AA")
    return provider, owner, place, public_signed_in(owner)


@pytest.fixture
def other():
    """Another provider, with a place, a service with a picture, and a document."""
    provider, owner = f.provider_registered("Elsewhere Care Ltd")
    place = f.location_made(provider, owner, "NM2 3CC", name="Elsewhere office")
    service = f.service_made(provider, owner, location=place, name="Elsewhere visits")
    from catalogue.services.listings import service_image_add
    from catalogue.services.providers import vetting_document_upload

    image = service_image_add(
        service=service, content=f.png_bytes(), name="x.png", alt_text="A van", by=owner
    )
    doc = vetting_document_upload(
        provider=provider,
        kind="insurance",
        content=f.PDF,
        name="their-insurance.pdf",
        expires_on=NEXT_YEAR,
        by=owner,
    )
    return provider, owner, place, service, image, doc


@pytest.fixture
def operator_client():
    return public_signed_in(f.operator())


# --- Registering --------------------------------------------------------------------


def test_register_page_asks_for_the_organisation_and_its_first_user(public_client) -> None:
    response = public_client.get("/providers/register/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">Register your organisation</h1>' in page
    for name, autocomplete in (
        ("legal_name", "organization"),
        ("email", "email"),
        ("phone", "tel"),
        ("website", "url"),
        ("owner_name", "name"),
        ("owner_email", "email"),
        ("owner_password", "new-password"),
    ):
        assert re.search(rf'id="id_{name}" name="{name}"[^>]*autocomplete="{autocomplete}"', page)
    assert error_summary(response) == []


def test_registering_creates_the_provider_and_its_owner_and_signs_them_in(
    public_client,
) -> None:
    response = public_client.post("/providers/register/", REGISTRATION)

    assert response.status_code == 302
    assert response["Location"] == "/providers/registered/"
    provider = Provider.objects.get()
    assert (provider.legal_name, provider.trading_name, provider.status) == (
        "Kindly Care Limited",
        "Kindly Care",
        "applied",
    )
    assert (provider.companies_house_number, provider.email) == (
        "01234567",
        "office@kindly.example",
    )
    member = ProviderMember.objects.select_related("user").get(provider=provider)
    assert (member.user.email, member.user.full_name, member.role) == (
        "kim@kindly.example",
        "Kim Kindly",
        "owner",
    )
    assert member.user.check_password("a long walk by the canal")
    confirmation = public_client.get("/providers/registered/")
    assert confirmation.status_code == 200
    assert "Registration complete" in text_of(confirmation)
    assert "Kindly Care is registered" in text_of(confirmation)
    dashboard = public_client.get("/providers/")
    assert dashboard.status_code == 200
    assert (
        '<strong class="govuk-tag govuk-tag--blue">Applied</strong>' in dashboard.content.decode()
    )


def test_registering_with_mistakes_shows_each_and_writes_nothing(public_client) -> None:
    data = {
        **REGISTRATION,
        "legal_name": "",
        "owner_email": "not an email",
        "owner_password_confirm": "something else",
    }

    response = public_client.post("/providers/register/", data)

    assert response.status_code == 400
    assert error_summary(response) == [
        ("#id_legal_name", "Enter the organisation's legal name"),
        (
            "#id_owner_email",
            "Enter your email address in the correct format, like name@example.com",
        ),
        ("#id_owner_password_confirm", "The passwords do not match"),
    ]
    assert "<title>Error: Register your organisation" in response.content.decode()
    assert not Provider.objects.exists()
    assert not User.objects.filter(email="kim@kindly.example").exists()


def test_the_services_checks_on_registering_land_on_the_right_fields(public_client) -> None:
    data = {**REGISTRATION, "companies_house_number": "12345", "cqc_provider_id": "CQC-1"}

    response = public_client.post("/providers/register/", data)

    assert response.status_code == 400
    assert error_summary(response) == [
        (
            "#id_companies_house_number",
            "Enter a Companies House number of 8 characters, like 01234567 or SC123456",
        ),
        ("#id_cqc_provider_id", "Enter a CQC provider ID, like 1-101234567"),
    ]
    assert not Provider.objects.exists()


def test_registering_with_an_email_that_has_an_account_keeps_nothing(public_client) -> None:
    f.operator()  # operator@platform.example has an account

    response = public_client.post(
        "/providers/register/", {**REGISTRATION, "owner_email": "Operator@platform.example"}
    )

    assert response.status_code == 400
    assert error_summary(response) == [
        ("#id_owner_email", "There is already an account for operator@platform.example")
    ]
    assert not Provider.objects.exists()  # the organisation was rolled back with the user


def test_a_weak_password_is_shown_on_the_password_field(public_client) -> None:
    response = public_client.post(
        "/providers/register/",
        {**REGISTRATION, "owner_password": "short", "owner_password_confirm": "short"},
    )

    assert response.status_code == 400
    [(href, message), *_] = error_summary(response)
    assert href == "#id_owner_password"
    assert "too short" in message
    assert not Provider.objects.exists()


def test_a_signed_in_member_who_opens_register_goes_to_their_dashboard(member) -> None:
    client = member[3]

    response = client.get("/providers/register/")

    assert response.status_code == 302
    assert response["Location"] == "/providers/"


# --- Who may see what ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/providers/", "/providers/places/add/", "/providers/services/add/", "/providers/vetting/"],
)
def test_signed_out_visitors_are_sent_to_sign_in(public_client, path: str) -> None:
    response = public_client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/account/sign-in/?next={path}"


def test_a_user_who_is_not_a_provider_member_is_refused_and_it_is_audited() -> None:
    stranger = user_create(
        email="stranger@platform.example",
        full_name="No Provider",
        role_codes=["provider_staff"],
        password=f.PASSWORD,
    )
    client = public_signed_in(stranger)

    response = client.get("/providers/services/add/")

    assert response.status_code == 403
    entry = AuditEntry.objects.get(action="web.access_denied")
    assert (entry.result, entry.actor_id, entry.detail["path"]) == (
        "denied",
        stranger.public_id,
        "/providers/services/add/",
    )


def test_an_operator_without_a_provider_is_sent_to_the_vetting_pages(operator_client) -> None:
    response = operator_client.get("/providers/")

    assert response.status_code == 302
    assert response["Location"] == "/providers/vetting/"


def test_provider_members_cannot_use_the_vetting_pages(member, other) -> None:
    provider, _owner, _place, client = member
    other_provider = other[0]

    for path in (
        "/providers/vetting/",
        f"/providers/vetting/{other_provider.pk}/",
        f"/providers/vetting/{provider.pk}/status/",
    ):
        assert client.get(path).status_code == 403, path
    response = client.post(
        f"/providers/vetting/{provider.pk}/status/", {"status": "approved", "reason": ""}
    )
    assert response.status_code == 403
    provider.refresh_from_db()
    assert provider.status == "applied"


def test_another_providers_things_do_not_exist_for_a_member(member, other) -> None:
    _provider, _owner, _place, client = member
    _, _, place, service, image, doc = other

    for path in (
        f"/providers/places/{place.pk}/",
        f"/providers/services/{service.pk}/",
        f"/providers/services/{service.pk}/pictures/",
        f"/providers/services/{service.pk}/pictures/{image.pk}/",
        f"/providers/documents/{doc.pk}/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/providers/places/{place.pk}/", {"name": "Mine now"}).status_code == 404
    assert (
        client.post(f"/providers/services/{service.pk}/status/", {"status": "withdrawn"})
    ).status_code == 404
    assert (
        client.post(f"/providers/services/{service.pk}/pictures/{image.pk}/remove/")
    ).status_code == 404
    place.refresh_from_db()
    service.refresh_from_db()
    assert (place.name, service.status) == ("Elsewhere office", "published")
    assert ServiceImage.objects.filter(pk=image.pk).exists()


def test_a_document_downloads_as_an_attachment_for_its_provider_and_operators(
    other, operator_client
) -> None:
    _provider, owner, _place, _service, _image, doc = other
    path = f"/providers/documents/{doc.pk}/"

    for client in (public_signed_in(owner), operator_client):
        response = client.get(path)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="their-insurance.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response.content == f.PDF
    anonymous = host_client(PUBLIC_HOST).get(path)
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"/account/sign-in/?next={path}"


def test_another_providers_document_is_not_read_for_a_member(member, other) -> None:
    client = member[3]
    doc = other[5]

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/providers/documents/{doc.pk}/")

    assert response.status_code == 404
    # The file itself was never read for someone who may not have it.
    assert [q["sql"] for q in queries if '"catalogue_upload"."content"' in q["sql"]] == []
    assert AuditEntry.objects.filter(action="web.access_denied").count() == 1


# --- Vetting documents --------------------------------------------------------------


def test_uploading_a_document(member) -> None:
    provider, owner, _place, client = member

    response = client.post(
        "/providers/documents/upload/",
        {
            "kind": "insurance",
            "document": pdf(),
            "expires_on_day": str(NEXT_YEAR.day),
            "expires_on_month": str(NEXT_YEAR.month),
            "expires_on_year": str(NEXT_YEAR.year),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/providers/"
    doc = VettingDocument.objects.select_related("upload").get(provider=provider)
    assert (doc.kind, doc.expires_on, doc.status, doc.uploaded_by) == (
        "insurance",
        NEXT_YEAR,
        "pending",
        owner,
    )
    assert (bytes(doc.upload.content), doc.upload.original_name) == (f.PDF, "insurance.pdf")
    dashboard = text_of(client.get("/providers/"))
    assert "Public liability insurance uploaded. We will review it." in dashboard
    assert "Waiting for review" in dashboard
    assert f"Expires {NEXT_YEAR:%-d %B %Y}" in dashboard


def test_the_upload_page_preselects_the_kind_from_the_checklist(member) -> None:
    client = member[3]

    page = client.get("/providers/documents/upload/?kind=dbs_policy").content.decode()

    assert re.search(r'value="dbs_policy" checked', page)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"kind": "insurance", "document": "pdf"},
            [("#id_expires_on_day", "Enter the date the insurance ends")],
        ),
        (
            {"kind": "dbs_policy"},
            [("#id_document", "Select the document to upload")],
        ),
        (
            {"kind": "dbs_policy", "document": "text"},
            [("#id_document", "The selected file must be a PDF, JPG or PNG")],
        ),
        (
            {"document": "pdf"},
            [("#id_kind", "Choose which document you are uploading")],
        ),
        (
            {"kind": "insurance", "document": "pdf", "day": "31", "month": "2", "year": "2031"},
            [("#id_expires_on_day", "The expiry date must be a real date")],
        ),
        (
            {"kind": "insurance", "document": "pdf", "day": "1", "month": "", "year": "2031"},
            [("#id_expires_on_month", "The expiry date must include a month")],
        ),
        (
            {"kind": "insurance", "document": "pdf", "day": "1", "month": "1", "year": "2020"},
            [("#id_expires_on_day", "The expiry date must be today or in the future")],
        ),
        (
            {
                "kind": "insurance",
                "document": "pdf",
                "day": "99999999999999999999",
                "month": "1",
                "year": "2031",
            },
            [("#id_expires_on_day", "The expiry date must be a real date")],
        ),
        (
            {"kind": "insurance", "document": "pdf", "day": "1", "month": "001", "year": "2031"},
            [("#id_expires_on_month", "The expiry date must be a real date")],
        ),
        (
            {"kind": "insurance", "document": "pdf", "day": "1", "month": "13", "year": "2031"},
            [("#id_expires_on_month", "The expiry date must be a real date")],
        ),
        (
            {"kind": "insurance", "document": "pdf", "day": "1", "month": "1", "year": "20310"},
            [("#id_expires_on_year", "The expiry date must include a year of 4 digits, like 2027")],
        ),
        (
            {"kind": "insurance", "document": "pdf", "day": "1", "month": "1", "year": "0000"},
            [("#id_expires_on_year", "The expiry date must be a real date")],
        ),
        (
            {"kind": "insurance", "document": "pdf", "day": "²", "month": "1", "year": "2031"},
            [("#id_expires_on_day", "The expiry date must be a real date")],
        ),
    ],
    ids=[
        "no-expiry",
        "no-file",
        "not-a-pdf",
        "no-kind",
        "not-a-date",
        "no-month",
        "expired",
        "day-too-long",
        "month-too-long",
        "no-such-month",
        "year-too-long",
        "year-zero",
        "not-an-ascii-digit",
    ],
)
def test_document_mistakes_are_shown_and_nothing_is_written(member, fields, expected) -> None:
    client = member[3]
    data = {
        "kind": fields.get("kind", ""),
        "expires_on_day": fields.get("day", ""),
        "expires_on_month": fields.get("month", ""),
        "expires_on_year": fields.get("year", ""),
    }
    if fields.get("document") == "pdf":
        data["document"] = pdf()
    elif fields.get("document") == "text":
        data["document"] = SimpleUploadedFile("policy.pdf", b"just some text", "application/pdf")

    response = client.post("/providers/documents/upload/", data)

    assert response.status_code == 400
    assert error_summary(response) == expected
    assert not VettingDocument.objects.exists()
    assert not Upload.objects.exists()


def test_an_oversized_document_is_refused(member, settings) -> None:
    settings.DOCUMENT_MAX_BYTES = 2_000_000
    client = member[3]

    response = client.post(
        "/providers/documents/upload/",
        {"kind": "dbs_policy", "document": pdf(content=f.PDF + b"0" * 2_000_000)},
    )

    assert response.status_code == 400
    assert error_summary(response) == [("#id_document", "The file must be smaller than 2 MB")]
    assert not Upload.objects.exists()


# --- Places -------------------------------------------------------------------------

PLACE = {
    "name": "Riverside centre",
    "address_1": "2 Mill Lane",
    "address_2": "",
    "city": "Northmoor",
    "postcode": "nm1 2bb",
    "cqc_location_id": "",
    "area_kind": "radius",
    "area_radius_miles": "12",
    "area_districts": "",
}


def test_adding_a_place_finds_it_from_its_postcode(member) -> None:
    provider, _owner, _place, client = member

    response = client.post("/providers/places/add/", PLACE)

    assert response.status_code == 302
    place = Location.objects.get(provider=provider, name="Riverside centre")
    assert (place.postcode, place.latitude, place.longitude, place.area_radius_miles) == (
        "NM1 2BB",
        52.96,
        -1.15,
        12,
    )
    assert "Riverside centre saved." in text_of(client.get("/providers/"))


def test_changing_a_place(member) -> None:
    _provider, _owner, place, client = member
    form = client.get(f"/providers/places/{place.pk}/").content.decode()
    assert 'value="Main office"' in form

    response = client.post(
        f"/providers/places/{place.pk}/",
        {**PLACE, "name": "Head office", "area_kind": "districts", "area_districts": "East\nWest"},
    )

    assert response.status_code == 302
    place.refresh_from_db()
    assert (place.name, place.area_kind, place.area_districts, place.area_radius_miles) == (
        "Head office",
        "districts",
        ["East", "West"],
        None,
    )


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("NOT A CODE", "Enter a full UK postcode, like SW1A 1AA"),
        ("ZZ9 9ZZ", "We could not find the postcode ZZ9 9ZZ. Check it and try again"),
    ],
)
def test_a_bad_postcode_is_shown_and_nothing_is_written(member, postcode, message) -> None:
    provider, _owner, _place, client = member

    response = client.post("/providers/places/add/", {**PLACE, "postcode": postcode})

    assert response.status_code == 400
    assert error_summary(response) == [("#id_postcode", message)]
    assert list(Location.objects.filter(provider=provider).values_list("name", flat=True)) == [
        "Main office"
    ]


# --- Services -----------------------------------------------------------------------


def test_adding_a_service_with_prices_and_times(member) -> None:
    provider, _owner, place, client = member

    response = client.post("/providers/services/add/", service_post(location=str(place.pk)))

    service = Service.objects.get(provider=provider)
    assert response.status_code == 302
    assert response["Location"] == f"/providers/services/{service.pk}/pictures/"
    assert (service.name, service.category.code, service.delivery_mode, service.location) == (
        "Help at home",
        "home-care",
        "at_venue",
        place,
    )
    assert (service.minimum_booking, service.cancellation_notice_hours, service.status) == (
        2,
        48,
        "draft",
    )
    assert (service.languages, service.accessibility) == (["en", "pl"], ["step_free"])
    assert sorted(
        PriceOption.objects.filter(service=service).values_list("amount_pence", "unit", "label")
    ) == [
        (1850, "hour", "Weekdays"),
        (2000, "hour", "Weekends"),
    ]
    assert list(
        Schedule.objects.filter(service=service).values_list("weekday", "opens_at", "closes_at")
    ) == [(1, dt.time(9), dt.time(17))]
    dashboard = text_of(client.get("/providers/"))
    assert "From £18.50 an hour" in dashboard


def test_changing_a_service_shows_what_it_has_and_keeps_the_changes(member) -> None:
    provider, owner, place, client = member
    service = f.service_made(provider, owner, location=place, prices=(1800,), weekdays=(2,))
    form = client.get(f"/providers/services/{service.pk}/").content.decode()
    assert 'id="id_price_1_amount" name="price_1_amount" type="text" value="18"' in form
    assert 'id="id_tuesday_opens" name="tuesday_opens" type="text" value="09:00"' in form

    response = client.post(
        f"/providers/services/{service.pk}/",
        service_post(
            location=str(place.pk), price_1_amount="19.99", price_2_amount="", price_2_unit=""
        ),
    )

    assert response.status_code == 302
    assert list(service.prices.values_list("amount_pence", "unit")) == [(1999, "hour")]
    service.refresh_from_db()
    assert (service.price_from_pence, service.status) == (1999, "published")


def test_renaming_a_service_keeps_all_its_prices_and_times(member) -> None:
    # Given a service made through the API with 12 prices and two times on Monday
    _provider, _owner, place, client = member
    created = client.post(
        "/api/catalogue/provider/services/",
        {
            "name": "Help at home",
            "summary": "Friendly help with washing, dressing and meals",
            "description": "Trained carers visit you at home.",
            "category": "home-care",
            "delivery_mode": "at_home",
            "location": str(place.pk),
            "prices": [
                {"amount_pence": 1000 + 100 * n, "unit": "hour", "label": f"Band {n}"}
                for n in range(1, 13)
            ],
            "schedules": [
                {"day": "monday", "opens_at": "09:00", "closes_at": "12:00"},
                {"day": "monday", "opens_at": "14:00", "closes_at": "17:30"},
                {"day": "wednesday", "opens_at": "10:00", "closes_at": "16:00"},
            ],
        },
        content_type="application/json",
    )
    service = Service.objects.get(pk=created.json()["id"])
    prices = sorted(service.prices.values_list("amount_pence", "unit", "label"))
    times = sorted(service.schedules.values_list("weekday", "opens_at", "closes_at"))
    assert (len(prices), len(times)) == (12, 3)

    # When its provider renames it on the web form, sending back what the form shows
    data = form_values(client.get(f"/providers/services/{service.pk}/"))
    data["name"] = "Help at home and in the garden"
    response = client.post(f"/providers/services/{service.pk}/", data)

    # Then the name changes and every price and time is still there
    assert response.status_code == 302, error_summary(response)
    service.refresh_from_db()
    assert service.name == "Help at home and in the garden"
    assert sorted(service.prices.values_list("amount_pence", "unit", "label")) == prices
    assert sorted(service.schedules.values_list("weekday", "opens_at", "closes_at")) == times
    assert data["price_13_amount"] == ""  # one empty row to add a price
    assert (data["monday_opens"], data["monday_closes"]) == ("09:00", "12:00")
    assert (data["monday_opens_2"], data["monday_closes_2"]) == ("14:00", "17:30")


def test_more_price_rows_than_a_service_can_have_are_refused(member) -> None:
    provider, _owner, place, client = member
    data = service_post(location=str(place.pk))
    for n in range(1, 22):
        data.update({f"price_{n}_amount": str(n), f"price_{n}_unit": "hour"})

    response = client.post("/providers/services/add/", data)

    assert response.status_code == 400
    assert error_summary(response) == [("", "Give at most 20 prices")]
    assert not Service.objects.filter(provider=provider).exists()

    # Clearing one row is enough
    data.update({"price_21_amount": "", "price_21_unit": ""})
    assert client.post("/providers/services/add/", data).status_code == 302
    assert PriceOption.objects.filter(service__provider=provider).count() == 20


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"price_1_amount": "-5"},
            [("#id_price_1_amount", "Price 1 cannot be negative: enter an amount like 18.50")],
        ),
        (
            {"price_1_amount": "£-5"},
            [("#id_price_1_amount", "Price 1 cannot be negative: enter an amount like 18.50")],
        ),
        (
            {"price_2_amount": "twenty"},
            [("#id_price_2_amount", "Enter price 2 in pounds and pence, like 18 or 18.50")],
        ),
        (
            {"price_1_amount": "18.505"},
            [("#id_price_1_amount", "Enter price 1 in pounds and pence, like 18 or 18.50")],
        ),
        ({"price_1_amount": "0"}, [("#id_price_1_amount", "Price 1 must be more than £0")]),
        (
            {"price_1_unit": ""},
            [("#id_price_1_unit", "Choose what price 1 is for, like an hour")],
        ),
        (
            {"price_1_amount": "", "price_1_unit": "", "price_2_amount": "", "price_2_unit": ""},
            [("#id_price_1_amount", "Enter at least one price")],
        ),
        (
            {"price_1_amount": "200000"},
            [("#id_price_1_amount", "Each price must be £100,000 or less")],
        ),
        (
            {"monday_closes": "8am"},
            [("#id_monday_closes", "The closing time on Monday must be after the opening time")],
        ),
        (
            {"monday_opens": "nine"},
            [("#id_monday_opens", "Enter the opening time on Monday like 9:00 or 17:30")],
        ),
        (
            {"delivery_mode": "at_home", "location": ""},
            [("#id_location", "Choose the place the service is delivered from")],
        ),
        (
            {"name": "", "category": ""},
            [
                ("#id_name", "Enter the name of the service"),
                ("#id_category", "Choose the category of the service"),
            ],
        ),
        (
            {"languages": ["xx"]},
            [("#id_languages", "Choose languages from the list")],
        ),
        (
            {"name": "Help\x00at home", "description": "Visits\x00"},
            [
                ("#id_name", "Null characters are not allowed."),
                ("#id_description", "Null characters are not allowed."),
            ],
        ),
        (
            {"monday_opens": "9:00:00:00:00"},
            [("#id_monday_opens", "Use 10 characters or fewer")],
        ),
        (
            {
                "minimum_booking": "9" * 30,
                "cancellation_notice_hours": "-1",
                "minimum_age": "9" * 5000,
                "maximum_age": "151",
            },
            [
                ("#id_minimum_booking", "The smallest booking must be between 1 and 32,767"),
                (
                    "#id_cancellation_notice_hours",
                    "The notice needed to cancel must be between 0 and 32,767",
                ),
                ("#id_minimum_age", "Enter the youngest age as a whole number, like 18"),
                ("#id_maximum_age", "The oldest age must be between 0 and 150"),
            ],
        ),
    ],
    ids=[
        "negative",
        "negative-with-pound-sign",
        "words",
        "fraction-of-a-penny",
        "zero",
        "no-unit",
        "no-price",
        "too-much",
        "closes-before-opening",
        "not-a-time",
        "at-home-without-a-place",
        "no-name-or-category",
        "unknown-language",
        "null-characters",
        "time-too-long",
        "absurd-numbers",
    ],
)
def test_service_mistakes_are_shown_and_nothing_is_written(member, changes, expected) -> None:
    provider, _owner, place, client = member
    data = service_post(location=str(place.pk))
    data.update(changes)

    response = client.post("/providers/services/add/", data)

    assert response.status_code == 400
    assert error_summary(response) == expected
    assert not Service.objects.filter(provider=provider).exists()
    assert not PriceOption.objects.exists()


def test_publishing_and_withdrawing_a_service(member) -> None:
    provider, owner, place, client = member
    service = f.service_made(provider, owner, location=place, publish=False)

    response = client.post(f"/providers/services/{service.pk}/status/", {"status": "published"})

    assert response.status_code == 302
    service.refresh_from_db()
    assert service.status == "published"
    assert "Help at home is published. Councils can now approve it." in text_of(
        client.get("/providers/")
    )
    client.post(f"/providers/services/{service.pk}/status/", {"status": "withdrawn"})
    service.refresh_from_db()
    assert service.status == "withdrawn"
    assert client.get(f"/providers/services/{service.pk}/status/").status_code == 405


# --- Pictures -----------------------------------------------------------------------


def test_adding_a_picture_with_its_description(member) -> None:
    provider, owner, place, client = member
    service = f.service_made(provider, owner, location=place)

    response = client.post(
        f"/providers/services/{service.pk}/pictures/",
        {"image": png(), "alt_text": "  Two people gardening  in a raised bed "},
    )

    assert response.status_code == 302
    image = ServiceImage.objects.select_related("upload").get(service=service)
    assert (image.alt_text, image.upload.content_type, image.upload.original_name) == (
        "Two people gardening in a raised bed",
        "image/png",
        "garden.png",
    )
    page = client.get(f"/providers/services/{service.pk}/pictures/").content.decode()
    assert (
        f'<img src="/providers/services/{service.pk}/pictures/{image.pk}/" '
        'alt="Two people gardening in a raised bed"'
    ) in page
    served = client.get(f"/providers/services/{service.pk}/pictures/{image.pk}/")
    assert (served.status_code, served["Content-Type"]) == (200, "image/png")
    assert served.content == bytes(image.upload.content)


def test_removing_a_picture(member) -> None:
    provider, owner, place, client = member
    service = f.service_made(provider, owner, location=place)
    client.post(
        f"/providers/services/{service.pk}/pictures/", {"image": png(), "alt_text": "A garden"}
    )
    image = ServiceImage.objects.get(service=service)

    response = client.post(f"/providers/services/{service.pk}/pictures/{image.pk}/remove/")

    assert response.status_code == 302
    assert not ServiceImage.objects.exists()
    assert not Upload.objects.exists()


@pytest.mark.parametrize(
    ("upload", "alt_text", "expected"),
    [
        ("png", "   ", [("#id_alt_text", "Describe the picture for people who cannot see it")]),
        (
            "none",
            "",
            [
                ("#id_image", "Select a picture to upload"),
                ("#id_alt_text", "Describe the picture for people who cannot see it"),
            ],
        ),
        (
            "pdf",
            "A leaflet",
            [("#id_image", "The selected file must be a JPG, PNG or WebP picture")],
        ),
        ("huge", "A garden", [("#id_image", "The picture must be smaller than 2 MB")]),
    ],
    ids=["no-description", "nothing", "not-an-image", "too-big"],
)
def test_picture_mistakes_are_shown_and_nothing_is_written(
    member, settings, upload, alt_text, expected
) -> None:
    settings.IMAGE_MAX_BYTES = 2_000_000
    provider, owner, place, client = member
    service = f.service_made(provider, owner, location=place)
    data: dict[str, object] = {"alt_text": alt_text}
    if upload == "png":
        data["image"] = png()
    elif upload == "pdf":
        data["image"] = pdf("leaflet.png")
    elif upload == "huge":
        data["image"] = png("huge.png", f.png_bytes() + b"\0" * 2_000_000)

    response = client.post(f"/providers/services/{service.pk}/pictures/", data)

    assert response.status_code == 400
    assert error_summary(response) == expected
    assert not ServiceImage.objects.exists()
    assert not Upload.objects.exists()


# --- Councils and CQC ---------------------------------------------------------------


def test_councils_that_approve_the_provider(member, tenant_a, tenant_b) -> None:
    provider, owner, _place, client = member
    f.provider_vetted(provider, owner)
    with tenant_context(tenant_a.tenant):
        provider_approval_set(provider=provider, status="approved", by=tenant_a.admin)
    with tenant_context(tenant_b.tenant):
        provider_approval_set(
            provider=provider,
            status="suspended",
            reason="Complaints being looked into",
            by=tenant_b.admin,
        )
    use_public_schema()

    page = re.sub(r"\s+", " ", text_of(client.get("/providers/councils/")))

    assert (
        '<th scope="row" class="govuk-table__header">Northmoor Borough Council</th> '
        '<td class="govuk-table__cell">'
        '<strong class="govuk-tag govuk-tag--green">Approved</strong></td> '
        '<td class="govuk-table__cell"></td>'
    ) in page
    # The same reason the API gives (GET /api/catalogue/provider/councils/).
    assert (
        '<th scope="row" class="govuk-table__header">Southbay District Council</th> '
        '<td class="govuk-table__cell">'
        '<strong class="govuk-tag govuk-tag--orange">Suspended</strong></td> '
        '<td class="govuk-table__cell">Complaints being looked into</td>'
    ) in page
    api = client.get("/api/catalogue/provider/councils/").json()
    assert [(c["council_name"], c["status"], c["reason"]) for c in api] == [
        ("Northmoor Borough Council", "approved", ""),
        ("Southbay District Council", "suspended", "Complaints being looked into"),
    ]


def test_a_provider_no_council_approves_is_told_so(member, tenant_a) -> None:
    client = member[3]

    page = text_of(client.get("/providers/councils/"))

    assert "No council has approved you yet." in page


def test_the_dashboard_shows_cqc_ratings_with_the_licence(member) -> None:
    provider, owner, _place, client = member
    f.location_made(provider, owner, "NM2 3CC", name="Care home", cqc_location_id="1-000000042")
    f.cqc_rated(
        "1-000000042",
        "Careful Hands care home",
        "Good",
        report_date=dt.date(2024, 3, 1),
        safe="Requires improvement",
        effective="Good",
        caring="Outstanding",
        responsive="Good",
        well_led="Good",
        synced_at=timezone.now(),
    )

    page = re.sub(r"\s+", " ", text_of(client.get("/providers/")))

    assert "Care home (CQC location 1-000000042)" in page
    for key, value in (
        ("Overall rating", "Good"),
        ("Report date", "1 March 2024"),
        ("Safe", "Requires improvement"),
        ("Caring", "Outstanding"),
        ("Well-led", "Good"),
    ):
        assert (
            f'<dt class="govuk-summary-list__key">{key}</dt> '
            f'<dd class="govuk-summary-list__value">{value}</dd>'
        ) in page, key
    assert OGL_ATTRIBUTION in page


def test_the_dashboard_has_no_cqc_section_without_cqc_locations(member) -> None:
    page = text_of(member[3].get("/providers/"))

    assert "CQC ratings" not in page
    assert OGL_ATTRIBUTION not in page


# --- Vetting ------------------------------------------------------------------------


def test_operators_vet_a_provider_from_application_to_approval(
    member, operator_client, django_capture_on_commit_callbacks
) -> None:
    provider, _owner, _place, provider_client = member
    for kind in ("insurance", "dbs_policy", "safeguarding_policy"):
        provider_client.post(
            "/providers/documents/upload/",
            {
                "kind": kind,
                "document": pdf(f"{kind}.pdf"),
                "expires_on_day": str(NEXT_YEAR.day),
                "expires_on_month": str(NEXT_YEAR.month),
                "expires_on_year": str(NEXT_YEAR.year),
            },
        )
    client = operator_client
    listing = text_of(client.get("/providers/vetting/"))
    assert "Careful Hands Ltd" in listing
    assert "Applied (1)" in listing
    status_page = f"/providers/vetting/{provider.pk}/status/"

    # Approving straight from "applied" is not a step the service allows.
    refused = client.post(status_page, {"status": "approved", "reason": ""})
    assert refused.status_code == 400
    assert error_summary(refused) == [
        ("#id_status", "A provider that is applied cannot be approved")
    ]
    # A rejection needs a reason.
    no_reason = client.post(status_page, {"status": "rejected", "reason": " "})
    assert error_summary(no_reason) == [("#id_reason", "Give a reason: the provider will see it")]
    assert client.post(status_page, {"status": "under_review", "reason": ""}).status_code == 302
    # Approving before the documents are accepted.
    early = client.post(status_page, {"status": "approved", "reason": ""})
    assert error_summary(early) == [
        (
            "#id_status",
            "The provider cannot be approved until these documents are accepted and in date: "
            "Public liability insurance, DBS checks policy, Safeguarding policy",
        )
    ]
    docs = list(VettingDocument.objects.filter(provider=provider))
    first = docs[0]
    review = f"/providers/vetting/{provider.pk}/documents/{first.pk}/"
    unexplained = client.post(review, {"decision": "reject", "note": ""})
    assert error_summary(unexplained) == [("#id_note", "Say why the document is not accepted")]
    client.post(review, {"decision": "reject", "note": "This policy is out of date"})
    first.refresh_from_db()
    assert (first.status, first.review_note) == ("rejected", "This policy is out of date")
    assert "This policy is out of date" in text_of(provider_client.get("/providers/"))
    for doc in docs:
        response = client.post(
            f"/providers/vetting/{provider.pk}/documents/{doc.pk}/", {"decision": "accept"}
        )
        assert response.status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        approved = client.post(status_page, {"status": "approved", "reason": ""})

    assert approved.status_code == 302
    assert approved["Location"] == f"/providers/vetting/{provider.pk}/"
    provider.refresh_from_db()
    assert (provider.status, provider.status_changed_by.email) == (
        "approved",
        "operator@platform.example",
    )
    assert [message.subject for message in mail.outbox] == ["Careful Hands Ltd: Approved"]
    dashboard = provider_client.get("/providers/").content.decode()
    assert '<strong class="govuk-tag govuk-tag--green">Approved</strong>' in dashboard


def test_suspending_shows_the_reason_to_the_provider(member, operator_client) -> None:
    provider, owner, _place, provider_client = member
    f.provider_vetted(provider, owner)

    response = operator_client.post(
        f"/providers/vetting/{provider.pk}/status/",
        {"status": "suspended", "reason": "Insurance claim under investigation"},
    )

    assert response.status_code == 302
    page = text_of(provider_client.get("/providers/"))
    assert "Suspended" in page
    assert "Insurance claim under investigation" in page


def test_the_vetting_list_filters_by_status(operator_client) -> None:
    f.provider_registered("Waiting Ltd")
    vetted, vetted_owner = f.provider_registered("Vetted Ltd")
    f.provider_vetted(vetted, vetted_owner)

    approved = text_of(operator_client.get("/providers/vetting/?status=approved"))
    applied = text_of(operator_client.get("/providers/vetting/?status=nonsense"))

    assert "Vetted Ltd" in approved
    assert "Waiting Ltd" not in approved
    assert "Waiting Ltd" in applied
    assert "Vetted Ltd" not in applied
    assert "Approved (1)" in approved
