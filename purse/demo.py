"""Demo people for `make run`, in each demo tenant: the demo budget holder (who signs in
as person@<slug>.example), represented by the demo carer, and two people without a
login. The budget holder is assessed and has an approved plan, an active budget and a
purse topped up for this cycle, so ordering can be tried at once; the other two are
not assessed yet: assessing them is what a care manager tries first. Everything goes
through the real services; safe to re-run (a person, representation or budget that
exists is kept as it is)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User
from tenants.rules.models import Management, RulesVersion

from .models import Budget, Person, Representative, SupportWorkerAssignment
from .services.assessments import (
    assessment_answer,
    assessment_complete,
    assessment_record_eligibility,
    assessment_start,
)
from .services.funding import topups_run
from .services.people import (
    SUPPORT_WORKER_ROLE,
    person_create,
    representative_add,
    support_worker_assign,
)
from .services.plans import plan_approve, plan_create


@dataclass(frozen=True)
class DemoPerson:
    given_name: str
    family_name: str
    date_of_birth: dt.date
    address_1: str
    city: str
    postcode: str  # one of catalogue/fixtures/postcodes_demo.csv
    nhs_number: str  # in the 999 range, which the NHS never issues
    communication_needs: tuple[str, ...] = ()
    contact_preference: str = Person.Contact.POST
    phone: str = ""
    signs_in: bool = False  # the tenant's person@<slug>.example is this person


# Kingsmere (LE11) and Thornby (LE12) for Kingsmere and Riverside; Ashdown (LE13) and
# Oakley (LE15) for Ashdown.
DEMO_PEOPLE: dict[str, tuple[DemoPerson, ...]] = {
    "kingsmere": (
        DemoPerson(
            "Margaret", "Wilson", dt.date(1946, 3, 14), "12 Orchard Close", "Kingsmere",
            "LE11 3BJ", "9990000018", ("large_print",), signs_in=True,
        ),
        DemoPerson(
            "Daniel", "Hughes", dt.date(1994, 8, 2), "4 Mill Lane", "Thornby",
            "LE12 2AR", "9990000026", ("easy_read",), Person.Contact.TEXT, "07700 900412",
        ),
        DemoPerson(
            "Fatima", "Begum", dt.date(1958, 11, 23), "31 Station Road", "Kingsmere",
            "LE11 7FG", "9990000034", (), Person.Contact.PHONE, "01632 960187",
        ),
    ),
    "ashdown": (
        DemoPerson(
            "Margaret", "Wilson", dt.date(1946, 3, 14), "7 Church Street", "Ashdown",
            "LE13 3DJ", "9990000042", ("large_print",), signs_in=True,
        ),
        DemoPerson(
            "Chloe", "Turner", dt.date(2001, 5, 9), "18 Willow Way", "Oakley",
            "LE15 2FG", "9990000050", ("easy_read",), Person.Contact.TEXT, "07700 900733",
        ),
        DemoPerson(
            "George", "Patel", dt.date(1939, 1, 30), "2 The Green", "Ashdown",
            "LE13 8EN", "9990000069", ("large_print",), Person.Contact.PHONE, "01632 960544",
        ),
    ),
    "riverside": (
        DemoPerson(
            "Margaret", "Wilson", dt.date(1946, 3, 14), "12 Orchard Close", "Kingsmere",
            "LE11 3BJ", "9990000077", ("large_print",), signs_in=True,
        ),
        DemoPerson(
            "Ryan", "O'Neill", dt.date(1987, 12, 4), "9 Brook Street", "Thornby",
            "LE12 7NA", "9990000085", ("easy_read",), Person.Contact.TEXT, "07700 900258",
        ),
        DemoPerson(
            "Helen", "Clarke", dt.date(1962, 6, 17), "45 High Street", "Kingsmere",
            "LE11 9QS", "9990000093", (), Person.Contact.PHONE, "01632 960902",
        ),
    ),
}  # fmt: skip


def purse_demo_seed(*, slug: str, by: User) -> list[Person]:
    """The demo people of the tenant whose schema is current (`slug` names it)."""
    holder = User.objects.filter(email=f"person@{slug}.example").first()
    carer = User.objects.filter(email=f"carer@{slug}.example").first()
    worker = (
        User.objects.filter(roles__code=SUPPORT_WORKER_ROLE, email__endswith=f"@{slug}.example")
        .order_by("email")
        .first()
    )
    people = []
    for spec in DEMO_PEOPLE.get(slug, ()):
        person = _person_ensure(spec, user=holder if spec.signs_in else None, by=by)
        people.append(person)
        if spec.signs_in and carer is not None:
            _representative_ensure(person, carer, by=by)
        if spec.signs_in:
            _budget_ensure(person, by=by)
    # The first person without a login is on the support worker's caseload.
    unlinked = [person for person in people if person.user_id is None]
    if (
        worker is not None
        and unlinked
        and not SupportWorkerAssignment.objects.filter(person=unlinked[0], worker=worker).exists()
    ):
        support_worker_assign(person=unlinked[0], worker=worker, by=by)
    return people


def _person_ensure(spec: DemoPerson, *, user: User | None, by: User) -> Person:
    existing = (
        Person.objects.filter(user=user).first()
        if user is not None
        else Person.objects.filter(nhs_number=spec.nhs_number).first()
    )
    return existing or person_create(
        given_name=spec.given_name,
        family_name=spec.family_name,
        date_of_birth=spec.date_of_birth,
        nhs_number=spec.nhs_number,
        address_1=spec.address_1,
        city=spec.city,
        postcode=spec.postcode,
        phone=spec.phone,
        email=user.email if user is not None else "",
        contact_preference=spec.contact_preference,
        communication_needs=spec.communication_needs,
        user=user,
        by=by,
    )


def _representative_ensure(person: Person, carer: User, *, by: User) -> None:
    if Representative.objects.filter(person=person, user=carer).exists():
        return
    representative_add(
        person=person,
        user=carer,
        relationship=Representative.Relationship.FAMILY,
        scopes=[Representative.Scope.VIEW, Representative.Scope.ORDER],
        starts_on=timezone.localdate(),
        by=by,
    )


def _budget_ensure(person: Person, *, by: User) -> None:
    """Assessed (the questionnaire's second answers), planned at the indicative amount
    for home care from today, approved, and this cycle's top-up paid."""
    if Budget.objects.filter(person=person).exists():
        return
    assessment = assessment_start(person=person, by=by)
    for domain in assessment.rules_version.domains.prefetch_related("questions__answers"):
        for question in domain.questions.all():
            answers = list(question.answers.all())
            assessment_answer(
                assessment=assessment,
                question=question,
                answer=answers[min(1, len(answers) - 1)],
                by=by,
            )
    assessment_record_eligibility(
        assessment=assessment,
        outcomes_not_achieved=["nutrition", "hygiene", "dressing"],
        needs_from_condition=True,
        wellbeing_impact_significant=True,
        notes="Lives alone; her son helps at weekends.",
        by=by,
    )
    assessment = assessment_complete(assessment=assessment, by=by)
    weekly = assessment.indicative_weekly_pence or 0
    version = assessment.rules_version
    simple = version.contribution_method == RulesVersion.Contribution.SIMPLE_ASSESSMENT
    management = next(
        m
        for m in (Management.COUNCIL_MANAGED, Management.NOTIONAL)
        if m in version.allowed_management
    )
    plan = plan_create(
        assessment=assessment,
        outcomes="Keep living at home, with help each morning, and get out to see friends",
        management=management,
        lines=[("home-care", "Help each morning", weekly)],
        weekly_budget_pence=weekly,
        weekly_income_pence=0 if simple else None,
        person_contribution_weekly_pence=None if simple else 0,
        starts_on=timezone.localdate(),
        by=by,
    )
    plan_approve(plan=plan, by=by)
    topups_run(on=timezone.localdate())
