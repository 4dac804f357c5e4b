"""Checking and importing a file of existing budget holders: the report names every
bad row and why, nothing is imported until the administrator chooses, the valid rows
import once however often the file is sent, and an imported budget is a budget like
any other (its purse, its review, its top-ups)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.errors import DomainError
from core.models import AuditEntry
from purse.imports import services as imports
from purse.imports.csv_layout import FileRefused
from purse.imports.models import ImportedPerson, ImportFile
from purse.imports.selectors import problems_csv
from purse.ledger.models import Account
from purse.models import Assessment, Budget, Person, PlanLine, Review, SupportPlan
from purse.services.funding import topups_due
from tests.purse.plan_builders import staff

from .support import BAD_KINDS, HEADER, csv_bytes, good_row, nhs

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "people": Person.objects.count(),
        "assessments": Assessment.objects.count(),
        "plans": SupportPlan.objects.count(),
        "lines": PlanLine.objects.count(),
        "budgets": Budget.objects.count(),
        "reviews": Review.objects.count(),
        "purses": Account.objects.filter(kind="purse").count(),
        "imported": ImportedPerson.objects.count(),
    }


def same(n: int) -> dict[str, int]:
    return dict.fromkeys(
        ["people", "assessments", "plans", "lines", "budgets", "reviews", "purses", "imported"], n
    )


def check(content: bytes, by, name: str = "people.csv") -> tuple[ImportFile, bool]:
    return imports.import_file_check(name=name, content=content, by=by)


def start_and_run(import_file: ImportFile, by) -> ImportFile:
    imports.import_start(import_file=import_file, by=by)
    return imports.import_run(import_id=import_file.pk)


@pytest.fixture
def admin(tenant_a):
    with tenant_context(tenant_a.tenant):
        yield staff("Ida Importer", "council_admin")


def ten_thousand_with_fifty_bad() -> tuple[bytes, dict[int, tuple[str, str]]]:
    """10,000 rows; rows 2 + 200k (k = 0..49) are bad, five of each kind."""
    rows, expected = [], {}
    for n in range(10_000):
        row = good_row(n)
        if n % 200 == 0:
            changes, column, message = BAD_KINDS[(n // 200) % len(BAD_KINDS)]
            row |= changes
            expected[n + 2] = (column, message)
        rows.append(row)
    return csv_bytes(rows), expected


def test_ten_thousand_rows_with_fifty_bad_report_import_once(tenant_a, admin) -> None:
    content, expected = ten_thousand_with_fifty_bad()
    with tenant_context(tenant_a.tenant):
        before = counts()

        # When the file is checked
        checked, made = check(content, admin)

        # Then the report names exactly the 50 bad rows, each with its column and why
        assert made is True
        assert (checked.rows_total, checked.rows_valid, checked.rows_bad) == (10_000, 9_950, 50)
        assert checked.rows_already == 0
        reported = {p["row"]: (p["column"], p["message"]) for p in checked.problems}
        assert reported == expected
        assert len(checked.problems) == 50
        assert checked.problems[0]["reference"] == "OLD00000"
        assert checked.status == ImportFile.Status.CHECKED
        # and nothing is imported until the administrator chooses
        assert counts() == before

        # When they choose to import the valid rows
        done = start_and_run(checked, admin)

        # Then exactly 9,950 people and budgets are imported, each whole
        assert done.status == ImportFile.Status.DONE
        assert (done.rows_imported, done.rows_skipped) == (9_950, 0)
        assert counts() == {k: before[k] + 9_950 for k in before}
        bad_refs = [f"OLD{row - 2:05d}" for row in expected]
        assert not ImportedPerson.objects.filter(reference__in=bad_refs).exists()

        # When the same file is sent again, and the import asked for again
        again, made_again = check(content, admin, name="people (1).csv")
        imports.import_start(import_file=again, by=admin)
        imports.import_run(import_id=again.pk)

        # Then it is the first result, and nothing more is imported
        assert (again.pk, made_again) == (checked.pk, False)
        assert ImportFile.objects.count() == 1
        assert counts() == {k: before[k] + 9_950 for k in before}


def test_an_imported_budget_is_recorded_like_any_other_and_topped_up(tenant_a, admin) -> None:
    today = timezone.localdate()
    row = good_row(
        7,
        start_date="2024-04-01",
        weekly_budget="300",
        weekly_contribution="25.50",
        management="Managed by the council",
        communication_needs="large_print; Easy read",
        email="Ada@Example.com",
    )
    with tenant_context(tenant_a.tenant):
        checked, _ = check(csv_bytes([row]), admin, name="old-system.csv")
        start_and_run(checked, admin)

        imported = ImportedPerson.objects.select_related("person", "plan").get(reference="OLD00007")
        person, plan = imported.person, imported.plan
        assert imported.row_number == 2
        assert imported.source == checked
        assert (person.given_name, person.family_name, person.date_of_birth) == (
            "Ada",
            "Holder7",
            dt.date(1950, 12, 10),
        )
        assert (person.nhs_number, person.postcode, person.email) == (
            nhs(7),
            "SW1A 1AA",
            "ada@example.com",
        )
        assert person.communication_needs == ["large_print", "easy_read"]
        assert person.user is None  # no account is made, and no email sent
        # The plan: approved by the importing administrator, marked with its file and row
        assert plan.status == SupportPlan.Status.APPROVED
        assert plan.approved_by == admin
        assert "old-system.csv, row 2" in plan.outcomes
        assert (plan.weekly_budget_pence, plan.person_contribution_weekly_pence) == (30_000, 2_550)
        assert plan.management == "council_managed"
        assert plan.starts_on == dt.date(2024, 4, 1)
        [line] = plan.lines.all()
        assert (line.description, line.weekly_cost_pence) == (
            "Budget agreed before moving to this service",
            30_000,
        )
        assert plan.assessment.status == Assessment.Status.COMPLETED
        assert plan.assessment.indicative_weekly_pence == 30_000
        # The budget is active; the old system paid up to now, so top-ups start today
        budget = plan.budget
        assert budget.status == Budget.Status.ACTIVE
        assert (budget.weekly_pence, budget.starts_on, budget.first_topup_on) == (
            30_000,
            dt.date(2024, 4, 1),
            today,
        )
        [review] = plan.reviews.all()
        assert (review.kind, review.due_on) == (Review.Kind.ANNUAL, dt.date(2026, 9, 30))
        assert Account.objects.get(person=person).available_pence == 0

        # The top-up run picks it up: the council's share for one 4-week cycle from today
        due = [d for d in topups_due(on=today) if d.budget_id == budget.pk]
        assert [(d.starts, d.amount_pence) for d in due] == [(today, (30_000 - 2_550) * 4)]
        # One audit entry for the batch names the person and the row
        entry = AuditEntry.objects.get(action="imports.rows_imported")
        assert entry.detail["people"] == [str(person.public_id)]
        assert entry.detail["rows"] == [2]
        assert entry.actor_id == admin.public_id


def test_paid_up_to_says_where_this_service_starts_paying(tenant_a, admin) -> None:
    today = timezone.localdate()
    paid_to = today - dt.timedelta(days=10)
    rows = [
        good_row(1, paid_up_to=paid_to.isoformat()),
        good_row(
            2,
            start_date=(today + dt.timedelta(days=30)).isoformat(),
            next_review_date=(today + dt.timedelta(days=90)).isoformat(),
        ),
    ]
    with tenant_context(tenant_a.tenant):
        checked, _ = check(csv_bytes(rows), admin)
        start_and_run(checked, admin)

        back_paid = Budget.objects.get(person__imported_as__reference="OLD00001")
        later = Budget.objects.get(person__imported_as__reference="OLD00002")
        assert back_paid.first_topup_on == paid_to + dt.timedelta(days=1)
        assert (later.status, later.first_topup_on) == (
            Budget.Status.SCHEDULED,
            today + dt.timedelta(days=30),
        )


def test_a_second_file_overlapping_by_reference_imports_only_the_new(tenant_a, admin) -> None:
    with tenant_context(tenant_a.tenant):
        first, _ = check(csv_bytes([good_row(n) for n in range(1, 6)]), admin)
        start_and_run(first, admin)
        before = counts()

        # Rows 3-5 again (one with a changed name) and 6-8 new
        second, made = check(
            csv_bytes([good_row(3, given_name="Changed"), *[good_row(n) for n in range(4, 9)]]),
            admin,
        )

        assert made is True
        assert (second.rows_total, second.rows_already, second.rows_valid, second.rows_bad) == (
            6,
            3,
            3,
            0,
        )
        done = start_and_run(second, admin)
        assert done.rows_imported == 3
        assert counts() == {k: before[k] + 3 for k in before}
        assert sorted(
            ImportedPerson.objects.filter(source=second).values_list("reference", flat=True)
        ) == ["OLD00006", "OLD00007", "OLD00008"]
        assert not Person.objects.filter(given_name="Changed").exists()


def test_references_and_nhs_numbers_twice_in_a_file_or_already_here_are_bad(
    tenant_a, admin
) -> None:
    with tenant_context(tenant_a.tenant):
        Person.objects.create(
            given_name="Kept",
            family_name="Here",
            date_of_birth=dt.date(1940, 1, 1),
            nhs_number=nhs(41),
        )
        rows = [
            good_row(1),
            good_row(1, family_name="Again", nhs_number=""),  # row 3: the reference again
            good_row(3),
            good_row(5, nhs_number=nhs(3)),  # row 5: row 4's NHS number
            good_row(41),  # row 6: an NHS number already recorded here
        ]
        checked, _ = check(csv_bytes(rows), admin)

    assert [(p["row"], p["column"], p["message"]) for p in checked.problems] == [
        (3, "reference", "This reference is also on row 2: each person needs their own reference"),
        (
            5,
            "nhs_number",
            "This NHS number is also on row 4: each person needs their own NHS number",
        ),
        (
            6,
            "nhs_number",
            f"Someone with NHS number {nhs(41)[:3]} {nhs(41)[3:6]} {nhs(41)[6:]} is already "
            "recorded here: find their record instead of adding a new one",
        ),
    ]
    assert (checked.rows_valid, checked.rows_bad) == (2, 3)


def test_more_bad_rows_kinds_are_named_in_words(tenant_a, admin) -> None:
    today = timezone.localdate()
    rows = [
        good_row(1, reference=""),
        good_row(2, end_date="2024-03-31"),
        good_row(3, end_date=(today - dt.timedelta(days=1)).isoformat()),
        good_row(4, communication_needs="semaphore"),
        good_row(5, start_date="", weekly_budget="0"),
        good_row(
            6,
            start_date=(today + dt.timedelta(days=400)).isoformat(),
            next_review_date=(today + dt.timedelta(days=500)).isoformat(),
        ),
    ]
    with tenant_context(tenant_a.tenant):
        checked, _ = check(csv_bytes(rows), admin)
    found = [(p["row"], p["column"], p["message"]) for p in checked.problems]
    yesterday = today - dt.timedelta(days=1)
    assert found == [
        (2, "reference", "Enter your reference for the person"),
        (3, "end_date", "The end date must be the same as or after the start date"),
        (3, "end_date", "This budget ended on 31 March 2024: import only budgets still running"),
        (
            4,
            "end_date",
            f"This budget ended on {yesterday.day} {yesterday:%B %Y}: import only budgets "
            "still running",
        ),
        (
            5,
            "communication_needs",
            "'semaphore' is not a communication need we record. Choose from: Large print, "
            "Easy read, British Sign Language interpreter, Braille, Audio or spoken "
            "information, Spoken language interpreter, Deafblind manual or hands-on signing, "
            "An advocate to help them communicate",
        ),
        (6, "weekly_budget", "Enter a weekly budget of more than £0"),
        (6, "start_date", "Enter the start date, like 27/03/2024 or 2024-03-27"),
        (7, "start_date", "A plan can start at most a year from today"),
    ]
    assert checked.rows_valid == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The selected file is empty"),
        (b"\r\n\r\n", "The selected file is empty"),
        (
            b"PK\x03\x04rest-of-a-workbook",
            "The selected file is a spreadsheet workbook, not a CSV file",
        ),
        (
            "reference,given_name\n".encode("utf-16"),
            "The selected file must be a CSV file saved as UTF-8",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "The selected file must be a CSV file saved as UTF-8"),
        (
            b"reference,given_name,shoe_size\r\nA1,Ada,5\r\n",
            "The first row must name the columns described in the import guide; these "
            "columns are missing: family_name, date_of_birth, postcode, weekly_budget, "
            "management, start_date, next_review_date; these columns are not ones we know: "
            "shoe_size",
        ),
    ],
)
def test_a_file_that_is_not_an_import_is_refused_whole_and_nothing_kept(
    tenant_a, admin, content, message
) -> None:
    with tenant_context(tenant_a.tenant):
        before = counts()
        with pytest.raises(FileRefused) as refused:
            check(content, admin)
        assert refused.value.detail.startswith(message)
        assert ImportFile.objects.count() == 0
        assert counts() == before


def test_a_file_too_large_is_refused(tenant_a, admin, monkeypatch) -> None:
    monkeypatch.setattr("purse.imports.csv_layout.MAX_BYTES", 100)
    with tenant_context(tenant_a.tenant):
        with pytest.raises(FileRefused, match="The selected file must be smaller than"):
            check(csv_bytes([good_row(1)]), admin)
        assert ImportFile.objects.count() == 0


def test_a_run_that_fails_part_way_keeps_whole_batches_and_a_rerun_finishes(
    tenant_a, admin, monkeypatch
) -> None:
    monkeypatch.setattr(imports, "BATCH_ROWS", 4)
    real = Review.objects.bulk_create
    calls = {"n": 0}

    def second_batch_breaks(objs, *args, **kwargs):
        # The second batch's people, plans and budgets are written, then it fails.
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("database went away")
        return real(objs, *args, **kwargs)

    with tenant_context(tenant_a.tenant):
        before = counts()
        checked, _ = check(csv_bytes([good_row(n) for n in range(10)]), admin)
        imports.import_start(import_file=checked, by=admin)
        monkeypatch.setattr(Review.objects, "bulk_create", second_batch_breaks)

        with pytest.raises(DomainError, match="stopped before the end"):
            imports.import_run(import_id=checked.pk)

        stopped = ImportFile.objects.get(pk=checked.pk)
        assert stopped.status == ImportFile.Status.FAILED
        assert stopped.rows_imported == 4
        assert counts() == {k: before[k] + 4 for k in before}  # the first batch, whole

        monkeypatch.setattr(Review.objects, "bulk_create", real)
        imports.import_start(import_file=stopped, by=admin)
        done = imports.import_run(import_id=checked.pk)

        assert (done.status, done.rows_imported) == (ImportFile.Status.DONE, 10)
        assert counts() == {k: before[k] + 10 for k in before}
        assert sorted(ImportedPerson.objects.values_list("row_number", flat=True)) == list(
            range(2, 12)
        )


def test_only_an_importer_may_check_or_start(tenant_a, admin) -> None:
    with tenant_context(tenant_a.tenant):
        manager = staff("Cara Manager", "care_manager")
        with pytest.raises(DomainError, match="Only a council administrator"):
            check(csv_bytes([good_row(1)]), manager)
        checked, _ = check(csv_bytes([good_row(1)]), admin)
        with pytest.raises(DomainError, match="Only a council administrator"):
            imports.import_start(import_file=checked, by=manager)
        assert ImportFile.objects.get().status == ImportFile.Status.CHECKED


def test_starting_twice_queues_once_and_a_file_of_only_bad_rows_cannot_start(
    tenant_a, admin, django_capture_on_commit_callbacks
) -> None:
    with tenant_context(tenant_a.tenant):
        checked, _ = check(csv_bytes([good_row(1)]), admin)
        with django_capture_on_commit_callbacks() as sent:
            imports.import_start(import_file=checked, by=admin)
            imports.import_start(import_file=checked, by=admin)
        assert len(sent) == 1
        assert AuditEntry.objects.filter(action="imports.import_requested").count() == 1

        bad, _ = check(csv_bytes([good_row(2, given_name="")]), admin)
        with pytest.raises(DomainError, match="no rows in this file that can be imported"):
            imports.import_start(import_file=bad, by=admin)


def test_the_bad_rows_download_is_the_rows_as_sent_with_what_is_wrong(tenant_a, admin) -> None:
    rows = [good_row(1), good_row(2, postcode="nope", weekly_budget="x"), good_row(3)]
    with tenant_context(tenant_a.tenant):
        checked, _ = check(csv_bytes(rows), admin)
        text = problems_csv(import_file=checked)
    lines = text.splitlines()
    assert lines[0] == ",".join([*HEADER, "problems"])
    assert len(lines) == 2
    assert lines[1].startswith("OLD00002,Ada,Holder2,10/12/1950,,nope,")
    assert lines[1].endswith(
        '"postcode: Enter a full UK postcode, like SW1A 1AA; weekly_budget: Enter the weekly '
        'budget in pounds, like 275.50"'
    )


def test_the_fixed_download_can_be_sent_again_and_imports(tenant_a, admin) -> None:
    with tenant_context(tenant_a.tenant):
        checked, _ = check(csv_bytes([good_row(1), good_row(2, postcode="nope")]), admin)
        start_and_run(checked, admin)
        fixed = problems_csv(import_file=checked).replace(",nope,", ",SW1A 2AA,").encode()

        again, made = check(fixed, admin)

        assert made is True
        assert (again.rows_valid, again.rows_bad) == (1, 0)
        start_and_run(again, admin)
        assert Person.objects.get(imported_as__reference="OLD00002").postcode == "SW1A 2AA"


def test_tenant_b_gets_none_of_tenant_a_imports(tenant_a, tenant_b, admin) -> None:
    with tenant_context(tenant_a.tenant):
        checked, _ = check(csv_bytes([good_row(1), good_row(2)]), admin)
        start_and_run(checked, admin)
        assert ImportedPerson.objects.count() == 2
    with tenant_context(tenant_b.tenant):
        assert ImportFile.objects.count() == 0
        assert ImportedPerson.objects.count() == 0
        assert not Person.objects.filter(family_name__in=["Holder1", "Holder2"]).exists()
