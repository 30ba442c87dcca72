"""Settings for the test suite: fast hashing, plain static storage, no background worker."""

from __future__ import annotations

from pathlib import Path

from config.env import env_database
from config.settings.base import *  # noqa: F403
from config.settings.base import HUEY, STATIC_ROOT

# Never the demo's database: pytest-django replaces this with a test database (in memory for SQLite, test_<name> on
# PostgreSQL); a test that somehow reached the database without it finds an empty one, not the office's data.
DATABASES = {"default": env_database("DATABASE_URL", Path(":memory:"))}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
HUEY = {**HUEY, "huey_class": "huey.MemoryHuey", "immediate": True}
HUEY.pop("filename", None)
HUEY.pop("url", None)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests serve static files through the finders; an empty collect directory keeps whitenoise quiet.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
# The webhook tests' receiver listens on this machine, which the SSRF guard refuses by default; tests of the guard
# itself override this with an empty list.
WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
