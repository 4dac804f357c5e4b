"""A gunicorn config for the entry-point test: once the app is loaded, write down
which `platform` module the server process sees, then stop."""

import os
import platform
import signal

preload_app = True
workers = 1


def when_ready(server: object) -> None:
    with open(os.environ["PLATFORM_PROBE_OUT"], "w") as out:
        out.write(str(platform.__file__))
    os.kill(os.getpid(), signal.SIGTERM)
