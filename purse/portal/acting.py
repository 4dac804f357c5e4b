"""Whom the signed-in user is acting for. A budget holder acts for themselves; a
representative for the person (or one of the people) who named them; staff for a
person they work with, chosen from their caseload, under an "acting for" banner. The
choice is kept in the session and checked again on every page (a representation or an
assignment that ends takes effect at once); staff reads are audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from accounts.permissions import PEOPLE_ACT_FOR_CASELOAD, PLANS_MANAGE, user_has_permission
from core.services import Origin

from ..models import Person, Representative
from ..selectors import (
    PersonNotFound,
    acting_basis,
    people_for_staff,
    person_for_viewer,
    representations_current,
)

SESSION_KEY = "epurse.acting_for"
MAX_LISTED = 200  # people offered to staff on the "act for" page


@dataclass(frozen=True)
class Acting:
    person: Person
    basis: str  # "self", "representative" or "staff"
    may_order: bool

    @property
    def for_someone_else(self) -> bool:
        return self.basis != "self"


@dataclass(frozen=True)
class Choice:
    person: Person
    relation: str  # what the chooser sees: "You", "Family member", "On your caseload"


def _acting(user: Any, person: Person) -> Acting | None:
    basis = acting_basis(user=user, person=person, scope=Representative.Scope.VIEW)
    if basis is None:
        return None
    orders = acting_basis(user=user, person=person, scope=Representative.Scope.ORDER)
    return Acting(person=person, basis=basis, may_order=orders is not None)


def acting_get(request: HttpRequest, *, reading: str) -> Acting | None:
    """The person this request acts for, or None when the user must choose (or has
    nobody to act for). `reading` names the page in the audit entry of a staff read."""
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    chosen = request.session.get(SESSION_KEY)
    if chosen:
        try:
            person = person_for_viewer(
                public_id=chosen, viewer=user, origin=Origin.of(request), reading=reading
            )
        except PersonNotFound:
            request.session.pop(SESSION_KEY, None)  # no longer theirs to act for
        else:
            if (acting := _acting(user, person)) is not None:
                return acting
    own = Person.objects.filter(user=user).first()  # type: ignore[misc]
    if own is not None:
        return Acting(person=own, basis="self", may_order=True)
    representations = list(representations_current(user=user)[:2])
    if len(representations) == 1:
        return _acting(user, representations[0].person)
    return None


def acting_choices(*, user: Any) -> list[Choice]:
    """Everyone the user may act for: themselves, the people who named them, and (for
    staff) the people they work with, by name."""
    choices = [Choice(person=p, relation="You") for p in Person.objects.filter(user=user)]
    choices += [
        Choice(person=r.person, relation=r.get_relationship_display())
        for r in representations_current(user=user)
    ]
    if user_has_permission(user, PLANS_MANAGE) or user_has_permission(
        user, PEOPLE_ACT_FOR_CASELOAD
    ):
        known = {c.person.pk for c in choices}
        relation = "Someone you work with"
        choices += [
            Choice(person=p, relation=relation)
            for p in people_for_staff(viewer=user).order_by("family_name", "given_name", "pk")[
                :MAX_LISTED
            ]
            if p.pk not in known
        ]
    return choices


def acting_start(request: HttpRequest, *, public_id: str) -> Acting:
    """Act for this person from now on; PersonNotFound if the user may not."""
    person = person_for_viewer(
        public_id=public_id, viewer=request.user, origin=Origin.of(request), reading="acting for"
    )
    acting = _acting(request.user, person)
    if acting is None:
        raise PersonNotFound()
    request.session[SESSION_KEY] = str(person.public_id)
    return acting


def acting_stop(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
