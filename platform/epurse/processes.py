"""The long-running processes, in one place: `epurse dev` starts these, and
deploy/compose.yaml and the Dockerfile run the same commands (a test checks)."""

WORKER = [
    "celery",
    "-A",
    "epurse",
    "worker",
    "--loglevel=INFO",
    # Mingle and gossip need broadcast messages, which the filesystem broker lacks.
    "--without-mingle",
    "--without-gossip",
]
BEAT = ["celery", "-A", "epurse", "beat", "--loglevel=INFO"]
# Production web server. `epurse dev` uses Django's runserver instead (reloads on edit).
WEB = [
    "gunicorn",
    "epurse.wsgi",
    "--bind",
    "0.0.0.0:8000",
    "--workers",
    "3",
    "--access-logfile",
    "-",
]
