"""The cases behind every KPI as query conditions: one place, used both to count and to list them.

Each named set is a Q over Case alone (the first main-unit sign-off and the latest callback are copied onto the
case by the services; supervision notices are an IN list), so the aggregate that counts a numerator and the
drill-down that lists it cannot drift apart, and a year of KPIs is one pass over the case table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import DurationField, ExpressionWrapper, F, Q, QuerySet

from jiedao.analytics.kpis import Kpi, Part
from jiedao.cases.choices import Resolution, Satisfaction, State
from jiedao.cases.models import Supervision

# Merged and voided cases are not cases: they never count anywhere.
NOT_CASES = (Resolution.MERGED, Resolution.VOIDED)
NOTHING = Q(pk__in=[])


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


def case_sets(period: Period, *, as_of: dt.datetime) -> dict[str, Q]:
    """The named sets of cases the KPIs count, for `period`; `as_of` is the earlier of its end and now.

    Every set is meant for cases that are already cases (merged and voided left out by the caller).
    """
    scored = Q(excluded_from_scoring=False)

    # The main-unit dispatch signed for first (copied onto the case when it was signed), checked against its own
    # sign-off deadline: signed by then, or the resident contacted by then. Never signed for: not responded.
    responded = Q(first_signed_at__isnull=False) & (
        Q(first_signed_at__lte=F("first_sign_deadline")) | Q(first_sign_deadline__gte=F("contacted_at"))
    )
    # The latest callback of each case, copied onto the case by the callback services.
    called_back = _within("callback_at", period)
    dispatched = _within("dispatched_at", period)
    closed_handled = _within("closed_at", period) & ~Q(resolution=Resolution.NOT_ACCEPTED)
    received = _within("received_at", period)
    accepted = received & ~Q(state=State.REGISTERED) & ~Q(resolution=Resolution.NOT_ACCEPTED)

    if as_of > period.start:
        # Not closed at as_of, and its deadline already passed then.
        overdue_open = Q(finish_deadline__lt=as_of) & (Q(closed_at__isnull=True) | Q(closed_at__gte=as_of))
        due = scored & (Q(finish_deadline__gte=period.start, finish_deadline__lt=as_of) | overdue_open)
        overdue_open &= scored
    else:  # a period that has not begun: nothing is due in it yet
        due = overdue_open = NOTHING

    return {
        "dispatched_scored": scored & dispatched,
        "responded": scored & dispatched & responded,
        "called_back": scored & called_back,
        "resolved": scored & called_back & Q(callback_resolved=True),
        "result_satisfied": scored & called_back & Q(callback_result=Satisfaction.SATISFIED),
        "result_basically": scored & called_back & Q(callback_result=Satisfaction.BASICALLY),
        "process_satisfied": scored & called_back & Q(callback_process=Satisfaction.SATISFIED),
        "process_basically": scored & called_back & Q(callback_process=Satisfaction.BASICALLY),
        "due": due,
        "on_time": due & Q(closed_at__isnull=False, closed_at__lte=F("finish_deadline")),
        "overdue_open": overdue_open,
        "dispatched": dispatched,
        "returned": dispatched & Q(return_count__gte=1),
        "extended": dispatched & Q(extension_count__gte=1),
        "closed_handled": closed_handled,
        "reworked": closed_handled & Q(rework_count__gte=1),
        "accepted": accepted,
        "answered": accepted & Q(resolution=Resolution.ANSWERED),
        "not_accepted": received & Q(resolution=Resolution.NOT_ACCEPTED),
        # An IN over the period's notices (few): one hashed lookup per case, not a probe per case.
        "supervised": Q(pk__in=notices_in(period).values("case_id")),
    }


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
