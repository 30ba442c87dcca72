"""The leaders' dashboard (领导驾驶舱): volume, its make-up, warnings, KPI trends and the heat map, for one period
and filter, each in one aggregate query over the cases the user sees.

The KPI figures come from the KPI selectors' own terms (jiedao.analytics.terms through the helpers of
jiedao.analytics.selectors), so a tile or a trend point equals kpi_summary for the same period and filter. Every
count here has a list of the cases behind it: `dashboard_cases(measure=…)` filters with the very condition that
counted them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from jiedao.analytics import rollups
from jiedao.analytics.kpis import Figure, Kpi
from jiedao.analytics.selectors import (
    GroupBy,
    Key,
    KpiFilter,
    KpiRow,
    KpiSet,
    _aggregates,
    _as_of,
    _cases,
    _figures,
    _group_expression,
    _sets_of,
    _settings,
    _wanted,
    kpi_ranking,
    kpi_summary,
    ranking_of,
)
from jiedao.analytics.terms import SHANGHAI, Period, Unordered, case_sets, notices_in, of_cases
from jiedao.cases.choices import Channel, RequestType
from jiedao.cases.deadlines import yellow_among
from jiedao.cases.models import Case
from jiedao.cases.querysets import CLOCK_RUNNING, CaseQuerySet
from jiedao.categories.choices import CODE_DIGITS
from jiedao.categories.models import Category
from jiedao.core import clock
from jiedao.places.models import Place

__all__ = [
    "TREND_KPIS",
    "Bucket",
    "Measure",
    "Slice",
    "TrendPoint",
    "buckets",
    "by_category",
    "by_channel",
    "by_request_type",
    "dashboard_cases",
    "dashboard_ranking",
    "dashboard_summary",
    "grid_counts",
    "kpi_trend",
    "trend_bucket",
    "volume_bucket",
    "volume_series",
    "warnings_now",
]

# The KPIs drawn as trend lines: the three rates, on-time closure and the composite score of the three.
TREND_KPIS = (Kpi.RESPONSE, Kpi.RESOLUTION, Kpi.SATISFACTION, Kpi.ON_TIME, Kpi.COMPOSITE)


class Bucket(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


class Measure(models.TextChoices):
    """Dashboard counts that are not KPI parts, each listable by dashboard_cases."""

    RECEIVED = "received", _("Received in the period")
    OVERDUE = "overdue", _("Overdue now")
    YELLOW = "yellow", _("Due soon now")


@dataclass(frozen=True)
class Slice:
    """One bar or pie segment: a key (channel, request type, category code…), its label and its count."""

    key: Key
    label: str
    count: int


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    figures: dict[str, Figure]


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def volume_bucket(period: Period) -> str:
    """Days for a period up to a month, weeks up to a quarter, months beyond."""
    days = (period.end - period.start).days
    if days <= 31:
        return Bucket.DAY
    return Bucket.WEEK if days <= 92 else Bucket.MONTH


def trend_bucket(period: Period) -> str:
    """Days for up to two weeks, weeks up to a quarter, months beyond: enough cases per point for a rate."""
    days = (period.end - period.start).days
    if days <= 14:
        return Bucket.DAY
    return Bucket.WEEK if days <= 92 else Bucket.MONTH


def _next_start(day: dt.date, bucket: str) -> dt.date:
    if bucket == Bucket.DAY:
        return day + dt.timedelta(days=1)
    if bucket == Bucket.WEEK:
        return day + dt.timedelta(days=7 - day.weekday())
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def bucket_days(day: dt.date, bucket: str) -> int:
    """How many days the calendar day, week (Monday first) or month holding `day` has."""
    first = {Bucket.DAY: day, Bucket.WEEK: day - dt.timedelta(days=day.weekday()), Bucket.MONTH: day.replace(day=1)}
    start = first[Bucket(bucket)]
    return (_next_start(start, bucket) - start).days


def buckets(period: Period, bucket: str) -> list[Period]:
    """The calendar days, weeks or months (Asia/Shanghai) that cover `period`, the first and last clipped to it."""
    bucket = Bucket(bucket)
    result: list[Period] = []
    start = period.start
    while start < period.end:
        end = min(_midnight(_next_start(_local_day(start), bucket)), period.end)
        result.append(Period(start, end))
        start = end
    return result


def _received(period: Period) -> Q:
    return Q(received_at__gte=period.start, received_at__lt=period.end)


def volume_series(
    *, user: Any, period: Period, filters: KpiFilter | None = None, bucket: str | None = None
) -> list[tuple[Period, int]]:
    """Count the cases received in each day, week or month of `period` (volume_bucket when not given), in one
    query. Merged and voided cases do not count."""
    parts = buckets(period, bucket or volume_bucket(period))
    rolled = rollups.rollup_counts(user=user, filters=filters or KpiFilter(), periods=parts, received_only=True)
    if rolled is not None:
        return [(part, rolled[i].get(None, {}).get("received", 0)) for i, part in enumerate(parts)]
    counts = (
        _cases(user, filters or KpiFilter())
        .filter(_received(period))
        .aggregate(**{f"b{i}": Count("pk", filter=_received(part)) for i, part in enumerate(parts)})
    )
    return [(part, int(counts[f"b{i}"] or 0)) for i, part in enumerate(parts)]


def _grouped(
    user: Any, period: Period, filters: KpiFilter | None, expression: Any, grouping: str
) -> list[tuple[Key, int]]:
    rolled = rollups.rollup_counts(
        user=user, filters=filters or KpiFilter(), periods=[period], grouping=grouping, received_only=True
    )
    if rolled is not None:
        found = [(key, counts["received"]) for key, counts in rolled[0].items() if counts["received"]]
        return sorted(found, key=lambda kv: (-kv[1], str(kv[0])))
    rows = (
        _cases(user, filters or KpiFilter())
        .filter(_received(period))
        .annotate(group_key=Unordered(expression))
        .values("group_key")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return sorted(((row["group_key"], int(row["n"])) for row in rows), key=lambda kv: (-kv[1], str(kv[0])))


def by_channel(*, user: Any, period: Period, filters: KpiFilter | None = None) -> list[Slice]:
    """Count the cases received in the period by channel, most first (one query)."""
    return [
        Slice(key, str(Channel(key).label) if key in Channel.values else str(key), n)
        for key, n in _grouped(user, period, filters, models.F("channel"), "channel")
    ]


def by_request_type(*, user: Any, period: Period, filters: KpiFilter | None = None) -> list[Slice]:
    """Count the cases received in the period by request type, most first (one query)."""
    return [
        Slice(key, str(RequestType(key).label) if key in RequestType.values else str(key), n)
        for key, n in _grouped(user, period, filters, models.F("request_type"), "request_type")
    ]


def by_category(
    *, user: Any, period: Period, filters: KpiFilter | None = None, level: int = 1, limit: int | None = 10
) -> list[Slice]:
    """Count the cases received in the period by category at tree level 1 or 2 (the category's ancestor at that
    level; a case classified above it, or not at all, counts under None), most first, the top `limit`. Two
    queries: the counts and the names."""
    if level not in (1, 2):
        raise ValueError("categories are counted at level 1 or 2")
    rows = [
        (key[: CODE_DIGITS * level] if isinstance(key, str) else key, n)
        for key, n in _grouped(user, period, filters, Substr("category__code", 1, CODE_DIGITS * 2), "category")
    ]
    # A level-1 category's code is shorter than a level-2 prefix: it is "not classified to level 2".
    merged: dict[Key, int] = {}
    for key, n in rows:
        normal = key if isinstance(key, str) and len(key) == CODE_DIGITS * level else None
        merged[normal] = merged.get(normal, 0) + n
    ordered = sorted(merged.items(), key=lambda kv: (kv[0] is None, -kv[1], str(kv[0])))
    if limit is not None:
        ordered = ordered[:limit]
    names = dict(Category.objects.filter(code__in=[k for k, _n in ordered if k]).values_list("code", "name"))
    return [Slice(key, names.get(str(key), str(key)) if key else str(_("Uncategorised")), n) for key, n in ordered]


def grid_counts(*, user: Any, period: Period, filters: KpiFilter | None = None) -> dict[int, int]:
    """Count the cases received in the period per grid id (cases without a grid are left out), one query."""
    return {int(key): n for key, n in _grouped(user, period, filters, models.F("grid_id"), "grid") if key is not None}


def _running(user: Any, filters: KpiFilter | None) -> CaseQuerySet:
    return _cases(user, filters or KpiFilter()).filter(state__in=CLOCK_RUNNING)


def _overdue(now: dt.datetime) -> Q:
    return Q(finish_deadline__lt=now)


def _yellow_ids(user: Any, filters: KpiFilter | None, now: dt.datetime) -> list[int]:
    """Running clocks not past their deadline that the light function calls yellow.

    SQL keeps the running clocks not yet due (open cases only); the share of the limit used is counted on the
    working calendar by cases.deadlines.yellow_among, the figures of `light` (the function every list uses) for
    all of them in one pass, so the count and the lights on the list behind it agree."""
    rows = (
        _running(user, filters)
        .filter(finish_deadline__gte=now, finish_started_at__isnull=False)
        .exclude(finish_unit="")
        .order_by()  # by the state and deadline index, not the newest first through every case
        .values_list("pk", "finish_started_at", "finish_deadline", "finish_unit")
    )
    found = [(pk, started, deadline, unit) for pk, started, deadline, unit in rows if started and deadline]
    yellow = yellow_among([(started, deadline, unit) for _pk, started, deadline, unit in found], now)
    return sorted(row[0] for row, is_yellow in zip(found, yellow, strict=True) if is_yellow)


def warnings_now(*, user: Any, filters: KpiFilter | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Count the open cases that are red (overdue: the finishing deadline has passed on a running clock) and
    yellow (due soon) now, whatever the period. Two queries."""
    now = now or clock.now()
    overdue = _running(user, filters).filter(_overdue(now)).count()
    return {Measure.OVERDUE: overdue, Measure.YELLOW: len(_yellow_ids(user, filters, now))}


