"""What a tenant's licence lets it do, decided here and nowhere else.

- Modules: a tenant has the modules of its licence's plan version. A tenant with no
  licence (made before licensing) has every module and no cap.
- Suspension: a suspended or cancelled licence stops the council changing its set-up,
  adding people and starting new assessments or plans. It never stops people seeing
  their balances and statements, nor payment for care already ordered: those routes
  are in no rule below.
- Seat cap: within the cap; over it (warned); over it by more than the grace margin
  (no new people until the cap is raised or people leave).

`ROUTES` and `PREFIXES` say which module each page and API route belongs to, and which
routes change the council's set-up; `billing.middleware` refuses requests with
`route_refusal`, and the workspace menu and portal links hide what is not licensed."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from .models import Licence, Module
from .selectors import active_holders_count, is_tenant, licence_get, module_name

ALL_MODULES: frozenset[str] = frozenset(Module.values)
WRITES: frozenset[str] = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STOPPED = frozenset({Licence.Status.SUSPENDED, Licence.Status.CANCELLED})
# At this share of the cap the council is told it is nearly full.
NEAR_CAP_PERCENT = 90

_UNSET: Any = object()


def licence_for(tenant: Any) -> Licence | None:
    """The tenant's licence (with its plan), or None: no licence, or not a tenant."""
    return licence_get(tenant=tenant)


def modules_for(*, tenant: Any, licence: Licence | None = _UNSET) -> frozenset[str]:
    """The modules the tenant may use (every one without a licence, and on the
    platform's own host, where tenant modules do not apply)."""
    if not is_tenant(tenant):
        return ALL_MODULES
    if licence is _UNSET:
        licence = licence_for(tenant)
    if licence is None:
        return ALL_MODULES
    return frozenset(licence.plan.modules)


def module_enabled(*, tenant: Any, module: str) -> bool:
    return module in modules_for(tenant=tenant)


# --- Suspension -------------------------------------------------------------------


def _stopped_sentence(licence: Licence) -> str:
    if licence.status == Licence.Status.CANCELLED:
        return "This council's licence has been cancelled"
    return "This council's licence is suspended"


_STILL_WORKS = (
    "People can still see their balances and statements, and care already ordered is still paid."
)


def configuration_refusal(*, tenant: Any, licence: Licence | None = _UNSET) -> str | None:
    """Why the council may not change its set-up now (None: it may)."""
    if licence is _UNSET:
        licence = licence_for(tenant)
    if licence is None or licence.status not in STOPPED:
        return None
    return (
        f"{_stopped_sentence(licence)}: budget rules, branding, users and roles, "
        "notifications and unit costs cannot be changed, and no new people, assessments "
        f"or plans can be added, until it is active again. {_STILL_WORKS} "
        "Contact the platform's team about the licence."
    )


def configuration_allowed(*, tenant: Any) -> bool:
    return configuration_refusal(tenant=tenant) is None


def people_onboarding_refusal(*, tenant: Any, licence: Licence | None = _UNSET) -> str | None:
    """Why no new people may be added now: the licence is stopped, or the council has
    more budget holders than its cap and grace allow (None: they may)."""
    if licence is _UNSET:
        licence = licence_for(tenant)
    if refusal := configuration_refusal(tenant=tenant, licence=licence):
        return refusal
    status = holders_status(tenant=tenant, licence=licence)
    if status.state == HolderState.OVER_GRACE:
        return status.message
    return None


def people_onboarding_allowed(*, tenant: Any) -> bool:
    return people_onboarding_refusal(tenant=tenant) is None


# --- Seat cap ---------------------------------------------------------------------


class HolderState(enum.StrEnum):
    UNCAPPED = "uncapped"
    WITHIN = "within"  # at or under the cap
    OVER_CAP = "over_cap"  # over the cap, within the grace margin: warned
    OVER_GRACE = "over_grace"  # the grace margin used up: no new people


