"""Notification settings: saved all at once through the service (nothing saved when
one is wrong), and the review-reminder settings really change what is sent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from core.models import AuditEntry
from purse.models import Review
from purse.services.plans import plan_approve, plan_create
from purse.services.reviews import review_reminders_send
from tenants.notifications.models import NotificationSettings
from tenants.notifications.selectors import notification_settings_get
from tests.purse import plan_builders as b

from .support import BASE, admin_client, in_schema

pytestmark = pytest.mark.django_db

D = dt.date
GOOD = {
    "review_reminders_enabled": "yes",
    "review_reminder_days_ahead": "30",
    "exceptions_digest_enabled": "yes",
    "exceptions_digest_email": " Finance@Northmoor.Example ",
    "budget_holder_reply_to": "care@northmoor.example",
}


def test_the_page_shows_the_defaults_before_anything_is_saved(tenant_a):
    page = admin_client(tenant_a).get(f"{BASE}/notifications/").content.decode()

    assert 'name="review_reminder_days_ahead" type="text" value="14"' in page
    assert 'name="review_reminders_enabled" type="radio" value="yes" checked' in page
    assert 'name="exceptions_digest_enabled" type="radio" value="no" checked' in page
    assert "ePurse does not send it yet" in page
    assert in_schema(tenant_a, NotificationSettings.objects.count) == 0


def test_saving_stores_every_setting(tenant_a):
    response = admin_client(tenant_a).post(f"{BASE}/notifications/", GOOD)

    assert response.status_code == 302
    with tenant_context(tenant_a.tenant):
        saved = NotificationSettings.objects.get()
        assert (
            saved.review_reminders_enabled,
            saved.review_reminder_days_ahead,
            saved.exceptions_digest_enabled,
            saved.exceptions_digest_email,
            saved.budget_holder_reply_to,
            saved.updated_by_id,
        ) == (
            True,
            30,
            True,
            "finance@northmoor.example",
            "care@northmoor.example",
            tenant_a.admin.pk,
        )
        entry = AuditEntry.objects.get(action="notifications.settings_updated")
        assert entry.detail == {
            "changed": [
                "budget_holder_reply_to",
                "exceptions_digest_email",
                "exceptions_digest_enabled",
                "review_reminder_days_ahead",
            ]
        }


def test_wrong_settings_show_their_errors_and_save_nothing(tenant_a):
    response = admin_client(tenant_a).post(
        f"{BASE}/notifications/",
        GOOD
        | {
            "review_reminder_days_ahead": "0",
            "exceptions_digest_email": "",
            "budget_holder_reply_to": "not an address",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert (
        '<a href="#id_review_reminder_days_ahead">The number of days must be between 1 and 90</a>'
        in page
    )
    assert (
        '<a href="#id_exceptions_digest_email">Enter the finance mailbox to send the digest to</a>'
        in page
    )
    assert '<a href="#id_budget_holder_reply_to">Enter an email address in the correct format' in (
        page
    )
    assert in_schema(tenant_a, NotificationSettings.objects.count) == 0


def test_days_that_are_not_a_number_are_refused_by_the_form(tenant_a):
    page = (
        admin_client(tenant_a)
        .post(f"{BASE}/notifications/", GOOD | {"review_reminder_days_ahead": "two weeks"})
        .content.decode()
    )

    assert "Enter the number of days as a whole number, like 14" in page
    assert in_schema(tenant_a, NotificationSettings.objects.count) == 0


@pytest.fixture
def plan_with_first_review(tenant_a):
    """An approved plan whose first review is due on 25 April 2024, and a care manager."""
    with tenant_context(tenant_a.tenant):
        carol = b.staff("Carol Manager")
        version = b.rules_version()
        plan = plan_create(
            assessment=b.assessment(b.person(), version, carol),
            outcomes="Stay at home",
            management="direct_payment",
            lines=[("home-care", "Mornings", 30000)],
            weekly_budget_pence=30000,
            starts_on=D(2024, 2, 29),
            by=carol,
        )
        plan_approve(plan=plan, by=carol)
        assert plan.reviews.get(kind="first").due_on == D(2024, 4, 25)
        yield plan


def test_reminders_turned_off_are_not_sent_and_go_out_when_turned_back_on(
    tenant_a, plan_with_first_review, django_capture_on_commit_callbacks
):
    client = admin_client(tenant_a)
    client.post(f"{BASE}/notifications/", GOOD | {"review_reminders_enabled": "no"})

    with tenant_context(tenant_a.tenant), django_capture_on_commit_callbacks(execute=True):
        assert review_reminders_send(today=D(2024, 4, 20)) == 0
    assert mail.outbox == []
    assert (
        in_schema(tenant_a, lambda: Review.objects.filter(reminded_on__isnull=False).count()) == 0
    )

    client.post(f"{BASE}/notifications/", GOOD | {"review_reminders_enabled": "yes"})
    with tenant_context(tenant_a.tenant), django_capture_on_commit_callbacks(execute=True):
        assert review_reminders_send(today=D(2024, 4, 20)) == 1
    assert [m.to for m in mail.outbox] == [["carol.manager@staff.example"]]


def test_the_days_ahead_setting_decides_which_reviews_are_reminded(
    tenant_a, plan_with_first_review, django_capture_on_commit_callbacks
):
    # 20 days before the first review: outside the default 14 days...
    with tenant_context(tenant_a.tenant), django_capture_on_commit_callbacks(execute=True):
        assert notification_settings_get().review_reminder_days_ahead == 14
        assert review_reminders_send(today=D(2024, 4, 5)) == 0

    # ...inside 30 once the council says so.
    admin_client(tenant_a).post(f"{BASE}/notifications/", GOOD)
    with tenant_context(tenant_a.tenant), django_capture_on_commit_callbacks(execute=True):
        assert review_reminders_send(today=D(2024, 4, 5)) == 1
        first = plan_with_first_review.reviews.get(kind="first")
        assert first.reminded_on == D(2024, 4, 5)
    [message] = mail.outbox
    assert message.subject == f"A review is due (ref. R{first.pk})"


def test_one_councils_settings_do_not_touch_anothers(tenant_a, tenant_b):
    admin_client(tenant_a).post(f"{BASE}/notifications/", GOOD | {"review_reminders_enabled": "no"})

    assert in_schema(tenant_b, lambda: notification_settings_get().review_reminders_enabled) is True
    page = admin_client(tenant_b).get(f"{BASE}/notifications/").content.decode()
    assert "finance@northmoor.example" not in page
