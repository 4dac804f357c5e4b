"""Every route of a council's host, with its path filled in, for the authorisation
matrix: new routes appear here by themselves, so none can be left out of it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Values for path parameters: ids that exist nowhere (a route that needs a real object
# answers 404 to those allowed to ask, and 403 or 404 to the rest).
FILL = {"uuid": str(uuid.UUID(int=0x5EED)), "int": "999999", "str": "nothing", "slug": "category"}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    path: str  # with its parameters filled in
    has_ids: bool


def _fill(pattern: str) -> tuple[str, bool]:
    has_ids = False

    def typed(match: re.Match[str]) -> str:
        nonlocal has_ids
        kind = match.group(1) or "str"
        has_ids = has_ids or kind in ("uuid", "int", "str")
        return FILL[kind]

    path = re.sub(r"<(?:(\w+):)?\w+>", typed, pattern)
    if path.startswith("^") or "(?P<" in path or "^" in path:
        has_ids = has_ids or "(?P<" in path
        path = re.sub(r"\(\?P<\w+>[^)]*\)", "nothing", path).replace("^", "")
        path = path.replace("/?$", "/").replace("$", "").replace(".*", "")
    return "/" + path, has_ids


def _walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}:{entry.name}"


def tenant_routes() -> list[Route]:
    routes = []
    for pattern, name in _walk(get_resolver("epurse.urls_tenant").url_patterns):
        path, has_ids = _fill(pattern)
        routes.append(Route(name=name, path=path, has_ids=has_ids))
    return routes
