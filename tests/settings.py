"""Settings for the test suite: the real settings, with a test secret and a fast
password hasher. Everything else (database, broker) comes from the environment as
usual, so `make test` runs against the same servers as `make run`."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")

from epurse.settings import *  # noqa: F403

# Real hashing is for production; here it only slows every sign-in down.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