def kpi_trend(
    *,
    user: Any,
    period: Period,
    filters: KpiFilter | None = None,
    kpis: Collection[str] = TREND_KPIS,
    bucket: str | None = None,
    weights: dict[str, object] | None = None,
    basic_weight: object = None,
) -> list[TrendPoint]:
    """Compute `kpis` for each day, week or month of `period` (trend_bucket when not given) in one query: each
    point counts exactly what kpi_summary counts for that sub-period (same terms, same figures).

    Supervision notices are not drawn (their count needs a query of its own): asking for them raises ValueError,
    as does an unknown KPI."""
    if Kpi.SUPERVISION in kpis:
        raise ValueError("the trend does not count supervision notices")
    weight, composite = _settings(weights, basic_weight)
    wanted = _wanted(kpis, composite)
    names = _sets_of(wanted)
    parts = buckets(period, bucket or trend_bucket(period))
    rolled = rollups.rollup_counts(user=user, filters=filters or KpiFilter(), periods=parts)
    if rolled is not None:
        return [
            TrendPoint(
                part,
                {
                    kpi: figure
                    for kpi, figure in _figures(rolled[i].get(None, {}), 0, weight=weight, weights=composite).items()
                    if kpi in set(kpis)
                },
            )
            for i, part in enumerate(parts)
        ]
    aggregates: dict[str, Any] = {}
    for i, part in enumerate(parts):
        sets = {name: q for name, q in case_sets(part, as_of=_as_of(part)).items() if name in names}
        aggregates.update({f"p{i}__{name}": value for name, value in _aggregates(sets).items()})
    counts = _cases(user, filters or KpiFilter()).aggregate(**aggregates) if aggregates else {}
    points = []
    for i, part in enumerate(parts):
        prefix = f"p{i}__"
        own = {name.removeprefix(prefix): value for name, value in counts.items() if name.startswith(prefix)}
        figures = _figures(own, 0, weight=weight, weights=composite)
        points.append(TrendPoint(part, {kpi: figures[kpi] for kpi in Kpi.values if kpi in set(kpis)}))
    return points


