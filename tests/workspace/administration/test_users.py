"""Users and roles: the list with each account's status, inviting by email, changing
roles, sending an invitation again, and deactivating (which signs the person out
everywhere at once); and one council's administrator cannot reach another's users."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.services import api_token_issue, user_create
from core.models import AuditEntry
from core.services import SYSTEM
from tests.conftest import PASSWORD, host_client, signed_in_client

from .support import BASE, admin_client, in_schema

pytestmark = pytest.mark.django_db


def test_the_list_shows_each_account_with_its_roles_and_status(tenant_a):
    # Given an active administrator, an invited care manager and a deactivated officer
    with tenant_context(tenant_a.tenant):
        user_create(email="ivy@staff.example", full_name="Ivy Invited", role_codes=["care_manager"])
        gone = user_create(
            email="dee@staff.example",
            full_name="Dee Gone",
            role_codes=["finance_officer"],
            password=PASSWORD,
        )
        User.objects.filter(pk=gone.pk).update(is_active=False)

    page = admin_client(tenant_a).get(f"{BASE}/users/").content.decode()

    ivy = page[page.index("Ivy Invited") :].split("</tr>")[0]
    assert "Care manager" in ivy
    assert "Invited, not signed in yet" in ivy
    assert "Send the invitation again" in ivy
    dee = page[page.index("Dee Gone") :].split("</tr>")[0]
    assert "Deactivated" in dee
    assert "Deactivate<" not in dee
    assert "Change roles" not in dee
    admin = page[page.index("Northmoor Borough Council Admin") :].split("</tr>")[0]
    assert "Administrator" in admin
    assert ">Active<" in admin
    assert "Deactivate<" not in admin  # not offered for your own account


def test_the_list_filters_by_status(tenant_a):
    with tenant_context(tenant_a.tenant):
        user_create(email="ivy@staff.example", full_name="Ivy Invited", role_codes=["care_manager"])

    page = admin_client(tenant_a).get(f"{BASE}/users/?status=invited").content.decode()

    assert "ivy@staff.example" in page
    assert "admin@northmoor.example" not in page
    assert "person@northmoor.example" not in page


def test_inviting_someone_makes_their_account_and_emails_them_a_link(
    tenant_a, django_capture_on_commit_callbacks
):
    client = admin_client(tenant_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{BASE}/users/invite/",
            {"full_name": "Nia New", "email": "Nia@Staff.Example", "roles": ["care_manager"]},
        )

    assert response.status_code == 302
    assert response["Location"] == f"{BASE}/users/"
    with tenant_context(tenant_a.tenant):
        nia = User.objects.get(email="nia@staff.example")
        assert list(nia.roles.values_list("code", flat=True)) == ["care_manager"]
        assert not nia.has_usable_password()
        entry = AuditEntry.objects.get(action="user.created", object_id=str(nia.public_id))
        assert entry.actor_id == tenant_a.admin.public_id
    [message] = mail.outbox
    assert message.to == ["nia@staff.example"]
    assert "/account/set-password/" in message.body
    assert "Nia New has been sent an invitation" in client.get(f"{BASE}/users/").content.decode()


def test_an_invitation_with_a_taken_address_or_bad_input_shows_the_errors_and_makes_nothing(
    tenant_a, django_capture_on_commit_callbacks
):
    client = admin_client(tenant_a)
    before = in_schema(tenant_a, User.objects.count)

    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post(
            f"{BASE}/users/invite/",
            {"full_name": "Copy", "email": "admin@northmoor.example", "roles": ["care_manager"]},
        )
        empty = client.post(f"{BASE}/users/invite/", {"full_name": "", "email": "not-an-email"})
        unknown = client.post(
            f"{BASE}/users/invite/",
            {"full_name": "Rae", "email": "rae@staff.example", "roles": ["platform_operator"]},
        )

    assert taken.status_code == 200
    assert '<a href="#id_email">There is already an account for admin@northmoor.example</a>' in (
        taken.content.decode()
    )
    page = empty.content.decode()
    assert '<a href="#id_full_name">Enter the person&#x27;s name</a>' in page
    assert "<title>Error: Invite someone" in page
    assert '<a href="#id_roles">Choose at least one role</a>' in page
    assert "Choose roles from the list" in unknown.content.decode()
    assert in_schema(tenant_a, User.objects.count) == before
    assert mail.outbox == []


def test_changing_roles_gives_exactly_those_chosen(tenant_a):
    with tenant_context(tenant_a.tenant):
        sam = user_create(email="sam@staff.example", full_name="Sam", role_codes=["care_manager"])

    response = admin_client(tenant_a).post(
        f"{BASE}/users/{sam.public_id}/roles/", {"roles": ["finance_officer", "commissioner"]}
    )

    assert response.status_code == 302
    with tenant_context(tenant_a.tenant):
        assert sorted(sam.roles.values_list("code", flat=True)) == [
            "commissioner",
            "finance_officer",
        ]
        entry = AuditEntry.objects.get(action="user.roles_changed")
        assert entry.detail == {
            "before": ["care_manager"],
            "after": ["commissioner", "finance_officer"],
        }


def test_no_role_or_removing_your_own_administrator_role_is_refused(tenant_a):
    client = admin_client(tenant_a)
    with tenant_context(tenant_a.tenant):
        sam = user_create(email="sam@staff.example", full_name="Sam", role_codes=["care_manager"])

    none = client.post(f"{BASE}/users/{sam.public_id}/roles/", {})
    own = client.post(
        f"{BASE}/users/{tenant_a.admin.public_id}/roles/", {"roles": ["commissioner"]}
    )

    assert none.status_code == 200
    assert '<a href="#id_roles">Choose at least one role</a>' in none.content.decode()
    assert "You cannot remove your own administrator role" in own.content.decode()
    with tenant_context(tenant_a.tenant):
        assert list(sam.roles.values_list("code", flat=True)) == ["care_manager"]
        assert list(tenant_a.admin.roles.values_list("code", flat=True)) == ["council_admin"]
        assert not AuditEntry.objects.filter(action="user.roles_changed").exists()


def test_deactivating_signs_the_person_out_at_once_and_stops_their_token(tenant_a):
    # Given a care manager signed in in a browser, with an API token
    with tenant_context(tenant_a.tenant):
        carl = user_create(
            email="carl@staff.example",
            full_name="Carl Manager",
            role_codes=["care_manager"],
            password=PASSWORD,
        )
        raw, _ = api_token_issue(user=carl, origin=SYSTEM)
    carl_browser = signed_in_client(tenant_a, carl)
    other_browser = signed_in_client(tenant_a, tenant_a.person)
    api = host_client(tenant_a.host, HTTP_AUTHORIZATION=f"Token {raw}")
    assert carl_browser.get("/workspace/").status_code == 200
    assert api.get("/api/me/").status_code == 200
    client = admin_client(tenant_a)

    # When the administrator confirms the deactivation
    confirm = client.get(f"{BASE}/users/{carl.public_id}/deactivate/")
    response = client.post(f"{BASE}/users/{carl.public_id}/deactivate/")

    # Then the account is off, his session is gone from the store, and both stop working
    assert "Deactivate Carl Manager?" in confirm.content.decode()
    assert response.status_code == 302
    with tenant_context(tenant_a.tenant):
        carl.refresh_from_db()
        assert carl.is_active is False
        assert carl.api_tokens.count() == 0
        entry = AuditEntry.objects.get(action="user.deactivated")
        assert entry.detail == {"sessions_ended": 1}
        live = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
        assert str(carl.pk) not in live
        assert str(tenant_a.person.pk) in live  # nobody else is signed out
    after = carl_browser.get("/workspace/")
    assert after.status_code == 302
    assert after["Location"].startswith("/account/sign-in/")
    assert api.get("/api/me/").status_code == 401
    assert other_browser.get("/").status_code == 200


def test_you_cannot_deactivate_yourself_and_are_told_why(tenant_a):
    response = admin_client(tenant_a).post(f"{BASE}/users/{tenant_a.admin.public_id}/deactivate/")

    assert response.status_code == 200
    assert "You cannot deactivate your own account. Ask another administrator." in (
        response.content.decode()
    )
    with tenant_context(tenant_a.tenant):
        assert User.objects.get(pk=tenant_a.admin.pk).is_active is True


def test_an_invitation_is_sent_again_only_to_someone_still_invited(
    tenant_a, django_capture_on_commit_callbacks
):
    with tenant_context(tenant_a.tenant):
        ivy = user_create(email="ivy@staff.example", full_name="Ivy", role_codes=["care_manager"])
    client = admin_client(tenant_a)

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"{BASE}/users/{ivy.public_id}/invite-again/")
        refused = client.post(f"{BASE}/users/{tenant_a.admin.public_id}/invite-again/")

    assert again.status_code == 302
    assert [m.to for m in mail.outbox] == [["ivy@staff.example"]]
    assert refused.status_code == 200
    assert "they have already set a password" in refused.content.decode()
    assert (
        in_schema(tenant_a, lambda: AuditEntry.objects.filter(action="user.invited_again").count())
        == 1
    )


def test_another_councils_administrator_cannot_see_or_change_these_users(tenant_a, tenant_b):
    with tenant_context(tenant_a.tenant):
        sam = user_create(
            email="sam@staff.example",
            full_name="Sam Northmoor",
            role_codes=["care_manager"],
            password=PASSWORD,
        )
    b_admin = admin_client(tenant_b)

    listed = b_admin.get(f"{BASE}/users/").content.decode()
    assert "sam@staff.example" not in listed
    assert "person@northmoor.example" not in listed
    assert "person@southbay.example" in listed
    for path in ("roles", "deactivate", "invite-again"):
        assert b_admin.get(f"{BASE}/users/{sam.public_id}/{path}/").status_code == 404
        assert b_admin.post(f"{BASE}/users/{sam.public_id}/{path}/").status_code == 404
    assert (
        b_admin.post(
            f"{BASE}/users/{sam.public_id}/roles/", {"roles": ["council_admin"]}
        ).status_code
        == 404
    )
    with tenant_context(tenant_a.tenant):
        sam.refresh_from_db()
        assert sam.is_active is True
        assert list(sam.roles.values_list("code", flat=True)) == ["care_manager"]
