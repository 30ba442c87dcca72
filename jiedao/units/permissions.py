"""Fetching units with authorisation in one call."""

from __future__ import annotations

from typing import Any

from jiedao.core.access import get_visible
from jiedao.units.models import Unit


def access_unit(user: Any, unit_id: int) -> Unit:
    """Return the unit if the user may see it; Http404 when missing or forbidden alike."""
    return get_visible(Unit.objects.visible_to(user).select_related("office"), unit_id)
