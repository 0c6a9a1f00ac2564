"""Django settings: every value comes from the environment, with developer-machine defaults."""

import datetime as dt
import re
from pathlib import Path

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from dde_site import redis_config
from dde_site.database_url import parse_database_url
from dde_site.env import (
    env_bool,
    env_float,
    env_header,
    env_int,
    env_list,
    env_proxy_ssl_header,
    env_str,
    env_url,
)
from dde_site.keepalive import DeadPeerBounds, with_dead_peer_bounds
from dde_site.logging import configure_logging
from dde_site.redis_config import redis_target

# Lets generic classes such as ModelForm[Fixture] be subscripted at run time (for mypy).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "")
if not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    # The same bar as `check --deploy`, enforced: a weak key signs sessions all the same.
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a random string of at least 50 characters when DEBUG is off "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))' makes one)."
    )
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
for origin in CSRF_TRUSTED_ORIGINS:
    if not origin.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"Set CSRF_TRUSTED_ORIGINS to origins with their scheme, like "
            f"https://dde.example.com (it has {origin!r})."
        )

# HTTPS. With DEBUG off: redirect to HTTPS, secure cookies and a year of HSTS, so that
# `check --deploy` is clean with the variables in docker/.env.example. Behind a proxy
# that terminates TLS, SECURE_PROXY_SSL_HEADER names the header carrying the original
# scheme (X-Forwarded-Proto); only set it when the proxy overwrites that header.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers and Prometheus probe inside the network, often over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^livez$", r"^healthz$", r"^metrics$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER")
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)

# /metrics answers only requests with "Authorization: Bearer <METRICS_TOKEN>"; unset: off.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
if METRICS_TOKEN and len(METRICS_TOKEN) < 16:
    raise ImproperlyConfigured(
        "Set METRICS_TOKEN to at least 16 random characters, or unset it to turn /metrics off."
    )

INSTALLED_APPS = [
    # Only for `manage.py runserver` (ASGI, websockets included); deployments run uvicorn.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "streams",
    "axes",
]