def dashboard_cases(
    *,
    user: Any,
    measure: str,
    period: Period,
    filters: KpiFilter | None = None,
    grid_id: int | None = None,
    now: dt.datetime | None = None,
) -> CaseQuerySet:
    """List the cases behind one dashboard count (`measure`), with the same period and filters, narrowed to one
    grid when `grid_id` is given (a heat-map cell). Raises ValueError for an unknown measure."""
    measure = Measure(measure)
    now = now or clock.now()
    if measure == Measure.RECEIVED:
        cases = _cases(user, filters or KpiFilter()).filter(_received(period))
    elif measure == Measure.OVERDUE:
        cases = _running(user, filters).filter(_overdue(now))
    else:
        cases = Case.objects.filter(pk__in=_yellow_ids(user, filters, now))
    if grid_id is not None:
        cases = cases.filter(grid_id=grid_id)
    return cases


def grid_layer(*, user: Any, counts: dict[int, int], place_prefix: str = "") -> dict[str, Any]:
    """GeoJSON of the grids the user covers (and of any grid with counted cases), each with its count: one query."""
    grids = Place.objects.filter(level="grid", boundary__isnull=False).filter(
        Q(pk__in=Place.objects.within(user).values("pk")) | Q(pk__in=sorted(counts))
    )
    if place_prefix:
        grids = grids.filter(prefix__startswith=place_prefix)
    features = [
        {
            "type": "Feature",
            "geometry": boundary,
            "properties": {"id": pk, "name": name, "count": counts.get(pk, 0)},
        }
        for pk, name, boundary in grids.order_by("code").values_list("pk", "name", "boundary")
    ]
    return {"type": "FeatureCollection", "features": features}


