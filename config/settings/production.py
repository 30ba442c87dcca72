"""Production settings: every secret from the environment, HTTPS only, hardened cookies and headers."""

from __future__ import annotations

from config.env import env_bool, env_database, env_int, env_str
from config.settings.base import *  # noqa: F403
from config.settings.base import VAR_DIR

SECRET_KEY = env_str("SECRET_KEY")
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY")
env_str("DATABASE_URL")  # production never falls back to the embedded SQLite file
DATABASES = {"default": env_database("DATABASE_URL", VAR_DIR / "unused.sqlite3")}
DEBUG = False

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
