"""Demo people: each demo tenant holds its signed-in budget holder (represented by the
demo carer, with an active budget and a funded purse) and two people without a login,
not assessed, one of them on the demo support worker's caseload; re-runs add nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from catalogue.models import Postcode
from core.models import AuditEntry
from epurse.demo import DEMO_TENANTS, demo_seed
from purse.ledger.models import Account
from purse.models import (
    Assessment,
    Budget,
    Person,
    Representative,
    SupportPlan,
    SupportWorkerAssignment,
)

pytestmark = pytest.mark.django_db
PASSWORD = "demo-password-for-tests"


def test_each_demo_tenant_has_its_people_and_reruns_add_nothing() -> None:
    # Given the demo, seeded once
    demo_seed(password=PASSWORD)
    with schema_context("kingsmere"):
        Person.objects.filter(user__email="person@kingsmere.example").update(city="Renamed")
        audits = AuditEntry.objects.count()

    # When it is seeded again
    demo_seed(password=PASSWORD)

    known_postcodes = set(Postcode.objects.values_list("postcode", flat=True))
    for _, slug, _ in DEMO_TENANTS:
        with schema_context(slug):
            people = list(Person.objects.select_related("user").order_by("pk"))
            # Then three people, one of them the demo budget holder who signs in
            assert len(people) == 3
            assert [p.user.email if p.user else None for p in people] == [
                f"person@{slug}.example",
                None,
                None,
            ]
            holder = people[0]
            assert (holder.given_name, holder.family_name) == ("Margaret", "Wilson")
            assert holder.email == f"person@{slug}.example"
            # with realistic details: the demo towns' postcodes, valid 999 NHS numbers
            assert {p.postcode for p in people} <= known_postcodes
            assert all(p.nhs_number.startswith("999") and len(p.nhs_number) == 10 for p in people)
            assert all(p.date_of_birth.year < timezone.localdate().year - 17 for p in people)
            needs = {need for p in people for need in p.communication_needs}
            assert {"easy_read", "large_print"} <= needs
            # and the demo carer may see and order for the budget holder, from today
            (representative,) = Representative.objects.select_related("user")
            assert representative.person == holder
            assert representative.user.email == f"carer@{slug}.example"
            assert representative.scopes == ["view", "order"]
            assert representative.starts_on <= timezone.localdate()
            assert representative.ends_on is None
            # The first person without a login is on the demo support worker's caseload
            (assignment,) = SupportWorkerAssignment.objects.select_related("worker")
            assert (assignment.person, assignment.worker.email) == (
                people[1],
                f"worker@{slug}.example",
            )
            # Only the budget holder is assessed, with an active budget for home care and
            # this cycle's top-up in the purse.
            assert set(Assessment.objects.values_list("person", flat=True)) == {holder.pk}
            (plan,) = SupportPlan.objects.all()
            (budget,) = Budget.objects.filter(person=holder)
            assert (plan.status, budget.status) == ("approved", "active")
            assert plan.lines.get().category == "home-care"
            purse = Account.objects.get(person=holder)
            cycle = budget.plan.rules_version.topup_cycle_weeks
            contribution = plan.person_contribution_weekly_pence
            assert purse.available_pence == (budget.weekly_pence - contribution) * cycle > 0
    with schema_context("kingsmere"):
        # A change made by hand is kept, and the re-run audited nothing new
        assert Person.objects.get(user__email="person@kingsmere.example").city == "Renamed"
        assert AuditEntry.objects.count() == audits