MIDDLEWARE = [
    "streams.ops.middleware.ApiRequestMetrics",
    "django.middleware.security.SecurityMiddleware",
    "dde_site.csp.content_security_policy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a refused login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

# No inline script or style anywhere (pages, admin, API docs): an injected <script> or
# style attribute does nothing. 'self' in connect-src covers ws:/wss: to this host (CSP 3).
# Images may be data: URIs (Swagger UI's icons). docs/security.md.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Browser features the site never uses, denied to it and to anything it might embed: an
# injected script cannot ask for them either (docs/security.md).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)

# Admin login guessing (django-axes): ADMIN_LOGIN_FAILURE_LIMIT failed logins for one
# username from one client address lock that pair out for ADMIN_LOGIN_COOLOFF_MINUTES;
# a correct password is refused meanwhile (429), other users and addresses are unaffected,
# and each further try restarts the wait. Counted in Postgres (the login already needs
# it), so every web process shares the count and a Redis restart forgets nothing; the
# admin lists the attempts, and `manage.py axes_reset` lifts a lockout. Behind a proxy,
# CLIENT_IP_HEADER names the header carrying the visitor's address (docs/security.md).
AUTHENTICATION_BACKENDS = [
    "dde_site.auth.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("ADMIN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_float("ADMIN_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "dde_site.auth.client_ip"
AXES_USERNAME_CALLABLE = "dde_site.auth.login_username"
# Only set when the proxy overwrites it, and the web process is reachable through the proxy alone:
# anyone who can set it themselves could claim a new address on every try.
CLIENT_IP_HEADER = env_header("CLIENT_IP_HEADER", "X-Real-IP")

ROOT_URLCONF = "dde_site.urls"
ASGI_APPLICATION = "dde_site.asgi.application"
WSGI_APPLICATION = "dde_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Postgres through psycopg 3 with a per-process connection pool: a listeners worker runs
# hundreds of listener threads, and each returns its connection after every transaction
# so they share a handful of connections instead of one each (DESIGN.md, "Locks scale").
DATABASE_URL = env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dde")
DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 8, minimum=0)

# Dead-peer detection on every connection to Postgres and Redis (dde_site/keepalive.py,
# docs/operations.md "Network failures"): a peer silent for longer than TCP_USER_TIMEOUT_SECONDS
# is dropped by both ends, so a partitioned worker's advisory locks are freed and the worker
# itself knows it lost them within that bound, instead of Linux's two hours.
DEAD_PEER_BOUNDS = DeadPeerBounds(
    idle_seconds=env_int("TCP_KEEPALIVE_IDLE_SECONDS", 5, minimum=1),
    interval_seconds=env_int("TCP_KEEPALIVE_INTERVAL_SECONDS", 2, minimum=1),
    count=env_int("TCP_KEEPALIVE_COUNT", 3, minimum=1),
    user_timeout_seconds=env_float("TCP_USER_TIMEOUT_SECONDS", 12.0, minimum=1.0),
    connect_timeout_seconds=env_int("DATABASE_CONNECT_TIMEOUT_SECONDS", 5, minimum=1),
)
# Every connection is checked before use: after a Postgres restart or failover each one is
# dead, and unchecked each failed a request before it was dropped (docs/reliability.md).
# Pooled connections are checked by dde_site.postgres as the pool hands them out, others
# by Django's health check. Several hosts in DATABASE_URL (with target_session_attrs) let
# every connection find the primary after a failover (dde_site/database_url.py).
DATABASES = {
    "default": {
        **parse_database_url(DATABASE_URL),
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": not DATABASE_POOL_SIZE,
    }
}
DATABASES["default"]["OPTIONS"] = with_dead_peer_bounds(
    DATABASES["default"]["OPTIONS"], DEAD_PEER_BOUNDS
)
if DATABASE_POOL_SIZE:
    DATABASES["default"]["ENGINE"] = "dde_site.postgres"
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL_SIZE,
        "timeout": 30,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# How a packet transaction commits before viewers are told of it (streams/feed/statement.py,
# docs/operations.md "Network failures"): off is safe on one Postgres (a crash takes the
# listener with it); with a standby that may be promoted, on or remote_write (with
# synchronous_standby_names on the primary) so that no viewer sees a commit a failover loses.
SYNCHRONOUS_COMMIT_LEVELS = ("off", "local", "remote_write", "on", "remote_apply")
DDE_SYNCHRONOUS_COMMIT = env_str("DDE_SYNCHRONOUS_COMMIT", "off").strip().lower()
if DDE_SYNCHRONOUS_COMMIT not in SYNCHRONOUS_COMMIT_LEVELS:
    raise ImproperlyConfigured(
        f"Set DDE_SYNCHRONOUS_COMMIT to one of {', '.join(SYNCHRONOUS_COMMIT_LEVELS)} "
        f"(it is {env_str('DDE_SYNCHRONOUS_COMMIT', '')!r})."
    )

REDIS_URL = env_url("REDIS_URL", "redis://127.0.0.1:6379/0", schemes=("redis", "rediss"))
# With Sentinels, every Redis client asks them for the master of REDIS_SENTINEL_MASTER at
# each (re)connect; REDIS_URL then gives only the database number and password.
REDIS_TARGET = redis_target(
    REDIS_URL,
    env_str("REDIS_SENTINELS", ""),
    env_str("REDIS_SENTINEL_MASTER", "").strip(),
    env_str("REDIS_SENTINEL_PASSWORD", ""),
)
REDIS_SENTINELS = REDIS_TARGET.sentinels
REDIS_SENTINEL_MASTER = REDIS_TARGET.master
REDIS_SENTINEL_PASSWORD = REDIS_TARGET.sentinel_password
# The connection keywords of every Redis client (keepalives, user timeout, bounded reads, a
# PING on a connection idle longer than REDIS_HEALTH_CHECK_SECONDS). The socket timeout
# bounds a command to a hung Redis; kombu's blocking reads wait 1 s, so it must exceed that.
REDIS_CONNECTION_OPTIONS = redis_config.connection_options(
    DEAD_PEER_BOUNDS,
    socket_timeout=env_float("REDIS_SOCKET_TIMEOUT_SECONDS", 5.0, minimum=2.0),
    health_check_interval=env_float("REDIS_HEALTH_CHECK_SECONDS", 10.0, minimum=1.0),
)

# The pub/sub layer, not the core one: a group send is one PUBLISH, and each web process
# subscribes to a group once and fans out to its viewers in memory. The core layer keeps a
# Redis list per consumer and writes every group message into each of them, which near a
# thousand viewers of one match ends in Redis read time-outs and "too many connections".
# Delivery is at most once; viewers never depend on it, because every event carries its
# position and a consumer that sees a gap catches up from Postgres. Each event loop (one
# per web process, one per listener) keeps one connection. ``socket_timeout`` bounds a
# publish to a hung Redis; idle subscribers poll with their own short timeout, so a viewer
# waiting for kick-off is never closed by it.
# Redis pub/sub channels are server-wide, whatever the database number in REDIS_URL: the
# prefix keeps deployments (and concurrent test runs) sharing one Redis apart.
CHANNEL_LAYER_PREFIX = env_str("CHANNEL_LAYER_PREFIX", "dde")
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "prefix": CHANNEL_LAYER_PREFIX,
            "hosts": [redis_config.channel_layer_host(REDIS_TARGET, REDIS_CONNECTION_OPTIONS)],
        },
    },
}

