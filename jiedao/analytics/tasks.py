"""Background job of the KPI rollups: recompute the stale days and the days that ended (every five minutes)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jiedao.analytics import rollups


@db_periodic_task(crontab(minute="*/5"))  # type: ignore[untyped-decorator]
def refresh_rollups() -> int:
    """Bring the dashboard's daily rollups up to date; return how many days were recomputed."""
    return rollups.refresh()
