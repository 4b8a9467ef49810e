"""Django settings. Everything an operator may change comes from the environment (see docs/operator-guide.md)."""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
DATA_DIR = Path(os.environ.get("DSPT_DATA_DIR", PROJECT_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("DSPT_DEBUG", "0") == "1"
# The key comes from DSPT_SECRET_KEY, else from the file DSPT_SECRET_KEY_FILE names (`make run`
# gives the demo a random one in the data folder). Without either, a fixed development key: fine
# for tests and `DSPT_DEBUG=1`, but `dspt serve` refuses to run with it while DEBUG is off.
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production"  # noqa: S105


def _secret_key() -> str:
    if os.environ.get("DSPT_SECRET_KEY"):
        return os.environ["DSPT_SECRET_KEY"]
    key_file = os.environ.get("DSPT_SECRET_KEY_FILE", "")
    if not key_file:
        return DEV_SECRET_KEY
    from django.core.exceptions import ImproperlyConfigured

    try:
        key = Path(key_file).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"DSPT_SECRET_KEY_FILE is {key_file}, which cannot be read ({exc.strerror})."
        ) from None
    if not key:
        raise ImproperlyConfigured(f"DSPT_SECRET_KEY_FILE is {key_file}, which is empty.")
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = os.environ.get("DSPT_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]").split(
    ","
)
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DSPT_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "ninja",
    "axes",
    "django_q",
    "dspt.core",
    "dspt.accounts",
    "dspt.audit",
    "dspt.organisations",
    "dspt.frameworks",
    "dspt.assessments",
    "dspt.statuses",
    "dspt.improvement_plans",
    "dspt.assurance",
    "dspt.monitoring",
    "dspt.support",
    "dspt.notifications",
    "dspt.tasks",
    "dspt.cld",
    "dspt.access",
    "dspt.api",
    "dspt.demo",
    "dspt.home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # TRACE, CONNECT and any method the platform does not use: 405 before anything else runs.
    "dspt.core.middleware.KnownMethodsOnly",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so it runs before any view reads the body: API extract uploads written once.
    "dspt.cld.uploads.ApiUploadMiddleware",
]

