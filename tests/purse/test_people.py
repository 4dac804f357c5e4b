"""People, representatives, support workers and consents; who may see a person's record,
and the audit of staff reads; NHS number checking."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.services import user_create
from core.errors import DomainError, ValidationFailed
from core.models import AuditEntry
from core.services import Origin
from purse.models import Consent, Person, Representative, SupportWorkerAssignment
from purse.nhs_number import CHECK_MESSAGE, FORMAT_MESSAGE, nhs_number_normalise
from purse.selectors import PersonNotFound, person_for_viewer
from purse.services.people import (
    consent_record,
    person_create,
    person_update,
    representative_add,
    representative_end,
    support_worker_assign,
)

pytestmark = pytest.mark.django_db

ORIGIN = Origin(ip_address="203.0.113.7", user_agent="test-browser")
DAY = datetime.timedelta(days=1)
# 9434765919 in fullwidth digits: Unicode digits, but not what an NHS number is made of.
FULLWIDTH = "".join(chr(0xFF10 + int(digit)) for digit in "9434765919")


@dataclass(frozen=True)
class Council:
    care_manager: User
    support_worker: User
    other_worker: User
    representative: User
    finance: User
    holder: User


def _user(slug: str, name: str, role: str) -> User:
    return user_create(email=f"{name}@{slug}.example", full_name=name.title(), role_codes=[role])


@pytest.fixture
def council(tenant_a):
    """Inside Northmoor's schema, with one user in each role this part uses."""
    slug = tenant_a.slug
    with tenant_context(tenant_a.tenant):
        yield Council(
            care_manager=_user(slug, "carol", "care_manager"),
            support_worker=_user(slug, "sam", "support_worker"),
            other_worker=_user(slug, "olu", "support_worker"),
            representative=_user(slug, "rita", "representative"),
            finance=_user(slug, "fin", "finance_officer"),
            holder=tenant_a.person,
        )


def _person(by: User, **fields: Any) -> Person:
    values: dict[str, Any] = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": datetime.date(1958, 3, 27),
    }
    return person_create(by=by, **(values | fields))


def _audit(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


# NHS numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9434765919", "9434765919"),
        ("943 476 5919", "9434765919"),
        ("943-476-5919", "9434765919"),
        (" 943 476 5870 ", "9434765870"),  # remainder 0: check digit 0
        ("401 023 2137", "4010232137"),
    ],
)
def test_nhs_number_valid_forms_normalise_to_ten_digits(raw, expected):
    assert nhs_number_normalise(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "943476591", "94347659190", "943 476 591A", "943.476.5919", FULLWIDTH],
)
def test_nhs_number_not_ten_digits_is_refused_with_the_format(raw):
    with pytest.raises(ValidationFailed) as error:
        nhs_number_normalise(raw)
    assert error.value.detail == FORMAT_MESSAGE
    assert error.value.field_errors == {"nhs_number": [FORMAT_MESSAGE]}


@pytest.mark.parametrize(
    "raw",
    [
        "9434765918",  # check digit should be 9
        "9434765871",  # should be 0
        "9434765820",  # 943476582 gives 10: no check digit can be valid
        "9434765829",
    ],
)
def test_nhs_number_bad_check_digit_is_refused(raw):
    with pytest.raises(ValidationFailed) as error:
        nhs_number_normalise(raw)
    assert error.value.detail == CHECK_MESSAGE


# Creating and changing people ----------------------------------------------------------


