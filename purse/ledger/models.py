"""Accounts, transactions and entries of the double-entry ledger.

Money is integer pence. Entries are never changed or deleted, nor are transactions
(database triggers refuse it); every transaction's debits equal its credits (checked by
a deferred trigger when the database transaction commits). A hold is a pending
transaction; it is resolved at most once, by a capture (posted, for at most the held
amount) or a void, each a transaction of its own that points at it (a unique key).

Each account caches its balances, changed only in the same database transaction as the
entries they sum; a purse may never have less than nothing available, which the
database enforces with a CHECK constraint:
    available = credits_posted - debits_posted - debits_pending
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q


class Account(models.Model):
    class Kind(models.TextChoices):
        PURSE = "purse", "A person's purse"
        PAYABLE = "payable", "Owed to a provider"
        FUNDING = "funding", "Council funding"
        CONTRIBUTIONS = "contributions", "People's own contributions"
        CLEARING = "clearing", "Payments on their way to providers"
        PAID_OUT = "paid_out", "Paid to providers"
        RECOVERIES = "recoveries", "Surplus recovered"
        FEES = "fees", "Fees"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    # "purse:<person public id>", "payable:<provider id>", or the kind for the
    # tenant's one account of each other kind.
    code = models.CharField(max_length=80, unique=True)
    person = models.OneToOneField(
        "purse.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="purse"
    )
    provider_id = models.UUIDField(null=True, blank=True, unique=True)  # catalogue.Provider
    must_not_go_negative = models.BooleanField(default=False)
    debits_posted = models.BigIntegerField(default=0)
    credits_posted = models.BigIntegerField(default=0)
    debits_pending = models.BigIntegerField(default=0)
    credits_pending = models.BigIntegerField(default=0)
    version = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "ledger_account"
        constraints = [
            models.CheckConstraint(
                condition=Q(must_not_go_negative=False)
                | Q(credits_posted__gte=models.F("debits_posted") + models.F("debits_pending")),
                name="ledger_account_not_negative",
                violation_error_message="There is not enough money in this purse",
            ),
            models.CheckConstraint(
                condition=Q(debits_posted__gte=0)
                & Q(credits_posted__gte=0)
                & Q(debits_pending__gte=0)
                & Q(credits_pending__gte=0),
                name="ledger_account_sums_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(kind="purse", person__isnull=False)
                | Q(kind="payable", provider_id__isnull=False)
                | (~Q(kind__in=["purse", "payable"]) & Q(person__isnull=True)),
                name="ledger_account_owner_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def available_pence(self) -> int:
        return self.credits_posted - self.debits_posted - self.debits_pending


class LedgerTransaction(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Held"
        POSTED = "posted", "Posted"
        VOIDED = "voided", "Released"

    class Kind(models.TextChoices):
        TOPUP = "topup", "Top-up"
        CONTRIBUTION = "contribution", "The person's own contribution"
        ONE_OFF = "one_off", "One-off payment"
        HOLD = "hold", "Money held for an order"
        CAPTURE = "capture", "Paid for care delivered"
        RELEASE = "release", "Held money released"
        EXPIRY = "expiry", "Held money released (the hold expired)"
        PAYOUT = "payout", "Sent to the provider"
        SETTLEMENT = "settlement", "Reached the provider"
        RECOVERY = "recovery", "Surplus recovered"
        REVERSAL = "reversal", "Reversed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    # The hold this capture or void resolves: unique (below), so a hold resolves at
    # most once.
    resolves = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resolution",
        db_index=False,
    )
    # The transaction this one reverses: unique, so nothing is reversed twice.
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversal"
    )
    # A business key (e.g. "topup:<budget>:<cycle start>") so a run or a retried
    # request can never post the same money twice. Byte order ("C"), so one index
    # serves both equality and prefix lookups ("topup:<budget>:"); NULL, not "", for
    # none, so keyless rows stay out of that (partial, unique) index.
    key = models.CharField(  # noqa: DJ001
        max_length=200, null=True, blank=True, db_collation="C"
    )
    memo = models.CharField(max_length=300, blank=True)
    # Who moved the money: the public id of a user of this council, or of a provider's
    # or the platform's user (whose accounts live in the public schema), or nobody (a
    # scheduled run). The audit entry for the transaction says the same.
    actor_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "ledger_transaction"
        # Partial: most transactions have no key and resolve nothing, and an index entry
        # for each of their NULLs would cost every write and serve nothing.
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(key__isnull=False), name="ledger_transaction_key_once"
            ),
            models.UniqueConstraint(
                fields=["resolves"],
                condition=Q(resolves__isnull=False),
                name="ledger_transaction_resolves_once",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", resolves__isnull=True)
                | Q(status="posted")
                | Q(status="voided", resolves__isnull=False),
                name="ledger_transaction_resolution_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}"


class Entry(models.Model):
    class Side(models.TextChoices):
        DEBIT = "D", "Debit"
        CREDIT = "C", "Credit"

    # References checked by the ledger's statement-level trigger, once per statement,
    # not by a foreign key's check per row at commit (a top-up run writes tens of
    # thousands of entries at once); neither transactions nor accounts can be deleted
    # or renumbered (migration 0010), so a reference once valid stays valid.
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries", db_constraint=False
    )
    # Indexed by (account, transaction) below.
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="entries",
        db_constraint=False,
        db_index=False,
    )
    side = models.CharField(max_length=1, choices=Side.choices)
    amount_pence = models.BigIntegerField()

    class Meta:
        db_table = "ledger_entry"
        constraints = [
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="ledger_entry_positive")
        ]
        indexes = [models.Index(fields=["account", "transaction"])]

    def __str__(self) -> str:
        return f"{self.side} {self.amount_pence}p {self.account_id}"
