"""Shequ settings: one file, every value from the environment (see README, 配置)."""

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from ops.logs import logging_config
from shequ.env import (
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_proxy_ssl_header,
    env_str,
    private_dir,
    private_file,
    secret_from_env_or_file,
)

BASE_DIR = Path(__file__).resolve().parent.parent
# var/ holds the SQLite database, the key files and media (personal data): owner-only (0700, files 0600).
VAR_DIR = private_dir(Path(env_str("SHEQU_VAR_DIR", str(BASE_DIR / "var"))))

DEMO = env_bool("SHEQU_DEMO", True)
# Off unless a developer turns it on (DEBUG=true): the demo is shown to visitors, who should see the product's
# 404/500 pages (web/templates/404.html, 500.html), not Django's technical ones. Static files come from WhiteNoise either way.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_from_env_or_file("SECRET_KEY", VAR_DIR / "secret_key", demo=DEMO)
# Key for personal data at rest (ID and phone numbers) and for their search hashes.
DATA_KEY = secret_from_env_or_file("SHEQU_DATA_KEY", VAR_DIR / "data_key", demo=DEMO)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "accounts.admin_config.AuditedAdminConfig",  # django.contrib.admin, every change audited (accounts.admin)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs' Swagger UI from the package's own static files (no CDN, no inline script)
    "accounts",
    "places",
    "web",
    "django_prometheus",
    "ops",  # /healthz, /readyz, /metrics, the task worker's heartbeat, backup and restore (docs/ops.md)
]
# The domain apps; SHEQU_DISABLE_APPS leaves some out for a local run.
_disabled = set(env_list("SHEQU_DISABLE_APPS", []))
for optional_app in ("people", "facilities", "appeals", "care", "workforce", "exchange", "planning", "volunteers", "duties", "activities", "deliberation", "socialorgs", "safety"):
    if (BASE_DIR / optional_app / "apps.py").exists() and optional_app not in _disabled:
        INSTALLED_APPS.append(optional_app)

MIDDLEWARE = [
    "ops.logs.RequestIdMiddleware",  # X-Request-ID from the proxy (or a new one) on the response and every log record
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # request count and latency, first in and last out
    "accounts.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # before WhiteNoise, so static files carry the policy too
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shequ.middleware.InputCheckMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # per view name: count, latency, status, exceptions
]

ROOT_URLCONF = "shequ.urls"
WSGI_APPLICATION = "shequ.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context.shell",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'shequ.sqlite3'}"
# Persistent connections (DB_CONN_MAX_AGE seconds) suit production; 0 closes them after each request.
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_db), conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    _sqlite_file = str(DATABASES["default"]["NAME"] or "")
    if _sqlite_file and _sqlite_file != ":memory:" and not _sqlite_file.startswith("file:"):
        # Created here, 0600, before SQLite opens it (its -wal and -shm files take the database file's mode).
        private_file(Path(_sqlite_file))
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_PGBOUNCER", False):
    # PgBouncer in transaction mode hands each transaction to any server connection: no server-side cursors
    # (they outlive a transaction) and no prepared statements (psycopg prepares a query after 5 runs).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
elif DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at SQLite or PostgreSQL")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.passwords.ComplexityValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"

# Login policy (等保三级): lockout after failed attempts, idle timeout with a warning.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15, minimum=1)
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60, minimum=30)
SESSION_WARNING_SECONDS = env_int("SESSION_WARNING_SECONDS", 60, minimum=20)
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEMO)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Failed sign-ins from one address (any accounts) before that address is paused, beside the per-account lockout.
LOGIN_IP_MAX_FAILURES = env_int("LOGIN_IP_MAX_FAILURES", 20, minimum=1)
LOGIN_IP_WINDOW_MINUTES = env_int("LOGIN_IP_WINDOW_MINUTES", 15, minimum=1)
# API tokens die after this long unused, and this long after issue whatever happens.
API_TOKEN_IDLE_SECONDS = env_int("API_TOKEN_IDLE_SECONDS", 8 * 60 * 60, minimum=60)
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 30, minimum=1)
# A token's use is written to the audit log on first use and then at most once per this many minutes.
API_TOKEN_AUDIT_MINUTES = env_int("API_TOKEN_AUDIT_MINUTES", 15, minimum=0)
# The audit hash chain seals rows once they are this old (accounts.seal; a longer transaction's rows would
# otherwise be cut in two). `manage.py seal_audit` runs every 5 minutes.
AUDIT_SEAL_DELAY_SECONDS = env_int("AUDIT_SEAL_DELAY_SECONDS", 60)
# Audit rows stay in the online log this many days, then `archive_audit` moves them to the archive table (accounts.archive);
# 等保三级 asks for six months at least, so fewer than 183 is refused here and ignored by the archive.
AUDIT_ONLINE_DAYS = env_int("AUDIT_ONLINE_DAYS", 365, minimum=183)
# A data right (reveal, unmasked export, restricted tags) approved by the unit leader holds this many days.
DATA_RIGHT_DAYS = env_int("DATA_RIGHT_DAYS", 90, minimum=1)

