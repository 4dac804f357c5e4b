"""A request carrying a file over the limit is refused before it is stored."""

from __future__ import annotations

import pytest
from django.test import Client

from catalogue.models import Upload, VettingDocument
from tests.catalogue import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(settings):
    settings.IMAGE_MAX_BYTES = 1000
    settings.DOCUMENT_MAX_BYTES = 2000  # so the limit is 1,002,000 bytes
    _, owner = f.provider_registered()
    client = Client(HTTP_HOST="localhost")
    client.force_login(owner)
    return client


def _big_pdf() -> bytes:
    return f.PDF + b"0" * 1_100_000


def test_an_oversized_upload_to_the_api_gets_413_and_nothing_is_kept(owner_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = owner_client.post(
        "/api/catalogue/provider/documents/",
        {"kind": "dbs_policy", "document": SimpleUploadedFile("x.pdf", _big_pdf())},
    )
    assert response.status_code == 413
    assert response.json()["detail"] == (
        "The upload is too large: send files smaller than 1.002 MB."
    )
    assert not Upload.objects.exists()
    assert not VettingDocument.objects.exists()


def test_an_oversized_upload_to_a_page_gets_a_plain_explanation(owner_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = owner_client.post(
        "/providers/documents/upload/",
        {"kind": "dbs_policy", "document": SimpleUploadedFile("x.pdf", _big_pdf())},
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "The file is too large" in page
    assert "Go back and choose a file smaller than 1.002 MB." in page
    assert not Upload.objects.exists()


def test_uploads_under_the_limit_still_arrive(owner_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = owner_client.post(
        "/api/catalogue/provider/documents/",
        {"kind": "dbs_policy", "document": SimpleUploadedFile("x.pdf", f.PDF)},
    )
    assert response.status_code == 201, response.content
    assert VettingDocument.objects.count() == 1
