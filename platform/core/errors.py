"""The one error type services raise. Views map it to HTTP once (core.api.errors for
the API, forms for pages, CommandError for the command line)."""

from __future__ import annotations


class DomainError(Exception):
    """A request that cannot be done, with a message a person can act on."""

    status = 400
    code = "invalid_request"
    title = "The request could not be completed"

    def __init__(self, detail: str, *, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field_errors = field_errors or {}


class ValidationFailed(DomainError):
    status = 400
    code = "validation_error"
    title = "There is a problem with what was sent"


class InvalidCredentials(DomainError):
    status = 400
    code = "invalid_credentials"
    title = "Sign-in failed"


class AccountLocked(DomainError):
    status = 429
    code = "account_locked"
    title = "Too many failed sign-in attempts"
