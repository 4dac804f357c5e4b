"""People with (or being assessed for) a personal budget, the representatives who act
for them, their support workers and their consents. Every change is audited in the
same transaction; bad input raises ValidationFailed and writes nothing."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from catalogue.postcodes import postcode_normalise
from core.dates import format_date
from core.errors import DomainError, ValidationFailed
from core.services import SYSTEM, Origin, audit_record

from ..models import (
    COMMUNICATION_NEEDS,
    Consent,
    Person,
    Representative,
    SupportWorkerAssignment,
)
from ..nhs_number import nhs_number_format, nhs_number_normalise

BUDGET_HOLDER_ROLE = "budget_holder"
REPRESENTATIVE_ROLE = "representative"
SUPPORT_WORKER_ROLE = "support_worker"

# ISO 639-1 or 639-2/3 code: "en", "pl", "bsl" is a communication need, not a language.
_LANGUAGE = re.compile(r"[a-z]{2,3}")

# The fields person_create takes and person_update may change.
PERSON_FIELDS = (
    "user",
    "given_name",
    "family_name",
    "date_of_birth",
    "nhs_number",
    "address_1",
    "address_2",
    "city",
    "postcode",
    "email",
    "phone",
    "contact_preference",
    "communication_needs",
    "preferred_language",
)


def _text(value: Any, *, field: str, label: str, max_length: int, errors: dict) -> str:
    text = str(value or "").strip()
    if len(text) > max_length:
        errors[field] = [f"{label} must be {max_length} characters or fewer"]
    return text


def _has_role(user: User, code: str) -> bool:
    return user.is_active and user.roles.filter(code=code).exists()


def person_fields_clean(fields: dict[str, Any], *, person: Person | None) -> dict[str, Any]:
    """Validate and normalise person fields (all of them for a new person, the changed
    ones for an update, checked against the values they would sit beside)."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}

    def current(name: str) -> Any:
        return clean.get(name, getattr(person, name, "") if person is not None else "")

    for name, label, max_length in (
        ("given_name", "First name", 100),
        ("family_name", "Last name", 100),
    ):
        if name in fields:
            clean[name] = _text(
                fields[name], field=name, label=label, max_length=max_length, errors=errors
            )
            if not clean[name]:
                errors[name] = [f"Enter the person's {label.lower()}"]
    for name, label, max_length in (
        ("address_1", "Address line 1", 200),
        ("address_2", "Address line 2", 200),
        ("city", "Town or city", 100),
    ):
        if name in fields:
            clean[name] = _text(
                fields[name], field=name, label=label, max_length=max_length, errors=errors
            )

    if "date_of_birth" in fields:
        born = fields["date_of_birth"]
        if not isinstance(born, datetime.date) or isinstance(born, datetime.datetime):
            errors["date_of_birth"] = ["Enter the date of birth as a date, like 27 3 1958"]
        elif born > timezone.localdate():
            errors["date_of_birth"] = ["Date of birth must be today or in the past"]
        else:
            clean["date_of_birth"] = born

    if "nhs_number" in fields:
        raw = str(fields["nhs_number"] or "").strip()
        clean["nhs_number"] = ""
        if raw:
            try:
                clean["nhs_number"] = nhs_number_normalise(raw)
            except ValidationFailed as exc:
                errors.update(exc.field_errors)

    if "postcode" in fields:
        raw = str(fields["postcode"] or "").strip()
        clean["postcode"] = ""
        if raw:
            try:
                clean["postcode"] = postcode_normalise(raw)
            except ValidationFailed as exc:
                errors.update(exc.field_errors)

    if "email" in fields:
        clean["email"] = str(fields["email"] or "").strip().lower()
        if clean["email"]:
            try:
                validate_email(clean["email"])
            except ValidationError:
                errors["email"] = [
                    "Enter an email address in the correct format, like name@example.com"
                ]
    if "phone" in fields:
        clean["phone"] = _text(
            fields["phone"], field="phone", label="Phone number", max_length=30, errors=errors
        )

    if "contact_preference" in fields:
        clean["contact_preference"] = fields["contact_preference"]
        if clean["contact_preference"] not in Person.Contact.values:
            errors["contact_preference"] = ["Choose how the person wants to be contacted"]
    # A preference needs the detail to act on it, whichever of the two changed.
    if {"contact_preference", "email", "phone"} & fields.keys():
        preference = current("contact_preference")
        if preference == Person.Contact.EMAIL and not current("email"):
            errors.setdefault("email", ["Enter an email address, or choose another way"])
        if preference in (Person.Contact.PHONE, Person.Contact.TEXT) and not current("phone"):
            errors.setdefault("phone", ["Enter a phone number, or choose another way"])

    if "communication_needs" in fields:
        needs = fields["communication_needs"]
        if isinstance(needs, str):
            needs = [needs]
        needs = list(dict.fromkeys(needs or ()))  # keep order, drop repeats
        unknown = [need for need in needs if need not in COMMUNICATION_NEEDS]
        if unknown:
            errors["communication_needs"] = [
                f"{need!r} is not a communication need we record. Choose from: "
                + ", ".join(COMMUNICATION_NEEDS.values())
                for need in unknown
            ]
        clean["communication_needs"] = needs

    if "preferred_language" in fields:
        language = str(fields["preferred_language"] or "").strip().lower() or "en"
        if not _LANGUAGE.fullmatch(language):
            errors["preferred_language"] = [
                "Enter the language as a 2 or 3 letter code, like en or pl"
            ]
        clean["preferred_language"] = language

    if "user" in fields:
        user = fields["user"]
        if user is not None and not _has_role(user, BUDGET_HOLDER_ROLE):
            errors["user"] = [
                f"{user.email} is not an active budget holder account: give it that role first"
            ]
        elif user is not None and (
            Person.objects.filter(user=user).exclude(pk__in=[person.pk] if person else []).exists()
        ):
            errors["user"] = [f"{user.email} is already linked to another person"]
        clean["user"] = user

    if not errors and clean.get("nhs_number"):
        duplicate = Person.objects.filter(nhs_number=clean["nhs_number"])
        if person is not None:
            duplicate = duplicate.exclude(pk=person.pk)
        if duplicate.exists():
            errors["nhs_number"] = [_duplicate_nhs_message(clean["nhs_number"])]

    if errors:
        raise ValidationFailed("Check the person's details.", field_errors=errors)
    return clean


