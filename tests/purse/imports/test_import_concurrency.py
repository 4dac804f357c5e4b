"""On real parallel connections: the same file sent twice at the same moment is kept
once, asked to import twice at once is queued once, and two runs of it at once import
each row once. And a real worker runs the import in the council's schema."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django_tenants.utils import tenant_context

from accounts.services import user_create
from epurse.paths import BASE_DIR
from purse.imports import tasks
from purse.imports.models import ImportedPerson, ImportFile
from purse.imports.services import import_file_check, import_run, import_start
from purse.models import Budget, Person, SupportPlan
from tests.celery_worker import Worker
from tests.conftest import TenantUsers, council_committed, signed_in_client

from .support import csv_bytes, good_row

SLUG = "importrace"
URL = "/workspace/import/"


@pytest.fixture
def council(committed, django_db_setup) -> Iterator[tuple[TenantUsers, Any]]:
    with council_committed(SLUG, django_db_setup["a"]) as onboarded:
        with tenant_context(onboarded.tenant):
            admin = user_create(
                email=f"importer@{SLUG}.example", full_name="Ida", role_codes=["council_admin"]
            )
        yield (
            TenantUsers(
                tenant=onboarded.tenant, host=f"{SLUG}.localhost", admin=admin, person=None
            ),
            admin,
        )


def at_once(work: Callable[[], Any], times: int = 2) -> list[Any]:
    """Run `work` in `times` threads released together, each on its own connection."""
    start = threading.Barrier(times)
    results: list[Any] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            start.wait()
            result = work()
            with lock:
                results.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_the_same_file_at_once_is_kept_once_queued_once_and_imported_once(
    council, monkeypatch
) -> None:
    users, admin = council
    content = csv_bytes([good_row(n) for n in range(1, 301)] + [good_row(400, postcode="x")])
    sent: list[tuple] = []
    monkeypatch.setattr(tasks.import_rows, "delay_on_commit", lambda *args: sent.append(args))

    # Given two administrators' browsers sending the same file at the same moment
    def send() -> str:
        client = signed_in_client(users, admin)
        response = client.post(URL, {"file": SimpleUploadedFile("p.csv", content, "text/csv")})
        return str(response["Location"])

    locations = at_once(send)

    with tenant_context(users.tenant):
        [kept] = ImportFile.objects.all()
    assert (
        sorted(loc.removesuffix("?again=1") for loc in locations) == [f"{URL}{kept.public_id}/"] * 2
    )

    # When both choose to import at the same moment
    def choose() -> int:
        client = signed_in_client(users, admin)
        return client.post(f"{URL}{kept.public_id}/import/").status_code

    assert at_once(choose) == [302, 302]
    assert sent == [(kept.pk,)]

    # And two runs of it go at once (a task delivered twice)
    def run() -> None:
        with tenant_context(users.tenant):
            import_run(import_id=kept.pk)

    at_once(run)

    with tenant_context(users.tenant):
        assert ImportedPerson.objects.count() == 300
        assert Person.objects.count() == 300
        assert SupportPlan.objects.count() == 300
        assert Budget.objects.count() == 300
        done = ImportFile.objects.get()
        assert (done.status, done.rows_imported, done.rows_bad) == (ImportFile.Status.DONE, 300, 1)


def test_a_real_worker_imports_the_file_in_the_council_once(
    council, django_db_setup, monkeypatch
) -> None:
    users, admin = council
    # The page's own send goes to the default queue; this worker listens on its own.
    monkeypatch.setattr(tasks.import_rows, "delay_on_commit", lambda *args: None)
    # The apps by path, as pytest finds them: an editable install made before a package
    # was added does not know it.
    worker = Worker(
        f"test-{uuid.uuid4().hex}", PYTHONPATH=f"{BASE_DIR / 'platform'}{os.pathsep}{BASE_DIR}"
    )
    try:
        with tenant_context(users.tenant):
            made, _ = import_file_check(
                name="w.csv", content=csv_bytes([good_row(n) for n in range(50)]), by=admin
            )
            import_start(import_file=made, by=admin)
            # The task sent twice (as a redelivery would): the second finds nothing to do.
            tasks.import_rows.apply_async(args=[made.pk], queue=worker.queue)
            tasks.import_rows.apply_async(args=[made.pk], queue=worker.queue)

        def finished() -> bool:
            with tenant_context(users.tenant):
                return ImportFile.objects.get(pk=made.pk).status == ImportFile.Status.DONE

        worker.wait_for(finished, "the import to finish", timeout=120)
        worker.wait_for(
            lambda: sum("succeeded" in line for line in worker.output) == 2, "both tasks"
        )
    finally:
        worker.stop()
    with tenant_context(users.tenant):
        assert ImportedPerson.objects.count() == 50
        assert Person.objects.count() == 50
    with tenant_context(django_db_setup["a"].tenant):
        assert not ImportedPerson.objects.filter(source__name="w.csv").exists()
