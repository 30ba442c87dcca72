"""China's working-day calendar and the time-limit arithmetic every case clock uses.

Which days are working days, in this order of precedence:
1. a DayOverride row for the date (admin-edited: next year's schedule before the package knows it, local
   exceptions) always wins;
2. else, for a year the `chinesecalendar` package knows (2004–2026 in 1.11), the package: statutory holidays
   are off, make-up working weekends (调休) are working days, other days Monday–Friday;
3. else (a year with neither): Monday–Friday. `known_years()` and the system check jiedao.W010 (run by
   `jiedao migrate` and `jiedao check --database default`) make this visible.
Office hours are the WorkPeriod rows (default 08:30–12:00 and 13:30–17:30, also used when the table is empty),
the same on every working day.
A period is half-open: 12:00 is not office time, 13:30 is.

Time:
- Every datetime must be timezone-aware (naive input raises ValueError). Arithmetic happens in
  settings.TIME_ZONE (Asia/Shanghai); results are aware datetimes in that zone. Durations are measured on the
  real (UTC) time line.
- The first working moment at or after t is t itself when t lies in an office period of a working day, else
  the start of the next office period of a working day (Saturday night → Monday 08:30, or the make-up
  Saturday's 08:30 when that Saturday is a working day; 12:00 → 13:30; 17:30 → next working day 08:30).

Limits (Limit(amount, unit); amount > 0; working days must be whole, hours may be fractional):
- WORKING_DAYS, N: the clock starts at the first working moment at or after `start`; the day on which it
  starts is day 0; the deadline is the close of office hours (end of the last period, 17:30 by default) of
  the N-th working day after day 0. Received Monday 10:00, 1 working day → Tuesday 17:30; received Monday
  18:00 → the clock starts Tuesday 08:30 → Wednesday 17:30; received the working day before National Day
  week → the first working day after the holiday, 17:30.
- WORKING_HOURS, H: H hours of office time counted from the first working moment at or after `start`; a
  deadline that falls exactly on the end of a period is that end (16:30 + 1 h = 17:30, not 08:30 next day).
  Friday 16:30 + 2 h → next working day 09:30; 11:30 + 1 h → 14:00.
- HOURS, H: plain elapsed time from `start`, holidays, nights and weekends included.

Pauses (suspensions) stop the clock. A pause is (start, end); end None means still suspended.
- Pauses may overlap each other or start before `start`: they are merged, and only the part after the
  clock's start counts. A pause whose end is before its start raises ValueError.
- With pauses the deadline is the moment at which the unpaused time used since the clock started reaches
  the limit's budget, measured in the limit's own currency: office seconds for working days and working
  hours (the budget of N working days is the office time from the clock start to the unpaused deadline),
  elapsed seconds for hours. So the deadline moves later by the paused time that falls before it; pauses
  after the deadline change nothing.
- Any open pause (end None) means the deadline is not known: deadline() returns None.

used_fraction(start, deadline, now, unit, pauses): the time used between start and now divided by the time
between start and deadline, both in the unit's currency (office seconds for working days/hours, elapsed
seconds for hours), paused time excluded from both. It is 0 at or before start, grows only during unpaused
(office) time, is 1 at the deadline and exceeds 1 after it. An open pause (the deadline given was computed
before it began) counts as paused from its start up to `now` in the time used and is not taken off the time
available, so the share stays frozen while the suspension lasts. When there is no time at all between start
and deadline the share is 0 before the deadline and 1 from it.

work_calendar() returns a process-wide immutable snapshot (overrides + periods + the package), rebuilt when
the tables change: services call invalidate() after commit, and other processes notice within
REFRESH_SECONDS through a fingerprint (count and latest updated_at of both tables). The arithmetic itself
never touches the database.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings

from jiedao.workdays.choices import LimitUnit

Pause = tuple[dt.datetime, dt.datetime | None]
Period = tuple[dt.time, dt.time]
Span = tuple[dt.datetime, dt.datetime]

DEFAULT_PERIODS: tuple[Period, ...] = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30)))
REFRESH_SECONDS = 30.0
# A calendar without a single working day in ten years is a configuration error, not a reason to loop forever.
MAX_IDLE_DAYS = 3660
_UTC = dt.UTC
_ZERO = dt.timedelta(0)
_SECOND = dt.timedelta(seconds=1)


class Source:
    """Where a day's status comes from."""

    OVERRIDE = "override"
    PACKAGE = "package"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class Limit:
    amount: Decimal  # > 0; whole for working days, fractions allowed for hours
    unit: str  # a LimitUnit value

    def __post_init__(self) -> None:
        amount: object = self.amount
        if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
            raise TypeError(f"limit amount must be a Decimal or int, not {type(amount).__name__}")
        amount = Decimal(amount)
        if not amount.is_finite() or amount <= 0:
            raise ValueError(f"limit amount must be positive, not {amount}")
        if self.unit not in LimitUnit.values:
            raise ValueError(f"unknown limit unit {self.unit!r}")
        if self.unit == LimitUnit.WORKING_DAYS and amount != amount.to_integral_value():
            raise ValueError(f"working days must be whole, not {amount}")
        object.__setattr__(self, "amount", amount)
        if self.unit != LimitUnit.WORKING_DAYS and self.seconds < 1:
            raise ValueError(f"limit of {amount} hours is shorter than a second")

    @property
    def seconds(self) -> int:
        """The budget of an hours limit in seconds (rounded half up); working days have none of their own."""
        if self.unit == LimitUnit.WORKING_DAYS:
            raise ValueError("a working-days limit has no fixed number of seconds")
        return int((self.amount * 3600).to_integral_value(rounding=ROUND_HALF_UP))

    @property
    def days(self) -> int:
        if self.unit != LimitUnit.WORKING_DAYS:
            raise ValueError("only a working-days limit counts days")
        return int(self.amount)


