"""Settings shared by every environment; every deployment-specific value comes from the environment."""

from __future__ import annotations

import secrets
from pathlib import Path

import django_stubs_ext

from config.env import env_bool, env_database, env_int, env_list, env_str

# Lets models subscript generic Django classes (QuerySet[Model], Field[...]) at run time, as mypy sees them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("JIEDAO_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _local_secret_key() -> str:
    """Keep a generated key in var/ so a local install works without configuration."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env_str("SECRET_KEY", "") or _local_secret_key()
# Separate key for column encryption and keyed hashes of personal data; rotating SECRET_KEY must not
# make stored ID numbers unreadable.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY", "") or SECRET_KEY
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "jiedao.core",
    "jiedao.audit",
    "jiedao.places",
    "jiedao.units",
    "jiedao.workdays",
    "jiedao.categories",
    "jiedao.accounts",
    "jiedao.cases",
    "jiedao.notifications",
    "jiedao.analytics",
    "jiedao.triage",
    "jiedao.hotspots",
    "jiedao.reports",
    "jiedao.api",
    "jiedao.integrations",
    "jiedao.open311",
    "jiedao.upstream",
    "jiedao.web",
    "jiedao.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jiedao.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jiedao.core.middleware.DatabaseBusyMiddleware",
    "jiedao.core.middleware.HtmxLoginRedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "jiedao.web.context.navigation",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", VAR_DIR / "jiedao.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["jiedao.accounts.backends.LockoutModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jiedao.accounts.passwords.CharacterClassValidator"},
]
# Lockout: this many failures for one username (or one address) within the window lock it for the window.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
# Audit rows of logins and personal-data views are kept this long (PIPL: keep retention short).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365, minimum=30)

# Idle sessions end after SESSION_IDLE_MINUTES; every request renews the window.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 120, minimum=5) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# One language per deployment (no per-browser switching): staff see the same words as their colleagues.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "jiedao" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end packages come from the npm registry at build time; `make` copies the files we serve here.
STATICFILES_DIRS = [("vendor", BASE_DIR / "var" / "vendor")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "jiedao",
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "jiedao",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# A running clock turns yellow when this share of its limit is used (local practice: often 80 %).
CASE_WARNING_SHARE = env_int("CASE_WARNING_PERCENT", 80, minimum=1) / 100

# Outbound notification channels (the in-app centre is always on): name → dotted path of a class implementing
# jiedao.notifications.channels.Channel. The defaults append JSON lines to var/outbox/<name>.jsonl; a deployment
# with an SMS gateway or 企业微信 points the name at its own class. An unknown path stops start-up (system check).
NOTIFICATION_CHANNELS = {
    "sms": "jiedao.notifications.channels.FileChannel",
    "wecom": "jiedao.notifications.channels.FileChannel",
}

# Short messages to residents' phones (e.g. an approved extension): the dotted path of a class implementing
# jiedao.notifications.channels.ResidentChannel. The default appends JSON lines (the phone's
# last four digits only) to var/outbox/resident_sms.jsonl; a deployment points it at its SMS gateway's class
# (environment variable RESIDENT_SMS_CHANNEL), or sets it to "" in its settings module to send residents nothing.
RESIDENT_SMS_CHANNEL = env_str("RESIDENT_SMS_CHANNEL", "jiedao.notifications.channels.FileResidentSms")

# Webhooks (SSRF guard, jiedao.integrations.targets): never to loopback, link-local (cloud metadata), multicast or
# reserved addresses. Private networks (10/8, 172.16/12, 192.168/16, fc00::/7) are where 政务外网 systems live, so
# they are allowed unless WEBHOOK_ALLOW_PRIVATE_NETWORKS=false. WEBHOOK_ALLOWED_HOSTS: comma-separated host names,
# addresses or CIDR networks allowed all the same (e.g. a receiver on this machine); empty by default.
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", True)
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS", [])

# The address people reach jiedao at (https://jiedao.example.gov.cn): written reports link each figure to the
# cases behind it with it, so the links still work in a report opened from disk or forwarded. Empty: links relative
# to the site (`check --deploy` warns).
SITE_URL = env_str("SITE_URL", "").rstrip("/")

# Map: no online tiles by default (the office network may have none); a deployment with a tile server
# sets MAP_TILE_URL, e.g. https://tiles.example.gov.cn/{z}/{x}/{y}.png
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # The huey consumer installs its own handler on the "huey" logger; do not print its lines twice.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "huey": {"level": "INFO", "propagate": False}},
}
