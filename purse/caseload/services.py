"""Writes for the caseload: case notes (kept as written: the table refuses changes)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.permissions import PLANS_MANAGE, user_has_permission
from core.errors import DomainError, ValidationFailed
from core.services import SYSTEM, Origin, audit_record
from purse.models import CaseNote, Person

MAX_NOTE = 10_000


def case_note_add(*, person: Person, text: str, by: Any, origin: Origin = SYSTEM) -> CaseNote:
    if not user_has_permission(by, PLANS_MANAGE):
        raise DomainError("Only a care manager can write case notes.")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("The note was not saved.", field_errors={"text": ["Write the note"]})
    if len(text) > MAX_NOTE:
        raise ValidationFailed(
            "The note was not saved.",
            field_errors={"text": [f"Use {MAX_NOTE:,} characters or fewer"]},
        )
    with transaction.atomic():
        note = CaseNote.objects.create(person=person, author=by, text=text)
        audit_record(action="case_note.added", actor=by, obj=person, origin=origin)
    return note
