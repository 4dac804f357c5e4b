"""ePurse has no superusers: every user has roles in one tenant or on the platform."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Explains how to add users: ePurse has no superusers."

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError(
            "ePurse has no superusers. To add a platform operator, run:\n"
            "  epurse user invite --tenant public --role platform_operator "
            '--email you@example.org --name "Your Name"'
        )