def _duplicate_nhs_message(nhs_number: str) -> str:
    return (
        f"Someone with NHS number {nhs_number_format(nhs_number)} is already recorded here: "
        "find their record instead of adding a new one"
    )


def _save_or_duplicate(person: Person, **kwargs: Any) -> None:
    # A concurrent save of the same NHS number loses the race at the unique constraint.
    try:
        with transaction.atomic():
            person.save(**kwargs)
    except IntegrityError:
        if person.nhs_number and Person.objects.filter(nhs_number=person.nhs_number).exists():
            message = _duplicate_nhs_message(person.nhs_number)
            raise ValidationFailed(
                "Check the person's details.", field_errors={"nhs_number": [message]}
            ) from None
        raise


def person_create(
    *,
    given_name: str,
    family_name: str,
    date_of_birth: datetime.date,
    by: User,
    nhs_number: str = "",
    address_1: str = "",
    address_2: str = "",
    city: str = "",
    postcode: str = "",
    email: str = "",
    phone: str = "",
    contact_preference: str = Person.Contact.POST,
    communication_needs: Iterable[str] = (),
    preferred_language: str = "en",
    user: User | None = None,
    origin: Origin = SYSTEM,
) -> Person:
    """Record a person in the current council's schema."""
    clean = person_fields_clean(
        {
            "user": user,
            "given_name": given_name,
            "family_name": family_name,
            "date_of_birth": date_of_birth,
            "nhs_number": nhs_number,
            "address_1": address_1,
            "address_2": address_2,
            "city": city,
            "postcode": postcode,
            "email": email,
            "phone": phone,
            "contact_preference": contact_preference,
            "communication_needs": list(communication_needs),
            "preferred_language": preferred_language,
        },
        person=None,
    )
    person = Person(**clean)
    with transaction.atomic():
        _save_or_duplicate(person)
        audit_record(action="person.created", actor=by, obj=person, origin=origin)
    return person


