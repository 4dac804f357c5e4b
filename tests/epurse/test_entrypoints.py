"""`import platform` is the standard library in every entry point.

platform/ holds the project's top-level packages but is not itself a package, so it
can never shadow the standard library's `platform` module (which uuid, and so Django,
imports). Each entry point is started from the repository root, where shadowing would
happen if platform/ had an __init__.py."""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import database_url

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()
PRINT_PLATFORM = "import platform; print('PLATFORM=' + platform.__file__)"

pytestmark = pytest.mark.slow


def run(args: list[str], stdin: str = "", **env: str) -> str:
    result = subprocess.run(
        args,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def platform_file(output: str) -> Path:
    [line] = [line for line in output.splitlines() if "PLATFORM=" in line]
    return Path(line.split("PLATFORM=", 1)[1].strip()).resolve()


def test_the_repository_has_no_platform_package() -> None:
    assert (ROOT / "platform").is_dir()
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_pytest() -> None:
    assert Path(platform.__file__).resolve().parent == STDLIB
    assert platform.python_version().startswith("3.")


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "manage.py", "shell", "-c", PRINT_PLATFORM],
        [str(BIN / "epurse"), "shell", "-c", PRINT_PLATFORM],
    ],
    ids=["manage.py", "epurse"],
)
def test_command_line(command: list[str]) -> None:
    assert platform_file(run(command)).parent == STDLIB


def test_wsgi_module() -> None:
    output = run([sys.executable, "-c", f"import epurse.wsgi; {PRINT_PLATFORM}"])

    assert platform_file(output).parent == STDLIB


def test_gunicorn_serving_the_wsgi_app(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    out = tmp_path / "platform.txt"

    run(
        [
            str(BIN / "gunicorn"),
            "epurse.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--config",
            "python:tests.epurse.gunicorn_probe",
        ],
        PLATFORM_PROBE_OUT=str(out),
        DATABASE_URL=database_url(),
    )

    assert Path(out.read_text()).resolve().parent == STDLIB


def test_celery_app_as_the_worker_loads_it() -> None:
    output = run([str(BIN / "celery"), "-A", "epurse", "shell", "--python"], stdin=PRINT_PLATFORM)

    assert platform_file(output).parent == STDLIB
