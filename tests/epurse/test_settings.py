"""Settings come from the environment, with clear messages for bad values."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; settings.DEBUG"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "epurse.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_secret_key_is_required_outside_debug() -> None:
    result = load_settings()

    assert result.returncode == 1
    assert "SECRET_KEY is not set. Set it to a long random string" in result.stderr


def test_debug_has_a_development_key() -> None:
    assert load_settings(DEBUG="1").returncode == 0


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be one of 1/0, true/false, yes/no, on/off; got 'maybe'"),
        ("LOGIN_MAX_FAILURES", "five", "LOGIN_MAX_FAILURES must be a whole number; got 'five'"),
        ("SENTRY_TRACES_SAMPLE_RATE", "lots", "SENTRY_TRACES_SAMPLE_RATE must be a number"),
    ],
)
def test_bad_values_are_named(name: str, value: str, message: str) -> None:
    result = load_settings(SECRET_KEY="x" * 50, **{name: value})

    assert result.returncode == 1
    assert message in result.stderr
