# syntax=docker/dockerfile:1
# The ePurse image: one image for the web server, the Celery worker, beat and the
# one-off `epurse setup`. deploy/compose.yaml runs it; tests/deploy checks that the
# commands here match the Makefile and platform/epurse/processes.py.

# --- Stage 1: GOV.UK Frontend styles and scripts (assets/build) ----------------------
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/build-assets.mjs scripts/
COPY assets/ assets/
RUN npm run build

# --- Stage 2: the Python application --------------------------------------------------
FROM python:3.11-slim-bookworm

# EPURSE_LOCAL_DIR is the only place the application writes to (beat's schedule; the
# folder broker and embedded database when no servers are configured). Static files
# are collected into STATIC_ROOT below, at build time, and served by WhiteNoise.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    EPURSE_LOCAL_DIR=/app/.local \
    CELERY_BEAT_SCHEDULE_FILENAME=/app/.local/celerybeat-schedule \
    STATIC_ROOT=/app/staticfiles \
    STATIC_MANIFEST=1

RUN groupadd --system --gid 10001 epurse \
 && useradd --system --uid 10001 --gid epurse --home-dir /app/.local --no-create-home \
      --shell /usr/sbin/nologin epurse

WORKDIR /app

# Pango and fonts for the PDFs WeasyPrint renders (statements).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

# Runtime dependencies only (no test or lint tools), in their own layer so a code
# change does not reinstall them.
COPY requirements.lock ./
RUN pip install --quiet pip==26.3 \
 && pip install --quiet -r requirements.lock

# Editable, as in development: epurse/paths.py then finds the checkout at /app.
COPY . .
RUN pip install --quiet --no-deps -e .

COPY --from=assets /src/assets/build/ assets/build/

# The settings need a SECRET_KEY and, without DATABASE_URL, would start an embedded
# PostgreSQL. collectstatic never connects, so throwaway values serve for this step
# only (db.invalid cannot resolve: any attempt to connect would fail the build), and
# a memory:// broker keeps the settings from creating the folder broker.
RUN SECRET_KEY=collectstatic-only-not-a-secret \
    DATABASE_URL=postgres://collectstatic@db.invalid:5432/none \
    CELERY_BROKER_URL=memory:// \
    epurse collectstatic --noinput \
 && mkdir -p /app/.local \
 && chown -R epurse:epurse /app/.local

# Numeric, so Kubernetes' runAsNonRoot can check it.
USER 10001:10001

EXPOSE 8000

# Slim images have no curl. /healthz answers on any Host header, before routing.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# processes.WEB (deploy/compose.yaml runs processes.WORKER and processes.BEAT).
CMD ["gunicorn", "epurse.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
