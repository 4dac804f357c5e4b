"""Asking for a reconsideration: who may ask, what they must say, and the decision."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.errors import DomainError, ValidationFailed
from core.models import AuditEntry
from purse.models import Challenge, Representative, Review, SupportWorkerAssignment
from purse.services.challenges import challenge_decide, challenge_raise
from purse.services.plans import plan_approve, plan_create

from . import plan_builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def council(tenant_a):
    with tenant_context(tenant_a.tenant):
        yield tenant_a


@pytest.fixture
def carol(council):
    return b.staff("Carol Manager")


@pytest.fixture
def ada(council):
    # The tenant's budget holder user is Ada.
    return b.person(user=council.person)


@pytest.fixture
def assessed(ada, carol):
    return b.assessment(ada, b.rules_version(), carol)


def _representative(ada, name, *, scopes, starts_on=None, ends_on=None):
    user = b.staff(name, role="representative")
    Representative.objects.create(
        person=ada,
        user=user,
        relationship=Representative.Relationship.FAMILY,
        scopes=scopes,
        starts_on=starts_on or dt.date(2020, 1, 1),
        ends_on=ends_on,
    )
    return user


def test_the_person_asks_for_their_assessment_to_be_reconsidered(council, ada, assessed):
    challenge = challenge_raise(
        person=ada,
        by=council.person,
        reason=" My night-time needs were missed ",
        assessment=assessed,
    )

    assert (challenge.person, challenge.assessment, challenge.plan) == (ada, assessed, None)
    assert (challenge.raised_by, challenge.raised_on) == (council.person, timezone.localdate())
    assert (challenge.reason, challenge.status) == ("My night-time needs were missed", "open")
    assert (challenge.decided_on, challenge.decided_by, challenge.decision) == (None, None, "")
    entry = AuditEntry.objects.get(action="challenge.raised")
    assert (entry.object_id, entry.detail["as"]) == (str(challenge.pk), "self")


def test_a_representative_with_the_view_scope_may_ask_for_the_budget(ada, assessed, carol):
    plan = plan_create(
        assessment=assessed,
        outcomes="Stay at home",
        management="council_managed",
        lines=[("home-care", "Visits", 30000)],
        weekly_budget_pence=30000,
        starts_on=dt.date(2026, 5, 4),
        by=carol,
    )
    daughter = _representative(ada, "Grace Daughter", scopes=["view", "order"])

    challenge = challenge_raise(person=ada, by=daughter, reason="Too little", plan=plan)

    assert (challenge.plan, challenge.raised_by) == (plan, daughter)
    assert AuditEntry.objects.get(action="challenge.raised").detail["as"] == "representative"


def test_who_may_not_ask(ada, assessed, council):
    today = timezone.localdate()
    orders_only = _representative(ada, "Olly Orders", scopes=["order"])
    lapsed = _representative(
        ada, "Lapsed Nominee", scopes=["view"], ends_on=today - dt.timedelta(days=1)
    )
    not_yet = _representative(
        ada, "Future Deputy", scopes=["view"], starts_on=today + dt.timedelta(days=1)
    )
    unassigned_worker = b.staff("Una Worker", role="support_worker")
    stranger = b.staff("Stan Ger", role="budget_holder")

    for user in (orders_only, lapsed, not_yet, unassigned_worker, stranger):
        with pytest.raises(DomainError) as excinfo:
            challenge_raise(person=ada, by=user, reason="Unfair", assessment=assessed)
        assert excinfo.value.detail == (
            "You can only ask for a reconsideration for yourself or someone you act for."
        ), user
    assert not Challenge.objects.exists()
    assert not AuditEntry.objects.filter(action="challenge.raised").exists()


def test_staff_may_ask_on_the_persons_behalf(ada, assessed, carol):
    worker = b.staff("Sam Worker", role="support_worker")
    SupportWorkerAssignment.objects.create(person=ada, worker=worker, starts_on=dt.date(2020, 1, 1))

    by_worker = challenge_raise(person=ada, by=worker, reason="Asked me to", assessment=assessed)
    challenge_decide(challenge=by_worker, upheld=False, decision="Stands", by=carol)
    by_manager = challenge_raise(person=ada, by=carol, reason="On the phone", assessment=assessed)

    assert [by_worker.raised_by, by_manager.raised_by] == [worker, carol]
    assert list(
        AuditEntry.objects.filter(action="challenge.raised")
        .order_by("pk")
        .values_list("detail__as", flat=True)
    ) == ["staff", "staff"]


def test_a_request_needs_a_reason_and_a_subject_of_the_same_person(council, ada, assessed, carol):
    other = b.person("Bo", "Other")
    others_assessment = b.assessment(other, assessed.rules_version, carol)

    with pytest.raises(ValidationFailed) as empty:
        challenge_raise(person=ada, by=council.person, reason=" ")
    with pytest.raises(ValidationFailed) as wrong:
        challenge_raise(person=ada, by=council.person, reason="x", assessment=others_assessment)

    assert empty.value.field_errors == {
        "reason": ["Say what you think is wrong and why"],
        "subject": ["Say whether the assessment or the budget should be reconsidered"],
    }
    assert wrong.value.field_errors == {"assessment": ["That assessment is of someone else"]}
    assert not Challenge.objects.exists()


def test_one_open_request_per_subject(council, ada, assessed):
    challenge_raise(person=ada, by=council.person, reason="First", assessment=assessed)

    with pytest.raises(DomainError, match="already an open request"):
        challenge_raise(person=ada, by=council.person, reason="Again", assessment=assessed)
    assert Challenge.objects.count() == 1


def test_a_care_manager_decides_with_reasons_and_the_date_is_kept(council, ada, assessed, carol):
    challenge = challenge_raise(person=ada, by=council.person, reason="Missed", assessment=assessed)

    with pytest.raises(ValidationFailed) as no_reason:
        challenge_decide(challenge=challenge, upheld=True, decision="  ", by=carol)
    with pytest.raises(DomainError, match="Only a care manager can decide"):
        challenge_decide(challenge=challenge, upheld=True, decision="Yes", by=council.person)
    challenge.refresh_from_db()
    assert (challenge.status, challenge.decided_on) == ("open", None)
    assert no_reason.value.field_errors == {"decision": ["Give the reasons for the decision"]}

    challenge_decide(
        challenge=challenge, upheld=True, decision=" Night care added at reassessment ", by=carol
    )

    assert (challenge.status, challenge.decision) == ("upheld", "Night care added at reassessment")
    assert (challenge.decided_by, challenge.decided_on) == (carol, timezone.localdate())
    entry = AuditEntry.objects.get(action="challenge.decided")
    assert entry.detail["status"] == "upheld"
    with pytest.raises(DomainError, match="already decided on"):
        challenge_decide(challenge=challenge, upheld=False, decision="No", by=carol)
    # Once decided, the person may ask again about the same thing.
    again = challenge_raise(person=ada, by=council.person, reason="Still", assessment=assessed)
    challenge_decide(challenge=again, upheld=False, decision="Stands", by=carol)
    assert again.status == "not_upheld"


def test_an_upheld_request_puts_the_current_plan_up_for_review_today(council, ada, assessed, carol):
    plan = plan_create(
        assessment=assessed,
        outcomes="Stay at home",
        management="council_managed",
        lines=[("home-care", "Mornings", 30000)],
        weekly_budget_pence=30000,
        starts_on=dt.date(2026, 1, 5),
        by=carol,
    )
    plan_approve(plan=plan, by=carol)
    not_upheld = challenge_raise(person=ada, by=council.person, reason="Too low", plan=plan)
    challenge_decide(challenge=not_upheld, upheld=False, decision="It meets the needs", by=carol)
    assert not Review.objects.filter(kind="event").exists()

    upheld = challenge_raise(person=ada, by=council.person, reason="Night care", plan=plan)
    challenge_decide(challenge=upheld, upheld=True, decision="Night care was missed", by=carol)

    review = Review.objects.get(kind="event")
    assert (review.plan, review.due_on) == (plan, timezone.localdate())
    assert review.reason == (
        f"Reconsideration upheld on {timezone.localdate():%-d %B %Y}: Night care was missed"
    )
    entry = AuditEntry.objects.filter(action="challenge.decided").latest("id")
    assert entry.detail["review"] == review.pk


def test_an_upheld_request_with_no_plan_to_review_asks_for_nothing_more(
    council, ada, assessed, carol
):
    challenge = challenge_raise(person=ada, by=council.person, reason="Missed", assessment=assessed)
    challenge_decide(challenge=challenge, upheld=True, decision="Reassess", by=carol)
    assert challenge.status == "upheld"
    assert not Review.objects.exists()