def test_person_create_normalises_and_audits(council):
    person = _person(
        council.care_manager,
        nhs_number="943 476 5919",
        address_1=" 1 High Street ",
        city="Northmoor",
        postcode="nm1 1aa",
        email="Ada@Example.org",
        phone="07700 900123",
        contact_preference="text",
        communication_needs=["easy_read", "bsl", "easy_read"],
        preferred_language="PL",
        user=council.holder,
    )

    stored = Person.objects.get(pk=person.pk)
    assert (stored.given_name, stored.family_name) == ("Ada", "Lovelace")
    assert stored.nhs_number == "9434765919"
    assert stored.address_1 == "1 High Street"
    assert stored.postcode == "NM1 1AA"
    assert stored.email == "ada@example.org"
    assert stored.contact_preference == "text"
    assert stored.communication_needs == ["easy_read", "bsl"]
    assert stored.preferred_language == "pl"
    assert stored.user == council.holder
    [entry] = _audit("person.created")
    assert entry.actor_id == council.care_manager.public_id
    assert (entry.object_type, entry.object_id) == ("purse.person", str(person.public_id))


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"date_of_birth": "tomorrow"}, "date_of_birth", None),
        ({"nhs_number": "943 476 5918"}, "nhs_number", CHECK_MESSAGE),
        ({"nhs_number": "12345"}, "nhs_number", FORMAT_MESSAGE),
        ({"postcode": "not a postcode"}, "postcode", "Enter a full UK postcode, like SW1A 1AA"),
        ({"communication_needs": ["semaphore"]}, "communication_needs", None),
        ({"contact_preference": "email"}, "email", None),
        ({"contact_preference": "pigeon"}, "contact_preference", None),
        ({"given_name": "  "}, "given_name", "Enter the person's first name"),
        ({"preferred_language": "english"}, "preferred_language", None),
        ({"email": "not-an-email"}, "email", None),
    ],
)
def test_person_create_refuses_bad_details_and_writes_nothing(council, fields, field, message):
    if fields.get("date_of_birth") == "tomorrow":
        fields = {"date_of_birth": timezone.localdate() + DAY}
    with pytest.raises(ValidationFailed) as error:
        _person(council.care_manager, **fields)

    assert error.value.detail == "Check the person's details."
    assert field in error.value.field_errors
    if message:
        assert error.value.field_errors[field] == [message]
    assert Person.objects.count() == 0
    assert _audit("person.created") == []


def test_date_of_birth_today_is_accepted_but_tomorrow_is_not(council):
    today = timezone.localdate()
    assert _person(council.care_manager, date_of_birth=today).date_of_birth == today
    with pytest.raises(ValidationFailed) as error:
        _person(council.care_manager, date_of_birth=today + DAY, given_name="Later")
    assert error.value.field_errors == {
        "date_of_birth": ["Date of birth must be today or in the past"]
    }


def test_unknown_communication_need_names_the_choices(council):
    with pytest.raises(ValidationFailed) as error:
        _person(council.care_manager, communication_needs=["large_print", "semaphore"])
    [message] = error.value.field_errors["communication_needs"]
    assert message.startswith("'semaphore' is not a communication need we record. Choose from: ")
    assert "Large print" in message


def test_duplicate_nhs_number_is_a_clear_error(council):
    _person(council.care_manager, nhs_number="9434765919")

    with pytest.raises(ValidationFailed) as error:
        _person(council.care_manager, given_name="Other", nhs_number="943-476-5919")

    assert error.value.field_errors == {
        "nhs_number": [
            "Someone with NHS number 943 476 5919 is already recorded here: find their "
            "record instead of adding a new one"
        ]
    }
    assert Person.objects.count() == 1
    assert len(_audit("person.created")) == 1


def test_people_without_nhs_numbers_do_not_clash(council):
    _person(council.care_manager)
    _person(council.care_manager, given_name="Bea")
    assert Person.objects.filter(nhs_number="").count() == 2


def test_user_linked_must_be_a_budget_holder_and_only_once(council):
    with pytest.raises(ValidationFailed) as error:
        _person(council.care_manager, user=council.finance)
    assert error.value.field_errors["user"] == [
        "fin@northmoor.example is not an active budget holder account: give it that role first"
    ]
    _person(council.care_manager, user=council.holder)
    with pytest.raises(ValidationFailed) as error:
        _person(council.care_manager, given_name="Twin", user=council.holder)
    assert error.value.field_errors["user"] == [
        "person@northmoor.example is already linked to another person"
    ]


