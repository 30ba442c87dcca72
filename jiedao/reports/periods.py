"""The periods a report covers, in the office's calendar (Asia/Shanghai): pure date arithmetic, no database.

A period is named as on the command line: an ISO week `2026-W47` (Monday to Sunday), a month `2026-11`, a quarter
`2026-Q3` or a year `2026`. Each kind of report covers one kind of period and compares it with the one before;
its trend is drawn over the sub-periods (the days of a week, the weeks of a month, the months of a quarter or year).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from jiedao.reports.choices import ReportKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
QUARTER_NAMES = ("一", "二", "三", "四")
PATTERNS = {
    ReportKind.WEEKLY: re.compile(r"^(\d{4})-W(\d{2})$"),
    ReportKind.MONTHLY: re.compile(r"^(\d{4})-(\d{2})$"),
    ReportKind.QUARTERLY: re.compile(r"^(\d{4})-Q([1-4])$"),
    ReportKind.ANNUAL: re.compile(r"^(\d{4})$"),
}
EXAMPLES = {
    ReportKind.WEEKLY: "2026-W47",
    ReportKind.MONTHLY: "2026-11",
    ReportKind.QUARTERLY: "2026-Q3",
    ReportKind.ANNUAL: "2026",
}
MIN_YEAR, MAX_YEAR = 2000, 2100


class PeriodError(ValueError):
    """A period that cannot be read or does not exist; the message says what was expected."""


@dataclass(frozen=True)
class ReportPeriod:
    kind: str
    first: dt.date
    last: dt.date

    @property
    def name(self) -> str:
        """The period as the command line names it: 2026-W47, 2026-11, 2026-Q3, 2026."""
        if self.kind == ReportKind.WEEKLY:
            year, week, _day = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == ReportKind.MONTHLY:
            return f"{self.first:%Y-%m}"
        if self.kind == ReportKind.QUARTERLY:
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return str(self.first.year)

    @property
    def title(self) -> str:
        """The period in the documents' Chinese: 2026年第47周, 2026年11月, 2026年第三季度, 2026年."""
        if self.kind == ReportKind.WEEKLY:
            year, week, _day = self.first.isocalendar()
            return f"{year}年第{week}周（{self.first.month}月{self.first.day}日—{self.last.month}月{self.last.day}日）"
        if self.kind == ReportKind.MONTHLY:
            return f"{self.first.year}年{self.first.month}月"
        if self.kind == ReportKind.QUARTERLY:
            return f"{self.first.year}年第{QUARTER_NAMES[(self.first.month - 1) // 3]}季度"
        return f"{self.first.year}年"

    @property
    def short(self) -> str:
        """A short label for charts and tables: 11-23, 11月, 三季度, 2026; a week a month cuts says how many days it
        holds (11-01（1天）), so its low count is not read as a whole week's."""
        if self.kind == ReportKind.WEEKLY:
            days = (self.last - self.first).days + 1
            return f"{self.first:%m-%d}" if days == 7 else f"{self.first:%m-%d}（{days}天）"
        if self.kind == ReportKind.MONTHLY:
            return f"{self.first.month}月"
        if self.kind == ReportKind.QUARTERLY:
            return f"{QUARTER_NAMES[(self.first.month - 1) // 3]}季度"
        return str(self.first.year)

    def previous(self) -> ReportPeriod:
        """The period of the same kind just before."""
        return period_containing(self.kind, self.first - dt.timedelta(days=1))

    def next(self) -> ReportPeriod:
        return period_containing(self.kind, self.last + dt.timedelta(days=1))

    def parts(self) -> list[ReportPeriod]:
        """The sub-periods the trend is drawn over: weeks of a month (cut at its ends), months of a quarter or year;
        a week has none (its trend is the weeks before it, see `recent`)."""
        if self.kind == ReportKind.WEEKLY:
            return []
        if self.kind == ReportKind.MONTHLY:
            result, day = [], self.first
            while day <= self.last:
                sunday = min(day + dt.timedelta(days=6 - day.weekday()), self.last)
                result.append(ReportPeriod(ReportKind.WEEKLY, day, sunday))
                day = sunday + dt.timedelta(days=1)
            return result
        months, day = [], self.first
        while day <= self.last:
            month = period_containing(ReportKind.MONTHLY, day)
            months.append(month)
            day = month.last + dt.timedelta(days=1)
        return months

    def recent(self, count: int) -> list[ReportPeriod]:
        """This period and the `count` − 1 before it, oldest first."""
        periods = [self]
        while len(periods) < count:
            periods.insert(0, periods[0].previous())
        return periods


def _first_of_month(year: int, month: int) -> dt.date:
    return dt.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def period_containing(kind: str, day: dt.date) -> ReportPeriod:
    """The week (Monday to Sunday), month, quarter or year holding `day`."""
    kind = ReportKind(kind)
    if kind == ReportKind.WEEKLY:
        monday = day - dt.timedelta(days=day.weekday())
        return ReportPeriod(kind, monday, monday + dt.timedelta(days=6))
    if kind == ReportKind.ANNUAL:
        return ReportPeriod(kind, dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    months = 3 if kind == ReportKind.QUARTERLY else 1
    first_month = (day.month - 1) // months * months + 1
    first = dt.date(day.year, first_month, 1)
    return ReportPeriod(kind, first, _first_of_month(day.year, first_month + months) - dt.timedelta(days=1))


def last_complete(kind: str, today: dt.date) -> ReportPeriod:
    """The latest period of this kind that ended before `today` (the week just ended on a Monday)."""
    return period_containing(kind, today).previous()


def parse_period(kind: str, text: str) -> ReportPeriod:
    """Read a period of the report's kind: 2026-W47 (weekly), 2026-11 (monthly), 2026-Q3 (quarterly), 2026 (annual).

    Raises PeriodError naming what was expected.
    """
    kind = ReportKind(kind)
    match = PATTERNS[kind].match(text.strip())
    article = "an" if kind == ReportKind.ANNUAL else "a"
    expected = f"{article} {kind.value} report needs a period like {EXAMPLES[kind]}, not {text!r}"
    if match is None:
        raise PeriodError(expected)
    year = int(match.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"the year must lie between {MIN_YEAR} and {MAX_YEAR}, not {year}")
    if kind == ReportKind.ANNUAL:
        return period_containing(kind, dt.date(year, 1, 1))
    number = int(match.group(2))
    if kind == ReportKind.QUARTERLY:
        return period_containing(kind, dt.date(year, 3 * number - 2, 1))
    if kind == ReportKind.MONTHLY:
        if not 1 <= number <= 12:
            raise PeriodError(f"{text!r} has no month {number}: {expected}")
        return period_containing(kind, dt.date(year, number, 1))
    try:
        monday = dt.date.fromisocalendar(year, number, 1)
    except ValueError:
        raise PeriodError(f"{year} has no ISO week {number}: {expected}") from None
    return period_containing(kind, monday)
