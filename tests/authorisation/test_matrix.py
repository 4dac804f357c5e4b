"""The authorisation matrix of a council's host: for every route (pages and API) and
every method it answers, which roles may use it. Every role is tried on every route;
a role outside a cell must be refused (401/403, or 405; a signed-out visitor to a page
is sent to sign in), a role inside it must get past the checks. A route missing from
the matrix fails the test, so no new page or operation goes unclassified.

Paths are filled with ids that exist nowhere: a role that may ask gets "not found"
(404) from routes about one object, which is how the check tells "allowed, nothing
there" from "refused" (so on those routes this proves the refusals; that allowed roles
really get the page is shown by each section's own tests, with real objects). Routes
whose object decides who may see it (a person's statement, an order) are open to every
signed-in user here; tests beside their apps prove the object-level rules, and
tests/isolation proves no tenant reaches another's objects."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from tests.conftest import host_client, signed_in_client
from tests.purse import plan_builders as b

from .routes import Route, tenant_routes

pytestmark = pytest.mark.django_db

ROLES = (
    "budget_holder",
    "representative",
    "support_worker",
    "care_manager",
    "finance_officer",
    "council_admin",
    "commissioner",
)
ANONYMOUS = "anonymous"
EVERYONE = frozenset((ANONYMOUS, *ROLES))  # no sign-in needed
SIGNED_IN = frozenset(ROLES)  # any signed-in user: the page shows only what is theirs
ELSEWHERE = "elsewhere"  # served on the platform's host only: 404 here for everyone

BH, REP, SW = "budget_holder", "representative", "support_worker"
CM, FIN, ADM, COM = "care_manager", "finance_officer", "council_admin", "commissioner"


def only(*roles: str) -> frozenset[str]:
    return frozenset(roles)


def pages(roles: frozenset[str]) -> dict[str, frozenset[str]]:
    """A page that shows on GET and acts (or shows errors) on POST, for the same roles."""
    return {"GET": roles, "POST": roles}


def posts(roles: frozenset[str]) -> dict[str, frozenset[str]]:
    return {"POST": roles}


MATRIX: dict[str, dict[str, frozenset[str]] | str] = {
    # The budget holder's portal: anyone signed in (staff act for someone first).
    **{
        f"portal:{name}": pages(SIGNED_IN)
        for name in (
            "home",
            "act-for",
            "services",
            "service",
            "order",
            "feedback",
            "order-check",
            "orders",
            "order-placed",
            "order-stop",
            "visit-cancel",
            "visit-confirm",
            "visit-dispute",
            "notifications",
            "statement",
        )
    },
    "portal:act-for-stop": posts(EVERYONE),  # only ever ends this session's choice
    "portal:easy-read": posts(EVERYONE),
    "core:home": pages(SIGNED_IN),
    "statements:my-statement": pages(SIGNED_IN),
    "statements:statement": pages(SIGNED_IN),
    # The council's public pages and branding.
    "branding:css": {"GET": EVERYONE},
    "branding:logo": {"GET": EVERYONE},
    "branding:help": pages(EVERYONE),
    "branding:accessibility": pages(EVERYONE),
    "branding:edit": pages(only(ADM)),
    "branding:statement-edit": pages(only(ADM)),
    "performance:index": pages(EVERYONE),
    # Signing in.
    "accounts:login": pages(EVERYONE),
    "accounts:logout": posts(EVERYONE),  # signing out leads to the sign-in page
    "accounts:password-reset": pages(EVERYONE),
    "accounts:two-factor": pages(SIGNED_IN),
    "accounts:set-password": pages(EVERYONE),
    "accounts:set-password-link": pages(EVERYONE),
    # The council workspace: each section for its roles (workspace/sections.py).
    "workspace:home": pages(SIGNED_IN),
    **{
        name: pages(only(CM))
        for name in (
            "workspace:caseload",
            "workspace:caseload-person",
            "workspace:caseload-plans",
            "workspace:caseload-plan",
            "workspace:caseload-assessment",
            "workspace:caseload-eligibility",
            "workspace:caseload-plan-write",
        )
    },
    "workspace:caseload-plan-approve": posts(only(CM)),
    "workspace:caseload-assessment-begin": posts(only(CM)),
    **{
        f"workspace:finance{name}": pages(only(FIN))
        for name in (
            "",
            "-topups",
            "-topup-run",
            "-payouts",
            "-payout",
            "-payment-file",
            "-exceptions",
            "-exception-resolve",
            "-surplus",
            "-surplus-notice",
            "-export",
        )
    },
    "workspace:finance-topup-run-approve": posts(only(FIN)),
    "workspace:finance-payment-file-paid": posts(only(FIN)),
    **{
        f"workspace:administration{name}": pages(only(ADM))
        for name in (
            "",
            "-users",
            "-user-invite",
            "-user-roles",
            "-user-deactivate",
            "-user-reinvite",
            "-rules",
            "-rules-version",
            "-rules-draft",
            "-rules-edit",
            "-rules-preview",
            "-rules-publish",
            "-providers",
            "-provider",
            "-provider-decide",
            "-services-waiting",
            "-service-decide",
            "-alerts",
            "-reviews",
            "-review",
            "-notifications",
        )
    },
    "workspace:administration-billing": {"GET": only(ADM)},
    "workspace:administration-billing-invoice": {"GET": only(ADM)},
    "workspace:administration-alert-acknowledge": posts(only(ADM)),
    "workspace:import": pages(only(ADM)),
    "workspace:import-file": pages(only(ADM)),
    "workspace:import-bad-rows": pages(only(ADM)),
    "workspace:import-start": posts(only(ADM)),
    **{
        f"workspace:reports{name}": pages(only(ADM, COM))
        for name in (
            "",
            "-spend",
            "-budget-holders",
            "-market",
            "-savings",
            "-feedback",
            "-outcomes",
        )
    },
    "workspace:reports-unit-costs": {"GET": only(ADM, COM), "POST": only(ADM)},
    # Open Referral UK: open data, read only.
    **{
        f"openreferral:{name}": {"GET": EVERYONE}
        for name in (
            "root",
            "services",
            "service",
            "taxonomies",
            "taxonomy",
            "taxonomy_terms",
            "taxonomy_term",
            "service_at_locations",
            "service_at_location",
        )
    },
    "openreferral:unknown": {m: EVERYONE for m in ("GET", "POST", "PUT", "PATCH", "DELETE")},
    # The API.
    "api:schema": {"GET": EVERYONE},
    "api:docs": {"GET": EVERYONE},
    "api:auth-token": {"POST": EVERYONE},
    "api:me": {"GET": SIGNED_IN},
    "api:user-list": {"GET": only(ADM)},
    "api:user-detail": {"GET": only(ADM)},
    "api:user-deactivate": {"POST": only(ADM)},
    "api:audit-entry-list": {"GET": only(FIN, ADM)},
    "api:catalogue-category-list": {"GET": EVERYONE},
    "api:catalogue-service-search": {"GET": SIGNED_IN},
    "api:catalogue-service": {"GET": SIGNED_IN},
    "api:catalogue-image": {"GET": SIGNED_IN},
    "api:catalogue-service-reviews": {"GET": SIGNED_IN, "POST": only(BH, REP)},
    "api:catalogue-review-list": {"GET": only(ADM)},
    "api:catalogue-review-moderate": {"POST": only(ADM)},
    "api:catalogue-approval-provider-list": {"GET": only(SW, CM, ADM, COM)},
    "api:catalogue-approval-provider": {"PUT": only(ADM)},
    "api:catalogue-approval-service-list": {"GET": only(SW, CM, ADM, COM)},
    "api:catalogue-approval-service": {"PUT": only(ADM)},
    "api:catalogue-rating-alert-list": {"GET": only(SW, CM, ADM, COM)},
    "api:catalogue-rating-alert-acknowledge": {"POST": only(ADM)},
    **{
        f"api:catalogue-{name}": ELSEWHERE
        for name in (
            "provider-register",
            "provider",
            "councils",
            "document-list",
            "document-file",
            "location-list",
            "location",
            "own-service-list",
            "own-service",
            "own-service-publish",
            "own-service-withdraw",
            "own-service-images",
            "own-image",
            "own-reviews",
            "own-review-replies",
            "vetting-provider-list",
            "vetting-provider",
            "vetting-provider-status",
            "vetting-document-file",
            "vetting-document-review",
        )
    },
    "api:purse-provider-orders": ELSEWHERE,
    "api:purse-paypal-webhook": ELSEWHERE,
    # People, assessments, plans, budgets and reviews: care managers write; a person's
    # own record, and records a viewer may see, are decided by the object.
    "api:purse-me": {"GET": SIGNED_IN},
    "api:purse-represented": {"GET": SIGNED_IN},
    "api:purse-person-list": {"GET": only(SW, CM), "POST": only(CM)},
    "api:purse-person": {"GET": SIGNED_IN, "PATCH": only(CM)},
    "api:purse-consents": {"GET": SIGNED_IN, "POST": only(CM)},
    "api:purse-assessment": {"GET": SIGNED_IN},
    "api:purse-plan": {"GET": SIGNED_IN},
    "api:purse-plan-list": {"GET": only(CM), "POST": only(CM)},
    "api:purse-review-list": {"GET": only(CM)},
    "api:purse-budget-list": {"GET": only(CM, FIN)},
    **{
        f"api:purse-{name}": {"POST": only(CM)}
        for name in (
            "representative-add",
            "representative-end",
            "support-worker-assign",
            "support-worker-end",
            "assessment-start",
            "assessment-answer",
            "assessment-eligibility",
            "assessment-complete",
            "plan-approve",
            "plan-review-trigger",
            "review-complete",
            "challenge-decide",
            "visit-settle",
        )
    },
    "api:purse-challenge-raise": {"POST": SIGNED_IN},
    # Orders and visits: whoever may act for the person (decided by the person).
    "api:purse-order-list": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "api:purse-order": {"GET": SIGNED_IN},
    **{
        f"api:purse-{name}": {"POST": SIGNED_IN}
        for name in ("order-cancel", "visit-cancel", "visit-confirm", "visit-dispute")
    },
    # Money: finance officers; surplus decisions also care managers.
    "api:purse-budget-payment": {"POST": only(FIN)},
    "api:purse-budget-contribution": {"POST": only(FIN)},
    "api:purse-surplus-own": {"GET": SIGNED_IN},
    "api:purse-surplus-list": {"GET": only(CM, FIN)},
    "api:purse-surplus-notice": {"GET": SIGNED_IN},
    "api:purse-surplus-reconsideration": {"POST": SIGNED_IN},
    "api:purse-surplus-decision": {"POST": only(CM, FIN)},
    "api:purse-surplus-reverse": {"POST": only(FIN)},
    "api:purse-payout-list": {"GET": only(FIN)},
    "api:purse-payout": {"GET": only(FIN)},
    "api:purse-payout-return": {"POST": only(FIN)},
    "api:purse-payment-file-list": {"GET": only(FIN)},
    "api:purse-payment-file-csv": {"GET": only(FIN)},
    "api:purse-payment-file-paid": {"POST": only(FIN)},
    "api:purse-reconciliation-exception-list": {"GET": only(FIN)},
    "api:purse-reconciliation-exception-resolve": {"POST": only(FIN)},
    **{
        f"api:purse-{name}": {"GET": SIGNED_IN}
        for name in (
            "my-statement",
            "my-statement-csv",
            "my-statement-pdf",
            "statement",
            "statement-csv",
            "statement-pdf",
        )
    },
    # Budget rules: care managers read them; administrators write them.
    "api:rules-version-list": {"GET": only(CM, ADM), "POST": only(ADM)},
    "api:rules-version": {"GET": only(CM, ADM), "PATCH": only(ADM)},
    "api:rules-version-publish": {"POST": only(ADM)},
    "api:rules-version-preview": {"GET": only(ADM)},
    "api:rules-answer": {"PATCH": only(ADM)},
    "api:rules-adjustment": {"PATCH": only(ADM)},
    "api:rules-bands": {"PUT": only(ADM)},
}

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
REFUSED = {401, 403, 405}


def _methods(route: Route, cell: dict[str, frozenset[str]] | str) -> tuple[str, ...]:
    """The methods to try: all five on the API, GET and POST on pages (which answer
    nothing else), and whatever the matrix names."""
    tried = METHODS if route.path.startswith("/api/") else ("GET", "POST")
    named = tuple(cell) if isinstance(cell, dict) else ()
    return tuple(dict.fromkeys((*tried, *named)))


def _reached(response) -> bool:  # type: ignore[no-untyped-def]
    to_sign_in = response.status_code == 302 and "/account/sign-in/" in response.get("Location", "")
    return not to_sign_in and response.status_code not in REFUSED


def test_every_route_is_in_the_matrix_and_every_entry_is_a_route():
    names = [route.name for route in tenant_routes()]
    assert sorted(set(names) - set(MATRIX)) == [], "add these routes to the matrix"
    assert sorted(set(MATRIX) - set(names)) == [], "these entries name no route"
    assert len(names) == len(set(names))


def _clients(tenant) -> dict[str, Client]:  # type: ignore[no-untyped-def]
    clients: dict[str, Client] = {ANONYMOUS: host_client(tenant.host)}
    with tenant_context(tenant.tenant):
        for role in ROLES:
            clients[role] = signed_in_client(tenant, b.staff(f"Matrix {role}", role))
    return clients


def _disagreements(clients: dict[str, Client], routes: list[Route]) -> list[str]:
    wrong: list[str] = []
    for route in routes:
        cell = MATRIX[route.name]
        for method in _methods(route, cell):
            allowed = cell.get(method, frozenset()) if isinstance(cell, dict) else frozenset()
            for who, client in clients.items():
                if route.name == "accounts:logout" and method == "POST":
                    continue  # tested below: it would end the session the other checks use
                response = getattr(client, method.lower())(route.path)
                if cell == ELSEWHERE:
                    ok = response.status_code == 404
                else:
                    ok = _reached(response) == (who in allowed)
                if not ok:
                    wrong.append(
                        f"{route.name} {method} {route.path} as {who}: {response.status_code}"
                    )
    return wrong


def test_each_role_reaches_exactly_the_routes_meant_for_it(tenant_a):
    routes = tenant_routes()
    wrong = _disagreements(_clients(tenant_a), routes)
    assert wrong == [], f"{len(wrong)} cells disagree with the matrix:\n" + "\n".join(wrong)
    assert len(routes) > 150  # the walk found the whole URLconf


def test_signing_out_is_open_to_everyone_and_ends_the_session(tenant_a):
    client = signed_in_client(tenant_a, tenant_a.person)
    assert client.get("/workspace/").status_code == 200
    response = client.post("/account/sign-out/")
    assert response.status_code == 302
    assert client.get("/workspace/").status_code == 302  # to sign in
    assert host_client(tenant_a.host).post("/account/sign-out/").status_code == 302


def test_the_check_catches_a_role_let_in_where_it_should_not_be(tenant_a, monkeypatch):
    # Care managers given finance's permission by mistake: every route that only
    # finance officers may use (pages and API) must show up as a disagreement, for care
    # managers and no one else.
    from accounts import permissions

    real = permissions.user_permissions

    def leaky(user):  # type: ignore[no-untyped-def]
        codes = real(user)
        return codes | {permissions.FINANCE_MANAGE} if permissions.PLANS_MANAGE in codes else codes

    monkeypatch.setattr(permissions, "user_permissions", leaky)
    finance_only = {
        name
        for name, cell in MATRIX.items()
        if isinstance(cell, dict) and any(roles == only(FIN) for roles in cell.values())
    }
    routes = [r for r in tenant_routes() if r.name in finance_only]

    wrong = _disagreements(_clients(tenant_a), routes)

    assert {line.split(" ")[0] for line in wrong} == finance_only
    assert {line.split(" as ")[1].split(":")[0] for line in wrong} == {CM}
    assert len(finance_only) > 20
