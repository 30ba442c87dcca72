"""The cases behind every KPI as query conditions: one place, used both to count and to list them.

Each named set is a Q over Case alone (the first main-unit sign-off and the latest callback are copied onto the
case by the services; supervision notices are an IN list), so the aggregate that counts a numerator and the
drill-down that lists it cannot drift apart, and a year of KPIs is one pass over the case table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import DurationField, Exists, ExpressionWrapper, F, Func, OuterRef, Q, QuerySet

from jiedao.analytics.kpis import Kpi, Part
from jiedao.cases.choices import Resolution, Satisfaction, State
from jiedao.cases.models import Supervision

# The office's calendar: days, weeks (Monday first) and months begin at midnight in Shanghai.
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Merged and voided cases are not cases: they never count anywhere.
NOT_CASES = (Resolution.MERGED, Resolution.VOIDED)
NOTHING = Q(pk__in=[])


class Unordered(Func):
    """A grouping key, unchanged, that SQLite's planner cannot take from an index.

    Asked to group by a bare indexed column (grid_id, main_unit_id…), SQLite walks that column's index to meet the
    groups in order, reading every case of the table through it, even when the WHERE clause's time ranges have
    indexes of their own that read a few hundred cases (and a temporary B-tree groups them): 270 ms against 3 ms
    at 100,000 cases. Written `+column` there (a no-op), the key is no longer the index's; other databases get the
    plain expression.
    """

    template = "%(expressions)s"

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


@dataclass(frozen=True)
class Period:
    """[start, end): aware datetimes, start before end."""

    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a period needs time-zone-aware datetimes")
        if self.start >= self.end:
            raise ValueError("a period must start before it ends")


def _within(field: str, period: Period) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


def notices_in(period: Period) -> QuerySet[Supervision]:
    """Supervision notices issued in the period (counted as notices, listed as the cases that received them)."""
    return Supervision.objects.filter(issued_at__gte=period.start, issued_at__lt=period.end)


def of_cases(cases: QuerySet[Any]) -> Exists:
    """The condition on notices (or any row with a `case`) of being about one of `cases`.

    A correlated EXISTS, checked notice by notice: SQLite builds an IN list of the whole case set before reading
    any notice (70 ms at 100,000 cases, with no notice in the period at all)."""
    return Exists(cases.filter(pk=OuterRef("case_id")))


# The date each counted set is anchored on: a set of a period holds the cases whose anchor lies in the period and
# that meet the set's condition. The daily rollups (jiedao.analytics.rollups) count the same conditions per day.
RECEIVED = "received_at"
DISPATCHED = "dispatched_at"
CALLED_BACK = "callback_at"
CLOSED = "closed_at"
DEADLINE = "finish_deadline"
ANCHORS = (RECEIVED, DISPATCHED, CALLED_BACK, CLOSED, DEADLINE)
HANDLING_TOTAL = "handling_total"


def anchored_conditions() -> dict[str, dict[str, Q]]:
    """For each anchor, the named sets anchored on it and their conditions (without the period).

    Under DEADLINE: "due_in_period" (a scored case whose deadline falls in the period) and "on_time_in_period"
    (of those, closed by the deadline); `due` adds the cases already overdue before the period and still open at
    its end (see case_sets)."""
    scored = Q(excluded_from_scoring=False)
    # The main-unit dispatch signed for first (copied onto the case when it was signed), checked against its own
    # sign-off deadline: signed by then, or the resident contacted by then. Never signed for: not responded.
    responded = Q(first_signed_at__isnull=False) & (
        Q(first_signed_at__lte=F("first_sign_deadline")) | Q(first_sign_deadline__gte=F("contacted_at"))
    )
    handled = ~Q(resolution=Resolution.NOT_ACCEPTED)
    accepted = ~Q(state=State.REGISTERED) & handled
    return {
        RECEIVED: {
            "accepted": accepted,
            "answered": accepted & Q(resolution=Resolution.ANSWERED),
            "not_accepted": Q(resolution=Resolution.NOT_ACCEPTED),
        },
        DISPATCHED: {
            "dispatched_scored": scored,
            "responded": scored & responded,
            "dispatched": Q(),
            "returned": Q(return_count__gte=1),
            "extended": Q(extension_count__gte=1),
        },
        # The latest callback of each case, copied onto the case by the callback services.
        CALLED_BACK: {
            "called_back": scored,
            "resolved": scored & Q(callback_resolved=True),
            "result_satisfied": scored & Q(callback_result=Satisfaction.SATISFIED),
            "result_basically": scored & Q(callback_result=Satisfaction.BASICALLY),
            "process_satisfied": scored & Q(callback_process=Satisfaction.SATISFIED),
            "process_basically": scored & Q(callback_process=Satisfaction.BASICALLY),
        },
        CLOSED: {"closed_handled": handled, "reworked": handled & Q(rework_count__gte=1)},
        DEADLINE: {
            "due_in_period": scored,
            "on_time_in_period": scored & Q(closed_at__isnull=False, closed_at__lte=F("finish_deadline")),
        },
    }


def overdue_open_at(as_of: dt.datetime) -> Q:
    """Scored cases not closed at `as_of` whose finishing deadline had passed by then."""
    return (
        Q(excluded_from_scoring=False)
        & Q(finish_deadline__lt=as_of)
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=as_of))
    )


def case_sets(period: Period, *, as_of: dt.datetime) -> dict[str, Q]:
    """The named sets of cases the KPIs count, for `period`; `as_of` is the earlier of its end and now.

    Every set is meant for cases that are already cases (merged and voided left out by the caller).
    """
    sets: dict[str, Q] = {}
    for anchor, conditions in anchored_conditions().items():
        within = _within(anchor, period)
        sets.update({name: within & condition for name, condition in conditions.items()})
    if as_of > period.start:
        # Due: the deadline fell in the period (up to as_of), or it had passed before and the case was still open.
        in_period = Q(finish_deadline__gte=period.start, finish_deadline__lt=as_of)
        overdue_open = overdue_open_at(as_of)
        due = Q(excluded_from_scoring=False) & in_period | overdue_open
        on_time = due & Q(closed_at__isnull=False, closed_at__lte=F("finish_deadline"))
    else:  # a period that has not begun: nothing is due in it yet
        due = on_time = overdue_open = NOTHING
    del sets["due_in_period"], sets["on_time_in_period"]
    sets.update(
        {
            "due": due,
            "on_time": on_time,
            "overdue_open": overdue_open,
            # An IN over the period's notices (few): one hashed lookup per case, not a probe per case.
            "supervised": Q(pk__in=notices_in(period).values("case_id")),
        }
    )
    return sets


# Which named sets make up each listable part of each KPI (a union when there are several).
PART_SETS: dict[tuple[str, str], tuple[str, ...]] = {
    (Kpi.RESPONSE, Part.NUMERATOR): ("responded",),
    (Kpi.RESPONSE, Part.DENOMINATOR): ("dispatched_scored",),
    (Kpi.RESOLUTION, Part.NUMERATOR): ("resolved",),
    (Kpi.RESOLUTION, Part.DENOMINATOR): ("called_back",),
    (Kpi.SATISFACTION, Part.NUMERATOR): ("result_satisfied", "result_basically"),
    (Kpi.SATISFACTION, Part.SATISFIED): ("result_satisfied",),
    (Kpi.SATISFACTION, Part.BASICALLY): ("result_basically",),
    (Kpi.SATISFACTION, Part.DENOMINATOR): ("called_back",),
    (Kpi.PROCESS_SATISFACTION, Part.NUMERATOR): ("process_satisfied", "process_basically"),
    (Kpi.PROCESS_SATISFACTION, Part.SATISFIED): ("process_satisfied",),
    (Kpi.PROCESS_SATISFACTION, Part.BASICALLY): ("process_basically",),
    (Kpi.PROCESS_SATISFACTION, Part.DENOMINATOR): ("called_back",),
    (Kpi.ON_TIME, Part.NUMERATOR): ("on_time",),
    (Kpi.ON_TIME, Part.DENOMINATOR): ("due",),
    (Kpi.ON_TIME, Part.OVERDUE_OPEN): ("overdue_open",),
    (Kpi.RETURN, Part.NUMERATOR): ("returned",),
    (Kpi.RETURN, Part.DENOMINATOR): ("dispatched",),
    (Kpi.REWORK, Part.NUMERATOR): ("reworked",),
    (Kpi.REWORK, Part.DENOMINATOR): ("closed_handled",),
    (Kpi.EXTENSION, Part.NUMERATOR): ("extended",),
    (Kpi.EXTENSION, Part.DENOMINATOR): ("dispatched",),
    (Kpi.SUPERVISION, Part.NUMERATOR): ("supervised",),
    (Kpi.DIRECT_ANSWER, Part.NUMERATOR): ("answered",),
    (Kpi.DIRECT_ANSWER, Part.DENOMINATOR): ("accepted",),
    (Kpi.NOT_ACCEPTED, Part.NUMERATOR): ("not_accepted",),
    (Kpi.HANDLING_TIME, Part.NUMERATOR): ("closed_handled",),
    (Kpi.HANDLING_TIME, Part.DENOMINATOR): ("closed_handled",),
}

HANDLING_DURATION = ExpressionWrapper(F("closed_at") - F("received_at"), output_field=DurationField())
