"""`jiedao workdays check YEAR` and `jiedao workdays list YYYY-MM`."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from jiedao.workdays.models import DayOverride


def run(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("workdays", *args, stdout=out)
    return out.getvalue()


def test_check_a_package_year(db):
    assert "2026: known from the chinesecalendar package" in run("check", "2026")


def test_check_a_year_without_data(db):
    assert "2027: NOT KNOWN" in run("check", "2027")


def test_check_a_year_known_from_overrides(db):
    DayOverride.objects.create(date=dt.date(2027, 1, 1), is_workday=False, name="元旦")
    assert "2027: known from 1 day overrides only" in run("check", "2027")


def test_list_national_day_2026(db):
    out = run("list", "2026-10")
    lines = out.splitlines()
    assert lines[0] == "2026-10: 18 working days (package)"  # 8, 9, the make-up 10th and three full weeks
    assert any(line.startswith("  2026-10-01 Thu  holiday") and "国庆节" in line for line in lines)
    assert any(line.startswith("  2026-10-10 Sat  make-up workday") for line in lines)
    assert not any("2026-10-13" in line for line in lines)  # an ordinary Tuesday


def test_list_shows_overrides(db):
    DayOverride.objects.create(date=dt.date(2027, 2, 6), is_workday=True, name="春节调休上班")
    out = run("list", "2027-02")
    assert "2027-02-06 Sat  make-up workday  春节调休上班  (override)" in out


def test_bad_arguments_are_refused(db):
    with pytest.raises(CommandError):
        run("check", "27")
    with pytest.raises(CommandError):
        run("list", "2026-13")
