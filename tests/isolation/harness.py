"""The tenant-isolation harness.

It reads the OpenAPI schema that a tenant host serves and probes EVERY operation:

1. Across hosts: tenant A's token and A's session cookie, sent to tenant B's host (and
   to the platform host), must be refused: answered with 401, or exactly as a request
   with no credentials is answered.
2. Across objects: on A's own host, with a user holding every permission, each path
   id taken from B's schema must give 404, and no response may contain any of B's
   identifiers (UUIDs, email addresses).
3. After every probe, B's schema must be unchanged (except the ledgers that exist to
   record refused attempts: the audit log and sign-in throttles), and so must the
   public schema after A's credentials were refused on another host.
4. A refused credential must not make a response show more of B than no credential
   at all does.

A new endpoint is covered as soon as it is in the schema. An operation whose path id
cannot be matched to a model in B (its view has no `queryset`) is reported, unless it is
listed in UNPROBED with the reason.

Ids of the shared registry (providers, services, ... in the public schema) are not B's
secrets as such: B's rows refer to them, and A's answers may show them. What B approved
and A did not (a provider or service, with its places and pictures) is B's, though:
those ids count among B's identifiers, so a council host offering what only the other
council approved is caught. The few operations that show a council the registry to
decide on, whatever it approved, are listed in REGISTRY_LISTS: in their answers only
the ids in B's own schema count. For a registry model, "B's object" is the first one
found from B's schema; the probe data (tests/isolation/conftest.py) makes that one B
approved and A did not. An operation whose path id names a registry object that any
council may act on is listed in SHARED_IDS: its object probe is skipped (A acting on it
is allowed, and would change what later probes see), every other probe still runs.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve
from django_tenants.utils import schema_context

from accounts.services import api_token_issue
from catalogue.council.models import Approval, ProviderApproval, ServiceApproval
from catalogue.models import Location, Service, ServiceImage
from core.services import SYSTEM

# Operations that cannot be probed, with the reason. Keep it short and justified.
UNPROBED: dict[tuple[str, str], str] = {}

# Operations whose path id names a shared-registry object that any council may act on,
# with the reason; only their object probe (the 404 on A's host) is skipped.
SHARED_IDS: dict[tuple[str, str], str] = {
    ("PUT", "/api/catalogue/approvals/providers/{id}/"): (
        "each council approves providers of the shared registry; the decision is written "
        "to the council's own schema (tests/catalogue/test_api_council.py)"
    ),
    ("PUT", "/api/catalogue/approvals/services/{id}/"): (
        "each council approves services of the shared registry; the decision is written "
        "to the council's own schema (tests/catalogue/test_api_council.py)"
    ),
}

# Operations that show a council the registry it chooses from, whatever it approved
# (so also what only B approved), with the reason. B's schema's own ids still count.
REGISTRY_LISTS: dict[tuple[str, str], str] = {
    ("GET", "/api/catalogue/approvals/providers/"): (
        "lists every provider the platform approved, for the council to decide on; "
        "another council's decisions are not shown (tests/catalogue/test_api_council.py)"
    ),
    ("GET", "/api/catalogue/approvals/services/"): (
        "lists every published service of those providers, for the council to decide on; "
        "another council's decisions are not shown (tests/catalogue/test_api_council.py)"
    ),
}

# Tables whose purpose is to record refused attempts: they may grow in B when A is refused.
REFUSAL_LEDGERS = {"core_auditentry", "accounts_loginthrottle"}

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]
    anonymous_allowed: bool

    @property
    def name(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{([^}]+)}", self.path)


@dataclass
class Tenant:
    """What the harness needs to know about one tenant."""

    slug: str
    host: str


@dataclass
class Report:
    probed: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def fail(self, operation: Operation, message: str) -> None:
        self.violations.append(f"{operation.name}: {message}")


def operations(client: Client) -> tuple[list[Operation], dict[str, Any]]:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, response.content
    spec = json.loads(response.content)
    found = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                security = item[method].get("security", spec.get("security", []))
                found.append(
                    Operation(method, path, item[method], anonymous_allowed={} in security)
                )
    return found, spec


def schema_fingerprint(schema: str) -> dict[str, str]:
    """An md5 of every row of every table in `schema` (refusal ledgers excepted)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [schema]
        )
        tables = [row[0] for row in cursor.fetchall() if row[0] not in REFUSAL_LEDGERS]
        prints = {}
        for table in tables:
            cursor.execute(
                f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "  # noqa: S608
                f'FROM "{schema}"."{table}" t'
            )
            prints[table] = cursor.fetchone()[0]
    return prints


