"""Users and roles. This app is in both SHARED_APPS and TENANT_APPS: the public schema
holds platform operators and provider staff, each tenant schema holds that council's
or NHS body's own users. A user exists in exactly one schema and can sign in only on
that schema's host."""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Role(models.Model):
    """A named set of permissions. Roles are data, seeded per schema by migration."""

    class Scope(models.TextChoices):
        TENANT = "tenant", "Council or NHS body"
        PUBLIC = "public", "Platform"

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    scope = models.CharField(max_length=10, choices=Scope.choices)
    permissions = ArrayField(models.CharField(max_length=100), default=list, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    """Django needs a manager with these names; accounts.services.user_create is the
    way the platform creates users."""

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    full_name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    roles = models.ManyToManyField(Role, related_name="users", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci")]

    def __str__(self) -> str:
        return self.email


class ApiToken(models.Model):
    """A bearer token for API clients. Only a SHA-256 digest is stored, so a copy of
    the database does not give anyone a working token."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token for {self.user_id} expiring {self.expires_at:%Y-%m-%d}"


class LoginThrottle(models.Model):
    """Failed sign-ins per email address (whether or not an account exists, so the
    lockout does not reveal which addresses have accounts) and per client address.
    The key is "email:<keyed hash>" or "ip:<address>"."""

    key = models.CharField(max_length=100, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.failures} failures"


class TotpDevice(models.Model):
    """A user's authenticator app (RFC 6238 time-based codes): the shared secret, when
    the user proved they had set it up, and the last time step used, so a code is
    accepted once."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)  # base32, as authenticator apps take it
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"authenticator of {self.user_id}"
