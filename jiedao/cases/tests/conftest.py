from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from conftest import _persona
from jiedao.core import clock

SHANGHAI = ZoneInfo("Asia/Shanghai")


class FrozenClock:
    """A clock the test moves by hand; services read it through jiedao.core.clock.now()."""

    def __init__(self, start: dt.datetime) -> None:
        self.moment = start

    def __call__(self) -> dt.datetime:
        return self.moment

    def set(self, *args: int) -> dt.datetime:
        self.moment = dt.datetime(*args, tzinfo=SHANGHAI)
        return self.moment

    def advance(self, **kwargs: float) -> dt.datetime:
        self.moment += dt.timedelta(**kwargs)
        return self.moment


@pytest.fixture
def now(monkeypatch):
    """Monday 2026-11-23 10:00 in Shanghai, an ordinary working day."""
    frozen = FrozenClock(dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI))
    monkeypatch.setattr(clock, "now", frozen)
    return frozen


@pytest.fixture
def urban_handler(world):
    return _persona("urban_handler", "unit_handler", unit=world.unit_urban)


@pytest.fixture
def other_office_dispatcher(world):
    return _persona("far_dispatcher", "dispatcher", place=world.other_office)
