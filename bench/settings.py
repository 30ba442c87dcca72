"""Settings for the benchmarks: the product's own, with static files served from the finders (no collect step)."""

from config.settings.base import *  # noqa: F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# bench/integrations.py delivers its webhooks to a receiver on this machine, which the SSRF guard refuses otherwise.
WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