def person_update(*, person: Person, by: User, origin: Origin = SYSTEM, **changes: Any) -> Person:
    """Change some of a person's details (the names in PERSON_FIELDS). The audit entry
    names the fields that changed, not their values: the log is read more widely than
    the record."""
    unknown = sorted(set(changes) - set(PERSON_FIELDS))
    if unknown:
        raise ValidationFailed(f"These details cannot be changed here: {', '.join(unknown)}")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        clean = person_fields_clean(changes, person=person)
        changed = sorted(name for name, value in clean.items() if getattr(person, name) != value)
        if not changed:
            return person
        for name in changed:
            setattr(person, name, clean[name])
        _save_or_duplicate(person, update_fields=[*changed, "updated_at"])
        audit_record(
            action="person.updated",
            actor=by,
            obj=person,
            origin=origin,
            detail={"fields": changed},
        )
    return person


def _dates_clean(
    starts_on: Any, ends_on: Any, errors: dict[str, list[str]]
) -> tuple[datetime.date, datetime.date | None]:
    if not isinstance(starts_on, datetime.date) or isinstance(starts_on, datetime.datetime):
        errors["starts_on"] = ["Enter the start date"]
    if ends_on is not None and (
        not isinstance(ends_on, datetime.date) or isinstance(ends_on, datetime.datetime)
    ):
        errors["ends_on"] = ["Enter the end date as a date, or leave it empty"]
    elif ends_on is not None and isinstance(starts_on, datetime.date) and ends_on < starts_on:
        errors["ends_on"] = ["The end date must be the same as or after the start date"]
    return starts_on, ends_on


def _overlapping(starts_on: datetime.date, ends_on: datetime.date | None) -> Q:
    # Two periods overlap when each starts before (or when) the other ends.
    overlap = Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    if ends_on is not None:
        overlap &= Q(starts_on__lte=ends_on)
    return overlap


