"""Who may see and change places; access_* fetch and authorise in one call (404 for missing and forbidden)."""

from __future__ import annotations

from typing import Any

from jiedao.core.access import get_visible
from jiedao.core.scope import scope_of
from jiedao.places.models import Building, Place

# Roles that administer places of their office (grids, polygons, imports).
PLACE_ADMIN_ROLES = frozenset({"admin"})


def access_place(user: Any, place_id: int) -> Place:
    """Return the place if the user may see it; raise Http404 otherwise, whether missing or forbidden."""
    return get_visible(Place.objects.visible_to(user).select_related("parent"), place_id)


def access_building(user: Any, building_id: int) -> Building:
    building: Building = get_visible(Building.objects.visible_to(user).select_related("grid"), building_id)
    return building


def can_manage_place(user: Any, place: Place) -> bool:
    """Administrators may change places inside their own scope (not the scope's root, nor above it)."""
    scope = scope_of(user)
    if scope.everything:
        return True
    prefixes = scope.prefixes_for(*PLACE_ADMIN_ROLES)
    return any(place.prefix.startswith(p) and place.prefix != p for p in prefixes)
