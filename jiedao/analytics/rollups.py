"""Daily rollups of the KPI counts, so a year of the dashboard reads a few thousand rows instead of every case.

Writing. Every set of terms.anchored_conditions is counted per day of its anchor (received, first dispatched,
latest callback, closed, finishing deadline) into DailyCount, once per breakdown (all cases per scope; per
community-level scope and main unit, channel, request type or level-2 category). Two more counts make the
moment-dependent "overdue and still open" exact: `settled` (a closed, scored case with a deadline, on the later of
closing and deadline) and LateClosure (cases closed after a deadline of an earlier day). A case saved with any
counted field changed marks the days of its old and new anchors stale (StaleDay, in the same transaction); the
worker's `refresh` recomputes stale days before today and the days that have ended since, in one transaction.

Reading. `rollup_counts` answers the counts of case_sets for midnight-aligned periods: the full days before today
that are not stale from DailyCount, everything else (today, stale days) from the cases, with the very same
conditions; overdue-and-open at a moment is Σ(due − settled) over the days before it. It answers None when the
rollups cannot (never built, a filter they do not break down, a viewer seeing cases by unit or below a community):
the caller then uses the live selectors. The rollups test recomputes every figure both ways.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property, reduce
from operator import or_
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Greatest, Substr, TruncDate, TruncMonth

from jiedao.analytics.models import (
    COUNT_FIELDS,
    GROUP_FIELDS,
    Breakdown,
    DailyCount,
    LateClosure,
    MonthlyCount,
    RollupState,
    StaleDay,
)
from jiedao.analytics.terms import (
    ANCHORS,
    CLOSED,
    DEADLINE,
    HANDLING_DURATION,
    HANDLING_TOTAL,
    NOT_CASES,
    RECEIVED,
    SHANGHAI,
    Period,
    Unordered,
    anchored_conditions,
)
from jiedao.cases.models import Case
from jiedao.categories.choices import CODE_DIGITS
from jiedao.core import clock
from jiedao.core.scope import scope_of

# An office's code prefix: the breakdowns other than "all" keep the place to this length.
OFFICE_CODE_LENGTH = 9
# The breakdowns that count every set (the others count the cases received, for the dashboard's slices).
FULL_BREAKDOWNS = (Breakdown.ALL, Breakdown.OFFICE, Breakdown.UNIT)
# Counted at the later of closing and the deadline (see DailyCount.settled).
SETTLED = "settled_at"
SETTLED_CONDITION = Q(excluded_from_scoring=False, closed_at__isnull=False, finish_deadline__isnull=False)
SCORED = Q(excluded_from_scoring=False)
# The case fields a rollup count depends on: a save that changes one makes the case's anchor days stale.
TRACKED_FIELDS = (
    *ANCHORS,
    "state",
    "resolution",
    "excluded_from_scoring",
    "first_signed_at",
    "first_sign_deadline",
    "contacted_at",
    "return_count",
    "extension_count",
    "rework_count",
    "callback_resolved",
    "callback_result",
    "callback_process",
    "scope_code",
    "community_id",
    "grid_id",
    "main_unit_id",
    "channel",
    "request_type",
    "category_id",
)
EPOCH = dt.date(2000, 1, 1)
# Every stored count, the handling time included.
COUNT_FIELDS_WITH_HANDLING = (*COUNT_FIELDS, "handling_us")
BATCH = 2000

Key = int | str | None
Counts = dict[str, Any]


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


# ---------------------------------------------------------------------------------------------------------------
# Writing


def mark_stale(loaded: Mapping[str, Any] | None, case: Case) -> None:
    """Mark stale the days of the case's anchors before and after a save that changed a tracked field (all of the
    new ones for a new case). Runs in the saving transaction."""
    if loaded is not None and all(name in loaded and loaded[name] == getattr(case, name) for name in TRACKED_FIELDS):
        return
    moments = [getattr(case, anchor) for anchor in ANCHORS]
    if loaded is not None:
        moments += [loaded.get(anchor) for anchor in ANCHORS]
    days = {local_day(moment) for moment in moments if moment is not None}
    deferred = _deferred_stale.get()
    if deferred is not None:
        deferred.update(days)
    else:
        StaleDay.objects.bulk_create([StaleDay(day=day) for day in sorted(days)])


_deferred_stale: ContextVar[set[dt.date] | None] = ContextVar("deferred_stale_days", default=None)


@contextmanager
def stale_days_deferred() -> Iterator[None]:
    """Within this block, saved cases gather their stale days and the block writes each day once at its end
    (for bulk writers such as the 12345 import). Enter it inside the writing transaction, so the days are written
    in it; if the block raises, nothing is written (the transaction rolls the cases back too)."""
    if _deferred_stale.get() is not None:  # nested: the outer block writes
        yield
        return
    days: set[dt.date] = set()
    token = _deferred_stale.set(days)
    try:
        yield
    finally:
        _deferred_stale.reset(token)
    StaleDay.objects.bulk_create([StaleDay(day=day) for day in sorted(days)])


def _ranges(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Contiguous [first, after-last) day ranges of `days`."""
    result: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if result and result[-1][1] == day:
            result[-1] = (result[-1][0], day + dt.timedelta(days=1))
        else:
            result.append((day, day + dt.timedelta(days=1)))
    return result


