"""A local HTTP server that speaks PayPal's documented REST protocol for payouts, so
the client and the payout services are tested against real HTTP:

    POST /v1/oauth2/token                          Basic client:secret -> bearer token
    POST /v1/payments/payouts                      201 with batch_header; a sender_batch_id
                                                   seen before -> 400 with a link to the first
    GET  /v1/payments/payouts/{id}                 batch_header and items with statuses
    POST /v1/notifications/verify-webhook-signature  SUCCESS only for what it signed

Failures are scripted: `fail_next` answers the next requests to a path with an HTTP
status, `hang_next` keeps the next ones waiting (after recording the payout, as when
PayPal pays and the answer is lost), and `item_status` moves a payout's item along.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CLIENT_ID = "epurse-test-client"
CLIENT_SECRET = "epurse-test-secret"
WEBHOOK_ID = "WH-EPURSE-TEST"


@dataclass
class Batch:
    payout_batch_id: str
    sender_batch_id: str
    items: list[dict[str, Any]]
    batch_status: str = "PENDING"


@dataclass
class PayPalServer:
    initial_status: str = "PENDING"
    batches: dict[str, Batch] = field(default_factory=dict)
    by_sender_id: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    tokens_issued: int = 0
    _failures: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    _hangs: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    _tokens: set[str] = field(default_factory=set)
    _signed: dict[str, str] = field(default_factory=dict)  # transmission id -> signature
    _events: dict[str, dict[str, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _secret: bytes = field(default_factory=lambda: uuid.uuid4().bytes)

    # --- scripting ----------------------------------------------------------------

    def fail_next(self, path: str, *statuses: int) -> None:
        self._failures[path].extend(statuses)

    def hang_next(self, path: str, seconds: float, *, after: int = 0) -> None:
        """Keep the request waiting `seconds`, after `after` requests that do not wait."""
        self._hangs[path].extend([0.0] * after + [seconds])

    def item_status(self, sender_batch_id: str, status: str) -> None:
        batch = self.batches[self.by_sender_id[sender_batch_id]]
        for item in batch.items:
            item["transaction_status"] = status
        batch.batch_status = "SUCCESS" if status == "SUCCESS" else "PROCESSING"

    def tokens_forget(self) -> None:
        """As when PayPal's tokens expire: every token is refused from now on."""
        self._tokens.clear()

    def payouts_to(self, receiver: str) -> list[dict[str, Any]]:
        return [i for b in self.batches.values() for i in b.items if i["receiver"] == receiver]

    def posts(self, path: str) -> int:
        return sum(1 for method, p in self.requests if method == "POST" and p == path)

    # --- webhooks -----------------------------------------------------------------

    def webhook(self, event_type: str, sender_batch_id: str) -> tuple[dict[str, str], bytes]:
        """A signed notification about a batch's item, as PayPal would send it."""
        batch = self.batches[self.by_sender_id[sender_batch_id]]
        item = batch.items[0]
        event = {
            "id": f"WH-{uuid.uuid4().hex[:17].upper()}",
            "event_version": "1.0",
            "create_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "resource_type": "payouts_item",
            "event_type": event_type,
            "summary": f"A payout item has {event_type.rsplit('.', 1)[-1].lower()}",
            "resource": {
                "payout_item_id": item["payout_item_id"],
                "transaction_status": item["transaction_status"],
                "payout_batch_id": batch.payout_batch_id,
                "payout_item": {
                    "sender_item_id": item["sender_item_id"],
                    "receiver": item["receiver"],
                    "amount": item["amount"],
                },
            },
        }
        return self.sign(event)

    def sign(self, event: dict[str, Any]) -> tuple[dict[str, str], bytes]:
        body = json.dumps(event).encode()
        transmission_id = str(uuid.uuid4())
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        message = f"{transmission_id}|{when}|{WEBHOOK_ID}|{hashlib.sha256(body).hexdigest()}"
        signature = base64.b64encode(
            hmac.new(self._secret, message.encode(), hashlib.sha256).digest()
        ).decode()
        with self._lock:
            self._signed[transmission_id] = signature
            self._events[transmission_id] = event
        headers = {
            "PAYPAL-AUTH-ALGO": "SHA256withRSA",
            "PAYPAL-CERT-URL": f"{self.url}/v1/notifications/certs/CERT-1",
            "PAYPAL-TRANSMISSION-ID": transmission_id,
            "PAYPAL-TRANSMISSION-SIG": signature,
            "PAYPAL-TRANSMISSION-TIME": when,
        }
        return headers, body

    # --- serving ------------------------------------------------------------------

    url: str = ""

    def handle(self, method: str, path: str, headers: Any, raw: bytes) -> tuple[int, Any]:
        with self._lock:
            self.requests.append((method, path))
            failures = self._failures.get(path)
            failure = failures.pop(0) if failures else None
            hangs = self._hangs.get(path)
            hang = hangs.pop(0) if hangs else None
        if failure is not None:
            return failure, {"name": "INTERNAL_SERVICE_ERROR", "message": "Scripted failure"}
        if path == "/v1/oauth2/token":
            return self._token(headers, raw)
        token = (headers.get("Authorization") or "").removeprefix("Bearer ")
        if token not in self._tokens:
            return 401, {"error": "invalid_token", "error_description": "Token expired"}
        if method == "POST" and path == "/v1/payments/payouts":
            status, body = self._payout_create(json.loads(raw or b"{}"))
            if hang:
                time.sleep(hang)  # the payout is made; the answer is late
            return status, body
        if method == "GET" and path.startswith("/v1/payments/payouts/"):
            batch = self.batches.get(path.rsplit("/", 1)[-1])
            if batch is None:
                return 404, {"name": "INVALID_RESOURCE_ID", "message": "No such payout"}
            return 200, self._batch_body(batch)
        if method == "POST" and path == "/v1/notifications/verify-webhook-signature":
            return 200, {"verification_status": self._verify(json.loads(raw or b"{}"))}
        return 404, {"name": "NOT_FOUND"}

    def _token(self, headers: Any, raw: bytes) -> tuple[int, Any]:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if headers.get("Authorization") != f"Basic {expected}" or b"client_credentials" not in raw:
            return 401, {
                "error": "invalid_client",
                "error_description": "Client Authentication failed",
            }
        token = f"A21AA{uuid.uuid4().hex}"
        with self._lock:
            self._tokens.add(token)
            self.tokens_issued += 1
        return 200, {
            "scope": "https://uri.paypal.com/payments/payouts",
            "access_token": token,
            "token_type": "Bearer",
            "app_id": "APP-EPURSE",
            "expires_in": 32400,
            "nonce": uuid.uuid4().hex,
        }

    def _payout_create(self, payload: dict[str, Any]) -> tuple[int, Any]:
        header = payload.get("sender_batch_header") or {}
        sender_batch_id = header.get("sender_batch_id")
        items = payload.get("items") or []
        if not sender_batch_id or not items:
            return 400, {"name": "VALIDATION_ERROR", "message": "Invalid request"}
        with self._lock:
            if sender_batch_id in self.by_sender_id:
                original = self.by_sender_id[sender_batch_id]
                return 400, {
                    "name": "USER_BUSINESS_ERROR",
                    "message": "User business error.",
                    "debug_id": uuid.uuid4().hex[:13],
                    "details": [
                        {
                            "field": "SENDER_BATCH_ID",
                            "location": "body",
                            "issue": f"Batch with given sender_batch_id already exists: "
                            f"{sender_batch_id}",
                        }
                    ],
                    "links": [
                        {
                            "href": f"{self.url}/v1/payments/payouts/{original}",
                            "rel": "self",
                            "method": "GET",
                        }
                    ],
                }
            batch_id = f"BATCH{next(self._ids):08d}"
            stored = []
            for item in items:
                receiver = item.get("receiver", "")
                status = "FAILED" if receiver.startswith("fails@") else self.initial_status
                stored.append(
                    {
                        "payout_item_id": f"ITEM{uuid.uuid4().hex[:12].upper()}",
                        "transaction_status": status,
                        "receiver": receiver,
                        "amount": item.get("amount"),
                        "sender_item_id": item.get("sender_item_id"),
                        "errors": {
                            "name": "RECEIVER_UNREGISTERED",
                            "message": "Receiver is unregistered",
                        }
                        if status == "FAILED"
                        else None,
                    }
                )
            batch = Batch(batch_id, sender_batch_id, stored)
            self.batches[batch_id] = batch
            self.by_sender_id[sender_batch_id] = batch_id
        return 201, {
            "batch_header": {
                "payout_batch_id": batch_id,
                "batch_status": "PENDING",
                "sender_batch_header": header,
            },
            "links": [
                {
                    "href": f"{self.url}/v1/payments/payouts/{batch_id}",
                    "rel": "self",
                    "method": "GET",
                }
            ],
        }

    def _batch_body(self, batch: Batch) -> dict[str, Any]:
        return {
            "batch_header": {
                "payout_batch_id": batch.payout_batch_id,
                "batch_status": batch.batch_status,
                "sender_batch_header": {"sender_batch_id": batch.sender_batch_id},
            },
            "items": [
                {
                    "payout_item_id": item["payout_item_id"],
                    "transaction_status": item["transaction_status"],
                    "payout_batch_id": batch.payout_batch_id,
                    "payout_item": {
                        "recipient_type": "EMAIL",
                        "amount": item["amount"],
                        "receiver": item["receiver"],
                        "sender_item_id": item["sender_item_id"],
                    },
                    **({"errors": item["errors"]} if item["errors"] else {}),
                }
                for item in batch.items
            ],
        }

    def _verify(self, body: dict[str, Any]) -> str:
        transmission_id = body.get("transmission_id", "")
        with self._lock:
            signature = self._signed.get(transmission_id)
            event = self._events.get(transmission_id)
        ok = (
            body.get("webhook_id") == WEBHOOK_ID
            and signature is not None
            and hmac.compare_digest(signature, body.get("transmission_sig", ""))
            and body.get("webhook_event") == event
        )
        return "SUCCESS" if ok else "FAILURE"


def serve(paypal: PayPalServer) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            status, body = paypal.handle(method, self.path.split("?")[0], self.headers, raw)
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting

        def do_POST(self) -> None:
            self._answer("POST")

        def do_GET(self) -> None:
            self._answer("GET")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    paypal.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
