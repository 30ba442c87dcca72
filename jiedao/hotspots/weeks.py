"""Weeks in the office's calendar and the trend of a hot spot: pure arithmetic, no database.

A week starts on Monday at 00:00 in Asia/Shanghai, whatever the server's zone. A hot spot is compared over five
weeks: the reference week ("this week") and the WEEKS_BEFORE weeks before it (the baseline).

The trend, precisely (DOMAIN.md §6, the weekly 研判: "what rose"):
- `this_week`: the group's cases received in the reference week;
- `baseline`: the mean weekly count of the four weeks before, rounded half up to 2 decimals;
- `difference` = this_week − baseline; `ratio` = this_week / baseline (2 decimals; none when the baseline is 0);
- **rising** when this_week ≥ RISING_MIN_COUNT, this_week ≥ RISING_RATIO × baseline and difference ≥
  RISING_MIN_INCREASE: at least three this week, at least twice the usual, and at least two more than usual
  (a problem new this week with three cases rises; 3 against a usual 1.5 does not, 4 against 1.5 does);
- **falling** when the baseline is at least 1 and this_week ≤ baseline / 2; **steady** otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKS_BEFORE = 4
RISING_MIN_COUNT = 3
RISING_RATIO = 2
RISING_MIN_INCREASE = 2
CENTS = Decimal("0.01")
# Shown without a week asked for, the current week once it has run this many whole days (default_week).
CURRENT_WEEK_AFTER_DAYS = 2


class Trend(models.TextChoices):
    RISING = "rising", _("Rising")
    STEADY = "steady", _("Steady")
    FALLING = "falling", _("Falling")


def week_start_of(moment: dt.datetime | dt.date) -> dt.date:
    """The Monday of the Shanghai week holding `moment` (an aware datetime, a naive one taken as Shanghai time,
    or a date)."""
    if isinstance(moment, dt.datetime):
        local = moment.astimezone(SHANGHAI) if moment.tzinfo is not None else moment
        day = local.date()
    else:
        day = moment
    return day - dt.timedelta(days=day.weekday())


def default_week(today: dt.date) -> dt.date:
    """The week to show when none is asked for: the current one from its third day, the last complete one before.

    On Monday and Tuesday, the days of the usual weekly 研判, a week of a day or so has too few cases to rise against
    four whole ones: the hot-spot page and the dashboard would say nothing rose."""
    current = week_start_of(today)
    if (today - current).days < CURRENT_WEEK_AFTER_DAYS:
        return current - dt.timedelta(weeks=1)
    return current


def week_bounds(week_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[Monday 00:00, next Monday 00:00) of the week in Shanghai, as aware datetimes."""
    start = dt.datetime.combine(week_start, dt.time.min, tzinfo=SHANGHAI)
    return start, dt.datetime.combine(week_start + dt.timedelta(weeks=1), dt.time.min, tzinfo=SHANGHAI)


def window_bounds(week_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The five weeks compared: from the Monday WEEKS_BEFORE weeks earlier to the end of the reference week."""
    start, _end = week_bounds(week_start - dt.timedelta(weeks=WEEKS_BEFORE))
    return start, week_bounds(week_start)[1]


def week_index(moment: dt.datetime, week_start: dt.date) -> int:
    """Which of the five weeks `moment` falls in: 0 the oldest … WEEKS_BEFORE the reference week (may lie outside)."""
    return (week_start_of(moment) - week_start).days // 7 + WEEKS_BEFORE


@dataclass(frozen=True)
class TrendFigures:
    weekly: tuple[int, ...]  # the five weekly counts, oldest first; the last is this week's
    this_week: int
    baseline: Decimal
    difference: Decimal
    ratio: Decimal | None
    trend: str


def trend_of(weekly: tuple[int, ...]) -> TrendFigures:
    """The figures and the trend of five weekly counts (oldest first), as defined in this module's docstring."""
    if len(weekly) != WEEKS_BEFORE + 1 or min(weekly, default=0) < 0:
        raise ValueError("five non-negative weekly counts are needed")
    this_week = weekly[-1]
    before = sum(weekly[:-1])
    baseline = (Decimal(before) / WEEKS_BEFORE).quantize(CENTS, rounding=ROUND_HALF_UP)
    difference = Decimal(this_week) - baseline
    ratio = (Decimal(this_week) / baseline).quantize(CENTS, rounding=ROUND_HALF_UP) if baseline else None
    # Compared in whole numbers (this × 4 against the sum before), so rounding never decides the trend.
    rising = (
        this_week >= RISING_MIN_COUNT
        and this_week * WEEKS_BEFORE >= RISING_RATIO * before
        and this_week * WEEKS_BEFORE - before >= RISING_MIN_INCREASE * WEEKS_BEFORE
    )
    falling = before >= WEEKS_BEFORE and this_week * 2 * WEEKS_BEFORE <= before
    trend = Trend.RISING if rising else Trend.FALLING if falling else Trend.STEADY
    return TrendFigures(weekly, this_week, baseline, difference, ratio, trend)
