"""Reads of people's records. A person's record is shown only to those who may see it,
and every read by staff is audited (the brief, §6)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.permissions import (
    PEOPLE_ACT_FOR_CASELOAD,
    PEOPLE_VIEW_CASELOAD,
    PLANS_MANAGE,
    user_has_permission,
    user_permissions,
)
from core.errors import DomainError
from core.services import Origin, audit_record

from .models import (
    Budget,
    Consent,
    Order,
    Person,
    Representative,
    SupportPlan,
    SupportWorkerAssignment,
)

# Permission codes granted by the tenant roles (accounts migration 0002): support
# workers and care managers see people; care managers also manage plans, and see every
# person of their council, while support workers see only their current caseload.


class PersonNotFound(DomainError):
    """Raised both when there is no such person and when the viewer may not see them, so
    that the answer does not reveal whether someone is known to the council (HTTP 404)."""

    status = 404
    code = "not_found"
    title = "Not found"

    def __init__(self) -> None:
        super().__init__("We could not find that person. Check the link or search again.")


def _current(today: Any) -> Q:
    return Q(starts_on__lte=today) & (Q(ends_on__isnull=True) | Q(ends_on__gte=today))


# What a person's record shows with them (purse.api.serializers.PersonRecordOut).
RECORD_RELATED = ("plans", "assessments", "challenges", "representatives__user", "workers__worker")


def person_for_viewer(
    *, public_id: uuid.UUID | str, viewer: Any, origin: Origin, reading: Any = None
) -> Person:
    """The person with this public id, if `viewer` may see them now; else PersonNotFound.

    Who may see a person: a care manager (any person of the council); a support worker
    (people assigned to them today); the person themselves; a representative whose
    scopes include "view" and whose dates cover today. Staff reads write a "person.viewed"
    audit entry, naming `reading` (an assessment, a plan...) when it is not the record
    itself; the person's own reads and their representatives' are not staff reads.
    """
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        raise PersonNotFound() from None
    if not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        raise PersonNotFound()
    person = Person.objects.filter(public_id=key).first()
    if person is None:
        raise PersonNotFound()
    if person.user_id is not None and person.user_id == viewer.pk:
        return person

    today = timezone.localdate()
    permissions = user_permissions(viewer)
    if PEOPLE_VIEW_CASELOAD in permissions:
        if PLANS_MANAGE in permissions:
            basis = "council"
        elif SupportWorkerAssignment.objects.filter(
            _current(today), person=person, worker=viewer
        ).exists():
            basis = "caseload"
        else:
            basis = ""
        if basis:
            audit_record(
                action="person.viewed",
                actor=viewer,
                obj=person,
                origin=origin,
                detail=_read_detail(basis, reading),
            )
            return person

    if Representative.objects.filter(
        _current(today), person=person, user=viewer, scopes__contains=[Representative.Scope.VIEW]
    ).exists():
        return person
    raise PersonNotFound()


def _read_detail(basis: str, reading: Any) -> dict[str, str]:
    detail = {"basis": basis}
    if isinstance(reading, str):
        detail["reading"] = reading
    elif reading is not None:
        detail["reading"] = reading._meta.model_name
        detail["id"] = str(getattr(reading, "public_id", reading.pk))
    return detail


def people_for_staff(*, viewer: Any) -> QuerySet[Person]:
    """The people a member of staff works with: everyone here for care managers, the
    people assigned to a support worker today otherwise."""
    if user_has_permission(viewer, PLANS_MANAGE):
        return Person.objects.all()
    caseload = SupportWorkerAssignment.objects.filter(
        _current(timezone.localdate()), worker=viewer
    ).values("person_id")
    return Person.objects.filter(pk__in=caseload)


def person_own(*, user: Any) -> Person | None:
    """The person record linked to `user`'s own account, with their plans and
    assessments (newest first), or None. Not a staff read: nothing is audited."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return (
        Person.objects.filter(user=user)
        .prefetch_related(*RECORD_RELATED)
        .select_related("user")
        .first()
    )


def representations_current(*, user: Any) -> QuerySet[Representative]:
    """The representations through which `user` may see a person today: the view scope,
    and dates that cover today; by the person's name."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Representative.objects.none()
    return (
        Representative.objects.filter(
            _current(timezone.localdate()), user=user, scopes__contains=[Representative.Scope.VIEW]
        )
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "pk")
    )


def person_consents(*, person: Person) -> QuerySet[Consent]:
    """The person's consent records, newest first: the latest for a purpose stands."""
    return Consent.objects.filter(person=person).select_related("recorded_by")


def plans_listed(*, status: str | None = None) -> QuerySet[SupportPlan]:
    """Plans, newest first, optionally in one state (for care managers' lists)."""
    plans = SupportPlan.objects.select_related("person", "approved_by")
    if status:
        plans = plans.filter(status=status)
    return plans.order_by("-created_at", "-pk")


def acting_basis(*, user: Any, person: Person, scope: str) -> str | None:
    """How `user` may act for `person` within `scope` (a Representative.Scope: view,
    order, manage): "self", "representative" (with that scope, on a day their role is
    current), "staff" (care managers; support workers for their caseload today), or
    None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if person.user_id is not None and person.user_id == user.pk:
        return "self"
    today = timezone.localdate()
    if Representative.objects.filter(
        _current(today), person=person, user=user, scopes__contains=[scope]
    ).exists():
        return "representative"
    if user_has_permission(user, PLANS_MANAGE):
        return "staff"
    if (
        user_has_permission(user, PEOPLE_ACT_FOR_CASELOAD)
        and SupportWorkerAssignment.objects.filter(
            _current(today), person=person, worker=user
        ).exists()
    ):
        return "staff"
    return None


def person_orders(*, person: Person) -> QuerySet[Order]:
    """The person's orders with their visits, newest first."""
    return (
        Order.objects.filter(person=person)
        .select_related("person", "service", "provider")
        .prefetch_related("visits")
    )


def budget_active(*, person: Any) -> Budget | None:
    """The person's active budget, with its plan's rules version, or None."""
    return (
        Budget.objects.filter(person=person, status=Budget.Status.ACTIVE)
        .select_related("plan__rules_version")
        .first()
    )
