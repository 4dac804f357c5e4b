"""Where the checkout and its local state live."""

import os
from pathlib import Path

# platform/epurse/paths.py -> the repository root
BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Embedded PostgreSQL data, the filesystem broker, beat's schedule: never committed.
LOCAL_DIR = Path(os.environ.get("EPURSE_LOCAL_DIR") or BASE_DIR / ".local").resolve()
