"""Settings for the test suite: the real settings, with a test secret and a fast
password hasher. Everything else (database, broker) comes from the environment as
usual, so `make test` runs against the same servers as `make run`."""

import os
import sys

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
if "pytest" in sys.modules:
    # The test run itself (not a process a test starts with settings of its own): the
    # tests expect production defaults, whatever the shell exports (make run's DEBUG=1,
    # a real SENTRY_DSN...). Processes the tests start inherit the same.
    for name in (
        "DEBUG",
        "PLATFORM_DOMAIN",
        "PLATFORM_SCHEME",
        "PLATFORM_PORT",
        "SECURE_COOKIES",
        "TRUSTED_PROXY_COUNT",
        "SENTRY_DSN",
    ):
        os.environ.pop(name, None)

from epurse.settings import *  # noqa: F403

# Real hashing is for production; here it only slows every sign-in down.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
