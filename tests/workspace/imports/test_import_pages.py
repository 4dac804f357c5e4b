"""The import pages: upload, the check's report naming every bad row, the choice to
import, progress, the bad rows' download; who may reach them; files that are not an
import get a clear error and nothing is kept."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from core.models import AuditEntry
from purse.imports.models import ImportedPerson, ImportFile
from purse.imports.services import import_run
from purse.models import Budget, Person
from tests.conftest import signed_in_client
from tests.purse.imports.support import csv_bytes, good_row
from tests.purse.plan_builders import staff

pytestmark = pytest.mark.django_db

URL = "/workspace/import/"


@pytest.fixture
def admin(tenant_a):
    with tenant_context(tenant_a.tenant):
        return staff("Ida Importer", "council_admin")


@pytest.fixture
def client(tenant_a, admin):
    return signed_in_client(tenant_a, admin)


def upload(client, content: bytes, name: str = "people.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, content, "text/csv")})


def test_the_upload_page_offers_the_file_input_and_the_columns(client) -> None:
    page = client.get(URL).content.decode()

    assert '<input class="govuk-file-upload" id="id_file" name="file" type="file"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "<code>next_review_date</code>" in page
    assert "<code>nhs_number</code> (optional)" in page
    assert "No files have been sent yet." in page


def test_a_file_with_bad_rows_reports_them_and_imports_nothing_until_chosen(
    tenant_a, client, django_capture_on_commit_callbacks
) -> None:
    rows = [good_row(1), good_row(2, postcode="nowhere"), good_row(3), good_row(4, management="")]

    response = upload(client, csv_bytes(rows))

    with tenant_context(tenant_a.tenant):
        made = ImportFile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{URL}{made.public_id}/"
    report = client.get(response["Location"]).content.decode()
    assert "What the check found" in report
    assert "2 rows have problems. Nothing is imported unless you choose" in report
    assert (
        '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>\n'
        '      <td class="govuk-table__cell">OLD00002</td>\n'
        '      <td class="govuk-table__cell"><code>postcode</code></td>\n'
        '      <td class="govuk-table__cell">Enter a full UK postcode, like SW1A 1AA</td>'
    ) in report
    assert '<td class="govuk-table__cell">OLD00004</td>' in report
    assert "Import the 2 valid rows</button>" in report
    with tenant_context(tenant_a.tenant):
        assert ImportedPerson.objects.count() == 0

    # When the administrator chooses to import the valid rows
    with django_capture_on_commit_callbacks() as queued:
        started = client.post(f"{URL}{made.public_id}/import/")
    assert started.status_code == 302
    assert len(queued) == 1  # the task, sent once the choice is committed
    waiting = client.get(f"{URL}{made.public_id}/").content.decode()
    assert "Importing budget holders" in waiting
    assert "The import is waiting to start." in waiting
    assert f'href="{URL}{made.public_id}/">Refresh to see progress</a>' in waiting

    # And the worker runs it
    with tenant_context(tenant_a.tenant):
        import_run(import_id=made.pk)
        assert sorted(ImportedPerson.objects.values_list("reference", flat=True)) == [
            "OLD00001",
            "OLD00003",
        ]
    done = client.get(f"{URL}{made.public_id}/").content.decode()
    assert '<h1 class="govuk-panel__title">Import complete</h1>' in done
    assert "2 budget holders imported" in done
    assert "Import the 2 valid rows" not in done


def test_a_clean_file_is_still_imported_only_when_asked(tenant_a, client) -> None:
    response = upload(client, csv_bytes([good_row(1), good_row(2)]))

    report = client.get(response["Location"]).content.decode()
    assert "Import 2 budget holders</button>" in report
    assert "Rows with problems" not in report
    with tenant_context(tenant_a.tenant):
        assert not Person.objects.filter(family_name__in=["Holder1", "Holder2"]).exists()


def test_sending_the_same_file_again_shows_the_first_result(tenant_a, client) -> None:
    content = csv_bytes([good_row(1), good_row(2)])
    first = upload(client, content)
    with tenant_context(tenant_a.tenant):
        import_file = ImportFile.objects.get()
    client.post(f"{URL}{import_file.public_id}/import/")
    with tenant_context(tenant_a.tenant):
        import_run(import_id=import_file.pk)

    again = upload(client, content, name="people-copy.csv")

    assert again["Location"] == first["Location"] + "?again=1"
    page = client.get(again["Location"]).content.decode()
    assert "You sent this file before" in page
    assert "Import complete" in page
    client.post(f"{URL}{import_file.public_id}/import/")
    with tenant_context(tenant_a.tenant):
        assert ImportFile.objects.count() == 1
        assert ImportedPerson.objects.count() == 2
        assert Budget.objects.filter(person__imported_as__isnull=False).count() == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "The selected file is empty"),
        ("book.xlsx", b"PK\x03\x04\x14\x00", "The selected file is a spreadsheet workbook"),
        ("photo.csv", b"\xff\xd8\xff\xe0\x00\x10JFIF", "The selected file must be a CSV file"),
        (
            "wrong.csv",
            b"ref,name\r\nA1,Ada\r\n",
            "The first row must name the columns described in the import guide",
        ),
    ],
)
def test_a_file_that_is_not_an_import_gets_a_clear_error_and_nothing_kept(
    tenant_a, client, name, content, message
) -> None:
    response = upload(client, content, name=name)

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert 'class="govuk-file-upload govuk-file-upload--error"' in page
    with tenant_context(tenant_a.tenant):
        assert ImportFile.objects.count() == 0
        assert not AuditEntry.objects.filter(action="imports.file_checked").exists()


def test_no_file_chosen_says_so(client) -> None:
    response = client.post(URL, {})
    assert response.status_code == 200
    assert '<a href="#id_file">Select a CSV file</a>' in response.content.decode()


def test_a_file_too_large_is_refused_without_reading_it_all(tenant_a, client, monkeypatch) -> None:
    monkeypatch.setattr("purse.imports.csv_layout.MAX_BYTES", 1024 * 1024)
    big = csv_bytes([good_row(n) for n in range(12_000)])
    assert len(big) > 1024 * 1024

    response = upload(client, big)

    assert response.status_code == 200
    assert "The selected file must be smaller than 1 MB" in response.content.decode()
    with tenant_context(tenant_a.tenant):
        assert ImportFile.objects.count() == 0


def test_the_bad_rows_download(tenant_a, client) -> None:
    upload(client, csv_bytes([good_row(1), good_row(2, weekly_budget="many")]), name="my file.csv")
    with tenant_context(tenant_a.tenant):
        made = ImportFile.objects.get()

    response = client.get(f"{URL}{made.public_id}/bad-rows.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="my file-bad-rows.csv"'
    lines = response.content.decode().splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("OLD00002,")
    assert lines[1] == (
        "OLD00002,Ada,Holder2,10/12/1950,,SW1A 1AA,,,many,20,direct_payment,01/04/2024,,"
        '2026-09-30,,"weekly_budget: Enter the weekly budget in pounds, like 275.50"'
    )


@pytest.mark.parametrize("role", ["care_manager", "finance_officer", "commissioner"])
def test_other_staff_are_refused_every_import_page(tenant_a, admin, role) -> None:
    with tenant_context(tenant_a.tenant):
        made = ImportFile.objects.create(
            name="x.csv", sha256="0" * 64, content=b"x", size=1, uploaded_by=admin
        )
        user = staff(f"Pat {role}", role)
    client = signed_in_client(tenant_a, user)
    for url in (URL, f"{URL}{made.public_id}/", f"{URL}{made.public_id}/bad-rows.csv"):
        assert client.get(url).status_code == 403
    assert upload(client, csv_bytes([good_row(1)])).status_code == 403
    assert client.post(f"{URL}{made.public_id}/import/").status_code == 403
    with tenant_context(tenant_a.tenant):
        assert ImportFile.objects.get().status == ImportFile.Status.CHECKED
        assert ImportFile.objects.count() == 1
        assert AuditEntry.objects.filter(action="web.access_denied", result="denied").count() == 5


def test_a_budget_holder_is_refused_and_signed_out_visitors_sent_to_sign_in(
    tenant_a, client_a
) -> None:
    holder = signed_in_client(tenant_a, tenant_a.person)
    assert holder.get(URL).status_code == 403
    assert upload(holder, csv_bytes([good_row(1)])).status_code == 403

    response = client_a.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/account/sign-in/?next={URL}")
    assert upload(client_a, csv_bytes([good_row(1)])).status_code == 302
    with tenant_context(tenant_a.tenant):
        assert ImportFile.objects.count() == 0


def test_another_councils_file_is_not_found(tenant_a, tenant_b, client) -> None:
    with tenant_context(tenant_b.tenant):
        other_admin = staff("Bo Admin", "council_admin")
        theirs = ImportFile.objects.create(
            name="theirs.csv", sha256="1" * 64, content=b"x", size=1, uploaded_by=other_admin
        )

    for url in (f"{URL}{theirs.public_id}/", f"{URL}{theirs.public_id}/bad-rows.csv"):
        assert client.get(url).status_code == 404
    assert client.post(f"{URL}{theirs.public_id}/import/").status_code == 404
    assert "theirs.csv" not in client.get(URL).content.decode()