def test_person_update_changes_fields_and_audits_their_names_only(council):
    person = _person(council.care_manager, email="ada@example.org")

    person_update(
        person=person,
        by=council.care_manager,
        postcode="nm2 2bb",
        contact_preference="email",
        given_name="Ada",  # unchanged: not listed
    )

    person.refresh_from_db()
    assert person.postcode == "NM2 2BB"
    assert person.contact_preference == "email"
    [entry] = _audit("person.updated")
    assert entry.detail == {"fields": ["contact_preference", "postcode"]}


def test_person_update_with_nothing_new_writes_no_audit(council):
    person = _person(council.care_manager)
    person_update(person=person, by=council.care_manager, family_name="Lovelace")
    assert _audit("person.updated") == []


def test_person_update_checks_new_values_against_the_stored_ones(council):
    person = _person(council.care_manager)  # contact by post, no email
    with pytest.raises(ValidationFailed) as error:
        person_update(person=person, by=council.care_manager, contact_preference="email")
    assert error.value.field_errors == {"email": ["Enter an email address, or choose another way"]}
    person.refresh_from_db()
    assert person.contact_preference == "post"
    assert _audit("person.updated") == []


def test_person_update_refuses_a_duplicate_nhs_number_and_unknown_fields(council):
    _person(council.care_manager, nhs_number="9434765919")
    other = _person(council.care_manager, given_name="Bea", nhs_number="9434765870")

    with pytest.raises(ValidationFailed) as error:
        person_update(person=other, by=council.care_manager, nhs_number="943 476 5919")
    assert "nhs_number" in error.value.field_errors
    with pytest.raises(ValidationFailed) as error:
        person_update(person=other, by=council.care_manager, public_id=uuid.uuid4())
    assert error.value.detail == "These details cannot be changed here: public_id"

    other.refresh_from_db()
    assert other.nhs_number == "9434765870"
    assert _audit("person.updated") == []


# Representatives, support workers, consents --------------------------------------------


def test_representative_add_stores_scopes_in_order_and_audits(council):
    person = _person(council.care_manager)
    today = timezone.localdate()

    rep = representative_add(
        person=person,
        user=council.representative,
        relationship="appointee",
        scopes=["manage", "view", "view"],
        starts_on=today,
        ends_on=today + 30 * DAY,
        by=council.care_manager,
    )

    rep.refresh_from_db()
    assert rep.scopes == ["view", "manage"]
    assert (rep.starts_on, rep.ends_on) == (today, today + 30 * DAY)
    [entry] = _audit("representative.added")
    assert entry.detail == {
        "representative": str(council.representative.public_id),
        "relationship": "appointee",
        "scopes": ["view", "manage"],
        "starts_on": today.isoformat(),
        "ends_on": (today + 30 * DAY).isoformat(),
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scopes": []}, "scopes"),
        ({"scopes": ["view", "spend"]}, "scopes"),
        ({"relationship": "friend"}, "relationship"),
        ({"ends_on": "before start"}, "ends_on"),
        ({"user": "finance"}, "user"),
        ({"user": "holder"}, "user"),
    ],
)
def test_representative_add_refuses_bad_input_and_writes_nothing(council, change, field):
    person = _person(council.care_manager, user=council.holder)
    today = timezone.localdate()
    values = {
        "person": person,
        "user": council.representative,
        "relationship": "family",
        "scopes": ["view"],
        "starts_on": today,
        "ends_on": None,
        "by": council.care_manager,
    }
    values.update(change)
    if change.get("ends_on") == "before start":
        values["ends_on"] = today - DAY
    if isinstance(values["user"], str):
        values["user"] = getattr(council, values["user"])

    with pytest.raises(ValidationFailed) as error:
        representative_add(**values)

    assert field in error.value.field_errors
    assert Representative.objects.count() == 0
    assert _audit("representative.added") == []


