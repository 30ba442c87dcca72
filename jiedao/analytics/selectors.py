"""The KPI selectors: one period and filter in, every KPI out, counted in the database in a constant number of
queries; rankings by unit, place, category, channel or type; and the cases behind any number.

Only cases the user may see count (Case.objects.visible_to). Merged and voided cases are never counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db import models
from django.db.models import Count, F, Q, Sum
from django.db.models.expressions import Combinable
from django.db.models.functions import Substr
from django.db.models.lookups import Exact, IsNull
from django.utils.translation import gettext_lazy as _

from jiedao.analytics.kpis import (
    DEFINITIONS,
    HOURS,
    Figure,
    Kpi,
    Part,
    basic_satisfaction_weight,
    composite_weights,
    ratio,
)
from jiedao.analytics.terms import (
    HANDLING_DURATION,
    NOT_CASES,
    PART_SETS,
    Period,
    Unordered,
    case_sets,
    notices_in,
    of_cases,
)
from jiedao.cases.choices import Channel, RequestType
from jiedao.cases.models import Case
from jiedao.cases.querysets import CaseQuerySet
from jiedao.categories.choices import CODE_DIGITS
from jiedao.categories.models import Category
from jiedao.core import clock
from jiedao.places.models import Place
from jiedao.units.models import Unit

__all__ = [
    "THREE_RATES",
    "GroupBy",
    "KpiFilter",
    "KpiRow",
    "KpiSet",
    "Period",
    "cases_behind",
    "kpi_ranking",
    "kpi_summary",
]

Key = int | str | None


class GroupBy(models.TextChoices):
    UNIT = "unit", _("Main unit")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    CATEGORY = "category", _("Category (level 1)")
    CHANNEL = "channel", _("Channel")
    REQUEST_TYPE = "request_type", _("Request type")


NO_GROUP_LABELS = {
    GroupBy.UNIT: _("Not with a unit"),
    GroupBy.COMMUNITY: _("Office level, no community"),
    GroupBy.GRID: _("No grid"),
    GroupBy.CATEGORY: _("Uncategorised"),
    GroupBy.CHANNEL: _("Unknown"),
    GroupBy.REQUEST_TYPE: _("Unknown"),
}


@dataclass(frozen=True)
class KpiFilter:
    """Which cases to count: a place (office, community or grid, by code prefix), a main unit, a category subtree,
    a channel, a request type. Empty fields do not filter."""

    place_prefix: str = ""
    unit_id: int | None = None
    category_code: str = ""
    channel: str = ""
    request_type: str = ""

    def q(self) -> Q:
        q = Q()
        if self.place_prefix:
            q &= Q(scope_code__startswith=self.place_prefix)
        if self.unit_id is not None:
            q &= Q(main_unit_id=self.unit_id)
        if self.category_code:
            q &= Q(category__code__startswith=self.category_code)
        if self.channel:
            q &= Q(channel=self.channel)
        if self.request_type:
            q &= Q(request_type=self.request_type)
        return q


@dataclass(frozen=True)
class KpiSet:
    """Every KPI of one period and filter, in the order of Kpi."""

    period: Period
    as_of: dt.datetime
    filters: KpiFilter
    figures: Mapping[str, Figure]

    def __getitem__(self, kpi: str) -> Figure:
        return self.figures[kpi]

    def __iter__(self) -> Iterator[Figure]:
        return iter(self.figures.values())


@dataclass(frozen=True)
class KpiRow:
    """One group of a ranking; cases_behind(by=row.by, key=row.key, ...) lists its cases."""

    by: str
    key: Key
    label: str
    rank: int | None
    kpis: KpiSet = field(repr=False)


def _cases(user: Any, filters: KpiFilter) -> CaseQuerySet:
    return Case.objects.visible_to(user).exclude(resolution__in=NOT_CASES).filter(filters.q())


def _group_expression(by: str, path: str = "") -> Combinable:
    """The value a case is grouped by; `path` leads from another model to the case ("case__")."""
    by = GroupBy(by)
    if by == GroupBy.CATEGORY:
        return Substr(f"{path}category__code", 1, CODE_DIGITS)
    column = {
        GroupBy.UNIT: "main_unit_id",
        GroupBy.COMMUNITY: "community_id",
        GroupBy.GRID: "grid_id",
        GroupBy.CHANNEL: "channel",
        GroupBy.REQUEST_TYPE: "request_type",
    }[by]
    return Unordered(F(f"{path}{column}"))


def _aggregates(sets: Mapping[str, Q]) -> dict[str, Any]:
    counts: dict[str, Any] = {name: Count("pk", filter=q) for name, q in sets.items()}
    if "closed_handled" in sets:
        counts["handling_total"] = Sum(HANDLING_DURATION, filter=sets["closed_handled"])
    return counts


def _as_of(period: Period) -> dt.datetime:
    return min(period.end, clock.now())


def _hours(total: dt.timedelta | None) -> Decimal:
    if total is None:
        return Decimal(0)
    microseconds = total // dt.timedelta(microseconds=1)
    return (Decimal(microseconds) / Decimal(3_600_000_000)).quantize(HOURS, rounding=ROUND_HALF_UP)


def _figures(
    counts: Mapping[str, Any], notices: int, *, weight: Decimal, weights: Mapping[str, Decimal]
) -> dict[str, Figure]:
    def n(name: str) -> int:
        return int(counts.get(name) or 0)

    def rate(kpi: str, numerator: str, denominator: str) -> Figure:
        return Figure(kpi, n(numerator), n(denominator), ratio(n(numerator), n(denominator)))

    def satisfaction(kpi: str, prefix: str) -> Figure:
        satisfied, basically, called = n(f"{prefix}_satisfied"), n(f"{prefix}_basically"), n("called_back")
        numerator = satisfied + basically * weight
        return Figure(
            kpi,
            numerator,
            called,
            ratio(numerator, called),
            parts={Part.SATISFIED: satisfied, Part.BASICALLY: basically},
            params={"weight": str(weight)},
        )

    closed = n("closed_handled")
    total_hours = _hours(counts.get("handling_total"))
    figures: dict[str, Figure] = {
        Kpi.RESPONSE: rate(Kpi.RESPONSE, "responded", "dispatched_scored"),
        Kpi.RESOLUTION: rate(Kpi.RESOLUTION, "resolved", "called_back"),
        Kpi.SATISFACTION: satisfaction(Kpi.SATISFACTION, "result"),
        Kpi.PROCESS_SATISFACTION: satisfaction(Kpi.PROCESS_SATISFACTION, "process"),
        Kpi.ON_TIME: replace(rate(Kpi.ON_TIME, "on_time", "due"), parts={Part.OVERDUE_OPEN: n("overdue_open")}),
        Kpi.RETURN: rate(Kpi.RETURN, "returned", "dispatched"),
        Kpi.REWORK: rate(Kpi.REWORK, "reworked", "closed_handled"),
        Kpi.EXTENSION: rate(Kpi.EXTENSION, "extended", "dispatched"),
        Kpi.SUPERVISION: Figure(Kpi.SUPERVISION, notices, None, notices, parts={"cases": n("supervised")}),
        Kpi.DIRECT_ANSWER: rate(Kpi.DIRECT_ANSWER, "answered", "accepted"),
        Kpi.NOT_ACCEPTED: Figure(Kpi.NOT_ACCEPTED, n("not_accepted"), None, n("not_accepted")),
        Kpi.HANDLING_TIME: Figure(
            Kpi.HANDLING_TIME,
            total_hours,
            closed,
            (total_hours / closed).quantize(HOURS, rounding=ROUND_HALF_UP) if closed else None,
        ),
    }
    figures[Kpi.COMPOSITE] = _composite(figures, weights)
    return {kpi: figures[kpi] for kpi in Kpi.values}


def _composite(figures: Mapping[str, Figure], weights: Mapping[str, Decimal]) -> Figure:
    """Σ weight × value / Σ weight over the components that have a value (each as shown, 4 places)."""
    numerator, denominator = Decimal(0), Decimal(0)
    for kpi, weight in weights.items():
        value = figures[kpi].value
        if value is not None:
            numerator += weight * Decimal(value)
            denominator += weight
    described = ", ".join(f"{Kpi(kpi).label} {weight}" for kpi, weight in weights.items())
    return Figure(Kpi.COMPOSITE, numerator, denominator, ratio(numerator, denominator), params={"weights": described})


def _settings(weights: Mapping[str, object] | None, basic_weight: object) -> tuple[Decimal, dict[str, Decimal]]:
    return basic_satisfaction_weight(basic_weight), composite_weights(weights)


def kpi_summary(
    *,
    user: Any,
    period: Period,
    filters: KpiFilter | None = None,
    weights: Mapping[str, object] | None = None,
    basic_weight: object = None,
    kpis: Collection[str] | None = None,
) -> KpiSet:
    """Compute every KPI of `period` over the cases the user sees that match `filters`, in two queries; or only
    those named in `kpis` (e.g. THREE_RATES for a 三率 card), counting only what they need.

    `weights` (rate KPI → weight) and `basic_weight` override the settings. Raises ValueError for bad weights or
    an unknown KPI.
    """
    weight, composite = _settings(weights, basic_weight)
    filters = filters or KpiFilter()
    as_of = _as_of(period)
    cases = _cases(user, filters)
    wanted = _wanted(kpis, composite)
    sets = {name: q for name, q in case_sets(period, as_of=as_of).items() if name in _sets_of(wanted)}
    counts = cases.aggregate(**_aggregates(sets))
    notices = notices_in(period).filter(of_cases(cases)).count() if Kpi.SUPERVISION in wanted else 0
    figures = _figures(counts, notices, weight=weight, weights=composite)
    shown = set(Kpi.values) if kpis is None else set(kpis)
    return KpiSet(period, as_of, filters, {kpi: figure for kpi, figure in figures.items() if kpi in shown})


# The three rates the office is judged by first (三率).
THREE_RATES = (Kpi.RESPONSE, Kpi.RESOLUTION, Kpi.SATISFACTION)


def _wanted(kpis: Collection[str] | None, composite: Mapping[str, Decimal]) -> set[str]:
    """The KPIs to count: those asked for, and the components of the composite score when it is asked for."""
    if kpis is None:
        return set(Kpi.values)
    unknown = set(kpis) - set(Kpi.values)
    if unknown:
        raise ValueError(f"unknown KPI: {', '.join(sorted(unknown))}")
    return set(kpis) | (set(composite) if Kpi.COMPOSITE in kpis else set())


def _sets_of(kpis: set[str]) -> set[str]:
    names = {name for (kpi, _part), sets in PART_SETS.items() if kpi in kpis for name in sets}
    if Kpi.HANDLING_TIME in kpis:
        names.add("closed_handled")
    return names


def kpi_ranking(
    *,
    user: Any,
    period: Period,
    by: str,
    filters: KpiFilter | None = None,
    weights: Mapping[str, object] | None = None,
    basic_weight: object = None,
) -> list[KpiRow]:
    """Compute every KPI per group (`by`: unit, community, grid, level-1 category, channel, request type), ranked
    by composite score, highest first: equal scores share a rank; groups without a score, and the cases outside
    any group (no unit, no community…), come last, unranked.

    Groups with no case in any KPI of the period are left out. Three queries whatever the number of cases.
    Raises ValueError for an unknown `by` or bad weights.
    """
    by = GroupBy(by)
    weight, composite = _settings(weights, basic_weight)
    filters = filters or KpiFilter()
    as_of = _as_of(period)
    cases = _cases(user, filters)
    sets = case_sets(period, as_of=as_of)
    grouped = (
        cases.annotate(group_key=_group_expression(by)).values("group_key").annotate(**_aggregates(sets)).order_by()
    )
    counts_by_key: dict[Key, dict[str, Any]] = {}
    for row in grouped:
        counts: dict[str, Any] = dict(row)
        counts_by_key[counts.pop("group_key")] = counts
    notices_by_key: dict[Key, int] = {
        row["group_key"]: row["notices"]
        for row in notices_in(period)
        .filter(of_cases(cases))
        .annotate(group_key=_group_expression(by, "case__"))
        .values("group_key")
        .annotate(notices=Count("pk"))
        .order_by()
    }
    return ranking_of(by, period, filters, counts_by_key, notices_by_key, weight=weight, composite=composite)


def ranking_of(
    by: str,
    period: Period,
    filters: KpiFilter,
    counts_by_key: Mapping[Key, Mapping[str, Any]],
    notices_by_key: Mapping[Key, int],
    *,
    weight: Any,
    composite: Any,
) -> list[KpiRow]:
    """The ranked rows of the groups that count anything in the period's sets, from their counts and notices
    (however they were counted: from the cases or from the rollups)."""
    as_of = _as_of(period)
    sets = set(case_sets(period, as_of=as_of))
    # Every notice's case is in "supervised": a group with nothing counted has no notice either.
    active = [key for key, counts in counts_by_key.items() if any(v for name, v in counts.items() if name in sets)]
    labels = _labels(by, active)
    unranked = [
        KpiRow(
            by,
            key,
            labels[key],
            None,
            KpiSet(
                period,
                as_of,
                filters,
                _figures(dict(counts_by_key[key]), notices_by_key.get(key, 0), weight=weight, weights=composite),
            ),
        )
        for key in active
    ]
    return _ranked(unranked)


def _ranked(rows: list[KpiRow]) -> list[KpiRow]:
    def score(row: KpiRow) -> Decimal | None:
        value = row.kpis[Kpi.COMPOSITE].value
        return None if value is None else Decimal(value)

    ordered = sorted(rows, key=lambda r: (r.key is None, score(r) is None, -(score(r) or 0), r.label, str(r.key)))
    ranked: list[KpiRow] = []
    for position, row in enumerate(ordered, start=1):
        value = score(row)
        if value is None or row.key is None:
            rank = None
        elif ranked and score(ranked[-1]) == value:
            rank = ranked[-1].rank
        else:
            rank = position
        ranked.append(replace(row, rank=rank))
    return ranked


def _labels(by: str, keys: list[Key]) -> dict[Key, str]:
    """Display names of the groups, in one query at most."""
    names: dict[Key, str] = {}
    present = [key for key in keys if key is not None]
    if by == GroupBy.UNIT:
        names.update(Unit.objects.filter(pk__in=present).values_list("pk", "name"))
    elif by in (GroupBy.COMMUNITY, GroupBy.GRID):
        names.update(Place.objects.filter(pk__in=present).values_list("pk", "name"))
    elif by == GroupBy.CATEGORY:
        names.update(Category.objects.filter(code__in=present).values_list("code", "name"))
    elif by == GroupBy.CHANNEL:
        names.update({key: str(Channel(key).label) for key in present if key in Channel.values})
    elif by == GroupBy.REQUEST_TYPE:
        names.update({key: str(RequestType(key).label) for key in present if key in RequestType.values})
    return {key: names.get(key, str(key)) if key is not None else str(NO_GROUP_LABELS[GroupBy(by)]) for key in keys}


def cases_behind(
    *,
    user: Any,
    kpi: str,
    part: str,
    period: Period,
    filters: KpiFilter | None = None,
    by: str | None = None,
    key: Key = None,
    weights: Mapping[str, object] | None = None,
) -> CaseQuerySet:
    """List the cases behind one number: `part` (numerator, denominator, or a named part such as satisfied or
    overdue_open) of `kpi`, for the same period, filters and group (`by` and `key` of a ranking row).

    For the composite score: the union of its components' numerators or denominators. Raises ValueError for a
    KPI or part that has no list.
    """
    kpi, part = Kpi(kpi), Part(part)
    if part not in DEFINITIONS[kpi].parts:
        raise ValueError(f"{kpi} has no list for {part}")
    if kpi == Kpi.COMPOSITE:
        names = {name for component in composite_weights(weights) for name in PART_SETS[(component, part)]}
    else:
        names = set(PART_SETS[(kpi, part)])
    sets = case_sets(period, as_of=_as_of(period))
    cases = _cases(user, filters or KpiFilter()).filter(reduce(or_, (sets[name] for name in sorted(names))))
    if by is not None:
        expression = _group_expression(by)
        cases = cases.filter(IsNull(expression, True) if key is None else Exact(expression, key))
    return cases
