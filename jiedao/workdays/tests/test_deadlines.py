"""Deadlines in working days, working hours and hours, with pauses, on real dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jiedao.workdays.calendar import Limit, WorkCalendar
from jiedao.workdays.choices import LimitUnit
from jiedao.workdays.tests.conftest import SHANGHAI, at

D = dt.date
CAL = WorkCalendar()


def days(n: int) -> Limit:
    return Limit(Decimal(n), LimitUnit.WORKING_DAYS)


def working_hours(h: str) -> Limit:
    return Limit(Decimal(h), LimitUnit.WORKING_HOURS)


def hours(h: str) -> Limit:
    return Limit(Decimal(h), LimitUnit.HOURS)


# --- Working days ---------------------------------------------------------------------------------------------


def test_one_working_day_from_monday_morning_is_tuesday_close():
    assert CAL.deadline(at(2026, 11, 16, 10), days(1)) == at(2026, 11, 17, 17, 30)


def test_received_after_close_the_clock_starts_next_morning():
    assert CAL.deadline(at(2026, 11, 16, 18), days(1)) == at(2026, 11, 18, 17, 30)


def test_received_saturday_night_counts_from_monday():
    assert CAL.deadline(at(2026, 11, 21, 22), days(1)) == at(2026, 11, 24, 17, 30)
    assert CAL.deadline(at(2026, 11, 20, 10), days(5)) == at(2026, 11, 27, 17, 30)


def test_make_up_saturday_counts_as_a_working_day():
    # Friday 13 Feb 2026 + 1 → the make-up Saturday the 14th, not Tuesday the 24th.
    assert CAL.deadline(at(2026, 2, 13, 10), days(1)) == at(2026, 2, 14, 17, 30)
    # Received on the make-up Saturday itself: day 0 is that Saturday.
    assert CAL.deadline(at(2026, 2, 14, 10), days(1)) == at(2026, 2, 24, 17, 30)


def test_received_in_the_evening_of_the_make_up_saturday_waits_for_spring_festival_to_end():
    assert CAL.deadline(at(2026, 2, 14, 20), days(1)) == at(2026, 2, 25, 17, 30)


def test_spring_festival_2026_week_is_skipped():
    assert CAL.deadline(at(2026, 2, 12, 9), days(5)) == at(2026, 2, 26, 17, 30)  # 13, 14, 24, 25, 26


def test_national_day_2025_the_day_before_jumps_over_the_holiday():
    assert CAL.deadline(at(2025, 9, 30, 16), days(1)) == at(2025, 10, 9, 17, 30)
    assert CAL.deadline(at(2025, 9, 26, 16), days(1)) == at(2025, 9, 28, 17, 30)  # make-up Sunday


def test_national_day_2026_the_day_before_jumps_over_the_holiday():
    assert CAL.deadline(at(2026, 9, 30, 16), days(1)) == at(2026, 10, 8, 17, 30)
    assert CAL.deadline(at(2026, 10, 3, 10), days(3)) == at(2026, 10, 12, 17, 30)  # 9, 10 (Saturday), 12


def test_across_2026_2027_without_data_falls_back_to_monday_to_friday():
    assert CAL.deadline(at(2026, 12, 31, 10), days(1)) == at(2027, 1, 1, 17, 30)


def test_across_2026_2027_with_overrides_for_2027():
    cal = WorkCalendar(overrides={D(2027, 1, 1): False, D(2027, 1, 4): False, D(2027, 1, 9): True})
    assert cal.deadline(at(2026, 12, 31, 10), days(1)) == at(2027, 1, 5, 17, 30)
    # Dec 31, then Jan 5, 6, 7, 8 and the (overridden) make-up Saturday the 9th.
    assert cal.deadline(at(2026, 12, 30, 10), days(6)) == at(2027, 1, 9, 17, 30)


def test_working_days_deadline_uses_the_end_of_the_last_period():
    cal = WorkCalendar(periods=((dt.time(9), dt.time(12)), (dt.time(14), dt.time(18))))
    assert cal.deadline(at(2026, 11, 16, 10), days(1)) == at(2026, 11, 17, 18)


# --- Working hours --------------------------------------------------------------------------------------------


def test_working_hours_over_lunch():
    assert CAL.deadline(at(2026, 11, 16, 11, 30), working_hours("1")) == at(2026, 11, 16, 14)


def test_working_hours_over_the_evening_and_weekend():
    assert CAL.deadline(at(2026, 11, 20, 16, 30), working_hours("2")) == at(2026, 11, 23, 9, 30)


def test_working_hours_ending_exactly_at_close_end_at_close():
    assert CAL.deadline(at(2026, 11, 16, 16, 30), working_hours("1")) == at(2026, 11, 16, 17, 30)


def test_working_hours_received_at_night_start_next_morning():
    assert CAL.deadline(at(2026, 11, 16, 20), working_hours("0.5")) == at(2026, 11, 17, 9)


def test_working_hours_skip_national_day_2026():
    assert CAL.deadline(at(2026, 9, 30, 17), working_hours("1")) == at(2026, 10, 8, 9)


# --- Hours ----------------------------------------------------------------------------------------------------


def test_hours_ignore_holidays_and_nights():
    assert CAL.deadline(at(2026, 10, 1, 22), hours("24")) == at(2026, 10, 2, 22)
    assert CAL.deadline(at(2026, 2, 16, 23), hours("2")) == at(2026, 2, 17, 1)
    assert CAL.deadline(at(2026, 11, 16, 10), hours("0.5")) == at(2026, 11, 16, 10, 30)


def test_result_is_in_shanghai_whatever_the_input_zone():
    result = CAL.deadline(dt.datetime(2026, 11, 16, 2, tzinfo=dt.UTC), days(1))
    assert result == at(2026, 11, 17, 17, 30)
    assert result.tzinfo == SHANGHAI


# --- Pauses ---------------------------------------------------------------------------------------------------


def test_a_closed_pause_moves_a_working_days_deadline_by_the_paused_office_time():
    pause = (at(2026, 11, 17, 9), at(2026, 11, 17, 10))
    assert CAL.deadline(at(2026, 11, 16, 10), days(1), [pause]) == at(2026, 11, 18, 9, 30)


def test_a_pause_over_night_counts_only_its_office_time():
    pause = (at(2026, 11, 16, 17), at(2026, 11, 17, 9))  # 30 min on Monday, 30 min on Tuesday
    assert CAL.deadline(at(2026, 11, 16, 10), days(1), [pause]) == at(2026, 11, 18, 9, 30)


def test_overlapping_pauses_are_merged():
    pauses = [(at(2026, 11, 17, 9), at(2026, 11, 17, 10)), (at(2026, 11, 17, 9, 30), at(2026, 11, 17, 10, 30))]
    assert CAL.deadline(at(2026, 11, 16, 10), days(1), pauses) == at(2026, 11, 18, 10)


def test_a_pause_contained_in_another_adds_nothing():
    pauses = [(at(2026, 11, 17, 9), at(2026, 11, 17, 11)), (at(2026, 11, 17, 9, 30), at(2026, 11, 17, 10))]
    assert CAL.deadline(at(2026, 11, 16, 10), days(1), pauses) == at(2026, 11, 18, 10, 30)


def test_only_the_part_of_a_pause_after_the_start_counts():
    pause = (at(2026, 11, 13, 9), at(2026, 11, 16, 11))  # from the Friday before, 1 h after a 10:00 start
    assert CAL.deadline(at(2026, 11, 16, 10), days(1), [pause]) == at(2026, 11, 18, 9, 30)
    assert CAL.deadline(at(2026, 11, 16, 10), hours("2"), [pause]) == at(2026, 11, 16, 13)


def test_a_pause_entirely_before_the_start_changes_nothing():
    pause = (at(2026, 11, 13, 9), at(2026, 11, 13, 11))
    assert CAL.deadline(at(2026, 11, 16, 10), days(1), [pause]) == at(2026, 11, 17, 17, 30)


def test_a_pause_after_the_deadline_changes_nothing():
    pause = (at(2026, 11, 18, 9), at(2026, 11, 18, 10))
    assert CAL.deadline(at(2026, 11, 16, 10), days(1), [pause]) == at(2026, 11, 17, 17, 30)


def test_a_pause_reached_only_because_of_an_earlier_pause_counts_too():
    pauses = [(at(2026, 11, 17, 9), at(2026, 11, 17, 10)), (at(2026, 11, 18, 8, 30), at(2026, 11, 18, 9))]
    assert CAL.deadline(at(2026, 11, 16, 10), days(1), pauses) == at(2026, 11, 18, 10)


def test_pauses_in_working_hours_skip_only_office_time():
    pause = (at(2026, 11, 16, 11), at(2026, 11, 16, 14))  # 1 h morning + 30 min afternoon office time
    assert CAL.deadline(at(2026, 11, 16, 10), working_hours("2"), [pause]) == at(2026, 11, 16, 15)


def test_pauses_in_hours_are_elapsed_time():
    pauses = [(at(2026, 10, 1, 11), at(2026, 10, 1, 12)), (at(2026, 10, 1, 11, 30), at(2026, 10, 1, 13))]
    assert CAL.deadline(at(2026, 10, 1, 10), hours("2"), pauses) == at(2026, 10, 1, 14)
    at_deadline = [(at(2026, 10, 1, 12), at(2026, 10, 1, 13))]  # starts when the time is already up
    assert CAL.deadline(at(2026, 10, 1, 10), hours("2"), at_deadline) == at(2026, 10, 1, 12)
    later = [(at(2026, 10, 1, 12, 30), at(2026, 10, 1, 13))]  # starts after the 12:00 deadline
    assert CAL.deadline(at(2026, 10, 1, 10), hours("2"), later) == at(2026, 10, 1, 12)


def test_an_open_pause_means_no_deadline():
    open_pause = (at(2026, 11, 17, 9), None)
    assert CAL.deadline(at(2026, 11, 16, 10), days(1), [open_pause]) is None
    assert CAL.deadline(at(2026, 11, 16, 10), hours("2"), [(at(2026, 11, 16, 8), None)]) is None
    closed = (at(2026, 11, 16, 11), at(2026, 11, 16, 12))
    assert CAL.deadline(at(2026, 11, 16, 10), working_hours("2"), [closed, open_pause]) is None


def test_a_pause_ending_before_it_starts_raises():
    with pytest.raises(ValueError, match="before it starts"):
        CAL.deadline(at(2026, 11, 16, 10), days(1), [(at(2026, 11, 17, 10), at(2026, 11, 17, 9))])


def test_naive_start_or_pause_raises():
    with pytest.raises(ValueError, match="naive"):
        CAL.deadline(dt.datetime(2026, 11, 16, 10), days(1))
    with pytest.raises(ValueError, match="naive"):
        CAL.deadline(at(2026, 11, 16, 10), days(1), [(dt.datetime(2026, 11, 17, 9), None)])


# --- Limits ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "unit"),
    [
        (Decimal("0.5"), LimitUnit.WORKING_DAYS),
        (Decimal(0), LimitUnit.HOURS),
        (Decimal(-1), LimitUnit.WORKING_HOURS),
        (Decimal("NaN"), LimitUnit.HOURS),
        (Decimal(1), "fortnights"),
        (Decimal("0.0001"), LimitUnit.HOURS),
    ],
)
def test_bad_limits_raise_value_error(amount, unit):
    with pytest.raises(ValueError):
        Limit(amount, unit)


def test_limit_refuses_floats_and_accepts_ints():
    with pytest.raises(TypeError):
        Limit(1.5, LimitUnit.HOURS)
    limit = Limit(3, LimitUnit.WORKING_DAYS)
    assert limit.amount == Decimal(3)
    assert isinstance(limit.amount, Decimal)
    assert Limit(Decimal("1.5"), LimitUnit.WORKING_HOURS).seconds == 5400
