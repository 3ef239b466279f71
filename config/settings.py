"""Django settings for Kafo.

The embedded default is a SQLite file (zero set-up); production and CI set DATABASE_URL to a
PostgreSQL database.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("KAFO_DATA_DIR", BASE_DIR / "var"))

# Where Kafo runs. "production" (the default) switches on every deployment setting below
# (HTTPS only: Secure cookies, HSTS, redirect to https) and needs KAFO_SECRET_KEY to serve (see
# config/wsgi.py). "development" is plain http on loopback: a developer's machine, `kafo demo`
# (kafo/cli.py sets it) and the test suite (pytest sets PYTEST_VERSION).
KAFO_ENV = os.environ.get("KAFO_ENV") or (
    "development" if "PYTEST_VERSION" in os.environ else "production"
)
if KAFO_ENV not in ("production", "development"):
    raise ImproperlyConfigured(f"KAFO_ENV={KAFO_ENV!r}: expected production or development")
DEVELOPMENT = KAFO_ENV == "development"

DEV_SECRET_KEY = "kafo-dev-only-not-secret"  # noqa: S105
SECRET_KEY = os.environ.get("KAFO_SECRET_KEY") or DEV_SECRET_KEY
# Django's debug pages show settings and every URL: only on a developer's explicit request.
DEBUG = os.environ.get("KAFO_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("KAFO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "kafo.accounts.apps.AxesConfig",  # django-axes, under a translated admin name
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "kafo.jobs",
    "kafo.organisations",
    "kafo.accounts",
    "kafo.audit",
    "kafo.rules",
    "kafo.registry",
    "kafo.messaging",
    "kafo.contributions",
    "kafo.collection",
    "kafo.voluntary",
    "kafo.benefits",
    "kafo.insured",
    "kafo.identity",
    "kafo.exchange",
    "kafo.governance",
    "kafo.payroll",
    "kafo.interop",
    "kafo.stats",
    "kafo.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kafo.http_security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kafo.uploads.RequestSizeLimitMiddleware",
    "kafo.request_guard.NulCharacterGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kafo.i18n.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kafo.http_security.SessionLifetimeMiddleware",
    "kafo.organisations.middleware.TenantScopeMiddleware",
    "kafo.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kafo" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'kafo.sqlite3'}",
        # 0: each request closes its connection. runserver (`kafo demo`) starts a thread per
        # request and a kept connection per thread piles up until PostgreSQL refuses clients.
        # config/gunicorn.conf.py sets 60 for its fixed number of single-threaded workers: at
        # most one connection each (README, "Production").
        conn_max_age=int(os.environ.get("KAFO_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers run while a writer works; the timeout queues concurrent writers.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# API tokens expire this many days after they are issued unless another date is given.
KAFO_API_TOKEN_DAYS = int(os.environ.get("KAFO_API_TOKEN_DAYS", "90"))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes, kafo/accounts/throttling.py), failures within 15 minutes:
# 5 lock a username from one address, 10 lock a username from every address (guesses spread
# over addresses), 20 lock an address for every username (password spraying).
AXES_HANDLER = "kafo.accounts.throttling.LoginThrottleHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("KAFO_AXES_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
KAFO_AXES_FAILURE_LIMITS = {
    "username": int(os.environ.get("KAFO_AXES_USERNAME_FAILURE_LIMIT", "10")),
    "ip_address": int(os.environ.get("KAFO_AXES_ADDRESS_FAILURE_LIMIT", "20")),
}
AXES_COOLOFF_TIME = 0.25
AXES_RESET_ON_SUCCESS = True
# The address failures are counted by: behind these proxies, the one X-Forwarded-For ends with.
AXES_CLIENT_IP_CALLABLE = "kafo.accounts.throttling.client_address"
KAFO_TRUSTED_PROXIES = os.environ.get("KAFO_TRUSTED_PROXIES", "127.0.0.1,::1").split(",")
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "kafo" / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Africa/Bamako"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "kafo" / "static"]
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves STATIC_ROOT (filled by `kafo collectstatic`; `kafo demo` does it) with DEBUG
# off; the test suite reads the app directories directly instead.
if "PYTEST_VERSION" in os.environ:
    WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

EMAIL_BACKEND = os.environ.get(
    "KAFO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = "kafo@localhost"

# The one background-job mechanism (kafo/jobs.py): Django's tasks framework (the django-tasks
# backport of Django 6's django.tasks) with its database backend (django-tasks-db). Jobs are rows
# in Kafo's own database; `kafo jobs work` runs them (the demo starts one worker). No extra server.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "notices", "sms", "payroll", "callbacks", "imports"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "kafo.security": {"handlers": ["console"], "level": "WARNING"},
        "axes": {"handlers": ["console"], "level": "WARNING"},
    },
}

# Reference data shipped with the code (organisations, countries, scheme rules).
KAFO_REFERENCE_DIR = BASE_DIR / "kafo" / "reference"

# Seconds a declaration waits for an employer that another submission is storing before it is
# answered "déjà en cours" (contributions.services._lock_employers): pages and API, bulk imports.
KAFO_DECLARATION_LOCK_WAIT = float(os.environ.get("KAFO_DECLARATION_LOCK_WAIT", "10"))
KAFO_DECLARATION_LOCK_WAIT_BULK = float(os.environ.get("KAFO_DECLARATION_LOCK_WAIT_BULK", "600"))

# Upload limits (kafo/uploads.py), checked before any file is parsed. A request's body: at most
# KAFO_MAX_REQUEST_BYTES (pages: above the largest file a page accepts, governance files 20 MB)
# or KAFO_API_MAX_BODY_BYTES (the JSON API: a 50,000-line declaration is about 6 MB); refused
# with 413 from its Content-Length. Django's DATA_UPLOAD_MAX_MEMORY_SIZE follows the API's cap
# (it bounds a JSON or form body read into memory). Per kind: size, data lines, columns, and
# for an .xlsx its decompressed size, number of zip entries and compression ratio (the command
# line's bulk import has no size or line limit: large files go that way).
_MB = 1024 * 1024
KAFO_MAX_REQUEST_BYTES = int(os.environ.get("KAFO_MAX_REQUEST_BYTES", 25 * _MB))
KAFO_API_MAX_BODY_BYTES = int(os.environ.get("KAFO_API_MAX_BODY_BYTES", 10 * _MB))
DATA_UPLOAD_MAX_MEMORY_SIZE = KAFO_API_MAX_BODY_BYTES
_XLSX = {"xlsx_max_entries": 200, "xlsx_max_ratio": 200}
KAFO_UPLOAD_LIMITS = {
    "declaration": {  # the declaration page and the API (employers' portal users included)
        "max_bytes": int(os.environ.get("KAFO_DECLARATION_MAX_BYTES", 5 * _MB)),
        "max_rows": int(os.environ.get("KAFO_DECLARATION_MAX_LINES", 50_000)),
        "max_columns": 50,
        "xlsx_max_uncompressed": 50 * _MB,
        **_XLSX,
    },
    "declaration_bulk": {  # `kafo declarations import FILE`
        "max_bytes": None,
        "max_rows": None,
        "max_columns": 50,
        "xlsx_max_uncompressed": 1024 * _MB,
        **_XLSX,
    },
    "bank_statement": {
        "max_bytes": int(os.environ.get("KAFO_BANK_STATEMENT_MAX_BYTES", 5 * _MB)),
        "max_rows": int(os.environ.get("KAFO_BANK_STATEMENT_MAX_LINES", 50_000)),
        "max_columns": 20,
        "xlsx_max_uncompressed": 50 * _MB,
        **_XLSX,
    },
}

# Deployment settings (`kafo check --deploy` is clean with them; README, "Production").
# Transport: over HTTPS only outside development. The TLS proxy in front of gunicorn sets
# X-Forwarded-Proto (gunicorn listens on loopback only, so no one else can send it).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEVELOPMENT
SECURE_SSL_REDIRECT = not DEVELOPMENT and os.environ.get("KAFO_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEVELOPMENT else 365 * 24 * 3600
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEVELOPMENT
# Preloading commits every subdomain of the organisation's domain to HTTPS in browsers' lists:
# that decision is the organisation's, not a default.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("KAFO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# Headers on every answer, development included (the pages are tested with them).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# kafo/http_security.py: the Content-Security-Policy, per path.
KAFO_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)
KAFO_CSP_BY_PATH = {
    # Django's admin adds a <style> block on some change lists; Swagger UI (/api/docs, served
    # from ninja's own static files, no CDN) sets inline styles. Scripts stay 'self' only.
    "/admin/": KAFO_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
    "/api/docs": KAFO_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
}
# Sessions: HttpOnly cookie, at most 8 hours after login, ended after 30 idle minutes
# (kafo/http_security.py SessionLifetimeMiddleware).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
KAFO_SESSION_IDLE_SECONDS = int(os.environ.get("KAFO_SESSION_IDLE_SECONDS", "1800"))
