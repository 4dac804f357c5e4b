"""epurse dev: what `make run` runs. Sets up the database, seeds the demo, starts the
web server, a Celery worker and beat, prints where to go, and on Ctrl-C stops
everything it started (and the embedded PostgreSQL, if it started it)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from epurse import processes
from epurse.paths import BASE_DIR

STOP_GRACE_SECONDS = 10


class Command(BaseCommand):
    help = "Run ePurse on this machine: web, worker and beat, until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"]
        # Links printed and emailed from here point at this server.
        settings.PLATFORM_PORT = str(port)
        call_command("setup", verbosity=1)
        call_command("demo")

        bin_dir = Path(sys.executable).parent
        env = {
            **os.environ,
            # Children use the server this process started (or was given).
            "DATABASE_URL": settings.DATABASE_URL,
            "DEBUG": "1" if settings.DEBUG else "0",
            "PLATFORM_PORT": str(port),
        }
        commands = {
            "web": [str(bin_dir / "epurse"), "runserver", f"127.0.0.1:{port}"],
            "worker": [str(bin_dir / processes.WORKER[0]), *processes.WORKER[1:]],
            "beat": [str(bin_dir / processes.BEAT[0]), *processes.BEAT[1:]],
        }
        children: dict[str, subprocess.Popen[bytes]] = {}

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        # Ctrl-C, kill, a closed terminal: all stop everything.
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
            signal.signal(signum, stop)
        try:
            for name, command in commands.items():
                # Own process group each: Ctrl-C reaches only us, and we stop each
                # group whole (runserver's reloader child included).
                children[name] = subprocess.Popen(  # noqa: S603
                    command,
                    cwd=BASE_DIR,
                    env=env,
                    start_new_session=True,
                    preexec_fn=_die_with_parent,
                )
            self._wait_until_ready(port, children)
            self._banner(port)
            while True:
                for name, child in children.items():
                    if child.poll() is not None:
                        raise CommandError(
                            f"The {name} process stopped (exit code {child.returncode}); "
                            "see its output above. Stopping the others."
                        )
                time.sleep(0.5)
        except KeyboardInterrupt:
            self.stdout.write("\nStopping web, worker and beat...")
        finally:
            _stop_all(children)
        self.stdout.write("Stopped.")

    def _wait_until_ready(self, port: int, children: dict[str, subprocess.Popen[bytes]]) -> None:
        deadline = time.monotonic() + 60
        url = f"http://127.0.0.1:{port}/readyz"
        while time.monotonic() < deadline:
            if children["web"].poll() is not None:
                raise CommandError(f"The web server did not start: is port {port} in use?")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise CommandError(f"The web server did not answer {url} within a minute.")

    def _banner(self, port: int) -> None:
        from epurse.demo import DEFAULT_DEMO_PASSWORD, DEMO_OPERATOR, DEMO_TENANTS, DEMO_USERS

        host = settings.PLATFORM_DOMAIN
        lines = ["", "ePurse is running. Open:"]
        for name, slug, _ in DEMO_TENANTS:
            lines.append(f"  {name:<28} http://{slug}.{host}:{port}")
        lines.append(f"  {'Platform (operators)':<28} http://{host}:{port}")
        mailboxes = ", ".join(mailbox for mailbox, _, _ in DEMO_USERS)
        lines += [
            "",
            f"Sign in as {mailboxes} @<council>.example (e.g. admin@kingsmere.example),",
            f"or {DEMO_OPERATOR[0]} on the platform host.",
            f"Password: {settings.DEMO_PASSWORD or DEFAULT_DEMO_PASSWORD}",
            "Press Ctrl-C to stop.",
            "",
        ]
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))


def _stop_all(children: dict[str, subprocess.Popen[bytes]]) -> None:
    # SIGTERM to each leader (Celery then stops its own pool cleanly), SIGKILL to
    # whatever is left of its group once the leader has gone or the grace is over.
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGKILL)
            child.wait()
        # Anything left in the group (a reloader's or pool's child) goes too.
        _signal_group(child, signal.SIGKILL)


def _die_with_parent() -> None:
    """In the child: get SIGTERM if `epurse dev` itself is killed outright (Linux)."""
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _signal_group(child: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, sig)
