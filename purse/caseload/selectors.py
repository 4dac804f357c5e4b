"""What needs a care manager's attention, person by person: reviews due or overdue,
plans waiting for a second approver, and spend alerts worked out from the ledger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from core.dates import format_date
from purse.models import CaseNote, Person
from purse.selectors import people_for_staff

REVIEW_SOON_DAYS = 14
# A budget running at least this long is underspent when the last 8 weeks' care cost
# less than UNDERSPEND_SHARE of those 8 weeks' budget.
UNDERSPEND_WEEKS = 8
UNDERSPEND_SHARE = 0.5
# Unusual: more care paid for in the last 7 days than UNUSUAL_WEEKS weeks of budget.
UNUSUAL_WEEKS = 2
DECLINED_DAYS = 28


@dataclass(frozen=True)
class Alert:
    code: str  # for filtering: review_overdue, review_due, plan_waiting, underspend...
    text: str
    urgent: bool = False


@dataclass
class CaseloadRow:
    person_id: int
    name: str
    public_id: Any
    weekly_pence: int | None
    available_pence: int
    alerts: list[Alert] = field(default_factory=list)


ALERT_LABELS = {
    "review_overdue": "Review overdue",
    "review_due": f"Review due within {REVIEW_SOON_DAYS} days",
    "plan_waiting": "Plan waiting for a second approver",
    "underspend": "Underspending",
    "overspend": "Orders running ahead of the money",
    "unusual": "Unusual spending",
    "surplus": "Money over the surplus limit",
    "declined": "Order declined by a provider",
}

_T = {
    "person": Person._meta.db_table,
    "budget": "purse_budget",
    "plan": "purse_supportplan",
    "rules": "budget_rules_rulesversion",
    "review": "purse_review",
    "account": "ledger_account",
    "entry": "ledger_entry",
    "txn": "ledger_transaction",
    "order": "purse_order",
    "visit": "purse_visit",
}

# One row per person in `ids`: their active budget, what is available, the figures
# each alert is judged on. Correlated subqueries each use an index on the person (or
# their purse account), so the whole caseload is one statement.
_FIGURES = """
SELECT p.id, p.given_name || ' ' || p.family_name, p.public_id,
       b.weekly_pence, b.starts_on, rv.surplus_threshold_weeks,
       coalesce(a.credits_posted - a.debits_posted - a.debits_pending, 0),
       (SELECT min(r.due_on) FROM {review} r
         WHERE r.person_id = p.id AND r.completed_on IS NULL),
       (SELECT count(*) FROM {plan} sp
         WHERE sp.person_id = p.id AND sp.status = 'awaiting_second_approval'),
       (SELECT coalesce(sum(e.amount_pence), 0) FROM {entry} e
          JOIN {txn} t ON t.id = e.transaction_id
         WHERE e.account_id = a.id AND e.side = 'D' AND t.kind = 'capture'
           AND t.created_at >= %(since_weeks)s),
       (SELECT coalesce(sum(e.amount_pence), 0) FROM {entry} e
          JOIN {txn} t ON t.id = e.transaction_id
         WHERE e.account_id = a.id AND e.side = 'D' AND t.kind = 'capture'
           AND t.created_at >= %(since_week)s),
       (SELECT count(*) FROM {visit} v JOIN {order} o ON o.id = v.order_id
         WHERE o.person_id = p.id AND v.status = 'unfunded' AND v.on >= %(today)s),
       (SELECT count(*) FROM {order} o
         WHERE o.person_id = p.id AND o.status = 'declined' AND o.created_at >= %(since_declined)s)
  FROM {person} p
  LEFT JOIN {budget} b ON b.person_id = p.id AND b.status = 'active'
  LEFT JOIN {plan} pl ON pl.id = b.plan_id
  LEFT JOIN {rules} rv ON rv.id = pl.rules_version_id
  LEFT JOIN {account} a ON a.person_id = p.id
 WHERE p.id = ANY(%(ids)s)
 ORDER BY p.family_name, p.given_name, p.id