@dataclass(frozen=True)
class HoldersStatus:
    state: HolderState
    holders: int  # people with an active budget now
    cap: int | None
    limit: int | None  # the cap and its grace margin: no new people at or beyond it

    @property
    def near_cap(self) -> bool:
        return (
            self.state == HolderState.WITHIN
            and self.cap is not None
            and self.holders * 100 >= self.cap * NEAR_CAP_PERCENT
        )

    @property
    def warning(self) -> bool:
        return self.near_cap or self.state in (HolderState.OVER_CAP, HolderState.OVER_GRACE)

    @property
    def message(self) -> str:
        if self.cap is None:
            return ""
        have = f"{self.holders:,} budget holder{'' if self.holders == 1 else 's'}"
        if self.state == HolderState.OVER_GRACE:
            return (
                f"This council has {have} and its licence covers {self.cap:,} "
                f"(with a grace margin up to {self.limit:,}): no more people can be added "
                "until the licence covers more or budgets end. Contact the platform's "
                "team to raise the cap."
            )
        if self.state == HolderState.OVER_CAP:
            room = (self.limit or 0) - self.holders
            return (
                f"This council has {have}, more than the {self.cap:,} its licence covers. "
                f"{room:,} more can be added within the grace margin; then no more people "
                "can be added until the licence covers more."
            )
        if self.near_cap:
            return (
                f"This council has {have} of the {self.cap:,} its licence covers. "
                "Ask the platform's team to raise the cap before it is reached."
            )
        return ""


def holder_limit(licence: Licence) -> int | None:
    """The cap plus its grace margin (rounded down), or None without a cap."""
    if licence.holder_cap is None:
        return None
    return licence.holder_cap + licence.holder_cap * licence.grace_percent // 100


def holders_status(
    *, tenant: Any, licence: Licence | None = _UNSET, holders: int | None = None
) -> HoldersStatus:
    """Where the tenant stands against its licence's cap on budget holders."""
    if licence is _UNSET:
        licence = licence_for(tenant)
    if licence is None or licence.holder_cap is None:
        return HoldersStatus(HolderState.UNCAPPED, holders or 0, None, None)
    if holders is None:
        holders = active_holders_count(tenant=tenant)
    cap, limit = licence.holder_cap, holder_limit(licence)
    assert limit is not None  # noqa: S101 - a cap has a limit
    if holders <= cap:
        state = HolderState.WITHIN
    elif holders < limit:
        state = HolderState.OVER_CAP
    else:
        state = HolderState.OVER_GRACE
    return HoldersStatus(state, holders, cap, limit)


# --- Routes -------------------------------------------------------------------------


class Change(enum.StrEnum):
    CONFIGURATION = "configuration"  # the council's set-up: refused when stopped
    CASEWORK = "casework"  # new assessments and plans: refused when stopped
    PEOPLE = "people"  # new people: refused when stopped, or beyond the cap and grace


@dataclass(frozen=True)
class Rule:
    module: str = ""  # the module the route belongs to ("" none)
    module_methods: frozenset[str] | None = None  # None: every method needs the module
    change: Change | None = None  # what writes to the route change
    change_methods: frozenset[str] = WRITES


MARKETPLACE = Rule(module=Module.MARKETPLACE)
EPURSE = Rule(module=Module.EPURSE)
REPORTS = Rule(module=Module.REPORTS)
CONFIGURATION = Rule(change=Change.CONFIGURATION)