# HTTPS and the reverse proxy. Production defaults: HSTS a year (subdomains too), redirect to HTTPS.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEMO else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEMO)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEMO)
# Behind nginx that sets X-Forwarded-Proto: SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https
SECURE_PROXY_SSL_HEADER = env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER")
# Reverse proxies whose X-Forwarded-For is believed (IPs or CIDRs); accounts.middleware.ClientAddressMiddleware.
SHEQU_TRUSTED_PROXIES = env_networks("SHEQU_TRUSTED_PROXIES", [])
# Probes from the load balancer or the orchestrator come over plain HTTP on the host's own address.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# Joining the browsers' HSTS preload list is the domain owner's decision (SECURE_HSTS_PRELOAD=true), not a default.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it even before collectstatic
# Front-end libraries come from the npm registry (package.json); only their dist folders are served.
_NODE = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "web" / "static",
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
    ("vendor/leaflet", _NODE / "leaflet" / "dist"),
    ("vendor/echarts", _NODE / "echarts" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = private_dir(VAR_DIR / "media")
# Uploads and job files (ID numbers, photos) are readable by the service's own user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
WHITENOISE_USE_FINDERS = True

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}


def caches_from_url(url: str) -> dict[str, dict[str, str]]:
    """CACHE_URL: locmem:// (per process, the demo), db://<table> (the database; `manage.py createcachetable` first),
    redis://host:6379/0 or rediss://… (Redis; needs the `redis` package)."""
    if url in ("", "locmem://"):
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shequ"}}
    if url.startswith("db://"):
        return {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": url[5:] or "shequ_cache"}}
    if url.startswith(("redis://", "rediss://")):
        return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    raise ImproperlyConfigured(f"CACHE_URL must start with locmem://, db:// or redis://, got {url!r}")


# Shared state of several processes (the request desk's categories, calendar, Open311 keys, unit codes).
CACHES = caches_from_url(env_str("CACHE_URL", "locmem://"))

PORT = env_int("PORT", 8000, minimum=1)

# Every handler masks phone and ID numbers (shequ.logfilters) and adds the request id (ops.logs); LOG_FORMAT=json writes
# one JSON object per line.
LOGGING = logging_config(fmt=env_str("LOG_FORMAT", "text"), level=env_str("LOG_LEVEL", "INFO"))

# /readyz (ops.health): the task worker's heartbeat may be this old; the volume holding media must keep this much free;
# on SQLite the write probe waits at most this long for the write lock. task_worker beats every HEARTBEAT seconds.
READYZ_WORKER_MAX_AGE_SECONDS = env_int("READYZ_WORKER_MAX_AGE_SECONDS", 60, minimum=5)
READYZ_DISK_FREE_MB = env_int("READYZ_DISK_FREE_MB", 1024)
READYZ_DB_LOCK_WAIT_MS = env_int("READYZ_DB_LOCK_WAIT_MS", 200, minimum=1)
# /metrics (ops.metrics) answers scrapers from these addresses (the client after SHEQU_TRUSTED_PROXIES), or any address
# presenting `Authorization: Bearer <METRICS_TOKEN>` (empty: no token accepted).
METRICS_ALLOWED_IPS = env_networks("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
TASK_WORKER_HEARTBEAT_SECONDS = env_int("TASK_WORKER_HEARTBEAT_SECONDS", 10, minimum=1)

# Retention of background jobs' files (people.jobs.purge_job_files): an unmasked export for hours, the rest for days.
JOB_UNMASKED_HOURS = env_int("SHEQU_JOB_UNMASKED_HOURS", 4, minimum=1)
JOB_FILE_DAYS = env_int("SHEQU_JOB_FILE_DAYS", 7, minimum=1)
# Volunteer check-in/check-out codes work this long before an activity starts and after it ends (the city sets it).
VOLUNTEER_CHECKIN_GRACE_MINUTES = env_int("SHEQU_VOLUNTEER_CHECKIN_GRACE_MINUTES", 30, minimum=0)

SMS_BACKEND = env_str("SMS_BACKEND", "web.notify.ConsoleSMSBackend")

# Map background tiles (Leaflet URL template, e.g. https://{s}.tile.example.cn/{z}/{x}/{y}.png); empty → no tiles.
MAP_TILE_URL = env_str("MAP_TILE_URL", "").strip()


def _tile_source(url: str) -> list[str]:
    """The tile server as a CSP source (Leaflet's {s} subdomain placeholder becomes a wildcard)."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return []  # empty or a path on this site: covered by 'self'
    return [f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"]


# Content-Security-Policy on every response (django-csp): scripts only from this site's own files,
# never inline (no inline <script>, no on…= attributes, no javascript: URLs, no eval: htmx's allowEval is off).
# Styles keep 'unsafe-inline': Leaflet, ECharts and htmx set element styles, and templates use style attributes;
# a style cannot run script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:", *_tile_source(MAP_TILE_URL)],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
