"""Registering providers and the platform's vetting."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from catalogue.models import Provider, ProviderMember, VettingDocument
from catalogue.services.providers import (
    provider_register,
    provider_status_change,
    vetting_checklist,
    vetting_document_review,
    vetting_document_upload,
    vetting_expiry_reminders_send,
)
from core.errors import DomainError, ValidationFailed
from core.models import AuditEntry

from . import factories as f

pytestmark = pytest.mark.django_db


def _register(**overrides: Any) -> tuple[Provider, User]:
    data: dict[str, Any] = dict(
        legal_name="Careful Hands Ltd",
        email="office@carefulhands.example",
        owner_email="Owner@CarefulHands.example",
        owner_name="Ada Owner",
        owner_password=f.PASSWORD,
        companies_house_number="01234567",
    )
    data.update(overrides)
    return provider_register(**data)


def test_registration_creates_provider_owner_and_audit():
    provider, owner = _register()
    assert provider.status == Provider.Status.APPLIED
    assert owner.email == "owner@carefulhands.example"
    assert list(owner.roles.values_list("code", flat=True)) == ["provider_staff"]
    assert ProviderMember.objects.get(provider=provider).role == "owner"
    entry = AuditEntry.objects.get(action="provider.registered", object_id=str(provider.pk))
    assert entry.actor_label == "owner@carefulhands.example"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("legal_name", "  ", "Enter the organisation's legal name"),
        (
            "companies_house_number",
            "123",
            "Enter a Companies House number of 8 characters, like 01234567 or SC123456",
        ),
        ("charity_number", "12ab", "Enter a charity number of 6 to 8 digits, like 1234567"),
        ("cqc_provider_id", "CQC1", "Enter a CQC provider ID, like 1-101234567"),
        (
            "email",
            "not-an-email",
            "Enter an email address in the correct format, like name@example.com",
        ),
        ("website", "javascript:alert(1)", "Enter a website address, like https://www.example.org"),
    ],
)
def test_registration_refuses_bad_details_and_writes_nothing(field, value, message):
    with pytest.raises(ValidationFailed) as caught:
        _register(**{field: value})
    assert caught.value.field_errors[field] == [message]
    assert not Provider.objects.exists()
    assert not User.objects.filter(email="owner@carefulhands.example").exists()


def test_registration_refuses_duplicates():
    _register()
    with pytest.raises(ValidationFailed) as caught:
        _register(legal_name="CAREFUL HANDS LTD", owner_email="other@example.org")
    assert caught.value.field_errors == {
        "legal_name": ["An organisation with this name is already registered"],
        "companies_house_number": [
            "An organisation with this Companies House number is already registered"
        ],
    }
    assert Provider.objects.count() == 1


def test_weak_owner_password_leaves_no_provider():
    with pytest.raises(ValidationFailed) as caught:
        _register(owner_password="short")
    assert list(caught.value.field_errors) == ["owner_password"]
    assert not Provider.objects.exists()


def test_approval_needs_every_required_document_accepted_and_in_date():
    provider, owner = _register()
    op = f.operator()
    provider_status_change(provider=provider, status="under_review", reason="", by=op)
    with pytest.raises(DomainError) as caught:
        provider_status_change(provider=provider, status="approved", reason="", by=op)
    assert caught.value.detail == (
        "The provider cannot be approved until these documents are accepted and in date: "
        "Public liability insurance, DBS checks policy, Safeguarding policy"
    )
    for kind in ("insurance", "dbs_policy", "safeguarding_policy"):
        doc = vetting_document_upload(
            provider=provider,
            kind=kind,
            content=f.PDF,
            name="x.pdf",
            expires_on=timezone.localdate() + dt.timedelta(days=90),
            by=owner,
        )
        if kind != "dbs_policy":
            vetting_document_review(document=doc, accept=True, note="", by=op)
    with pytest.raises(DomainError, match=r"in date: DBS checks policy$"):
        provider_status_change(provider=provider, status="approved", reason="", by=op)
    doc = provider.documents.get(kind="dbs_policy")
    vetting_document_review(document=doc, accept=True, note="", by=op)
    approved = provider_status_change(provider=provider, status="approved", reason="", by=op)
    assert approved.status == "approved"
    assert approved.status_changed_by == op


def test_regulated_care_needs_cqc_registration():
    provider, _ = _register(cqc_provider_id="1-101234567")
    items = {item.kind: item.required for item in vetting_checklist(provider=provider)}
    assert items == {
        "insurance": True,
        "dbs_policy": True,
        "safeguarding_policy": True,
        "cqc_registration": True,
    }
    gym, gym_owner = _register(
        legal_name="Gym Ltd", companies_house_number="", owner_email="gym@example.org"
    )
    assert [i.kind for i in vetting_checklist(provider=gym) if i.required] == [
        "insurance",
        "dbs_policy",
        "safeguarding_policy",
    ]
    # A home care service makes the provider regulated even without a CQC id on file.
    where = f.location_made(gym, gym_owner)
    f.service_made(gym, gym_owner, location=where, category="home-care", publish=False)
    assert [i.kind for i in vetting_checklist(provider=gym) if i.required][-1] == "cqc_registration"


def test_rejecting_or_suspending_needs_a_reason_and_tells_the_provider(
    django_capture_on_commit_callbacks,
):
    provider, _ = f.provider_registered()
    op = f.operator()
    with pytest.raises(ValidationFailed, match="Give a reason"):
        provider_status_change(provider=provider, status="rejected", reason=" ", by=op)
    assert Provider.objects.get(pk=provider.pk).status == "applied"
    with django_capture_on_commit_callbacks(execute=True):
        provider_status_change(provider=provider, status="rejected", reason="No insurance", by=op)
    assert mail.outbox[-1].to == [provider.email]
    assert "Reason: No insurance" in mail.outbox[-1].body


def test_disallowed_transition_is_refused():
    provider, _ = f.provider_registered()
    with pytest.raises(DomainError, match="A provider that is applied cannot be suspended"):
        provider_status_change(provider=provider, status="suspended", reason="x", by=f.operator())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The selected file is empty"),
        (b"MZ\x90\x00 an executable", "The selected file must be a PDF, JPG or PNG"),
    ],
)
def test_bad_documents_are_refused(content, message):
    provider, owner = f.provider_registered()
    with pytest.raises(ValidationFailed) as caught:
        vetting_document_upload(
            provider=provider,
            kind="dbs_policy",
            content=content,
            name="a.pdf",
            expires_on=None,
            by=owner,
        )
    assert caught.value.field_errors == {"document": [message]}
    assert not VettingDocument.objects.exists()


def test_oversized_document_is_refused(settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    provider, owner = f.provider_registered()
    with pytest.raises(ValidationFailed, match="The file must be smaller than 1 KB"):
        vetting_document_upload(
            provider=provider,
            kind="dbs_policy",
            content=f.PDF + b"0" * 1000,
            name="a.pdf",
            expires_on=None,
            by=owner,
        )


def test_insurance_needs_a_future_expiry_date():
    provider, owner = f.provider_registered()
    with pytest.raises(ValidationFailed, match="Enter the date the insurance ends"):
        vetting_document_upload(
            provider=provider,
            kind="insurance",
            content=f.PDF,
            name="i.pdf",
            expires_on=None,
            by=owner,
        )
    with pytest.raises(ValidationFailed, match="already expired"):
        vetting_document_upload(
            provider=provider,
            kind="insurance",
            content=f.PDF,
            name="i.pdf",
            expires_on=timezone.localdate() - dt.timedelta(days=1),
            by=owner,
        )


def test_expiry_reminders_are_sent_once_per_threshold(django_capture_on_commit_callbacks):
    provider, owner = f.provider_registered()
    today = timezone.localdate()
    doc = vetting_document_upload(
        provider=provider,
        kind="insurance",
        content=f.PDF,
        name="i.pdf",
        expires_on=today + dt.timedelta(days=20),
        by=owner,
    )
    vetting_document_review(document=doc, accept=True, note="", by=f.operator())
    with django_capture_on_commit_callbacks(execute=True):
        assert vetting_expiry_reminders_send(today=today) == 1
        assert vetting_expiry_reminders_send(today=today) == 0  # not twice
        assert vetting_expiry_reminders_send(today=today + dt.timedelta(days=10)) == 0
        assert vetting_expiry_reminders_send(today=today + dt.timedelta(days=14)) == 1  # 6 left
        assert vetting_expiry_reminders_send(today=today + dt.timedelta(days=20)) == 1  # today
    subjects = [m.subject for m in mail.outbox]
    assert subjects == [
        f"{provider.display_name}: your public liability insurance expires in 20 days",
        f"{provider.display_name}: your public liability insurance expires in 6 days",
        f"{provider.display_name}: your public liability insurance expires today",
    ]


def test_the_daily_task_sends_reminders_in_the_public_schema(django_capture_on_commit_callbacks):
    from django.conf import settings

    from catalogue.tasks import vetting_expiry_reminders

    entry = settings.CELERY_BEAT_SCHEDULE["vetting-expiry-reminders"]
    assert (entry["task"], entry["tenant_schemas"]) == (vetting_expiry_reminders.name, ["public"])
    provider, owner = f.provider_registered()
    doc = vetting_document_upload(
        provider=provider,
        kind="insurance",
        content=f.PDF,
        name="i.pdf",
        expires_on=timezone.localdate(),
        by=owner,
    )
    vetting_document_review(document=doc, accept=True, note="", by=f.operator())
    with django_capture_on_commit_callbacks(execute=True):
        assert vetting_expiry_reminders.apply().get() == 1
    assert mail.outbox[-1].subject.endswith("expires today")
