"""Reads of the hot spots shaped for the leaders' page and for the weekly report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypedDict

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from jiedao.cases.models import Case
from jiedao.core.errors import NotFoundOrForbidden
from jiedao.hotspots import permissions
from jiedao.hotspots.models import HotSpot, HotSpotCase, HotSpotWeek
from jiedao.hotspots.weeks import Trend
from jiedao.places.choices import Level
from jiedao.places.models import Place


class PlaceCount(TypedDict):
    id: int
    name: str
    count: int


class RisingHotSpot(TypedDict):
    """One rising problem of a week, as the weekly report reads it (every value JSON-friendly but the Decimals)."""

    id: int
    office_id: int
    office: str  # the office's name
    week_start: str  # the Monday, ISO 8601 (YYYY-MM-DD), Asia/Shanghai
    label: str  # key words joined by "·"
    keywords: list[str]  # 2–4 key words, most telling first
    this_week: int  # cases received in the week
    baseline: Decimal  # weekly mean of the four weeks before, 2 decimals
    difference: Decimal  # this_week − baseline
    ratio: Decimal | None  # this_week / baseline, 2 decimals; None when the baseline is 0
    weekly: list[int]  # the five weekly counts, oldest first (the last is this_week)
    size: int  # cases in the five weeks
    trend: str  # "rising" (Trend)
    category: str  # the dominant category's name, "" when none
    communities: list[PlaceCount]  # most cases first, at most 5
    grids: list[PlaceCount]
    case_ids: list[int]  # every case of the group in the five weeks, ascending
    computed_at: str  # when the snapshot was computed, ISO 8601 with offset


def rising_hotspots(
    *, week_start: dt.date, user: Any = None, office: Place | None = None, limit: int = 10
) -> list[RisingHotSpot]:
    """The rising hot spots of a week (trend "rising"), strongest first: the offices `user` may read, or `office`.

    Give `user` (the viewer's offices) or `office` (a caller that has checked access itself, e.g. the weekly
    report of that office). Reads the snapshot written by hotspots_refresh; a week never refreshed gives []."""
    if (user is None) == (office is None):
        raise ValueError("give either user or office")
    spots = HotSpot.objects.filter(week_start=week_start, trend=Trend.RISING)
    if office is not None:
        spots = spots.filter(office=office)
    else:
        spots = spots.filter(office__in=permissions.readable_offices(user))
    chosen = list(spots.select_related("office", "category").order_by("office__code", "rank")[:limit])
    members: dict[int, list[int]] = {spot.pk: [] for spot in chosen}
    for hotspot_id, case_id in (
        HotSpotCase.objects.filter(hotspot__in=chosen).order_by("case_id").values_list("hotspot_id", "case_id")
    ):
        members[hotspot_id].append(case_id)
    return [
        RisingHotSpot(
            id=spot.pk,
            office_id=spot.office_id,
            office=spot.office.name,
            week_start=spot.week_start.isoformat(),
            label=spot.label,
            keywords=list(spot.keywords),
            this_week=spot.this_week,
            baseline=spot.baseline,
            difference=spot.difference,
            ratio=spot.ratio,
            weekly=list(spot.weekly),
            size=spot.size,
            trend=spot.trend,
            category=spot.category.name if spot.category is not None else "",
            communities=[
                PlaceCount(id=p["id"], name=p["name"], count=p["count"]) for p in spot.places.get("communities", [])
            ],
            grids=[PlaceCount(id=p["id"], name=p["name"], count=p["count"]) for p in spot.places.get("grids", [])],
            case_ids=members[spot.pk],
            computed_at=spot.computed_at.isoformat(),
        )
        for spot in chosen
    ]


def week_hotspots(*, office: Place, week_start: dt.date) -> list[HotSpot]:
    """Every hot spot of the office's week, in snapshot order (rising first), with its category."""
    return list(
        HotSpot.objects.filter(office=office, week_start=week_start).select_related("category").order_by("rank")
    )


def access_hotspot(user: Any, hotspot_id: int) -> HotSpot:
    """The hot spot if the user may read its office's; NotFoundOrForbidden otherwise (missing or forbidden alike)."""
    spot = (
        HotSpot.objects.filter(pk=hotspot_id, office__in=permissions.readable_offices(user))
        .select_related("office", "category")
        .first()
    )
    if spot is None:
        raise NotFoundOrForbidden(_("No such hot spot."))
    return spot


def hotspot_cases(*, user: Any, hotspot: HotSpot) -> QuerySet[Case]:
    """The cases behind a hot spot that the user may see, newest first."""
    return (
        Case.objects.visible_to(user, narrow=True)
        .filter(pk__in=HotSpotCase.objects.filter(hotspot=hotspot).values("case_id"))
        .select_related("category", "community", "grid")
        .order_by("-received_at", "-id")
    )


def grid_layer(*, office: Place, hotspot: HotSpot | None) -> dict[str, Any]:
    """GeoJSON of the office's grids with polygons, each with the hot spot's cases in it (`count`, 0 for none)."""
    counts: dict[int, int] = {}
    if hotspot is not None:
        counts = dict(
            Case.objects.filter(pk__in=HotSpotCase.objects.filter(hotspot=hotspot).values("case_id"))
            .exclude(grid__isnull=True)
            .values_list("grid_id")
            .annotate(n=Count("id"))
            .values_list("grid_id", "n")
        )
    grids = (
        Place.objects.filter(level=Level.GRID, prefix__startswith=office.prefix, boundary__isnull=False)
        .order_by("code")
        .values_list("pk", "name", "boundary")
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": boundary,
                "properties": {"id": pk, "name": name, "count": counts.get(pk, 0)},
            }
            for pk, name, boundary in grids
        ],
    }


def computed_week(*, office: Place, week_start: dt.date) -> HotSpotWeek | None:
    """When the office's week was last computed and over how many cases; None when never."""
    return HotSpotWeek.objects.filter(office=office, week_start=week_start).first()
