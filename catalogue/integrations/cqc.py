"""A client for the CQC public API (the "syndication" API), standard library only.

    GET {base}/locations/{locationId}
    GET {base}/providers/{providerId}
    GET {base}/changes/location?startTimestamp=...&endTimestamp=...&page=N&perPage=M
        -> {"total", "page", "perPage", "totalPages", "changes": ["1-101", ...], ...}

Every request carries the subscription key in `Ocp-Apim-Subscription-Key`. CQC allows a
client 600 requests a minute and answers 429 beyond that, so requests go through a
token bucket first; 429 (honouring Retry-After), 5xx, unreadable bodies and connection
errors are retried with exponential backoff, then reported as `CqcUnavailable`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.client import HTTPException
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

KEY_HEADER = "Ocp-Apim-Subscription-Key"
DEFAULT_BASE_URL = "https://api.service.cqc.org.uk/public/v1"
# CQC's documented per-client limit.
DEFAULT_RATE_PER_MINUTE = 600
CHANGES_PER_PAGE = 1000


class CqcError(Exception):
    """Any failure talking to CQC."""


class CqcNotFound(CqcError):
    """CQC has no such location or provider (HTTP 404)."""


class CqcUnavailable(CqcError):
    """CQC could not be reached or kept failing after every retry."""


class CqcRejected(CqcError):
    """CQC refused the request (4xx other than 404 and 429): a bad key or a bad
    request. Retrying would not help."""


class TokenBucket:
    """At most `rate_per_minute` acquisitions a minute on average, in bursts of at
    most `capacity`. Thread-safe; the clock and sleep are injectable for tests."""

    def __init__(
        self,
        *,
        rate_per_minute: float,
        capacity: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate_per_minute <= 0:
            raise ValueError("rate_per_minute must be positive")
        self.rate = rate_per_minute / 60.0  # tokens a second
        # A second's worth by default: a full minute's allowance at once would be a burst
        # the server may count against a shorter window.
        self.capacity = capacity if capacity is not None else max(1.0, self.rate)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.capacity
        self._updated = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping until one is available. Returns the time slept."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            self._tokens -= 1.0
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            # The token is already ours (the balance went negative); later callers queue
            # behind it.
            self._sleep(wait)
        return wait


def cqc_timestamp(moment: datetime) -> str:
    """The form the changes endpoint takes: 2021-01-01T06:30:00Z."""
    if moment.tzinfo is None:
        raise ValueError("CQC timestamps need an aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class CqcClient:
    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str = "",
        rate_per_minute: float = DEFAULT_RATE_PER_MINUTE,
        max_attempts: int = 5,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        max_retry_after: float = 300.0,
        timeout: float = 30.0,
        per_page: int = CHANGES_PER_PAGE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after
        self.timeout = timeout
        self.per_page = per_page
        self._sleep = sleep
        self.limiter = TokenBucket(rate_per_minute=rate_per_minute, clock=clock, sleep=sleep)

    @classmethod
    def from_settings(cls, **overrides: Any) -> CqcClient:
        options: dict[str, Any] = {
            "base_url": settings.CQC_API_URL,
            "api_key": settings.CQC_API_KEY,
            "rate_per_minute": settings.CQC_RATE_PER_MINUTE,
        }
        options.update(overrides)
        return cls(**options)

    # --- Endpoints ------------------------------------------------------------------

    def location(self, location_id: str) -> dict[str, Any]:
        return self._get(f"/locations/{urllib.parse.quote(location_id, safe='')}")

    def provider(self, provider_id: str) -> dict[str, Any]:
        return self._get(f"/providers/{urllib.parse.quote(provider_id, safe='')}")

    def changed_locations(self, *, start: datetime, end: datetime) -> Iterator[str]:
        """Ids of the locations CQC changed between `start` and `end`, page by page
        (a page is fetched only when the previous one has been consumed)."""
        page = 1
        while True:
            body = self._get(
                "/changes/location",
                {
                    "startTimestamp": cqc_timestamp(start),
                    "endTimestamp": cqc_timestamp(end),
                    "page": page,
                    "perPage": self.per_page,
                },
            )
            changes = body.get("changes")
            if not isinstance(changes, list):
                raise CqcUnavailable(
                    f"CQC's changes page {page} has no list of changes: {_clip(body)}"
                )
            for location_id in changes:
                yield str(location_id)
            total_pages = body.get("totalPages")
            if not isinstance(total_pages, int) or page >= total_pages or not changes:
                return
            page += 1

    # --- Transport ------------------------------------------------------------------

    def _get(self, path: str, query: dict[str, Any] | None = None) -> dict[str, Any]:
        url = self.base_url + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        request = urllib.request.Request(  # noqa: S310 - the base URL is from settings
            url,
            headers={
                KEY_HEADER: self.api_key,
                "Accept": "application/json",
                "User-Agent": "ePurse-CQC-sync/1",
            },
        )
        problem = ""
        for attempt in range(1, self.max_attempts + 1):
            self.limiter.acquire()
            delay = self._backoff(attempt)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    raw = response.read()
                body = json.loads(raw)
                if not isinstance(body, dict):
                    raise ValueError("not a JSON object")
                return body
            except urllib.error.HTTPError as exc:
                detail = _clip(_read_error_body(exc))
                if exc.code == 404:
                    raise CqcNotFound(f"CQC has nothing at {path} (HTTP 404)") from None
                if exc.code == 429:
                    problem = f"HTTP 429 (rate limited) from {path}"
                    retry_after = _retry_after_seconds(exc.headers.get("Retry-After"))
                    if retry_after is not None:
                        if retry_after > self.max_retry_after:
                            raise CqcUnavailable(
                                f"CQC asked us to wait {retry_after:.0f}s before retrying "
                                f"{path}; giving up for now"
                            ) from None
                        delay = retry_after
                elif exc.code >= 500:
                    problem = f"HTTP {exc.code} from {path}: {detail}"
                elif exc.code in (401, 403):
                    raise CqcRejected(
                        f"CQC refused the API key (HTTP {exc.code}) for {path}: check "
                        f"CQC_API_KEY. {detail}"
                    ) from None
                else:
                    raise CqcRejected(f"CQC rejected {path} (HTTP {exc.code}): {detail}") from None
            except (urllib.error.URLError, HTTPException, OSError) as exc:
                problem = f"could not reach CQC for {path}: {_reason(exc)}"
            except ValueError as exc:  # includes json.JSONDecodeError
                problem = f"CQC sent an unreadable answer for {path}: {exc}"
            if attempt < self.max_attempts:
                logger.warning(
                    "CQC attempt %d/%d failed (%s); retrying in %.1fs",
                    attempt,
                    self.max_attempts,
                    problem,
                    delay,
                )
                self._sleep(delay)
        raise CqcUnavailable(f"{problem} (gave up after {self.max_attempts} attempts)")

    def _backoff(self, attempt: int) -> float:
        return float(min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1)))


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After is either seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _read_error_body(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read().decode("utf-8", "replace")
    except (OSError, HTTPException):
        return ""
    finally:
        exc.close()


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason if reason is not None else exc) or type(exc).__name__


def _clip(value: object, limit: int = 200) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
