"""PayPal's notifications about payouts, received on the platform's host.

A webhook is acted on only when PayPal confirms its signature; it is then stored once
by its event id (a duplicate is answered 200 and does nothing more) and acted on by
asking PayPal for the batch's current state, so events that arrive late or out of
order cannot move a batch backwards or pay anything twice.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.errors import DomainError
from core.models import GatewayEvent
from tenants.models import Tenant

from . import paypal
from .gateways import GatewayUnavailable
from .models import PayoutBatch
from .services import payout_seen

logger = logging.getLogger(__name__)


RETRY = "Not acted on yet:"


class SignatureRefused(DomainError):
    code = "signature_refused"
    title = "Signature not valid"


class GatewayNotAnswering(Exception):
    """PayPal could not be asked about the signature: PayPal will send it again."""


# PAYMENT.PAYOUTSBATCH.* and PAYMENT.PAYOUTS-ITEM.*
PAYOUT_EVENTS = ("PAYMENT.PAYOUTSBATCH.", "PAYMENT.PAYOUTS-ITEM.")
PAYPAL_CERT_HOSTS = frozenset(
    {"api.paypal.com", "api-m.paypal.com", "api.sandbox.paypal.com", "api-m.sandbox.paypal.com"}
)


def _cert_url_ours(url: str) -> bool:
    """PayPal signs with a certificate on its own API host (or on the API host we are
    configured with, e.g. a local PayPal-protocol server)."""
    parts = urllib.parse.urlsplit(url)
    configured = urllib.parse.urlsplit(settings.PAYPAL_API_URL)
    if parts.hostname in PAYPAL_CERT_HOSTS:
        return parts.scheme == "https"
    return (parts.scheme, parts.netloc) == (configured.scheme, configured.netloc)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _batch_key(event: dict[str, Any]) -> str:
    resource = _dict(event.get("resource"))
    item = _dict(resource.get("payout_item"))
    if item.get("sender_item_id"):
        return str(item["sender_item_id"])
    header = _dict(_dict(resource.get("batch_header")).get("sender_batch_header"))
    return str(header.get("sender_batch_id") or "")


def _gateway_batch_id(event: dict[str, Any]) -> str:
    resource = _dict(event.get("resource"))
    found = resource.get("payout_batch_id") or _dict(resource.get("batch_header")).get(
        "payout_batch_id"
    )
    return str(found or "")


def paypal_webhook_receive(*, headers: dict[str, str], body: bytes) -> tuple[GatewayEvent, bool]:
    """Verify, store once and act on one webhook. Returns the event and whether it was
    new. Raises SignatureRefused (nothing is written) or GatewayNotAnswering."""
    try:
        event = json.loads(body)
    except ValueError:
        raise SignatureRefused("The notification is not JSON") from None
    if not isinstance(event, dict) or not event.get("id"):
        raise SignatureRefused("The notification has no event id")
    if not str(event.get("event_type", "")).startswith(PAYOUT_EVENTS):
        raise SignatureRefused("This endpoint takes only PayPal's payout notifications")
    # Checked here before PayPal is asked, so junk costs us no call to PayPal.
    if not _cert_url_ours(headers.get(paypal.WEBHOOK_HEADERS["cert_url"], "")):
        raise SignatureRefused("The notification's certificate is not PayPal's")
    try:
        verified = paypal.client().webhook_verify(headers=headers, event=event)
    except paypal.PayPalUnavailable as error:
        raise GatewayNotAnswering(str(error)) from error
    except paypal.PayPalRefused:
        verified = False
    if not verified:
        raise SignatureRefused("PayPal did not confirm this notification's signature")
    key = _batch_key(event)
    try:
        with transaction.atomic():
            stored = GatewayEvent.objects.create(
                gateway="paypal",
                event_id=str(event["id"])[:120],
                event_type=str(event.get("event_type", ""))[:80],
                body=event,
                schema_name=key.split(".", 1)[0] if "." in key else "",
            )
    except IntegrityError:
        return GatewayEvent.objects.get(gateway="paypal", event_id=str(event["id"])[:120]), False
    gateway_event_process(event=stored)
    return stored, True


def gateway_event_process(*, event: GatewayEvent) -> bool:
    """Act on a stored event (again, if need be): refresh the batch it is about. True
    once it has been acted on."""
    key = _batch_key(event.body)
    tenant = Tenant.objects.filter(schema_name=event.schema_name).first() if key else None
    error = ""
    if tenant is None:
        error = "The notification is not about one of our payout batches"
    else:
        with tenant_context(tenant):
            batch = PayoutBatch.objects.filter(key=key).first()
            if batch is None:
                error = f"No payout batch {key}"
            else:
                try:
                    # Not waiting for a batch that is being sent right now: the event is
                    # acted on by the hourly retry instead.
                    payout_seen(batch=batch, gateway_batch_id=_gateway_batch_id(event.body))
                except GatewayUnavailable as failure:
                    error = f"{RETRY} PayPal could not be asked: {failure}"
                except DatabaseError:
                    error = f"{RETRY} The batch was being sent at the time"
    retry = error.startswith(RETRY)
    GatewayEvent.objects.filter(pk=event.pk).update(
        attempts=event.attempts + 1,
        last_error=error,
        processed_at=None if retry else timezone.now(),
    )
    if error:
        logger.warning("Gateway event %s: %s", event.event_id, error)
    return not retry


def gateway_events_retry() -> int:
    """Act on events that could not be acted on when they came (public schema)."""
    done = 0
    for event in GatewayEvent.objects.filter(processed_at__isnull=True).order_by("pk")[:500]:
        done += gateway_event_process(event=event)
    return done
