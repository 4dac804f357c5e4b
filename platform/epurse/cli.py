"""The `epurse` command: Django's manage.py with the project's own commands
(`epurse tenant create`, `epurse demo`, `epurse dev`, `epurse migrate` ...)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epurse.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv if argv is not None else sys.argv)


if __name__ == "__main__":
    main()
