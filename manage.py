#!/usr/bin/env python
"""Same as the `epurse` command, for those who expect manage.py."""

import sys
from pathlib import Path

# platform/ holds top-level packages (epurse, core, ...); it is not a package itself,
# so the standard library's `platform` module is never shadowed.
sys.path.insert(0, str(Path(__file__).resolve().parent / "platform"))

from epurse.cli import main

if __name__ == "__main__":
    main()
