"""The share of a limit used: the yellow light at 80 % and the red after 100 % depend on it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jiedao.workdays.calendar import Limit, WorkCalendar
from jiedao.workdays.choices import LimitUnit
from jiedao.workdays.tests.conftest import at

CAL = WorkCalendar()
# Monday 10:00 + 1 working day → Tuesday 17:30: 6 h on Monday + 7.5 h on Tuesday = 13.5 office hours.
START, DEADLINE = at(2026, 11, 16, 10), at(2026, 11, 17, 17, 30)


def used(now, unit=LimitUnit.WORKING_DAYS, pauses=()):
    return CAL.used_fraction(START, DEADLINE, now, unit, pauses)


def test_nothing_used_at_or_before_start():
    assert used(START) == 0.0
    assert used(at(2026, 11, 15, 10)) == 0.0


def test_half_used_after_half_the_office_time():
    assert used(at(2026, 11, 17, 9, 15)) == pytest.approx(0.5)  # 6 h Monday + 45 min Tuesday = 6.75 h


def test_eighty_percent_used():
    assert used(at(2026, 11, 17, 14, 48)) == pytest.approx(0.8)  # 6 + 3.5 + 1.3 = 10.8 h


def test_the_evening_uses_nothing():
    assert used(at(2026, 11, 16, 17, 30)) == used(at(2026, 11, 17, 8, 30)) == pytest.approx(6 / 13.5)


def test_more_than_one_after_the_deadline():
    assert used(DEADLINE) == pytest.approx(1.0)
    assert used(at(2026, 11, 18, 12)) == pytest.approx((13.5 + 3.5) / 13.5)


def test_pauses_are_excluded():
    # Paused 1 h on Tuesday morning; the deadline moved to Wednesday 09:30 accordingly.
    pause = [(at(2026, 11, 17, 9), at(2026, 11, 17, 10))]
    deadline = CAL.deadline(START, Limit(Decimal(1), LimitUnit.WORKING_DAYS), pause)
    assert deadline is not None
    assert deadline == at(2026, 11, 18, 9, 30)
    fraction = CAL.used_fraction(START, deadline, at(2026, 11, 17, 10), LimitUnit.WORKING_DAYS, pause)
    assert fraction == pytest.approx(6.5 / 13.5)  # 09:00–10:00 did not count
    assert CAL.used_fraction(START, deadline, deadline, LimitUnit.WORKING_DAYS, pause) == pytest.approx(1.0)


def test_an_open_pause_freezes_the_share_used():
    pause = [(at(2026, 11, 17, 9), None)]
    frozen = used(at(2026, 11, 17, 9), pauses=pause)
    assert frozen == pytest.approx(6.5 / 13.5)
    assert used(at(2026, 11, 20, 12), pauses=pause) == pytest.approx(frozen)


def test_hours_use_elapsed_time():
    start, deadline = at(2026, 10, 1, 22), at(2026, 10, 2, 22)  # 24 h over National Day
    assert CAL.used_fraction(start, deadline, at(2026, 10, 2, 10), LimitUnit.HOURS) == pytest.approx(0.5)
    assert CAL.used_fraction(start, deadline, at(2026, 10, 2, 17, 12), LimitUnit.HOURS) == pytest.approx(0.8)
    assert CAL.used_fraction(start, deadline, at(2026, 10, 3, 4), LimitUnit.HOURS) == pytest.approx(1.25)
    pause = [(at(2026, 10, 2, 4), at(2026, 10, 2, 10))]
    assert CAL.used_fraction(start, deadline, at(2026, 10, 2, 10), LimitUnit.HOURS, pause) == pytest.approx(6 / 18)


def test_working_hours_use_office_time():
    start, deadline = at(2026, 11, 16, 11, 30), at(2026, 11, 16, 14)  # 1 working hour over lunch
    assert CAL.used_fraction(start, deadline, at(2026, 11, 16, 12, 45), LimitUnit.WORKING_HOURS) == pytest.approx(0.5)


def test_no_time_between_start_and_deadline():
    start = at(2026, 11, 16, 10)
    assert CAL.used_fraction(start, start, at(2026, 11, 16, 11), LimitUnit.HOURS) == 1.0
    sunday = at(2026, 11, 22, 10)
    assert CAL.used_fraction(at(2026, 11, 21, 10), sunday, at(2026, 11, 21, 12), LimitUnit.WORKING_DAYS) == 0.0


def test_unknown_unit_raises():
    with pytest.raises(ValueError, match="unit"):
        used(at(2026, 11, 17, 9), unit="fortnights")


def test_many_clocks_at_once_give_exactly_the_single_figures():
    """used_fractions (the dashboard's yellow count) equals used_fraction clock by clock, across the National Day
    holiday and its make-up Saturday, mid-day starts, every unit, clocks not begun and clocks at their end."""
    import random

    rng = random.Random(7)
    now = at(2026, 10, 12, 15, 17)
    clocks = []
    for _ in range(400):
        start = at(2026, 9, 20, 0, 0) + dt.timedelta(minutes=rng.randrange(0, 30 * 24 * 60))
        deadline = start + dt.timedelta(minutes=rng.randrange(0, 25 * 24 * 60))
        clocks.append((start, deadline, rng.choice(LimitUnit.values)))
    for _ in range(200):  # any second and microsecond, office-period edges among them
        start = at(2026, 9, 28, 8, 30) + dt.timedelta(microseconds=rng.randrange(0, 14 * 24 * 3600 * 10**6))
        deadline = start + dt.timedelta(microseconds=rng.randrange(0, 10 * 24 * 3600 * 10**6))
        clocks.append((start, deadline, rng.choice(LimitUnit.values)))
    clocks += [(at(2026, 10, 9, 12, 0), at(2026, 10, 13, 13, 30), unit) for unit in LimitUnit.values]
    clocks.append((now, now, LimitUnit.WORKING_DAYS))
    clocks.append((at(2026, 10, 3, 10), at(2026, 10, 4, 10), LimitUnit.WORKING_DAYS))  # wholly in the holiday
    expected = [CAL.used_fraction(start, deadline, now, unit) for start, deadline, unit in clocks]
    assert CAL.used_fractions(clocks, now) == expected
    assert 0 < sum(1 for value in expected if 0 < value < 1) < len(expected)