def _within_days(field: str, ranges: Sequence[tuple[dt.date, dt.date]]) -> Q:
    return reduce(
        or_, (Q(**{f"{field}__gte": midnight(a), f"{field}__lt": midnight(b)}) for a, b in ranges), Q(pk__in=[])
    )


def _group_fields(breakdown: str) -> dict[str, Any]:
    """The place and key a breakdown groups cases by, as expressions over Case."""
    if breakdown == Breakdown.ALL:
        return {"g_scope": F("scope_code"), "g_community": F("community_id"), "g_grid": F("grid_id")}
    scope = Substr("scope_code", 1, OFFICE_CODE_LENGTH)
    if breakdown == Breakdown.OFFICE:
        return {"g_scope": scope}
    key = {
        Breakdown.UNIT: F("main_unit_id"),
        Breakdown.CHANNEL: F("channel"),
        Breakdown.REQUEST_TYPE: F("request_type"),
        Breakdown.CATEGORY: Substr("category__code", 1, CODE_DIGITS * 2),
    }[Breakdown(breakdown)]
    return {"g_scope": scope, "g_key": key}


def _count(condition: Q) -> Count:
    return Count("pk", filter=condition) if condition else Count("pk")


def _anchor_aggregates(anchor: str) -> dict[str, Any]:
    conditions = anchored_conditions()
    if anchor == SETTLED:
        return {"settled": Count("pk")}
    aggregates: dict[str, Any] = {name: _count(condition) for name, condition in conditions[anchor].items()}
    if anchor == RECEIVED:
        aggregates["received"] = Count("pk")
    if anchor == CLOSED:
        aggregates["handling"] = Sum(HANDLING_DURATION, filter=conditions[CLOSED]["closed_handled"])
    return aggregates


def _microseconds(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.timedelta):
        return value // dt.timedelta(microseconds=1)
    return int(value)  # SQLite may hand back the microseconds


def _anchored(anchor: str, ranges: Sequence[tuple[dt.date, dt.date]]) -> Any:
    """The cases (merged and voided left out) with `anchor` in the day ranges, annotated with that day."""
    cases = Case.objects.exclude(resolution__in=NOT_CASES)
    if anchor == SETTLED:
        cases = (
            cases.filter(SETTLED_CONDITION)
            .filter(_within_days(DEADLINE, ranges) | _within_days(CLOSED, ranges))
            .annotate(settled_at=Greatest("finish_deadline", "closed_at"))
            .filter(_within_days(SETTLED, ranges))
        )
    else:
        cases = cases.filter(_within_days(anchor, ranges))
    return cases.annotate(day=TruncDate(anchor, tzinfo=SHANGHAI))