def identifiers(schema: str) -> set[str]:
    """Every UUID and email address stored in `schema`: none may reach another tenant."""
    found: set[str] = set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND (data_type = 'uuid' OR column_name LIKE '%%email%%')",
            [schema],
        )
        for table, column in cursor.fetchall():
            cursor.execute(
                f'SELECT DISTINCT "{column}"::text FROM "{schema}"."{table}" '  # noqa: S608
                f'WHERE "{column}" IS NOT NULL'
            )
            found.update(row[0] for row in cursor.fetchall())
    return found


def registry_approved(schema: str) -> set[str]:
    """Ids of the registry objects a council offers its people: the providers and
    services it approved, their places and their pictures. Read from its approvals, not
    through the selectors, so a bug there cannot hide itself from the harness."""
    with schema_context(schema):
        providers = set(
            ProviderApproval.objects.filter(status=Approval.APPROVED).values_list(
                "provider_id", flat=True
            )
        )
        services = set(
            ServiceApproval.objects.filter(status=Approval.APPROVED).values_list(
                "service_id", flat=True
            )
        )
    ids: set[object] = providers | services
    ids |= set(Location.objects.filter(provider__in=providers).values_list("pk", flat=True))
    ids |= set(
        Service.objects.filter(pk__in=services).values_list("service_at_location_id", flat=True)
    )
    ids |= set(ServiceImage.objects.filter(service__in=services).values_list("pk", flat=True))
    return {str(value) for value in ids}


def _sample_path(operation: Operation) -> str:
    """The path with a made-up value of the right type for each parameter."""
    integers = {
        param["name"]
        for param in operation.spec.get("parameters", [])
        if param.get("in") == "path" and param.get("schema", {}).get("type") == "integer"
    }
    return re.sub(
        r"{([^}]+)}",
        lambda match: "1" if match.group(1) in integers else str(uuid.uuid4()),
        operation.path,
    )


def path_value(operation: Operation, param: str, other: Tenant) -> str | None:
    """An id of an object in the other tenant's schema for `param`, via the view."""
    sample = _sample_path(operation)
    try:
        match = resolve(sample)
    except Resolver404:
        return None
    view = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    queryset = getattr(view, "queryset", None)
    if queryset is None:
        return None
    field_name = getattr(view, "lookup_field", "pk")
    with schema_context(other.slug):
        value = queryset.model._default_manager.values_list(field_name, flat=True).first()
    return None if value is None else str(value)


def example(schema: dict[str, Any], spec: dict[str, Any], uuids: list[str]) -> Any:
    """A minimal valid-looking value for an OpenAPI schema; UUIDs are the other tenant's."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return example(spec["components"]["schemas"][name], spec, uuids)
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in schema:
            return example(schema[combined][0], spec, uuids)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    if kind == "object":
        properties = schema.get("properties", {})
        return {
            name: example(properties[name], spec, uuids)
            for name in schema.get("required", [])
            if name in properties and not properties[name].get("readOnly")
        }
    if kind == "array":
        return [example(schema.get("items", {}), spec, uuids)]
    if kind in ("integer", "number"):
        return 1
    if kind == "boolean":
        return True
    return {
        "uuid": uuids[0] if uuids else str(uuid.uuid4()),
        "email": "probe@example.org",
        "date": "2026-01-05",
        "date-time": "2026-01-05T10:00:00Z",
    }.get(schema.get("format", ""), "probe")


def request_body(operation: Operation, spec: dict[str, Any], uuids: list[str]) -> Any:
    content = operation.spec.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    return example(content["application/json"].get("schema", {}), spec, uuids)


def send(client: Client, operation: Operation, path: str, body: Any, **headers: Any) -> Any:
    data = "" if body is None else json.dumps(body)
    # Money-moving operations declare the header they need, as a client reads them.
    if any(
        p.get("in") == "header" and p.get("name") == "Idempotency-Key"
        for p in operation.spec.get("parameters", [])
    ):
        headers.setdefault("HTTP_IDEMPOTENCY_KEY", str(uuid.uuid4()))
    return client.generic(
        operation.method.upper(), path, data, content_type="application/json", **headers
    )


def leaked(response: Any, secrets: Iterable[str]) -> list[str]:
    text = response.content.decode(errors="replace")
    return sorted(secret for secret in secrets if secret in text)


def probe(
    *,
    a: Tenant,
    b: Tenant,
    platform_host: str,
    probe_user: Any,
    session_key: str,
) -> Report:
    """Probe every operation of A's API as described in the module docstring."""
    report = Report()
    ops, spec = operations(Client(HTTP_HOST=a.host))
    registry = {value for value in identifiers("public") if "@" not in value}
    b_own = identifiers(b.slug) - registry
    b_uuids = sorted(value for value in b_own if "@" not in value)
    # What of the registry only B approved is B's too.
    b_identifiers = b_own | (registry_approved(b.slug) - registry_approved(a.slug))
    with schema_context(a.slug):
        a_token, _ = api_token_issue(user=probe_user, origin=SYSTEM)

    for operation in ops:
        if (operation.method.upper(), operation.path) in UNPROBED:
            continue
        report.probed.append(operation.name)
        values = {}
        for param in operation.path_params:
            value = path_value(operation, param, b)
            if value is None:
                report.fail(
                    operation,
                    f"cannot find an object of tenant B for {{{param}}}: give the view a "
                    "`queryset` (and `lookup_field`), or list it in UNPROBED with the reason",
                )
                break
            values[param] = value
        else:
            path = operation.path.format(**values)
            body = request_body(operation, spec, b_uuids)
            _across_hosts(
                report,
                operation,
                path,
                body,
                a_token,
                session_key,
                b,
                platform_host,
                b_identifiers,
            )
            if (operation.method.upper(), operation.path) not in SHARED_IDS:
                secrets = (
                    b_own
                    if (operation.method.upper(), operation.path) in REGISTRY_LISTS
                    else b_identifiers
                )
                _across_objects(report, operation, path, body, probe_user, a, b, secrets)
    return report