# By URL name ("namespace:name"). Routes named nowhere here (balances, statements,
# orders already placed, visits, payments to providers, safeguarding decisions about
# providers, deactivating a user) are never refused for licensing reasons.
ROUTES: dict[str, Rule] = {
    # The marketplace: finding and ordering services.
    "portal:services": MARKETPLACE,
    "portal:service": MARKETPLACE,
    "portal:order": MARKETPLACE,
    "portal:order-check": MARKETPLACE,
    "portal:feedback": MARKETPLACE,
    "api:catalogue-service-search": MARKETPLACE,
    "api:catalogue-service": MARKETPLACE,
    "api:catalogue-service-reviews": MARKETPLACE,
    # Listing orders already placed stays open; placing a new one needs the marketplace.
    "api:purse-order-list": Rule(module=Module.MARKETPLACE, module_methods=frozenset({"POST"})),
    # The e-purse: people, assessments, plans, budgets and reviews.
    "api:purse-person-list": Rule(module=Module.EPURSE, change=Change.PEOPLE),
    "api:purse-person": EPURSE,
    "api:purse-representative-add": EPURSE,
    "api:purse-representative-end": EPURSE,
    "api:purse-support-worker-assign": EPURSE,
    "api:purse-support-worker-end": EPURSE,
    "api:purse-consents": EPURSE,
    "api:purse-assessment-start": Rule(module=Module.EPURSE, change=Change.CASEWORK),
    "api:purse-assessment": EPURSE,
    "api:purse-assessment-answer": EPURSE,
    "api:purse-assessment-eligibility": EPURSE,
    "api:purse-assessment-complete": EPURSE,
    "api:purse-plan-list": Rule(
        module=Module.EPURSE, change=Change.CASEWORK, change_methods=frozenset({"POST"})
    ),
    "api:purse-plan": EPURSE,
    "api:purse-plan-approve": EPURSE,
    "api:purse-plan-review-trigger": EPURSE,
    "api:purse-budget-payment": EPURSE,
    "api:purse-budget-contribution": EPURSE,
    "api:purse-review-list": EPURSE,
    "api:purse-review-complete": EPURSE,
    "api:purse-surplus-list": EPURSE,
    "api:purse-surplus-decision": EPURSE,
    "api:purse-surplus-reverse": EPURSE,
    "workspace:caseload-assessment-begin": Rule(module=Module.EPURSE, change=Change.CASEWORK),
    "workspace:caseload-plan-write": Rule(module=Module.EPURSE, change=Change.CASEWORK),
    # The council's set-up.
    "workspace:administration-user-invite": CONFIGURATION,
    "workspace:administration-user-reinvite": CONFIGURATION,
    "workspace:administration-user-roles": CONFIGURATION,
    "workspace:administration-rules-draft": CONFIGURATION,
    "workspace:administration-rules-edit": CONFIGURATION,
    "workspace:administration-rules-publish": CONFIGURATION,
    "workspace:administration-notifications": CONFIGURATION,
    "workspace:reports-unit-costs": Rule(module=Module.REPORTS, change=Change.CONFIGURATION),
    "branding:edit": CONFIGURATION,
    "branding:statement-edit": CONFIGURATION,
}

# By the start of the URL name, for whole sections; ROUTES wins where both match.
PREFIXES: tuple[tuple[str, Rule], ...] = (
    ("workspace:caseload", EPURSE),
    ("workspace:import", Rule(module=Module.EPURSE, change=Change.PEOPLE)),
    ("workspace:reports", REPORTS),
    ("api:rules-", CONFIGURATION),  # every write to the budget rules
)


def rule_for(view_name: str) -> Rule | None:
    if rule := ROUTES.get(view_name):
        return rule
    return next((rule for prefix, rule in PREFIXES if view_name.startswith(prefix)), None)


def route_module(view_name: str) -> str:
    """The module the route belongs to ("": none), e.g. for hiding links to it."""
    rule = rule_for(view_name)
    return rule.module if rule else ""


@dataclass(frozen=True)
class Refusal:
    code: str  # the problem type in API answers
    title: str
    detail: str


def route_refusal(*, tenant: Any, view_name: str, method: str) -> Refusal | None:
    """Why the tenant's licence refuses `method` on the route named `view_name`
    (None: the licence allows it). Reads the licence only for routes in a rule."""
    rule = rule_for(view_name)
    if rule is None or not is_tenant(tenant):
        return None
    licence = licence_for(tenant)
    if licence is None:
        return None
    method = method.upper()
    needs_module = rule.module and (rule.module_methods is None or method in rule.module_methods)
    if needs_module and rule.module not in licence.plan.modules:
        return Refusal(
            code="module_not_licensed",
            title="This is not part of the council's licence",
            detail=(
                f"This council's licence does not include {module_name(rule.module)}, "
                "so this page and its API are not available here. Ask the council's "
                "administrator about adding it to the licence."
            ),
        )
    if rule.change is None or method not in rule.change_methods:
        return None
    if rule.change == Change.PEOPLE:
        reason = people_onboarding_refusal(tenant=tenant, licence=licence)
    else:
        reason = configuration_refusal(tenant=tenant, licence=licence)
    if not reason:
        return None
    if licence.status not in STOPPED:  # only the cap can refuse an active licence
        return Refusal(
            code="holder_cap_reached", title="No more people can be added", detail=reason
        )
    cancelled = licence.status == Licence.Status.CANCELLED
    return Refusal(
        code="licence_cancelled" if cancelled else "licence_suspended",
        title=_stopped_sentence(licence),
        detail=reason,
    )