def _compute(ranges: Sequence[tuple[dt.date, dt.date]]) -> int:
    """Write the DailyCount and LateClosure rows of the days in `ranges` (the caller removed the old ones)."""
    written = 0
    for breakdown in Breakdown.values:
        groups = _group_fields(breakdown)
        rows: dict[tuple[Any, ...], dict[str, int]] = defaultdict(dict)
        full = breakdown in FULL_BREAKDOWNS
        for anchor in (*ANCHORS, SETTLED) if full else (RECEIVED,):
            aggregates = _anchor_aggregates(anchor)
            found = (
                _anchored(anchor, ranges).annotate(**groups).values("day", *groups).annotate(**aggregates).order_by()
            )
            for row in found:
                counts = rows[tuple(row[name] for name in ("day", *groups))]
                for name in aggregates:
                    value = row[name]
                    if name == "handling":
                        counts["handling_us"] = counts.get("handling_us", 0) + _microseconds(value)
                    else:
                        counts[name] = counts.get(name, 0) + int(value or 0)
        objects = []
        for group, counts in rows.items():
            if not any(counts.values()):
                continue
            day, scope, *rest = group
            place = {"community_id": rest[0], "grid_id": rest[1]} if breakdown == Breakdown.ALL else {}
            key = "" if breakdown in (Breakdown.ALL, Breakdown.OFFICE) or rest[0] is None else str(rest[0])
            objects.append(DailyCount(day=day, breakdown=breakdown, scope_code=scope or "", key=key, **place, **counts))
        DailyCount.objects.bulk_create(objects, batch_size=BATCH)
        written += len(objects)
        if not full:
            continue
        late = (
            _anchored(CLOSED, ranges)
            .filter(SCORED, finish_deadline__isnull=False, finish_deadline__lt=F("closed_at"))
            .annotate(deadline_day=TruncDate(DEADLINE, tzinfo=SHANGHAI), **groups)
            .values("day", "deadline_day", *groups)
            .annotate(n=Count("pk"))
            .order_by()
        )
        closures = []
        for row in late:
            if row["deadline_day"] >= row["day"]:
                continue  # closed late on the deadline's own day: not overdue at any midnight
            place = {"community_id": row["g_community"], "grid_id": row["g_grid"]} if breakdown == Breakdown.ALL else {}
            key = str(row["g_key"]) if row.get("g_key") is not None else ""
            closures.append(
                LateClosure(
                    closed_day=row["day"],
                    deadline_day=row["deadline_day"],
                    breakdown=breakdown,
                    scope_code=row["g_scope"] or "",
                    key=key,
                    count=row["n"],
                    **place,
                )
            )
        LateClosure.objects.bulk_create(closures, batch_size=BATCH)
    return written


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _compute_months(months: Iterable[dt.date]) -> int:
    """Write the MonthlyCount rows of `months` as the sums of their DailyCount rows (the caller removed the old)."""
    written = 0
    sums = {name: Sum(name) for name in COUNT_FIELDS_WITH_HANDLING}
    for a, b in _month_ranges(months):
        found = (
            DailyCount.objects.filter(day__gte=a, day__lt=b)
            .annotate(month=TruncMonth("day"))
            .values("month", *GROUP_FIELDS)
            .annotate(**sums)
            .order_by()
        )
        objects = [
            MonthlyCount(
                **{name: row[name] for name in GROUP_FIELDS},
                month=row["month"],
                **{name: int(row[name] or 0) for name in sums},
            )
            for row in found
        ]
        MonthlyCount.objects.bulk_create(objects, batch_size=BATCH)
        written += len(objects)
    return written