# Celery: JSON only; a listener task is acknowledged on receipt because the beat dispatcher,
# not the broker, makes listening durable (DESIGN.md "Durability comes from the dispatcher").
CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = redis_config.celery_broker(
    REDIS_TARGET, REDIS_CONNECTION_OPTIONS
)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_DEFAULT_QUEUE = "listeners"
DISPATCH_INTERVAL_SECONDS = env_float("DISPATCH_INTERVAL_SECONDS", 5.0, minimum=0.5)
# Fixture sync from the vendor's Fixtures API (streams/feed/sync.py): fixtures kicking off
# within FIXTURE_SYNC_NEAR_HOURS are fetched every FIXTURE_SYNC_NEAR_SECONDS, those up to
# FIXTURE_SYNC_FAR_DAYS ahead every FIXTURE_SYNC_FAR_SECONDS.
FIXTURE_SYNC_NEAR_SECONDS = env_float("FIXTURE_SYNC_NEAR_SECONDS", 60.0, minimum=5.0)
FIXTURE_SYNC_NEAR_HOURS = env_float("FIXTURE_SYNC_NEAR_HOURS", 24.0, minimum=1.0)
FIXTURE_SYNC_FAR_SECONDS = env_float("FIXTURE_SYNC_FAR_SECONDS", 3600.0, minimum=60.0)
FIXTURE_SYNC_FAR_DAYS = env_int("FIXTURE_SYNC_FAR_DAYS", 14, minimum=1)
FIXTURE_SYNC_PAGE_SIZE = env_int("FIXTURE_SYNC_PAGE_SIZE", 100, minimum=1)
# A fixture from the vendor is listened to from this long before kick-off to this long after.
FIXTURE_LISTEN_BEFORE_MINUTES = env_float("FIXTURE_LISTEN_BEFORE_MINUTES", 30.0, minimum=0.0)
FIXTURE_LISTEN_AFTER_MINUTES = env_float("FIXTURE_LISTEN_AFTER_MINUTES", 180.0, minimum=1.0)
# A finished fixture is compared with the vendor's post-match list this long after its end.
RECONCILE_DELAY_SECONDS = env_float("RECONCILE_DELAY_SECONDS", 30.0, minimum=0)
CELERY_BEAT_SCHEDULE = {
    "dispatch-listeners": {
        "task": "streams.tasks.dispatch_listeners",
        "schedule": DISPATCH_INTERVAL_SECONDS,
        "options": {"expires": DISPATCH_INTERVAL_SECONDS},
    },
    # The safety net under the listener's nudge: deliveries due and not in flight.
    "sweep-webhooks": {
        "task": "streams.tasks.sweep_webhooks",
        "schedule": DISPATCH_INTERVAL_SECONDS,
        "options": {"expires": DISPATCH_INTERVAL_SECONDS},
    },
    "sync-fixtures-near": {
        "task": "streams.tasks.sync_fixtures",
        "schedule": FIXTURE_SYNC_NEAR_SECONDS,
        "args": ("near",),
        "options": {"expires": FIXTURE_SYNC_NEAR_SECONDS},
    },
    "sync-fixtures-far": {
        "task": "streams.tasks.sync_fixtures",
        "schedule": FIXTURE_SYNC_FAR_SECONDS,
        "args": ("far",),
        "options": {"expires": FIXTURE_SYNC_FAR_SECONDS},
    },
}

