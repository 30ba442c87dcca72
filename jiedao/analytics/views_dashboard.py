"""The leaders' dashboard (领导驾驶舱) for the office, a community or a unit: the KPI page's filters, its tiles, the
charts, the heat map, rankings and hot spots, each number a link to the cases behind it (/analytics/cases/).

The view only parses the filters and shapes what the selectors count into JSON for the charts (ECharts and
Leaflet read it from json_script blocks in jiedao/dashboard.js; the page has no inline script).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jiedao.analytics import rollups
from jiedao.analytics.dashboard import (
    Measure,
    Slice,
    bucket_days,
    by_category,
    by_channel,
    by_request_type,
    dashboard_ranking,
    dashboard_summary,
    grid_counts,
    grid_layer,
    kpi_trend,
    trend_bucket,
    volume_bucket,
    volume_series,
    warnings_now,
)
from jiedao.analytics.kpis import PERCENT, Kpi, Part
from jiedao.analytics.selectors import GroupBy, Period
from jiedao.analytics.terms import SHANGHAI
from jiedao.analytics.views import LIST_READERS, NO_KEY, _card, _cases_url, _form, _require_reader, _selection
from jiedao.core import clock
from jiedao.hotspots.permissions import can_read_hotspots
from jiedao.hotspots.selectors import RisingHotSpot, rising_hotspots
from jiedao.hotspots.weeks import default_week, week_start_of

RANKINGS = (GroupBy.UNIT, GroupBy.COMMUNITY, GroupBy.GRID)
# The columns of the rankings: the composite score first, then what it is made of, then closing on time.
RANKING_KPIS = (Kpi.COMPOSITE, Kpi.RESPONSE, Kpi.RESOLUTION, Kpi.SATISFACTION, Kpi.ON_TIME)
RANKING_ROWS = 15
# The 大屏 refreshes itself every five minutes.
SCREEN_REFRESH_SECONDS = 300


def _percent(value: int | Decimal | None) -> float | None:
    if value is None:
        return None
    return float((Decimal(value) * 100).quantize(PERCENT, rounding=ROUND_HALF_UP))


def _last_day(period: Period) -> dt.date:
    return (period.end - dt.timedelta(microseconds=1)).astimezone(SHANGHAI).date()


def _days(period: Period) -> dict[str, str]:
    """A sub-period as the custom dates of the filter form."""
    first = period.start.astimezone(SHANGHAI).date()
    return {"period": "custom", "start": first.isoformat(), "end": _last_day(period).isoformat()}


def _slices(slices: list[Slice], params: Mapping[str, str], field: str) -> dict[str, Any]:
    """A bar or pie chart: labels, counts and the list behind each (none for "no category")."""
    return {
        "labels": [s.label for s in slices],
        "values": [s.count for s in slices],
        "keys": [s.key for s in slices],
        "urls": [
            _cases_url(params, measure=Measure.RECEIVED, **{field: str(s.key)}) if s.key is not None else ""
            for s in slices
        ],
    }


def _rankings(user: Any, chosen: Any, params: Mapping[str, str]) -> list[dict[str, Any]]:
    tables = []
    for by in RANKINGS:
        rows = dashboard_ranking(user=user, period=chosen.period, by=by, filters=chosen.filters)
        table = []
        for row in rows[:RANKING_ROWS]:
            key = NO_KEY if row.key is None else str(row.key)
            cells = []
            for kpi in RANKING_KPIS:
                figure = row.kpis[kpi]
                cells.append(
                    {
                        "kpi": kpi,
                        "display": figure.display,
                        "fraction": f"{figure.numerator} / {figure.denominator}",
                        "url": _cases_url(params, kpi=kpi, part=Part.NUMERATOR, by=by, key=key),
                    }
                )
            table.append({"rank": row.rank, "label": row.label, "key": key, "cells": cells})
        tables.append({"by": by, "label": GroupBy(by).label, "rows": table, "more": max(0, len(rows) - RANKING_ROWS)})
    return tables


def _hotspots(user: Any, period: Period) -> list[tuple[RisingHotSpot, str]]:
    """The rising hot spots of the period's last week, each with the link to it on the hot-spot page. For a period
    not over yet that began before this week (this month, say), the week the hot-spot page opens on: this week from
    Wednesday, last week on Monday and Tuesday."""
    if not can_read_hotspots(user):
        return []
    today = clock.now().astimezone(SHANGHAI).date()
    week = week_start_of(min(_last_day(period), today))
    if week == week_start_of(today) and period.start.astimezone(SHANGHAI).date() < week:
        week = default_week(today)
    spots = rising_hotspots(week_start=week, user=user, limit=8)
    index = reverse("hotspots:index")
    return [
        (spot, f"{index}?{urlencode({'office': spot['office_id'], 'week': spot['week_start'], 'hotspot': spot['id']})}")
        for spot in spots
    ]


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard for the period, place and unit chosen; ?screen=1 for the dark, self-refreshing 大屏."""
    _require_reader(request.user, LIST_READERS)
    user = request.user
    screen = request.GET.get("screen") == "1"
    template = "analytics/dashboard_screen.html" if screen else "analytics/dashboard.html"
    form = _form(request)
    context: dict[str, Any] = {"form": form, "screen": screen, "refresh_seconds": SCREEN_REFRESH_SECONDS}
    if not form.is_valid():
        return render(request, template, context, status=400)
    chosen = _selection(form)
    with rollups.held_coverage():
        return render(request, template, {**context, **_figures(user, chosen)})


