from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jiedao.workdays.calendar import Source, WorkCalendar, work_calendar


class Command(BaseCommand):
    help = "Show what the working-day calendar knows: `workdays check 2027`, `workdays list 2026-10`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check", "list"])
        parser.add_argument("when", help="a year (check) or a month YYYY-MM (list)")

    def handle(self, *args: Any, action: str, when: str, **options: Any) -> None:
        cal = work_calendar()
        if action == "check":
            self._check(cal, _parse_year(when))
        else:
            self._list(cal, *_parse_month(when))

    def _check(self, cal: WorkCalendar, year: int) -> None:
        overrides = sum(1 for day in cal.overrides if day.year == year)
        source = cal.year_source(year)
        if source == Source.PACKAGE:
            text = _("%(year)s: known from the chinesecalendar package %(version)s, plus %(n)s day overrides.")
            self.stdout.write(self.style.SUCCESS(text % {"year": year, "version": cal.package.version, "n": overrides}))
        elif source == Source.OVERRIDE:
            text = _("%(year)s: known from %(n)s day overrides only (the package does not know this year).")
            self.stdout.write(self.style.SUCCESS(text % {"year": year, "n": overrides}))
        else:
            text = _("%(year)s: NOT KNOWN, Monday–Friday counted as working days; enter the holiday schedule.")
            self.stdout.write(self.style.WARNING(text % {"year": year}))

    def _list(self, cal: WorkCalendar, year: int, month: int) -> None:
        days = [dt.date(year, month, d) for d in range(1, month_calendar.monthrange(year, month)[1] + 1)]
        working = sum(1 for day in days if cal.is_workday(day))
        self.stdout.write(
            _("%(month)s: %(n)s working days (%(source)s)")
            % {"month": f"{year}-{month:02d}", "n": working, "source": cal.year_source(year)}
        )
        for info in (cal.describe(day) for day in days):
            if not info.is_special:
                continue
            if info.is_workday:
                kind = _("make-up workday") if info.day.weekday() >= 5 else _("working day")
            else:
                kind = _("holiday") if info.day.weekday() < 5 or info.name else _("day off")
            self.stdout.write(f"  {info.day.isoformat()} {info.day:%a}  {kind:<16} {info.name}  ({info.source})")


def _parse_year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        raise CommandError(_("Expected a year such as 2027, not %(text)r.") % {"text": text})
    return int(text)


def _parse_month(text: str) -> tuple[int, int]:
    try:
        first = dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        raise CommandError(_("Expected a month such as 2026-10, not %(text)r.") % {"text": text}) from None
    return first.year, first.month