def _months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], month_of(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def _month_ranges(months: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Contiguous [first day, first day after) ranges of whole months."""
    result: list[tuple[dt.date, dt.date]] = []
    for month in sorted(set(months)):
        if result and result[-1][1] == month:
            result[-1] = (result[-1][0], next_month(month))
        else:
            result.append((month, next_month(month)))
    return result


def _state() -> RollupState:
    state = RollupState.objects.select_for_update().order_by("pk").first()
    return state or RollupState.objects.create()


@transaction.atomic
def rebuild(now: dt.datetime | None = None) -> int:
    """Recompute every day before today from the cases; returns the rows written."""
    today = local_day(now or clock.now())
    state = _state()
    DailyCount.objects.all().delete()
    MonthlyCount.objects.all().delete()
    LateClosure.objects.all().delete()
    StaleDay.objects.filter(day__lt=today).delete()
    written = _compute([(EPOCH, today)])
    first = DailyCount.objects.order_by("day").values_list("day", flat=True).first()
    if first is not None:
        written += _compute_months(_months_between(first, today))
    state.first_day = first
    state.covered_until = today
    state.built_at = state.refreshed_at = now or clock.now()
    state.save()
    return written


@transaction.atomic
def refresh(now: dt.datetime | None = None) -> int:
    """Recompute the stale days before today and the days that ended since the last refresh (a first refresh
    rebuilds); returns the number of days recomputed."""
    now = now or clock.now()
    today = local_day(now)
    state = _state()
    if state.covered_until is None:
        rebuild(now)
        return DailyCount.objects.values("day").distinct().count()
    stale = list(StaleDay.objects.filter(day__lt=today).values_list("pk", "day"))
    days = {day for _pk, day in stale}
    day = state.covered_until
    while day < today:
        days.add(day)
        day += dt.timedelta(days=1)
    if days:
        ranges = _ranges(days)
        for a, b in ranges:
            DailyCount.objects.filter(day__gte=a, day__lt=b).delete()
            LateClosure.objects.filter(closed_day__gte=a, closed_day__lt=b).delete()
        _compute(ranges)
        months = {month_of(day) for day in days}
        for a, b in _month_ranges(months):
            MonthlyCount.objects.filter(month__gte=a, month__lt=b).delete()
        _compute_months(months)
        ids = [pk for pk, _day in stale]
        for start in range(0, len(ids), BATCH):
            StaleDay.objects.filter(pk__in=ids[start : start + BATCH]).delete()
    state.covered_until = max(state.covered_until, today)
    state.refreshed_at = now
    state.save()
    return len(days)


# ---------------------------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class Coverage:
    until: dt.date  # days before it are in the rollups, unless stale
    stale: frozenset[dt.date]


_held: ContextVar[tuple[Coverage | None] | None] = ContextVar("rollup_coverage", default=None)


@contextmanager
def held_coverage() -> Iterator[None]:
    """Read the coverage once for everything counted inside (one page: its parts then agree on the same days), and
    read the per-place rows once for all the groupings by community and grid inside."""
    token = _held.set((_read_coverage(),))
    reads = _held_reads.set({})
    try:
        yield
    finally:
        _held_reads.reset(reads)
        _held.reset(token)


def coverage() -> Coverage | None:
    held = _held.get()
    return held[0] if held is not None else _read_coverage()


def _read_coverage() -> Coverage | None:
    state = RollupState.objects.order_by("pk").values_list("covered_until", flat=True).first()
    if state is None:
        return None
    stale = frozenset(StaleDay.objects.filter(day__lt=state).values_list("day", flat=True).distinct())
    return Coverage(state, stale)


@dataclass(frozen=True)
class Reach:
    """The place prefixes the rollups count for a viewer and filter: any of `prefixes` (all when None), and
    `place_prefix`; `office_level` when all of them are offices or wider (the per-office breakdowns serve)."""

    prefixes: frozenset[str] | None
    place_prefix: str

    @property
    def office_level(self) -> bool:
        codes = [self.place_prefix, *(self.prefixes or ())]
        return all(len(code) <= OFFICE_CODE_LENGTH for code in codes)

    def q(self) -> Q:
        q = Q(scope_code__startswith=self.place_prefix) if self.place_prefix else Q()
        if self.prefixes is not None:
            q &= reduce(or_, (Q(scope_code__startswith=p) for p in sorted(self.prefixes)), Q(pk__in=[]))
        return q


def reach(user: Any, filters: Any) -> Reach | None:
    """Whether the rollups can count what `user` sees under `filters` (a KpiFilter), and how."""
    if filters.unit_id is not None or filters.category_code or filters.channel or filters.request_type:
        return None
    scope = scope_of(user)
    if scope.everything:
        return Reach(None, filters.place_prefix)
    if scope.unit_ids or not scope.place_prefixes:
        return None
    return Reach(frozenset(scope.place_prefixes), filters.place_prefix)


def _aligned(moment: dt.datetime) -> bool:
    return moment == midnight(local_day(moment))


@dataclass(frozen=True)
class _Split:
    """Which part of a span the rollups answer (the full days [first, last) that are not stale) and which the cases
    do (the live periods)."""

    first: dt.date
    last: dt.date
    stale: tuple[dt.date, ...]
    live: list[Period]

    def days(self, field: str = "day") -> Q:
        if self.last <= self.first:
            return Q(pk__in=[])
        return Q(**{f"{field}__gte": self.first, f"{field}__lt": self.last}) & ~Q(**{f"{field}__in": self.stale})

    # The same days as MonthlyCount rows for the whole months without a stale day, and DailyCount rows for the rest.

    @cached_property
    def _months(self) -> tuple[dt.date, dt.date, frozenset[dt.date]]:
        """The whole months [a, b) within [first, last), and those of them holding a stale day."""
        a = self.first if self.first.day == 1 else next_month(month_of(self.first))
        b = month_of(self.last)
        if b <= a:
            return a, a, frozenset()
        return a, b, frozenset(month_of(day) for day in self.stale if a <= day < b)

    def holds_month(self, month: dt.date) -> bool:
        a, b, stale = self._months
        return a <= month < b and month not in stale

    def holds_day(self, day: dt.date) -> bool:
        """A day read from DailyCount: counted, and not in a month read from MonthlyCount."""
        return self.first <= day < self.last and day not in self.stale and not self.holds_month(month_of(day))

    def month_rows(self) -> Q:
        a, b, stale = self._months
        if b <= a:
            return Q(pk__in=[])
        return Q(month__gte=a, month__lt=b) & ~Q(month__in=sorted(stale))

    def day_rows(self) -> Q:
        if self.last <= self.first:
            return Q(pk__in=[])
        a, b, stale = self._months
        spans = [(self.first, a), (b, self.last), *((m, next_month(m)) for m in stale)] if a < b else []
        spans = [(x, y) for x, y in spans if x < y] if spans else [(self.first, self.last)]
        within = reduce(or_, (Q(day__gte=x, day__lt=y) for x, y in spans), Q(pk__in=[]))
        return within & ~Q(day__in=self.stale)


def _split(start: dt.datetime, end: dt.datetime, cov: Coverage) -> _Split:
    """Full days of [start, end) before cov.until and not stale from the rollups; the rest live."""
    first = local_day(start) if _aligned(start) else local_day(start) + dt.timedelta(days=1)
    if end <= start:
        return _Split(first, first, (), [])
    last = min(local_day(end), cov.until)  # exclusive
    live: list[Period] = []
    if first > local_day(start):
        live.append(Period(start, min(end, midnight(first))))
    stale = tuple(sorted(day for day in cov.stale if first <= day < last))
    live += [Period(midnight(day), midnight(day + dt.timedelta(days=1))) for day in stale]
    tail = max(midnight(last), start) if last >= first else start
    if tail < end:
        live.append(Period(tail, end))
    return _Split(first, last, stale, _merge(live))


def _merge(periods: list[Period]) -> list[Period]:
    merged: list[Period] = []
    for period in sorted(periods, key=lambda p: p.start):
        if merged and merged[-1].end >= period.start:
            merged[-1] = Period(merged[-1].start, max(merged[-1].end, period.end))
        else:
            merged.append(period)
    return merged


def _clip(periods: list[Period], end: dt.datetime) -> list[Period]:
    return [Period(p.start, min(p.end, end)) for p in periods if p.start < end]


def _within_any(field: str, periods: list[Period]) -> Q:
    return reduce(or_, (Q(**{f"{field}__gte": p.start, f"{field}__lt": p.end}) for p in periods), Q(pk__in=[]))


@dataclass(frozen=True)
class _Plan:
    """One period's parts: the anchored counts, the late closures, and Σ(due − settled) before start and as_of."""

    period: Period
    as_of: dt.datetime
    counted: _Split
    due_window: list[Period]  # live part of the counted span, cut at as_of (deadlines, late closures)
    before_start: _Split
    before_as_of: _Split


def _plan(period: Period, now: dt.datetime, cov: Coverage) -> _Plan:
    as_of = min(period.end, now)
    counted = _split(period.start, period.end, cov)
    epoch = midnight(EPOCH)
    return _Plan(
        period,
        as_of,
        counted,
        _clip(counted.live, as_of),
        _split(epoch, period.start, cov),
        _split(epoch, as_of, cov),
    )


# What each grouping reads: the breakdown for viewers of whole offices, the one for narrower places (None: the
# live selectors answer), the rollup field grouped by, and the same over Case.
GROUPINGS: dict[str, tuple[str, str | None, str, Any]] = {
    "all": (Breakdown.OFFICE, Breakdown.ALL, "", None),
    "community": (Breakdown.ALL, Breakdown.ALL, "community_id", Unordered(F("community_id"))),
    "grid": (Breakdown.ALL, Breakdown.ALL, "grid_id", Unordered(F("grid_id"))),
    "unit": (Breakdown.UNIT, None, "key", Unordered(F("main_unit_id"))),
    "channel": (Breakdown.CHANNEL, None, "key", Unordered(F("channel"))),
    "request_type": (Breakdown.REQUEST_TYPE, None, "key", Unordered(F("request_type"))),
    "category": (Breakdown.CATEGORY, None, "key", Substr("category__code", 1, CODE_DIGITS * 2)),
}


def _normal(grouping: str, value: Any) -> Key:
    """A group's key as the live selectors give it: ids as int, codes as str, none as None."""
    if value is None or value == "":
        return None
    if grouping in ("community", "grid", "unit"):
        return int(value)
    return str(value)


GroupKey = tuple[Any, ...]
# What rollup_counts reads for the KPIs (settled only enters the running totals).
ALL_FIELDS = tuple(name for name in (*COUNT_FIELDS, "handling_us") if name != "settled")
# The groupings read from the same per-place rows: one read per page serves the community and grid rankings and
# the heat map (see _held_reads).
PLACE_FIELDS = ("community_id", "grid_id")
_held_reads: ContextVar[dict[Any, dict[GroupKey, Counts]] | None] = ContextVar("rollup_reads", default=None)


def _add(total: Counts, counts: Mapping[str, Any]) -> None:
    for name, value in counts.items():
        if value is not None:
            total[name] = total.get(name, 0) + value


def _sums(rows: Any, group: Sequence[str], aggregates: Mapping[str, Any]) -> dict[GroupKey, Counts]:
    """Aggregates over rows per value of the `group` fields (one group () without them)."""
    if not aggregates:
        return {}
    if not group:
        return {(): rows.aggregate(**aggregates)}
    found: dict[GroupKey, Counts] = {}
    for row in rows.values(*group).annotate(**aggregates).order_by():
        _add(found.setdefault(tuple(row[name] for name in group), {}), {k: row[k] for k in aggregates})
    return found


def _by_day(
    rows: Any,
    group: Sequence[str],
    names: Mapping[str, Any],
    plans: Sequence[_Plan],
    parts: Any,
    field: str = "day",
) -> dict[GroupKey, Counts]:
    """Per group, the sums of `names` (label → expression) over each plan's days (parts(plan) → its _Split), from
    rows grouped by day (or by month, field="month"): one aggregate per name whatever the number of periods (a
    trend's twelve months)."""
    found: dict[GroupKey, Counts] = {}
    splits = [(i, parts(plan)) for i, plan in enumerate(plans)]
    holds = "holds_month" if field == "month" else "holds_day"
    wanted = reduce(or_, (split.month_rows() if field == "month" else split.day_rows() for _i, split in splits))
    grouped = rows.filter(wanted).values(*group, field).annotate(**{f"s__{n}": v for n, v in names.items()})
    for row in grouped.order_by():
        counts = found.setdefault(tuple(row[name] for name in group), {})
        for i, split in splits:
            if getattr(split, holds)(row[field]):
                _add(counts, {f"p{i}__{name}": row[f"s__{name}"] for name in names})
    return found


def _before(name: str) -> Any:
    return lambda plan: getattr(plan, f"before_{name}")


def _counted(plan: _Plan) -> _Split:
    return plan.counted


def _read_part(
    reach_: Reach, breakdown: str, group: Sequence[str], plans: Sequence[_Plan], fields: Sequence[str], overdue: bool
) -> dict[GroupKey, Counts]:
    """The rollups' part of the counts for each plan, per value of the `group` fields: whole months without a stale
    day from MonthlyCount, the other days from DailyCount, late closures from LateClosure."""
    upper = max(local_day(plan.period.end) + dt.timedelta(days=1) for plan in plans)
    sources = (
        ("day", DailyCount.objects.filter(reach_.q(), breakdown=breakdown, day__lt=upper)),
        ("month", MonthlyCount.objects.filter(reach_.q(), breakdown=breakdown, month__lt=upper)),
    )
    result: dict[GroupKey, Counts] = {}

    def merge(found: Mapping[GroupKey, Counts]) -> None:
        for key, counts in found.items():
            _add(result.setdefault(key, {}), counts)

    def rows_of(split: _Split, field: str) -> Q:
        return split.month_rows() if field == "month" else split.day_rows()

    net = F("due_in_period") - F("settled")
    for field, rows in sources:
        if len(plans) == 1:
            # One period (a tile row, a ranking): its days or months in the WHERE, plain sums.
            plan = plans[0]
            merge(_sums(rows.filter(rows_of(plan.counted, field)), group, {f"p0__{n}": Sum(n) for n in fields}))
            if overdue:
                # Σ(due − settled) over the days before the period's start and before its as-of moment.
                nets = {
                    "p0__net_start": Sum(net, filter=rows_of(plan.before_start, field)),
                    "p0__net_as_of": Sum(net, filter=rows_of(plan.before_as_of, field)),
                }
                dues = rows.filter(Q(due_in_period__gt=0) | Q(settled__gt=0))
                merge(
                    _sums(
                        dues.filter(rows_of(plan.before_as_of, field) | rows_of(plan.before_start, field)), group, nets
                    )
                )
            continue
        merge(_by_day(rows, group, {n: Sum(n) for n in fields}, plans, _counted, field))
        if overdue:
            dues = rows.filter(Q(due_in_period__gt=0) | Q(settled__gt=0))
            for name in ("start", "as_of"):
                merge(_by_day(dues, group, {f"net_{name}": Sum(net)}, plans, _before(name), field))
    if not overdue:
        return result
    # Late closures of a period: closed in it, due before it began (few: the deadline bound is in the WHERE).
    starts = [local_day(plan.period.start) for plan in plans]
    late = {
        f"p{i}__late": Sum("count", filter=plan.counted.days("closed_day") & Q(deadline_day__lt=start))
        for i, (plan, start) in enumerate(zip(plans, starts, strict=True))
    }
    closures = LateClosure.objects.filter(
        reach_.q(), breakdown=breakdown, closed_day__lt=upper, deadline_day__lt=max(starts)
    )
    merge(_sums(closures, group, late))
    return result


def _rollup_part(
    reach_: Reach, breakdown: str, grouping: str, plans: Sequence[_Plan], fields: Sequence[str], overdue: bool
) -> dict[Key, Counts]:
    _office, _narrow, field, _expression = GROUPINGS[grouping]
    memo = _held_reads.get()
    group: Sequence[str]
    if field in PLACE_FIELDS and memo is not None:
        # Within one page: one read of every count per community and grid serves all place groupings.
        key = (reach_, breakdown, tuple((plan.period, plan.as_of) for plan in plans))
        if key not in memo:
            memo[key] = _read_part(reach_, breakdown, PLACE_FIELDS, plans, ALL_FIELDS, True)
        found, group = memo[key], PLACE_FIELDS
    else:
        group = (field,) if field else ()
        found = _read_part(reach_, breakdown, group, plans, fields, overdue)
    if not field:
        return {None: found.get((), {})}
    at = group.index(field)
    result: dict[Key, Counts] = {}
    for values, counts in found.items():
        _add(result.setdefault(_normal(grouping, values[at]), {}), counts)
    return result


def _live_part(
    user: Any, filters: Any, grouping: str, plans: Sequence[_Plan], fields: Sequence[str], overdue: bool
) -> dict[Key, Counts]:
    from jiedao.analytics.selectors import _cases

    conditions = anchored_conditions()
    aggregates: dict[str, Any] = {}
    reach_any: list[Q] = []
    for i, plan in enumerate(plans):
        live, due_window = plan.counted.live, plan.due_window
        for anchor, sets in conditions.items():
            spans = due_window if anchor == DEADLINE else live
            if not spans:
                continue
            for name, condition in sets.items():
                if name in fields:
                    aggregates[f"p{i}__{name}"] = Count("pk", filter=_within_any(anchor, spans) & condition)
            reach_any.append(_within_any(anchor, spans))
        if live and "received" in fields:
            aggregates[f"p{i}__received"] = Count("pk", filter=_within_any(RECEIVED, live))
        if live and "handling_us" in fields:
            aggregates[f"p{i}__handling"] = Sum(
                HANDLING_DURATION, filter=_within_any(CLOSED, live) & conditions[CLOSED]["closed_handled"]
            )
        if not overdue:
            continue
        if due_window:
            aggregates[f"p{i}__late"] = Count(
                "pk", filter=_within_any(CLOSED, due_window) & SCORED & Q(finish_deadline__lt=plan.period.start)
            )
        for name, part in (("start", plan.before_start), ("as_of", plan.before_as_of)):
            if not part.live:
                continue
            aggregates[f"p{i}__due_{name}"] = Count("pk", filter=_within_any(DEADLINE, part.live) & SCORED)
            aggregates[f"p{i}__settled_{name}"] = Count(
                "pk", filter=_within_any(SETTLED, part.live) & SETTLED_CONDITION
            )
            reach_any += [_within_any(DEADLINE, part.live), _within_any(CLOSED, part.live)]
    if not aggregates:
        return {}
    cases = _cases(user, filters).filter(reduce(or_, reach_any, Q(pk__in=[])))
    if overdue:
        cases = cases.annotate(settled_at=Greatest("finish_deadline", "closed_at"))
    _office, _narrow, _field, expression = GROUPINGS[grouping]
    if expression is None:
        return {None: cases.aggregate(**aggregates)}
    rows = cases.annotate(group_key=expression).values("group_key").annotate(**aggregates).order_by()
    return {_normal(grouping, row["group_key"]): dict(row) for row in rows}


def rollup_counts(
    *,
    user: Any,
    filters: Any,
    periods: Sequence[Period],
    grouping: str = "all",
    received_only: bool = False,
    now: dt.datetime | None = None,
) -> list[dict[Key, Counts]] | None:
    """The counts of case_sets (and "received") for each period, per group of `grouping` (see GROUPINGS; "all":
    the one group None), as the live selectors would count them; None when the rollups cannot answer.

    Periods must begin and end at midnight (Asia/Shanghai). Supervision notices are not counted here."""
    reach_ = reach(user, filters)
    if reach_ is None:
        return None
    office, narrow, _field, _expression = GROUPINGS[grouping]
    breakdown = office if reach_.office_level else narrow
    cov = coverage() if breakdown is not None else None
    if breakdown is None or cov is None:
        return None
    if any(not (_aligned(p.start) and _aligned(p.end)) for p in periods):
        return None
    now = now or clock.now()
    plans = [_plan(period, now, cov) for period in periods]
    fields = ("received",) if received_only else ALL_FIELDS
    overdue = not received_only
    stored = _rollup_part(reach_, breakdown, grouping, plans, fields, overdue)
    live = _live_part(user, filters, grouping, plans, fields, overdue)
    result: list[dict[Key, Counts]] = []
    for i, plan in enumerate(plans):
        per_group: dict[Key, Counts] = {}
        for key in {*stored, *live}:
            a, b = stored.get(key, {}), live.get(key, {})

            def n(name: str, a: Mapping[str, Any] = a, b: Mapping[str, Any] = b, i: int = i) -> int:
                return int(a.get(f"p{i}__{name}") or 0) + int(b.get(f"p{i}__{name}") or 0)

            counts: Counts = {name: n(name) for name in fields if name != "handling_us"}
            if received_only:
                per_group[key] = counts
                continue
            handling = _microseconds(a.get(f"p{i}__handling_us")) + _microseconds(b.get(f"p{i}__handling"))
            counts[HANDLING_TOTAL] = dt.timedelta(microseconds=handling)

            def open_late(name: str, a: Mapping[str, Any] = a, b: Mapping[str, Any] = b, i: int = i) -> int:
                return (
                    int(a.get(f"p{i}__net_{name}") or 0)
                    + int(b.get(f"p{i}__due_{name}") or 0)
                    - int(b.get(f"p{i}__settled_{name}") or 0)
                )

            if plan.as_of > plan.period.start:
                counts["overdue_open"] = open_late("as_of")
                counts["due"] = counts["due_in_period"] + open_late("start") - n("late")
                counts["on_time"] = counts["on_time_in_period"]
            else:
                counts["overdue_open"] = counts["due"] = counts["on_time"] = 0
            per_group[key] = counts
        result.append(per_group)
    return result
