from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django_tenants.utils import tenant_context

from accounts.models import Role, User
from accounts.services import user_create
from catalogue.council.models import RatingAlert
from catalogue.council.reviews import review_submit
from catalogue.council.services import provider_approval_set, service_approval_set
from catalogue.models import PayoutDetails, Service
from catalogue.services.listings import service_image_add
from epurse.db import use_public_schema
from purse.ledger.services import (
    Leg,
    hold_capture,
    hold_place,
    payable_open,
    purse_open,
    shared_account,
    transfer,
)
from purse.models import (
    Challenge,
    Consent,
    Order,
    PlanLine,
    Representative,
    SupportPlan,
    SupportWorkerAssignment,
    SurplusNotice,
    Visit,
)
from purse.payouts.models import ReconciliationException, ReconciliationRun
from purse.payouts.services import payouts_make, payouts_send
from purse.services.plans import plan_approve
from tenants.models import Tenant as TenantModel
from tenants.rules.models import RulesVersion
from tests.catalogue import factories as f
from tests.conftest import TenantUsers, signed_in_client
from tests.isolation.harness import Tenant, probe
from tests.purse import plan_builders as pb


def _catalogue_of_b(tenant_b: TenantUsers) -> None:
    """A provider of the shared registry whose service only B approved, with a picture,
    a vetting document, a review and a CQC alert in B: the first registry object of each
    kind the harness finds is then one A must answer 404 for."""
    provider, owner = f.provider_registered("Probe Care Ltd")
    f.provider_vetted(provider, owner)
    place = f.location_made(provider, owner, "NM1 1AA", cqc_location_id="1-000000009")
    service = f.service_made(provider, owner, location=place, name="Probe home care")
    service_image_add(
        service=service, content=f.png_bytes(), name="p.png", alt_text="A probe", by=owner
    )
    admin, person = tenant_b.admin, tenant_b.person
    assert isinstance(admin, User)
    assert isinstance(person, User)
    with tenant_context(tenant_b.tenant):
        provider_approval_set(provider=provider, status="approved", by=admin)
        service_approval_set(service=service, status="approved", by=admin)
        review_submit(service=service, author=person, rating=4, comment="Kind")
        RatingAlert.objects.create(
            provider=provider,
            location=place,
            cqc_location_id="1-000000009",
            previous="Good",
            current="Inadequate",
        )
    use_public_schema()


def _purse_of_b(tenant_b: TenantUsers) -> None:
    """A person in B with a representative, a support worker, a consent, an assessment, an
    approved plan (so a budget and reviews), a challenge, an order with a visit, a surplus
    notice, and a draft rules version numbered far above any A reaches while probed (rules
    versions are numbered per tenant)."""
    with tenant_context(tenant_b.tenant):
        manager = pb.staff("Probe Manager")
        second = pb.staff("Probe Second")
        version = pb.rules_version()
        person = pb.person("Probe", "Person")
        representative = user_create(
            email="probe.rep@southbay.example", full_name="Probe Rep", role_codes=["representative"]
        )
        Representative.objects.create(
            person=person,
            user=representative,
            relationship="family",
            scopes=["view"],
            starts_on=dt.date(2020, 1, 1),
        )
        worker = user_create(
            email="probe.worker@southbay.example",
            full_name="Probe Worker",
            role_codes=["support_worker"],
        )
        SupportWorkerAssignment.objects.create(
            person=person, worker=worker, starts_on=dt.date(2020, 1, 1)
        )
        Consent.objects.create(
            person=person, purpose="Probe consent", given=True, recorded_by=manager
        )
        assessment = pb.assessment(person, version, manager, indicative=10000)
        plan = SupportPlan.objects.create(
            person=person,
            assessment=assessment,
            rules_version=version,
            outcomes="Probe outcomes",
            management="council_managed",
            weekly_budget_pence=10000,
            starts_on=dt.date(2026, 1, 5),
            created_by=manager,
        )
        PlanLine.objects.create(
            plan=plan, category="home-care", description="Probe", weekly_cost_pence=10000
        )
        plan_approve(plan=plan, by=second)
        Challenge.objects.create(
            person=person,
            plan=plan,
            raised_by=manager,
            raised_on=dt.date(2026, 1, 6),
            reason="Probe",
        )
        service = Service.objects.get(name="Probe home care")
        order = Order.objects.create(
            person=person,
            service=service,
            provider=service.provider,
            unit_price_pence=1800,
            unit="hour",
            units_centi=100,
            frequency="once",
            starts_on=dt.date(2026, 1, 7),
            at=dt.time(9),
            placed_by=manager,
            placed_as="staff",
        )
        Visit.objects.create(
            order=order, on=dt.date(2026, 1, 7), amount_pence=1800, status="unfunded"
        )
        SurplusNotice.objects.create(
            person=person,
            budget=plan.budget,
            available_pence=81000,
            threshold_weeks=8,
            threshold_pence=80000,
            amount_pence=1000,
            reasons="Probe",
            issued_on=dt.date(2026, 1, 8),
            recover_on=dt.date(2026, 2, 5),
        )
        # Money owed to the provider, paid in a BACS file, and an exception to resolve.
        purse = purse_open(person=person)
        transfer(kind="one_off", legs=[Leg(shared_account("funding"), purse, 500)])
        payable = payable_open(provider_id=service.provider_id)
        hold_capture(
            hold=hold_place(purse=purse, payable=payable, amount_pence=500), amount_pence=500
        )
        PayoutDetails.objects.get_or_create(
            provider_id=service.provider_id,
            defaults={
                "bank_account_name": "Probe Care",
                "bank_sort_code": "089999",
                "bank_account_number": "12345678",
            },
        )
        TenantModel.objects.filter(schema_name=tenant_b.slug).update(payout_gateway="bacs")
        payouts_make(on=dt.date(2026, 1, 9))
        payouts_send()
        ReconciliationException.objects.create(
            run=ReconciliationRun.objects.create(on=dt.date(2026, 1, 9)),
            kind="clearing",
            subject="probe",
            message="Probe",
        )
        RulesVersion.objects.create(
            number=90,
            effective_from=dt.date(2100, 1, 1),
            price_per_point_pence=100,
            allowed_management=["council_managed"],
        )
    use_public_schema()


@pytest.fixture
def run_probe(tenant_a: TenantUsers, tenant_b: TenantUsers) -> Any:
    """Probe A's API against B, as a user of A holding every permission there is."""

    def run() -> Any:
        _catalogue_of_b(tenant_b)
        _purse_of_b(tenant_b)
        with tenant_context(tenant_a.tenant):
            every = sorted(
                {
                    code
                    for codes in Role.objects.values_list("permissions", flat=True)
                    for code in codes
                }
            )
            Role.objects.create(
                code="isolation_probe", name="Isolation probe", scope="tenant", permissions=every
            )
            user = user_create(
                email="probe@northmoor.example", full_name="Probe", role_codes=["isolation_probe"]
            )
        session_key = signed_in_client(tenant_a, user).cookies[settings.SESSION_COOKIE_NAME].value
        return probe(
            a=Tenant(tenant_a.slug, tenant_a.host),
            b=Tenant(tenant_b.slug, tenant_b.host),
            platform_host="localhost",
            probe_user=user,
            session_key=session_key,
        )

    return run
