"""Chainable filters for places and base data; visible_to() is the one visibility rule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from jiedao.core.scope import ancestor_prefixes, q_code_within, scope_of

if TYPE_CHECKING:
    from jiedao.places.models import Building, Entrance, House, Place  # noqa: F401


class PlaceQuerySet(models.QuerySet["Place"]):
    def visible_to(self, user: Any) -> PlaceQuerySet:
        """Places inside the user's places or the places his units serve, plus their ancestors (for context)."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        prefixes = scope.place_prefixes | scope.unit_place_prefixes
        ancestors = {a for p in prefixes for a in ancestor_prefixes(p)}
        return self.filter(q_code_within("prefix", prefixes) | Q(prefix__in=sorted(ancestors)))

    def within(self, user: Any) -> PlaceQuerySet:
        """Places inside the user's own places or his units' areas (no ancestors): what he is responsible for."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        return self.filter(q_code_within("prefix", scope.place_prefixes | scope.unit_place_prefixes))

    def grids(self) -> PlaceQuerySet:
        return self.filter(level="grid")

    def under(self, place: Place) -> PlaceQuerySet:
        return self.filter(prefix__startswith=place.prefix)


class _ScopedByCode(models.QuerySet[Any]):
    scope_field = "scope_code"

    def visible_to(self, user: Any) -> Any:
        """Rows whose place code lies inside the user's places or the places his units serve."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        return self.filter(q_code_within(self.scope_field, scope.place_prefixes | scope.unit_place_prefixes))


class BuildingQuerySet(_ScopedByCode):
    pass


class EntranceQuerySet(_ScopedByCode):
    scope_field = "building__scope_code"


class HouseQuerySet(_ScopedByCode):
    pass
