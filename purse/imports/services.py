"""Bringing in a council's existing budget holders and budgets from a CSV file.

A file is checked first and kept with what the check found; nothing is imported until
an administrator asks (and, when some rows are bad, asks for the valid rows only). The
import writes in batches, each its own database transaction: every row is written
whole or not at all, and a run that stops part-way is finished by running it again.

An imported budget was agreed in the council's previous system, so it is recorded the
way any budget is (a completed assessment, an approved plan of one line, the budget,
its next review and the person's purse) with the plan marked imported by its file and
row. The person's purse, top-ups, reviews and statements then work as for any other.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from accounts.permissions import PEOPLE_IMPORT, user_has_permission
from core.errors import DomainError
from core.services import SYSTEM, Origin, audit_record
from purse.ledger.models import Account
from purse.models import Assessment, Budget, Person, PlanLine, Review, SupportPlan
from purse.nhs_number import nhs_number_format
from tenants.rules.models import RulesVersion
from tenants.rules.selectors import rules_for

from .csv_layout import Checked, CleanRow, FileRefused, Problem, csv_rows, rows_check
from .models import ImportedPerson, ImportFile

logger = logging.getLogger(__name__)

BATCH_ROWS = 1_000
# With the schema: one import batch at a time in a council, so two runs (of one file
# or of two files naming the same people) never both write a reference.
RUN_LOCK = 0x696D7072  # "impr"

LINE_CATEGORY = "Existing support"
LINE_DESCRIPTION = "Budget agreed before moving to this service"


def _importer_required(user: Any) -> None:
    if not user_has_permission(user, PEOPLE_IMPORT):
        raise DomainError("Only a council administrator can import budget holders.")


def _rules_today() -> RulesVersion:
    try:
        return rules_for(on=timezone.localdate())
    except DomainError as exc:
        raise FileRefused(exc.detail, field_errors={"file": [exc.detail]}) from None


def _check(content: bytes, *, version: RulesVersion) -> Checked:
    """Every row of the file checked on its own, against the other rows and against
    what this council already has (references imported before, NHS numbers)."""
    rows = list(csv_rows(content))
    references = {cells.get("reference", "").strip() for _, cells in rows} - {""}
    already = set(
        ImportedPerson.objects.filter(reference__in=references).values_list("reference", flat=True)
    )
    checked = rows_check(
        rows, version=version, today=timezone.localdate(), already_imported=already
    )
    numbers = {row.person["nhs_number"] for row in checked.clean} - {""}
    taken = set(Person.objects.filter(nhs_number__in=numbers).values_list("nhs_number", flat=True))
    if taken:
        keep = []
        for row in checked.clean:
            nhs = row.person["nhs_number"]
            if nhs in taken:
                checked.problems.append(
                    Problem(
                        row.row,
                        row.reference,
                        "nhs_number",
                        f"Someone with NHS number {nhs_number_format(nhs)} is already "
                        "recorded here: find their record instead of adding a new one",
                    )
                )
            else:
                keep.append(row)
        checked.clean = keep
    checked.problems.sort(key=lambda problem: problem.row)
    return checked


def import_file_check(
    *, name: str, content: bytes, by: User, origin: Origin = SYSTEM
) -> tuple[ImportFile, bool]:
    """Check an uploaded file and keep it with what the check found. Returns (the file,
    True), or (the same file sent before, False): a file is checked and imported once.
    A file that cannot be read as an import raises FileRefused and nothing is kept."""
    _importer_required(by)
    sha256 = hashlib.sha256(content).hexdigest()
    earlier = ImportFile.objects.filter(sha256=sha256).first()
    if earlier is not None:
        return earlier, False
    checked = _check(content, version=_rules_today())
    try:
        with transaction.atomic():
            made = ImportFile.objects.create(
                name=(name or "import.csv")[:255],
                sha256=sha256,
                content=content,
                size=len(content),
                uploaded_by=by,
                rows_total=checked.rows_total,
                rows_valid=len(checked.clean),
                rows_already=checked.already,
                rows_bad=checked.bad_rows,
                problems=[problem.as_dict() for problem in checked.problems],
            )
            audit_record(
                action="imports.file_checked",
                actor=by,
                obj=made,
                origin=origin,
                detail={
                    "sha256": sha256,
                    "rows": checked.rows_total,
                    "valid": len(checked.clean),
                    "already_imported": checked.already,
                    "bad": checked.bad_rows,
                },
            )
    except IntegrityError:
        # The same file, sent at the same moment, was kept first by the other request.
        return ImportFile.objects.get(sha256=sha256), False
    return made, True


def import_start(*, import_file: ImportFile, by: User, origin: Origin = SYSTEM) -> ImportFile:
    """The administrator's choice to import the file's valid rows. Asking again while
    it runs, or once it is done, changes nothing; one that stopped part-way is run
    again (it finishes what the last run left)."""
    _importer_required(by)
    from .tasks import import_rows

    with transaction.atomic():
        locked = ImportFile.objects.select_for_update().get(pk=import_file.pk)
        if locked.status not in (ImportFile.Status.CHECKED, ImportFile.Status.FAILED):
            return locked
        if locked.rows_valid == 0:
            raise DomainError("There are no rows in this file that can be imported.")
        locked.status = ImportFile.Status.QUEUED
        locked.import_by = by
        locked.import_requested_at = timezone.now()
        locked.failure = ""
        locked.save(update_fields=["status", "import_by", "import_requested_at", "failure"])
        audit_record(
            action="imports.import_requested",
            actor=by,
            obj=locked,
            origin=origin,
            detail={"valid_rows": locked.rows_valid, "bad_rows": locked.rows_bad},
        )
        import_rows.delay_on_commit(locked.pk)
    return locked


def import_run(*, import_id: int) -> ImportFile:
    """Import the file's valid rows that are not imported yet, a batch at a time. Safe
    to run twice, even at once: each batch takes the council's import lock and writes
    only the references nobody has imported."""
    with transaction.atomic():
        locked = ImportFile.objects.select_for_update().get(pk=import_id)
        if locked.status not in (
            ImportFile.Status.QUEUED,
            ImportFile.Status.RUNNING,
            ImportFile.Status.FAILED,
        ):
            return locked
        locked.status = ImportFile.Status.RUNNING
        locked.started_at = locked.started_at or timezone.now()
        locked.save(update_fields=["status", "started_at"])
    try:
        version = _rules_today()
        checked = _check(bytes(locked.content), version=version)
        ImportFile.objects.filter(pk=import_id).update(rows_to_import=len(checked.clean))
        by = locked.import_by or locked.uploaded_by
        for start in range(0, len(checked.clean), BATCH_ROWS):
            _batch_write(
                import_file=locked,
                rows=checked.clean[start : start + BATCH_ROWS],
                version=version,
                by=by,
            )
    except Exception as exc:
        logger.exception("Import %s stopped", import_id)
        ImportFile.objects.filter(pk=import_id).update(
            status=ImportFile.Status.FAILED,
            failure=(
                "The import stopped before the end. The rows already imported are kept, "
                "whole; import again to finish the rest."
            ),
        )
        raise DomainError("The import stopped before the end.") from exc
    with transaction.atomic():
        locked = ImportFile.objects.select_for_update().get(pk=import_id)
        imported = ImportedPerson.objects.filter(source=locked).count()
        locked.rows_imported = imported
        locked.rows_skipped = max(locked.rows_to_import - imported, 0)
        locked.status = ImportFile.Status.DONE
        locked.finished_at = timezone.now()
        locked.save(update_fields=["rows_imported", "rows_skipped", "status", "finished_at"])
        audit_record(
            action="imports.import_finished",
            actor=locked.import_by,
            obj=locked,
            detail={"imported": imported, "skipped": locked.rows_skipped},
        )
    return locked


def _batch_write(
    *, import_file: ImportFile, rows: Sequence[CleanRow], version: RulesVersion, by: User
) -> int:
    """Write one batch of rows whole, or none of it. Returns how many were new."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))", [RUN_LOCK])
        done = set(
            ImportedPerson.objects.filter(
                reference__in=[row.reference for row in rows]
            ).values_list("reference", flat=True)
        )
        fresh = [row for row in rows if row.reference not in done]
        if not fresh:
            return 0
        now = timezone.now()
        today = timezone.localdate()
        people = Person.objects.bulk_create([Person(**row.person) for row in fresh])
        where = [f"{import_file.name}, row {row.row}" for row in fresh]
        assessments = Assessment.objects.bulk_create(
            [
                Assessment(
                    person=person,
                    rules_version=version,
                    status=Assessment.Status.COMPLETED,
                    needs_from_condition=True,
                    wellbeing_impact_significant=True,
                    eligible=True,
                    indicative_weekly_pence=row.weekly_pence,
                    notes=(
                        f"Imported from {place}: the council's previous system assessed "
                        "the person's needs and agreed this budget."
                    ),
                    explanation=[
                        "This budget was agreed before the person's support moved to this "
                        "service, and carried over as it was."
                    ],
                    assessed_by=by,
                    completed_at=now,
                )
                for person, row, place in zip(people, fresh, where, strict=True)
            ]
        )
        plans = SupportPlan.objects.bulk_create(
            [
                SupportPlan(
                    person=person,
                    assessment=assessment,
                    rules_version=version,
                    status=SupportPlan.Status.APPROVED,
                    outcomes=(
                        f"Agreed in the council's previous system ({place}). The person's "
                        "outcomes are recorded at their next review."
                    ),
                    management=row.management,
                    weekly_budget_pence=row.weekly_pence,
                    person_contribution_weekly_pence=row.contribution_pence,
                    starts_on=row.starts_on,
                    created_by=by,
                    approved_by=by,
                    approved_at=now,
                )
                for person, assessment, row, place in zip(
                    people, assessments, fresh, where, strict=True
                )
            ]
        )
        PlanLine.objects.bulk_create(
            [
                PlanLine(
                    plan=plan,
                    category=LINE_CATEGORY,
                    description=LINE_DESCRIPTION,
                    weekly_cost_pence=row.weekly_pence,
                )
                for plan, row in zip(plans, fresh, strict=True)
            ]
        )
        Budget.objects.bulk_create(
            [
                Budget(
                    person=person,
                    plan=plan,
                    status=(
                        Budget.Status.ACTIVE if row.starts_on <= today else Budget.Status.SCHEDULED
                    ),
                    weekly_pence=row.weekly_pence,
                    management=row.management,
                    starts_on=row.starts_on,
                    ends_on=row.ends_on,
                    first_topup_on=row.first_topup_on,
                )
                for person, plan, row in zip(people, plans, fresh, strict=True)
            ]
        )
        Review.objects.bulk_create(
            [
                Review(
                    person=person,
                    plan=plan,
                    kind=Review.Kind.ANNUAL,
                    due_on=row.next_review_on,
                    reason="The next review as the council's previous system had it",
                )
                for person, plan, row in zip(people, plans, fresh, strict=True)
            ]
        )
        Account.objects.bulk_create(
            [
                Account(
                    kind=Account.Kind.PURSE,
                    code=f"purse:{person.public_id}",
                    person=person,
                    must_not_go_negative=True,
                )
                for person in people
            ]
        )
        ImportedPerson.objects.bulk_create(
            [
                ImportedPerson(
                    reference=row.reference,
                    person=person,
                    plan=plan,
                    source=import_file,
                    row_number=row.row,
                )
                for person, plan, row in zip(people, plans, fresh, strict=True)
            ]
        )
        ImportFile.objects.filter(pk=import_file.pk).update(
            rows_imported=F("rows_imported") + len(fresh)
        )
        # One entry for the batch, naming every person it made and their row: an entry
        # per person would cost more than the person.
        audit_record(
            action="imports.rows_imported",
            actor=by,
            obj=import_file,
            detail={
                "rows": [row.row for row in fresh],
                "people": [str(person.public_id) for person in people],
                "rules_version": version.number,
            },
        )
    return len(fresh)