ROOT_URLCONF = "dspt.urls"
WSGI_APPLICATION = "dspt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "dspt.jinja_environment.environment", "autoescape": True},
    },
    {
        # The admin site still uses Django templates.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'dspt.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers continue while a writer commits; IMMEDIATE avoids upgrade deadlocks
    # when two requests publish at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    # A file, not memory, for tests: concurrency tests need several connections to one database.
    # pytest-django gives each xdist worker its own file.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test_dspt.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked sign-in before any password is checked (dspt/accounts/throttling.py).
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "dspt.accounts.backends.EmailBackend",
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
LOGIN_URL = "/accounts/sign-in/"
LOGIN_REDIRECT_URL = "/"
# Sign-in throttling (dspt/accounts/throttling.py, on django-axes): failed sign-ins allowed for
# one email address from one network address, and from one network address whatever the email
# addresses, before a lock of LOGIN_FAILURE_WINDOW_SECONDS since the last failure.
LOGIN_FAILURE_LIMIT = int(os.environ.get("DSPT_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("DSPT_LOGIN_ADDRESS_FAILURE_LIMIT", "50"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("DSPT_LOGIN_FAILURE_WINDOW", "900"))
AXES_HANDLER = "dspt.accounts.throttling.SignInThrottle"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = 1  # SignInThrottle.get_failures is 1 when either limit above is reached
AXES_COOLOFF_TIME = "dspt.accounts.throttling.cool_off"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a refused try is not a new failure
AXES_RESET_ON_SUCCESS = True  # clears that email address's failures from that address only
AXES_USERNAME_CALLABLE = "dspt.accounts.throttling.normalise_username"
AXES_CLIENT_IP_CALLABLE = "dspt.audit.services.client_ip"  # the address the audit log records
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit log already
AXES_VERBOSE = False
# The sign-in page shows the lock itself (dspt/accounts/views.py), so axes' middleware, which
# would replace the page with its own, is not installed.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "dspt.core.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if os.environ.get("DSPT_HTTPS", "0") == "1":
    # Served over HTTPS behind a proxy that sets X-Forwarded-Proto: cookies only over HTTPS,
    # plain HTTP redirected, and browsers told to use HTTPS only (HSTS).
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = os.environ.get("DSPT_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = int(os.environ.get("DSPT_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("DSPT_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("DSPT_HSTS_PRELOAD", "1") == "1"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # The NHS.UK template adds one inline script (the js-enabled class); it carries the nonce.
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
(BASE_DIR / "static").mkdir(exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("DSPT_MEDIA_ROOT", DATA_DIR / "media"))
FILE_UPLOAD_TEMP_DIR = None
# Evidence documents and plans: size and type limits (bytes).
DSPT_MAX_UPLOAD_BYTES = int(os.environ.get("DSPT_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
# Zip-based uploads (.xlsx, .docx, .ods, .odt): the most all their parts may unpack to, and how
# much better than real documents any sizeable part may compress (dspt/core/archives.py).
DSPT_UPLOAD_MAX_UNCOMPRESSED = int(
    os.environ.get("DSPT_UPLOAD_MAX_UNCOMPRESSED", str(100 * 1024 * 1024))
)
DSPT_UPLOAD_MAX_RATIO = int(os.environ.get("DSPT_UPLOAD_MAX_RATIO", "100"))
# The same for the operator's imports (dspt import-cqc, import-ods, import-dspt-status).
DSPT_IMPORT_MAX_UNCOMPRESSED = int(
    os.environ.get("DSPT_IMPORT_MAX_UNCOMPRESSED", str(1024 * 1024 * 1024))
)
DSPT_IMPORT_MAX_RATIO = int(os.environ.get("DSPT_IMPORT_MAX_RATIO", "200"))
DSPT_IMPORT_MAX_CSV_BYTES = int(os.environ.get("DSPT_IMPORT_MAX_CSV_BYTES", str(512 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

EMAIL_BACKEND = os.environ.get(
    "DSPT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_FILE_PATH = os.environ.get("DSPT_EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
EMAIL_HOST = os.environ.get("DSPT_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DSPT_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DSPT_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DSPT_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("DSPT_EMAIL_USE_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DSPT_FROM_EMAIL", "dspt@localhost")

# Compliance monitoring: boundary files for maps (GeoJSON keyed by ONS code; default the shipped
# synthetic geometry), target and provider-size rule files.
DSPT_BOUNDARIES_DIR = os.environ.get("DSPT_BOUNDARIES_DIR", "")
DSPT_BOUNDARIES_CODE_PROPERTY = os.environ.get("DSPT_BOUNDARIES_CODE_PROPERTY", "ons_code")
DSPT_MONITORING_TARGETS_FILE = os.environ.get("DSPT_MONITORING_TARGETS_FILE", "")
DSPT_MONITORING_PROVIDER_SIZE_FILE = os.environ.get("DSPT_MONITORING_PROVIDER_SIZE_FILE", "")

# "Today" can be pinned for demos and tests (YYYY-MM-DD); unset means the real date.
DSPT_TODAY = os.environ.get("DSPT_TODAY", "")

# Background work (docs/adr/0008-task-queue.md): extract checks and processing, notification
# e-mails and the daily jobs run on django-q2 in `dspt worker`, never in a web process.
# DSPT_TASKS=queue hands work to the worker; eager runs it at once in the calling process (the
# test suite, and the demo loader, which needs each result before its next step).
DSPT_TASKS = os.environ.get("DSPT_TASKS", "queue")
# A run of one submission's check or processing that was interrupted this many times (the worker
# killed mid-job) is marked as failed instead of being tried again.
DSPT_TASK_MAX_ATTEMPTS = int(os.environ.get("DSPT_TASK_MAX_ATTEMPTS", "3"))
# When the daily jobs (reminders, watchlist alerts, claim expiry) run, local time HH:MM.
DSPT_DAILY_JOBS_AT = os.environ.get("DSPT_DAILY_JOBS_AT", "06:00")
_TASK_TIMEOUT = int(os.environ.get("DSPT_TASK_TIMEOUT", "3600"))
Q_CLUSTER = {
    # The queue's name: deployments sharing one Redis server need one each.
    "name": os.environ.get("DSPT_TASK_QUEUE", "dspt"),
    "label": "Background tasks",
    "workers": int(os.environ.get("DSPT_TASK_WORKERS", "2")),
    # A job that runs longer is stopped and recorded as failed (a check of the largest extract
    # allowed takes well under an hour on one core).
    "timeout": _TASK_TIMEOUT,
    # The database broker hands a job out again when it has not been acknowledged this long after
    # it was taken: that is how a job whose worker was killed is retried. It must exceed the
    # longest a taken job can wait in the worker's local queue plus run, hence twice the timeout.
    "retry": int(os.environ.get("DSPT_TASK_RETRY", str(2 * _TASK_TIMEOUT + 60))),
    # Take one job at a time and hold at most one waiting in the worker, so a job is never
    # locked by a worker that cannot start it soon.
    "bulk": 1,
    "queue_limit": 1,
    # How often an idle worker asks the database for work (seconds): one short read each time.
    "poll": float(os.environ.get("DSPT_TASK_POLL", "1")),
    # A job that raised has recorded its own failure (a submission is marked failed with the
    # reason): acknowledge it, so only a worker that died leaves a job to be retried.
    "ack_failures": True,
    "max_attempts": 0,
    "save_limit": 500,
    "catch_up": False,
    "guard_cycle": 0.5,
}
if os.environ.get("DSPT_TASK_REDIS"):
    # At scale: Redis as the broker (e.g. redis://127.0.0.1:6379/0). Results and schedules stay
    # in the database.
    Q_CLUSTER["redis"] = os.environ["DSPT_TASK_REDIS"]
    # Ours keeps a taken job until it is acknowledged, so a killed worker's job is run again
    # (django-q2's own Redis broker would lose it): dspt/tasks/redis_broker.py.
    Q_CLUSTER["broker_class"] = "dspt.tasks.redis_broker.ReliableRedis"
else:
    Q_CLUSTER["orm"] = "default"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DSPT_LOG_LEVEL", "WARNING")},
    # Sign-in failures and locks are in the audit log; axes would also warn on each one.
    "loggers": {"axes": {"level": "ERROR"}},
}
