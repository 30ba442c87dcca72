"""Which days are working days: the package (holidays and 调休 make-up days), overrides, the fallback."""

from __future__ import annotations

import datetime as dt

import pytest

from jiedao.workdays.calendar import Source, WorkCalendar
from jiedao.workdays.tests.conftest import at

D = dt.date


def test_make_up_saturday_before_spring_festival_2026_is_a_workday():
    cal = WorkCalendar()
    assert D(2026, 2, 14).weekday() == 5  # a Saturday
    assert cal.is_workday(D(2026, 2, 14))
    assert cal.is_workday(D(2026, 2, 28))  # the second make-up Saturday
    assert not cal.is_workday(D(2026, 2, 7))  # an ordinary Saturday


def test_spring_festival_2026_week_is_off_from_the_15th_to_the_23rd():
    cal = WorkCalendar()
    festival = [D(2026, 2, 15) + dt.timedelta(days=i) for i in range(9)]
    assert [cal.is_workday(day) for day in festival] == [False] * 9
    assert cal.is_workday(D(2026, 2, 13))
    assert cal.is_workday(D(2026, 2, 24))
    assert cal.describe(D(2026, 2, 17)).name == "春节"


def test_national_day_weeks_2025_and_2026():
    cal = WorkCalendar()
    assert [cal.is_workday(D(2025, 10, d)) for d in range(1, 12)] == [False] * 8 + [True, True, True]
    assert cal.is_workday(D(2025, 9, 28))  # make-up Sunday
    assert [cal.is_workday(D(2026, 10, d)) for d in range(1, 11)] == [False] * 7 + [True, True, True]
    assert cal.is_workday(D(2026, 10, 10))  # make-up Saturday
    assert cal.is_workday(D(2026, 9, 20))  # make-up Sunday


def test_override_wins_over_the_package():
    cal = WorkCalendar(overrides={D(2026, 10, 1): True, D(2026, 11, 18): False}, names={D(2026, 11, 18): "停电"})
    assert cal.is_workday(D(2026, 10, 1))
    assert not cal.is_workday(D(2026, 11, 18))
    info = cal.describe(D(2026, 11, 18))
    assert (info.is_workday, info.name, info.source) == (False, "停电", Source.OVERRIDE)


def test_year_without_data_falls_back_to_monday_to_friday():
    cal = WorkCalendar()
    assert cal.year_source(2027) == Source.FALLBACK
    assert cal.is_workday(D(2027, 1, 1))  # a Friday: New Year's Day, but nobody told the calendar
    assert not cal.is_workday(D(2027, 1, 2))
    assert cal.describe(D(2027, 1, 1)).source == Source.FALLBACK
    assert 2027 not in cal.known_years


def test_overrides_make_a_year_known():
    cal = WorkCalendar(overrides={D(2027, 1, 1): False})
    assert cal.year_source(2027) == Source.OVERRIDE
    assert cal.year_source(2026) == Source.PACKAGE
    assert 2027 in cal.known_years
    assert not cal.is_workday(D(2027, 1, 1))


def test_next_working_moment():
    cal = WorkCalendar()
    assert cal.next_working_moment(at(2026, 11, 16, 10)) == at(2026, 11, 16, 10)  # inside the morning
    assert cal.next_working_moment(at(2026, 11, 16, 12)) == at(2026, 11, 16, 13, 30)  # lunch
    assert cal.next_working_moment(at(2026, 11, 16, 17, 30)) == at(2026, 11, 17, 8, 30)  # evening
    assert cal.next_working_moment(at(2026, 11, 21, 22)) == at(2026, 11, 23, 8, 30)  # Saturday night
    assert cal.next_working_moment(at(2026, 2, 13, 23)) == at(2026, 2, 14, 8, 30)  # make-up Saturday
    assert cal.next_working_moment(at(2026, 2, 14, 18)) == at(2026, 2, 24, 8, 30)  # over Spring Festival


def test_next_working_moment_is_in_shanghai_whatever_the_input_zone():
    cal = WorkCalendar()
    moment = cal.next_working_moment(dt.datetime(2026, 11, 16, 0, 0, tzinfo=dt.UTC))  # 08:00 in Shanghai
    assert moment == at(2026, 11, 16, 8, 30)
    assert moment.utcoffset() == dt.timedelta(hours=8)


def test_working_seconds_between_counts_office_hours_on_workdays_only():
    cal = WorkCalendar()
    assert cal.working_seconds_between(at(2026, 11, 16, 0), at(2026, 11, 17, 0)) == 7.5 * 3600
    assert cal.working_seconds_between(at(2026, 11, 16, 11), at(2026, 11, 16, 14)) == 1.5 * 3600
    assert cal.working_seconds_between(at(2026, 11, 20, 17), at(2026, 11, 23, 9)) == 3600  # over a weekend
    assert cal.working_seconds_between(at(2026, 9, 30, 17), at(2026, 10, 8, 9)) == 3600  # over National Day
    assert cal.working_seconds_between(at(2026, 11, 17), at(2026, 11, 16)) == 0


def test_custom_periods():
    cal = WorkCalendar(periods=((dt.time(14), dt.time(18)), (dt.time(9), dt.time(12))))
    assert cal.periods[0] == (dt.time(9), dt.time(12))  # sorted
    assert cal.working_seconds_between(at(2026, 11, 16, 0), at(2026, 11, 17, 0)) == 7 * 3600
    assert cal.next_working_moment(at(2026, 11, 16, 12, 30)) == at(2026, 11, 16, 14)


@pytest.mark.parametrize(
    "periods",
    [
        (),
        ((dt.time(9), dt.time(9)),),
        ((dt.time(12), dt.time(9)),),
        ((dt.time(9), dt.time(12)), (dt.time(11), dt.time(13))),
    ],
)
def test_bad_periods_are_refused(periods):
    with pytest.raises(ValueError):
        WorkCalendar(periods=periods)


def test_naive_datetimes_raise():
    cal = WorkCalendar()
    naive = dt.datetime(2026, 11, 16, 10)
    with pytest.raises(ValueError, match="naive"):
        cal.next_working_moment(naive)
    with pytest.raises(ValueError, match="naive"):
        cal.working_seconds_between(naive, at(2026, 11, 17))
    with pytest.raises(ValueError, match="naive"):
        cal.used_fraction(at(2026, 11, 16), naive, at(2026, 11, 16), "hours")


def test_a_calendar_without_any_working_day_raises_instead_of_looping():
    cal = WorkCalendar(overrides={D(2030, 1, 1) + dt.timedelta(days=i): False for i in range(3700)})
    with pytest.raises(ValueError, match="no working day"):
        cal.next_working_moment(at(2030, 1, 1))