def representative_add(
    *,
    person: Person,
    user: User,
    relationship: str,
    scopes: Iterable[str],
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    by: User,
    origin: Origin = SYSTEM,
) -> Representative:
    """Let `user` act for the person, within the scopes granted, between the dates."""
    errors: dict[str, list[str]] = {}
    if relationship not in Representative.Relationship.values:
        errors["relationship"] = [
            "Choose the relationship: "
            + ", ".join(str(label).lower() for label in Representative.Relationship.labels)
        ]
    scope_list = list(dict.fromkeys([scopes] if isinstance(scopes, str) else scopes))
    unknown = [scope for scope in scope_list if scope not in Representative.Scope.values]
    if unknown or not scope_list:
        errors["scopes"] = [
            "Choose at least one of: view (see the budget and plan), order (order "
            "services), manage (manage the budget)"
        ]
    starts_on, ends_on = _dates_clean(starts_on, ends_on, errors)
    if not _has_role(user, REPRESENTATIVE_ROLE):
        errors["user"] = [
            f"{user.email} does not have an active representative account: "
            "give it the representative role first"
        ]
    elif person.user_id is not None and person.user_id == user.pk:
        errors["user"] = ["A person cannot be their own representative"]
    if errors:
        raise ValidationFailed("Check the representative's details.", field_errors=errors)
    # Keep the order the scopes are offered in, so stored lists compare equal.
    scope_list = [scope for scope in Representative.Scope.values if scope in scope_list]
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # serialise adds
        if (
            Representative.objects.filter(person=person, user=user)
            .filter(_overlapping(starts_on, ends_on))
            .exists()
        ):
            raise ValidationFailed(
                f"{user.full_name or user.email} already represents {person} for some of "
                "these dates: change or end that representation instead",
                field_errors={"user": ["Already a representative for some of these dates"]},
            )
        representative = Representative.objects.create(
            person=person,
            user=user,
            relationship=relationship,
            scopes=scope_list,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        audit_record(
            action="representative.added",
            actor=by,
            obj=person,
            origin=origin,
            detail={
                "representative": str(user.public_id),
                "relationship": relationship,
                "scopes": scope_list,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat() if ends_on else None,
            },
        )
    return representative


def representative_end(
    *,
    representative: Representative,
    by: User,
    ends_on: datetime.date | None = None,
    origin: Origin = SYSTEM,
) -> Representative:
    """Stop a representative acting for the person after `ends_on` (default today)."""
    ends_on = ends_on or timezone.localdate()
    with transaction.atomic():
        representative = _period_end(
            Representative.objects.select_for_update().get(pk=representative.pk),
            ends_on=ends_on,
            what="representation",
        )
        audit_record(
            action="representative.ended",
            actor=by,
            obj=representative.person,
            origin=origin,
            detail={
                "representative": str(representative.user.public_id),
                "ends_on": ends_on.isoformat(),
            },
        )
    return representative


def _period_end(
    period: Representative | SupportWorkerAssignment, *, ends_on: datetime.date, what: str
) -> Any:
    """Bring a (locked) period's end forward to `ends_on`; periods are never lengthened
    here, and never end before they start."""
    if ends_on < period.starts_on:
        raise ValidationFailed(
            f"The end date must be on or after the start date, {format_date(period.starts_on)}",
            field_errors={"ends_on": ["Must be on or after the start date"]},
        )
    if period.ends_on is not None and period.ends_on <= ends_on:
        raise DomainError(f"This {what} already ends on {format_date(period.ends_on)}")
    period.ends_on = ends_on
    period.save(update_fields=["ends_on"])
    return period


def support_worker_assign(
    *,
    person: Person,
    worker: User,
    by: User,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    origin: Origin = SYSTEM,
) -> SupportWorkerAssignment:
    """Put the person on a support worker's caseload from `starts_on` (default today)."""
    errors: dict[str, list[str]] = {}
    starts_on, ends_on = _dates_clean(starts_on or timezone.localdate(), ends_on, errors)
    if not _has_role(worker, SUPPORT_WORKER_ROLE):
        errors["worker"] = [
            f"{worker.email} is not an active support worker: give them that role first"
        ]
    if errors:
        raise ValidationFailed("Check the assignment.", field_errors=errors)
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        if (
            SupportWorkerAssignment.objects.filter(person=person, worker=worker)
            .filter(_overlapping(starts_on, ends_on))
            .exists()
        ):
            raise ValidationFailed(
                f"{person} is already on {worker.full_name or worker.email}'s caseload "
                "for some of these dates",
                field_errors={"worker": ["Already assigned for some of these dates"]},
            )
        assignment = SupportWorkerAssignment.objects.create(
            person=person, worker=worker, starts_on=starts_on, ends_on=ends_on
        )
        audit_record(
            action="support_worker.assigned",
            actor=by,
            obj=person,
            origin=origin,
            detail={
                "worker": str(worker.public_id),
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat() if ends_on else None,
            },
        )
    return assignment


def support_worker_end(
    *,
    assignment: SupportWorkerAssignment,
    by: User,
    ends_on: datetime.date | None = None,
    origin: Origin = SYSTEM,
) -> SupportWorkerAssignment:
    """Take the person off the worker's caseload after `ends_on` (default today)."""
    ends_on = ends_on or timezone.localdate()
    with transaction.atomic():
        assignment = _period_end(
            SupportWorkerAssignment.objects.select_for_update().get(pk=assignment.pk),
            ends_on=ends_on,
            what="assignment",
        )
        audit_record(
            action="support_worker.unassigned",
            actor=by,
            obj=assignment.person,
            origin=origin,
            detail={
                "worker": str(assignment.worker.public_id),
                "ends_on": ends_on.isoformat(),
            },
        )
    return assignment


def consent_record(
    *,
    person: Person,
    purpose: str,
    given: bool,
    by: User,
    note: str = "",
    origin: Origin = SYSTEM,
) -> Consent:
    """Record that the person gave (or withdrew) consent for one purpose. Consents are
    never edited: the latest record for a purpose is the one that stands."""
    errors: dict[str, list[str]] = {}
    purpose = _text(purpose, field="purpose", label="Purpose", max_length=200, errors=errors)
    if not purpose:
        errors["purpose"] = ["Enter what the consent is for"]
    if not isinstance(given, bool):
        errors["given"] = ["Say whether consent was given or withdrawn"]
    if errors:
        raise ValidationFailed("Check the consent.", field_errors=errors)
    with transaction.atomic():
        consent = Consent.objects.create(
            person=person, purpose=purpose, given=given, recorded_by=by, note=note.strip()
        )
        audit_record(
            action="consent.given" if given else "consent.withdrawn",
            actor=by,
            obj=person,
            origin=origin,
            detail={"purpose": purpose},
        )
    return consent