def _bucket_label(part: Period, bucket: str, now: dt.datetime) -> str:
    """A chart point's label, its first day ("11-02"); a point still running says so ("11-30（至今）"), and one the
    period clips to fewer days than its calendar week or month says how many it holds ("11-01（1天）"), so that a low
    bar or a dip there is not read as a whole week's."""
    first = part.start.astimezone(SHANGHAI).date()
    label = f"{first:%m-%d}"
    if part.start <= now < part.end:
        return _("%(day)s (so far)") % {"day": label}
    days = round((part.end - part.start) / dt.timedelta(days=1))
    if days < bucket_days(first, bucket):
        return _("%(day)s (%(days)d days)") % {"day": label, "days": days}
    return label


def _figures(user: Any, chosen: Any) -> dict[str, Any]:
    """Everything the dashboard shows for the filter chosen."""
    params = {**chosen.params, "from": "dashboard"}
    now = clock.now()
    summary = dashboard_summary(user=user, period=chosen.period, filters=chosen.filters)
    series = volume_series(user=user, period=chosen.period, filters=chosen.filters)
    received = sum(count for _part, count in series)
    warnings = warnings_now(user=user, filters=chosen.filters, now=now)
    trend = kpi_trend(user=user, period=chosen.period, filters=chosen.filters)
    counts = grid_counts(user=user, period=chosen.period, filters=chosen.filters)
    layer = grid_layer(user=user, counts=counts, place_prefix=chosen.filters.place_prefix)
    for feature in layer["features"]:
        feature["properties"]["url"] = _cases_url(
            params, measure=Measure.RECEIVED, by=GroupBy.GRID, key=str(feature["properties"]["id"])
        )
    charts = {
        "volume": {
            "labels": [_bucket_label(part, volume_bucket(chosen.period), now) for part, _count in series],
            "values": [count for _part, count in series],
            "urls": [_cases_url({**params, **_days(part)}, measure=Measure.RECEIVED) for part, _count in series],
            "series": _("Cases received"),
        },
        "channel": _slices(by_channel(user=user, period=chosen.period, filters=chosen.filters), params, "channel"),
        "type": _slices(by_request_type(user=user, period=chosen.period, filters=chosen.filters), params, "type"),
        "category": _slices(
            by_category(user=user, period=chosen.period, filters=chosen.filters, level=1), params, "category"
        ),
        "subcategory": _slices(
            by_category(user=user, period=chosen.period, filters=chosen.filters, level=2), params, "category"
        ),
        "trend": {
            "labels": [_bucket_label(point.period, trend_bucket(chosen.period), now) for point in trend],
            "series": [
                {"name": str(Kpi(kpi).label), "values": [_percent(point.figures[kpi].value) for point in trend]}
                for kpi in (trend[0].figures if trend else {})
            ],
        },
    }
    return {
        "chosen": chosen,
        "as_of": summary.as_of,
        "now": now,
        "cards": [_card(figure, params) for figure in summary],
        "received": {"count": received, "url": _cases_url(params, measure=Measure.RECEIVED)},
        "overdue": {
            "count": warnings[Measure.OVERDUE],
            "url": _cases_url(params, measure=Measure.OVERDUE),
        },
        "yellow": {"count": warnings[Measure.YELLOW], "url": _cases_url(params, measure=Measure.YELLOW)},
        "charts": charts,
        "layer": layer,
        "map_config": {"tileUrl": settings.MAP_TILE_URL, "tileAttribution": settings.MAP_TILE_ATTRIBUTION},
        "rankings": _rankings(user, chosen, params),
        "ranking_headers": [Kpi(kpi).label for kpi in RANKING_KPIS],
        "hotspots": _hotspots(user, chosen.period),
        "screen_url": f"{reverse('analytics:dashboard')}?{urlencode({**chosen.params, 'screen': '1'})}",
        "normal_url": f"{reverse('analytics:dashboard')}?{urlencode(chosen.params)}",
    }