def test_representative_without_the_role_is_told_what_to_do(council):
    person = _person(council.care_manager)
    with pytest.raises(ValidationFailed) as error:
        representative_add(
            person=person,
            user=council.support_worker,
            relationship="carer",
            scopes=["view"],
            starts_on=timezone.localdate(),
            by=council.care_manager,
        )
    assert error.value.field_errors == {
        "user": [
            "sam@northmoor.example does not have an active representative account: "
            "give it the representative role first"
        ]
    }


def test_overlapping_representation_is_refused_but_a_later_one_is_not(council):
    person = _person(council.care_manager)
    today = timezone.localdate()
    args = {
        "person": person,
        "user": council.representative,
        "relationship": "carer",
        "scopes": ["view"],
        "by": council.care_manager,
    }
    representative_add(**args, starts_on=today, ends_on=today + 10 * DAY)

    with pytest.raises(ValidationFailed):
        representative_add(**args, starts_on=today + 10 * DAY)
    representative_add(**args, starts_on=today + 11 * DAY)

    assert Representative.objects.count() == 2


def test_representative_end(council):
    person = _person(council.care_manager)
    today = timezone.localdate()
    rep = representative_add(
        person=person,
        user=council.representative,
        relationship="deputy",
        scopes=["view", "order"],
        starts_on=today - 10 * DAY,
        by=council.care_manager,
    )

    with pytest.raises(ValidationFailed):
        representative_end(representative=rep, ends_on=today - 11 * DAY, by=council.care_manager)
    representative_end(representative=rep, by=council.care_manager)
    with pytest.raises(DomainError) as error:
        representative_end(representative=rep, ends_on=today + DAY, by=council.care_manager)

    rep.refresh_from_db()
    assert rep.ends_on == today
    assert error.value.detail == f"This representation already ends on {today:%-d %B %Y}"
    [entry] = _audit("representative.ended")
    assert entry.detail["ends_on"] == today.isoformat()


def test_support_worker_assign_needs_the_role(council):
    person = _person(council.care_manager)
    assignment = support_worker_assign(
        person=person, worker=council.support_worker, by=council.care_manager
    )
    assert assignment.starts_on == timezone.localdate()
    assert assignment.ends_on is None

    with pytest.raises(ValidationFailed) as error:
        support_worker_assign(person=person, worker=council.finance, by=council.care_manager)
    assert error.value.field_errors == {
        "worker": [
            "fin@northmoor.example is not an active support worker: give them that role first"
        ]
    }
    with pytest.raises(ValidationFailed):  # already on that caseload
        support_worker_assign(person=person, worker=council.support_worker, by=council.care_manager)
    assert SupportWorkerAssignment.objects.count() == 1
    assert len(_audit("support_worker.assigned")) == 1


def test_consent_record(council):
    person = _person(council.care_manager)
    consent_record(
        person=person, purpose="Share my plan with my GP", given=True, by=council.care_manager
    )
    consent_record(
        person=person,
        purpose="Share my plan with my GP",
        given=False,
        note="Changed their mind",
        by=council.care_manager,
    )
    with pytest.raises(ValidationFailed) as error:
        consent_record(person=person, purpose=" ", given=True, by=council.care_manager)

    assert error.value.field_errors == {"purpose": ["Enter what the consent is for"]}
    assert [(c.given, c.note) for c in Consent.objects.order_by("pk")] == [
        (True, ""),
        (False, "Changed their mind"),
    ]
    assert [e.detail for e in _audit("consent.given")] == [{"purpose": "Share my plan with my GP"}]
    assert len(_audit("consent.withdrawn")) == 1


# Who may see a person ------------------------------------------------------------------


def _view(person: Person, viewer) -> Person:
    return person_for_viewer(public_id=person.public_id, viewer=viewer, origin=ORIGIN)


