"""A real Celery worker process for tests: on the configured broker (Redis in CI, the
filesystem broker otherwise) and the test database, listening on a queue of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import database_url

CELERY = str(Path(sys.executable).parent / "celery")


class Worker:
    def __init__(self, queue: str, **env_extra: Any) -> None:
        self.queue = queue
        self.output: list[str] = []
        env = {**os.environ, "DATABASE_URL": database_url(), **env_extra}
        env.pop("DEBUG", None)
        self.process = subprocess.Popen(
            [
                CELERY,
                "-A",
                "epurse",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-mingle",
                "--without-gossip",
                "-Q",
                queue,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.wait_for(lambda: any(" ready." in line for line in self.output), "worker ready")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; worker said:\n{''.join(self.output)}")

    def kill(self) -> None:
        """SIGKILL: the worker gets no chance to finish or tidy up."""
        self.process.kill()
        self.process.wait(timeout=20)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
