"""Reviews: written by people of a council, moderated by that council, answered by the
provider from the platform's host into the council's own schema."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from catalogue.council.models import Review
from catalogue.council.reviews import _has_ordered
from core.models import AuditEntry
from epurse.db import use_public_schema
from tests.conftest import host_client

from . import factories as f
from .api_support import (
    API,
    PUBLIC_HOST,
    approve,
    audit_actions,
    council_client,
    council_user,
    field_errors,
    problem,
    public_signed_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(tenant_a, tenant_b):
    """A service both councils offer, and one only Southbay offers."""
    provider, owner = f.provider_registered("Careful Hands Ltd")
    f.provider_vetted(provider, owner)
    visits = f.service_made(provider, owner, location=None, name="Phone befriending")
    southbay_only = f.service_made(provider, owner, location=None, name="Southbay lunches")
    approve(tenant_a, provider, visits)
    approve(tenant_b, provider, visits, southbay_only)
    return {"provider": provider, "owner": owner, "visits": visits, "southbay": southbay_only}


@pytest.fixture
def person_a(tenant_a):
    return council_client(tenant_a, tenant_a.person)


def _reviews_path(service):
    return f"{API}/services/{service.pk}/reviews/"


def _submit(client, service, **data):
    return client.post(_reviews_path(service), data, content_type="application/json")


def _count(tenant_users):
    with tenant_context(tenant_users.tenant):
        count = Review.objects.count()
    use_public_schema()
    return count


def _publish(tenant_users, review_id):
    admin = council_client(tenant_users, tenant_users.admin)
    response = admin.post(
        f"{API}/reviews/{review_id}/moderation/",
        {"publish": True},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response


def test_ordering_is_assumed_until_the_epurse_supplies_orders(offered, tenant_a):
    assert _has_ordered(service=offered["visits"], person=tenant_a.person) is True


def test_a_person_reviews_a_service_and_it_waits_for_moderation(
    offered, tenant_a, tenant_b, person_a
):
    response = _submit(person_a, offered["visits"], rating=4, comment=" Always on time ")

    assert response.status_code == 201
    body = response.json()
    with tenant_context(tenant_a.tenant):
        review = Review.objects.get()
        assert (review.author, review.on_behalf_of, review.rating, review.comment) == (
            tenant_a.person,
            None,
            4,
            "Always on time",
        )
        entry = AuditEntry.objects.get(action="review.submitted")
        assert entry.actor_id == tenant_a.person.public_id
    assert body == {
        "id": review.pk,
        "rating": 4,
        "comment": "Always on time",
        "status": "pending",
        "created_at": body["created_at"],
        "provider_reply": "",
        "replied_at": None,
    }
    assert _count(tenant_b) == 0
    # Not shown to anyone until the council publishes it.
    assert person_a.get(_reviews_path(offered["visits"])).json()["count"] == 0


def test_one_review_per_person_per_service(offered, tenant_a, person_a):
    _submit(person_a, offered["visits"], rating=4)

    again = _submit(person_a, offered["visits"], rating=1, comment="Changed my mind")

    assert field_errors(again) == {
        "service": [
            "There is already a review of this service for you: each person reviews a service once"
        ]
    }
    assert _count(tenant_a) == 1


def test_a_representative_writes_for_the_person_they_act_for(offered, tenant_a, person_a):
    carer = council_user(tenant_a, "representative", "carer")
    carer_client = council_client(tenant_a, carer)

    written = _submit(
        carer_client, offered["visits"], rating=5, on_behalf_of=str(tenant_a.person.public_id)
    )
    own = _submit(person_a, offered["visits"], rating=2)
    for_staff = _submit(
        carer_client, offered["visits"], rating=5, on_behalf_of=str(tenant_a.admin.public_id)
    )

    assert written.status_code == 201
    with tenant_context(tenant_a.tenant):
        review = Review.objects.get()
        assert (review.author, review.on_behalf_of) == (carer, tenant_a.person)
        entry = AuditEntry.objects.get(action="review.submitted")
        assert entry.acting_for_id == tenant_a.person.public_id
    use_public_schema()
    # The person has their review now (written for them), so not another.
    assert field_errors(own) == {
        "service": [
            "There is already a review of this service for you: each person reviews a service once"
        ]
    }
    assert field_errors(for_staff) == {
        "on_behalf_of": ["You can only write a review for someone you act for"]
    }
    assert _count(tenant_a) == 1


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"rating": 0}, {"rating": ["Give a rating from 1 (poor) to 5 (excellent)"]}),
        ({"rating": 6}, {"rating": ["Give a rating from 1 (poor) to 5 (excellent)"]}),
        ({"rating": "great"}, {"rating": ["A valid integer is required."]}),
        ({}, {"rating": ["This field is required."]}),
        ({"rating": 3, "comment": "x" * 2001}, {"comment": ["Write 2000 characters or fewer"]}),
        (
            {"rating": 3, "on_behalf_of": "00000000-0000-0000-0000-000000000000"},
            {"on_behalf_of": ["You can only write a review for someone you act for"]},
        ),
    ],
)
def test_bad_reviews_are_explained_and_nothing_is_written(
    offered, tenant_a, person_a, data, errors
):
    response = _submit(person_a, offered["visits"], **data)

    assert field_errors(response) == errors
    assert _count(tenant_a) == 0


def test_who_may_review_and_where(offered, tenant_a, person_a):
    worker = council_client(tenant_a, council_user(tenant_a, "support_worker", "sam"))

    # Staff without reviews.write cannot; nor can anyone signed out.
    assert problem(_submit(worker, offered["visits"], rating=5), 403)["type"] == (
        "permission_denied"
    )
    assert problem(_submit(host_client(tenant_a.host), offered["visits"], rating=5), 401)
    # A service this council does not offer is not found here.
    assert problem(_submit(person_a, offered["southbay"], rating=5), 404)["type"] == "not_found"
    assert problem(person_a.get(_reviews_path(offered["southbay"])), 404)
    # Reviews belong to councils: the platform's host has none.
    assert problem(host_client(PUBLIC_HOST).get(_reviews_path(offered["visits"])), 404)
    assert _count(tenant_a) == 0


def test_the_council_moderates_and_published_reviews_are_shown_and_averaged(
    offered, tenant_a, person_a
):
    carer = council_client(tenant_a, council_user(tenant_a, "representative", "carer"))
    first = _submit(person_a, offered["visits"], rating=5, comment="Lovely").json()
    second = _submit(carer, offered["visits"], rating=2, comment="Rude").json()
    admin = council_client(tenant_a, tenant_a.admin)

    queue = admin.get(f"{API}/reviews/").json()
    published = _publish(tenant_a, first["id"])
    no_reason = admin.post(
        f"{API}/reviews/{second['id']}/moderation/",
        {"publish": False},
        content_type="application/json",
    )
    rejected = admin.post(
        f"{API}/reviews/{second['id']}/moderation/",
        {"publish": False, "reason": "Names a member of staff"},
        content_type="application/json",
    )

    assert [(r["id"], r["author"]["full_name"], r["status"]) for r in queue["results"]] == [
        (first["id"], tenant_a.person.full_name, "pending"),
        (second["id"], "Carer", "pending"),
    ]
    assert queue["results"][0]["service"] == {
        "id": str(offered["visits"].pk),
        "name": "Phone befriending",
    }
    assert published.json()["status"] == "published"
    assert field_errors(no_reason) == {"reason": ["Say why the review is not published"]}
    assert (rejected.json()["status"], rejected.json()["moderation_reason"]) == (
        "rejected",
        "Names a member of staff",
    )
    assert admin.get(f"{API}/reviews/").json()["count"] == 0
    shown = person_a.get(_reviews_path(offered["visits"])).json()["results"]
    assert [(r["rating"], r["comment"]) for r in shown] == [(5, "Lovely")]
    assert "author" not in shown[0]
    found = person_a.get(f"{API}/services/", {"q": "befriending"}).json()["results"][0]
    assert found["reviews"] == {"average": 5.0, "count": 1}
    assert audit_actions(tenant_a).count("review.moderated") == 2


def test_only_moderators_moderate(offered, tenant_a, person_a):
    review = _submit(person_a, offered["visits"], rating=5).json()

    assert problem(person_a.get(f"{API}/reviews/"), 403)
    refused = person_a.post(
        f"{API}/reviews/{review['id']}/moderation/",
        {"publish": True},
        content_type="application/json",
    )
    assert problem(refused, 403)
    with tenant_context(tenant_a.tenant):
        assert Review.objects.get().status == "pending"
    use_public_schema()


# --- Providers' replies, from the platform's host ---------------------------------


@pytest.fixture
def reviewed(offered, tenant_a, tenant_b, person_a):
    """A published review in each council and one still waiting in Northmoor."""
    in_a = _submit(person_a, offered["visits"], rating=4, comment="Kind staff").json()
    _publish(tenant_a, in_a["id"])
    person_b = council_client(tenant_b, tenant_b.person)
    in_b = _submit(person_b, offered["southbay"], rating=3, comment="Cold soup").json()
    _publish(tenant_b, in_b["id"])
    carer = council_client(tenant_a, council_user(tenant_a, "representative", "carer"))
    waiting = _submit(carer, offered["visits"], rating=1, comment="Not yet moderated").json()
    use_public_schema()  # requests leave the connection in the host's schema
    return {"a": in_a, "b": in_b, "waiting": waiting}


def test_a_provider_sees_published_reviews_from_every_council(offered, reviewed):
    owner = public_signed_in(offered["owner"])

    response = owner.get(f"{API}/provider/reviews/")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["council"], r["service_name"], r["rating"], r["comment"]) for r in results] == [
        ("southbay", "Southbay lunches", 3, "Cold soup"),
        ("northmoor", "Phone befriending", 4, "Kind staff"),
    ]
    assert set(results[0]) == {
        "council",
        "council_name",
        "id",
        "service_id",
        "service_name",
        "rating",
        "comment",
        "created_at",
        "provider_reply",
        "replied_at",
    }


def test_a_provider_replies_into_the_councils_schema(
    offered, reviewed, tenant_a, tenant_b, person_a
):
    owner = public_signed_in(offered["owner"])

    response = owner.post(
        f"{API}/provider/review-replies/",
        {"council": "northmoor", "review": reviewed["a"]["id"], "reply": "Thank you!"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert (response.json()["provider_reply"], response.json()["council_name"]) == (
        "Thank you!",
        "Northmoor Borough Council",
    )
    with tenant_context(tenant_a.tenant):
        assert Review.objects.get(pk=reviewed["a"]["id"]).provider_reply == "Thank you!"
        entry = AuditEntry.objects.get(action="review.replied")
        assert entry.actor_label == offered["owner"].email
    with tenant_context(tenant_b.tenant):
        assert not Review.objects.exclude(provider_reply="").exists()
    use_public_schema()
    assert "review.replied" not in audit_actions()  # recorded where the change is
    shown = person_a.get(_reviews_path(offered["visits"])).json()["results"][0]
    assert shown["provider_reply"] == "Thank you!"


@pytest.mark.parametrize(
    ("which", "council", "reply", "status", "detail"),
    [
        (
            "waiting",
            "northmoor",
            "Thanks",
            404,
            "There is no such published review of your services",
        ),
        (
            "missing",
            "northmoor",
            "Thanks",
            404,
            "There is no such published review of your services",
        ),
        ("a", "nowhere", "Thanks", 400, "There is no council called 'nowhere'"),
        ("a", "northmoor", "  ", 400, "Write your reply"),
    ],
)
def test_replies_the_rules_refuse(
    offered, reviewed, tenant_a, which, council, reply, status, detail
):
    owner = public_signed_in(offered["owner"])
    # Review ids are per council; "missing" is one Northmoor does not have.
    review_id = reviewed["waiting"]["id"] + 1000 if which == "missing" else reviewed[which]["id"]

    response = owner.post(
        f"{API}/provider/review-replies/",
        {"council": council, "review": review_id, "reply": reply},
        content_type="application/json",
    )

    assert problem(response, status)["detail"] == detail
    with tenant_context(tenant_a.tenant):
        assert not Review.objects.exclude(provider_reply="").exists()
    use_public_schema()


def test_another_provider_cannot_reply(offered, reviewed, tenant_a):
    _, rival_owner = f.provider_registered("Rival Care Ltd")

    response = public_signed_in(rival_owner).post(
        f"{API}/provider/review-replies/",
        {"council": "northmoor", "review": reviewed["a"]["id"], "reply": "Try us instead"},
        content_type="application/json",
    )

    assert problem(response, 404)["type"] == "not_found"
    assert public_signed_in(rival_owner).get(f"{API}/provider/reviews/").json()["count"] == 0
    with tenant_context(tenant_a.tenant):
        assert Review.objects.get(pk=reviewed["a"]["id"]).provider_reply == ""
    use_public_schema()
