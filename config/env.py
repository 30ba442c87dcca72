"""Typed readers for environment variables that fail loudly on bad values."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_MISSING = object()


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str | object = _MISSING) -> str:
    """Return the variable `name`, or `default`; raise if it is unset and has no default."""
    value = _raw(name)
    if value is not None:
        return value
    if default is _MISSING:
        raise ImproperlyConfigured(f"Environment variable {name} is required but not set.")
    return str(default)


def env_bool(name: str, default: bool) -> bool:
    """Return a boolean variable; accept 1/0, true/false, yes/no, on/off and nothing else."""
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"Environment variable {name}={value!r} is not a boolean (use true or false).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Return an integer variable, checking an optional lower bound."""
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"Environment variable {name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"Environment variable {name}={number} must be at least {minimum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated list variable (blank items dropped)."""
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_database(name: str, default_sqlite: Path) -> dict[str, Any]:
    """Return a Django DATABASES entry from a URL (postgres:// or sqlite:///), SQLite by default."""
    value = _raw(name)
    if value is None:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(default_sqlite),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": _SQLITE_PRAGMAS},
        }
    if not value.startswith(("postgres://", "postgresql://", "sqlite:///")):
        raise ImproperlyConfigured(
            f"Environment variable {name} must be a postgres:// or sqlite:/// URL, got {value.split(':', 1)[0]}://…"
        )
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(value, conn_max_age=60, conn_health_checks=True))
    except ValueError as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is not a valid database URL: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": _SQLITE_PRAGMAS}
        config["CONN_MAX_AGE"] = 0
    return config


# WAL lets the web server and the worker read while the other writes.
_SQLITE_PRAGMAS = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
