"""Validation of the calendar tables and the services that write them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from jiedao.workdays import calendar
from jiedao.workdays.models import DayOverride, WorkPeriod
from jiedao.workdays.services import day_override_delete, day_override_save, work_period_delete, work_period_save

T = dt.time


def test_work_period_end_must_follow_start(db):
    with pytest.raises(ValidationError) as error:
        work_period_save(period=WorkPeriod(start=T(18), end=T(17)))
    assert "end" in error.value.message_dict


def test_work_period_must_not_overlap_another(db):
    with pytest.raises(ValidationError, match="08:30–12:00") as first:
        work_period_save(period=WorkPeriod(start=T(11), end=T(12, 30)))
    with pytest.raises(ValidationError) as second:
        work_period_save(period=WorkPeriod(start=T(7), end=T(18)))  # contains both
    codes = [[e.code for e in error.value.error_dict["__all__"]] for error in (first, second)]
    assert codes == [["overlap"], ["overlap"]]
    assert WorkPeriod.objects.count() == 2


def test_touching_periods_do_not_overlap(db):
    work_period_save(period=WorkPeriod(start=T(12), end=T(13, 30)))
    assert WorkPeriod.objects.count() == 3


def test_a_period_may_be_moved_without_overlapping_itself(db):
    period = WorkPeriod.objects.get(start=T(13, 30))
    period.end = T(18)
    work_period_save(period=period)
    assert WorkPeriod.objects.get(pk=period.pk).end == T(18)


def test_the_database_refuses_an_empty_period(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkPeriod.objects.create(start=T(20), end=T(19))


def test_services_refresh_the_cached_calendar_after_commit(db, django_capture_on_commit_callbacks):
    before = calendar.work_calendar()
    with django_capture_on_commit_callbacks(execute=True):
        override = day_override_save(override=DayOverride(date=dt.date(2026, 11, 18), is_workday=False, name="停电"))
    after = calendar.work_calendar()
    assert after is not before
    assert not after.is_workday(dt.date(2026, 11, 18))
    with django_capture_on_commit_callbacks(execute=True):
        day_override_delete(override=override)
    assert calendar.work_calendar().is_workday(dt.date(2026, 11, 18))
    with django_capture_on_commit_callbacks(execute=True):
        work_period_delete(period=WorkPeriod.objects.get(start=T(13, 30)))
    assert calendar.work_calendar().periods == ((T(8, 30), T(12)),)


def test_one_override_per_date(db):
    day_override_save(override=DayOverride(date=dt.date(2027, 1, 1), is_workday=False, name="元旦"))
    with pytest.raises(ValidationError) as error:
        day_override_save(override=DayOverride(date=dt.date(2027, 1, 1), is_workday=True, name="调休"))
    assert "date" in error.value.message_dict


def test_override_needs_a_name(db):
    with pytest.raises(ValidationError) as error:
        day_override_save(override=DayOverride(date=dt.date(2027, 1, 1), is_workday=False))
    assert "name" in error.value.message_dict
