"""Django settings for Living Handbook.

Everything that differs between the demo and a production server comes from environment
variables; `.env.example` lists them all. `DJANGO_DEBUG=false` means production: the secret
key and allowed hosts must then be given, and a missing one stops start-up with its name.
"""

from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    cache_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    load_dotenv,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

load_dotenv(BASE_DIR / ".env")

DEBUG = env_bool("DJANGO_DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-demo-key-only-for-DJANGO_DEBUG-true")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or ["127.0.0.1", "localhost", "[::1]"]
else:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", required=True)
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", required=True)
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters long.")

INSTALLED_APPS = [
    "handbook",
    "trials",
    "literature",
    "freshness",
    "publishing",
    "finder",
    "membership",
    "demo",
    "operations",
    "django_tasks",
    "django_tasks_db",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.settings",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "publishing.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "publishing.translation.hant.TraditionalChineseMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.security.SecurityHeadersMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every process (ADR 0016): the application's rate limits and the page
# cache's generation must hold across gunicorn workers. Empty CACHE_URL: a table in the database
# (created by `migrate`); memcached:// or redis:// when the client package is installed.
CACHE_TABLE = "lh_cache"
CACHES = {"default": cache_from_url(env_str("CACHE_URL", ""), table=CACHE_TABLE)}

# Behind a reverse proxy: the header, as Django names it, that carries the client's address
# (deploy/nginx.conf sets X-Real-IP: HTTP_X_REAL_IP). Empty: REMOTE_ADDR. Only set it when a
# proxy you run overwrites that header, or clients could choose their own address. The login
# lock-out and the application's rate limits both count by it (core/netaddr.py).
CLIENT_IP_HEADER = env_str("DJANGO_CLIENT_IP_HEADER", env_str("MEMBERSHIP_CLIENT_IP_HEADER", ""))

# Admin login lock-out (django-axes, ADR 0016): after LOGIN_FAILURE_LIMIT failed logins for one
# user name from one address, that pair is refused for LOGIN_LOCKOUT_MINUTES after its last
# failure, whatever the password; attempts are stored in the database, shared by every worker.
AUTHENTICATION_BACKENDS = [
    "config.security.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.security.login_client_ip"
AXES_LOCKOUT_CALLABLE = "config.security.login_locked_out"
AXES_VERBOSE = False
# The Django admin (/django-admin/) is a second login surface; off unless asked for.
DJANGO_ADMIN_ENABLED = env_bool("DJANGO_ADMIN_ENABLED", False)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: Simplified Chinese first; English is the second content and UI language.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("en", "English"),
]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = True
# The project catalogue (config, templates) and core's, which is not an installed app; every
# app keeps its own in <app>/locale/ (ADR 0007).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "core" / "locale"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Background work (ADR 0014): PDF rebuilds after publishing, and the finder's index and the
# freshness re-check after trials are stored, run as tasks, as do Wagtail's search and
# reference index updates. "database" keeps them in the database for `manage.py db_worker`; "immediate" runs
# each one at once in the process that enqueued it (the tests, a tiny install without a worker).
TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {"default": {"BACKEND": env_choice("TASKS_BACKEND", TASKS_BACKENDS, default="database")}}

# Rendered public pages are kept this many seconds for readers who are not logged in
# (publishing/page_cache.py); 0 turns the cache off. Off by default with DEBUG.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 0 if DEBUG else 60)

WAGTAIL_SITE_NAME = env_str("WAGTAIL_SITE_NAME", "紫贝壳公益 · 硬皮病手册")
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "txt"]
WAGTAIL_ENABLE_UPDATE_CHECK = False

EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "handbook@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# SMTP (used when the backend is SMTP, the default with DJANGO_DEBUG=false): a local MTA on
# localhost:25 works as is; a provider needs host, port, user, password and TLS or SSL.
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 30)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set only one of DJANGO_EMAIL_USE_TLS and DJANGO_EMAIL_USE_SSL.")

