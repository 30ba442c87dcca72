"""The simulated year's clock: the moment the services read as "now", and the delays between steps in office time."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from jiedao.cases.choices import Urgency
from jiedao.cases.models import Case
from jiedao.core import clock
from jiedao.workdays.calendar import Limit, WorkCalendar
from jiedao.workdays.choices import LimitUnit

OFFICE_DAY_HOURS = 7.5  # 08:30–12:00 and 13:30–17:30


class MovedClock:
    """The simulation's "now"; the services read it through jiedao.core.clock.now()."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment


@contextmanager
def clock_moved(start: dt.datetime) -> Iterator[MovedClock]:
    """Replace jiedao.core.clock.now by a clock the caller moves; the real one is back afterwards, always."""
    original = clock.now
    moved = MovedClock(start)
    clock.now = moved
    try:
        yield moved
    finally:
        clock.now = original


def office_later(calendar: WorkCalendar, start: dt.datetime, hours: float) -> dt.datetime:
    """`hours` of office time after `start` (counted from the next office moment)."""
    amount = Decimal(str(round(max(hours, 0.02), 2)))
    moment = calendar.deadline(start, Limit(amount, LimitUnit.WORKING_HOURS))
    assert moment is not None  # no pauses given: the calendar always answers
    return moment


class Timing:
    """When the next step of a case comes, from the moved clock and the working calendar."""

    def __init__(self, calendar: WorkCalendar, moved: MovedClock) -> None:
        self.calendar, self.clock = calendar, moved

    @property
    def now(self) -> dt.datetime:
        return self.clock.moment

    def office(self, rng: random.Random, low: float, high: float, start: dt.datetime | None = None) -> dt.datetime:
        """Between `low` and `high` hours of office time after `start` (default now)."""
        return office_later(self.calendar, start or self.now, rng.uniform(low, high))

    def soon(self, rng: random.Random, urgency: str, low: float, high: float) -> dt.datetime:
        """Office hours later; for an urgent case a sixth of it in plain time (someone is on duty)."""
        if urgency == Urgency.URGENT:
            return self.now + dt.timedelta(hours=rng.uniform(low, high) / 6)
        return self.office(rng, low, high)

    def within(self, rng: random.Random, case: Case, low: float, high: float, late: bool = False) -> dt.datetime:
        """A share between `low` and `high` of the time left on the finishing clock; a few office hours when the
        step is late or no time is left."""
        deadline = case.finish_deadline
        if deadline is None or late:
            return self.office(rng, 0.3, 8)
        if case.finish_unit == LimitUnit.HOURS:
            hours = (deadline - self.now).total_seconds() / 3600
            if hours > 0.05:
                return self.now + dt.timedelta(hours=hours * rng.uniform(low, high))
            return self.office(rng, 0.3, 4)
        hours = self.calendar.working_seconds_between(self.now, deadline) / 3600
        return self.office(rng, hours * low, hours * high) if hours > 0.2 else self.office(rng, 0.3, 4)

    def minutes(self, rng: random.Random, low: int, high: int) -> dt.datetime:
        """A few minutes from now, in plain time."""
        return self.now + dt.timedelta(minutes=rng.randint(low, high))