def test_care_manager_sees_anyone_in_the_council_and_the_read_is_audited(council):
    person = _person(council.care_manager)

    assert _view(person, council.care_manager) == person

    [entry] = _audit("person.viewed")
    assert entry.actor_id == council.care_manager.public_id
    assert entry.object_id == str(person.public_id)
    assert (entry.ip_address, entry.user_agent) == ("203.0.113.7", "test-browser")
    assert entry.detail == {"basis": "council"}


def test_support_worker_sees_only_their_current_caseload(council):
    person = _person(council.care_manager)
    today = timezone.localdate()
    support_worker_assign(person=person, worker=council.support_worker, by=council.care_manager)
    support_worker_assign(
        person=person,
        worker=council.other_worker,
        starts_on=today - 30 * DAY,
        ends_on=today - DAY,  # ended yesterday
        by=council.care_manager,
    )

    assert _view(person, council.support_worker) == person
    with pytest.raises(PersonNotFound) as error:
        _view(person, council.other_worker)

    assert error.value.status == 404
    [entry] = _audit("person.viewed")
    assert entry.actor_id == council.support_worker.public_id
    assert entry.detail == {"basis": "caseload"}


def test_support_worker_assigned_from_tomorrow_cannot_see_yet(council):
    person = _person(council.care_manager)
    support_worker_assign(
        person=person,
        worker=council.support_worker,
        starts_on=timezone.localdate() + DAY,
        by=council.care_manager,
    )
    with pytest.raises(PersonNotFound):
        _view(person, council.support_worker)
    assert _audit("person.viewed") == []


def test_the_person_sees_their_own_record_without_a_staff_audit(council):
    person = _person(council.care_manager, user=council.holder)
    assert _view(person, council.holder) == person
    assert _audit("person.viewed") == []


@pytest.mark.parametrize(
    ("scopes", "starts", "ends", "sees"),
    [
        (["view"], -10, None, True),
        (["view", "order"], 0, 0, True),  # a one-day representation, today
        (["order", "manage"], -10, None, False),  # no view scope: 404
        (["view"], -10, -1, False),  # ended yesterday
        (["view"], 1, None, False),  # starts tomorrow
    ],
)
def test_representative_sees_only_with_view_scope_within_dates(council, scopes, starts, ends, sees):
    person = _person(council.care_manager)
    today = timezone.localdate()
    representative_add(
        person=person,
        user=council.representative,
        relationship="family",
        scopes=scopes,
        starts_on=today + starts * DAY,
        ends_on=None if ends is None else today + ends * DAY,
        by=council.care_manager,
    )

    if sees:
        assert _view(person, council.representative) == person
    else:
        with pytest.raises(PersonNotFound) as error:
            _view(person, council.representative)
        assert error.value.status == 404
    assert _audit("person.viewed") == []  # not a staff read


def test_other_users_and_bad_ids_get_not_found(council):
    person = _person(council.care_manager)
    someone_else = _person(council.care_manager, given_name="Bea", user=council.holder)

    for viewer in (council.finance, council.representative, council.holder):
        with pytest.raises(PersonNotFound):
            _view(person, viewer)
    for bad_id in ("not-a-uuid", uuid.uuid4()):
        with pytest.raises(PersonNotFound):
            person_for_viewer(public_id=bad_id, viewer=council.care_manager, origin=ORIGIN)
    council.care_manager.is_active = False
    with pytest.raises(PersonNotFound):
        _view(someone_else, council.care_manager)
    assert _audit("person.viewed") == []


def test_a_person_of_one_council_is_not_found_from_another(tenant_a, tenant_b):
    with tenant_context(tenant_a.tenant):
        manager_a = _user(tenant_a.slug, "carol", "care_manager")
        person = _person(manager_a)
    with tenant_context(tenant_b.tenant):
        manager_b = _user(tenant_b.slug, "carol", "care_manager")
        with pytest.raises(PersonNotFound):
            _view(person, manager_b)
        assert Person.objects.count() == 0
        assert _audit("person.viewed") == []
    with tenant_context(tenant_a.tenant):
        assert _view(person, manager_a) == person