# The upstream DDE feed (the built-in simulator by default; see README to use the real feed).
DDE_STREAMS_URL = env_url("DDE_STREAMS_URL", "ws://127.0.0.1:8765", schemes=("ws", "wss"))
DDE_API_URL = env_url("DDE_API_URL", "http://127.0.0.1:8765", schemes=("http", "https"))
DDE_AUTH_TOKEN = env_str("DDE_AUTH_TOKEN", "demo-token")
DDE_SPORT = env_str("DDE_SPORT", "soccer")
# One limit for the whole cluster's vendor REST calls and websocket (re)connects, kept in
# Redis (streams/feed/ratelimit.py); the vendor asks for at most 5 requests a second. The
# margin widens the counted window for network jitter between our grant and its arrival.
DDE_RATE_LIMIT_PER_SECOND = env_int("DDE_RATE_LIMIT_PER_SECOND", 5, minimum=1)
DDE_RATE_LIMIT_MARGIN_SECONDS = env_float("DDE_RATE_LIMIT_MARGIN_SECONDS", 0.2, minimum=0.0)
# Silence longer than this means a dead feed: the vendor heartbeats every 10 s, so 18 s
# tolerates one late heartbeat and still notices a stall well within 20 s.
DDE_WATCHDOG_SECONDS = env_float("DDE_WATCHDOG_SECONDS", 18.0, minimum=0.1)
DDE_MAX_FRAME_BYTES = env_int("DDE_MAX_FRAME_BYTES", 1_048_576, minimum=1024)
# The most one frame may be buffered in memory. Frames over DDE_MAX_FRAME_BYTES but under
# this are read whole and recorded as rejected; a frame beyond it ends the connection
# (close 1009) and is recorded with its size only, then skipped (docs/security.md).
DDE_FRAME_CEILING_BYTES = env_int(
    "DDE_FRAME_CEILING_BYTES", max(64 * 1_048_576, DDE_MAX_FRAME_BYTES), minimum=DDE_MAX_FRAME_BYTES
)
# Packets already waiting are stored together, up to this many per transaction (replays).
LISTENER_BATCH_MAX = env_int("LISTENER_BATCH_MAX", 500, minimum=1)
# Threads doing the listeners' database work in each worker process (each takes a pooled
# connection only while storing); keep it at or below DATABASE_POOL_SIZE.
LISTENER_STORE_THREADS = env_int("LISTENER_STORE_THREADS", 4, minimum=1)
# How long a listener waits after the vendor rejects the token before trying again.
LISTENER_AUTH_RETRY_SECONDS = env_float("LISTENER_AUTH_RETRY_SECONDS", 60.0, minimum=0.1)

# Webhooks (streams/webhooks/, docs/api.md): a failing delivery is retried with exponential
# backoff and full jitter, from the base delay up to the cap, for this long; then the
# endpoint is disabled. Each POST gives up after the timeout.
WEBHOOK_RETRY_FOR_SECONDS = env_float("WEBHOOK_RETRY_FOR_SECONDS", 86_400.0, minimum=0.1)
WEBHOOK_RETRY_BASE_SECONDS = env_float("WEBHOOK_RETRY_BASE_SECONDS", 1.0, minimum=0.0)
WEBHOOK_RETRY_MAX_SECONDS = env_float("WEBHOOK_RETRY_MAX_SECONDS", 600.0, minimum=0.0)
WEBHOOK_TIMEOUT_SECONDS = env_float("WEBHOOK_TIMEOUT_SECONDS", 5.0, minimum=0.1)

# The REST API (streams/api/, docs/api.md): read-only, token or staff session, JSON errors.
# ``?format=`` is ours (json, csv, ndjson), so DRF's own format override is off.
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "120/min")
if not re.fullmatch(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", API_THROTTLE_RATE):
    raise ImproperlyConfigured(
        f"Set API_THROTTLE_RATE to a count per unit, like 120/min (it is {API_THROTTLE_RATE!r})."
    )
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 100, minimum=1)
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 1000, minimum=1)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "streams.api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["streams.api.auth.IsApiReader"],
    "DEFAULT_THROTTLE_CLASSES": ["streams.api.auth.ApiThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["streams.api.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DDE live actions API",
    "DESCRIPTION": "Stored fixtures, actions and raw packets; see docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Swagger UI from drf-spectacular-sidecar's static files: the machines are offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Throttle counters live in Redis so every web process counts against the same limit.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "api",
        # A throttle check waits at most 2 s for Redis, not the layer's 5 s.
        "OPTIONS": redis_config.cache_options(
            REDIS_TARGET, {**REDIS_CONNECTION_OPTIONS, "socket_timeout": 2}
        ),
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

LOGIN_URL = "admin:login"

# Error reports (DEBUG page, mails to ADMINS) hide secrets wherever they turn up.
DEFAULT_EXCEPTION_REPORTER = "dde_site.reporting.SecretSafeExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "dde_site.reporting.SecretSafeReporterFilter"

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOG_JSON = env_bool("LOG_JSON", not DEBUG)
LOGGING_CONFIG = None
configure_logging(level=LOG_LEVEL, json=LOG_JSON)
