"""Weeks in Shanghai and the trend arithmetic at its boundaries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from jiedao.hotspots.weeks import Trend, trend_of, week_bounds, week_index, week_start_of, window_bounds

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
MONDAY = dt.date(2026, 11, 23)


def test_a_week_starts_on_monday_at_midnight_in_shanghai_not_utc():
    # Sunday 23:59 in Shanghai is Sunday 15:59 UTC; Monday 00:00 in Shanghai is Sunday 16:00 UTC.
    assert week_start_of(dt.datetime(2026, 11, 22, 15, 59, tzinfo=UTC)) == MONDAY - dt.timedelta(weeks=1)
    assert week_start_of(dt.datetime(2026, 11, 22, 16, 0, tzinfo=UTC)) == MONDAY
    assert week_start_of(dt.datetime(2026, 11, 29, 23, 59, 59, tzinfo=SHANGHAI)) == MONDAY
    assert week_start_of(dt.date(2026, 11, 30)) == dt.date(2026, 11, 30)


def test_the_window_is_the_week_and_the_four_before():
    start, end = window_bounds(MONDAY)
    assert start == dt.datetime(2026, 10, 26, tzinfo=SHANGHAI)
    assert end == dt.datetime(2026, 11, 30, tzinfo=SHANGHAI) == week_bounds(MONDAY)[1]
    assert week_index(start, MONDAY) == 0
    assert week_index(end - dt.timedelta(microseconds=1), MONDAY) == 4
    assert week_index(dt.datetime(2026, 11, 22, 16, 0, tzinfo=UTC), MONDAY) == 4
    assert week_index(dt.datetime(2026, 11, 22, 15, 59, tzinfo=UTC), MONDAY) == 3


@pytest.mark.parametrize(
    ("weekly", "trend", "baseline", "difference", "ratio"),
    [
        ((0, 0, 0, 0, 3), Trend.RISING, "0.00", "3.00", None),  # new this week, three cases
        ((0, 0, 0, 0, 2), Trend.STEADY, "0.00", "2.00", None),  # two is not yet a rise
        ((1, 2, 2, 1, 3), Trend.STEADY, "1.50", "1.50", "2.00"),  # twice the usual but only 1.5 more
        ((1, 2, 2, 1, 4), Trend.RISING, "1.50", "2.50", "2.67"),
        ((2, 2, 2, 2, 4), Trend.RISING, "2.00", "2.00", "2.00"),  # exactly twice and exactly two more
        ((2, 2, 2, 3, 4), Trend.STEADY, "2.25", "1.75", "1.78"),
        ((4, 4, 4, 4, 2), Trend.FALLING, "4.00", "-2.00", "0.50"),  # half the usual
        ((4, 4, 4, 4, 3), Trend.STEADY, "4.00", "-1.00", "0.75"),
        ((1, 0, 0, 0, 0), Trend.STEADY, "0.25", "-0.25", "0.00"),  # too few before to call it falling
    ],
)
def test_trend_at_its_boundaries(weekly, trend, baseline, difference, ratio):
    figures = trend_of(weekly)
    assert figures.trend == trend
    assert figures.this_week == weekly[-1]
    assert figures.baseline == Decimal(baseline)
    assert figures.difference == Decimal(difference)
    assert figures.ratio == (Decimal(ratio) if ratio is not None else None)


def test_trend_needs_five_counts():
    with pytest.raises(ValueError):
        trend_of((1, 2, 3))