@dataclass(frozen=True)
class PackageData:
    """What the chinesecalendar package knows, copied once: its years, holidays and make-up working days."""

    years: frozenset[int]
    holidays: Mapping[dt.date, str]  # date → Chinese name of the holiday
    workdays: Mapping[dt.date, str]  # make-up working day → Chinese name of the holiday it makes up for

    @property
    def version(self) -> str:
        return str(getattr(chinese_calendar, "__version__", "?"))


@functools.cache
def package_data() -> PackageData:
    chinese = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}
    holidays: dict[dt.date, str] = {d: chinese.get(n, n) for d, n in chinese_calendar.holidays.items()}
    workdays: dict[dt.date, str] = {d: chinese.get(n, n) for d, n in chinese_calendar.workdays.items()}
    # The package itself accepts exactly the years between its first and last holiday.
    first, last = min(holidays).year, max(holidays).year
    return PackageData(frozenset(range(first, last + 1)), MappingProxyType(holidays), MappingProxyType(workdays))


@dataclass(frozen=True)
class DayInfo:
    day: dt.date
    is_workday: bool
    name: str  # the holiday (or the holiday a make-up working day belongs to); "" for an ordinary day
    source: str  # Source.OVERRIDE, PACKAGE or FALLBACK

    @property
    def is_special(self) -> bool:
        """True when the day is not simply an ordinary weekday or weekend."""
        return bool(self.name) or self.source == Source.OVERRIDE or self.is_workday != (self.day.weekday() < 5)


