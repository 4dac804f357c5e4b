"""The ePurse Django project: settings, URLs, the Celery app and the command line."""

from .celery import app as celery_app

__all__ = ["celery_app"]