# External sources. Pages never call these while rendering; only sync commands do.
CTGOV_API_BASE = env_str("CTGOV_API_BASE", "https://clinicaltrials.gov/api/v2")
CTGOV_REQUEST_INTERVAL = float(env_str("CTGOV_REQUEST_INTERVAL", "1.0"))
CTGOV_MAX_RETRIES = env_int("CTGOV_MAX_RETRIES", 6)
CTGOV_BACKOFF_SECONDS = float(env_str("CTGOV_BACKOFF_SECONDS", "1.0"))
HTTP_TIMEOUT_SECONDS = env_int("HTTP_TIMEOUT_SECONDS", 30)
# Every outside request (core.http): who is asking, and the longest Retry-After a run waits
# out; a server asking for more makes the run fail with the time to retry (runs resume).
HTTP_USER_AGENT = env_str(
    "HTTP_USER_AGENT", "LivingHandbook/0.1 (+https://www.sscchina.org; handbook sync)"
)
HTTP_MAX_RETRY_AFTER_SECONDS = float(env_str("HTTP_MAX_RETRY_AFTER_SECONDS", "600"))
# PubMed E-utilities (sync_publications only). NCBI asks every client for a contact address;
# an API key raises the allowed rate from 3 to 10 requests a second. The base URL can point at
# a mirror or a test server.
ENTREZ_BASE_URL = env_str("ENTREZ_BASE_URL", "https://eutils.ncbi.nlm.nih.gov/entrez/eutils")
ENTREZ_EMAIL = env_str("ENTREZ_EMAIL", "")
ENTREZ_API_KEY = env_str("ENTREZ_API_KEY", "")
# How lower apps reach the handbook without importing it (ADR 0013). `sync_trials` also fetches
# every NCT number these functions (dotted paths) return; freshness checks the pages of these
# page models and assigns its medical review workflow to the pages of the root models.
TRIALS_CITED_ID_PROVIDERS = ["handbook.queries.cited_nct_ids"]
FRESHNESS_PAGE_MODELS = ["handbook.HandbookPage"]
FRESHNESS_REVIEW_ROOT_MODELS = ["handbook.HandbookIndexPage"]
# Built PDF booklets (publishing app): served from here, rebuilt when their content changes.
PUBLISHING_CACHE_DIR = BASE_DIR / env_str("PUBLISHING_CACHE_DIR", "var/cache/publishing")

# Public pages in production: only this host's scripts; inline styles stay allowed (WeChat-ready
# HTML). The tests check every public page against this very string.
DEFAULT_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
    # An uptime monitor may ask gunicorn directly, over plain HTTP on the loopback.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    if not SECURE_HSTS_PRELOAD:
        # Preloading commits the whole domain to HTTPS in browsers for months and is slow to
        # undo: the organisation opts in deliberately, so the reminder (W021) is silenced.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
    SESSION_COOKIE_HTTPONLY = True
    CONTENT_SECURITY_POLICY = env_str(
        "DJANGO_CONTENT_SECURITY_POLICY", DEFAULT_CONTENT_SECURITY_POLICY
    )
CONTENT_SECURITY_POLICY_EXEMPT_PATHS = ["/admin/", "/django-admin/"]
PERMISSIONS_POLICY = "geolocation=(), microphone=(), payment=(), usb=()"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Applications to join the patients' group (membership/, ADR 0008). Proofs of diagnosis are
# encrypted with the first of these comma-separated Fernet keys (all of them decrypt); required
# when DJANGO_DEBUG=false. The private store must not be under MEDIA_ROOT or STATIC_ROOT.
MEMBERSHIP_ENCRYPTION_KEYS = env_list("MEMBERSHIP_ENCRYPTION_KEYS", required=not DEBUG)
MEMBERSHIP_STORAGE_DIR = BASE_DIR / env_str("MEMBERSHIP_STORAGE_DIR", "var/private/membership")
MEMBERSHIP_RETENTION_DAYS = env_int("MEMBERSHIP_RETENTION_DAYS", 30)
MEMBERSHIP_UNDECIDED_RETENTION_DAYS = env_int("MEMBERSHIP_UNDECIDED_RETENTION_DAYS", 90)
MEMBERSHIP_APPLY_LIMIT_PER_IP = env_int("MEMBERSHIP_APPLY_LIMIT_PER_IP", 20)
MEMBERSHIP_APPLY_LIMIT_PER_CONTACT = env_int("MEMBERSHIP_APPLY_LIMIT_PER_CONTACT", 3)
MEMBERSHIP_LOOKUP_LIMIT_PER_IP = env_int("MEMBERSHIP_LOOKUP_LIMIT_PER_IP", 30)
MEMBERSHIP_CLIENT_IP_HEADER = CLIENT_IP_HEADER

# Operations (ADR 0017). Who gets an e-mail for every server error (500) in production:
# DJANGO_ADMINS="Name <address>,Other <address>". SENTRY_DSN also sends errors to Sentry,
# without the applicants' data (operations/error_reports.py). /healthz turns 503 when the last
# registry sync or freshness check finished longer ago than this many hours.
ADMINS = [(name, address) for name, address in getaddresses(env_list("DJANGO_ADMINS")) if address]
SENTRY_DSN = env_str("SENTRY_DSN", "")
HEALTHZ_MAX_RUN_AGE_HOURS = env_int("HEALTHZ_MAX_RUN_AGE_HOURS", 48)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "include_html": False,
        },
    },
    "loggers": {
        "django.request": {
            "handlers": ["console", "mail_admins"],
            "level": "ERROR",
            "propagate": False,
        },
        "membership": {"handlers": ["console", "mail_admins"], "level": "ERROR"},
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
}

if SENTRY_DSN:
    from operations.error_reports import init_sentry

    init_sentry(SENTRY_DSN, environment="development" if DEBUG else "production")
