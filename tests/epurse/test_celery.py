"""Tenant tasks run in the tenant that sent them, and fail closed without one.

The worker tests start a real Celery worker process on the configured broker (Redis
in CI, the filesystem broker otherwise), listening on a queue of its own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.tasks import public_sessions_clear_expired, sessions_clear_expired
from epurse.beat import TenantBeatScheduler
from epurse.celery import TenantRequired, app
from tenants.models import Tenant
from tests.celery_worker import Worker


def queued(queue: str) -> list[dict]:
    """Take every message off `queue` and return their headers."""
    headers = []
    with app.connection_for_read() as conn:
        simple = conn.SimpleQueue(queue)
        try:
            while True:
                message = simple.get(block=False)
                headers.append(message.headers)
                message.ack()
        except simple.Empty:
            pass
        finally:
            simple.close()
    return headers


def test_sending_a_tenant_task_from_public_raises_and_enqueues_nothing(db) -> None:
    queue = f"test-{uuid.uuid4().hex}"

    with pytest.raises(TenantRequired, match="send it from inside a tenant"):
        sessions_clear_expired.apply_async(queue=queue)

    assert queued(queue) == []


def test_scheduling_a_tenant_task_for_commit_from_public_raises_at_once(db) -> None:
    queue = f"test-{uuid.uuid4().hex}"

    with pytest.raises(TenantRequired), transaction.atomic():
        sessions_clear_expired.apply_async_on_commit(queue=queue)
    with pytest.raises(TenantRequired), transaction.atomic():
        sessions_clear_expired.delay_on_commit()

    assert queued(queue) == []


def test_a_task_scheduled_for_commit_inside_a_tenant_carries_it(
    tenant_a, django_capture_on_commit_callbacks
) -> None:
    queue = f"test-{uuid.uuid4().hex}"

    with django_capture_on_commit_callbacks(execute=True), schema_context(tenant_a.slug):
        sessions_clear_expired.apply_async_on_commit(queue=queue)

    [headers] = queued(queue)
    assert headers["_schema_name"] == "northmoor"


def test_running_a_tenant_task_in_public_raises_before_its_body(db) -> None:
    expired = _session(expired=True)  # in public

    result = sessions_clear_expired.apply()

    assert isinstance(result.result, TenantRequired)
    assert Session.objects.filter(session_key=expired).exists()


def test_a_task_sent_inside_a_tenant_carries_it(tenant_a) -> None:
    queue = f"test-{uuid.uuid4().hex}"

    with schema_context(tenant_a.slug):
        sessions_clear_expired.apply_async(queue=queue)

    [headers] = queued(queue)
    assert headers["_schema_name"] == "northmoor"


def test_beat_sends_the_periodic_task_once_to_each_open_tenant(
    tenant_a, tenant_b, tmp_path
) -> None:
    Tenant.objects.filter(pk=tenant_b.tenant.pk).update(status=Tenant.Status.CLOSED)
    queue = f"test-{uuid.uuid4().hex}"
    scheduler = TenantBeatScheduler(app=app, schedule_filename=str(tmp_path / "beat"))
    [entry] = [e for name, e in scheduler.schedule.items() if name.startswith("sessions-clear")]
    entry.options["queue"] = queue

    scheduler.apply_entry(entry)

    # Every tenant but public and the closed one, once each (other tests may have
    # committed tenants of their own, hence the query rather than a fixed list).
    expected = sorted(
        Tenant.objects.exclude(schema_name__in=["public", "southbay"]).values_list(
            "schema_name", flat=True
        )
    )
    assert "northmoor" in expected
    assert sorted(headers["_schema_name"] for headers in queued(queue)) == expected


# --- with a real worker ------------------------------------------------------------


def _session(*, expired: bool) -> str:
    store = SessionStore()
    store["purpose"] = "test"
    store.create()
    if expired:
        Session.objects.filter(session_key=store.session_key).update(
            expire_date=timezone.now() - timedelta(days=1)
        )
    return str(store.session_key)


@pytest.fixture
def worker(committed) -> Iterator[Worker]:
    running = Worker(f"test-{uuid.uuid4().hex}")
    yield running
    running.stop()


@pytest.fixture
def sessions(committed, tenant_schemas) -> Iterator[dict[str, str]]:
    """An expired session in public, A and B, and a live one in A (committed)."""
    keys: dict[str, str] = {}
    for schema in ("public", *tenant_schemas):
        with schema_context(schema):
            keys[schema] = _session(expired=True)
    with schema_context(tenant_schemas[0]):
        keys["live"] = _session(expired=False)
    yield keys
    for schema in ("public", *tenant_schemas):
        with schema_context(schema):
            Session.objects.filter(session_key__in=keys.values()).delete()


@pytest.fixture
def tenant_schemas(django_db_setup) -> tuple[str, str]:
    return (django_db_setup["a"].slug, django_db_setup["b"].slug)


def _exists(schema: str, key: str) -> bool:
    with schema_context(schema):
        return Session.objects.filter(session_key=key).exists()


@pytest.mark.slow
def test_worker_runs_a_tenant_task_in_that_tenant_only(worker: Worker, sessions) -> None:
    with schema_context("northmoor"):
        sessions_clear_expired.apply_async(queue=worker.queue)

    worker.wait_for(lambda: not _exists("northmoor", sessions["northmoor"]), "A's expired session")
    worker.wait_for(lambda: any("succeeded" in line for line in worker.output), "task success")
    assert _exists("northmoor", sessions["live"])
    assert _exists("southbay", sessions["southbay"])  # B untouched
    assert _exists("public", sessions["public"])


@pytest.mark.slow
def test_worker_refuses_a_tenant_task_that_arrives_without_a_tenant(
    worker: Worker, sessions
) -> None:
    # A producer that bypasses the send-time check: the message names no tenant.
    app.send_task(
        "accounts.tasks.sessions_clear_expired",
        queue=worker.queue,
        headers={"_schema_name": "public"},
    )

    worker.wait_for(lambda: any("TenantRequired" in line for line in worker.output), "refusal")
    # Nor one that names a tenant that does not exist.
    app.send_task(
        "accounts.tasks.sessions_clear_expired",
        queue=worker.queue,
        headers={"_schema_name": "no-such-council"},
    )
    worker.wait_for(
        lambda: sum("raised unexpected: TenantRequired" in line for line in worker.output) == 2,
        "second refusal",
    )
    assert _exists("public", sessions["public"])
    assert _exists("northmoor", sessions["northmoor"])
    assert _exists("southbay", sessions["southbay"])

    # The same worker does run public work that is meant for public.
    public_sessions_clear_expired.apply_async(queue=worker.queue)
    worker.wait_for(lambda: not _exists("public", sessions["public"]), "public task")
    assert _exists("northmoor", sessions["northmoor"])