""".format(**_T)  # noqa: S608 (table names only; every value is a bound parameter)


def plural(count: int, thing: str) -> str:
    return f"{count} {thing}{'' if count == 1 else 's'}"


def _alerts(row: tuple, today: dt.date) -> list[Alert]:
    (_, _, _, weekly, starts_on, surplus_weeks, available, review_due, waiting, spent_weeks,
     spent_week, unfunded, declined) = row  # fmt: skip
    alerts: list[Alert] = []
    if review_due is not None and review_due < today:
        alerts.append(
            Alert("review_overdue", f"Review overdue since {format_date(review_due)}", True)
        )
    elif review_due is not None and (review_due - today).days <= REVIEW_SOON_DAYS:
        alerts.append(Alert("review_due", f"Review due on {format_date(review_due)}"))
    if waiting:
        alerts.append(Alert("plan_waiting", "A plan is waiting for a second approver", True))
    if declined:
        alerts.append(
            Alert(
                "declined",
                f"{plural(declined, 'order')} placed in the last {DECLINED_DAYS} days "
                "declined by a provider",
            )
        )
    if weekly:
        if unfunded:
            alerts.append(
                Alert(
                    "overspend",
                    f"{plural(unfunded, 'booked visit')} not yet covered by the money in the purse",
                    True,
                )
            )
        if spent_week > UNUSUAL_WEEKS * weekly:
            alerts.append(
                Alert(
                    "unusual",
                    f"More than {UNUSUAL_WEEKS} weeks' budget paid for care in the last 7 days",
                )
            )
        if (
            (today - starts_on).days >= UNDERSPEND_WEEKS * 7
            and spent_weeks < UNDERSPEND_SHARE * UNDERSPEND_WEEKS * weekly
        ):
            alerts.append(
                Alert(
                    "underspend",
                    f"Less than half the budget used in the last {UNDERSPEND_WEEKS} weeks",
                )
            )
        if surplus_weeks and available > surplus_weeks * weekly:
            alerts.append(Alert("surplus", f"More than {surplus_weeks} weeks' budget in the purse"))
    return alerts


def caseload(*, viewer: Any, today: dt.date | None = None) -> list[CaseloadRow]:
    """Every person `viewer` works with, by name, with what needs attention."""
    ids = list(people_for_staff(viewer=viewer).values_list("pk", flat=True))
    return _rows(ids, today or timezone.localdate())


def person_alerts(*, person: Person, today: dt.date | None = None) -> list[Alert]:
    """What needs attention about one person (the same rules as the caseload's)."""
    rows = _rows([person.pk], today or timezone.localdate())
    return rows[0].alerts if rows else []


def _rows(ids: list[int], today: dt.date) -> list[CaseloadRow]:
    if not ids:
        return []
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _FIGURES,
            {
                "ids": ids,
                "today": today,
                "since_weeks": now - dt.timedelta(weeks=UNDERSPEND_WEEKS),
                "since_week": now - dt.timedelta(days=7),
                "since_declined": now - dt.timedelta(days=DECLINED_DAYS),
            },
        )
        rows = cursor.fetchall()
    return [
        CaseloadRow(
            person_id=row[0],
            name=row[1],
            public_id=row[2],
            weekly_pence=row[3],
            available_pence=row[6],
            alerts=_alerts(row, today),
        )
        for row in rows
    ]


def caseload_matching(rows: list[CaseloadRow], *, name: str, show: str) -> list[CaseloadRow]:
    """The rows whose name contains `name`, with `show`: "attention" (any alert), an
    alert code (that alert), or "" (everyone)."""
    wanted = name.strip().lower()
    return [
        row
        for row in rows
        if wanted in row.name.lower()
        and (
            not show
            or (show == "attention" and bool(row.alerts))
            or any(alert.code == show for alert in row.alerts)
        )
    ]


def caseload_counts(rows: list[CaseloadRow]) -> dict[str, int]:
    """How many people have each alert, and ("attention") any alert at all."""
    counts = dict.fromkeys([*ALERT_LABELS, "attention"], 0)
    for row in rows:
        counts["attention"] += bool(row.alerts)
        for alert in row.alerts:
            counts[alert.code] += 1
    return counts


def case_notes(*, person: Person) -> QuerySet[CaseNote]:
    return CaseNote.objects.filter(person=person).select_related("author")
