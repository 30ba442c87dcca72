from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from jiedao.workdays import calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*parts: int) -> dt.datetime:
    """An aware datetime in Asia/Shanghai: at(2026, 10, 1, 9, 30)."""
    return dt.datetime(*parts, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    """The snapshot is process-wide: no test may see another test's overrides."""
    calendar.invalidate()
    yield
    calendar.invalidate()
