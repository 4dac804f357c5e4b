"""The audit log: one append-only table per schema (public and every tenant)."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now


class AuditEntry(models.Model):
    """Who did what to which object, when (UTC), from where, and how it ended.

    Rows are never updated or deleted: a database trigger refuses it (see migration
    0002), so even a bug or a hand-typed SQL statement cannot rewrite history.
    """

    class Result(models.TextChoices):
        SUCCESS = "success"
        FAILURE = "failure"
        DENIED = "denied"

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(db_default=Now(), editable=False, db_index=True)
    actor_id = models.UUIDField(null=True, blank=True, help_text="public_id of the user")
    actor_label = models.CharField(max_length=254, blank=True)
    acting_for_id = models.UUIDField(null=True, blank=True)
    acting_for_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=100, blank=True)
    result = models.CharField(max_length=10, choices=Result.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.result}"


class IdempotencyKey(models.Model):
    """One money-moving request, by its caller's Idempotency-Key: what was asked (a
    fingerprint of method, path and body) and what was answered, so a retry gets the
    same answer and moves no money twice. Kept at least 24 hours (payouts 30 days)."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    # Keys are the caller's: two users may choose the same one.
    user_id = models.UUIDField()
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # The JSON as first sent, as text: jsonb would reorder its keys, and a replay must
    # be the same answer, byte for byte.
    response_body = models.TextField(blank=True, db_default="")
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "key"], name="core_idempotency_key_unique")
        ]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"


class GatewayEvent(models.Model):
    """A notification from a payment gateway (a PayPal webhook), in the public schema:
    stored once, by the gateway's event id, after its signature is verified and before
    it is acted on; acting on it is idempotent, so a duplicate changes nothing."""

    gateway = models.CharField(max_length=20)
    event_id = models.CharField(max_length=120)
    event_type = models.CharField(max_length=80)
    body = models.JSONField()
    schema_name = models.CharField(max_length=63, blank=True)  # the council it is about
    received_at = models.DateTimeField(db_default=Now())
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="core_gateway_event_once")
        ]
        indexes = [models.Index(fields=["processed_at"])]

    def __str__(self) -> str:
        return f"{self.gateway} {self.event_type} {self.event_id}"
