"""Keshang settings.

Everything that differs between a laptop and a team server comes from the environment
(django-environ); ``KESHANG_ENV=production`` switches on the hardened settings that
``manage.py check --deploy`` asks for.
"""

import os
import secrets
from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env") if (BASE_DIR / ".env").exists() else None

VAR_DIR = Path(env("KESHANG_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

KESHANG_ENV = env("KESHANG_ENV", default="development")
PRODUCTION = KESHANG_ENV == "production"
TESTING = env.bool("KESHANG_TESTING", default=False)


def _local_secret_key() -> str:
    """A development key kept under var/ so sessions survive restarts; production must set SECRET_KEY."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env("SECRET_KEY") if PRODUCTION else env("SECRET_KEY", default=None) or _local_secret_key()


def _local_field_key() -> str:
    """A development key for encrypted columns, kept under var/; production must set KESHANG_FIELD_KEY."""
    from cryptography.fernet import Fernet

    key_file = VAR_DIR / "field_key"
    if not key_file.exists():
        key_file.write_text(Fernet.generate_key().decode())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


# Comma-separated Fernet keys for encrypted columns: the first encrypts, all decrypt (rotation).
KESHANG_FIELD_KEYS = (
    env.list("KESHANG_FIELD_KEY") if PRODUCTION else env.list("KESHANG_FIELD_KEY", default=[]) or [_local_field_key()]
)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Trust X-Forwarded-For for the audit trail only behind a reverse proxy that sets it.
KESHANG_BEHIND_PROXY = env.bool("KESHANG_BEHIND_PROXY", default=False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "huey.contrib.djhuey",
    "axes",
    "keshang.core",
    "keshang.org",
    "keshang.partners",
    "keshang.catalog",
    "keshang.sales",
    "keshang.contracts",
    "keshang.web",
]
if TESTING:
    # An owned model that exercises the data scope before business apps exist (core/tests/scopeapp).
    INSTALLED_APPS.append("keshang.core.tests.scopeapp")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "keshang.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "keshang.core.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "keshang.core.middleware.SearchRateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "keshang.core.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "keshang.urls"
WSGI_APPLICATION = "keshang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "keshang.web.context_processors.shell",
            ],
        },
    }
]

#
# Database: SQLite file under var/ by default, PostgreSQL through DATABASE_URL
#

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'keshang.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock when a transaction starts, so concurrent writers queue on
        # busy_timeout instead of failing with "database is locked" on lock upgrade (STYLE.md §6).
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # A file, not shared-cache memory: threads in the concurrency tests need real file locking.
    # One per process, so two test runs on one checkout never share (and destroy) each other's database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_keshang_{os.getpid()}.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

#
# Authentication and security
#

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is slow on purpose; tests create hundreds of users. test_security asserts Argon2 is the default.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

# Searches (a non-empty ?q=) per user per minute, on pages and the API; 0 = no limit. Off in tests (a test
# turns it on) and raised by the bench, whose search step fires many searches as one user.
KESHANG_SEARCH_RATE = env.int("KESHANG_SEARCH_RATE", default=0 if TESTING else 60)

AXES_FAILURE_LIMIT = env.int("KESHANG_LOGIN_FAILURE_LIMIT", default=5)
# Throttle, never lock (issue 12, finding 9; keshang.org.throttling): failures count per account *and*
# address, so a stranger cannot lock a user out, and one person's typos do not stop colleagues behind the
# same office address. Past the limit the address waits the base delay, doubled for each further failure,
# up to the maximum; failures are forgotten after a day without one.
AXES_HANDLER = "keshang.org.throttling.ThrottlingHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(hours=24)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
KESHANG_LOGIN_THROTTLE_BASE = timedelta(minutes=env.int("KESHANG_LOGIN_COOLOFF_MINUTES", default=1))
KESHANG_LOGIN_THROTTLE_MAX = timedelta(minutes=env.int("KESHANG_LOGIN_THROTTLE_MAX_MINUTES", default=60))
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

SESSION_COOKIE_AGE = env.int("KESHANG_SESSION_SECONDS", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

#
# Language, time
#

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

#
# Static and media files, served by whitenoise; vendor assets come from installed packages
#

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [
    ("vendor/bootstrap", Path(find_spec("bootstrap").submodule_search_locations[0])),
    # plotly.min.js, the charting library of the funnel and the dashboards, as the plotly wheel ships it.
    ("vendor/plotly", Path(find_spec("plotly").submodule_search_locations[0]) / "package_data"),
]
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Serve straight from the finders outside production, so tests and `make run` need no collectstatic step.
WHITENOISE_USE_FINDERS = not PRODUCTION

#
# E-mail: console by default, SMTP through EMAIL_URL (e.g. smtp+tls://user:pass@host:587)
#

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Keshang <noreply@keshang.local>")

# The letterhead of printed and e-mailed documents (quotations, orders).
KESHANG_COMPANY = {
    "name": env("KESHANG_COMPANY_NAME", default="客商示范贸易有限公司"),
    "address": env("KESHANG_COMPANY_ADDRESS", default=""),
    "phone": env("KESHANG_COMPANY_PHONE", default=""),
}

#
# Background jobs: Huey, SQLite storage embedded or Redis when REDIS_URL is set
#

REDIS_URL = env("REDIS_URL", default="")

# Partners' duplicate control (partners/services/duplicates.py): "block_others" refuses a copy of a partner
# someone else owns and lets the user confirm one of their own or of the pool; "warn" lets the user confirm every
# suspected duplicate; "block" refuses every one. A repeated credit code is always refused.
KESHANG_PARTNER_DUPLICATES = env("KESHANG_PARTNER_DUPLICATES", default="block_others")
HUEY = {
    "name": "keshang",
    # Tests run jobs in-process; KESHANG_HUEY_IMMEDIATE=off lets a test's child process use the real store.
    "immediate": env.bool("KESHANG_HUEY_IMMEDIATE", default=TESTING),
    "consumer": {"workers": env.int("KESHANG_WORKERS", default=2), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")})

# Scheduled backup (core.tasks): daily at KESHANG_BACKUP_HOUR:KESHANG_BACKUP_MINUTE local time into
# KESHANG_BACKUP_DIR, keeping the newest KESHANG_BACKUP_KEEP; KESHANG_BACKUP_SCHEDULE=off turns it off.
KESHANG_BACKUP_SCHEDULE = env.bool("KESHANG_BACKUP_SCHEDULE", default=True)
KESHANG_BACKUP_HOUR = env.int("KESHANG_BACKUP_HOUR", default=3)
KESHANG_BACKUP_MINUTE = env.int("KESHANG_BACKUP_MINUTE", default=15)
KESHANG_BACKUP_KEEP = env.int("KESHANG_BACKUP_KEEP", default=14)
KESHANG_BACKUP_DIR = env("KESHANG_BACKUP_DIR", default="")  # empty: VAR_DIR/backups
# An import or validation whose process has not reported for this long is marked failed.
# Price control of every priced document (core.documents.pricecontrol): a discount above this (in %), or a line
# below its minimum price, needs approval.
KESHANG_MAX_DISCOUNT_PERCENT = env.int("KESHANG_MAX_DISCOUNT_PERCENT", default=15)
# The open period of dated documents (core.documents.dates): None = from the first day of the current month, or a
# number of days back; earlier dates need the document type's back-dating grant. Dates further ahead than
# KESHANG_DOCUMENT_MAX_FUTURE_DAYS are refused.
KESHANG_OPEN_PERIOD_DAYS = env.int("KESHANG_OPEN_PERIOD_DAYS", default=None)
KESHANG_DOCUMENT_MAX_FUTURE_DAYS = env.int("KESHANG_DOCUMENT_MAX_FUTURE_DAYS", default=366)
KESHANG_IMPORT_STALE_SECONDS = env.int("KESHANG_IMPORT_STALE_SECONDS", default=600)
# Contracts (issue 13). Payment terms are non-standard (a condition approval flows may route on) when a stage is
# paid more than KESHANG_CONTRACT_STANDARD_MAX_DAYS after its trigger, or a sales contract's first stage is less
# than KESHANG_CONTRACT_MIN_DEPOSIT_PERCENT of its amount. Owners are told once when a contract in force ends
# within KESHANG_CONTRACT_EXPIRY_NOTICE_DAYS working days, or a payment stage is due within
# KESHANG_STAGE_DUE_NOTICE_DAYS days.
KESHANG_CONTRACT_STANDARD_MAX_DAYS = env.int("KESHANG_CONTRACT_STANDARD_MAX_DAYS", default=90)
KESHANG_CONTRACT_MIN_DEPOSIT_PERCENT = env.int("KESHANG_CONTRACT_MIN_DEPOSIT_PERCENT", default=30)
KESHANG_CONTRACT_EXPIRY_NOTICE_DAYS = env.int("KESHANG_CONTRACT_EXPIRY_NOTICE_DAYS", default=30)
KESHANG_STAGE_DUE_NOTICE_DAYS = env.int("KESHANG_STAGE_DUE_NOTICE_DAYS", default=7)

# Upload limits (core.importing, core.attachments): file sizes, and what a zip container (.xlsx, .docx…)
# may unpack to before it is refused as a bomb.
KESHANG_IMPORT_MAX_BYTES = env.int("KESHANG_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
KESHANG_IMPORT_MAX_ROWS = env.int("KESHANG_IMPORT_MAX_ROWS", default=200_000)
# API tokens expire this many days after they are obtained (org.ApiToken).
KESHANG_API_TOKEN_DAYS = env.int("KESHANG_API_TOKEN_DAYS", default=30)
KESHANG_ATTACHMENT_MAX_BYTES = env.int("KESHANG_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
KESHANG_MAX_UNPACKED_BYTES = env.int("KESHANG_MAX_UNPACKED_BYTES", default=256 * 1024 * 1024)

#
# REST API
#

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "keshang.org.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "keshang.core.pagination.StrictFilterBackend",
        "keshang.core.pagination.MaskedOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "keshang.core.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "keshang.core.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Keshang 客商 API",
    "DESCRIPTION": "客商管理系统 REST API。所有列表均按当前用户的数据权限过滤。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a field called "status"; name their enums instead of numbering them.
    "ENUM_NAME_OVERRIDES": {
        "PartnerStatusEnum": "keshang.partners.models.PartnerStatus",
        "ImportStatusEnum": "keshang.core.models.ImportStatus",
        "ApprovalTaskStatusEnum": "keshang.core.models.ApprovalTaskStatus",
        "ApprovalStatusEnum": "keshang.core.models.ApprovalStatus",
        "QuotationStatusEnum": "keshang.sales.models.QuotationStatus",
        "SalesOrderStatusEnum": "keshang.sales.models.SalesOrderStatus",
        "OpportunityStatusEnum": "keshang.sales.models.OpportunityStatus",
        "ProductStatusEnum": "keshang.catalog.models.ProductStatus",
        # A contract's and a contract category's kind (the category's may be blank): one enum, named.
        "ContractKindEnum": "keshang.contracts.models.ContractKind",
    },
    # Every operation documents the errors the one error handler answers (core.api).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "keshang.core.api.document_error_responses",
    ],
}

#
# Logging: to stderr, so gunicorn and the Huey consumer share one stream
#

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refused": {"()": "keshang.core.middleware.RefusedRequestFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # fontTools logs every font subset fpdf2 and pyHanko make at INFO: dozens of lines per printed contract.
        "fontTools": {"level": "WARNING"},
        # A refused request is one line from keshang.refused, not django.request's traceback (issue 12, finding 16).
        "django.request": {"filters": ["refused"]},
    },
}

KESHANG_SITE_NAME = _("客商管理系统")

# Electronic signing (issue 13): how long a signing link works, after how many unused days its creator is reminded,
# requests per address per minute on the public signing page (0: no limit), the time-stamping authority (empty:
# none, signatures carry the server's clock), the site's address for links sent by e-mail, and the e-sign provider.
KESHANG_SIGN_LINK_DAYS = env.int("KESHANG_SIGN_LINK_DAYS", default=7)
KESHANG_SIGN_LINK_REMIND_DAYS = env.int("KESHANG_SIGN_LINK_REMIND_DAYS", default=3)
KESHANG_SIGN_RATE = env.int("KESHANG_SIGN_RATE", default=0 if TESTING else 30)
KESHANG_TSA_URL = env("KESHANG_TSA_URL", default="")
KESHANG_BASE_URL = env("KESHANG_BASE_URL", default="")
KESHANG_ESIGN_PROVIDER = env("KESHANG_ESIGN_PROVIDER", default="builtin")
