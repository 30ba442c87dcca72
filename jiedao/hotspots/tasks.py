"""Background jobs of the hot spots: thin wrappers around one service call, a count out."""

from __future__ import annotations

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jiedao.core import clock
from jiedao.hotspots import services
from jiedao.hotspots.weeks import week_start_of


def weeks_to_refresh(now: dt.datetime) -> list[dt.date]:
    """This week, and on the night after a Sunday also the week just ended (its last day is then complete)."""
    return sorted({week_start_of(now - dt.timedelta(days=1)), week_start_of(now)})


# huey matches crontabs against UTC (its default `utc=True`): 18:30 UTC is 02:30 in Shanghai, a quiet hour.
@db_periodic_task(crontab(hour="18", minute="30"))  # type: ignore[untyped-decorator]
def refresh_hotspots() -> int:
    """Recompute every office's hot spots of the current week (nightly, 02:30 in Shanghai); return how many were
    found."""
    now = clock.now()
    return sum(services.hotspots_refresh_all(week_start=week, now=now) for week in weeks_to_refresh(now))
