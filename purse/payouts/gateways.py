"""How a council's money reaches providers: one interface, three adapters.

- sandbox: the demonstration; every payment is paid at once.
- paypal: PayPal Payouts, one PayPal batch per payout batch (sender_batch_id = our key).
- bacs: the batch goes into the day's payment file, which the council's finance system
  sends; it is paid when a finance officer confirms the file (services.payment_file_paid).

`send` must be safe to call again for the same batch after any failure: the key makes
it so. `GatewayUnavailable` means "try again later"; `PayoutRefused` means the payment
cannot be made as it stands (the money is owed again and the reason is shown).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from django.conf import settings

from catalogue.models import PayoutDetails

from . import paypal

State = Literal["sent", "paid", "returned"]


class GatewayUnavailable(Exception):
    pass


class PayoutRefused(Exception):
    pass


@dataclass(frozen=True)
class PayoutRequest:
    key: str
    amount_pence: int
    details: PayoutDetails | None
    council: str


@dataclass(frozen=True)
class GatewayState:
    state: State
    gateway_batch_id: str
    gateway_status: str
    reason: str = ""


class Gateway(Protocol):
    name: str

    def ready(self, details: PayoutDetails | None) -> str:
        """Why this provider cannot be paid this way ("" when it can)."""

    def send(self, request: PayoutRequest) -> GatewayState: ...

    def check(self, *, gateway_batch_id: str, key: str) -> GatewayState: ...


class SandboxGateway:
    name = "sandbox"

    def ready(self, details: PayoutDetails | None) -> str:
        return ""

    def send(self, request: PayoutRequest) -> GatewayState:
        return GatewayState("paid", f"SANDBOX-{request.key}", "SUCCESS")

    def check(self, *, gateway_batch_id: str, key: str) -> GatewayState:
        return GatewayState("paid", gateway_batch_id, "SUCCESS")


# PayPal's item statuses: SUCCESS is paid; these are not and will not be; the rest
# (PENDING, UNCLAIMED, ONHOLD, NEW) are still on their way.
PAYPAL_RETURNED = frozenset({"FAILED", "RETURNED", "BLOCKED", "REFUNDED", "REVERSED", "DENIED"})


class PayPalGateway:
    name = "paypal"

    def ready(self, details: PayoutDetails | None) -> str:
        if details is None or not details.paypal_email:
            return "The provider has not given the email address of its PayPal account."
        return ""

    def _state(self, payout: paypal.Payout, key: str) -> GatewayState:
        item = next((i for i in payout.items if i.sender_item_id == key), None)
        if payout.batch_status in ("DENIED", "CANCELED"):
            return GatewayState(
                "returned", payout.payout_batch_id, payout.batch_status, "PayPal denied the batch"
            )
        if item is None:
            return GatewayState("sent", payout.payout_batch_id, payout.batch_status)
        if item.transaction_status == "SUCCESS":
            return GatewayState("paid", payout.payout_batch_id, "SUCCESS")
        if item.transaction_status in PAYPAL_RETURNED:
            reason = item.errors or f"PayPal says {item.transaction_status.lower()}"
            return GatewayState("returned", payout.payout_batch_id, item.transaction_status, reason)
        return GatewayState("sent", payout.payout_batch_id, item.transaction_status)

    def send(self, request: PayoutRequest) -> GatewayState:
        if request.details is None or self.ready(request.details):
            raise PayoutRefused(self.ready(request.details))
        try:
            payout = paypal.client().payout_create(
                sender_batch_id=request.key,
                receiver=request.details.paypal_email,
                amount_pence=request.amount_pence,
                currency=settings.PAYOUT_CURRENCY,
                subject=f"A payment from {request.council}",
                note=f"Payment {request.key} from {request.council} for care delivered",
            )
        except paypal.PayPalUnavailable as error:
            raise GatewayUnavailable(str(error)) from error
        except paypal.PayPalRefused as error:
            raise PayoutRefused(str(error)) from error
        return self._state(payout, request.key)

    def check(self, *, gateway_batch_id: str, key: str) -> GatewayState:
        try:
            payout = paypal.client().payout_get(payout_batch_id=gateway_batch_id)
        except paypal.PayPalError as error:
            raise GatewayUnavailable(str(error)) from error
        return self._state(payout, key)


class BacsGateway:
    name = "bacs"

    def ready(self, details: PayoutDetails | None) -> str:
        if details is None or not (
            details.bank_account_name and details.bank_sort_code and details.bank_account_number
        ):
            return "The provider has not given its bank account's name, sort code and number."
        return ""

    def send(self, request: PayoutRequest) -> GatewayState:
        # The batch goes into today's payment file (services.payouts_send writes it).
        if reason := self.ready(request.details):
            raise PayoutRefused(reason)
        return GatewayState("sent", "", "IN_PAYMENT_FILE")

    def check(self, *, gateway_batch_id: str, key: str) -> GatewayState:
        # Only the finance officer's confirmation of the file settles a BACS payment.
        return GatewayState("sent", gateway_batch_id, "IN_PAYMENT_FILE")


GATEWAYS: dict[str, Gateway] = {
    g.name: g for g in (SandboxGateway(), PayPalGateway(), BacsGateway())
}


def gateway_for(name: str) -> Gateway:
    return GATEWAYS[name]
