"""Reads of surplus notices. Finance and care managers see every notice of their
council; anyone else sees a notice only if they may see the person's record (the
person, a representative with the view scope, a support worker for their caseload)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from accounts.permissions import FINANCE_MANAGE, PLANS_MANAGE, user_has_permission
from core.errors import DomainError
from core.services import Origin, audit_record

from ..models import Person
from ..selectors import PersonNotFound, person_for_viewer
from .models import SurplusNotice

RELATED = ("person", "transaction__reversal")


class NoticeNotFound(DomainError):
    """No such notice, or not one the viewer may see (the same answer: 404)."""

    status = 404
    code = "not_found"
    title = "Not found"

    def __init__(self) -> None:
        super().__init__("We could not find that notice. Check the link.")


def surplus_staff(user: Any) -> bool:
    """Finance officers and care managers see and act on every notice."""
    return user_has_permission(user, FINANCE_MANAGE) or user_has_permission(user, PLANS_MANAGE)


def surplus_notices_listed(
    *, status: str | None = None, person: Person | None = None
) -> QuerySet[SurplusNotice]:
    """Notices, newest first, optionally in one state or of one person."""
    notices = SurplusNotice.objects.select_related(*RELATED)
    if status:
        notices = notices.filter(status=status)
    if person is not None:
        notices = notices.filter(person=person)
    return notices.order_by("-issued_on", "-pk")


def surplus_notice_for_viewer(
    *, public_id: uuid.UUID | str, viewer: Any, origin: Origin
) -> SurplusNotice:
    """The notice, if `viewer` may see it; else NoticeNotFound. Staff reads are audited."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        raise NoticeNotFound() from None
    notice = SurplusNotice.objects.select_related(*RELATED).filter(public_id=key).first()
    if notice is None:
        raise NoticeNotFound()
    if surplus_staff(viewer):
        audit_record(
            action="person.viewed",
            actor=viewer,
            obj=notice.person,
            origin=origin,
            detail={"basis": "council", "reading": "surplusnotice", "id": str(notice.public_id)},
        )
        return notice
    try:
        person_for_viewer(
            public_id=notice.person.public_id, viewer=viewer, origin=origin, reading=notice
        )
    except PersonNotFound:
        raise NoticeNotFound() from None
    return notice
