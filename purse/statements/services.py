"""Issuing statements: each month, every person with a purse gets last month's."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from core.services import audit_record

from ..models import Person
from .models import StatementIssued
from .selectors import LONDON, month_of, statement_for

logger = logging.getLogger(__name__)


def statements_issue(*, start: dt.date, end: dt.date) -> int:
    """Issue the statement for `start` to `end` to every person whose purse was open
    by its end and who has none for it yet. Returns how many were issued; a second run
    issues nothing more."""
    ends = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=LONDON)
    people = (
        Person.objects.filter(purse__isnull=False, purse__created_at__lt=ends)
        .exclude(statements_issued__period_start=start)
        .order_by("pk")
    )
    issued = 0
    for person in people.iterator():
        statement = statement_for(person=person, start=start, end=end)
        if not statement.balanced:
            logger.error("Statement of person %s, %s to %s, does not add up", person.pk, start, end)
        with transaction.atomic():
            made, created = StatementIssued.objects.get_or_create(
                person=person,
                period_start=start,
                defaults={"period_end": end, "figures": statement.figures()},
            )
            if created:
                audit_record(
                    action="statement.issued",
                    obj=made,
                    acting_for_id=person.public_id,
                    acting_for_label=str(person),
                    detail=statement.figures(),
                )
                issued += 1
    return issued


def statements_monthly(*, today: dt.date | None = None) -> int:
    """Issue last month's statements (those not issued yet)."""
    today = today or timezone.localdate()
    start, end = month_of(today.replace(day=1) - dt.timedelta(days=1))
    return statements_issue(start=start, end=end)
