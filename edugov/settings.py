"""Django settings. SQLite in a data folder by default; DATABASE_URL switches to PostgreSQL."""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from edugov.env import data_dir, env_bool, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

DEBUG = env_bool("EDUGOV_DEBUG", False)


def _secret_key() -> str:
    # A fresh install must work without configuration, yet sessions must survive restarts:
    # keep a generated key next to the data it protects.
    configured = env_str("EDUGOV_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(50)
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(key, encoding="utf-8")
    except OSError:
        pass
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h for h in env_str("EDUGOV_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "edugov.core",
    "edugov.registry",
    "edugov.stats",
    "edugov.dataio",
    "edugov.web",
    "edugov.api",
    "edugov.demo",
    "edugov.indicators",
    "edugov.allocation",
    "edugov.plans",
    "edugov.enrolment",
    "edugov.cases",
    "edugov.aid",
    "edugov.evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Chinese unless the user picked English in the header (browsers on English Windows must not flip the UI).
    "edugov.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "edugov.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "edugov.urls"
WSGI_APPLICATION = "edugov.wsgi.application"

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
                "edugov.web.context.navigation",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{DATA_DIR / 'edugov.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_sqlite), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while an import writes; the timeout covers the short write lock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Chinese first: Simplified Chinese by default, English on request.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Only needed for `collectstatic` in a production deployment behind another web server.
STATIC_ROOT = env_str("EDUGOV_STATIC_ROOT") or None
# Static files are served by WhiteNoise straight from the app folders, so the demo needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"

# Uploaded workbooks are streamed to disk; the limit protects the server, not the format.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
EDUGOV_IMPORT_MAX_BYTES = 200 * 1024 * 1024
# Web imports validate and apply in a background thread so that the page can show progress; tests run them inline.
EDUGOV_IMPORT_SYNC = env_bool("EDUGOV_IMPORT_SYNC", False)

# API tokens stop working this many hours after they were issued; logging in again gives a new one.
EDUGOV_TOKEN_TTL_HOURS = int(env_str("EDUGOV_TOKEN_TTL_HOURS", "168"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "edugov.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"login": env_str("EDUGOV_LOGIN_RATE", "20/min")},
    # Exact numbers: Decimals travel as strings, never as binary floats.
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "edugov API",
    "DESCRIPTION": "教育治理平台 REST API。所有结果按用户所属机构范围过滤。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Bureau intranets are often offline: serve the Swagger UI and Redoc assets ourselves.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("EDUGOV_LOG_LEVEL", "WARNING")},
}