def _across_hosts(
    report: Report,
    operation: Operation,
    path: str,
    body: Any,
    a_token: str,
    session_key: str,
    b: Tenant,
    platform_host: str,
    b_identifiers: set[str],
) -> None:
    for host in (b.host, platform_host):
        before = (schema_fingerprint(b.slug), schema_fingerprint("public"))
        anonymous = send(Client(HTTP_HOST=host), operation, path, body)
        with_token = send(
            Client(HTTP_HOST=host), operation, path, body, HTTP_AUTHORIZATION=f"Token {a_token}"
        )
        session_client = Client(HTTP_HOST=host)
        session_client.cookies[settings.SESSION_COOKIE_NAME] = session_key
        with_session = send(session_client, operation, path, body)
        for what, response in (("token", with_token), ("session", with_session)):
            # Refused means: answered as if there were no credentials, or 401. Anything
            # else (even a 403) means the credential was recognised on that host.
            if response.status_code not in (anonymous.status_code, 401):
                report.fail(
                    operation,
                    f"A's {what} on {host} got {response.status_code}, "
                    f"but no credentials get {anonymous.status_code}: A's {what} was accepted",
                )
            if extra := set(leaked(response, b_identifiers)) - set(
                leaked(anonymous, b_identifiers)
            ):
                report.fail(operation, f"A's {what} on {host} revealed B's {sorted(extra)}")
        if not operation.anonymous_allowed and anonymous.status_code < 400:
            report.fail(operation, f"answers {anonymous.status_code} without credentials")
        after = (schema_fingerprint(b.slug), schema_fingerprint("public"))
        if after[0] != before[0]:
            report.fail(operation, f"calls on {host} with A's credentials changed B's data")
        if after[1] != before[1]:
            report.fail(operation, f"calls on {host} with A's credentials changed public data")


def _across_objects(
    report: Report,
    operation: Operation,
    path: str,
    body: Any,
    probe_user: Any,
    a: Tenant,
    b: Tenant,
    b_identifiers: set[str],
) -> None:
    with schema_context(a.slug):
        token, _ = api_token_issue(user=probe_user, origin=SYSTEM)  # fresh: DELETEs may revoke
    before = schema_fingerprint(b.slug)
    response = send(
        Client(HTTP_HOST=a.host), operation, path, body, HTTP_AUTHORIZATION=f"Token {token}"
    )
    if operation.path_params and response.status_code != 404:
        report.fail(
            operation,
            f"with tenant B's id on A's host got {response.status_code}, expected 404",
        )
    if response.status_code >= 500:
        report.fail(operation, f"server error {response.status_code} on A's host")
    if secrets := leaked(response, b_identifiers):
        report.fail(operation, f"A's response contains B's identifiers {secrets}")
    if schema_fingerprint(b.slug) != before:
        report.fail(operation, "a call on A's host changed B's data")
