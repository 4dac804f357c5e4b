"""Idempotency for money-moving POSTs (BRIEF §3.4, the semantics Stripe uses).

The caller sends an `Idempotency-Key` header. The first request with a key runs; its
answer is stored with the key, in the same database transaction as the money it moved,
so either both are kept or neither is. Then:

- the same key and the same request again: the stored answer, replayed (with
  `Idempotent-Replayed: true`); no money moves;
- the same key with a different request: 422;
- the same key while the first is still running: the retry waits for it (up to
  IDEMPOTENCY_WAIT_SECONDS) and then gets its answer, or 409 if it is still running.

Answers of 500 and above are not stored (nothing was done; the caller may retry).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from .errors import DomainError, ValidationFailed
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
LOCK_NOT_AVAILABLE = "55P03"

# For @extend_schema(parameters=...) on every idempotent operation.
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        "A unique key you choose for this request (a UUID is best). Send the same key to "
        "retry safely: the first answer is replayed and no money moves twice. The same "
        "key with a different request gets 422; while the first is still running, 409."
    ),
)
IDEMPOTENCY_RESPONSES = {
    409: OpenApiResponse(description="A request with this Idempotency-Key is still running"),
    422: OpenApiResponse(description="This Idempotency-Key was used for a different request"),
}


class KeyInUse(DomainError):
    status = 409
    code = "idempotency_key_in_use"
    title = "This request is still being processed"


class KeyReused(DomainError):
    status = 422
    code = "idempotency_key_reused"
    title = "This Idempotency-Key was used for a different request"


def _fingerprint(request: Request) -> str:
    try:
        body: Any = json.loads(request.body or b"null")
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = request.body.decode(errors="replace")
    text = f"{request.method} {request.path}\n{canonical}"
    return hashlib.sha256(text.encode()).hexdigest()


def _key(request: Request) -> str:
    key = request.headers.get(HEADER, "").strip()
    if not key:
        raise ValidationFailed(
            f"Send an {HEADER} header with a unique value (a UUID), so this request can be "
            "retried safely without moving money twice.",
            field_errors={HEADER: ["Required"]},
        )
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(
            f"The {HEADER} is too long: use at most {MAX_KEY_LENGTH} characters.",
            field_errors={HEADER: [f"At most {MAX_KEY_LENGTH} characters"]},
        )
    return key


def _claim(*, user_id: Any, key: str, fingerprint: str) -> IdempotencyKey:
    """The key's row, locked for this request. A concurrent first request holds it
    until it commits; waiting longer than the setting allows means it is still running."""
    with connection.cursor() as cursor:
        wait_ms = int(float(settings.IDEMPOTENCY_WAIT_SECONDS) * 1000)
        cursor.execute(f"SET LOCAL lock_timeout = {wait_ms}")
        cursor.execute(
            """
            INSERT INTO core_idempotencykey (user_id, key, fingerprint, status, created_at)
            VALUES (%s, %s, %s, 'running', now())
            ON CONFLICT (user_id, key) DO NOTHING
            """,
            [user_id, key, fingerprint],
        )
    record = IdempotencyKey.objects.select_for_update().get(user_id=user_id, key=key)
    with connection.cursor() as cursor:
        # Only the wait for the key is bounded: the request itself may wait for locks
        # (a purse, a person) as long as the server's own settings allow.
        cursor.execute("SET LOCAL lock_timeout = DEFAULT")
    return record


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate a DRF view's `post` so it honours Idempotency-Key (see the module)."""

    @wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = _key(request)
        fingerprint = _fingerprint(request)
        # DRF has checked permissions before `post` runs: the caller is signed in.
        user_id = request.user.public_id  # type: ignore[union-attr]
        with transaction.atomic():
            record = _claimed(
                user_id=user_id,
                key=key,
                fingerprint=fingerprint,
                in_use=(
                    f"A request with this {HEADER} is still being processed. Wait a "
                    "moment, then send it again to get its answer."
                ),
                reused=(
                    f"This {HEADER} was already used for a different request. Use a new "
                    "key for a new request; to retry, send exactly the same request."
                ),
            )
            if record.status == IdempotencyKey.Status.DONE:
                replay = Response(
                    json.loads(record.response_body or "null"), status=record.response_status
                )
                replay["Idempotent-Replayed"] = "true"
                return replay
            response = handler(view, request, *args, **kwargs)
            if response.status_code >= 500:
                transaction.set_rollback(True)
                return response
            record.status = IdempotencyKey.Status.DONE
            record.response_status = response.status_code
            record.response_body = JSONRenderer().render(response.data).decode()
            record.save(update_fields=["status", "response_status", "response_body"])
            return response

    return wrapper


def _claimed(
    *, user_id: Any, key: str, fingerprint: str, in_use: str, reused: str
) -> IdempotencyKey:
    """_claim, with its refusals in the caller's words (inside its transaction)."""
    try:
        record = _claim(user_id=user_id, key=key, fingerprint=fingerprint)
    except OperationalError as error:
        if getattr(error.__cause__, "pgcode", None) == LOCK_NOT_AVAILABLE:
            raise KeyInUse(in_use) from None
        raise
    if record.fingerprint != fingerprint:
        raise KeyReused(reused)
    return record


def idempotent_once(*, user_id: Any, key: str, fingerprint: str, run: Callable[[], str]) -> str:
    """For pages: run `run` once for this user and key, and keep what it returns (say,
    the public id of the order it placed) with it, in the same database transaction.
    A second submission of the same form (a double click, a browser retry) returns the
    first one's answer without running again."""
    with transaction.atomic():
        record = _claimed(
            user_id=user_id,
            key=key,
            fingerprint=fingerprint,
            in_use="This is still being done. Wait a moment, then try again to see the answer.",
            reused="This form was already used for something else. Start again.",
        )
        if record.status == IdempotencyKey.Status.DONE:
            return record.response_body or ""
        answer = run()
        record.status = IdempotencyKey.Status.DONE
        record.response_status = 200
        record.response_body = answer
        record.save(update_fields=["status", "response_status", "response_body"])
        return answer


def idempotency_keys_purge(*, now: Any = None) -> int:
    """Forget keys older than IDEMPOTENCY_KEEP_DAYS (30 by default: a day at least for
    any request, 30 for payouts, so one period serves both). Returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=int(settings.IDEMPOTENCY_KEEP_DAYS))
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
