"""Background jobs of the reports: generate one (ids in), and the schedule (the weekly review every Monday at 08:00,
the quarterly analysis on the first working day after the quarter), each a thin wrapper around one service."""

from __future__ import annotations

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from jiedao.core import clock
from jiedao.reports import services
from jiedao.reports.choices import ReportKind
from jiedao.reports.periods import SHANGHAI, ReportPeriod, last_complete, period_containing
from jiedao.workdays.calendar import work_calendar

# A worker that was down on the day catches up within this many days; the constraint keeps it to one report.
CATCH_UP_DAYS = 20


@db_task()  # type: ignore[untyped-decorator]
def generate_report(report_id: int) -> str:
    """Write the files of one queued report; return its status."""
    return services.report_generate(report_id=report_id).status


def first_workday_on_or_after(day: dt.date) -> dt.date:
    calendar = work_calendar()
    while not calendar.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def quarter_due(today: dt.date) -> ReportPeriod | None:
    """The quarter just ended when `today` is its first working day after (or a few days later, to catch up)."""
    quarter = period_containing(ReportKind.QUARTERLY, today)
    first_workday = first_workday_on_or_after(quarter.first)
    if first_workday <= today <= first_workday + dt.timedelta(days=CATCH_UP_DAYS):
        return quarter.previous()
    return None


def _today() -> dt.date:
    return clock.now().astimezone(SHANGHAI).date()


# huey matches crontabs in UTC (its default): 00:00 UTC on Monday is 08:00 on Monday in Shanghai.
@db_periodic_task(crontab(day_of_week="1", hour="0", minute="0"))  # type: ignore[untyped-decorator]
def weekly_reports() -> int:
    """Ask for every office's weekly review of the week just ended (Mondays 08:00 Shanghai); return how many."""
    return len(services.scheduled_reports(kind=ReportKind.WEEKLY, period=last_complete(ReportKind.WEEKLY, _today())))


@db_periodic_task(crontab(hour="0", minute="5"))  # type: ignore[untyped-decorator]
def quarterly_reports() -> int:
    """Ask for every office's quarterly analysis on the first working day after the quarter (checked daily at 08:05
    Shanghai); return how many were asked for."""
    quarter = quarter_due(_today())
    if quarter is None:
        return 0
    return len(services.scheduled_reports(kind=ReportKind.QUARTERLY, period=quarter))


@db_periodic_task(crontab(minute="*/10"))  # type: ignore[untyped-decorator]
def recover_reports() -> tuple[int, int]:
    """Every ten minutes: fail the reports cut off while being written, enqueue again those whose job was lost."""
    return services.reports_recover()
