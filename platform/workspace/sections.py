"""The workspace's sections, in one list: each names the permission that opens it.
The menu, the home page and the authorisation tests all read this list, so a section
cannot appear to a role that its pages would refuse."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils.module_loading import import_string

from accounts import permissions as perms
from accounts.permissions import user_permissions
from billing.entitlements import modules_for, route_module


@dataclass(frozen=True)
class Section:
    url_name: str  # "workspace:<url_name>" is the section's first page
    title: str
    permission: str
    description: str
    # "module.function" giving what needs doing today: function(*, user) -> list[Task]
    tasks: str = ""


@dataclass(frozen=True)
class Task:
    """One line on the workspace home page: "3 reviews are overdue" and where to go."""

    text: str
    url: str
    count: int
    urgent: bool = False


SECTIONS: tuple[Section, ...] = (
    Section(
        "caseload",
        "Caseload",
        perms.PLANS_MANAGE,
        "People you look after, what needs attention, assessments, plans and case notes.",
        "workspace.caseload.today.tasks",
    ),
    Section(
        "finance",
        "Finance",
        perms.FINANCE_MANAGE,
        "Top-up runs, payments to providers, reconciliation, surplus and exports.",
        "workspace.finance.today.tasks",
    ),
    Section(
        "administration",
        "Administration",
        perms.TENANT_CONFIGURE,
        "Users and roles, branding, budget rules, providers in your area, notifications.",
        "workspace.administration.today.tasks",
    ),
    Section(
        "import",
        "Import budget holders",
        perms.PEOPLE_IMPORT,
        "Bring in existing budget holders and budgets from a spreadsheet (CSV).",
    ),
    Section(
        "reports",
        "Reports",
        perms.REPORTS_VIEW,
        "Spending, budget holders, the market, savings, feedback and outcomes.",
    ),
)


def sections_for(*, user: Any) -> list[Section]:
    """The sections `user` may open, in menu order: those of modules the council's
    licence includes (billing.entitlements says which module a section is)."""
    held = user_permissions(user)
    licensed = modules_for(tenant=getattr(connection, "tenant", None))
    return [
        section
        for section in SECTIONS
        if section.permission in held
        and route_module(f"workspace:{section.url_name}") in licensed | {""}
    ]


def section_for(url_name: str) -> Section:
    return next(section for section in SECTIONS if section.url_name == url_name)


def tasks_for(*, user: Any) -> list[tuple[Section, list[Task]]]:
    """For each section `user` may open, what in it needs doing today (none: empty)."""
    listed = []
    for section in sections_for(user=user):
        finder: Callable[..., list[Task]] | None = (
            import_string(section.tasks) if section.tasks else None
        )
        listed.append((section, [t for t in finder(user=user) if t.count] if finder else []))
    return listed
