"""System checks: misconfiguration is caught at start-up, not on the first request that needs it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_keys(app_configs: Any, **kwargs: Any) -> list[Warning | Error]:
    problems: list[Warning | Error] = []
    if len(str(settings.FIELD_ENCRYPTION_KEY)) < 32:
        problems.append(Error("FIELD_ENCRYPTION_KEY must be at least 32 characters.", id="jiedao.E001"))
    if settings.FIELD_ENCRYPTION_KEY == settings.SECRET_KEY:
        problems.append(
            Warning(
                "FIELD_ENCRYPTION_KEY equals SECRET_KEY; set its own so rotating one keeps the other.",
                id="jiedao.W001",
            )
        )
    return problems


@register()
def check_time_zone_and_language(app_configs: Any, **kwargs: Any) -> list[Error]:
    problems = []
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(Error(f"TIME_ZONE {settings.TIME_ZONE!r} is not a known time zone.", id="jiedao.E002"))
    if settings.LANGUAGE_CODE not in dict(settings.LANGUAGES):
        problems.append(
            Error(
                f"LANGUAGE_CODE {settings.LANGUAGE_CODE!r} is not one of {sorted(dict(settings.LANGUAGES))}.",
                id="jiedao.E003",
            )
        )
    return problems


@register()
def check_site_url(app_configs: Any, **kwargs: Any) -> list[Error]:
    url = settings.SITE_URL
    if url and not url.startswith(("http://", "https://")):
        return [Error(f"SITE_URL {url!r} must start with http:// or https://.", id="jiedao.E005")]
    return []


@register(deploy=True)
def check_site_url_set(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if not settings.SITE_URL:
        return [
            Warning(
                "SITE_URL is not set: the links in written reports are relative and break once a report leaves the "
                "site (set it to the address people reach jiedao at).",
                id="jiedao.W002",
            )
        ]
    return []


@register()
def check_map_tiles(app_configs: Any, **kwargs: Any) -> list[Error]:
    url = settings.MAP_TILE_URL
    if url and not all(part in url for part in ("{z}", "{x}", "{y}")):
        return [Error("MAP_TILE_URL must contain {z}, {x} and {y}.", id="jiedao.E004")]
    return []
