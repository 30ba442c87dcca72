"""The process-wide snapshot built from the tables, its refresh, known_years() and the W010 system check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.checks import run_checks

from jiedao.workdays import calendar, checks
from jiedao.workdays.calendar import DEFAULT_PERIODS, Limit, known_years, work_calendar
from jiedao.workdays.choices import LimitUnit
from jiedao.workdays.models import DayOverride, WorkPeriod
from jiedao.workdays.services import day_override_save
from jiedao.workdays.tests.conftest import at

D = dt.date
ONE_DAY = Limit(Decimal(1), LimitUnit.WORKING_DAYS)


def test_the_migration_creates_the_default_office_periods(db):
    assert list(WorkPeriod.objects.values_list("start", "end")) == list(DEFAULT_PERIODS)
    assert work_calendar().periods == DEFAULT_PERIODS


def test_snapshot_uses_overrides_and_periods_from_the_database(db):
    DayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, name="元旦")
    WorkPeriod.objects.filter(start=dt.time(13, 30)).update(end=dt.time(18))
    cal = work_calendar()
    assert not cal.is_workday(D(2027, 1, 1))
    assert cal.describe(D(2027, 1, 1)).name == "元旦"
    assert cal.deadline(at(2026, 12, 31, 10), ONE_DAY) == at(2027, 1, 4, 18)


def test_without_period_rows_the_defaults_apply(db):
    WorkPeriod.objects.all().delete()
    assert work_calendar().periods == DEFAULT_PERIODS


def test_deadline_across_the_year_boundary_with_and_without_2027_overrides(db):
    assert work_calendar().deadline(at(2026, 12, 31, 10), ONE_DAY) == at(2027, 1, 1, 17, 30)  # fallback
    for day in (D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)):
        day_override_save(override=DayOverride(date=day, is_workday=False, name="元旦"))
    calendar.invalidate()  # on_commit does not fire inside the test's transaction
    assert work_calendar().deadline(at(2026, 12, 31, 10), ONE_DAY) == at(2027, 1, 4, 17, 30)


def test_the_cache_notices_a_new_override_after_invalidate(db):
    before = work_calendar()
    assert before.is_workday(D(2026, 11, 18))
    DayOverride.objects.create(date=D(2026, 11, 18), is_workday=False, name="停电")
    assert work_calendar() is before  # still cached: checked at most every REFRESH_SECONDS
    calendar.invalidate()
    assert not work_calendar().is_workday(D(2026, 11, 18))


def test_the_cache_notices_a_change_after_the_refresh_interval_without_invalidate(db, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(calendar.time, "monotonic", lambda: clock[0])
    before = work_calendar()
    DayOverride.objects.create(date=D(2026, 11, 18), is_workday=False, name="停电")
    clock[0] += calendar.REFRESH_SECONDS - 1
    assert work_calendar() is before
    clock[0] += 2
    assert not work_calendar().is_workday(D(2026, 11, 18))


def test_the_cache_keeps_the_snapshot_when_nothing_changed(db, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(calendar.time, "monotonic", lambda: clock[0])
    before = work_calendar()
    clock[0] += calendar.REFRESH_SECONDS + 1
    assert work_calendar() is before


def test_known_years_include_the_package_years_and_years_with_overrides(db):
    assert {2004, 2025, 2026} <= known_years()
    assert 2027 not in known_years()
    DayOverride.objects.create(date=D(2027, 10, 1), is_workday=False, name="国庆节")
    assert 2027 in known_years()
    assert 2028 not in known_years()


def _w010(monkeypatch, now: dt.datetime) -> list[str]:
    monkeypatch.setattr(checks.clock, "now", lambda: now)
    return [m.msg for m in run_checks(databases=["default"]) if m.id == "jiedao.W010"]


def test_system_check_is_quiet_for_a_year_the_package_knows(db, monkeypatch):
    assert _w010(monkeypatch, at(2026, 6, 1, 12)) == []


def test_system_check_warns_in_december_when_next_year_has_no_data(db, monkeypatch):
    messages = _w010(monkeypatch, at(2026, 12, 1, 9))
    assert len(messages) == 1
    assert "2027" in messages[0]


def test_system_check_warns_for_the_current_year_without_data(db, monkeypatch):
    messages = _w010(monkeypatch, at(2028, 3, 1, 9))
    assert len(messages) == 1
    assert "2028" in messages[0]


def test_system_check_is_quiet_once_overrides_exist_for_the_year(db, monkeypatch):
    DayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, name="元旦")
    assert _w010(monkeypatch, at(2026, 12, 1, 9)) == []


def test_system_check_uses_shanghai_time_for_the_month(db, monkeypatch):
    assert _w010(monkeypatch, dt.datetime(2026, 11, 30, 15, 59, tzinfo=dt.UTC)) == []  # 23:59 on 30 November
    assert _w010(monkeypatch, dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC)) != []  # 1 December in Shanghai


def test_system_check_without_database_access_reads_no_overrides(monkeypatch):
    # No `db` fixture: any query would raise. Ordinary start-up checks must not need the database.
    monkeypatch.setattr(checks.clock, "now", lambda: at(2026, 12, 1, 9))
    assert [m for m in run_checks() if m.id == "jiedao.W010"] == []
