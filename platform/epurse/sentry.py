"""Error reporting. On only when SENTRY_DSN is set.

Residents' personal data must never leave the platform in an error report: Sentry's
own PII collection is off, local variables are not captured, and `scrub_event` masks
credentials and personal fields wherever they appear. Every event is tagged with the
tenant schema that was active when it happened.
"""

from __future__ import annotations

import re
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

FILTERED = "[Filtered]"
# Field names that hold credentials or a person's details, matched case-insensitively.
PERSONAL_KEYS = [
    "email",
    "name",
    "full_name",
    "first_name",
    "last_name",
    "date_of_birth",
    "dob",
    "nhs_number",
    "address",
    "postcode",
    "phone",
    "telephone",
    "mobile",
    "token",
    "key",
    "idempotency_key",
]
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# NHS numbers: ten digits, often written 3-3-4.
_NHS_NUMBER = re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b")
# The token in an emailed set-password link.
_LINK_TOKEN = re.compile(r"(/set-password/[0-9a-f-]{36}/)[^/\s\"']+")


def _mask_text(value: str) -> str:
    value = _LINK_TOKEN.sub(rf"\1{FILTERED}", value)
    return _NHS_NUMBER.sub(FILTERED, _EMAIL.sub(FILTERED, value))


def _mask_strings(value: Any) -> Any:
    if isinstance(value, str):
        return _mask_text(value)
    if isinstance(value, list):
        return [_mask_strings(item) for item in value]
    if isinstance(value, dict):
        return {key: _mask_strings(item) for key, item in value.items()}
    return value


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """before_send: tag the tenant, drop request bodies and mask personal data."""
    from django.db import connection

    event.setdefault("tags", {})["tenant"] = getattr(connection, "schema_name", "unknown")
    request = event.get("request")
    if isinstance(request, dict):
        # Bodies of requests to a care platform are personal data by default.
        if request.get("data"):
            request["data"] = FILTERED
        request.pop("cookies", None)
        headers = request.get("headers") or {}
        for header in list(headers):
            if header.lower() in {"authorization", "cookie", "x-csrftoken", "idempotency-key"}:
                headers[header] = FILTERED
        for key in ("url", "query_string"):
            if request.get(key):
                request[key] = _mask_text(str(request[key]))
    event.pop("user", None)
    for key in ("message", "logentry", "exception", "breadcrumbs", "extra"):
        if key in event:
            event[key] = _mask_strings(event[key])
    return event


def sentry_init(*, dsn: str, environment: str, traces_sample_rate: float = 0.0) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        event_scrubber=EventScrubber(denylist=DEFAULT_DENYLIST + PERSONAL_KEYS, recursive=True),
        before_send=scrub_event,  # type: ignore[arg-type]
        traces_sample_rate=traces_sample_rate,
    )