def _supervision(user: Any, period: Period, filters: KpiFilter, by: str | None) -> dict[Key, tuple[int, int]]:
    """The period's supervision notices and the cases that got them, per group (one group None without `by`)."""
    notices = notices_in(period).filter(of_cases(_cases(user, filters)))
    counted = {"notices": Count("pk"), "cases": Count("case_id", distinct=True)}
    if by is None:
        row = notices.aggregate(**counted)
        return {None: (int(row["notices"] or 0), int(row["cases"] or 0))}
    rows = (
        notices.annotate(group_key=_group_expression(by, "case__"))
        .values("group_key")
        .annotate(**counted)
        .order_by()
        .values_list("group_key", "notices", "cases")
    )
    return {key: (int(count), int(cases)) for key, count, cases in rows}


def dashboard_summary(*, user: Any, period: Period, filters: KpiFilter | None = None) -> KpiSet:
    """kpi_summary, from the daily rollups where they can answer (the same figures, fewer rows read)."""
    filters = filters or KpiFilter()
    rolled = rollups.rollup_counts(user=user, filters=filters, periods=[period])
    if rolled is None:
        return kpi_summary(user=user, period=period, filters=filters)
    weight, composite = _settings(None, None)
    notices, supervised = _supervision(user, period, filters, None)[None]
    counts = {**rolled[0].get(None, {}), "supervised": supervised}
    return KpiSet(period, _as_of(period), filters, _figures(counts, notices, weight=weight, weights=composite))


# The rankings the rollups break down, by their grouping.
ROLLUP_GROUPINGS = {GroupBy.UNIT: "unit", GroupBy.COMMUNITY: "community", GroupBy.GRID: "grid"}


def dashboard_ranking(*, user: Any, period: Period, by: str, filters: KpiFilter | None = None) -> list[KpiRow]:
    """kpi_ranking, from the daily rollups where they can answer (the same rows, fewer rows read)."""
    by = GroupBy(by)
    filters = filters or KpiFilter()
    grouping = ROLLUP_GROUPINGS.get(by)
    rolled = (
        rollups.rollup_counts(user=user, filters=filters, periods=[period], grouping=grouping)
        if grouping is not None
        else None
    )
    if rolled is None:
        return kpi_ranking(user=user, period=period, by=by, filters=filters)
    weight, composite = _settings(None, None)
    supervision = _supervision(user, period, filters, by)
    counts_by_key = {
        key: {**rolled[0].get(key, {}), "supervised": supervision.get(key, (0, 0))[1]}
        for key in {*rolled[0], *supervision}
    }
    notices_by_key = {key: notices for key, (notices, _supervised) in supervision.items()}
    return ranking_of(by, period, filters, counts_by_key, notices_by_key, weight=weight, composite=composite)