def _default_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class WorkCalendar:
    """An immutable snapshot: overrides + office periods + the package. Safe to share between threads."""

    overrides: Mapping[dt.date, bool] = field(default_factory=dict)
    periods: tuple[Period, ...] = DEFAULT_PERIODS
    names: Mapping[dt.date, str] = field(default_factory=dict)  # override names
    zone: ZoneInfo = field(default_factory=_default_zone)
    package: PackageData = field(default_factory=package_data)
    # Office time of each whole day, filled as days are asked for (a snapshot never changes, so neither does it).
    _day_lengths: dict[dt.date, dt.timedelta] = field(default_factory=dict, init=False, repr=False, compare=False)
    _spans: dict[dt.date, list[Span]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        periods = tuple(sorted(self.periods))
        if not periods:
            raise ValueError("a calendar needs at least one office period")
        for start, end in periods:
            if start >= end:
                raise ValueError(f"office period {start}–{end} is empty")
        for (_s1, e1), (s2, _e2) in itertools.pairwise(periods):
            if s2 < e1:
                raise ValueError(f"office periods overlap at {s2}")
        object.__setattr__(self, "periods", periods)
        object.__setattr__(self, "overrides", MappingProxyType(dict(self.overrides)))
        object.__setattr__(self, "names", MappingProxyType(dict(self.names)))

    # Days

    def describe(self, day: dt.date) -> DayInfo:
        """Whether `day` is a working day, what it is called and where that comes from."""
        day = self._as_date(day)
        if day in self.overrides:
            return DayInfo(day, self.overrides[day], self.names.get(day, ""), Source.OVERRIDE)
        if day.year in self.package.years:
            if day in self.package.workdays:
                return DayInfo(day, True, self.package.workdays[day], Source.PACKAGE)
            if day in self.package.holidays:
                return DayInfo(day, False, self.package.holidays[day], Source.PACKAGE)
            return DayInfo(day, day.weekday() < 5, "", Source.PACKAGE)
        return DayInfo(day, day.weekday() < 5, "", Source.FALLBACK)

    def is_workday(self, day: dt.date) -> bool:
        day = self._as_date(day)
        if day in self.overrides:
            return self.overrides[day]
        if day.year in self.package.years:
            if day in self.package.workdays:
                return True
            if day in self.package.holidays:
                return False
        return day.weekday() < 5

    def year_source(self, year: int) -> str:
        """Source.PACKAGE when the package knows the year, OVERRIDE when only overrides do, else FALLBACK."""
        if year in self.package.years:
            return Source.PACKAGE
        if any(day.year == year for day in self.overrides):
            return Source.OVERRIDE
        return Source.FALLBACK

    @property
    def known_years(self) -> frozenset[int]:
        return self.package.years | {day.year for day in self.overrides}

    # Moments

    def next_working_moment(self, moment: dt.datetime) -> dt.datetime:
        """The first moment at or after `moment` that lies in an office period of a working day."""
        return next(self._office_spans_from(self._local(moment)))[0]

    def working_seconds_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Whole office seconds on working days between start and end (0 when end is not after start)."""
        return self._office_time(self._local(start), self._local(end)) // _SECOND

    def deadline(self, start: dt.datetime, limit: Limit, pauses: Sequence[Pause] = ()) -> dt.datetime | None:
        """When `limit` counted from `start` runs out, the clock stopped during `pauses`; None while a pause is open."""
        start = self._local(start)
        merged = _merge(pauses, self.zone)
        if any(end is None for _start, end in merged):
            return None
        closed = [(s, e) for s, e in merged if e is not None]
        if limit.unit == LimitUnit.HOURS:
            return self._advance_elapsed(start, limit.seconds * _SECOND, closed)
        if limit.unit == LimitUnit.WORKING_HOURS:
            return self._advance_office(start, limit.seconds * _SECOND, closed)
        clock_start = self.next_working_moment(start)
        unpaused = self._close_of_nth_workday_after(clock_start.date(), limit.days)
        if not closed:
            return unpaused
        return self._advance_office(clock_start, self._office_time(clock_start, unpaused), closed)

    def used_fraction(
        self, start: dt.datetime, deadline: dt.datetime, now: dt.datetime, unit: str, pauses: Sequence[Pause] = ()
    ) -> float:
        """The share of the time from start to deadline used at `now`, in the unit's currency, pauses excluded."""
        if unit not in LimitUnit.values:
            raise ValueError(f"unknown limit unit {unit!r}")
        start, deadline, now = self._local(start), self._local(deadline), self._local(now)
        if now <= start:
            return 0.0
        office = unit != LimitUnit.HOURS
        closed = _merge([pause for pause in pauses if pause[1] is not None], self.zone)
        total = self._active_time(start, deadline, closed, office=office)
        if total <= _ZERO:
            return 1.0 if now >= deadline else 0.0
        return self._active_time(start, now, _merge(pauses, self.zone), office=office) / total

    def used_fractions(self, clocks: Sequence[tuple[dt.datetime, dt.datetime, str]], now: dt.datetime) -> list[float]:
        """used_fraction for many (start, deadline, unit) clocks without pauses at one `now`, each exactly equal to
        it (the dashboard asks this of every open case). Office time between two moments is the difference of the
        office time elapsed since a common origin: the office spans from the origin on, with the office time before
        each, are laid out once, and every moment finds its span by binary search; all in whole microseconds, so a
        fraction is the same division of the same two integers as used_fraction's."""
        import numpy as np

        units = set(LimitUnit.values)
        for _start, _deadline, unit in clocks:
            if unit not in units:
                raise ValueError(f"unknown limit unit {unit!r}")
        if not clocks:
            return []
        starts = np.array([_microseconds(start) for start, _deadline, _unit in clocks], dtype=np.int64)
        deadlines = np.array([_microseconds(deadline) for _start, deadline, _unit in clocks], dtype=np.int64)
        office = np.array([unit != LimitUnit.HOURS for _start, _deadline, unit in clocks])
        now_us = _microseconds(now)
        moments = (now_us, int(starts.min()), int(deadlines.min()), int(starts.max()), int(deadlines.max()))
        # A day of margin on each side: spans outside the moments change no difference of elapsed times.
        day = self._local(_EPOCH + min(moments) * _MICROSECOND).date() - dt.timedelta(days=1)
        last = self._local(_EPOCH + max(moments) * _MICROSECOND).date() + dt.timedelta(days=1)
        spans: list[tuple[int, int]] = []
        while day <= last:
            spans += [(_microseconds(s), _microseconds(e)) for s, e in self._day_spans(day)]
            day += dt.timedelta(days=1)
        span_starts = np.array([s for s, _e in spans], dtype=np.int64)
        lengths = np.array([max(0, e - s) for s, e in spans], dtype=np.int64)
        before = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)

        def elapsed(moments: Any) -> Any:
            """Office microseconds from the origin's midnight to each moment."""
            if not spans:
                return np.zeros_like(moments)
            index = np.searchsorted(span_starts, moments, side="right") - 1
            safe = np.maximum(index, 0)
            inside = np.minimum(moments - span_starts[safe], lengths[safe])
            return np.where(index >= 0, before[safe] + inside, 0)

        at_now = elapsed(np.array([now_us], dtype=np.int64))[0]
        begun = elapsed(starts)
        whole = np.where(office, np.maximum(elapsed(deadlines) - begun, 0), np.maximum(deadlines - starts, 0))
        used = np.where(office, np.maximum(at_now - begun, 0), np.maximum(now_us - starts, 0))
        fractions = []
        for i in range(len(clocks)):
            if now_us <= starts[i]:
                fractions.append(0.0)
            elif whole[i] <= 0:
                fractions.append(1.0 if now_us >= deadlines[i] else 0.0)
            else:
                fractions.append(int(used[i]) / int(whole[i]))
        return fractions

    # Internals

    def _as_date(self, day: dt.date) -> dt.date:
        return self._local(day).date() if isinstance(day, dt.datetime) else day

    def _local(self, moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"naive datetime {moment.isoformat()}: the calendar needs timezone-aware datetimes")
        return moment.astimezone(self.zone)

    def _day_spans(self, day: dt.date) -> list[Span]:
        spans = self._spans.get(day)
        if spans is None:
            spans = (
                [
                    (dt.datetime.combine(day, s, tzinfo=self.zone), dt.datetime.combine(day, e, tzinfo=self.zone))
                    for s, e in self.periods
                ]
                if self.is_workday(day)
                else []
            )
            self._spans[day] = spans
        return spans

    def _office_spans_from(self, moment: dt.datetime) -> Iterator[Span]:
        """Office spans at or after `moment` (the first one clipped to start at it), endlessly."""
        day, idle = moment.date(), 0
        while True:
            spans = self._day_spans(day)
            idle = 0 if spans else idle + 1
            if idle > MAX_IDLE_DAYS:
                raise ValueError(f"no working day in the {MAX_IDLE_DAYS} days before {day}")
            for s, e in spans:
                if e > moment:
                    yield max(s, moment), e
            day += dt.timedelta(days=1)

    def _office_time(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Office time between start and end: the first and last days clipped, the whole days between from the
        cache of day lengths (the dashboard asks this of thousands of open cases at once)."""
        first, last = start.date(), end.date()
        if last < first:
            return _ZERO
        total = self._clipped_day(first, start, end)
        if last == first:
            return total
        day = first + dt.timedelta(days=1)
        while day < last:
            total += self._day_length(day)
            day += dt.timedelta(days=1)
        return total + self._clipped_day(last, start, end)

    def _clipped_day(self, day: dt.date, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        total = _ZERO
        for s, e in self._day_spans(day):
            total += _between(max(s, start), min(e, end))
        return total

    def _day_length(self, day: dt.date) -> dt.timedelta:
        length = self._day_lengths.get(day)
        if length is None:
            length = sum((_between(s, e) for s, e in self._day_spans(day)), _ZERO)
            self._day_lengths[day] = length
        return length

    def _active_time(self, start: dt.datetime, end: dt.datetime, pauses: list[Pause], *, office: bool) -> dt.timedelta:
        """Office or elapsed time between start and end that no pause covers; open pauses cover up to `end`."""
        measure = self._office_time if office else _between
        active = measure(start, end)
        for pause_start, pause_end in pauses:
            active -= measure(max(pause_start, start), min(pause_end or end, end))
        return active

    def _advance_office(self, start: dt.datetime, budget: dt.timedelta, pauses: list[Span]) -> dt.datetime:
        """The moment at which `budget` of office time after `start` that no pause covers is used up."""
        for span_start, span_end in self._office_spans_from(start):
            for piece_start, piece_end in _uncovered(span_start, span_end, pauses):
                length = _between(piece_start, piece_end)
                if budget <= length:
                    return self._plus(piece_start, budget)
                budget -= length
        raise AssertionError("unreachable: _office_spans_from never ends")  # pragma: no cover

    def _advance_elapsed(self, start: dt.datetime, budget: dt.timedelta, pauses: list[Span]) -> dt.datetime:
        end = self._plus(start, budget)
        for pause_start, pause_end in pauses:  # merged and sorted: each extension can only reach later pauses
            if pause_end <= start:
                continue
            clipped = max(pause_start, start)
            if clipped >= end:
                break
            end = self._plus(end, _between(clipped, pause_end))
        return end

    def _close_of_nth_workday_after(self, day: dt.date, n: int) -> dt.datetime:
        counted = idle = 0
        while counted < n:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                counted, idle = counted + 1, 0
            else:
                idle += 1
                if idle > MAX_IDLE_DAYS:
                    raise ValueError(f"no working day in the {MAX_IDLE_DAYS} days before {day}")
        return dt.datetime.combine(day, self.periods[-1][1], tzinfo=self.zone)

    def _plus(self, moment: dt.datetime, delta: dt.timedelta) -> dt.datetime:
        # On the UTC line, so a zone with daylight saving would still get real elapsed time.
        return (moment.astimezone(_UTC) + delta).astimezone(self.zone)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=_UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def _microseconds(moment: dt.datetime) -> int:
    """Whole microseconds since 1970 (UTC) of an aware moment: the real-time line _between measures on."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: the calendar needs timezone-aware datetimes")
    return (moment - _EPOCH) // _MICROSECOND


