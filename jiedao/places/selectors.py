"""Reads of places shaped for screens: summaries, the map layer, per-community tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, Sum

from jiedao.core.scope import scope_of
from jiedao.places.choices import Level
from jiedao.places.models import Building, House, Place

# Length of the prefix that identifies a child of a place at each level.
CHILD_PREFIX_LENGTH: dict[str, int] = {Level.DISTRICT: 9, Level.SUBDISTRICT: 12, Level.COMMUNITY: 15}


@dataclass(frozen=True)
class PlaceSummary:
    place: Place
    communities: int
    grids: int
    buildings: int
    houses: int
    households: int


def place_summary(place: Place) -> PlaceSummary:
    """Counts of everything under `place` (four queries, whatever the size)."""
    below = Place.objects.filter(prefix__startswith=place.prefix)
    counts = below.aggregate(
        communities=Count("id", filter=Q(level=Level.COMMUNITY)),
        grids=Count("id", filter=Q(level=Level.GRID)),
        households=Sum("households", filter=Q(level=Level.GRID)),
    )
    return PlaceSummary(
        place=place,
        communities=counts["communities"],
        grids=counts["grids"],
        buildings=Building.objects.filter(scope_code__startswith=place.prefix).count(),
        houses=House.objects.filter(scope_code__startswith=place.prefix).count(),
        households=counts["households"] or 0,
    )


def scope_roots(user: Any) -> list[Place]:
    """The topmost places the user covers (his role places, or the places his units serve)."""
    scope = scope_of(user)
    if scope.everything:
        return list(Place.objects.filter(level=Level.DISTRICT))
    prefixes = sorted(scope.place_prefixes | scope.unit_place_prefixes)
    roots = [p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)]
    return list(Place.objects.filter(prefix__in=roots).select_related("parent"))


def child_table(place: Place) -> list[dict[str, Any]]:
    """One row per child of `place` with its grids, households, buildings (for tables and charts)."""
    children = list(Place.objects.filter(parent=place).order_by("code"))
    rows = []
    level_below = CHILD_PREFIX_LENGTH.get(place.level, 15)
    grid_stats = {row["prefix_head"]: row for row in _grid_stats_by_prefix(place, level_below)}
    building_counts: dict[str, int] = {}
    for code, n in (
        Building.objects.filter(scope_code__startswith=place.prefix)
        .values_list("scope_code")
        .annotate(n=Count("id"))
        .values_list("scope_code", "n")
    ):
        building_counts[code[:level_below]] = building_counts.get(code[:level_below], 0) + n
    for child in children:
        stats = grid_stats.get(child.prefix, {"grids": 0, "households": 0})
        rows.append(
            {
                "place": child,
                "grids": stats["grids"],
                "households": stats["households"] or 0,
                "buildings": building_counts.get(child.prefix, 0),
            }
        )
    return rows


def _grid_stats_by_prefix(place: Place, length: int) -> list[dict[str, Any]]:
    stats: dict[str, dict[str, Any]] = {}
    for prefix, households in Place.objects.filter(prefix__startswith=place.prefix, level=Level.GRID).values_list(
        "prefix", "households"
    ):
        head = prefix[:length]
        row = stats.setdefault(head, {"prefix_head": head, "grids": 0, "households": 0})
        row["grids"] += 1
        row["households"] += households or 0
    return list(stats.values())


def map_layer(user: Any) -> dict[str, Any]:
    """GeoJSON of the communities and grids the user covers, with the properties the map shows."""
    places = (
        Place.objects.within(user)
        .filter(level__in=[Level.COMMUNITY, Level.GRID], boundary__isnull=False)
        .select_related("parent")
        .order_by("code")
    )
    features = []
    for place in places:
        features.append(
            {
                "type": "Feature",
                "geometry": place.boundary,
                "properties": {
                    "id": place.pk,
                    "code": place.code,
                    "name": place.name,
                    "level": place.level,
                    "kind": place.kind,
                    "kind_label": place.get_kind_display(),
                    "parent": place.parent.name if place.parent else "",
                    "households": place.households,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
