"""A client for PayPal's REST API, as far as paying providers needs it (standard
library only):

    POST /v1/oauth2/token                          client credentials -> bearer token
    POST /v1/payments/payouts                      create a payout batch
    GET  /v1/payments/payouts/{payout_batch_id}    its status and its items' statuses
    POST /v1/notifications/verify-webhook-signature

PayPal pays a sender_batch_id once in 30 days: a second POST with the same one is
refused with a link to the first batch, which this client follows, so a retry after a
timeout or a crash finds the first batch instead of paying again.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any

from django.conf import settings

from core.money import pounds_decimal

logger = logging.getLogger(__name__)

# The headers PayPal signs a webhook with; verification sends them back to PayPal.
WEBHOOK_HEADERS = {
    "auth_algo": "PAYPAL-AUTH-ALGO",
    "cert_url": "PAYPAL-CERT-URL",
    "transmission_id": "PAYPAL-TRANSMISSION-ID",
    "transmission_sig": "PAYPAL-TRANSMISSION-SIG",
    "transmission_time": "PAYPAL-TRANSMISSION-TIME",
}


class PayPalError(Exception):
    """Any failure talking to PayPal."""


class PayPalUnavailable(PayPalError):
    """PayPal could not be reached, timed out or answered 5xx: safe to try again."""


class PayPalRefused(PayPalError):
    """PayPal refused the request (4xx): trying the same again would not help."""


@dataclass(frozen=True)
class PayoutItem:
    sender_item_id: str
    transaction_status: str
    errors: str


@dataclass(frozen=True)
class Payout:
    payout_batch_id: str
    batch_status: str
    items: tuple[PayoutItem, ...]


def _payout(body: dict[str, Any]) -> Payout:
    header = body.get("batch_header") or {}
    items = []
    for item in body.get("items") or []:
        errors = item.get("errors") or {}
        items.append(
            PayoutItem(
                sender_item_id=str((item.get("payout_item") or {}).get("sender_item_id", "")),
                transaction_status=str(item.get("transaction_status", "")),
                errors=str(errors.get("message") or errors.get("name") or ""),
            )
        )
    if not header.get("payout_batch_id"):
        raise PayPalUnavailable("PayPal's answer has no payout_batch_id")
    return Payout(
        payout_batch_id=str(header["payout_batch_id"]),
        batch_status=str(header.get("batch_status", "")),
        items=tuple(items),
    )


class PayPalClient:
    def __init__(
        self,
        *,
        base_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        webhook_id: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.base_url = (base_url or settings.PAYPAL_API_URL).rstrip("/")
        if urllib.parse.urlsplit(self.base_url).scheme not in ("http", "https"):
            raise PayPalRefused(f"PAYPAL_API_URL must be an http(s) URL, not {self.base_url!r}")
        self.client_id = client_id if client_id is not None else settings.PAYPAL_CLIENT_ID
        self.client_secret = (
            client_secret if client_secret is not None else settings.PAYPAL_CLIENT_SECRET
        )
        self.webhook_id = webhook_id if webhook_id is not None else settings.PAYPAL_WEBHOOK_ID
        self.timeout = timeout if timeout is not None else settings.PAYPAL_TIMEOUT_SECONDS
        self._token = ""
        self._token_until = 0.0
        self._lock = threading.Lock()

    # --- transport --------------------------------------------------------------

    def _send(
        self, method: str, path: str, *, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(  # noqa: S310 - the base URL is checked in __init__
            self.base_url + path, data=body, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except (urllib.error.URLError, TimeoutError, OSError, HTTPException) as error:
            raise PayPalUnavailable(f"PayPal could not be reached: {error}") from error
        # Server errors, timeouts, conflicts and rate limits say nothing about the
        # payment itself: try again later.
        if status >= 500 or status in (408, 409, 425, 429):
            raise PayPalUnavailable(f"PayPal answered {status}")
        try:
            parsed = json.loads(raw or b"{}")
        except ValueError as error:
            raise PayPalUnavailable(f"PayPal's answer ({status}) was not JSON") from error
        return status, parsed if isinstance(parsed, dict) else {}

    def _token_get(self) -> str:
        with self._lock:
            if self._token and time.monotonic() < self._token_until:
                return self._token
            # Credentials that are missing or refused are ours to fix, not a verdict on
            # any payment: the payment waits (and finance sees it listed).
            if not (self.client_id and self.client_secret):
                raise PayPalUnavailable("PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET are not set")
            basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            status, body = self._send(
                "POST",
                "/v1/oauth2/token",
                body=b"grant_type=client_credentials",
                headers={
                    "Authorization": f"Basic {basic}",
                    "Accept": "application/json",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            if status != 200 or not body.get("access_token"):
                raise PayPalUnavailable(f"PayPal refused our credentials ({status})")
            self._token = str(body["access_token"])
            # Renew a minute early so a token never runs out mid-request.
            self._token_until = time.monotonic() + max(int(body.get("expires_in", 0)) - 60, 0)
            return self._token

    def _api(
        self, method: str, path: str, payload: Any = None, *, request_id: str = ""
    ) -> tuple[int, dict[str, Any]]:
        for attempt in (1, 2):
            headers = {
                "Authorization": f"Bearer {self._token_get()}",
                "Accept": "application/json",
                "Content-Type": "application/json",
            }
            if request_id:
                headers["PayPal-Request-Id"] = request_id
            body = None if payload is None else json.dumps(payload).encode()
            status, answer = self._send(method, path, body=body, headers=headers)
            if status == 401 and attempt == 1:
                # The token expired early or was revoked: get a new one, once.
                with self._lock:
                    self._token = ""
                continue
            if status in (401, 403):
                raise PayPalUnavailable(f"PayPal did not let us in ({status})")
            return status, answer
        raise PayPalUnavailable("PayPal refused a fresh token")

    # --- payouts ------------------------------------------------------------------

    def payout_create(
        self,
        *,
        sender_batch_id: str,
        receiver: str,
        amount_pence: int,
        currency: str,
        subject: str,
        note: str,
    ) -> Payout:
        """Pay one receiver, or find the batch an earlier try with this
        sender_batch_id made."""
        payload = {
            "sender_batch_header": {
                "sender_batch_id": sender_batch_id,
                "recipient_type": "EMAIL",
                "email_subject": subject,
                "email_message": note,
            },
            "items": [
                {
                    "recipient_type": "EMAIL",
                    "amount": {"value": pounds_decimal(amount_pence), "currency": currency},
                    "receiver": receiver,
                    "sender_item_id": sender_batch_id,
                    "note": note,
                }
            ],
        }
        status, body = self._api(
            "POST", "/v1/payments/payouts", payload, request_id=sender_batch_id
        )
        if status in (200, 201):
            return _payout(body)
        if (original := self._original_batch(body)) is not None:
            logger.info("PayPal already has batch %s: following it", sender_batch_id)
            return self.payout_get(payout_batch_id=original)
        if body.get("name") == "USER_BUSINESS_ERROR" and "sender_batch_id" in json.dumps(body):
            # A duplicate without the link to the first: it may well have been paid.
            raise PayPalUnavailable(f"PayPal has batch {sender_batch_id} but did not link it")
        raise PayPalRefused(
            f"PayPal refused the payout ({status}): {body.get('message') or body.get('name', '')}"
        )

    @staticmethod
    def _original_batch(body: dict[str, Any]) -> str | None:
        """The payout_batch_id in the link PayPal sends with a duplicate-batch refusal."""
        for link in body.get("links") or []:
            href = str(link.get("href", ""))
            path = urllib.parse.urlsplit(href).path.rstrip("/")
            prefix = "/v1/payments/payouts/"
            if path.startswith(prefix) and "/" not in path[len(prefix) :]:
                return path[len(prefix) :] or None
        return None

    def payout_get(self, *, payout_batch_id: str) -> Payout:
        quoted = urllib.parse.quote(payout_batch_id, safe="")
        status, body = self._api("GET", f"/v1/payments/payouts/{quoted}")
        if status != 200:
            # We only ask about batches PayPal told us of: not finding one is PayPal's
            # hiccup, not an answer.
            raise PayPalUnavailable(f"PayPal did not find payout {payout_batch_id} ({status})")
        return _payout(body)

    # --- webhooks -----------------------------------------------------------------

    def webhook_verify(self, *, headers: dict[str, str], event: dict[str, Any]) -> bool:
        """Whether PayPal signed this webhook for our webhook id."""
        fields = {name: headers.get(header, "") for name, header in WEBHOOK_HEADERS.items()}
        if not all(fields.values()) or not self.webhook_id:
            return False
        status, body = self._api(
            "POST",
            "/v1/notifications/verify-webhook-signature",
            {**fields, "webhook_id": self.webhook_id, "webhook_event": event},
        )
        return status == 200 and body.get("verification_status") == "SUCCESS"


_client: PayPalClient | None = None
_client_lock = threading.Lock()


def client() -> PayPalClient:
    """One client per process, so its token is reused until it runs out."""
    global _client
    with _client_lock:
        settings_now = (settings.PAYPAL_API_URL, settings.PAYPAL_CLIENT_ID)
        if _client is None or (_client.base_url, _client.client_id) != (
            settings_now[0].rstrip("/"),
            settings_now[1],
        ):
            _client = PayPalClient()
        return _client