def _between(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Real time from start to end, zero when end is not after start (aware subtraction in one zone is wall-clock)."""
    return max(_ZERO, end.astimezone(_UTC) - start.astimezone(_UTC))


def _merge(pauses: Sequence[Pause], zone: ZoneInfo) -> list[Pause]:
    """Pauses sorted and merged into disjoint spans, in `zone`; an open pause swallows every later one."""
    spans: list[Pause] = []
    for start, end in pauses:
        for moment in (start, end):
            if moment is not None and (moment.tzinfo is None or moment.utcoffset() is None):
                raise ValueError(f"naive datetime {moment.isoformat()} in a pause")
        if end is not None and end < start:
            raise ValueError(f"pause ends ({end.isoformat()}) before it starts ({start.isoformat()})")
        if end is not None and end == start:
            continue
        spans.append((start.astimezone(zone), end.astimezone(zone) if end is not None else None))
    spans.sort(key=lambda span: span[0])
    merged: list[Pause] = []
    for start, end in spans:
        if merged:
            last_start, last_end = merged[-1]
            if last_end is None:
                break
            if start <= last_end:
                merged[-1] = (last_start, None if end is None else max(end, last_end))
                continue
        merged.append((start, end))
    return merged


def _uncovered(start: dt.datetime, end: dt.datetime, pauses: list[Span]) -> Iterator[Span]:
    """The pieces of [start, end) outside every (merged, sorted) pause."""
    cursor = start
    for pause_start, pause_end in pauses:
        if pause_end <= cursor:
            continue
        if pause_start >= end:
            break
        if pause_start > cursor:
            yield cursor, pause_start
        cursor = max(cursor, pause_end)
        if cursor >= end:
            return
    if cursor < end:
        yield cursor, end


# The process-wide snapshot


def _fingerprint() -> tuple[Any, ...]:
    from django.db.models import Count, Max

    from jiedao.workdays.models import DayOverride, WorkPeriod

    days = DayOverride.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    periods = WorkPeriod.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    return days["n"], days["latest"], periods["n"], periods["latest"]


def build_calendar() -> WorkCalendar:
    """A fresh snapshot from the database (the default periods when the periods table is empty)."""
    from jiedao.workdays.models import DayOverride, WorkPeriod

    rows = list(DayOverride.objects.values_list("date", "is_workday", "name"))
    periods = tuple(WorkPeriod.objects.order_by("start").values_list("start", "end"))
    return WorkCalendar(
        overrides={day: is_workday for day, is_workday, _name in rows},
        names={day: name for day, _is_workday, name in rows},
        periods=periods or DEFAULT_PERIODS,
    )


class _Cache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calendar: WorkCalendar | None = None
        self._fingerprint: tuple[Any, ...] | None = None
        self._checked_at = 0.0

    def get(self) -> WorkCalendar:
        now = time.monotonic()
        with self._lock:
            if self._calendar is not None and now - self._checked_at < REFRESH_SECONDS:
                return self._calendar
            fingerprint = _fingerprint()
            if self._calendar is None or fingerprint != self._fingerprint:
                self._calendar = build_calendar()
                self._fingerprint = fingerprint
            self._checked_at = now
            return self._calendar

    def invalidate(self) -> None:
        with self._lock:
            self._calendar = None
            self._fingerprint = None


_cache = _Cache()


def work_calendar() -> WorkCalendar:
    """The current snapshot, rebuilt when overrides or periods changed (checked at most every REFRESH_SECONDS)."""
    return _cache.get()


def invalidate() -> None:
    """Drop this process's snapshot; the services call it after every write on the calendar tables."""
    _cache.invalidate()


def known_years() -> frozenset[int]:
    """Years whose working days are known: the package's years and every year with at least one override.

    Any other year falls back to Monday–Friday. Reads the database directly, not the cached snapshot.
    """
    from jiedao.workdays.models import DayOverride

    return package_data().years | {day.year for day in DayOverride.objects.dates("date", "year")}
