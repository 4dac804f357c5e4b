"""ePurse settings: every value that comes from the environment is read here.

The variables are documented in README.md and deploy/.env.example.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_float, env_int, env_list, env_str
from .paths import BASE_DIR, LOCAL_DIR

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string, or set DEBUG=1 to use "
            "the development key on your own machine."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

# --- Hosts and tenancy -------------------------------------------------------------
# Tenants are reached at <slug>.<PLATFORM_DOMAIN>; the public site at PLATFORM_DOMAIN.
PLATFORM_DOMAIN = env_str("PLATFORM_DOMAIN", "localhost").lower()
PLATFORM_SCHEME = env_str("PLATFORM_SCHEME", "http" if DEBUG else "https")
PLATFORM_PORT = env_str("PLATFORM_PORT", "8000" if DEBUG else "")
ALLOWED_HOSTS = [PLATFORM_DOMAIN, f".{PLATFORM_DOMAIN}", *env_list("ALLOWED_HOSTS")]
# No CSRF_TRUSTED_ORIGINS: Django already trusts a form posted from its own host, and
# one council's site must never be trusted to post to another's.

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "epurse",  # before django.contrib.auth: its createsuperuser replaces auth's
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "accounts",
    "console",
    "catalogue",
    "billing",
]
# One schema per council or NHS body. Apps listed in both get a table in every schema:
# users, sessions and the audit log of a tenant never share a table with another's.
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "core",
    "accounts",
    "catalogue.council",
    "tenants.rules",
    "tenants.branding",
    "purse",
    "purse.imports",
    "tenants.notifications",
    "workspace",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
# Set the search_path once per connection and schema rather than before every query
# (django-tenants forgets it on every schema switch and every rollback).
TENANT_LIMIT_SET_CALLS = True
TENANT_DOMAIN_MODEL = "tenants.Domain"
# New schemas are cloned from this migrated template (see tenants/schemas.py).
TENANT_TEMPLATE_SCHEMA = "tenant_template"
PUBLIC_SCHEMA_URLCONF = "epurse.urls_public"
ROOT_URLCONF = "epurse.urls_tenant"
DEFAULT_NOT_FOUND_TENANT_VIEW = "core.web.views.unknown_host"
CSRF_FAILURE_VIEW = "core.web.views.csrf_failure"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

# --- Database ----------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
EMBEDDED_DATABASE = not DATABASE_URL
if EMBEDDED_DATABASE:
    from .localdb import embedded_database_url

    DATABASE_URL = embedded_database_url()
DATABASES = {
    "default": {
        **dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60)),
        "ENGINE": "epurse.db",  # django-tenants' backend, starting the embedded server
        "CONN_HEALTH_CHECKS": True,
        "EMBEDDED": EMBEDDED_DATABASE,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Application -------------------------------------------------------------------
MIDDLEWARE = [
    "core.middleware.HealthCheckMiddleware",  # answers probes on any host, before routing
    # CORS on every Open Referral response (errors too); the feed ignores cookies.
    "catalogue.openreferral.cors.OpenReferralCorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.TenantRoutingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "billing.middleware.LicenceMiddleware",  # what the council's licence allows
    "accounts.middleware.MfaRequiredMiddleware",  # after the timeout: a lapsed session asks again
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.web.context_processors.service",
            ],
        },
    }
]

WSGI_APPLICATION = "epurse.wsgi.application"
ASGI_APPLICATION = "epurse.asgi.application"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"  # the home page of whichever host signed in
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Invitation links (set your password) stay valid for three days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

# Sign-in protection (OWASP ASVS V6/V7): lockout by account, idle and absolute timeouts.
# --- Money-moving requests ----------------------------------------------------------
# How long a retry with the same Idempotency-Key waits for the first request to finish
# before it is told (409) that the first is still running.
IDEMPOTENCY_WAIT_SECONDS = env_float("IDEMPOTENCY_WAIT_SECONDS", 10.0)
# How long keys (and their answers) are kept: at least a day, and 30 days for payouts.
IDEMPOTENCY_KEEP_DAYS = env_int("IDEMPOTENCY_KEEP_DAYS", 30)

LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_MAX_FAILURES_PER_IP = env_int("LOGIN_MAX_FAILURES_PER_IP", 50)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)
SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT_SECONDS = env_int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", 12 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_SECONDS
# Who must give a code from an authenticator app after the password (accounts.mfa):
# holders of these permissions. The platform's operators for now.
MFA_REQUIRED_PERMISSIONS = ["platform.operate"]
MFA_ISSUER = "ePurse"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PLATFORM_SCHEME == "https")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if SESSION_COOKIE_SECURE:
    # __Host- cookies cannot be set for a parent domain, so a page on one council's
    # site cannot plant a session or CSRF cookie for another council's site.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the app append to X-Forwarded-For (0: use the socket's
# address). The audit log records the client address found this way.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

# --- Static files: GOV.UK Frontend is built by `npm ci && npm run build` -----------
STATIC_URL = "/static/"
STATIC_ROOT = env_str("STATIC_ROOT", str(LOCAL_DIR / "static"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
STATICFILES_DIRS = [BASE_DIR / "assets" / "build"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Uploads: pictures of services and providers' vetting documents ----------------
IMAGE_MAX_BYTES = env_int("IMAGE_MAX_BYTES", 5_000_000)
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 10_000_000)
FILE_UPLOAD_HANDLERS = [
    "core.upload_limits.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Cache: per-tenant keys so one tenant never reads another's entries -------------
CACHE_URL = env_str("CACHE_URL")
CACHES = {
    "default": {
        "BACKEND": (
            "django.core.cache.backends.redis.RedisCache"
            if CACHE_URL
            else "django.core.cache.backends.locmem.LocMemCache"
        ),
        "LOCATION": CACHE_URL or "epurse",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

# --- Outside services -----------------------------------------------------------------
# postcodes.io, asked about postcodes missing from the ONSPD centroid table; empty: never.
POSTCODES_IO_URL = env_str("POSTCODES_IO_URL")

# --- Email -------------------------------------------------------------------------
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
}
_email_backend = env_str("EMAIL_BACKEND", "console" if DEBUG else "smtp")
EMAIL_BACKEND = _EMAIL_BACKENDS.get(_email_backend, _email_backend)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(LOCAL_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"ePurse <no-reply@{PLATFORM_DOMAIN}>")

# --- API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.errors.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ePurse API",
    "DESCRIPTION": "Personal budgets, e-purse and marketplace. Each council's API is "
    "served on its own host; tokens are valid only on the host that issued them.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several choice sets are called "status": name each enum after what it is.
    "ENUM_NAME_OVERRIDES": {
        "ProviderStatusEnum": "catalogue.models.Provider.Status",
        "ServiceStatusEnum": "catalogue.models.Service.Status",
        "DocumentStatusEnum": "catalogue.models.VettingDocument.Status",
        "ReviewStatusEnum": "catalogue.council.models.Review.Status",
        "VettingDecisionEnum": "catalogue.api.serializers.VETTING_DECISIONS",
        "CouncilDecisionEnum": "catalogue.api.serializers.DECISIONS",
        "CouncilDecisionFilterEnum": "catalogue.api.serializers.DECISION_FILTERS",
        "RulesVersionStatusEnum": "tenants.rules.models.RulesVersion.Status",
        "ManagementEnum": "tenants.rules.models.Management",
    },
}

# --- Background work ---------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
if not CELERY_BROKER_URL:
    # Kombu's filesystem transport: a real broker in a folder, no server needed.
    _broker_dir = LOCAL_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),  # default: ./control in the cwd
        "store_processed": False,
    }
CELERY_BROKER_IS_FILESYSTEM = CELERY_BROKER_URL.startswith("filesystem:")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "epurse")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = None  # no result backend, so no backend_cleanup entry in beat
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The filesystem transport has no fanout exchange for remote control.
CELERY_WORKER_ENABLE_REMOTE_CONTROL = not CELERY_BROKER_IS_FILESYSTEM
# Task modules of packages inside an app, which autodiscovery (<app>.tasks) misses.
CELERY_IMPORTS = ["billing.invoicing.tasks"]
CELERY_BEAT_SCHEDULER = "epurse.beat:TenantBeatScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = env_str(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(LOCAL_DIR / "celerybeat-schedule")
)
CELERY_BEAT_SCHEDULE = {
    # No "tenant_schemas": sent once to every tenant, inside that tenant's schema.
    "sessions-clear-expired": {
        "task": "accounts.tasks.sessions_clear_expired",
        "schedule": 3600.0,
    },
    "idempotency-keys-purge": {
        "task": "core.tasks.idempotency_keys_purge_task",
        "schedule": 24 * 3600.0,
    },
    "public-idempotency-keys-purge": {
        "task": "core.tasks.public_idempotency_keys_purge",
        "schedule": 24 * 3600.0,
        "tenant_schemas": ["public"],
    },
    "public-sessions-clear-expired": {
        "task": "accounts.tasks.public_sessions_clear_expired",
        "schedule": 3600.0,
        "tenant_schemas": ["public"],
    },
    # Daily, as CQC publishes; the task does nothing unless CQC_SYNC_ENABLED.
    "cqc-sync": {
        "task": "catalogue.tasks.cqc_sync",
        "schedule": 24 * 3600.0,
        "tenant_schemas": ["public"],
    },
    "vetting-expiry-reminders": {
        "task": "catalogue.tasks.vetting_expiry_reminders",
        "schedule": 24 * 3600.0,
        "tenant_schemas": ["public"],
    },
    # Daily, to every tenant: care managers hear of reviews due within 14 days.
    "review-reminders": {
        "task": "purse.tasks.review_reminders",
        "schedule": 24 * 3600.0,
    },
    # Hourly, to every tenant: budgets change over on their first and last days.
    "budgets-change-over": {
        "task": "purse.tasks.budgets_change_over",
        "schedule": 3600.0,
    },
    # Hourly, to every tenant: expired holds released, weekly orders booked ahead.
    "orders-upkeep": {
        "task": "purse.tasks.orders_upkeep",
        "schedule": 3600.0,
    },
    # Hourly, to every tenant: top-ups due today (each cycle is paid once).
    "topups-pay": {
        "task": "purse.tasks.topups_pay",
        "schedule": 3600.0,
    },
    # Daily, to every tenant: the first run of a month issues last month's statements
    # (each person's once), later runs only any an earlier run missed.
    "statements-monthly": {
        "task": "purse.tasks.statements_monthly",
        "schedule": 24 * 3600.0,
    },
    # Daily, to every tenant: surplus notices issued, then recoveries due taken back.
    "surplus-daily": {
        "task": "purse.tasks.surplus_daily",
        "schedule": 24 * 3600.0,
    },
    # Daily, to every tenant: what each provider is owed goes out in one batch.
    "payouts-run": {
        "task": "purse.tasks.payouts_run",
        "schedule": 24 * 3600.0,
    },
    # Hourly, to every tenant: batches not yet sent are retried, sent ones checked.
    "payouts-progress": {
        "task": "purse.tasks.payouts_progress",
        "schedule": 3600.0,
    },
    # Daily, to every tenant: the ledger against the gateway, exceptions listed.
    "payouts-reconcile": {
        "task": "purse.tasks.payouts_reconcile",
        "schedule": 24 * 3600.0,
    },
    # Hourly, in public: gateway notifications that could not be acted on at once.
    "gateway-events-retry": {
        "task": "purse.tasks.gateway_events_retry",
        "schedule": 3600.0,
        "tenant_schemas": ["public"],
    },
    # Daily, in public: the first run of a month meters last month's usage from each
    # tenant's ledger and drafts and finalises its invoice (each tenant's once); later
    # runs only any it missed. Overdue invoices are reminded at 7, 14 and 30 days.
    "invoicing-daily": {
        "task": "billing.invoicing.tasks.invoicing_daily",
        "schedule": 24 * 3600.0,
        "tenant_schemas": ["public"],
    },
}

# --- CQC ratings (catalogue) -------------------------------------------------------
CQC_API_URL = env_str("CQC_API_URL", "https://api.service.cqc.org.uk/public/v1")
CQC_API_KEY = env_str("CQC_API_KEY")
# CQC allows a client 600 requests a minute.
CQC_RATE_PER_MINUTE = env_int("CQC_RATE_PER_MINUTE", 600)
CQC_SYNC_ENABLED = env_bool("CQC_SYNC_ENABLED", bool(CQC_API_KEY))
if CQC_SYNC_ENABLED and not CQC_API_KEY:
    raise ImproperlyConfigured(
        "CQC_SYNC_ENABLED is on but CQC_API_KEY is not set. Set the key from CQC's API "
        "portal, or turn the sync off."
    )
if CQC_RATE_PER_MINUTE < 1:
    raise ImproperlyConfigured(f"CQC_RATE_PER_MINUTE must be at least 1; got {CQC_RATE_PER_MINUTE}")

# --- Paying providers (purse.payouts) -----------------------------------------------
# PayPal Payouts, for councils whose payout gateway is "paypal". The sandbox is
# https://api-m.sandbox.paypal.com; the webhook id is the one PayPal gives the
# platform's endpoint, https://<PLATFORM_DOMAIN>/api/purse/paypal/webhook/.
PAYPAL_API_URL = env_str("PAYPAL_API_URL", "https://api-m.paypal.com")
PAYPAL_CLIENT_ID = env_str("PAYPAL_CLIENT_ID")
PAYPAL_CLIENT_SECRET = env_str("PAYPAL_CLIENT_SECRET")
PAYPAL_WEBHOOK_ID = env_str("PAYPAL_WEBHOOK_ID")
PAYPAL_TIMEOUT_SECONDS = env_float("PAYPAL_TIMEOUT_SECONDS", 20.0)
PAYOUT_CURRENCY = "GBP"

# --- Invoicing tenants (billing.invoicing) -----------------------------------------
# The platform operator as supplier on every VAT invoice and credit note.
BILLING_SUPPLIER_NAME = env_str("BILLING_SUPPLIER_NAME", "ePurse Platform Ltd")
BILLING_SUPPLIER_ADDRESS = env_str(
    "BILLING_SUPPLIER_ADDRESS", "1 Example Street\nLondon\nEC1A 1AA"
).replace("\\n", "\n")
BILLING_SUPPLIER_VAT_NUMBER = env_str("BILLING_SUPPLIER_VAT_NUMBER", "GB000000000")
BILLING_SUPPLIER_EMAIL = env_str("BILLING_SUPPLIER_EMAIL", "billing@platform.example")
# Where councils pay by BACS, printed on each invoice.
BILLING_SUPPLIER_BANK = env_str("BILLING_SUPPLIER_BANK", "Sort code 00-00-00, account 00000000")
BILLING_PAYMENT_TERMS_DAYS = env_int("BILLING_PAYMENT_TERMS_DAYS", 30)

# --- Observability -----------------------------------------------------------------
SENTRY_DSN = env_str("SENTRY_DSN")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "development" if DEBUG else "production")
SENTRY_TRACES_SAMPLE_RATE = env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0)
if SENTRY_DSN:
    from .sentry import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},  # logs every command it runs at INFO
        "weasyprint": {"level": "WARNING"},  # logs each step of every PDF at INFO
    },
}

# --- Demo data ---------------------------------------------------------------------
DEMO_PASSWORD = env_str("DEMO_PASSWORD")
