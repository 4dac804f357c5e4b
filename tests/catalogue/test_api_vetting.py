"""Vetting by the platform's operators, through the API on the platform's host."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from catalogue.models import Provider, VettingDocument
from catalogue.services.providers import vetting_document_upload
from core.models import AuditEntry
from epurse.db import use_public_schema
from tests.conftest import host_client

from . import factories as f
from .api_support import (
    API,
    PUBLIC_HOST,
    audit_actions,
    council_client,
    field_errors,
    problem,
    public_signed_in,
)

pytestmark = pytest.mark.django_db

VETTING = f"{API}/vetting"


@pytest.fixture
def operator_client():
    return public_signed_in(f.operator())


@pytest.fixture
def applicant():
    provider, owner = f.provider_registered("Careful Hands Ltd")
    docs = {
        kind: vetting_document_upload(
            provider=provider,
            kind=kind,
            content=f.PDF,
            name=f"{kind}.pdf",
            expires_on=timezone.localdate() + dt.timedelta(days=90),
            by=owner,
        )
        for kind in ("insurance", "dbs_policy", "safeguarding_policy")
    }
    use_public_schema()
    return provider, owner, docs


def test_providers_are_listed_by_status_oldest_first(applicant, operator_client):
    provider, _, _ = applicant
    second, _ = f.provider_registered("Bright Days Ltd")
    f.provider_status_change(
        provider=second, status="rejected", reason="Duplicate", by=f.operator()
    )

    everyone = operator_client.get(f"{VETTING}/providers/").json()
    applied = operator_client.get(f"{VETTING}/providers/", {"status": "applied"}).json()

    assert [p["name"] for p in everyone["results"]] == ["Careful Hands Ltd", "Bright Days Ltd"]
    assert applied["results"] == [
        {
            "id": str(provider.pk),
            "name": "Careful Hands Ltd",
            "legal_name": "Careful Hands Ltd",
            "email": provider.email,
            "status": "applied",
            "status_reason": "",
            "created_at": applied["results"][0]["created_at"],
        }
    ]
    assert field_errors(operator_client.get(f"{VETTING}/providers/", {"status": "nice"})) == {
        "status": ['"nice" is not a valid choice.']
    }


def test_a_provider_with_its_checklist_documents_and_places(applicant, operator_client):
    provider, owner, docs = applicant
    place = f.location_made(provider, owner)

    body = operator_client.get(f"{VETTING}/providers/{provider.pk}/").json()

    assert [(i["kind"], i["required"], i["done"]) for i in body["checklist"]] == [
        ("insurance", True, False),
        ("dbs_policy", True, False),
        ("safeguarding_policy", True, False),
        ("cqc_registration", False, False),
    ]
    assert sorted(d["id"] for d in body["documents"]) == sorted(str(d.pk) for d in docs.values())
    assert [p["id"] for p in body["locations"]] == [str(place.pk)]


def test_an_operator_downloads_and_reviews_documents(applicant, operator_client):
    _, _, docs = applicant
    insurance = docs["insurance"]

    download = operator_client.get(f"{VETTING}/documents/{insurance.pk}/file/")
    accepted = operator_client.post(
        f"{VETTING}/documents/{insurance.pk}/review/",
        {"accept": True},
        content_type="application/json",
    )
    rejected = operator_client.post(
        f"{VETTING}/documents/{docs['dbs_policy'].pk}/review/",
        {"accept": False, "note": "This is out of date"},
        content_type="application/json",
    )

    assert download.status_code == 200
    assert download.content == f.PDF
    assert download["Content-Disposition"] == 'attachment; filename="insurance.pdf"'
    assert download["Cache-Control"] == "private, no-store"
    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")
    assert (rejected.json()["status"], rejected.json()["review_note"]) == (
        "rejected",
        "This is out of date",
    )
    assert audit_actions()[-2:] == ["provider.document_reviewed", "provider.document_reviewed"]


def test_a_rejection_needs_a_note(applicant, operator_client):
    _, _, docs = applicant

    response = operator_client.post(
        f"{VETTING}/documents/{docs['insurance'].pk}/review/",
        {"accept": False, "note": " "},
        content_type="application/json",
    )

    assert field_errors(response) == {"note": ["Say why the document is not accepted"]}
    assert VettingDocument.objects.get(pk=docs["insurance"].pk).status == "pending"


def test_the_status_moves_through_vetting(applicant, operator_client):
    provider, _, docs = applicant
    path = f"{VETTING}/providers/{provider.pk}/status/"
    for doc in docs.values():
        operator_client.post(
            f"{VETTING}/documents/{doc.pk}/review/",
            {"accept": True},
            content_type="application/json",
        )

    under_review = operator_client.post(
        path, {"status": "under_review"}, content_type="application/json"
    )
    approved = operator_client.post(path, {"status": "approved"}, content_type="application/json")

    assert under_review.json()["status"] == "under_review"
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    assert all(item["done"] for item in approved.json()["checklist"] if item["required"])
    assert [
        e.detail["to"] for e in AuditEntry.objects.filter(action="provider.status_changed")
    ] == [
        "approved",
        "under_review",
    ]


def test_a_disallowed_move_is_refused_with_the_reason(applicant, operator_client):
    provider, _, _ = applicant
    path = f"{VETTING}/providers/{provider.pk}/status/"

    too_soon = operator_client.post(path, {"status": "approved"}, content_type="application/json")
    operator_client.post(path, {"status": "under_review"}, content_type="application/json")
    unvetted = operator_client.post(path, {"status": "approved"}, content_type="application/json")
    no_reason = operator_client.post(path, {"status": "rejected"}, content_type="application/json")

    assert problem(too_soon, 400)["detail"] == "A provider that is applied cannot be approved"
    assert problem(unvetted, 400)["detail"] == (
        "The provider cannot be approved until these documents are accepted and in date: "
        "Public liability insurance, DBS checks policy, Safeguarding policy"
    )
    assert field_errors(no_reason) == {"reason": ["Give a reason: the provider will see it"]}
    assert Provider.objects.get(pk=provider.pk).status == "under_review"


def test_a_suspension_reason_reaches_the_provider(applicant, operator_client):
    provider, owner, _ = applicant
    f.provider_vetted(provider, owner)

    response = operator_client.post(
        f"{VETTING}/providers/{provider.pk}/status/",
        {"status": "suspended", "reason": "Insurance lapsed"},
        content_type="application/json",
    )

    assert response.json()["status_reason"] == "Insurance lapsed"
    portal = public_signed_in(owner).get(f"{API}/provider/").json()
    assert (portal["status"], portal["status_reason"]) == ("suspended", "Insurance lapsed")


def test_only_operators_vet(applicant, tenant_a):
    provider, owner, docs = applicant
    member = public_signed_in(owner)
    paths = [
        f"{VETTING}/providers/",
        f"{VETTING}/providers/{provider.pk}/",
        f"{VETTING}/documents/{docs['insurance'].pk}/file/",
    ]

    for path in paths:
        assert problem(member.get(path), 403)["type"] == "permission_denied"
        assert problem(host_client(PUBLIC_HOST).get(path), 401)["type"] == "not_authenticated"
    refused = member.post(
        f"{VETTING}/providers/{provider.pk}/status/",
        {"status": "under_review"},
        content_type="application/json",
    )
    assert problem(refused, 403)
    assert Provider.objects.get(pk=provider.pk).status == "applied"
    # A council's host has no vetting at all, whoever asks.
    admin = council_client(tenant_a, tenant_a.admin)
    assert problem(admin.get(paths[0]), 404)["type"] == "not_found"
