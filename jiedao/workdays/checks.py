"""System check: warn when the calendar falls back to Monday–Friday for the year cases are being counted in.

The package needs no database; the overrides do, so, as Django's own database checks, this one reads them only
when the check run may use the database: `jiedao migrate` and `jiedao check --database default`. Without that
it stays quiet about years the package does not know rather than warn about overrides it cannot see.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.checks import Warning, register
from django.db import DEFAULT_DB_ALIAS, DatabaseError

from jiedao.core import clock
from jiedao.workdays.calendar import known_years, package_data


def years_to_cover() -> list[int]:
    """The current year, and the next one in December (its schedule is published in November/December)."""
    try:
        zone = ZoneInfo(settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("Asia/Shanghai")  # a bad TIME_ZONE is jiedao.E002's to report
    today = clock.now().astimezone(zone).date()
    return [today.year, today.year + 1] if today.month == 12 else [today.year]


@register()
def check_calendar_years(app_configs: Any, databases: Sequence[str] | None = None, **kwargs: Any) -> list[Warning]:
    if app_configs is not None and not any(config.label == "workdays" for config in app_configs):
        return []
    unknown_to_package = [year for year in years_to_cover() if year not in package_data().years]
    if not unknown_to_package or DEFAULT_DB_ALIAS not in (databases or ()):
        return []
    try:
        known = known_years()
    except DatabaseError:
        # Before the first migrate there is no overrides table: only the package counts.
        known = package_data().years
    return [
        Warning(
            f"The working-day calendar has no data for {year}: neither the chinesecalendar package "
            f"({package_data().version}) nor any day override knows it, so Monday–Friday are counted as working days.",
            hint=f"Enter the official {year} holiday schedule as day overrides in the admin "
            f"(or upgrade chinesecalendar); `jiedao workdays check {year}` shows what is known.",
            id="jiedao.W010",
        )
        for year in unknown_to_package
        if year not in known
    ]
